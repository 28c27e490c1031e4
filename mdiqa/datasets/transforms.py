"""MD-IQA transforms: crops, 90-degree rotations and flips, packing.

Loading and windowing are the shared ``LoadCTSlice`` and ``WindowCT(channels=1)`` of
:mod:`d2iqa.mm_common`. Input normalisation: HU slices (DICOM, NIfTI, NPY in HU) go through a
display window, the ``'abdomen'`` preset (level 40, width 350 HU) in our configs, where
low-dose noise is most visible. LDCTIQAC2023 TIFFs are already normalised intensities: their
configs declare the identity window ``(0.5, 1.0)`` both as the file's ``values`` and as the
window, so the TIFF values reach the network unchanged (clipped to [0, 1]).
"""
import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness
from mmengine.structures import BaseDataElement

from ..registry import TRANSFORMS

#: The normalised LDCTIQAC2023 TIFF values, taken as they are: [0, 1] -> [0, 1].
IDENTITY_WINDOW = (0.5, 1.0)


@TRANSFORMS.register_module()
class CropSlice(BaseTransform):
    """Crop ``size x size`` squares around the centre: one shifted at random, or a fixed grid.

    Crops keep the pixels (and so the noise texture) at full resolution; the centre of a CT
    slice lies in the body, where quality is judged. Images smaller than ``size`` are padded
    with zeros (air after windowing).

    Training takes one crop whose centre moves at random by up to ``max_shift`` pixels. At
    test time ``grid=g`` takes ``g x g`` crops (views) whose centres lie ``spacing`` pixels
    apart around the image centre, stacked as ``(g * g, size, size)``; the model scores each
    view and averages its outputs (:class:`~mdiqa.models.QualityNet`), so the score covers the
    region the training crops were drawn from instead of one central patch.

    Required Keys: img. Modified Keys: img, img_shape.

    Args:
        size (int): side of a crop.
        max_shift (int): the centre moves by up to this many pixels in each direction
            (0 at test time).
        grid (int): views per side (1: one crop).
        spacing (int): distance in pixels between the centres of neighbouring views.
    """

    def __init__(self, size, max_shift=0, grid=1, spacing=64):
        self.size, self.max_shift = int(size), int(max_shift)
        self.grid, self.spacing = int(grid), int(spacing)
        if self.grid < 1:
            raise ValueError(f'grid must be a positive number of views per side, got {grid}')
        if self.grid > 1 and self.max_shift:
            raise ValueError('CropSlice takes either a random shift (training) or a grid of '
                             'views (test), not both')

    @cache_randomness
    def _shift(self):
        return np.random.randint(-self.max_shift, self.max_shift + 1, size=2) \
            if self.max_shift else np.zeros(2, int)

    def _crop(self, img, shift):
        starts = [int(np.clip((n - self.size) // 2 + s, 0, n - self.size))
                  for n, s in zip(img.shape, shift)]
        return img[starts[0]:starts[0] + self.size, starts[1]:starts[1] + self.size]

    def transform(self, results):
        img = results['img']
        pad = [(max(0, (self.size - n + 1) // 2),) * 2 for n in img.shape]
        img = np.pad(img, pad) if any(p[0] for p in pad) else img
        if self.grid == 1:
            crop = self._crop(img, self._shift())
        else:
            offsets = (np.arange(self.grid) - (self.grid - 1) / 2) * self.spacing
            crop = np.stack([self._crop(img, np.round((dy, dx)).astype(int))
                             for dy in offsets for dx in offsets])
        results['img'] = crop
        results['img_shape'] = crop.shape[-2:]
        return results

    def __repr__(self):
        return (f'{self.__class__.__name__}(size={self.size}, max_shift={self.max_shift}, '
                f'grid={self.grid}, spacing={self.spacing})')


@TRANSFORMS.register_module()
class RandomRotFlip(BaseTransform):
    """Random rotation by a multiple of 90 degrees and random horizontal / vertical flips.

    Right angles keep the pixel grid, so the noise texture the score depends on is not
    smoothed by interpolation (an arbitrary angle would filter it).

    Required Keys: img. Modified Keys: img.

    Args:
        flip_prob (float): probability of each flip.
    """

    def __init__(self, flip_prob=0.5):
        self.flip_prob = flip_prob

    @cache_randomness
    def _choice(self):
        return np.random.randint(4), np.random.rand(2) < self.flip_prob

    def transform(self, results):
        turns, (flip_v, flip_h) = self._choice()
        img = np.rot90(results['img'], turns)
        if flip_v:
            img = img[::-1]
        if flip_h:
            img = img[:, ::-1]
        results['img'] = np.ascontiguousarray(img)
        return results

    def __repr__(self):
        return f'{self.__class__.__name__}(flip_prob={self.flip_prob})'


@TRANSFORMS.register_module()
class PackQualityInputs(BaseTransform):
    """``img`` -> ``inputs`` (``(V, H, W)`` float tensor: one channel per view, V = 1 for a
    single image) and a data sample with the metadata.

    Required Keys: img. Added Keys: inputs, data_samples (metainfo: img_path, slice_index,
    gt_score, gt_sem, source_slice, kind, where present).
    """

    META_KEYS = ('img_path', 'slice_index', 'gt_score', 'gt_sem', 'source_slice', 'kind')

    def transform(self, results):
        img = np.ascontiguousarray(results['img'], dtype=np.float32)
        inputs = torch.from_numpy(img[None] if img.ndim == 2 else img)
        sample = BaseDataElement(metainfo={k: results[k] for k in self.META_KEYS if k in results})
        return dict(inputs=inputs, data_samples=sample)
