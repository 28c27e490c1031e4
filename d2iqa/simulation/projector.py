"""Parallel-beam forward projection and filtered back-projection on the slice's pixel grid.

Geometry (:class:`ParallelBeam`): ``n_views`` views evenly spaced over [0, 180) degrees, a
flat detector of ``n_bins`` bins of width equal to the pixel size, centred on the image centre
and wide enough to cover the image diagonal, so that every pixel is seen by every view.
A clinical scanner measures fan-beam data over 360 degrees, but most rebin it to parallel
beams before reconstruction; for noise and view-sampling streaks the two behave alike.

The forward projector is pixel-driven with the exact footprint of a square pixel: each pixel's
value is placed, with linear weights, at its centre's detector position on a grid
``OVERSAMPLING`` times finer than the bins, spread over the trapezoid that a square pixel casts
at that angle (two boxes of widths ``|cos|`` and ``|sin|`` pixels) and summed over each bin. A
bin therefore holds the line integral averaged over its width, exact for the pixelated image up
to the linear placement on the fine grid. Pixels that are zero (air) are skipped.

The back-projector samples each filtered view by linear interpolation at every pixel centre
(through the fine grid, with fixed-point indices). :func:`fbp` is the textbook filtered
back-projection (Kak and Slaney, *Principles of Computerized Tomographic Imaging*, 1988,
ch. 3): the band-limited ramp filter in its spatial form, zero-padded, optionally apodised,
then back-projection scaled by pi / views. Both directions cost about 0.5-2 ms per view for a
512 x 512 image (numpy only), 10-20 times less than ``skimage.transform.radon``.
"""
from dataclasses import dataclass

import numpy as np
from scipy import fft

__all__ = ['DEFAULT_PIXEL_SIZE', 'FILTERS', 'OVERSAMPLING', 'ParallelBeam', 'back_project',
           'fbp', 'forward_project']

#: Pixel size (mm) assumed when a slice does not record its pixel spacing.
DEFAULT_PIXEL_SIZE = 0.7
#: Sub-bins per detector bin used to place pixel centres on the detector.
OVERSAMPLING = 8
#: Fractional bits of the fixed-point detector positions of the back-projector.
_FIXED_BITS = 12

#: Apodisation windows of the ramp filter, as functions of the frequency f in cycles per bin
#: (0 .. 0.5); the names are those of ``skimage.transform.iradon``.
FILTERS = {
    'ramp': lambda f: np.ones_like(f),
    'shepp-logan': np.sinc,
    'cosine': lambda f: np.cos(np.pi * f),
    'hamming': lambda f: 0.54 + 0.46 * np.cos(2 * np.pi * f),
    'hann': lambda f: 0.5 + 0.5 * np.cos(2 * np.pi * f),
}


@dataclass(frozen=True)
class ParallelBeam:
    """A parallel-beam geometry matched to an image grid.

    Parameters
    ----------
    shape : tuple of int
        (rows, columns) of the image.
    n_views : int
        Number of views, evenly spaced over [0, 180) degrees.
    pixel_size : float
        Pixel size in mm (square pixels); the detector bin width equals it.

    Attributes
    ----------
    n_bins : int
        Detector bins: an odd number covering the image diagonal with 2 bins to spare at
        each end.
    angles : numpy.ndarray
        View angles in radians.
    """

    shape: tuple
    n_views: int
    pixel_size: float = DEFAULT_PIXEL_SIZE

    def __post_init__(self):
        if len(self.shape) != 2 or min(self.shape) < 2:
            raise ValueError(f'shape must be (rows, columns) of a 2-D image, got {self.shape}')
        if int(self.n_views) != self.n_views or self.n_views < 1:
            raise ValueError(f'n_views must be a positive integer, got {self.n_views!r}')
        if not self.pixel_size > 0:
            raise ValueError(f'pixel_size must be a positive length in mm, got {self.pixel_size!r}')

    @property
    def n_bins(self):
        return 2 * int(np.ceil(np.hypot(*self.shape) / 2)) + 5

    @property
    def angles(self):
        return np.arange(self.n_views) * (np.pi / self.n_views)

    def _pixel_coordinates(self):
        """Column x and row y of pixel centres in pixels, origin at the image centre, y up."""
        rows, cols = self.shape
        x = np.arange(cols) - (cols - 1) / 2
        y = (rows - 1) / 2 - np.arange(rows)
        return x, y

    def _views(self):
        """(cos, sin) per view, and the offset of the fine detector grid.

        Fine cell ``j`` covers bin positions [j / OVERSAMPLING - 0.5, (j + 1) / OVERSAMPLING -
        0.5), bin ``k`` being centred on ``k``; the point ``x cos + y sin`` of the image falls
        in the fine cell ``floor((x cos + y sin + offset) * OVERSAMPLING)``.
        """
        offset = (self.n_bins - 1) / 2 + 0.5
        return [(np.cos(angle), np.sin(angle)) for angle in self.angles], offset


