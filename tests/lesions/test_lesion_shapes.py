"""Shapes against geometry, and the blurred stamps against scikit-image's full-image blur."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from skimage.draw import disk, polygon
from skimage.filters import gaussian

from d2iqa.lesions import CLASSES, Lesions
from d2iqa.lesions.shapes import (STAR_INNER_RATIO, lesion_stamp, rasterize_shape, shape_vertices,
                                  stamp_half_size)

TRIANGLE, CIRCLE, SQUARE, STAR = range(4)
shapes = st.tuples(st.sampled_from(range(4)), st.sampled_from([7, 8, 9, 10]),
                   st.integers(-180, 179))


def _area_and_perimeter(label, r):
    if label == CIRCLE:
        return np.pi * r * r, 2 * np.pi * r
    v = shape_vertices(label, r, 0)
    x, y = v[:, 0], v[:, 1]
    area = 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    return area, np.linalg.norm(np.roll(v, -1, axis=0) - v, axis=1).sum()


def _distance_to_outline(vertices, point):
    point = np.asarray(point, dtype=float)
    distances = []
    for a, b in zip(vertices, np.roll(vertices, -1, axis=0)):
        t = np.clip(np.dot(point - a, b - a) / np.dot(b - a, b - a), 0, 1)
        distances.append(np.linalg.norm(a + t * (b - a) - point))
    return min(distances)


def test_vertices_lie_on_the_circle_and_are_evenly_spaced():
    for label, count in ((TRIANGLE, 3), (SQUARE, 4)):
        v = shape_vertices(label, 9, 17)
        assert v.shape == (count, 2)
        np.testing.assert_allclose(np.hypot(*v.T), 9)
        angles = np.diff(np.unwrap(np.arctan2(v[:, 1], v[:, 0])))
        np.testing.assert_allclose(angles, 2 * np.pi / count)
    np.testing.assert_allclose(np.degrees(np.arctan2(*shape_vertices(TRIANGLE, 9, 17)[0, ::-1])),
                               17)
    star = shape_vertices(STAR, 10, 0)
    np.testing.assert_allclose(np.hypot(*star[::2].T), 10)
    np.testing.assert_allclose(np.hypot(*star[1::2].T), 10 * STAR_INNER_RATIO)
    # a regular pentagram: each inner vertex lies on the chord joining outer vertices k and k+2
    (x0, y0), (x1, y1), (x2, y2) = star[0], star[1], star[4]
    assert abs((x2 - x0) * (y1 - y0) - (y2 - y0) * (x1 - x0)) < 1e-9
    # the circle is never rotated
    np.testing.assert_allclose(shape_vertices(CIRCLE, 8, 33), shape_vertices(CIRCLE, 8, 0))


@settings(max_examples=60, deadline=None)
@given(shape=shapes)
def test_rasterised_area_matches_the_polygon(shape):
    label, radius, rotation = shape
    filled = rasterize_shape(label, radius, rotation, radius + 2)
    area, perimeter = _area_and_perimeter(label, radius)
    assert abs(filled.sum() - area) <= perimeter / 2
    assert filled[radius + 2, radius + 2]  # the centre pixel is inside every shape


@settings(max_examples=60, deadline=None)
@given(shape=shapes)
def test_rasterisation_agrees_with_scikit_image(shape):
    label, radius, rotation = shape
    half = radius + 2
    ours = rasterize_shape(label, radius, rotation, half)
    theirs = np.zeros_like(ours)
    if label == CIRCLE:  # skimage's disk is open (< r^2): a hair more radius closes it
        theirs[disk((half, half), radius + 1e-9, shape=ours.shape)] = True
        np.testing.assert_array_equal(ours, theirs)
    else:
        v = shape_vertices(label, radius, rotation) + half
        theirs[polygon(v[:, 1], v[:, 0], shape=ours.shape)] = True
        # they differ only where a pixel centre lies on the outline (boundary conventions)
        rows, cols = np.nonzero(ours != theirs)
        assert all(_distance_to_outline(v, (x, y)) < 1e-6 for y, x in zip(rows, cols))
        assert (ours & theirs).sum() / (ours | theirs).sum() > 0.8


@settings(max_examples=40, deadline=None)
@given(shape=shapes, contrast=st.sampled_from([-0.1, 0.08]))
def test_rendered_lesion_equals_a_full_image_gaussian_blur(shape, contrast):
    label, radius, rotation = shape
    rotation = 0 if label == CIRCLE else rotation
    size, row, col = 64, 30, 33
    lesions = Lesions(centres=[(row, col)], radii=[radius], rotations=[rotation],
                      contrasts=[contrast], labels=[label], image_shape=(size, size))
    half = radius + 2
    filled = np.zeros((size, size))
    filled[row - half:row + half + 1, col - half:col + half + 1] = \
        rasterize_shape(label, radius, rotation, half)
    expected = gaussian(filled * np.float32(contrast), sigma=1, preserve_range=True)
    np.testing.assert_allclose(lesions.lesion_map(), expected, atol=1e-6)


def _check_stamp(label, radius, rotation):
    """Peak within 10 % of the contrast; every pixel above 1 % of it has its centre in the box."""
    stamp, (x_min, y_min, x_max, y_max) = lesion_stamp(label, radius, rotation, 1.0)
    half = stamp_half_size(radius, 1.0)
    assert stamp.shape == (2 * half + 1,) * 2
    assert 0.9 <= stamp.max() <= 1.0
    rows, cols = np.nonzero(stamp > 0.01 * stamp.max())
    tol = 1e-6
    assert (cols - half >= x_min - 2 - tol).all() and (cols - half <= x_max + 2 + tol).all()
    assert (rows - half >= y_min - 2 - tol).all() and (rows - half <= y_max + 2 + tol).all()


@settings(max_examples=60, deadline=None)
@given(shape=shapes)
def test_stamp_peak_and_box(shape):
    _check_stamp(*shape)


@pytest.mark.slow
def test_every_stamp_peak_and_box():
    for label in range(len(CLASSES)):
        for radius in (7, 8, 9, 10):
            for rotation in ([0] if label == CIRCLE else range(-180, 180)):
                _check_stamp(label, radius, rotation)


def test_stamps_are_cached_and_read_only():
    stamp = lesion_stamp(STAR, 8, 12, 1.0)[0]
    assert lesion_stamp(STAR, 8, 12, 1.0)[0] is stamp
    assert stamp.dtype == np.float32 and not stamp.flags.writeable
