"""Scoring: the scorer interface and registry, D2IQA's multi-trial scoring, study folders.

* :mod:`.base`: :class:`Scorer`, the interface of every scorer, and :class:`ScoreResult`;
* :mod:`.plugins`: :func:`create_scorer` over the ``ct_nriqa.scorers`` entry points;
* :mod:`.trials`: the pure trial loop (lesions, sets, eq. 6, :class:`ScoringOptions`) for any
  detector with ``detect(images01) -> [(boxes, scores, labels), ...]``;
* :mod:`.detector`: :class:`MMDetDetector`, a trained mmdet model behind that interface;
* :mod:`.scorer`: :class:`D2IQAScorer`, :func:`score_slice`, :func:`score_series`;
* :mod:`.baselines`: the PSNR, SSIM and noise-level scorers;
* :mod:`.batch`: scoring every slice of study folders to CSV / JSON (``d2iqa score``).

``docs/scoring.md`` describes the protocol, the options and the commands.
"""
from .base import ScoreResult, Scorer, ScorerUnavailable
from .baselines import NoiseLevelScorer, PSNRScorer, SSIMScorer
from .detector import MMDetDetector, ParallelDetector
from .plugins import ENTRY_POINT_GROUP, create_scorer, load_scorer_class, scorer_names
from .scorer import (PROFILES, REFERENCE_CHECKPOINT, CheckpointNotFoundError, D2IQAScorer,
                     reference_checkpoint, score_series, score_slice)
from .trials import (AGGREGATIONS, STOP_RULES, D2IQAResult, ScoringOptions, TrialDetections,
                     has_converged, run_trials, run_trials_many, score_sets, scoring_options,
                     set_map, trial_rng)

__all__ = ['AGGREGATIONS', 'CheckpointNotFoundError', 'D2IQAResult', 'D2IQAScorer',
           'ENTRY_POINT_GROUP', 'MMDetDetector', 'NoiseLevelScorer', 'PROFILES', 'PSNRScorer',
           'ParallelDetector', 'REFERENCE_CHECKPOINT', 'SSIMScorer', 'STOP_RULES', 'ScoreResult',
           'Scorer', 'ScorerUnavailable', 'ScoringOptions', 'TrialDetections', 'create_scorer',
           'has_converged', 'load_scorer_class', 'reference_checkpoint', 'run_trials',
           'run_trials_many', 'score_series', 'score_sets', 'score_slice', 'scorer_names', 'scoring_options',
           'set_map', 'trial_rng']