def _check_image(image, geometry):
    image = np.asarray(image)
    if image.shape != tuple(geometry.shape):
        raise ValueError(f'image has shape {image.shape} but the geometry is for {geometry.shape}')
    return image


def _box(mass, width):
    """Spread masses on the fine grid (cells of width 1) by a unit-area box ``width`` cells wide."""
    if width <= 1:
        return mass
    edges = np.arange(mass.size + 1, dtype=np.float64)
    cumulative = np.concatenate([[0.0], np.cumsum(mass)])
    centres = edges[:-1] + 0.5
    return (np.interp(centres + width / 2, edges, cumulative)
            - np.interp(centres - width / 2, edges, cumulative)) / width


def forward_project(image, geometry, *, binning=1):
    """Line integrals of an image along the rays of a parallel-beam geometry.

    Parameters
    ----------
    image : array_like
        2-D array of ``geometry.shape``, in any unit per mm (e.g. linear attenuation in 1/mm).
    geometry : ParallelBeam
        Views, bins and pixel size.
    binning : int
        Project ``binning`` x ``binning`` blocks of pixels as single square elements (their sum
        at their centre, with the footprint of a square ``binning`` pixels wide): about
        ``binning**2`` times faster, with the resolution of the binned image. The sinogram keeps
        the bins of ``geometry``.

    Returns
    -------
    numpy.ndarray
        float64 sinogram of shape (n_views, n_bins): for attenuation in 1/mm, dimensionless
        line integrals, each averaged over the width of its bin.
    """
    image = _check_image(image, geometry)
    if int(binning) != binning or binning < 1:
        raise ValueError(f'binning must be a positive integer, got {binning!r}')
    x, y = geometry._pixel_coordinates()
    if binning > 1:
        rows, cols = (-(-n // binning) * binning for n in geometry.shape)
        padded = np.zeros((rows, cols))
        padded[:image.shape[0], :image.shape[1]] = image
        image = padded.reshape(rows // binning, binning, cols // binning, binning).sum(axis=(1, 3))
        x = x[0] + np.arange(0, cols, binning) + (binning - 1) / 2
        y = y[0] - np.arange(0, rows, binning) - (binning - 1) / 2
    rows, cols = np.nonzero(image)
    values = image[rows, cols].astype(np.float64)
    x, y = x[cols], y[rows]
    n_fine = geometry.n_bins * OVERSAMPLING
    sinogram = np.empty((geometry.n_views, geometry.n_bins))
    views, offset = geometry._views()
    for view, (cos, sin) in enumerate(views):
        position = (x * cos + y * sin + offset) * OVERSAMPLING - 0.5
        fine = position.astype(np.intp)
        upper = values * (position - fine)
        mass = (np.bincount(fine, weights=values - upper, minlength=n_fine + 1)
                + np.bincount(fine + 1, weights=upper, minlength=n_fine + 1))[:n_fine]
        width = binning * OVERSAMPLING
        mass = _box(_box(mass, abs(cos) * width), abs(sin) * width)
        sinogram[view] = mass.reshape(geometry.n_bins, OVERSAMPLING).sum(axis=1)
    return sinogram * geometry.pixel_size


def back_project(sinogram, geometry):
    """Unfiltered back-projection: each view smeared back along its rays and summed.

    Parameters
    ----------
    sinogram : array_like
        Array of shape (n_views, n_bins).
    geometry : ParallelBeam
        The geometry the sinogram belongs to.

    Returns
    -------
    numpy.ndarray
        float32 image of ``geometry.shape``: the sum over views of the view's value at each
        pixel centre (linear interpolation between bins).
    """
    sinogram = np.asarray(sinogram)
    expected = (geometry.n_views, geometry.n_bins)
    if sinogram.shape != expected:
        raise ValueError(f'sinogram has shape {sinogram.shape} but the geometry needs {expected} '
                         '(views, bins)')
    x, y = geometry._pixel_coordinates()
    fine_centres = (np.arange(geometry.n_bins * OVERSAMPLING) + 0.5) / OVERSAMPLING - 0.5
    lower = np.clip(np.floor(fine_centres).astype(np.intp), 0, geometry.n_bins - 2)
    weight = np.clip(fine_centres - lower, 0.0, 1.0)
    fine_values = (sinogram[:, lower] * (1 - weight) + sinogram[:, lower + 1] * weight)
    fine_values = fine_values.astype(np.float32)
    # fine cell of each pixel centre in fixed point: (column part + row part) >> _FIXED_BITS
    scale = OVERSAMPLING * (1 << _FIXED_BITS)
    image = np.zeros(geometry.shape, dtype=np.float32)
    index = np.empty(geometry.shape, dtype=np.int32)
    views, offset = geometry._views()
    for values, (cos, sin) in zip(fine_values, views):
        column_part = np.round((x * cos + offset) * scale).astype(np.int32)
        row_part = np.round(y * sin * scale).astype(np.int32)
        np.add(row_part[:, None], column_part[None, :], out=index)
        np.right_shift(index, _FIXED_BITS, out=index)
        image += np.take(values, index)
    return image


def _ramp_response(n_bins, filter):
    """Frequency response (rfft layout) of the apodised band-limited ramp, zero-padded."""
    try:
        window = FILTERS[filter]
    except KeyError:
        raise ValueError(f'unknown filter {filter!r}; choose one of {sorted(FILTERS)}') from None
    size = fft.next_fast_len(2 * n_bins)
    n = np.concatenate([np.arange(0, size // 2 + 1), np.arange(size // 2 + 1 - size, 0)])
    kernel = np.zeros(size)
    kernel[0] = 0.25
    odd = n % 2 == 1
    kernel[odd] = -1.0 / (np.pi * n[odd]) ** 2
    return np.real(fft.rfft(kernel)) * window(fft.rfftfreq(size)), size


def fbp(sinogram, geometry, *, filter='ramp'):
    """Filtered back-projection of a parallel-beam sinogram.

    Parameters
    ----------
    sinogram : array_like
        Line integrals, shape (n_views, n_bins) of ``geometry``.
    geometry : ParallelBeam
        The geometry of the sinogram.
    filter : str
        ``'ramp'`` (band-limited ramp, the sharpest) or an apodised ramp: ``'shepp-logan'``,
        ``'cosine'``, ``'hamming'``, ``'hann'`` (the smoothest).

    Returns
    -------
    numpy.ndarray
        float32 image of ``geometry.shape``; for line integrals of attenuation, in 1/mm.
    """
    sinogram = np.asarray(sinogram, dtype=np.float64)
    response, size = _ramp_response(geometry.n_bins, filter)
    filtered = fft.irfft(fft.rfft(sinogram, n=size, axis=1) * response, n=size, axis=1)
    scale = np.pi / geometry.n_views / geometry.pixel_size
    return back_project(filtered[:, :geometry.n_bins] * scale, geometry)
