"""``D2IQAScorer`` (a loaded detector and default options), ``score_slice``, ``score_series``."""
import dataclasses
import functools
import os
from pathlib import Path

import numpy as np

from ..io import CTReadError, as_hu_slice, resample_slice, window
from ..lesions import Placement, add_lesions
from .base import Scorer, ScorerUnavailable
from .detector import MMDetDetector, ParallelDetector
from .trials import TrialDetections, run_trials, run_trials_many, scoring_options, trial_rng

__all__ = ['CheckpointNotFoundError', 'D2IQAScorer', 'PROFILES', 'REFERENCE_CHECKPOINT',
           'reference_checkpoint', 'score_series', 'score_slice']

#: Where the reference detector (lite Cascade R-CNN, fp16 weights, config embedded) is installed.
REFERENCE_CHECKPOINT = Path(__file__).resolve().parents[1] / 'checkpoints' \
    / 'd2iqa_lite_reference.pth'
#: Test settings of the detector per scoring profile, merged into the checkpoint's
#: ``model.test_cfg`` (two-stage detectors). No profile: the checkpoint's own settings.
#: 'paper': mmdet's Cascade R-CNN test settings, which the paper used (1000 proposals).
#: 'fast': 100 proposals per image (benchmarks/RESULTS.md, "Scoring profiles").
PROFILES = {
    'paper': {'rpn': {'nms_pre': 1000, 'max_per_img': 1000},
              'rcnn': {'score_thr': 0.05, 'max_per_img': 100}},
    'fast': {'rpn': {'nms_pre': 1000, 'max_per_img': 100},
             'rcnn': {'score_thr': 0.05, 'max_per_img': 100}},
}
#: The lesion protocol's sizes are pixels of a slice this many pixels on a side; larger slices
#: are scored only when ``pixel_spacing`` resamples them to a physical pixel size.
PROTOCOL_GRID = 512
#: Trial images per ``detect`` call when ``batch_size`` is not given.
DEFAULT_BATCH_SIZE = {'cpu': 1, 'cuda': 16}


class CheckpointNotFoundError(ScorerUnavailable, FileNotFoundError):
    """No checkpoint was given and the reference checkpoint is not installed."""


def reference_checkpoint():
    """Path of the installed reference checkpoint.

    Raises
    ------
    CheckpointNotFoundError
        When ``d2iqa/checkpoints/d2iqa_lite_reference.pth`` is not installed.
    """
    if not REFERENCE_CHECKPOINT.is_file():
        raise CheckpointNotFoundError(
            f'the reference D2IQA checkpoint {REFERENCE_CHECKPOINT} is not installed: pass '
            'checkpoint=PATH (command line: --checkpoint PATH), a checkpoint trained with '
            '`python tools/train.py configs/d2iqa/cascade-rcnn_r18_fpn_lite.py`')
    return REFERENCE_CHECKPOINT


