"""MD-IQA: multi-scale distribution regression of radiologist-like CT quality scores.

Builds on :mod:`d2iqa` (CT loaders, windowing, statistics); never imported by it. Public API:
:func:`score_slice` and :class:`MDIQAScorer` (``d2iqa score --scorer mdiqa``); the networks,
datasets and MMEngine components are registered in :mod:`mdiqa.registry` (scope ``'mdiqa'``).
"""
import d2iqa
from d2iqa._deps import check_openmmlab_versions

check_openmmlab_versions()

from .api import MDIQAScorer, score_slice  # noqa: E402

__version__ = d2iqa.__version__
__all__ = ['MDIQAScorer', 'score_slice']
