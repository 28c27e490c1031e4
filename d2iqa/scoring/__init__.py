"""D2IQA scoring: multi-trial detector mAP of a slice, paired series, study folders.

* :mod:`.trials`: the pure trial loop (lesions, sets, eq. 6, result type) for any detector
  with ``detect(images01) -> [(boxes, scores, labels), ...]``;
* :mod:`.detector`: :class:`MMDetDetector`, a trained mmdet model behind that interface;
* :mod:`.scorer`: :class:`D2IQAScorer`, :func:`score_slice`, :func:`score_series`;
* :mod:`.batch`: scoring every slice of study folders to CSV / JSON (``d2iqa score``);
* :mod:`.plugins`: scorer classes found through the ``ct_nriqa.scorers`` entry points.

``docs/scoring.md`` describes the protocol, the options and the commands.
"""
from .detector import MMDetDetector, ParallelDetector
from .plugins import ENTRY_POINT_GROUP, load_scorer_class, scorer_names
from .scorer import (PROFILES, REFERENCE_CHECKPOINT, CheckpointNotFoundError, D2IQAScorer,
                     reference_checkpoint, score_series, score_slice)
from .trials import (AGGREGATIONS, STOP_RULES, D2IQAResult, ScoringOptions, TrialDetections,
                     has_converged, run_trials, score_sets, set_map, trial_rng)

__all__ = ['AGGREGATIONS', 'CheckpointNotFoundError', 'D2IQAResult', 'D2IQAScorer',
           'ENTRY_POINT_GROUP', 'MMDetDetector', 'PROFILES', 'ParallelDetector',
           'REFERENCE_CHECKPOINT', 'STOP_RULES', 'ScoringOptions', 'TrialDetections',
           'has_converged', 'load_scorer_class', 'reference_checkpoint', 'run_trials',
           'score_series', 'score_sets', 'score_slice', 'scorer_names', 'set_map', 'trial_rng']
