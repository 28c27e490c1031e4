"""Drawing random lesion configurations on a slice and adding them to images."""
import functools
import hashlib
from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import ConvexHull, QhullError

from ._image import as_image01
from .config import CLASSES, get_lesion_config
from .masks import placement_mask
from .shapes import lesion_stamp, stamp_half_size

_CIRCLE = CLASSES.index('circle')
#: Uniform centre draws tried against the distance rule before the exact draw among the
#: candidates that satisfy it (the same distribution, at a bounded cost).
_REJECTION_TRIES = 16


class LesionPlacementError(ValueError):
    """A slice has no room for the requested lesions under the placement rules."""


def _frozen(values, dtype, shape=-1):
    array = np.array(values, dtype=dtype).reshape(shape)
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class Lesions:
    """One drawn configuration of virtual lesions for slices of one shape (immutable).

    The same object can be added to several images of the slice (e.g. every dose level) with
    :func:`add_lesions`, so that paired comparisons see identical lesions.

    Attributes
    ----------
    centres : numpy.ndarray
        ``(n, 2)`` int64 ``(row, column)`` of each lesion's centre pixel.
    radii, rotations : numpy.ndarray
        ``(n,)`` int64: radius in pixels; rotation in degrees (0 for circles).
    contrasts : numpy.ndarray
        ``(n,)`` float32 signed value of the filled shape before blurring (e.g. -0.09).
    labels : numpy.ndarray
        ``(n,)`` int64 indices in :data:`~d2iqa.lesions.CLASSES`.
    image_shape : tuple of int
        ``(height, width)`` of the slices the lesions belong to.
    blur_sigma, box_margin : float
        Gaussian blur in pixels; pixels added around the polygon extent for the boxes.
    boxes : numpy.ndarray
        ``(n, 4)`` float32 ``(x1, y1, x2, y2)`` in the continuous pixel coordinates of
        mmdet and COCO (pixel ``(row, col)`` covers ``[col, col + 1) x [row, row + 1)``, so a
        centre pixel's middle is at ``(col + 0.5, row + 0.5)``): the polygon's extent
        enlarged by ``box_margin`` on every side.
    """

    centres: np.ndarray
    radii: np.ndarray
    rotations: np.ndarray
    contrasts: np.ndarray
    labels: np.ndarray
    image_shape: tuple
    blur_sigma: float = 1.0
    box_margin: float = 2.0
    boxes: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, 'centres', _frozen(self.centres, np.int64, (-1, 2)))
        for name, dtype in (('radii', np.int64), ('rotations', np.int64),
                            ('contrasts', np.float32), ('labels', np.int64)):
            set_(self, name, _frozen(getattr(self, name), dtype))
        set_(self, 'image_shape', tuple(int(s) for s in self.image_shape))
        n = len(self.centres)
        if any(len(getattr(self, a)) != n for a in ('radii', 'rotations', 'contrasts', 'labels')):
            raise ValueError('centres, radii, rotations, contrasts and labels must have one entry '
                             'per lesion')
        if n and (self.labels.min() < 0 or self.labels.max() >= len(CLASSES)):
            raise ValueError(f'labels must index CLASSES {CLASSES}, got {self.labels}')
        height, width = self.image_shape
        boxes = np.zeros((n, 4), dtype=np.float32)
        for i, (label, radius, rotation, (row, col)) in enumerate(self._items()):
            half = stamp_half_size(radius, self.blur_sigma)
            if not (half <= row < height - half and half <= col < width - half):
                raise ValueError(f'lesion {i} at (row {row}, col {col}) with radius {radius} does '
                                 f'not fit in a {height}x{width} image with its blur')
            x_min, y_min, x_max, y_max = lesion_stamp(label, radius, rotation, self.blur_sigma)[1]
            cx, cy = col + 0.5, row + 0.5
            boxes[i] = (cx + x_min - self.box_margin, cy + y_min - self.box_margin,
                        cx + x_max + self.box_margin, cy + y_max + self.box_margin)
        boxes.flags.writeable = False
        set_(self, 'boxes', boxes)

    def _items(self):
        return zip(self.labels.tolist(), self.radii.tolist(), self.rotations.tolist(),
                   self.centres.tolist())

    def __len__(self):
        return len(self.labels)

    @property
    def class_names(self):
        """Class name of each lesion."""
        return [CLASSES[label] for label in self.labels]

    def lesion_map(self):
        """The float32 map that :func:`add_lesions` adds: blurred shapes times their contrasts."""
        return add_lesions(np.zeros(self.image_shape, dtype=np.float32), self)


