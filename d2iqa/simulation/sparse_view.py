"""Sparse-view streak artefacts: reconstruct from fewer views and keep the difference.

As in the D2IQA paper, a slice is forward-projected, reconstructed from ``n_views`` and from
the full ``full_views`` (both noise-free projections of the same attenuation map, views evenly
spaced over 180 degrees), and the difference of the two reconstructions, the streaks that
angular undersampling adds, is added to the original slice. Resolution loss and other
reconstruction errors that both share cancel, so ``n_views == full_views`` returns the input.
"""
import numpy as np

from ..io import as_hu_slice
from .attenuation import MU_WATER, hu_to_mu, positive, slice_pixel_size
from .projector import FILTERS, ParallelBeam, fbp, forward_project

__all__ = ['FULL_VIEWS', 'SPARSE_VIEWS', 'SparseViewSimulator', 'simulate_sparse_view']

#: View count of the full acquisition the sparse levels are compared with (over 180 degrees).
FULL_VIEWS = 360
#: The sparse-view levels of the D2IQA paper.
SPARSE_VIEWS = (360, 270, 225, 180, 150, 120, 90)


class SparseViewSimulator:
    """Sparse-view simulation of one slice, with the full-view reconstruction made once.

    Parameters are those of :func:`simulate_sparse_view`.
    """

    def __init__(self, hu, *, full_views=FULL_VIEWS, filter='hann', pixel_size=None,
                 mu_water=MU_WATER):
        ct_slice = as_hu_slice(hu, source='hu')
        if filter not in FILTERS:
            raise ValueError(f'unknown filter {filter!r}; choose one of {sorted(FILTERS)}')
        self.hu = ct_slice.hu
        self.filter = filter
        self.mu_water = positive('mu_water', mu_water, '1/mm')
        self.pixel_size = slice_pixel_size(ct_slice, pixel_size)
        self.mu = hu_to_mu(self.hu, mu_water=self.mu_water)
        self.full_views = self._views('full_views', full_views)
        self.full = self._reconstruct(self.full_views)

    @staticmethod
    def _views(name, value):
        try:
            views = int(value)
        except (TypeError, ValueError):
            views = None
        if isinstance(value, bool) or views is None or views != value or views < 2:
            raise ValueError(f'{name} must be an integer number of views >= 2, got {value!r}')
        return views

    def _reconstruct(self, n_views):
        geometry = ParallelBeam(self.hu.shape, n_views, self.pixel_size)
        return fbp(forward_project(self.mu, geometry), geometry, filter=self.filter)

    def simulate(self, n_views):
        """The slice with the streaks of ``n_views`` views, float32 HU."""
        n_views = self._views('n_views', n_views)
        if n_views > self.full_views:
            raise ValueError(f'n_views ({n_views}) must not exceed full_views ({self.full_views})')
        if n_views == self.full_views:
            return self.hu.copy()
        streaks = self._reconstruct(n_views) - self.full
        return (self.hu + streaks * np.float32(1000.0 / self.mu_water)).astype(np.float32)


def simulate_sparse_view(hu, n_views, *, full_views=FULL_VIEWS, filter='hann', pixel_size=None,
                         mu_water=MU_WATER):
    """Add the streak artefacts of a sparse-view acquisition to a CT slice.

    Parameters
    ----------
    hu : array_like or CTSlice
        Slice in Hounsfield units (2-D, finite); a :class:`~d2iqa.io.CTSlice` also gives its
        pixel spacing.
    n_views : int
        Views of the sparse acquisition over 180 degrees (the paper: 270, 225, 180, 150, 120,
        90 out of 360).
    full_views : int
        Views of the full acquisition.
    filter : str
        Reconstruction filter, as in :func:`~d2iqa.simulation.fbp` (default ``'hann'``, like
        :func:`~d2iqa.simulation.simulate_low_dose`).
    pixel_size : float, optional
        Pixel size in mm; default: the slice's pixel spacing, else 0.7 mm.
    mu_water : float
        Attenuation of water in 1/mm at the effective energy.

    Returns
    -------
    numpy.ndarray
        float32 HU array of the input's shape: the input plus (FBP from ``n_views`` minus FBP
        from ``full_views``); an exact copy when the two are equal.

    Raises
    ------
    ValueError
        For view counts that are not integers >= 2, ``n_views > full_views``, and images that
        are not 2-D or hold NaN or infinite values.
    """
    return SparseViewSimulator(hu, full_views=full_views, filter=filter, pixel_size=pixel_size,
                               mu_water=mu_water).simulate(n_views)
