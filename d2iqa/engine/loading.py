"""Transforms that load CT slices, simulate dose and window them for the detector."""
from functools import lru_cache

import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.registry import TRANSFORMS

from ..io import get_window, load_series, load_slice, window
from ..simulation import simulate_low_dose


@lru_cache(maxsize=4)
def _cached_series(path, values):
    """Multi-slice files (NIfTI, stacks) are read once and served slice by slice."""
    return load_series(path, values=values)


@TRANSFORMS.register_module()
class LoadCTSlice(BaseTransform):
    """Load one CT slice in Hounsfield units.

    Required Keys:

    - img_path (str): a DICOM, NIfTI, TIFF, PNG or NPY file
    - slice_index (int): the slice (frame) within the file; 0 for single-slice files

    Added Keys:

    - hu (np.float32): ``(H, W)`` Hounsfield units
    - ori_shape, img_shape (tuple): ``(H, W)``
    - scale_factor (tuple): ``(1.0, 1.0)`` (slices are not resized)

    Args:
        values (str, optional): units of TIFF / PNG / NPY pixels (see ``d2iqa.load_slice``).
    """

    def __init__(self, values=None):
        self.values = values

    def transform(self, results):
        path, index = results['img_path'], results.get('slice_index', 0)
        if index == 0:
            hu = load_slice(path, index=0, values=self.values).hu
        else:
            hu = _cached_series(path, self.values)[index].hu
        results['hu'] = hu
        results['ori_shape'] = results['img_shape'] = hu.shape
        results['scale_factor'] = (1.0, 1.0)
        return results

    def __repr__(self):
        return f'{self.__class__.__name__}(values={self.values!r})'


@TRANSFORMS.register_module()
class SimulateLowDose(BaseTransform):
    """Replace the slice by a simulated lower-dose acquisition (``d2iqa.simulate_low_dose``).

    The noise of each sample is fixed by ``seed`` and the sample's ``sample_idx``, so that a
    test set at a given dose is the same on every run.

    Required Keys: hu. Modified Keys: hu. Added Keys: hu_full_dose (the input slice; the
    lesion placement is computed from it, so every dose gets the same placement).

    Args:
        dose_fraction (float): target dose as a fraction of the input's, in (0, 1].
        seed (int): base seed of the noise.
        **options: passed to ``simulate_low_dose`` (e.g. ``incident_photons``).
    """

    def __init__(self, dose_fraction, seed=0, **options):
        self.dose_fraction = dose_fraction
        self.seed = seed
        self.options = options

    def transform(self, results):
        results['hu_full_dose'] = results['hu']
        if self.dose_fraction != 1:
            seed = np.random.SeedSequence([self.seed, int(results.get('sample_idx', 0))])
            results['hu'] = simulate_low_dose(results['hu'], self.dose_fraction, seed=seed,
                                              **self.options)
        return results

    def __repr__(self):
        return (f'{self.__class__.__name__}(dose_fraction={self.dose_fraction}, '
                f'seed={self.seed}, options={self.options})')


@TRANSFORMS.register_module()
class WindowCT(BaseTransform):
    """HU -> the detector input: [0, 1] through a window, replicated to 3 channels.

    Required Keys: hu. Added Keys: img (np.float32 ``(H, W, 3)``), and placement_img
    (``(H, W)``, the windowed full-dose slice) when hu_full_dose is present.

    Args:
        preset (str | tuple): window preset name or ``(level, width)``; default ``'d2iqa'``
            (width 1400, level -300).
    """

    def __init__(self, preset='d2iqa'):
        self.window = get_window(preset)

    def transform(self, results):
        level, width = self.window
        image = window(results['hu'], level=level, width=width)
        results['img'] = np.repeat(image[..., None], 3, axis=2)
        if 'hu_full_dose' in results:
            results['placement_img'] = window(results['hu_full_dose'], level=level, width=width)
        return results

    def __repr__(self):
        return f'{self.__class__.__name__}(window={tuple(self.window)})'
