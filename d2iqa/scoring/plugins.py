"""The scorer registry: classes in the ``ct_nriqa.scorers`` entry-point group.

A scorer class subclasses :class:`~d2iqa.scoring.Scorer` and is constructed with keyword
options (``checkpoint=None, device='cpu', ...``). This package registers ``d2iqa``
(:class:`~d2iqa.scoring.D2IQAScorer`), ``mdiqa`` (``mdiqa.api:MDIQAScorer``) and the
baselines ``psnr``, ``ssim`` and ``noise`` in ``setup.cfg``; other packages add theirs the
same way, and :func:`create_scorer`, ``d2iqa score --scorer NAME`` and ``d2iqa evaluate-dose
--scorers NAME`` find them without importing them beforehand.
"""
from importlib import metadata

from .base import ScorerUnavailable

__all__ = ['ENTRY_POINT_GROUP', 'create_scorer', 'load_scorer_class', 'scorer_names']

ENTRY_POINT_GROUP = 'ct_nriqa.scorers'


def _entry_points():
    # Every distribution is read, not only the first of each name as metadata.entry_points()
    # does: a stale ct_nriqa.egg-info in the working directory (left by an older install of
    # the checkout) would otherwise hide the entry points of the installed package.
    points = {}
    for distribution in metadata.distributions():
        for point in distribution.entry_points:
            if point.group == ENTRY_POINT_GROUP:
                points.setdefault(point.name, point)
    return points


def scorer_names():
    """Names of the installed scorer plug-ins, sorted."""
    return sorted(_entry_points())


def load_scorer_class(name):
    """The scorer class registered as ``name`` in the ``ct_nriqa.scorers`` entry points.

    Raises
    ------
    KeyError
        For a name that no installed package registers (the message lists those that are).
    ScorerUnavailable
        When the registered module cannot be imported (its package is missing or broken).
    """
    points = _entry_points()
    if name not in points:
        known = ', '.join(sorted(points)) or 'none (reinstall the package: pip install -e .)'
        raise KeyError(f'no scorer {name!r} is installed; installed: {known}')
    try:
        return points[name].load()
    except (ImportError, AttributeError) as exc:
        raise ScorerUnavailable(f'scorer {name!r} is registered as {points[name].value}, which '
                                f'cannot be loaded: {exc}') from exc


def create_scorer(name, **options):
    """Build the scorer registered as ``name`` with keyword ``options``.

    Parameters
    ----------
    name : str
        One of :func:`scorer_names` (``'d2iqa'``, ``'mdiqa'``, ``'psnr'``, ``'ssim'``,
        ``'noise'``, and those of other installed packages).
    **options
        The scorer's options, e.g. ``create_scorer('d2iqa', checkpoint='det.pth',
        trials=200)`` (D2IQA: the detector's and :class:`~d2iqa.scoring.ScoringOptions`).

    Returns
    -------
    Scorer

    Raises
    ------
    KeyError
        For a name that no installed package registers (the message lists those that are).
    ScorerUnavailable
        When the scorer cannot run here (its package or its model is missing).
    """
    return load_scorer_class(name)(**options)
