"""Scorer plug-ins: classes registered in the ``ct_nriqa.scorers`` entry-point group.

A scorer class is constructed with keyword options (``checkpoint=None, device='cpu', ...``),
has ``name``, ``higher_is_better`` and ``score_range``, and ``score_slice(image, **options)``
returns a result with at least ``.score``, ``.sem`` (NaN when not applicable) and
``.n_trials`` (None when not applicable). The package registers ``d2iqa``
(:class:`~d2iqa.scoring.D2IQAScorer`) and ``mdiqa`` (``mdiqa.api:MDIQAScorer``) in
``setup.cfg``; other packages add theirs the same way, and ``d2iqa score --scorer NAME``
finds them without importing them beforehand.
"""
from importlib import metadata

__all__ = ['ENTRY_POINT_GROUP', 'load_scorer_class', 'scorer_names']

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
    ImportError
        When the registered module cannot be imported.
    """
    points = _entry_points()
    if name not in points:
        known = ', '.join(sorted(points)) or 'none (reinstall the package: pip install -e .)'
        raise KeyError(f'no scorer {name!r} is installed; installed: {known}')
    try:
        return points[name].load()
    except (ImportError, AttributeError) as exc:
        raise ImportError(f'scorer {name!r} is registered as {points[name].value}, which cannot '
                          f'be loaded: {exc}') from exc
