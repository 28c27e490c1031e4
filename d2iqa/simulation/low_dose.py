"""Lower-dose CT from a full-dose slice by noise insertion in projection space.

The slice (HU) is converted to linear attenuation, mu = mu_water * (1 + HU / 1000), and
forward-projected (parallel beam, see :mod:`d2iqa.simulation.projector`) to line integrals p.
A detector bin that sees p at full dose counts about N = N0 * w * exp(-p) photons, w being the
view's share of the tube current (angular modulation, mean 1). The input image already carries
the noise of those counts, so only the *difference* is added: thinning each photon with
probability f (binomial thinning, which turns Poisson(N) counts into exactly Poisson(f N)
counts) gives a log-domain noise of variance

    (1/f - 1) * exp(p) / (N0 w)    [+ (1/f**2 - 1) * sigma_e**2 * exp(2 p) / (N0 w)**2],

the second term when electronic noise of standard deviation sigma_e (photons) is modelled.
The noise sinogram alone is reconstructed by filtered back-projection, converted to HU and
added to the input (Yu et al., Med. Phys. 39 (2012) 1020; Zeng et al., Med. Phys. 42 (2015)
2564). f = 1 adds nothing, and the total noise at dose f is that of f * N0 photons.

N0 is given, or calibrated on the slice (``'auto'``) so that its quarter dose has
:data:`AUTO_QUARTER_DOSE_RATIO` times its soft-tissue noise; ``docs/simulation.md`` explains
the choice and how to set N0 for a scanner.
"""
import numpy as np

from ..io import as_hu_slice
from .attenuation import MU_WATER, hu_to_mu, positive, slice_pixel_size
from .noise_level import NoSoftTissueError, noise_level
from .projector import FILTERS, ParallelBeam, fbp, forward_project

__all__ = ['AUTO_QUARTER_DOSE_RATIO', 'DEFAULT_VIEWS', 'LowDoseSimulator', 'NOISE_MODELS',
           'simulate_low_dose']

#: Views of the simulated acquisition over 180 degrees (like a clinical 720-view rotation
#: rebinned to parallel beams): with the Hann filter, no view aliasing in the noise.
DEFAULT_VIEWS = 360
#: Noise ratio (quarter dose / full dose) that ``incident_photons='auto'`` aims at: the middle
#: of the 2.0-2.4 measured on the Mayo full / quarter-dose pairs.
AUTO_QUARTER_DOSE_RATIO = 2.2
#: Seed of the noise used by the 'auto' calibration (so that N0 depends on the slice only).
CALIBRATION_SEED = 20120301
#: Iterations and relative tolerance of that calibration.
CALIBRATION_STEPS = 6
CALIBRATION_TOLERANCE = 0.005
#: Pixel blocks projected as one element when computing the photon counts.
COUNT_BINNING = 2
#: How the added noise is drawn: ``'poisson'`` thins the expected counts binomially (exact
#: photon statistics, with photon starvation at very low counts); ``'gaussian'`` draws the
#: log-domain noise from a normal law of the same variance.
NOISE_MODELS = ('poisson', 'gaussian')


def _check_fraction(dose_fraction):
    try:
        value = float(dose_fraction)
    except (TypeError, ValueError):
        value = float('nan')
    if not 0.0 < value <= 1.0:
        hint = '; percentages such as 25 must be divided by 100' if value > 1 else ''
        raise ValueError(f'dose_fraction must be in (0, 1] (e.g. 0.25 for a quarter dose), got '
                         f'{dose_fraction!r}{hint}')
    return value


