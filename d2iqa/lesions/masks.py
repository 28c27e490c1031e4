"""Where lesions may go: the patient's body and its salient part."""
import numpy as np
from scipy import ndimage
from skimage.filters import threshold_otsu

from ..io import window
from ._image import as_image01
from .config import get_lesion_config
from .saliency import saliency_map

_SQUARE = np.ones((3, 3), dtype=bool)
#: Components other than the largest must hold a disk of this radius (pixels) to stay in the body.
MIN_PART_RADIUS = 10
#: Dark regions inside the body whose median is below this HU are air (gas, trapped outside
#: air), not lung, and are left out of the body.
AIR_BELOW_HU = -950.0
AIR_LEVEL = float(window(AIR_BELOW_HU, preset='d2iqa'))


def _touches_border(labels, count):
    """For labels ``0..count``: whether the component reaches the image border."""
    touches = np.zeros(count + 1, dtype=bool)
    touches[np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])] = True
    return touches


def _depths(labels, count):
    """For labels ``0..count``: radius in pixels of the largest disk inside the component."""
    depth = ndimage.distance_transform_edt(labels > 0)
    return np.concatenate([[0.0], ndimage.maximum(depth, labels, np.arange(1, count + 1))])


def _dark_regions(grey):
    """Steps 1-2 of :func:`body_mask` on the 8-bit slice: the opened dark mask, and it dilated."""
    dark = grey <= threshold_otsu(grey)
    dark = ndimage.binary_erosion(dark, _SQUARE, iterations=2, border_value=1)
    opened = ndimage.binary_dilation(dark, _SQUARE, iterations=2)
    return opened, ndimage.binary_dilation(opened, _SQUARE, iterations=3)


def body_mask(image01):
    """The patient's cross-section: air around and inside it and the patient table excluded.

    Steps (the release's background removal, with its components rule made exact):

    1. 8-bit slice ``floor(255 v)``; ``dark`` = pixels at or below its Otsu threshold
       (:func:`skimage.filters.threshold_otsu`): air, lungs, gas.
    2. ``dark`` is opened (3x3 square, 2 iterations) and dilated (3x3, 3 iterations), with
       OpenCV's border rule (the image border neither erodes nor dilates), so the bright
       part shrinks by 3 pixels and thin bright bridges break.
    3. The bright remainder is split into 8-connected components. The largest is the patient
       and is always kept, even where a small field of view cuts it at the image border.
       Every other component is dropped when it touches the image border (as the protocol
       says: a table or clothing reaching the edge) or when it is thin, i.e. holds no disk of
       radius :data:`MIN_PART_RADIUS` (a table, a head holder or a sheet inside the field of
       view; such strips could never host a lesion, whose placement needs about 70 pixels of
       allowed room around its centre). Arms and the second leg stay.
    4. Holes are filled, so the lungs belong to the body, as in the release (the saliency
       map decides whether lesions go there). Each dark region of step 2's opened mask that
       lies inside is left out again, with the same 3-pixel margin, when it is thin (holds no
       disk of radius :data:`MIN_PART_RADIUS`: air trapped between an arm and the trunk, small
       gas bubbles) or holds air (median below :data:`AIR_BELOW_HU`: bowel gas). The release
       dropped such air by excluding every pixel whose value is exactly 0.

    Parameters
    ----------
    image01 : array_like
        2-D slice in [0, 1] (``d2iqa.window(hu, preset='d2iqa')``).

    Returns
    -------
    numpy.ndarray
        Boolean mask of the slice's shape; all False for a slice without a bright region.
    """
    image = as_image01(image01)
    grey = np.floor(image * 255).astype(np.uint8)
    if grey.min() == grey.max():
        return np.zeros(image.shape, dtype=bool)
    opened, dark = _dark_regions(grey)
    components, count = ndimage.label(~dark, structure=_SQUARE)
    if count == 0:
        return np.zeros(image.shape, dtype=bool)
    keep = ~_touches_border(components, count) & (_depths(components, count) >= MIN_PART_RADIUS)
    keep[np.argmax(np.bincount(components.ravel())[1:]) + 1] = True
    keep[0] = False
    body = ndimage.binary_fill_holes(keep[components])

    holes, count = ndimage.label(opened & body, structure=_SQUARE)
    if count:
        medians = np.concatenate([[0.0], ndimage.median(image, holes, np.arange(1, count + 1))])
        drop = (_depths(holes, count) < MIN_PART_RADIUS) | (medians < AIR_LEVEL)
        drop[0] = False
        body &= ~ndimage.binary_dilation(drop[holes], _SQUARE, iterations=3)
    return body


def placement_mask(image01, *, config=None):
    """Pixels where a lesion centre may lie: salient (``saliency >= threshold``) and in the body.

    Parameters
    ----------
    image01 : array_like
        2-D slice in [0, 1] (``d2iqa.window(hu, preset='d2iqa')``).
    config : None, str, dict or LesionConfig
        Settings (see :func:`~d2iqa.lesions.get_lesion_config`); only
        ``saliency_threshold`` (0.4) is used here.

    Returns
    -------
    numpy.ndarray
        Boolean mask of the slice's shape: :func:`saliency_map` ``>= saliency_threshold``
        AND :func:`body_mask`.
    """
    threshold = get_lesion_config(config).saliency_threshold
    image = as_image01(image01)
    return (saliency_map(image) >= threshold) & body_mask(image)
