"""Data transforms registered in mmdet's ``TRANSFORMS``."""
import hashlib
from collections import OrderedDict

import numpy as np
from mmcv.image import imresize
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness
from mmdet.registry import TRANSFORMS
from mmdet.structures.bbox import HorizontalBoxes

from ..lesions import (LesionPlacementError, Placement, add_lesions, get_lesion_config,
                       seeded_rng)


@TRANSFORMS.register_module()
class InsertVirtualLesions(BaseTransform):
    """Add a random D2IQA lesion configuration to the slice and make it the annotation.

    Put it after windowing and before any geometric augmentation: the placement mask is
    computed from the slice as loaded and cached per slice.

    Required Keys:

    - img (np.ndarray): the slice windowed to [0, 1] with the D2IQA window
      (``d2iqa.window(hu, preset='d2iqa')``), float, ``(H, W)`` or ``(H, W, 3)`` with equal
      channels (the detector input is the [0, 1] slice replicated to 3 channels, with no
      mean/std normalisation).

    Optional Keys:

    - placement_img (np.ndarray): ``(H, W)`` [0, 1] slice the placement is computed from,
      e.g. the full-dose slice when ``img`` is a simulated lower dose, so that every dose of
      a slice gets the same placement; without it, the first channel of ``img``.
    - img_path (str), slice_index (int): identify the slice (see ``key_fields``).

    Modified Keys:

    - img: float32, same shape, lesions added (not clipped to [0, 1], as in the release)

    Added Keys:

    - gt_bboxes (HorizontalBoxes): float32 ``(n, 4)`` boxes ``(x1, y1, x2, y2)``
    - gt_bboxes_labels (np.int64): indices in ``d2iqa.lesions.CLASSES``
    - gt_ignore_flags (bool): all False

    Args:
        lesion_config (str | dict | LesionConfig): ``'abdomen'`` (default), ``'head'``, a
            dict of ``LesionConfig`` fields (optionally with ``preset=``) or a
            ``LesionConfig``.
        seed (int, optional): ``None`` draws fresh lesions on every call from numpy's global
            generator (which mmengine seeds per dataloader worker). An integer fixes the
            lesions of each sample: they come from a generator seeded by ``seed`` and the
            values of ``seed_fields``, e.g. for a validation set.
        cache_size (int): how many slices' placements are kept (least recently used
            dropped); a 512x512 placement takes about 0.5-1 MB.
        key_fields (tuple[str]): result keys whose values identify a slice for the cache.
            When none is present, a hash of the pixels of the placement image does.
        seed_fields (tuple[str], optional): result keys whose values, with ``seed``, fix a
            sample's lesions; default: ``key_fields``. Add e.g. ``'trial'`` to give one slice
            several fixed configurations while its placement is computed once.
        crop_size (int, optional): cut a random ``crop_size`` square out of the slice and put
            the lesions into it (placement from the full slice's cached mask, so every lesion
            is whole and the crop's allowed region is the slice's). Cheaper training on CPU;
            ``img`` and ``img_shape`` become the crop. Crops centred on body pixels are tried
            up to 10 times; a slice whose crops cannot host the lesions is used whole.
        scale_range (tuple[float], optional): ``(low, high)``: resize the slice by a factor
            drawn log-uniformly in it before cropping and pasting, as if it had been
            reconstructed on another field of view (the lesions keep their sizes in pixels,
            so they become smaller or larger relative to the anatomy, and the noise grain
            changes). The allowed mask is resized with it (nearest neighbour); a factor that
            leaves no room for the lesions is replaced by 1. Training only.
    """

    def __init__(self, lesion_config='abdomen', seed=None, cache_size=256,
                 key_fields=('img_path', 'slice_index'), seed_fields=None, crop_size=None,
                 scale_range=None):
        self.lesion_config = get_lesion_config(lesion_config)
        self.seed = seed
        if cache_size < 1:
            raise ValueError(f'cache_size must be at least 1, got {cache_size}')
        self.cache_size = cache_size
        self.key_fields = tuple(key_fields)
        self.seed_fields = self.key_fields if seed_fields is None else tuple(seed_fields)
        self.crop_size = crop_size
        if scale_range is not None:
            low, high = scale_range
            if not 0 < low <= high:
                raise ValueError(f'scale_range must be (low, high) with 0 < low <= high, got '
                                 f'{scale_range}')
            if seed is not None:
                raise ValueError('scale_range is a training augmentation: leave it out of '
                                 'seeded (validation) pipelines')
            scale_range = (float(low), float(high))
        self.scale_range = scale_range
        self._placements = OrderedDict()

    def _slice_key(self, results, image):
        values = tuple(results.get(name) for name in self.key_fields)
        if any(value is not None for value in values):
            return values
        pixels = np.ascontiguousarray(image)
        return pixels.shape, hashlib.blake2b(pixels.tobytes(), digest_size=16).hexdigest()

    def _placement(self, key, image, results):
        placement = self._placements.get(key)
        if placement is None:
            source = results.get('img_path', '<image>')
            try:
                placement = Placement.from_image(image, config=self.lesion_config)
            except LesionPlacementError as exc:
                raise LesionPlacementError(f'{source}: {exc}') from exc
            except ValueError as exc:
                raise ValueError(f'{source}: {exc}') from exc
            self._placements[key] = placement
            if len(self._placements) > self.cache_size:
                self._placements.popitem(last=False)
        else:
            self._placements.move_to_end(key)
        return placement

    @cache_randomness
    def _draw(self, placement, sample_key):
        if self.seed is None:
            rng = np.random.default_rng(np.random.randint(np.iinfo(np.int64).max, dtype=np.int64))
        else:
            rng = seeded_rng(self.seed, sample_key)
        return placement.draw(rng)

    def transform(self, results):
        img = results['img']
        if img.ndim not in (2, 3):
            raise ValueError(f'img must be (H, W) or (H, W, 3), got shape {img.shape}')
        image = results.get('placement_img', img if img.ndim == 2 else img[..., 0])
        key = self._slice_key(results, image)
        placement = self._placement(key, image, results)
        if placement.shape != img.shape[:2]:
            raise ValueError(f'slice {key} has a {placement.shape} placement but img is '
                             f'{img.shape[:2]}; put InsertVirtualLesions before resizing, or '
                             'give each image its own key')
        sample = tuple(results.get(name) for name in self.seed_fields)
        sample = sample if any(v is not None for v in sample) else key
        if self.scale_range is not None:
            img, placement, scale = self._rescaled(placement, img)
            results['scale_factor'] = (scale, scale)
        if self.crop_size is None:
            lesions = self._draw(placement, sample)
        else:
            img, lesions = self._crop_and_draw(placement, img, sample)
        results['img_shape'] = img.shape[:2]
        results['img'] = add_lesions(img, lesions)
        results['gt_bboxes'] = HorizontalBoxes(lesions.boxes.copy())
        results['gt_bboxes_labels'] = lesions.labels.copy()
        results['gt_ignore_flags'] = np.zeros(len(lesions), dtype=bool)
        return results

    @cache_randomness
    def _scale(self):
        low, high = self.scale_range
        return float(np.exp(np.random.uniform(np.log(low), np.log(high))))

    def _rescaled(self, placement, img):
        """The image and its placement resized by a random factor, and the factor."""
        scale = self._scale()
        height, width = placement.shape
        size = (max(round(width * scale), 1), max(round(height * scale), 1))
        allowed = imresize(placement.allowed.astype(np.uint8), size,
                           interpolation='nearest').astype(bool)
        try:
            rescaled = Placement(allowed, config=self.lesion_config)
        except LesionPlacementError:
            return img, placement, 1.0
        return imresize(img, size, interpolation='bilinear'), rescaled, scale

    @cache_randomness
    def _crop_origins(self, placement, tries):
        """Top-left corners of ``tries`` crops centred on random allowed pixels."""
        size = self.crop_size
        height, width = placement.shape
        rows, cols = np.nonzero(placement.allowed)
        picks = np.random.randint(rows.size, size=tries)
        return [(int(np.clip(rows[i] - size // 2, 0, height - size)),
                 int(np.clip(cols[i] - size // 2, 0, width - size))) for i in picks]

    def _crop_and_draw(self, placement, img, sample):
        size = self.crop_size
        if min(placement.shape) > size:
            for top, left in self._crop_origins(placement, 10):
                window = (slice(top, top + size), slice(left, left + size))
                try:
                    cropped = Placement(placement.allowed[window], config=self.lesion_config)
                    return img[window], self._draw(cropped, sample)
                except LesionPlacementError:
                    continue
        return img, self._draw(placement, sample)

    def __repr__(self):
        return (f'{self.__class__.__name__}(lesion_config={self.lesion_config!r}, '
                f'seed={self.seed}, cache_size={self.cache_size}, '
                f'key_fields={self.key_fields}, seed_fields={self.seed_fields}, '
                f'crop_size={self.crop_size}, scale_range={self.scale_range})')
