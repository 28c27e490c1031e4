"""Drawing and adding lesion configurations: property tests over seeds and masks, error paths."""
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import stats

from d2iqa.lesions import (CLASSES, LESION_PRESETS, LesionConfig, LesionPlacementError, Lesions,
                           Placement, add_lesions, insert_lesions)
from d2iqa.lesions.draw import farthest_first

SIZE = 512
ROWS, COLS = np.mgrid[:SIZE, :SIZE]
CONFIGS = [LESION_PRESETS['abdomen'], LESION_PRESETS['head'],
           LesionConfig(count=(1, 3), radii=(7, 10), classes=('star', 'circle'),
                        positive_fraction=0.8)]


@st.composite
def roomy_masks(draw):
    """An ellipse (possibly cut by the border) with up to three rectangular holes."""
    cy, cx = draw(st.integers(150, 362)), draw(st.integers(150, 362))
    ay, ax = draw(st.integers(150, 260)), draw(st.integers(150, 260))
    mask = ((ROWS - cy) / ay) ** 2 + ((COLS - cx) / ax) ** 2 <= 1
    for _ in range(draw(st.integers(0, 3))):
        y, x = draw(st.integers(0, SIZE - 1)), draw(st.integers(0, SIZE - 1))
        h, w = draw(st.integers(5, 60)), draw(st.integers(5, 60))
        mask[y:y + h, x:x + w] = False
    return mask


def four_points_inside(mask, row, col, d):
    points = [(row + dy, col + dx) for dy in (-d, d) for dx in (-d, d)]
    return all(0 <= y < SIZE and 0 <= x < SIZE and mask[y, x] for y, x in points)


