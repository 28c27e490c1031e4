"""InsertVirtualLesions in mmdet's pipeline: annotations, caching, fixed and fresh draws."""
import numpy as np
import pytest

pytest.importorskip('mmdet')
from mmcv.transforms.utils import cache_random_params  # noqa: E402
from mmdet.registry import TRANSFORMS  # noqa: E402
from mmdet.structures.bbox import HorizontalBoxes  # noqa: E402

from d2iqa.engine import InsertVirtualLesions  # noqa: E402
from d2iqa.lesions import Placement, add_lesions, seeded_rng  # noqa: E402

SIZE = 512
ROWS, COLS = np.mgrid[:SIZE, :SIZE]


def body_slice(shift=0):
    body = ((ROWS - 250) / 150) ** 2 + ((COLS - 256 - shift) / 200) ** 2 <= 1
    image = np.where(body, 0.74, 0.0).astype(np.float32)
    image[((ROWS - 250) / 50) ** 2 + ((COLS - 220 - shift) / 50) ** 2 <= 1] = 0.85
    return image


@pytest.fixture(scope='module')
def slice01():
    return body_slice()


def test_built_from_the_registry_with_a_preset():
    transform = TRANSFORMS.build(dict(type='InsertVirtualLesions', lesion_config='head', seed=3))
    assert isinstance(transform, InsertVirtualLesions)
    assert transform.lesion_config.contrasts == (0.06, 0.07, 0.08)
    assert "InsertVirtualLesions(lesion_config=LesionConfig(" in repr(transform)
    assert "seed=3, cache_size=256, key_fields=('img_path', 'slice_index')" in repr(transform)


@pytest.mark.parametrize('channels', [None, 3])
def test_writes_mmdet_annotations(slice01, channels):
    img = slice01 if channels is None else np.repeat(slice01[..., None], channels, axis=-1)
    results = InsertVirtualLesions(seed=0)(dict(img=img.copy(), img_path='a.dcm'))
    boxes = results['gt_bboxes']
    assert isinstance(boxes, HorizontalBoxes) and boxes.tensor.dtype.is_floating_point
    n = len(boxes)
    assert 2 <= n <= 5
    labels = results['gt_bboxes_labels']
    assert labels.dtype == np.int64 and labels.shape == (n,)
    assert results['gt_ignore_flags'].dtype == bool and not results['gt_ignore_flags'].any()
    assert results['img'].dtype == np.float32 and results['img'].shape == img.shape
    lesion_map = (results['img'] - img)[..., 0] if channels else results['img'] - img
    assert np.abs(lesion_map).max() > 0.05


def test_fixed_seed_gives_each_slice_its_own_fixed_lesions(slice01):
    transform = InsertVirtualLesions(seed=11)
    first = transform(dict(img=slice01.copy(), img_path='a.dcm'))['gt_bboxes'].tensor
    again = InsertVirtualLesions(seed=11)(dict(img=slice01.copy(), img_path='a.dcm'))
    other = transform(dict(img=slice01.copy(), img_path='b.dcm'))['gt_bboxes'].tensor
    assert (again['gt_bboxes'].tensor == first).all()
    assert first.shape != other.shape or not (first == other).all()


def test_fresh_draws_follow_numpy_global_seed(slice01):
    transform = InsertVirtualLesions()
    np.random.seed(0)
    a = transform(dict(img=slice01.copy(), img_path='a.dcm'))['gt_bboxes'].tensor
    b = transform(dict(img=slice01.copy(), img_path='a.dcm'))['gt_bboxes'].tensor
    np.random.seed(0)
    a_again = transform(dict(img=slice01.copy(), img_path='a.dcm'))['gt_bboxes'].tensor
    assert a.shape != b.shape or not (a == b).all()
    assert (a == a_again).all()