def add_lesions(images, lesions):
    """Add one lesion configuration to an image, or to each of several images of the slice.

    Each lesion's blurred shape times its signed contrast is added in a small window around
    its centre. The result is not clipped to [0, 1], as in the release, which added the
    lesion map to the [0, 1] slice: a lesion keeps its contrast on bone or air whose window
    value is already clipped at 1 or 0, and a detector never sees a lesion cut off by the
    window. Values can therefore leave [0, 1] by up to the largest contrast.

    Parameters
    ----------
    images : numpy.ndarray or sequence of numpy.ndarray
        ``(H, W)`` or ``(H, W, C)`` arrays (the lesion is added to every channel).
    lesions : Lesions
        Drawn for slices of shape ``(H, W)``.

    Returns
    -------
    numpy.ndarray or list of numpy.ndarray
        float32 copies with the lesions added; a list when a sequence was given.
    """
    if isinstance(images, np.ndarray):
        return add_lesions([images], lesions)[0]
    results = []
    for image in images:
        out = np.array(image, dtype=np.float32)
        if out.shape[:2] != lesions.image_shape or out.ndim not in (2, 3):
            raise ValueError(f'lesions were drawn for {lesions.image_shape} slices; got an image '
                             f'of shape {out.shape}')
        for (label, radius, rotation, (row, col)), contrast in zip(lesions._items(),
                                                                   lesions.contrasts):
            stamp = lesion_stamp(label, radius, rotation, lesions.blur_sigma)[0]
            half = stamp.shape[0] // 2
            window = out[row - half:row + half + 1, col - half:col + half + 1]
            window += contrast * (stamp if out.ndim == 2 else stamp[..., None])
        results.append(out)
    return results


def seeded_rng(seed, key):
    """A generator fixed by ``seed`` and ``key`` (any value with a stable ``repr``, e.g. a tuple).

    ``default_rng([seed, d])`` with ``d`` a 64-bit BLAKE2 digest of ``repr(key)`` (Python's
    ``hash`` is salted per process), so the same seed and key give the same lesions in every
    process: the scorer's trials and the mmdet transform's seeded samples draw alike.
    """
    digest = hashlib.blake2b(repr(key).encode(), digest_size=8).digest()
    return np.random.default_rng([int(seed), int.from_bytes(digest, 'little')])