class LowDoseSimulator:
    """Projection-space noise insertion for one slice, forward-projected once.

    Use it to make several dose levels of the same slice; :func:`simulate_low_dose` is the
    one-call form and documents the parameters.

    Attributes
    ----------
    incident_photons : float
        N0 in use: the given number, or the one calibrated on the slice for ``'auto'``.
    input_noise : float or None
        The slice's soft-tissue noise (HU, :func:`~d2iqa.simulation.noise_level`) measured by
        the ``'auto'`` calibration; None for a given N0.
    geometry : ParallelBeam
        The simulated acquisition.
    """

    def __init__(self, hu, *, incident_photons='auto', electronic_noise=0.0, noise='poisson',
                 filter='hann', n_views=DEFAULT_VIEWS, tube_current_modulation=True,
                 pixel_size=None, mu_water=MU_WATER):
        ct_slice = as_hu_slice(hu, source='hu')
        if noise not in NOISE_MODELS:
            raise ValueError(f'noise must be one of {NOISE_MODELS}, got {noise!r}')
        if filter not in FILTERS:
            raise ValueError(f'unknown filter {filter!r}; choose one of {sorted(FILTERS)}')
        self.hu = ct_slice.hu
        self.electronic_noise = 0.0 if electronic_noise == 0 else positive(
            'electronic_noise', electronic_noise, 'standard deviation in photons, or 0')
        self.noise = noise
        self.filter = filter
        self.mu_water = positive('mu_water', mu_water, '1/mm')
        self.geometry = ParallelBeam(self.hu.shape, n_views,
                                     slice_pixel_size(ct_slice, pixel_size))
        mu = hu_to_mu(self.hu, mu_water=self.mu_water)
        # the photon statistics need the line integrals only roughly: 2 x 2 pixel blocks are
        # projected (4 times faster, see forward_project)
        transmission = np.exp(-forward_project(mu, self.geometry, binning=COUNT_BINNING))
        #: photons per view relative to N0 (mean 1): with tube current modulation, proportional
        #: to sqrt(sum over bins of exp(p)), which minimises the image noise for a given dose
        #: (Gies et al., Med. Phys. 26 (1999) 2235); else 1
        self.view_weights = np.ones(n_views)
        if tube_current_modulation:
            self.view_weights = np.sqrt(np.sum(1 / transmission, axis=1))
            self.view_weights /= self.view_weights.mean()
        #: expected full-dose counts per bin and view for N0 = 1
        self.relative_counts = self.view_weights[:, None] * transmission
        self.input_noise = None
        if isinstance(incident_photons, str) and incident_photons == 'auto':
            self.incident_photons = self._calibrate(ct_slice)
        else:
            self.incident_photons = positive('incident_photons', incident_photons,
                                             "photons per bin and view, or 'auto'")

    def _to_hu(self, sinogram):
        """Reconstruct a log-domain noise sinogram as an HU noise image."""
        noise_mu = fbp(sinogram, self.geometry, filter=self.filter)
        return noise_mu * np.float32(1000.0 / self.mu_water)

    def _calibrate(self, ct_slice):
        """N0 whose quarter dose has AUTO_QUARTER_DOSE_RATIO times the slice's noise level."""
        pixel_size = self.geometry.pixel_size
        self.input_noise = noise_level(ct_slice, pixel_size=pixel_size)
        if not self.input_noise > 0:
            raise NoSoftTissueError(
                "incident_photons='auto' calibrates N0 on the noise of the slice, but its soft "
                'tissue has no noise (a noise-free phantom?): pass incident_photons=<photons '
                'per bin and view>, e.g. 1e5')
        target = AUTO_QUARTER_DOSE_RATIO * self.input_noise
        # the quarter-dose noise of N0 photons is sqrt(3 / N0) times this one (N0 = 1)
        rng = np.random.default_rng(CALIBRATION_SEED)
        unit = self._to_hu(rng.standard_normal(self.relative_counts.shape)
                           / np.sqrt(self.relative_counts))
        # find the amplitude s at which the same estimator measures the target on hu + s * unit:
        # start from noise variances adding up, then correct for the estimator's non-linearity
        wanted = np.sqrt(target ** 2 - self.input_noise ** 2)
        amplitude = wanted / np.std(unit)
        for _ in range(CALIBRATION_STEPS):
            measured = noise_level(ct_slice.with_hu(self.hu + amplitude * unit),
                                   pixel_size=pixel_size)
            if abs(measured / target - 1) < CALIBRATION_TOLERANCE:
                break
            added = np.sqrt(max(measured ** 2 - self.input_noise ** 2, 0.0))
            amplitude *= wanted / added if added > 0 else 2.0
        return float(3.0 / amplitude ** 2)

    def noise_sinogram(self, dose_fraction, rng):
        """Log-domain noise to add to the full-dose line integrals to reach ``dose_fraction``."""
        f = _check_fraction(dose_fraction)
        counts = self.incident_photons * self.relative_counts
        if f == 1.0:
            return np.zeros_like(counts)
        sigma_e2 = self.electronic_noise ** 2
        if self.noise == 'gaussian':
            variance = (1 / f - 1) / counts + (1 / f ** 2 - 1) * sigma_e2 / counts ** 2
            return np.sqrt(variance) * rng.standard_normal(counts.shape)
        detected = rng.binomial(np.round(counts).astype(np.int64), f).astype(np.float64)
        if sigma_e2:
            detected += np.sqrt(sigma_e2 * (1 - f ** 2)) * rng.standard_normal(counts.shape)
        return np.log(f * counts / np.maximum(detected, 1.0))

    def simulate(self, dose_fraction, *, seed=None):
        """The slice at ``dose_fraction`` of the full dose, float32 HU (see simulate_low_dose)."""
        sinogram = self.noise_sinogram(dose_fraction, np.random.default_rng(seed))
        if not sinogram.any():
            return self.hu.copy()
        return (self.hu + self._to_hu(sinogram)).astype(np.float32)


