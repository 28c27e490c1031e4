"""Resampling a slice to another pixel spacing (the same anatomy on another pixel grid)."""
from dataclasses import replace

import numpy as np
from skimage.transform import resize

from .errors import CTReadError

__all__ = ['resample_slice']


def resample_slice(ct_slice, pixel_spacing):
    """The slice resampled to square pixels of ``pixel_spacing`` mm.

    Linear interpolation; when the pixels grow (fewer of them), a Gaussian anti-aliasing
    filter first, as scikit-image's ``resize`` applies it, so that the noise is averaged as
    a coarser reconstruction grid would average it rather than aliased.

    Parameters
    ----------
    ct_slice : CTSlice
        Its ``pixel_spacing`` (row, column) in mm must be known.
    pixel_spacing : float
        The new pixel size in mm.

    Returns
    -------
    CTSlice
        Same metadata, new ``hu`` and ``pixel_spacing``; the slice itself when nothing changes.
    """
    if not pixel_spacing > 0:
        raise ValueError(f'pixel_spacing is a size in mm, got {pixel_spacing!r}')
    if ct_slice.pixel_spacing is None:
        raise CTReadError(ct_slice.source, 'has no pixel spacing (PixelSpacing), so it cannot be '
                                           'resampled to millimetres: pass a DICOM or NIfTI '
                                           'slice, or a CTSlice with pixel_spacing=(row, col)')
    old = np.asarray(ct_slice.pixel_spacing, dtype=float)
    shape = tuple(int(round(n * s / pixel_spacing)) for n, s in zip(ct_slice.hu.shape, old))
    if shape == ct_slice.hu.shape and np.allclose(old, pixel_spacing):
        return ct_slice
    if min(shape) < 2:
        raise CTReadError(ct_slice.source, f'would have {shape} pixels at {pixel_spacing} mm')
    hu = resize(ct_slice.hu, shape, order=1, mode='edge', preserve_range=True,
                anti_aliasing=bool(pixel_spacing > old.min())).astype(np.float32)
    spacing = tuple(float(n * s / m) for n, s, m in zip(ct_slice.hu.shape, old, shape))
    return replace(ct_slice, hu=hu, pixel_spacing=spacing)
