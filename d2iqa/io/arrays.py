"""Unit-less pixel files (TIFF, PNG, NPY) and NIfTI volumes -> CT slices in HU.

tifffile and nibabel are imported by the readers that need them, so reading DICOM, PNG or NPY
needs neither.
"""
import numpy as np

from .ct_slice import CTSlice, check_hu_array, map_padding_to_air
from .errors import CTReadError
from .windowing import get_window, unwindow

UNITLESS_HINT = ("carries no intensity units: pass values='hu' (command line: --values hu) if its "
                 "pixels are Hounsfield units, "
                 "or values='d2iqa', 'abdomen' or Window(level=..., width=...) if they are "
                 "intensities normalised to [0, 1] with that window")
#: Allowed excess outside [0, 1] for normalised float files (rounding in other tools).
NORMALISED_TOLERANCE = 1e-4


def _stack(array, source):
    """A 2-D slice or a 3-D stack (slices first) as a 3-D array; anything else is refused."""
    if array.ndim == 2:
        return array[None]
    if array.ndim == 3 and array.shape[-1] in (3, 4) and array.shape[0] > 4:
        raise CTReadError(source, f'is a colour (RGB/RGBA) image of shape {array.shape}; '
                                  'CT slices are single-channel: convert it to grey first')
    if array.ndim == 3:
        return array
    raise CTReadError(source, f'holds a {array.ndim}-D array of shape {array.shape}; expected one '
                              '2-D slice (rows, columns) or a 3-D stack (slices, rows, columns)')


def _to_hu(array, source, values):
    """Convert unit-less pixel values to HU as the caller declared them."""
    if values is None:
        raise CTReadError(source, UNITLESS_HINT)
    if isinstance(values, str) and values.lower() == 'hu':
        return array.astype(np.float32)
    try:
        win = get_window(values)
    except (TypeError, ValueError) as exc:
        raise CTReadError(source, f'values={values!r} is not understood ({exc}); {UNITLESS_HINT}') \
            from None
    if np.issubdtype(array.dtype, np.integer):
        scaled = array.astype(np.float32) / np.float32(np.iinfo(array.dtype).max)
    else:
        scaled = array.astype(np.float32)
        finite = scaled[np.isfinite(scaled)]
        if finite.size and (finite.min() < -NORMALISED_TOLERANCE
                            or finite.max() > 1 + NORMALISED_TOLERANCE):
            raise CTReadError(source, f'values range {finite.min():.4g}..{finite.max():.4g}, outside '
                                      f'[0, 1], so they are not intensities normalised with window '
                                      f'{tuple(win)}; pass values="hu" if they are Hounsfield units')
        scaled = np.clip(scaled, 0.0, 1.0)
    return unwindow(scaled, level=win.level, width=win.width)


def _slices(stack, source, values, **metadata):
    slices = []
    for index, plane in enumerate(stack):
        hu = check_hu_array(_to_hu(plane, source, values), source=source)
        slices.append(CTSlice(hu=hu, source=source, index=index, **metadata))
    return slices


def read_tiff(path, *, values):
    """Read a TIFF (one page or a stack of pages); ``values`` says what the numbers are."""
    import tifffile

    try:
        array = tifffile.imread(path)
    except Exception as exc:  # tifffile raises TiffFileError, ValueError, OSError...
        raise CTReadError(path, f'is not a readable TIFF file ({type(exc).__name__}: {exc})') from None
    return _slices(_stack(array, path), path, values)


def read_png(path, *, values):
    """Read an 8- or 16-bit greyscale PNG; ``values`` says what the numbers are."""
    from skimage.io import imread

    try:
        array = imread(path)
    except Exception as exc:  # imageio raises OSError, ValueError, PIL's errors...
        raise CTReadError(path, 'is not a readable PNG file (it cannot be decoded)') from exc
    if array.ndim == 3:
        raise CTReadError(path, f'is a colour PNG with {array.shape[-1]} channels; CT slices are '
                                'single-channel: save it as greyscale')
    return _slices(array[None], path, values)


def read_npy(path, *, values):
    """Read a NumPy ``.npy`` slice (2-D) or stack (3-D, slices first)."""
    try:
        array = np.load(path, allow_pickle=False)
    except Exception as exc:  # ValueError, OSError, EOFError...
        raise CTReadError(path, f'is not a readable .npy file ({type(exc).__name__}: {exc})') from None
    return _slices(_stack(np.asarray(array), path), path, values)


def nifti_to_display(volume):
    """Canonical (RAS+) voxel array -> axial slices in radiological display orientation.

    Returns an array (slices inferior to superior, rows anterior to posterior,
    columns patient right to left), the layout of a DICOM axial image.
    """
    return np.ascontiguousarray(np.transpose(volume, (2, 1, 0))[:, ::-1, ::-1])


def read_nifti(path):
    """Read a NIfTI CT volume (values in HU, as CT NIfTI files store them) as axial slices."""
    import nibabel

    try:
        image = nibabel.as_closest_canonical(nibabel.load(path))
        volume = np.asarray(image.get_fdata(dtype=np.float32))
    except Exception as exc:  # nibabel raises ImageFileError, EOFError, zlib errors...
        raise CTReadError(path, f'is not a readable NIfTI file ({type(exc).__name__}: {exc})') from None
    while volume.ndim > 3 and volume.shape[-1] == 1:
        volume = volume[..., 0]
    if volume.ndim == 2:
        volume = volume[..., None]
    if volume.ndim != 3:
        raise CTReadError(path, f'holds a {volume.ndim}-D volume of shape {volume.shape}; expected a '
                                '3-D CT volume (a time series or multi-channel image is not CT)')
    zooms = [float(z) for z in image.header.get_zooms()[:3]]
    zooms += [None] * (3 - len(zooms))
    positions = (image.affine @ np.c_[np.zeros((volume.shape[2], 2)), np.arange(volume.shape[2]),
                                      np.ones(volume.shape[2])].T)[2]
    slices = []
    for index, plane in enumerate(nifti_to_display(volume)):
        hu = map_padding_to_air(check_hu_array(plane, source=path))
        slices.append(CTSlice(hu=hu, source=path, index=index,
                              pixel_spacing=(zooms[1], zooms[0]), slice_thickness=zooms[2],
                              slice_position=float(positions[index])))
    return slices
