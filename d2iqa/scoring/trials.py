"""The D2IQA trial loop: pure numpy, any detector, paired images, sets of trials, stopping rule.

One *trial* pastes one random lesion configuration into the slice and runs the detector on it.
Trials are grouped into consecutive *sets* of ``set_size``; the mAP of a set is one COCO
evaluation over its trial images (``aggregate='pooled'``, the released scoring) or the mean of
their per-image mAPs (``'per_trial'``); the slice's score is the mean of the set mAPs.

Trial ``t`` draws its lesions from :func:`trial_rng` ``(seed, t)``, so a result depends only on
the seed, the placement and the detector: not on the batch size, and not on the path the slice
came from. The MMEngine metric (``d2iqa.engine.D2IQAScoreMetric``) scores the predictions of a
test run through :func:`score_sets` too, and ``InsertVirtualLesions(seed=seed,
seed_fields=('trial',))`` draws the same lesions as :func:`trial_rng`.
"""
import dataclasses
from dataclasses import dataclass
from typing import NamedTuple, Optional

import numpy as np
from tqdm.auto import tqdm

from ..evaluation import coco_map
from ..lesions import CLASSES, Placement, add_lesions, get_lesion_config, seeded_rng
from .base import ScoreResult

__all__ = ['AGGREGATIONS', 'D2IQAResult', 'STOP_RULES', 'ScoringOptions', 'TrialDetections',
           'has_converged', 'run_trials', 'run_trials_many', 'score_sets', 'scoring_options',
           'set_map', 'trial_rng']

#: How the trials of a set make its mAP.
AGGREGATIONS = ('pooled', 'per_trial')
#: When to stop adding sets: all of them, or the paper's eq. 6.
STOP_RULES = ('fixed', 'converged')


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f'{name} must be a positive integer, got {value!r}')
    return int(value)


