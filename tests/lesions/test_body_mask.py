"""Body and placement masks on synthetic bodies in air, and the release's OpenCV steps."""
import numpy as np
import pytest

from d2iqa import window
from d2iqa.lesions import body_mask, placement_mask, saliency_map
from d2iqa.lesions.masks import _dark_regions

SIZE = 512
ROWS, COLS = np.mgrid[:SIZE, :SIZE]


def ellipse(centre, axes):
    return ((ROWS - centre[0]) / axes[0]) ** 2 + ((COLS - centre[1]) / axes[1]) ** 2 <= 1


def ct01(regions, *, seed=0):
    """A [0, 1] slice from (mask, HU) pairs painted in order over air, with scanner-like noise."""
    hu = np.full((SIZE, SIZE), -1000.0)
    for mask, value in regions:
        hu[mask] = value
    hu += np.random.default_rng(seed).normal(0, 10, hu.shape)
    return window(hu, preset='d2iqa')


BODY = ellipse((250, 256), (150, 200))
SHRUNK = ellipse((250, 256), (147, 197))


def iou(a, b):
    return (a & b).sum() / (a | b).sum()


def test_air_and_a_table_reaching_the_border_are_excluded():
    table = (ROWS >= 440) & (ROWS < 452)
    mask = body_mask(ct01([(BODY, 40), (table, -100)]))
    assert iou(mask, SHRUNK) > 0.97  # the body less the 3-pixel margin of the dilated air
    assert not mask[table].any()
    assert not mask[~ellipse((250, 256), (153, 203))].any()  # air: nothing beyond the body


def test_a_thin_table_inside_the_field_of_view_goes_and_an_arm_stays():
    table = (ROWS >= 440) & (ROWS < 452) & (COLS > 60) & (COLS < 450)
    arm = ellipse((250, 480), (40, 22))
    mask = body_mask(ct01([(BODY, 40), (table, 0), (arm, 40)]))
    assert not mask[table].any()
    assert mask[ellipse((250, 480), (30, 12))].all()
    assert iou(mask & ~arm, SHRUNK) > 0.97


def test_a_body_cut_by_the_field_of_view_is_kept():
    big = ellipse((256, 256), (300, 300))
    mask = body_mask(ct01([(big, 40)]))
    assert mask[ellipse((256, 256), (294, 294))].all()


def test_lungs_stay_in_the_body_but_air_and_thin_gaps_do_not():
    lung = ellipse((230, 180), (60, 45))
    gas = ellipse((300, 330), (25, 25))
    slit = (ROWS >= 180) & (ROWS < 188) & (COLS > 280) & (COLS < 340)  # 8 px: survives the opening
    mask = body_mask(ct01([(BODY, 40), (lung, -850), (gas, -1000), (slit, -900)]))
    assert mask[lung].all()
    assert not mask[ellipse((300, 330), (26, 26))].any()  # the gas and a margin
    assert not mask[slit].any()
    assert mask[ellipse((200, 400), (20, 20))].all()


@pytest.mark.parametrize('value', [0.0, 0.5])
def test_a_flat_slice_has_no_body(value):
    assert not body_mask(np.full((64, 64), value, dtype=np.float32)).any()


def test_dark_regions_match_the_release_opencv_steps():
    cv2 = pytest.importorskip('cv2')
    lung = ellipse((230, 180), (60, 45))
    table = (ROWS >= 440) & (ROWS < 452)
    image = ct01([(BODY, 40), (lung, -850), (table, -300)], seed=4)
    grey = np.floor(image * 255).astype(np.uint8)
    _, inverse = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    kernel = np.ones((3, 3), np.uint8)
    opening = cv2.morphologyEx(inverse, cv2.MORPH_OPEN, kernel, iterations=2)
    background = cv2.dilate(opening, kernel, iterations=3)
    opened, dilated = _dark_regions(grey)
    np.testing.assert_array_equal(opened, opening > 0)
    np.testing.assert_array_equal(dilated, background > 0)


def test_placement_mask_is_salient_body():
    image = ct01([(BODY, 40), (ellipse((250, 200), (40, 40)), 200)])
    expected = (saliency_map(image) >= 0.4) & body_mask(image)
    np.testing.assert_array_equal(placement_mask(image), expected)
    np.testing.assert_array_equal(placement_mask(image, config=dict(saliency_threshold=0.0)),
                                  body_mask(image))