class D2IQAScorer(Scorer):
    """A D2IQA scorer: a detector kept loaded, and default scoring options.

    The scoring options are one :class:`~d2iqa.scoring.ScoringOptions` (trials, sets, seed,
    stop rule, aggregation, lesions): ``options=`` gives them, keyword overrides change some
    (``trials=200``), here for every call and in each ``score_*`` call for that call.

    Parameters
    ----------
    checkpoint : str or path-like, optional
        Detector weights; default the reference checkpoint (:func:`reference_checkpoint`).
    config : str, path-like or mmengine.config.Config, optional
        The detector's config; default the one embedded in the checkpoint.
    device : str
        ``'cpu'``, ``'cuda'`` or ``'cuda:N'``.
    profile : {None, 'paper', 'fast'}
        Test settings of the detector (:data:`PROFILES`); default the checkpoint's own.
    workers : int, optional
        CPU only: run the detector in this many worker processes of one thread each
        (:class:`~d2iqa.scoring.ParallelDetector`; same detections; faster than one process
        for heavy detectors such as the paper's R50, not for the lite one). Call
        :meth:`close` when done; scripts need the ``if __name__ == '__main__':`` guard, as
        for any spawned process.
    batch_size : int, optional
        Trial images per detector call; default ``workers``, else 1 on CPU, 16 on CUDA.
    detector : object, optional
        Any object with ``detect(images01) -> [(boxes, scores, labels), ...]`` (see
        :func:`~d2iqa.scoring.run_trials`) instead of a checkpoint.
    options : ScoringOptions or dict, optional
        Default scoring options; default ``ScoringOptions()``: 500 trials in sets of 100,
        seed 0, all sets, pooled mAP, the abdomen lesions.
    progress : bool
        Show a progress bar over the trial images of each call.
    **overrides
        Fields of ``ScoringOptions`` that change ``options`` (e.g. ``trials=200``).

    Raises
    ------
    CheckpointNotFoundError
        No checkpoint given and the reference one is not installed.

    Examples
    --------
    >>> scorer = D2IQAScorer(checkpoint='work_dirs/lite/iter_3000.pth')  # doctest: +SKIP
    >>> result = scorer.score_slice('slice.dcm', trials=200)              # doctest: +SKIP
    >>> result.score, result.sem                                          # doctest: +SKIP
    """

    name = 'd2iqa'
    higher_is_better = True
    score_range = (0.0, 1.0)

    def __init__(self, *, checkpoint=None, config=None, device='cpu', profile=None,
                 workers=None, batch_size=None, detector=None, options=None, progress=False,
                 **overrides):
        self.options = scoring_options(options, **overrides)
        if workers is not None and device != 'cpu':
            raise ValueError(f'workers= runs CPU processes; leave it out with device={device!r}')
        if batch_size is None:
            batch_size = workers or DEFAULT_BATCH_SIZE['cpu' if device == 'cpu' else 'cuda']
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f'batch_size must be a positive integer, got {batch_size!r}')
        if profile is not None and profile not in PROFILES:
            raise ValueError(f'profile must be None or one of {sorted(PROFILES)}, got '
                             f'{profile!r}')
        if detector is not None:
            if any(v is not None for v in (checkpoint, config, profile, workers)):
                raise ValueError('pass either detector= or checkpoint= / config= / profile= / '
                                 'workers=, not both')
            if not callable(getattr(detector, 'detect', None)):
                raise TypeError(f'detector must have a detect(images01) method, got '
                                f'{detector!r}')
            self.checkpoint = None
        else:
            self.checkpoint = Path(checkpoint) if checkpoint is not None \
                else reference_checkpoint()
            if workers is None:
                detector = MMDetDetector(self.checkpoint, config=config, device=device,
                                         test_cfg=PROFILES.get(profile))
            else:
                detector = ParallelDetector(self.checkpoint, workers=workers, config=config,
                                            test_cfg=PROFILES.get(profile))
        self.detector = detector
        self.profile = profile
        self.device = device
        self.batch_size = batch_size
        self.progress = progress

    def score_series(self, images, *, reference=None, values=None, progress=None, options=None,
                     first_set=0, **overrides):
        """Paired scores: the same lesion configurations on every image.

        Parameters
        ----------
        images : sequence of array_like, CTSlice or path
            Versions of one slice (e.g. its dose levels) in HU, all of one shape. The lesions
            are placed on the first one, as in the released evaluation, or on ``reference``.
        reference : array_like, CTSlice or path, optional
            The slice to place the lesions on (e.g. the full dose when it is not scored).
        values : str or Window, optional
            Units of TIFF / PNG / NPY files given by path ('hu' or a window preset), see
            ``d2iqa.load_slice``.
        progress : bool, optional
            Override the scorer's progress setting.
        options : ScoringOptions or dict, optional
            This call's options instead of the scorer's.
        first_set : int
            Run only the sets from this one on (see ``run_trials``): the rest of a score whose
            first sets were run before.
        **overrides
            Fields of ``ScoringOptions`` changed for this call (e.g. ``trials=100``).

        Returns
        -------
        list of D2IQAResult
            One per image, in order.
        """
        options = scoring_options(self.options if options is None else options, **overrides)
        slices = [self._prepare(image, values, f'images[{i}]', options)
                  for i, image in enumerate(images)]
        images01 = [window(s.hu, preset='d2iqa') for s in slices]
        placement = None if reference is None else Placement.from_image(
            window(self._prepare(reference, values, 'reference', options).hu, preset='d2iqa'),
            config=options.lesion_config)
        results = run_trials(images01, self.detector, options=options,
                             batch_size=self.batch_size, placement=placement,
                             progress=self.progress if progress is None else progress,
                             first_set=first_set)
        return [dataclasses.replace(result, source=s.source)
                for result, s in zip(results, slices)]

    @property
    def slices_per_call(self):
        """Slices whose trials batch scoring sends to the detector together.

        ``batch_size // set_size`` (at least 1): a batch larger than a set (a GPU) is filled
        with the sets of several slices (:meth:`score_slices`).
        """
        return max(1, self.batch_size // self.options.set_size)

    def score_slices(self, images, *, values=None, progress=None, options=None, **overrides):
        """Independent scores of several slices of one shape, their trials batched together.

        Each slice gets the score :meth:`score_slice` gives it (its own lesions, sets and
        stop rule); only the detector's batches are shared (``run_trials_many``).

        Parameters
        ----------
        images : sequence of array_like, CTSlice or path
            Slices of one shape (after any ``pixel_spacing`` resampling).
        values, progress, options, **overrides
            As for :meth:`score_series`.

        Returns
        -------
        list of D2IQAResult
        """
        options = scoring_options(self.options if options is None else options, **overrides)
        slices = [self._prepare(image, values, f'images[{i}]', options)
                  for i, image in enumerate(images)]
        results = run_trials_many([window(s.hu, preset='d2iqa') for s in slices], self.detector,
                                  options=options, batch_size=self.batch_size,
                                  progress=self.progress if progress is None else progress)
        return [dataclasses.replace(result, source=s.source)
                for result, s in zip(results, slices)]

    def example_trial(self, image, *, trial=0, values=None, options=None, **overrides):
        """One trial of a slice as the score sees it: the image with its lesions, and the boxes.

        Parameters
        ----------
        image : array_like, CTSlice or path
            As for :meth:`score_slice`.
        trial : int
            Which trial (its lesions are those of trial ``trial`` of the score).
        values, options, **overrides
            As for :meth:`score_series`.

        Returns
        -------
        image01 : numpy.ndarray
            The [0, 1] slice (after any ``pixel_spacing`` resampling) with the lesions.
        detections : TrialDetections
            The pasted lesions' boxes and labels, and the detector's boxes, scores, labels.
        """
        options = scoring_options(self.options if options is None else options, **overrides)
        image01 = window(self._prepare(image, values, 'image', options).hu, preset='d2iqa')
        lesions = Placement.from_image(image01, config=options.lesion_config).draw(
            trial_rng(options.seed, trial))
        pasted = add_lesions(image01, lesions)
        boxes, scores, labels = self.detector.detect(pasted[None].astype(np.float32))[0]
        return pasted, TrialDetections(
            lesions.boxes, lesions.labels, np.asarray(boxes, dtype=np.float64).reshape(-1, 4),
            np.asarray(scores, dtype=np.float64), np.asarray(labels, dtype=np.int64))

    @staticmethod
    def _prepare(image, values, source, options):
        ct_slice = as_hu_slice(image, values=values, source=source)
        if options.pixel_spacing is None:
            if max(ct_slice.shape) > PROTOCOL_GRID:
                rows, columns = ct_slice.shape
                raise CTReadError(ct_slice.source, (
                    f'is {rows}x{columns} pixels, larger than the {PROTOCOL_GRID}x'
                    f'{PROTOCOL_GRID} grid whose pixels the lesion sizes are given in (on it '
                    'the lesions would be smaller in mm than the protocol\'s): resample it, '
                    'e.g. pixel_spacing=0.7 (command line: --pixel-spacing 0.7), or '
                    f'downsample it to {PROTOCOL_GRID}x{PROTOCOL_GRID}'))
            return ct_slice
        return resample_slice(ct_slice, options.pixel_spacing)

    def close(self):
        """Stop the detector's worker processes, if it has any."""
        close = getattr(self.detector, 'close', None)
        if close is not None:
            close()

    def __repr__(self):
        source = self.checkpoint if self.checkpoint is not None else self.detector
        return (f'{type(self).__name__}({source}, profile={self.profile!r}, '
                f'batch_size={self.batch_size}, {self.options})')


@functools.lru_cache(maxsize=1)
def _default_scorer(checkpoint, config, device, profile, batch_size):
    return D2IQAScorer(checkpoint=checkpoint, config=config, device=device, profile=profile,
                       batch_size=batch_size)


def _cached_scorer(checkpoint, config, device, profile, batch_size):
    """The scorer of these settings, kept for the next call (a Config object is not kept)."""
    checkpoint = os.path.abspath(reference_checkpoint() if checkpoint is None else checkpoint)
    if config is not None and not isinstance(config, (str, os.PathLike)):
        return D2IQAScorer(checkpoint=checkpoint, config=config, device=device,
                           profile=profile, batch_size=batch_size)
    config = None if config is None else os.path.abspath(config)
    return _default_scorer(checkpoint, config, device, profile, batch_size)


def score_series(images, *, checkpoint=None, config=None, device='cpu', profile=None,
                 batch_size=None, values=None, progress=False, options=None, **overrides):
    """Paired D2IQA scores of several versions of one slice (e.g. its dose levels).

    The same lesion configurations go into every image, placed on the first one.
    The detector is loaded once and kept for later calls with the same checkpoint, config,
    device and batch size.

    Parameters
    ----------
    images : sequence of array_like, CTSlice or path
        HU arrays, loaded slices or files, all of one shape.
    checkpoint, config, device, profile, batch_size
        The detector (see :class:`D2IQAScorer`); default the reference checkpoint on CPU
        with its own test settings.
    values : str or Window, optional
        Units of TIFF / PNG / NPY files given by path (see ``d2iqa.load_slice``).
    progress : bool
        Show a progress bar over the trial images.
    options : ScoringOptions or dict, optional
        Scoring options; default ``ScoringOptions()`` (500 trials in sets of 100, seed 0).
    **overrides
        Fields of ``ScoringOptions`` that change ``options`` (``trials=200, seed=1``).

    Returns
    -------
    list of D2IQAResult
        One per image: ``.score`` (mean of the set mAPs; higher is better, range [0, 1]),
        ``.sem``, ``.set_scores``, ``.n_trials``, ``.source``.
    """
    scorer = _cached_scorer(checkpoint, config, device, profile, batch_size)
    return scorer.score_series(images, values=values, progress=progress,
                               options=scoring_options(options, **overrides))


def score_slice(image, *, checkpoint=None, config=None, device='cpu', profile=None,
                batch_size=None, values=None, progress=False, options=None, **overrides):
    """The D2IQA score of one CT slice: detector mAP on pasted lesions over many trials.

    Parameters
    ----------
    image : array_like, CTSlice, str or path-like
        A 2-D array in Hounsfield units, a loaded slice, or a file (``d2iqa.load_slice``).
    checkpoint : str or path-like, optional
        Detector weights; default the reference checkpoint.
    config : str, path-like or Config, optional
        The detector's config; default the one embedded in the checkpoint.
    device : str
        ``'cpu'``, ``'cuda'`` or ``'cuda:N'``.
    profile : {None, 'paper', 'fast'}
        Test settings of the detector (:data:`PROFILES`); default the checkpoint's own.
    batch_size : int, optional
        Trial images per detector call; default 1 on CPU, 16 on CUDA.
    values : str or Window, optional
        Units of a TIFF / PNG / NPY file ('hu' or a window preset), see ``d2iqa.load_slice``.
    progress : bool
        Show a progress bar over the trials.
    options : ScoringOptions or dict, optional
        Scoring options (:class:`~d2iqa.scoring.ScoringOptions`: ``trials``, ``set_size``,
        ``seed``, ``stop``, ``aggregate``, ``epsilon``, ``min_sets``, ``lesion_config``);
        default 500 trials in sets of 100, seed 0, pooled mAP, abdomen lesions.
    **overrides
        Fields of ``ScoringOptions`` that change ``options`` (``trials=200``).

    Returns
    -------
    D2IQAResult
        ``.score`` (mean of the set mAPs; higher is better, range [0, 1]), ``.sem``
        (standard error over sets), ``.set_scores``, ``.n_trials``, ``.source``.

    Raises
    ------
    CheckpointNotFoundError
        No checkpoint given and the reference one is not installed.
    LesionPlacementError
        The slice cannot host the lesions (e.g. no body in it).
    """
    return score_series([image], checkpoint=checkpoint, config=config, device=device,
                        profile=profile, batch_size=batch_size, values=values,
                        progress=progress, options=options, **overrides)[0]
