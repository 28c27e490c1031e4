"""D2IQA: no-reference CT image quality from self-supervised virtual-lesion detection.

The package is the toolkit's centre: CT input/output and windowing, lesion insertion, dose
simulation, evaluation statistics, the scorer interface and the D2IQA scorer. ``mdiqa``
builds on it. ``import d2iqa`` loads the pure core only (numpy, scipy, scikit-image,
pydicom); the scoring names below load :mod:`d2iqa.scoring` on first use, and OpenMMLab and
torch are imported only when a model is built (docs/architecture.md).
"""
from .io import (CTReadError, CTSlice, Window, WINDOWS, discover, load_series, load_slice,
                 unwindow, window)
from .simulation import simulate_low_dose, simulate_sparse_view

__version__ = '0.1.0'
#: Names of :mod:`d2iqa.scoring` offered here, imported when first asked for.
_SCORING = ('D2IQAResult', 'D2IQAScorer', 'ScoreResult', 'ScoringOptions', 'create_scorer',
            'score_series', 'score_slice', 'scorer_names')
__all__ = ['CTReadError', 'CTSlice', 'WINDOWS', 'Window', 'discover', 'load_series', 'load_slice',
           'simulate_low_dose', 'simulate_sparse_view', 'unwindow', 'window', *_SCORING]


def __getattr__(name):
    if name in _SCORING:
        from . import scoring
        return getattr(scoring, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
