"""Hounsfield units <-> linear attenuation, and the checks shared by the simulators."""
import numpy as np

from .projector import DEFAULT_PIXEL_SIZE

__all__ = ['MU_WATER', 'hu_to_mu', 'mu_to_hu']

#: Linear attenuation of water (1/mm) at 70 keV (NIST XCOM: 0.1929 cm^2/g), the effective
#: energy of a 120 kVp beam behind an abdomen. One energy for every tissue: bone is treated
#: as if it attenuated like dense water, so beam hardening is not simulated.
MU_WATER = 0.01929


def hu_to_mu(hu, *, mu_water=MU_WATER):
    """Linear attenuation (1/mm) from HU: ``mu_water * (1 + HU / 1000)``, clipped at 0 (air)."""
    return np.clip(np.asarray(hu, dtype=np.float64) / 1000.0 + 1.0, 0.0, None) * mu_water


def mu_to_hu(mu, *, mu_water=MU_WATER):
    """HU from linear attenuation (1/mm), the inverse of :func:`hu_to_mu` above air."""
    return (np.asarray(mu) / mu_water - 1.0) * 1000.0


def positive(name, value, unit):
    """``value`` as a float if it is a finite positive number, else a ValueError naming it."""
    if isinstance(value, bool) or not (np.isscalar(value) and np.isreal(value)
                                       and np.isfinite(value) and value > 0):
        raise ValueError(f'{name} must be a positive number ({unit}), got {value!r}')
    return float(value)


def slice_pixel_size(ct_slice, pixel_size):
    """The pixel size to simulate with: the given one, the slice's spacing, or 0.7 mm."""
    if pixel_size is not None:
        return positive('pixel_size', pixel_size, 'mm')
    if ct_slice.pixel_spacing:
        return float(np.mean(ct_slice.pixel_spacing))
    return DEFAULT_PIXEL_SIZE