class Placement:
    """Where lesion centres may go on one slice, precomputed for fast repeated trials.

    A centre ``(y, x)`` of a lesion of radius ``r`` is valid when ``(y, x)`` and the four
    points ``(y +- d, x +- d)``, ``d = r + margin_offset``, are in the allowed mask, and the
    lesion's blurred stamp and box lie inside the image. The valid centres per radius are
    computed once here; each trial then draws among them.

    Parameters
    ----------
    allowed : array_like of bool
        The allowed mask of the slice (:func:`~d2iqa.lesions.placement_mask`).
    config : None, str, dict or LesionConfig
        Settings (see :func:`~d2iqa.lesions.get_lesion_config`).

    Raises
    ------
    LesionPlacementError
        When the slice cannot host even ``config.count[0]`` lesions at centres valid for
        every radius (an empty or tiny body, or a small allowed region).
    """

    def __init__(self, allowed, *, config=None):
        self.config = get_lesion_config(config)
        allowed = np.array(allowed, dtype=bool)
        if allowed.ndim != 2:
            raise ValueError(f'the allowed mask must be 2-D, got shape {allowed.shape}')
        allowed.flags.writeable = False
        self.allowed = allowed
        self._candidates = {r: np.flatnonzero(self._valid(r)).astype(np.int32)
                            for r in sorted(set(self.config.radii))}
        self._fallback = self._fallback_centres()
        if self._fallback is None:
            height, width = self.shape
            radii = sorted(self._candidates)
            raise LesionPlacementError(
                f'this {height}x{width} slice cannot host {self.config.count[0]} lesions of '
                f'radii {radii[0]}-{radii[-1]} px at least {self.config.min_distance:g} px apart '
                f'({self._room()}): its body is empty or too small. Sizes and distances are in '
                "pixels of the protocol's 512x512 grid: resample coarser or smaller slices to it")

    @classmethod
    def from_image(cls, image01, *, config=None):
        """The placement of a [0, 1] slice: :func:`~d2iqa.lesions.placement_mask`, then this."""
        return cls(placement_mask(image01, config=config), config=config)

    @property
    def shape(self):
        return self.allowed.shape

    def _valid(self, radius):
        height, width = self.shape
        cfg = self.config
        d = radius + cfg.margin_offset
        border = max(d, stamp_half_size(radius, cfg.blur_sigma),
                     int(np.ceil(radius + cfg.box_margin)))
        valid = np.zeros(self.shape, dtype=bool)
        if height <= 2 * border or width <= 2 * border:
            return valid
        rows, cols = slice(border, height - border), slice(border, width - border)
        inner = self.allowed[rows, cols].copy()
        for dy in (-d, d):
            for dx in (-d, d):
                inner &= self.allowed[border + dy:height - border + dy,
                                      border + dx:width - border + dx]
        valid[rows, cols] = inner
        return valid

    def valid_centres(self, radius):
        """Boolean mask of the valid centres of a lesion of ``radius`` (one of the config's)."""
        valid = np.zeros(self.allowed.size, dtype=bool)
        valid[self._candidates[radius]] = True
        return valid.reshape(self.shape)

    def _room(self):
        counts = ', '.join(f'r={r}: {len(c)}' for r, c in self._candidates.items())
        return f'{int(self.allowed.sum())} allowed pixels, valid centres {counts}'

    def _fallback_centres(self):
        """``count[0]`` centres valid for every radius, ``min_distance`` apart, or None.

        Drawn as a trial's centres are (seed 0); when that fails (a thin or split body),
        spread farthest-first from the two common valid centres farthest apart.
        """
        common = functools.reduce(functools.partial(np.intersect1d, assume_unique=True),
                                  self._candidates.values())
        count = self.config.count[0]
        centres = self._place([common] * count, np.random.default_rng(0))
        if len(centres) < count:
            centres = farthest_first(common, count, width=self.shape[1])
        gaps = np.hypot(*(centres[:, None] - centres[None]).transpose(2, 0, 1))
        gaps[np.eye(len(centres), dtype=bool)] = np.inf
        if len(centres) < count or gaps.min(initial=np.inf) < self.config.min_distance:
            return None
        return centres

    def _place(self, pools, rng):
        """Centres ``(k, 2)`` of the first ``k`` lesions, lesion i among ``pools[i]``, in turn.

        ``pools[i]`` holds the flat indices of lesion i's valid centres. Each centre is uniform
        among them at least ``min_distance`` from those already placed (the distribution of
        redrawing until accepted). When none is left, all centres are drawn afresh, at most
        ``max_redraws`` times; ``k = len(pools)`` unless no attempt placed them all, in which
        case the longest run placed in any attempt is kept.
        """
        width = self.shape[1]
        min_d2 = self.config.min_distance ** 2
        longest = []
        for _ in range(self.config.max_redraws):
            placed = []
            for candidates in pools:
                if candidates.size == 0:
                    break
                centre = None
                for _ in range(_REJECTION_TRIES):
                    y, x = divmod(int(candidates[rng.integers(candidates.size)]), width)
                    if all((y - py) ** 2 + (x - px) ** 2 >= min_d2 for py, px in placed):
                        centre = (y, x)
                        break
                if centre is None:
                    ys, xs = np.divmod(candidates, width)
                    free = np.ones(candidates.size, dtype=bool)
                    for py, px in placed:
                        free &= (ys - py) ** 2 + (xs - px) ** 2 >= min_d2
                    free = np.flatnonzero(free)
                    if free.size == 0:
                        break
                    pick = free[rng.integers(free.size)]
                    centre = (int(ys[pick]), int(xs[pick]))
                placed.append(centre)
            if len(placed) == len(pools):
                longest = placed
                break
            if len(placed) > len(longest):
                longest = placed
        return np.array(longest, dtype=np.int64).reshape(-1, 2)

    def draw(self, rng):
        """Draw one lesion configuration.

        Count, then per lesion (independently) class, radius, contrast magnitude, sign and
        rotation, then the centres in turn (:meth:`_place`). When the drawn count does not fit
        in ``max_redraws`` fresh draws of the centres (a small body cannot host five lesions
        50 px apart), the last drawn lesions are left out: the trial keeps as many as fit,
        never fewer than ``config.count[0]``. When not even that many fit (a thin or split
        body, where most first centres leave no room for a second), the first ``count[0]``
        drawn lesions go to the slice's fallback centres, found once by the constructor and
        valid for every radius: a slice that passed the constructor never fails a trial. The
        released code never meets these cases, as its buggy four-point check accepts almost
        any centre. Draws that fit are unaffected.

        Parameters
        ----------
        rng : numpy.random.Generator or int
            The source of randomness, or a seed for one; the same seed gives the same lesions.

        Returns
        -------
        Lesions
        """
        rng = np.random.default_rng(rng)
        cfg = self.config
        n = int(rng.integers(cfg.count[0], cfg.count[1] + 1))
        labels = np.array(cfg.labels)[rng.integers(len(cfg.labels), size=n)]
        radii = np.array(cfg.radii)[rng.integers(len(cfg.radii), size=n)]
        signs = np.where(rng.random(n) < cfg.positive_fraction, 1.0, -1.0)
        contrasts = np.array(cfg.contrasts)[rng.integers(len(cfg.contrasts), size=n)] * signs
        rotations = np.where(labels == _CIRCLE, 0, rng.integers(*cfg.rotation, size=n))
        centres = self._place([self._candidates[r] for r in radii.tolist()], rng)
        if len(centres) < cfg.count[0]:
            centres = self._fallback.copy()
        kept = len(centres)
        return Lesions(centres=centres, radii=radii[:kept], rotations=rotations[:kept],
                       contrasts=contrasts[:kept], labels=labels[:kept], image_shape=self.shape,
                       blur_sigma=cfg.blur_sigma, box_margin=cfg.box_margin)

    def __repr__(self):
        return f'Placement(shape={self.shape}, {self._room()})'


