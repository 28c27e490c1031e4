"""The four lesion shapes: vertices, rasterisation and the blurred stamps added to slices.

Coordinates are in pixels, ``x`` to the right and ``y`` down, relative to the lesion centre,
which is the centre of a pixel. A shape of radius ``r`` has its vertices on the circle of
radius ``r``; vertex ``k`` of an ``n``-gon lies at angle ``2 pi k / n + rotation``.
"""
import functools

import numpy as np
from scipy import ndimage

from .config import CLASSES

#: Radius of the star's inner vertices relative to the outer ones: those of the regular
#: pentagram {5/2}, cos(72 deg) / cos(36 deg) = (3 - sqrt(5)) / 2.
STAR_INNER_RATIO = (3 - np.sqrt(5)) / 2
#: Gaussian support in standard deviations (that of scipy.ndimage and skimage.filters).
BLUR_TRUNCATE = 4.0


def shape_vertices(label, radius, rotation):
    """Polygon vertices ``(n, 2)`` as ``(x, y)`` around the centre, by increasing angle.

    Parameters
    ----------
    label : int
        Index in :data:`~d2iqa.lesions.CLASSES`.
    radius : float
        Radius of the circle through the (outer) vertices, in pixels.
    rotation : float
        Degrees; ignored for circles.

    Returns
    -------
    numpy.ndarray
        Triangle: 3 vertices; square: 4; star: 10 (outer and inner vertices alternating, the
        filled outline of a regular pentagram); circle: the 4 points where it touches its box.
    """
    name = CLASSES[label]
    if name == 'circle':
        angles, radii = np.arange(4) * np.pi / 2, np.full(4, float(radius))
    elif name == 'star':
        angles = np.arange(10) * np.pi / 5 + np.deg2rad(rotation)
        radii = np.where(np.arange(10) % 2 == 0, 1.0, STAR_INNER_RATIO) * radius
    else:
        n = 3 if name == 'triangle' else 4
        angles = np.arange(n) * 2 * np.pi / n + np.deg2rad(rotation)
        radii = np.full(n, float(radius))
    return np.stack([radii * np.cos(angles), radii * np.sin(angles)], axis=1)


def _inside_convex(points, vertices):
    """Which ``points`` lie inside or on the convex polygon with ordered ``vertices``."""
    edges = np.roll(vertices, -1, axis=0) - vertices
    rel = points[:, None, :] - vertices[None, :, :]
    cross = edges[None, :, 0] * rel[..., 1] - edges[None, :, 1] * rel[..., 0]
    tol = 1e-9
    return (cross >= -tol).all(axis=1) | (cross <= tol).all(axis=1)


def rasterize_shape(label, radius, rotation, half_size):
    """Filled shape on a ``(2 half_size + 1)``-pixel square grid centred on the lesion centre.

    A pixel belongs to the shape when its centre lies inside the shape or on its outline
    (circle: distance from the centre at most ``radius``). The star is the union of five
    convex kites (centre, inner vertex, outer vertex, inner vertex), which is exactly the
    filled pentagram.

    Returns
    -------
    numpy.ndarray
        Boolean array ``(2 half_size + 1, 2 half_size + 1)``, indexed ``[y, x]``.
    """
    offsets = np.arange(-half_size, half_size + 1, dtype=np.float64)
    ys, xs = np.meshgrid(offsets, offsets, indexing='ij')
    points = np.stack([xs.ravel(), ys.ravel()], axis=1)
    name = CLASSES[label]
    if name == 'circle':
        inside = (points ** 2).sum(axis=1) <= radius ** 2 + 1e-9
    elif name == 'star':
        v = shape_vertices(label, radius, rotation)
        inside = np.zeros(len(points), dtype=bool)
        for k in range(0, 10, 2):
            kite = np.stack([np.zeros(2), v[k - 1], v[k], v[(k + 1) % 10]])
            inside |= _inside_convex(points, kite)
    else:
        inside = _inside_convex(points, shape_vertices(label, radius, rotation))
    return inside.reshape(ys.shape)


def stamp_half_size(radius, sigma):
    """Half-width of a lesion's stamp: the shape's radius plus the blur's support."""
    return int(radius) + int(BLUR_TRUNCATE * sigma + 0.5)


@functools.lru_cache(maxsize=None)
def lesion_stamp(label, radius, rotation, sigma):
    """The blurred unit-contrast lesion and its polygon extent, cached per shape.

    The filled shape (value 1) is blurred by a Gaussian of standard deviation ``sigma``
    (:func:`scipy.ndimage.gaussian_filter`, truncated at 4 sigma, zero outside). The stamp is
    large enough to hold the whole blurred shape, so adding ``contrast * stamp`` around the
    centre equals blurring a full-image map of the shape (as the release did with
    ``skimage.filters.gaussian``) whenever the stamp lies inside the image.

    Returns
    -------
    stamp : numpy.ndarray
        Read-only float32 array ``(2 h + 1, 2 h + 1)`` with ``h = stamp_half_size(radius, sigma)``,
        the lesion centre at ``[h, h]``.
    extent : tuple of float
        ``(x_min, y_min, x_max, y_max)`` of the polygon's vertices relative to the centre.
    """
    half = stamp_half_size(radius, sigma)
    filled = rasterize_shape(label, radius, rotation, half).astype(np.float64)
    stamp = ndimage.gaussian_filter(filled, sigma, mode='constant', truncate=BLUR_TRUNCATE)
    stamp = stamp.astype(np.float32)
    stamp.flags.writeable = False
    vertices = shape_vertices(label, radius, rotation)
    extent = (*vertices.min(axis=0), *vertices.max(axis=0))
    return stamp, tuple(float(e) for e in extent)