@settings(max_examples=60, deadline=None)
@given(mask=roomy_masks(), seed=st.integers(0, 2 ** 32 - 1), config=st.sampled_from(CONFIGS))
def test_drawn_lesions_follow_the_protocol(mask, seed, config):
    lesions = Placement(mask, config=config).draw(seed)
    n = len(lesions)
    assert config.count[0] <= n <= config.count[1]
    assert set(lesions.radii.tolist()) <= set(config.radii)
    assert set(lesions.labels.tolist()) <= set(config.labels)
    magnitudes = np.abs(lesions.contrasts)
    assert np.isclose(magnitudes[:, None], np.array(config.contrasts)[None, :]).any(axis=1).all()
    assert ((lesions.rotations >= -180) & (lesions.rotations < 180)).all()
    assert (lesions.rotations[lesions.labels == CLASSES.index('circle')] == 0).all()

    centres = lesions.centres
    gaps = np.hypot(*(centres[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))
    assert (gaps[~np.eye(n, dtype=bool)] >= config.min_distance).all()
    for (row, col), radius in zip(centres, lesions.radii):
        assert mask[row, col]
        assert four_points_inside(mask, row, col, radius + config.margin_offset)

    boxes = lesions.boxes
    assert boxes.shape == (n, 4) and boxes.dtype == np.float32
    assert (boxes[:, :2] >= 0).all() and (boxes[:, 2:] <= SIZE).all()
    assert (boxes[:, 2:] > boxes[:, :2]).all()

    lesion_map = lesions.lesion_map()
    covered = np.zeros(lesion_map.shape, dtype=bool)
    for (row, col), box, contrast in zip(centres, boxes, lesions.contrasts):
        window = (slice(row - 20, row + 21), slice(col - 20, col + 21))
        values = lesion_map[window]
        covered[window] = True
        peak = values.flat[np.abs(values).argmax()]
        assert np.sign(peak) == np.sign(contrast)
        assert abs(peak - contrast) <= 0.1 * abs(contrast)
        ys, xs = np.nonzero(np.abs(values) > 0.01 * abs(peak))
        xs, ys = xs + col - 20 + 0.5, ys + row - 20 + 0.5  # pixel centres
        tol = 1e-4
        assert (xs >= box[0] - tol).all() and (xs <= box[2] + tol).all()
        assert (ys >= box[1] - tol).all() and (ys <= box[3] + tol).all()
    assert not lesion_map[~covered].any()

    again = Placement(mask, config=config).draw(np.random.default_rng(seed))
    for name in ('centres', 'radii', 'rotations', 'contrasts', 'labels', 'boxes'):
        np.testing.assert_array_equal(getattr(again, name), getattr(lesions, name))
    np.testing.assert_array_equal(again.lesion_map(), lesion_map)


def test_over_many_draws_every_setting_occurs_at_its_rate():
    placement = Placement(((ROWS - 256) / 230) ** 2 + ((COLS - 256) / 230) ** 2 <= 1)
    rng = np.random.default_rng(5)
    draws = [placement.draw(rng) for _ in range(400)]
    counts = np.bincount([len(d) for d in draws], minlength=6)[2:]
    assert stats.chisquare(counts).pvalue > 1e-4  # uniform in 2..5
    signs = np.concatenate([np.sign(d.contrasts) for d in draws])
    assert stats.binomtest(int((signs > 0).sum()), len(signs), 0.5).pvalue > 1e-4
    for name, values in (('labels', range(4)), ('radii', (7, 8, 9, 10))):
        drawn = np.concatenate([getattr(d, name) for d in draws])
        assert stats.chisquare([(drawn == v).sum() for v in values]).pvalue > 1e-4
    magnitudes = np.round(np.abs(np.concatenate([d.contrasts for d in draws])).astype(float), 2)
    assert set(magnitudes.tolist()) == {0.08, 0.09, 0.1}
    rotations = np.concatenate([d.rotations[d.labels != 1] for d in draws])
    assert rotations.min() < -170 and rotations.max() > 170


def rectangle(height, width):
    mask = np.zeros((SIZE, SIZE), dtype=bool)
    mask[100:100 + height, 100:100 + width] = True
    return mask


def test_room_is_judged_by_the_four_point_rule():
    # centres valid for every radius (7-10) lie in the rectangle shrunk by 35 on every side
    with pytest.raises(LesionPlacementError, match='cannot host 2 lesions of radii 7-10 px'):
        Placement(rectangle(100, 100))  # 31 x 31 valid centres: at most 42 px apart
    Placement(rectangle(130, 130))  # 61 x 61: corners 85 px apart
    with pytest.raises(LesionPlacementError, match='body is empty or too small'):
        Placement(np.zeros((SIZE, SIZE), dtype=bool))


def test_a_draw_that_cannot_fit_keeps_the_lesions_that_fit():
    # 61 x 61 valid centres of radius 10 (radius 7: 67 x 67): the corners are 85-95 px apart,
    # so 2 lesions at least 50 px apart always fit and 5 never do
    config = LesionConfig(count=(2, 5), max_redraws=5)
    placement = Placement(rectangle(130, 130), config=config)
    full = Placement(rectangle(300, 300), config=config)
    kept = []
    for seed in range(200):
        lesions = placement.draw(seed)
        drawn = full.draw(seed)              # the same random numbers on a roomy slice
        n = len(lesions)
        assert 2 <= n <= 4 and n <= len(drawn)
        kept.append(n)
        for name in ('radii', 'rotations', 'contrasts', 'labels'):  # the first n drawn
            np.testing.assert_array_equal(getattr(lesions, name), getattr(drawn, name)[:n])
        gaps = np.hypot(*(lesions.centres[:, None] - lesions.centres[None]).transpose(2, 0, 1))
        assert (gaps[~np.eye(n, dtype=bool)] >= config.min_distance).all()
        assert all(placement.valid_centres(r)[y, x] for (y, x), r in zip(lesions.centres,
                                                                        lesions.radii))
    assert min(kept) == 2 and max(kept) >= 3


def test_a_thin_body_never_fails_a_trial():
    # centres valid for radius 10: one row of 55 (the rectangle shrunk by 35 on every side);
    # two of them are 50 px apart only near the ends, so most first centres leave no room
    config = LesionConfig(count=(2, 5), max_redraws=2)
    placement = Placement(rectangle(71, 125), config=config)
    assert placement.valid_centres(10).sum() == 55
    configurations = Counter()
    for seed in range(300):
        lesions = placement.draw(seed)
        n = len(lesions)
        assert n >= 2
        gaps = np.hypot(*(lesions.centres[:, None] - lesions.centres[None]).transpose(2, 0, 1))
        assert (gaps[~np.eye(n, dtype=bool)] >= config.min_distance).all()
        assert all(placement.valid_centres(r)[y, x] for (y, x), r in zip(lesions.centres,
                                                                        lesions.radii))
        configurations[tuple(sorted(map(tuple, lesions.centres.tolist())))] += 1
    # random draws that fit are spread over 15 pairs of columns; the fallback is one of them
    assert configurations.most_common(1)[0][1] > 100


def test_farthest_first_starts_from_the_farthest_pair():
    width = 100
    points = np.array([[10, 10], [10, 60], [50, 30], [90, 95], [12, 11]])
    flat = points[:, 0] * width + points[:, 1]
    pair = farthest_first(flat, 2, width=width)
    assert sorted(pair.tolist()) == [[10, 10], [90, 95]]
    third = farthest_first(flat, 3, width=width)[2]
    np.testing.assert_array_equal(third, [10, 60])      # farthest from both ends
    line = farthest_first(np.arange(5) * width + 7, 2, width=width)   # collinear: no hull
    np.testing.assert_array_equal(sorted(line.tolist()), [[0, 7], [4, 7]])


def test_a_roomy_slice_keeps_every_drawn_lesion():
    placement = Placement(rectangle(300, 300))
    for seed in range(50):
        drawn_count = int(np.random.default_rng(seed).integers(2, 6))  # draw()'s first number
        assert len(placement.draw(seed)) == drawn_count


def test_same_lesions_on_several_images():
    placement = Placement(rectangle(300, 300))
    lesions = placement.draw(1)
    rng = np.random.default_rng(0)
    full = rng.uniform(0.2, 0.8, (SIZE, SIZE)).astype(np.float32)
    low = np.clip(full + rng.normal(0, 0.05, full.shape), 0, 1).astype(np.float32)
    out_full, out_low = add_lesions([full, low], lesions)
    np.testing.assert_allclose(out_full - full, out_low - low, atol=1e-6)
    np.testing.assert_allclose(out_full - full, lesions.lesion_map(), atol=1e-6)
    rgb = add_lesions(np.repeat(full[..., None], 3, axis=-1), lesions)
    assert rgb.dtype == np.float32
    for channel in range(3):
        np.testing.assert_array_equal(rgb[..., channel], out_full)
    assert full.max() <= 0.8  # inputs untouched


def test_lesions_are_not_clipped_to_the_unit_range():
    bright = Lesions(centres=[(50, 50)], radii=[8], rotations=[0], contrasts=[0.1], labels=[1],
                     image_shape=(100, 100))
    out = add_lesions(np.ones((100, 100), dtype=np.float32), bright)
    assert out.max() == pytest.approx(1.1, abs=1e-3)


def test_insert_lesions_end_to_end():
    body = ((ROWS - 250) / 150) ** 2 + ((COLS - 256) / 200) ** 2 <= 1
    image = np.where(body, 0.74, 0.0).astype(np.float32)
    image[((ROWS - 250) / 40) ** 2 + ((COLS - 200) / 40) ** 2 <= 1] = 0.85
    out, boxes, labels = insert_lesions(image, rng=7)
    assert out.dtype == np.float32 and out.shape == image.shape
    assert boxes.shape == (len(labels), 4) and labels.dtype == np.int64
    placement = Placement.from_image(image)
    for mask in (placement, placement.allowed):
        again, again_boxes, again_labels = insert_lesions(image, rng=7, mask=mask)
        np.testing.assert_array_equal(again, out)
        np.testing.assert_array_equal(again_boxes, boxes)


def test_errors_say_what_to_fix():
    placement = Placement(rectangle(300, 300))
    with pytest.raises(ValueError, match='config differs'):
        insert_lesions(np.zeros((SIZE, SIZE), np.float32), rng=0, mask=placement, config='head')
    with pytest.raises(ValueError, match='mask has shape'):
        insert_lesions(np.zeros((256, 256), np.float32), rng=0, mask=placement)
    with pytest.raises(ValueError, match='Hounsfield'):
        insert_lesions(np.full((SIZE, SIZE), 40.0, np.float32), rng=0, mask=placement)
    with pytest.raises(ValueError, match='drawn for'):
        add_lesions(np.zeros((256, 256), np.float32), placement.draw(0))
    with pytest.raises(ValueError, match='does not fit'):
        Lesions(centres=[(3, 50)], radii=[8], rotations=[0], contrasts=[0.1], labels=[1],
                image_shape=(100, 100))
    with pytest.raises(ValueError, match='index CLASSES'):
        Lesions(centres=[(50, 50)], radii=[8], rotations=[0], contrasts=[0.1], labels=[4],
                image_shape=(100, 100))
    with pytest.raises(LesionPlacementError, match='cannot host'):
        insert_lesions(np.zeros((SIZE, SIZE), np.float32), rng=0)  # no body at all


def test_drawn_lesions_are_immutable():
    lesions = Placement(rectangle(300, 300)).draw(3)
    with pytest.raises(ValueError):
        lesions.centres[0, 0] = 1
    with pytest.raises(AttributeError):
        lesions.radii = np.array([7])
