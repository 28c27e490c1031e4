"""Validation of the [0, 1] slices that the lesion functions take."""
import numpy as np


def as_image01(image01, *, name='image01'):
    """Return ``image01`` as a 2-D float32 array in [0, 1], or raise ValueError saying why.

    The D2IQA intensity domain is the slice windowed with width 1400 / level -300
    (``d2iqa.window(hu, preset='d2iqa')``): HU -1000 -> 0, HU 400 -> 1.
    """
    image = np.asarray(image01)
    if image.ndim != 2:
        raise ValueError(f'{name} must be one 2-D slice (rows, columns), got shape {image.shape}')
    if not np.issubdtype(image.dtype, np.floating):
        raise ValueError(f'{name} has dtype {image.dtype}; expected floats in [0, 1] (the slice '
                         "windowed by d2iqa.window(hu, preset='d2iqa'))")
    image = image.astype(np.float32, copy=False)
    low, high = float(image.min()), float(image.max())
    if not (np.isfinite(low) and np.isfinite(high)) or low < 0 or high > 1:
        hint = ' (these look like Hounsfield units)' if low < -1 or high > 2 else ''
        raise ValueError(f'{name} has values {low:.4g}..{high:.4g}{hint}; expected [0, 1]: '
                         "window the HU slice first with d2iqa.window(hu, preset='d2iqa')")
    return image