@dataclass(frozen=True)
class ScoringOptions:
    """How a slice is scored; validated on construction.

    Attributes
    ----------
    trials : int
        Trials at most (all of them with ``stop='fixed'``); a multiple of ``set_size``.
        The released scoring: 500.
    set_size : int
        Trials per set (100 in the release).
    seed : int
        Seed of the lesion configurations (>= 0): trial ``t`` uses ``trial_rng(seed, t)``.
    stop : {'fixed', 'converged'}
        ``'fixed'``: run ``trials // set_size`` sets. ``'converged'``: the paper's eq. 6,
        stop after the first set ``t >= min_sets`` with
        ``|mean(s_1..s_t) - mean(s_1..s_(t-1))| < epsilon``, or after ``trials // set_size``
        sets if that never happens.
    aggregate : {'pooled', 'per_trial'}
        ``'pooled'``: one COCO evaluation over the images of a set (the release).
        ``'per_trial'``: the mean of the per-image mAPs of the set.
    epsilon : float
        Tolerance of eq. 6 (0.01 in the paper, where it gave 5 sets).
    min_sets : int
        Fewest sets before eq. 6 may stop the run (>= 2, as eq. 6 compares two means).
        Default 3: two sets agree by chance too often to call the mean converged.
    lesion_config : str, dict or LesionConfig
        The lesions (:func:`~d2iqa.lesions.get_lesion_config`): ``'abdomen'`` (default),
        ``'head'``; use the settings the detector was trained with.
    pixel_spacing : float, optional
        Resample every slice to square pixels of this size in mm before scoring
        (:func:`~d2iqa.io.resample_slice`), so that the lesions, sized in pixels, have one
        size in millimetres whatever the field of view (docs/scoring.md, "Physical scale").
        Default None: the pixels as they are, the paper's protocol. The scoring API uses it;
        ``tools/test.py`` scores the images its pipeline gives.
    """

    trials: int = 500
    set_size: int = 100
    seed: int = 0
    stop: str = 'fixed'
    aggregate: str = 'pooled'
    epsilon: float = 0.01
    min_sets: int = 3
    lesion_config: object = 'abdomen'
    pixel_spacing: Optional[float] = None

    def __post_init__(self):
        trials = _positive_int('trials', self.trials)
        set_size = _positive_int('set_size', self.set_size)
        if trials % set_size:
            low = max(trials // set_size, 1) * set_size
            raise ValueError(f'trials ({trials}) must be a multiple of set_size ({set_size}): '
                             f'e.g. trials={low} or trials={low + set_size}')
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)) \
                or self.seed < 0:
            raise ValueError(f'seed must be an integer >= 0, got {self.seed!r}')
        if self.stop not in STOP_RULES:
            raise ValueError(f'stop must be one of {STOP_RULES}, got {self.stop!r}')
        if self.aggregate not in AGGREGATIONS:
            raise ValueError(f'aggregate must be one of {AGGREGATIONS}, got {self.aggregate!r}')
        if not (isinstance(self.epsilon, (int, float)) and self.epsilon > 0):
            raise ValueError(f'epsilon must be a positive number, got {self.epsilon!r}')
        min_sets = _positive_int('min_sets', self.min_sets)
        if min_sets < 2:
            raise ValueError(f'min_sets must be at least 2 (eq. 6 compares the means of t and '
                             f't - 1 sets), got {min_sets}')
        if self.stop == 'converged' and min_sets > trials // set_size:
            raise ValueError(f"stop='converged' needs at least min_sets={min_sets} sets, but "
                             f'trials={trials} makes {trials // set_size} sets of {set_size}: '
                             f'raise trials to {min_sets * set_size} or more, or lower min_sets')
        if self.pixel_spacing is not None and not (
                isinstance(self.pixel_spacing, (int, float)) and self.pixel_spacing > 0):
            raise ValueError(f'pixel_spacing must be None or a size in mm > 0, got '
                             f'{self.pixel_spacing!r}')
        set_ = object.__setattr__
        set_(self, 'trials', trials)
        set_(self, 'set_size', set_size)
        set_(self, 'seed', int(self.seed))
        set_(self, 'min_sets', min_sets)
        set_(self, 'lesion_config', get_lesion_config(self.lesion_config))

    @property
    def max_sets(self):
        """Number of sets that ``trials`` makes."""
        return self.trials // self.set_size

    def replace(self, **changes):
        """A copy with some options changed (``None`` values keep the current ones)."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise TypeError(f'unknown scoring option(s) {sorted(unknown)}; the options are '
                            f'{[f.name for f in dataclasses.fields(self)]}')
        changes = {k: v for k, v in changes.items() if v is not None}
        return dataclasses.replace(self, **changes) if changes else self


def scoring_options(options=None, **overrides):
    """A :class:`ScoringOptions` from ``options`` (None for the defaults, a dict of fields or
    an instance) with some fields overridden (``None`` values keep the current ones)."""
    if options is None:
        options = ScoringOptions()
    elif isinstance(options, dict):
        options = ScoringOptions(**options)
    elif not isinstance(options, ScoringOptions):
        raise TypeError(f'options must be a ScoringOptions or a dict of its fields, got '
                        f'{type(options).__name__}')
    return options.replace(**overrides)


@dataclass(frozen=True)
class D2IQAResult(ScoreResult):
    """The D2IQA score of one slice: the mean of the set mAPs (higher is better, 0..1).

    A :class:`~d2iqa.scoring.ScoreResult` with the sets it was made of.

    Attributes
    ----------
    score : float
        Mean of ``set_scores``.
    sem : float
        Standard error of ``score``: the standard deviation of the set mAPs (ddof 1) over the
        square root of their number; NaN with a single set.
    score_range : tuple of float
        (0.0, 1.0): a COCO mAP.
    higher_is_better : bool
        True: the detector finds the lesions better in better images.
    n_trials : int
        Trials run: ``len(set_scores) * set_size``.
    source : str
        Where the slice came from.
    set_scores : tuple of float
        The mAP of each set of trials, in order.
    set_size : int
        Trials per set.
    aggregate : str
        ``'pooled'`` or ``'per_trial'`` (see :class:`ScoringOptions`).
    converged : bool or None
        With ``stop='converged'``: whether eq. 6 was met (False: the maximum number of sets
        was reached first). None with ``stop='fixed'``.
    """

    score_range: tuple = (0.0, 1.0)
    set_scores: tuple = ()
    set_size: int = 100
    aggregate: str = 'pooled'
    converged: Optional[bool] = None

    @classmethod
    def from_set_scores(cls, set_scores, *, set_size, aggregate='pooled', converged=None):
        """The result of a sequence of set mAPs."""
        values = np.asarray(set_scores, dtype=np.float64)
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f'set_scores must be a non-empty 1-D sequence, got {set_scores!r}')
        sem = float(values.std(ddof=1) / np.sqrt(values.size)) if values.size > 1 \
            else float('nan')
        return cls(score=float(values.mean()), sem=sem,
                   set_scores=tuple(float(v) for v in values),
                   n_trials=int(values.size * set_size), set_size=int(set_size),
                   aggregate=aggregate, converged=converged)

    def __str__(self):
        n_sets = len(self.set_scores)
        spread = f' +- {self.sem:.4f} (standard error over {n_sets} sets' if n_sets > 1 \
            else ' (1 set, no standard error'
        stop = '' if self.converged is None else \
            (', converged' if self.converged else ', not converged')
        return (f'D2IQA score {self.score:.4f}{spread} of {self.set_size} trials, '
                f'{self.aggregate} mAP{stop}); higher is better, range [0, 1]')


class TrialDetections(NamedTuple):
    """The lesions pasted into one trial image and what the detector found there.

    ``gt_boxes`` / ``boxes`` are ``(n, 4)`` ``x1, y1, x2, y2`` in pixels; labels index
    :data:`~d2iqa.lesions.CLASSES`; ``scores`` are the detection confidences.
    """

    gt_boxes: np.ndarray
    gt_labels: np.ndarray
    boxes: np.ndarray
    scores: np.ndarray
    labels: np.ndarray


def trial_rng(seed, trial):
    """The random generator of trial ``trial``: the lesions it draws depend on nothing else.

    It equals the generator of ``InsertVirtualLesions(seed=seed, seed_fields=('trial',))`` for
    a sample with that ``trial``: ``default_rng([seed, d])``, ``d`` a stable 64-bit digest of
    ``repr((trial,))``, so that ``tools/test.py`` on a scoring config draws the same lesions.
    """
    return seeded_rng(seed, (int(trial),))


def set_map(trials, *, aggregate='pooled'):
    """The mAP of one set of trials.

    Parameters
    ----------
    trials : sequence of TrialDetections
        The trial images of the set.
    aggregate : {'pooled', 'per_trial'}
        One COCO evaluation over all images (default), or the mean of per-image mAPs.

    Returns
    -------
    float
        :func:`~d2iqa.evaluation.coco_map` over the :data:`~d2iqa.lesions.CLASSES`.
    """
    columns = list(zip(*trials))
    return coco_map(*columns, num_classes=len(CLASSES), aggregation=aggregate)


def has_converged(set_scores, *, epsilon=0.01, min_sets=3):
    """The paper's eq. 6 after the last set: ``|mean(s_1..s_t) - mean(s_1..s_(t-1))| < eps``.

    Parameters
    ----------
    set_scores : sequence of float
        ``s_1 .. s_t``, the set mAPs so far.
    epsilon : float
        Tolerance (0.01 in the paper).
    min_sets : int
        False while ``t < min_sets`` (and always for ``t < 2``).

    Returns
    -------
    bool
    """
    t = len(set_scores)
    if t < max(min_sets, 2):
        return False
    values = np.asarray(set_scores, dtype=np.float64)
    return bool(abs(values.mean() - values[:-1].mean()) < epsilon)


def score_sets(sets, options):
    """Score consecutive sets of trials on one or several paired images, with the stop rule.

    Parameters
    ----------
    sets : iterable
        Yields, set after set, one sequence of :class:`TrialDetections` per image (the same
        trials on every image). It is consumed lazily: with ``stop='converged'`` the sets
        after the stopping point are never asked for, so a generator that runs the detector
        stops running it.
    options : ScoringOptions
        ``stop``, ``epsilon``, ``min_sets``, ``aggregate`` and ``set_size`` are used.

    Returns
    -------
    list of D2IQAResult
        One per image. Paired images stop together, after the first set at which eq. 6 holds
        for every image.
    """
    per_image = None
    converged = None
    for number, images in enumerate(sets):
        if per_image is None:
            per_image = [[] for _ in images]
        if len(images) != len(per_image):
            raise ValueError(f'set {number} has trials of {len(images)} images, the first set '
                             f'of {len(per_image)}')
        for scores, trials in zip(per_image, images):
            if len(trials) != options.set_size:
                raise ValueError(f'set {number} has {len(trials)} trials; expected set_size='
                                 f'{options.set_size}')
            scores.append(set_map(trials, aggregate=options.aggregate))
        if options.stop == 'converged':
            converged = all(has_converged(s, epsilon=options.epsilon, min_sets=options.min_sets)
                            for s in per_image)
            if converged:
                break
    if per_image is None:
        raise ValueError('no sets of trials to score')
    return [D2IQAResult.from_set_scores(scores, set_size=options.set_size,
                                        aggregate=options.aggregate, converged=converged)
            for scores in per_image]


def _detections(output, number):
    try:
        boxes, scores, labels = output
    except (TypeError, ValueError):
        raise TypeError(f'detector output {number} must be a (boxes, scores, labels) triple, '
                        f'got {type(output).__name__}') from None
    return (np.asarray(boxes, dtype=np.float64).reshape(-1, 4),
            np.asarray(scores, dtype=np.float64), np.asarray(labels, dtype=np.int64))


def _detect(jobs, detector, batch_size, bar):
    """Run the detector on ``(image01, lesions)`` jobs, in order, in batches; their detections."""
    found = []
    for start in range(0, len(jobs), batch_size):
        chunk = jobs[start:start + batch_size]
        outputs = list(detector.detect(np.stack([add_lesions(image, lesions)
                                                 for image, lesions in chunk])))
        if len(outputs) != len(chunk):
            raise RuntimeError(f'the detector returned {len(outputs)} results for a batch of '
                               f'{len(chunk)} images')
        found.extend(TrialDetections(lesions.boxes, lesions.labels,
                                     *_detections(output, start + number))
                     for number, ((_, lesions), output) in enumerate(zip(chunk, outputs)))
        bar.update(len(chunk))
    return found


def _set_trials(images01, detector, placement, trials, options, batch_size, bar):
    """Run the detector on the trials of one set; one list of TrialDetections per image."""
    lesions = [placement.draw(trial_rng(options.seed, t)) for t in trials]
    found = _detect([(image, drawn) for drawn in lesions for image in images01], detector,
                    batch_size, bar)
    return [found[i::len(images01)] for i in range(len(images01))]


def run_trials(images01, detector, *, options, batch_size=1, placement=None, progress=False,
               first_set=0):
    """Score one [0, 1] slice, or several paired versions of it, with a detector.

    Parameters
    ----------
    images01 : sequence of numpy.ndarray
        ``(H, W)`` slices in [0, 1] (``d2iqa.window(hu, preset='d2iqa')``), all of one shape:
        e.g. the dose levels of one slice. Every trial pastes the same lesions into each.
    detector : object
        Has ``detect(images01)``: ``images01`` a float32 ``(B, H, W)`` array (slices with
        lesions, not clipped to [0, 1]); returns, per image, ``(boxes, scores, labels)``:
        ``(n, 4)`` ``x1, y1, x2, y2`` pixels, ``(n,)`` confidences, ``(n,)`` class indices
        in :data:`~d2iqa.lesions.CLASSES`. The trial images reach it in trial order, the
        images of one trial one after the other.
    options : ScoringOptions
        Trials, sets, seed, stop rule, aggregation and lesion settings.
    batch_size : int
        Images per ``detect`` call.
    placement : Placement, optional
        Where lesions may go; default ``Placement.from_image(images01[0])`` (the first image
        places the lesions of all, as in the released paired evaluation).
    progress : bool
        Show a tqdm bar over the trial images.
    first_set : int
        Skip the sets before this one (their trials scored earlier, e.g. labels extended
        with more trials): sets ``first_set .. options.max_sets - 1`` run, with the lesions
        they have in a whole run. Needs ``stop='fixed'``.

    Returns
    -------
    list of D2IQAResult
        One per image, of the sets run.

    Raises
    ------
    LesionPlacementError
        When the slice cannot host the lesions (e.g. no body in it).
    """
    batch_size = _positive_int('batch_size', batch_size)
    if not len(images01):
        raise ValueError('no images to score')
    if not 0 <= first_set < options.max_sets:
        raise ValueError(f'first_set must be one of the {options.max_sets} sets of '
                         f'trials={options.trials}, set_size={options.set_size}: 0 to '
                         f'{options.max_sets - 1}, got {first_set}')
    if first_set and options.stop != 'fixed':
        raise ValueError("first_set needs stop='fixed': eq. 6 looks at every set from the first")
    images01 = [np.asarray(image, dtype=np.float32) for image in images01]
    shapes = {image.shape for image in images01}
    if len(shapes) != 1:
        raise ValueError(f'paired images must share one shape, got {sorted(shapes)}')
    if placement is None:
        placement = Placement.from_image(images01[0], config=options.lesion_config)
    elif placement.shape != images01[0].shape:
        raise ValueError(f'the placement is for {placement.shape} slices, the images are '
                         f'{images01[0].shape}')
    size = options.set_size
    bar = tqdm(total=(options.trials - first_set * size) * len(images01), unit='image',
               desc='D2IQA trials', leave=False, disable=not progress)
    sets = (_set_trials(images01, detector, placement, range(k * size, (k + 1) * size),
                        options, batch_size, bar) for k in range(first_set, options.max_sets))
    with bar:
        return score_sets(sets, options)


def run_trials_many(slices01, detector, *, options, batch_size=1, progress=False):
    """Score several different [0, 1] slices, their trial images batched together.

    Set by set, the trial images of every slice still running go to ``detector`` in batches
    of ``batch_size``, so a large batch (a GPU) is filled across slices. Each slice gets the
    lesions, sets and stop rule :func:`run_trials` gives it alone: with a detector whose
    output for an image does not depend on the batch around it, the same result.

    Parameters
    ----------
    slices01 : sequence of numpy.ndarray
        ``(H, W)`` slices in [0, 1], all of one shape (e.g. the slices of one series).
    detector, options, batch_size, progress
        As for :func:`run_trials`.

    Returns
    -------
    list of D2IQAResult
        One per slice.

    Raises
    ------
    LesionPlacementError
        When a slice cannot host the lesions (place each alone first to tell which).
    """
    batch_size = _positive_int('batch_size', batch_size)
    slices01 = [np.asarray(image, dtype=np.float32) for image in slices01]
    if not slices01:
        raise ValueError('no slices to score')
    shapes = {image.shape for image in slices01}
    if len(shapes) != 1:
        raise ValueError(f'slices scored together must share one shape, got {sorted(shapes)}')
    placements = [Placement.from_image(image, config=options.lesion_config)
                  for image in slices01]
    size = options.set_size
    set_scores = [[] for _ in slices01]
    converged = [None] * len(slices01)
    running = list(range(len(slices01)))
    bar = tqdm(total=options.trials * len(slices01), unit='image', desc='D2IQA trials',
               leave=False, disable=not progress)
    with bar:
        for k in range(options.max_sets):
            trials = range(k * size, (k + 1) * size)
            lesions = {g: [placements[g].draw(trial_rng(options.seed, t)) for t in trials]
                       for g in running}
            found = _detect([(slices01[g], drawn) for g in running for drawn in lesions[g]],
                            detector, batch_size, bar)
            found = {g: found[n * size:(n + 1) * size] for n, g in enumerate(running)}
            for g in running:
                set_scores[g].append(set_map(found[g], aggregate=options.aggregate))
            if options.stop == 'converged':
                for g in running:
                    converged[g] = has_converged(set_scores[g], epsilon=options.epsilon,
                                                 min_sets=options.min_sets)
                running = [g for g in running if not converged[g]]
                if not running:
                    break
    return [D2IQAResult.from_set_scores(scores, set_size=size, aggregate=options.aggregate,
                                        converged=done)
            for scores, done in zip(set_scores, converged)]