def simulate_low_dose(hu, dose_fraction, *, seed=None, incident_photons='auto',
                      electronic_noise=0.0, noise='poisson', filter='hann', n_views=DEFAULT_VIEWS,
                      tube_current_modulation=True, pixel_size=None, mu_water=MU_WATER):
    """Simulate a lower-dose acquisition of a full-dose CT slice.

    Parameters
    ----------
    hu : array_like or CTSlice
        Full-dose slice in Hounsfield units (2-D, finite); a :class:`~d2iqa.io.CTSlice` also
        gives its pixel spacing.
    dose_fraction : float
        Target dose as a fraction of the input's, in (0, 1]: 0.25 for a quarter dose.
    seed : int, numpy.random.SeedSequence or numpy.random.Generator, optional
        Source of randomness; the same seed gives the same image.
    incident_photons : float or 'auto'
        N0, the photons per detector bin (as wide as a pixel) and view at full dose.
        ``'auto'`` (default) calibrates N0 on the slice's own soft-tissue noise so that the
        quarter dose has 2.2 times the input's noise (the Mayo full / quarter-dose pairs measure
        2.0-2.4); it needs soft tissue in the slice. Pass a number to use one N0 for a whole
        protocol (``LowDoseSimulator(slice).incident_photons`` gives the calibrated one);
        ``docs/simulation.md`` says how to set it for a scanner.
    electronic_noise : float
        Standard deviation of the detector's electronic noise, in photons per bin and view.
    noise : {'poisson', 'gaussian'}
        Binomial thinning of the counts (photon statistics) or Gaussian log-domain noise.
    filter : str
        Reconstruction filter of the noise: ``'hann'`` (default; its noise texture is the
        closest to a standard body kernel, see ``docs/simulation.md``), ``'ramp'`` or another
        apodised ramp (``'shepp-logan'``, ``'cosine'``, ``'hamming'``).
    n_views : int
        Views over 180 degrees of the simulated parallel-beam acquisition.
    tube_current_modulation : bool
        Spread the photons over the views as a scanner's angular tube current modulation does
        (more photons for the more attenuating views, the mean per view staying N0), so that
        lateral views do not dominate the noise with horizontal streaks. False: N0 every view.
    pixel_size : float, optional
        Pixel size in mm; default: the slice's pixel spacing, else 0.7 mm.
    mu_water : float
        Attenuation of water in 1/mm at the effective energy (default 70 keV).

    Returns
    -------
    numpy.ndarray
        float32 HU array of the input's shape: the input plus the reconstructed noise
        (an exact copy for ``dose_fraction=1``).

    Raises
    ------
    ValueError
        For a dose fraction outside (0, 1], an image that is not 2-D or holds NaN or infinite
        values, and non-positive photon counts, pixel sizes or attenuation.
    NoSoftTissueError
        (a ValueError) For ``'auto'`` on a slice without soft tissue, or without noise in it.
    """
    _check_fraction(dose_fraction)
    simulator = LowDoseSimulator(hu, incident_photons=incident_photons,
                                 electronic_noise=electronic_noise, noise=noise, filter=filter,
                                 n_views=n_views, tube_current_modulation=tube_current_modulation,
                                 pixel_size=pixel_size, mu_water=mu_water)
    return simulator.simulate(dose_fraction, seed=seed)
