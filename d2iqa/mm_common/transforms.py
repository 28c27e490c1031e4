"""CT transforms of both scorers: load a slice in HU, simulate dose or kernel, window it.

They are registered in MMEngine's root ``TRANSFORMS`` registry, which every scope falls back
to, so D2IQA (scope ``mmdet``) and MD-IQA (scope ``mdiqa``) configs name them alike
(``type='LoadCTSlice'``).
"""
from functools import lru_cache

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness
from mmengine.registry import TRANSFORMS
from scipy.ndimage import gaussian_filter

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

    With a fixed ``seed`` the noise of each sample is fixed by it and the sample's
    ``sample_idx``, so that a test set at a given dose is the same on every run; with
    ``seed=None`` every call draws fresh noise (training).

    Required Keys: hu. Modified Keys: hu. Added Keys: hu_full_dose (the input slice; the
    lesion placement is computed from it, so every dose gets the same placement).

    Args:
        dose_fraction (float | list[float]): target dose as a fraction of the input's, in
            (0, 1]; a list draws one of its values uniformly per call (1 keeps the slice).
        seed (int, optional): base seed of the noise; ``None`` for fresh noise.
        **options: passed to ``simulate_low_dose`` (e.g. ``incident_photons``).
    """

    def __init__(self, dose_fraction, seed=0, **options):
        fractions = dose_fraction if isinstance(dose_fraction, (list, tuple)) \
            else [dose_fraction]
        if not fractions or not all(0 < f <= 1 for f in fractions):
            raise ValueError(f'dose_fraction must be in (0, 1] (or a list of such), got '
                             f'{dose_fraction!r}')
        self.dose_fraction = dose_fraction
        self.fractions = [float(f) for f in fractions]
        self.seed = seed
        self.options = options

    @cache_randomness
    def _fraction(self):
        if len(self.fractions) == 1:
            return self.fractions[0]
        return self.fractions[np.random.randint(len(self.fractions))]

    def transform(self, results):
        results['hu_full_dose'] = results['hu']
        fraction = self._fraction()
        if fraction != 1:
            if self.seed is None:   # numpy's global generator, seeded per worker by mmengine
                seed = np.random.SeedSequence(np.random.randint(2 ** 31))
            else:
                seed = np.random.SeedSequence([self.seed, int(results.get('sample_idx', 0))])
            results['hu'] = simulate_low_dose(results['hu'], fraction, seed=seed,
                                              **self.options)
        return results

    def __repr__(self):
        return (f'{self.__class__.__name__}(dose_fraction={self.dose_fraction}, '
                f'seed={self.seed}, options={self.options})')


@TRANSFORMS.register_module()
class RandomSharpness(BaseTransform):
    """Make the slice look reconstructed with a smoother or a sharper kernel.

    Scanners and protocols differ in their reconstruction kernels (Siemens B30f against
    B70f, GE Standard against Lung): a sharp kernel boosts fine noise and edges, a smooth one
    blurs them. A drawn amount ``a`` below 0 blurs the HU slice with a Gaussian of sigma
    ``-a`` px; above 0 it sharpens by unsharp masking, ``hu + a (hu - G_1 * hu)`` (Gaussian
    of sigma 1 px). Put it before ``InsertVirtualLesions``, which pastes the lesions as the
    scoring does: into the slice as reconstructed.

    Required Keys: hu. Modified Keys: hu. Added Keys: hu_full_dose (the slice before the
    change, if not set already: the lesion placement is computed from it).

    Args:
        amount (tuple[float]): ``(low, high)``, the amount is uniform in it.
        prob (float): probability of changing a sample at all.
    """

    def __init__(self, amount=(-1.0, 1.0), prob=1.0):
        low, high = amount
        if not low <= high or low < -3:
            raise ValueError(f'amount must be (low, high) with -3 <= low <= high, got {amount}')
        if not 0 <= prob <= 1:
            raise ValueError(f'prob is a probability, got {prob}')
        self.amount = (float(low), float(high))
        self.prob = prob

    @cache_randomness
    def _amount(self):
        return np.random.uniform(*self.amount) if np.random.rand() < self.prob else 0.0

    def transform(self, results):
        amount = self._amount()
        results.setdefault('hu_full_dose', results['hu'])
        hu = results['hu']
        if amount < 0:
            results['hu'] = gaussian_filter(hu, -amount).astype(np.float32)
        elif amount > 0:
            results['hu'] = (hu + amount * (hu - gaussian_filter(hu, 1.0))).astype(np.float32)
        return results

    def __repr__(self):
        return f'{self.__class__.__name__}(amount={self.amount}, prob={self.prob})'


@TRANSFORMS.register_module()
class WindowCT(BaseTransform):
    """HU -> the network input: [0, 1] through a window, as 1 or 3 equal channels.

    Required Keys: hu. Added Keys: img (np.float32 ``(H, W, 3)``, or ``(H, W)`` with
    ``channels=1``), and placement_img (``(H, W)``, the windowed slice before any simulated
    dose or kernel) when hu_full_dose is present.

    Args:
        preset (str | tuple): window preset name (``d2iqa.io.WINDOWS``) or ``(level, width)``;
            default ``'d2iqa'`` (width 1400, level -300), the D2IQA detector's input.
        channels (int): 3 (the detector: the slice replicated) or 1 (MD-IQA).
    """

    def __init__(self, preset='d2iqa', channels=3):
        if channels not in (1, 3):
            raise ValueError(f'channels must be 1 or 3, got {channels!r}')
        self.window = get_window(preset)
        self.channels = channels

    def transform(self, results):
        level, width = self.window
        image = window(results['hu'], level=level, width=width)
        results['img'] = image if self.channels == 1 else np.repeat(image[..., None], 3, axis=2)
        if 'hu_full_dose' in results:
            results['placement_img'] = window(results['hu_full_dose'], level=level, width=width)
        return results

    def __repr__(self):
        return f'{self.__class__.__name__}(window={tuple(self.window)}, channels={self.channels})'