def test_placements_are_cached_per_slice(slice01, monkeypatch):
    transform = InsertVirtualLesions(cache_size=2)
    built = []
    original = transform._placement.__func__

    def counting(self, key, image, results):
        built.append(key not in self._placements)
        return original(self, key, image, results)

    monkeypatch.setattr(InsertVirtualLesions, '_placement', counting)
    for path in ('a', 'a', 'b', 'a', 'c', 'b'):
        transform(dict(img=slice01.copy(), img_path=path))
    assert built == [True, False, True, False, True, True]  # LRU of 2: 'b' dropped after 'c'
    no_path = [transform(dict(img=slice01.copy())) for _ in range(2)]
    assert built[-2:] == [True, False]  # keyed by the pixels when nothing names the slice
    assert len(no_path) == 2


def test_trials_of_one_slice_share_its_placement_but_not_their_lesions(slice01):
    transform = InsertVirtualLesions(seed=2, seed_fields=('img_path', 'slice_index', 'trial'))
    boxes = [transform(dict(img=slice01.copy(), img_path='a.dcm', trial=t))['gt_bboxes'].tensor
             for t in (0, 1, 0)]
    assert len(transform._placements) == 1
    assert (boxes[0] == boxes[2]).all()
    assert boxes[0].shape != boxes[1].shape or not (boxes[0] == boxes[1]).all()


def test_placement_comes_from_placement_img_when_given(slice01):
    noisy_low_dose = np.clip(slice01 + np.random.default_rng(1).normal(0, 0.1, slice01.shape),
                             0, 1).astype(np.float32)
    transform = InsertVirtualLesions(seed=0)
    low = transform(dict(img=noisy_low_dose, placement_img=slice01, img_path='low'))
    full = transform(dict(img=slice01.copy(), img_path='full'))
    placements = list(transform._placements.values())
    np.testing.assert_array_equal(placements[0].allowed, placements[1].allowed)
    assert low['img'].shape == slice01.shape and len(full['gt_bboxes'])


def test_paired_images_share_lesions_under_cache_random_params(slice01):
    transform = InsertVirtualLesions()
    low = np.clip(slice01 + np.random.default_rng(0).normal(0, 0.02, slice01.shape), 0, 1)
    with cache_random_params(transform):
        full = transform(dict(img=slice01.copy(), img_path='full'))
        quarter = transform(dict(img=low.astype(np.float32), img_path='quarter'))
    assert (full['gt_bboxes'].tensor == quarter['gt_bboxes'].tensor).all()
    np.testing.assert_allclose(full['img'] - slice01, quarter['img'] - low, atol=1e-6)


def test_errors_name_the_slice():
    transform = InsertVirtualLesions()
    with pytest.raises(ValueError, match=r'a\.dcm: .*expected \[0, 1\]'):
        transform(dict(img=np.full((SIZE, SIZE), 40.0, np.float32), img_path='a.dcm'))
    with pytest.raises(ValueError, match=r'empty\.dcm: .*cannot host'):
        transform(dict(img=np.zeros((SIZE, SIZE), np.float32), img_path='empty.dcm'))
    transform(dict(img=body_slice(), img_path='x.dcm'))
    with pytest.raises(ValueError, match='before resizing'):
        transform(dict(img=np.zeros((256, 256), np.float32), img_path='x.dcm'))
    with pytest.raises(ValueError, match='cache_size'):
        InsertVirtualLesions(cache_size=0)


def test_seeded_lesions_are_those_the_library_draws(slice01):
    # the documented contract: a seeded sample's lesions come from seeded_rng(seed, values of
    # seed_fields) on the slice's Placement, and are added as add_lesions adds them
    results = InsertVirtualLesions(seed=5)(dict(img=slice01.copy(), img_path='a.dcm'))
    lesions = Placement.from_image(slice01).draw(seeded_rng(5, ('a.dcm', None)))
    np.testing.assert_array_equal(results['img'], add_lesions(slice01, lesions))
    np.testing.assert_array_equal(results['gt_bboxes'].tensor.numpy(), lesions.boxes)
    np.testing.assert_array_equal(results['gt_bboxes_labels'], lesions.labels)