def farthest_first(candidates, count, *, width):
    """``count`` centres spread farthest-first among flat pixel indices, as ``(k, 2)`` (y, x).

    Starts from the two candidates farthest apart (on their convex hull), then adds in turn
    the candidate farthest from those chosen. Fewer than ``count`` when there are fewer
    candidates.
    """
    points = np.stack(np.divmod(np.asarray(candidates, dtype=np.int64), width), axis=1)
    if len(points) == 0:
        return points.reshape(0, 2)
    try:
        hull = ConvexHull(points).vertices
    except QhullError:                   # fewer than 3 points, or all on one line
        order = np.lexsort((points[:, 1], points[:, 0]))
        hull = order[[0, -1]]
    ends = points[hull]
    d2 = ((ends[:, None] - ends[None]) ** 2).sum(axis=-1)
    first, second = np.unravel_index(np.argmax(d2), d2.shape)
    chosen = list(dict.fromkeys([int(hull[first]), int(hull[second])]))[:count]
    gap = np.min([((points - points[i]) ** 2).sum(axis=1) for i in chosen], axis=0)
    while len(chosen) < min(count, len(points)):
        pick = int(np.argmax(gap))
        chosen.append(pick)
        gap = np.minimum(gap, ((points - points[pick]) ** 2).sum(axis=1))
    return points[chosen]


def insert_lesions(image01, *, rng, mask=None, config=None):
    """Add one random lesion configuration to a [0, 1] slice.

    Parameters
    ----------
    image01 : array_like
        2-D slice in [0, 1] (``d2iqa.window(hu, preset='d2iqa')``).
    rng : numpy.random.Generator or int
        Source of randomness or a seed.
    mask : None, array_like of bool, or Placement
        Where centres may go. ``None`` computes :func:`~d2iqa.lesions.placement_mask` (about
        0.3 s); for repeated trials on one slice pass a :class:`Placement` made once
        (``Placement.from_image(image01)``), which makes a trial take well under a millisecond.
    config : None, str, dict or LesionConfig
        Settings (see :func:`~d2iqa.lesions.get_lesion_config`); with a ``Placement`` leave it
        ``None`` or pass the placement's own.

    Returns
    -------
    image : numpy.ndarray
        float32 slice with the lesions added (not clipped, see :func:`add_lesions`).
    boxes : numpy.ndarray
        ``(n, 4)`` float32 ``(x1, y1, x2, y2)`` in pixels (see :class:`Lesions`).
    labels : numpy.ndarray
        ``(n,)`` int64 indices in :data:`~d2iqa.lesions.CLASSES`.
    """
    image = as_image01(image01)
    if isinstance(mask, Placement):
        if config is not None and get_lesion_config(config) != mask.config:
            raise ValueError('config differs from the Placement\'s; build the Placement with it')
        placement = mask
    else:
        allowed = placement_mask(image, config=config) if mask is None else mask
        placement = Placement(allowed, config=config)
    if placement.shape != image.shape:
        raise ValueError(f'the mask has shape {placement.shape} but the slice {image.shape}')
    lesions = placement.draw(rng)
    return add_lesions(image, lesions), lesions.boxes.copy(), lesions.labels.copy()
