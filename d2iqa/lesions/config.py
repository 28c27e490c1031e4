"""Lesion classes and the settings of one D2IQA trial, with the published defaults."""
import dataclasses
from dataclasses import dataclass
from typing import Tuple

#: Class names in label order (the released code's order). Detector configs use
#: ``metainfo=dict(classes=CLASSES)``; a lesion's label is its index in this tuple.
CLASSES = ('triangle', 'circle', 'square', 'star')


@dataclass(frozen=True)
class LesionConfig:
    """How virtual lesions are drawn, rendered and placed (``docs/d2iqa-protocol.md``).

    Contrasts are in the unit of the [0, 1] slice windowed with width 1400 / level -300
    (``d2iqa.window(hu, preset='d2iqa')``), where 0.1 is 140 HU. Lists are accepted for
    the tuple fields (as configuration files give them) and stored as tuples.

    Attributes
    ----------
    count : tuple of int
        ``(low, high)``: the number of lesions per trial is uniform in ``low..high`` inclusive.
    radii : tuple of int
        Radius in pixels of the circle through the shape's vertices; one drawn per lesion.
    contrasts : tuple of float
        Magnitude ``c`` of the filled shape's value ``+-c``; one drawn per lesion.
    positive_fraction : float
        Probability that a lesion is brighter (``+c``) rather than darker (``-c``).
    rotation : tuple of int
        ``(low, high)``: rotation in integer degrees, uniform in ``[low, high)``; circles
        are not rotated.
    classes : tuple of str
        Shapes to draw from, uniformly: a subset of :data:`CLASSES`. Labels always index
        :data:`CLASSES`, so a detector's class list does not depend on this subset.
    blur_sigma : float
        Standard deviation in pixels of the Gaussian that blurs the filled shape.
    box_margin : float
        Pixels added on every side of the shape's polygon extent to make its box.
    min_distance : float
        Smallest distance in pixels between the centres of two lesions of a trial.
    margin_offset : int
        A centre ``(y, x)`` of a lesion of radius ``r`` is accepted only when the four points
        ``(y +- (r + margin_offset), x +- (r + margin_offset))`` are in the allowed mask.
    saliency_threshold : float
        The allowed mask keeps pixels whose normalised saliency is at least this value.
    max_redraws : int
        How many times all centres of a trial are drawn afresh when the ones drawn first
        leave no room for the next lesion; if none of these draws fits the drawn count, the
        trial keeps the most lesions any of them placed (at least ``count[0]``, else
        :class:`~d2iqa.lesions.LesionPlacementError`).
    """

    count: Tuple[int, int] = (2, 5)
    radii: Tuple[int, ...] = (7, 8, 9, 10)
    contrasts: Tuple[float, ...] = (0.08, 0.09, 0.10)
    positive_fraction: float = 0.5
    rotation: Tuple[int, int] = (-180, 180)
    classes: Tuple[str, ...] = CLASSES
    blur_sigma: float = 1.0
    box_margin: float = 2.0
    min_distance: float = 50.0
    margin_offset: int = 25
    saliency_threshold: float = 0.4
    max_redraws: int = 50

    def __post_init__(self):
        for name in ('count', 'radii', 'contrasts', 'rotation', 'classes'):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        low, high = self.count
        if not 1 <= low <= high:
            raise ValueError(f'count must be (low, high) with 1 <= low <= high, got {self.count}')
        if not self.radii or any(int(r) != r or r < 1 for r in self.radii):
            raise ValueError(f'radii must be positive whole pixels, got {self.radii}')
        if not self.contrasts or any(not c > 0 for c in self.contrasts):
            raise ValueError(f'contrasts must be positive magnitudes (the sign is drawn), '
                             f'got {self.contrasts}')
        if not 0 <= self.positive_fraction <= 1:
            raise ValueError(f'positive_fraction is a probability, got {self.positive_fraction}')
        if len(self.rotation) != 2 or not self.rotation[0] < self.rotation[1]:
            raise ValueError(f'rotation must be (low, high) degrees with low < high, '
                             f'got {self.rotation}')
        unknown = [c for c in self.classes if c not in CLASSES]
        if not self.classes or unknown:
            raise ValueError(f'classes must be a non-empty subset of {CLASSES}, got {self.classes}')
        if not self.blur_sigma > 0:
            raise ValueError(f'blur_sigma must be positive, got {self.blur_sigma}')
        if self.box_margin < 0 or self.min_distance < 0 or self.margin_offset < 0:
            raise ValueError('box_margin, min_distance and margin_offset must not be negative')
        if self.max_redraws < 1:
            raise ValueError(f'max_redraws must be at least 1, got {self.max_redraws}')

    @property
    def labels(self):
        """Indices in :data:`CLASSES` of the classes drawn from."""
        return tuple(CLASSES.index(name) for name in self.classes)


#: Published settings per anatomy: ``'abdomen'`` (the D2IQA paper) and ``'head'`` (the CQ500
#: study, lower contrasts).
LESION_PRESETS = {
    'abdomen': LesionConfig(),
    'head': LesionConfig(contrasts=(0.06, 0.07, 0.08)),
}


def get_lesion_config(config=None):
    """Return a :class:`LesionConfig` from a preset name, a mapping of fields or a config.

    Parameters
    ----------
    config : None, str, dict or LesionConfig
        ``None`` for the ``'abdomen'`` preset; a name in :data:`LESION_PRESETS`; a dict of
        :class:`LesionConfig` fields, optionally with ``preset=`` naming the preset they
        override (as configuration files write it); or a ``LesionConfig``.
    """
    if config is None:
        return LESION_PRESETS['abdomen']
    if isinstance(config, LesionConfig):
        return config
    if isinstance(config, str):
        try:
            return LESION_PRESETS[config]
        except KeyError:
            raise ValueError(f'unknown lesion preset {config!r}; choose one of '
                             f'{sorted(LESION_PRESETS)} or pass LesionConfig(...)') from None
    if isinstance(config, dict):
        fields = dict(config)
        base = get_lesion_config(fields.pop('preset', None))
        known = {f.name for f in dataclasses.fields(LesionConfig)}
        unknown = sorted(set(fields) - known)
        if unknown:
            raise ValueError(f'unknown LesionConfig fields {unknown}; known: {sorted(known)}')
        return dataclasses.replace(base, **fields)
    raise TypeError('expected a preset name, a dict or a LesionConfig, '
                    f'got {type(config).__name__}')
