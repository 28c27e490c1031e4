"""D2IQA: no-reference CT image quality from self-supervised virtual-lesion detection.

The package is the toolkit's centre: CT input/output and windowing, lesion insertion, dose
simulation, evaluation statistics and the D2IQA scorer. ``mdiqa`` builds on it.
"""
from .io import (CTReadError, CTSlice, Window, WINDOWS, discover, load_series, load_slice,
                 unwindow, window)
from .simulation import simulate_low_dose, simulate_sparse_view
from .scoring import (D2IQAResult, D2IQAScorer, ScoreResult, ScoringOptions, create_scorer,
                      score_series, score_slice, scorer_names)

__version__ = '0.1.0'
__all__ = ['CTReadError', 'CTSlice', 'WINDOWS', 'Window', 'discover', 'load_series', 'load_slice',
           'simulate_low_dose', 'simulate_sparse_view', 'unwindow', 'window']
__all__ += ['D2IQAResult', 'D2IQAScorer', 'ScoreResult', 'ScoringOptions', 'create_scorer',
            'score_series', 'score_slice', 'scorer_names']
