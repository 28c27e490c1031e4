"""Dose-response study: simulate dose (and sparse-view) levels of slices, score them, correlate.

For every slice the levels are simulated (:class:`~d2iqa.simulation.LowDoseSimulator`,
:class:`~d2iqa.simulation.SparseViewSimulator`), every scorer scores all the levels of that
slice in one call, and each (slice, level, scorer) gives one row. :func:`correlation_table`
then measures how each scorer follows the level, and :func:`plot_study` draws the curves.

The scorer interface
--------------------
A scorer is any object with

* ``name`` (str), ``higher_is_better`` (bool), ``needs_reference`` (bool), and
* ``score_levels(levels_hu, *, reference_hu=None, pixel_spacing=None) -> list of float``:
  one score per 2-D HU array of ``levels_hu`` (all the levels of one slice, in order), given
  the full-dose slice ``reference_hu`` and the (row, column) pixel spacing in mm (or None).

Getting all levels at once lets a scorer pair them, e.g. D2IQA pastes the same random lesions
into every level. :data:`SCORERS` maps names to factories: a callable, or a ``'module:attr'``
string imported on first use so that heavy scorers cost nothing until chosen. A factory raises
:class:`ScorerUnavailable` when it cannot run here (e.g. no trained model); a later scorer
is added with one :func:`register_scorer` call or one entry in :data:`SCORERS`.
"""
import importlib
import os
import warnings
from collections import defaultdict

import numpy as np
from tqdm.auto import tqdm

from ..io import as_hu_slice
from ..simulation import FULL_VIEWS, LowDoseSimulator, NoSoftTissueError, SparseViewSimulator
from .baselines import NoiseLevelScorer, PSNRScorer, SSIMScorer
from .stats import LogisticFit, fit_logistic, krocc, plcc, srocc

__all__ = ['DEFAULT_DOSES', 'ROW_FIELDS', 'SCORERS', 'STUDIES', 'TABLE_FIELDS',
           'ScorerUnavailable', 'correlation_table', 'format_table', 'make_scorer', 'plot_study',
           'register_scorer', 'run_dose_study', 'simulate_levels']

#: Dose levels (percent of the input's dose) of the D2IQA paper.
DEFAULT_DOSES = (100, 50, 25, 20, 12, 7, 5)
#: Study name -> what its level is.
STUDIES = {'dose': 'dose (%)', 'sparse_view': 'views'}
#: Columns of a score row (one per slice, level and scorer).
ROW_FIELDS = ('slice', 'source', 'index', 'study', 'level', 'scorer', 'score', 'higher_is_better')
#: Columns of the correlation table.
TABLE_FIELDS = ('study', 'scorer', 'n', 'plcc', 'plcc_logistic', 'srocc', 'krocc', 'overall',
                'srocc_per_slice')

#: Scorer name -> factory (a callable or 'module:attr'); see the module docstring.
SCORERS = {'psnr': PSNRScorer, 'ssim': SSIMScorer, 'noise': NoiseLevelScorer}
SCORERS['d2iqa'] = 'd2iqa.scoring:D2IQAScorer'   # the reference detector, when installed


class ScorerUnavailable(RuntimeError):
    """A scorer cannot run in this installation (missing model, weights or package)."""


def register_scorer(name, factory):
    """Add (or replace) a scorer factory: a callable returning a scorer, or 'module:attr'."""
    if not isinstance(name, str) or not name:
        raise ValueError(f'a scorer name must be a non-empty string, got {name!r}')
    SCORERS[name] = factory


def make_scorer(name, **options):
    """Build the scorer registered as ``name`` (options go to its factory).

    Raises
    ------
    KeyError
        For an unknown name (the message lists the registered ones).
    ScorerUnavailable
        When the scorer cannot run here.
    """
    try:
        factory = SCORERS[name]
    except KeyError:
        raise KeyError(f'unknown scorer {name!r}; registered: {", ".join(sorted(SCORERS))}') \
            from None
    if isinstance(factory, str):
        module, _, attribute = factory.partition(':')
        try:
            factory = getattr(importlib.import_module(module), attribute)
        except ImportError as exc:
            raise ScorerUnavailable(f'scorer {name!r} needs {module}: {exc}') from None
    return factory(**options)


def _percentages(doses):
    doses = [float(d) for d in doses]
    bad = [d for d in doses if not 0 < d <= 100]
    if bad:
        raise ValueError(f'dose levels are percentages in (0, 100], got {bad}')
    return doses


def simulate_levels(ct_slice, *, doses=DEFAULT_DOSES, sparse_views=(), seed=None,
                    incident_photons='auto'):
    """Simulate the levels of one slice.

    Parameters
    ----------
    ct_slice : CTSlice or array_like
        The full-dose slice in HU.
    doses : sequence of float
        Dose levels in percent of the input's dose; 100 is the input itself.
    sparse_views : sequence of int
        View counts; the full acquisition has ``max(360, *sparse_views)`` views.
    seed : int or numpy.random.SeedSequence, optional
        Seeds the noise of every dose level (each level gets its own stream).
    incident_photons : float or 'auto'
        As in :func:`~d2iqa.simulate_low_dose`.

    Returns
    -------
    dict
        Study name ('dose', 'sparse_view') -> list of (level, HU array), in the given order.
    """
    ct_slice = as_hu_slice(ct_slice, source='ct_slice')
    levels = {}
    if doses:
        doses = _percentages(doses)
        simulator = LowDoseSimulator(ct_slice, incident_photons=incident_photons)
        sequence = seed if isinstance(seed, np.random.SeedSequence) \
            else np.random.SeedSequence(seed)
        streams = sequence.spawn(len(doses))
        levels['dose'] = [(dose, simulator.simulate(dose / 100, seed=stream))
                          for dose, stream in zip(doses, streams)]
    if sparse_views:
        simulator = SparseViewSimulator(ct_slice, full_views=max(FULL_VIEWS, *sparse_views))
        levels['sparse_view'] = [(views, simulator.simulate(views)) for views in sparse_views]
    return levels


def _score(scorer, images, ct_slice):
    scores = list(scorer.score_levels(images, reference_hu=ct_slice.hu,
                                      pixel_spacing=ct_slice.pixel_spacing))
    if len(scores) != len(images):
        raise RuntimeError(f'scorer {scorer.name!r} returned {len(scores)} scores for '
                           f'{len(images)} levels')
    return [float(s) for s in scores]


def run_dose_study(slices, scorers, *, doses=DEFAULT_DOSES, sparse_views=(), seed=0,
                   incident_photons='auto', on_rows=None, progress=True):
    """Simulate the levels of every slice and score every level with every scorer.

    Parameters
    ----------
    slices : iterable of CTSlice or array_like
        Full-dose slices in HU.
    scorers : sequence of scorer
        Objects following the scorer interface (module docstring).
    doses, sparse_views, incident_photons
        As in :func:`simulate_levels`; either may be empty.
    seed : int
        Slice ``i`` is simulated with the seed sequence ``(seed, i)``: a run is reproducible
        and a slice's noise does not depend on the others.
    on_rows : callable, optional
        Called with the rows of each slice as soon as they are scored (e.g. to write them).
    progress : bool
        Show a tqdm progress bar over the slices.

    Slices on which ``incident_photons='auto'`` finds no soft-tissue noise to calibrate on
    (e.g. a head or lung-only slice) are skipped with a warning.

    Returns
    -------
    list of dict
        One row per slice, level and scorer, with the keys :data:`ROW_FIELDS`.
    """
    if not scorers:
        raise ValueError('no scorers given: pass at least one, e.g. make_scorer("noise")')
    if not doses and not sparse_views:
        raise ValueError('nothing to simulate: give dose levels, sparse-view levels or both')
    rows = []
    total = len(slices) if hasattr(slices, '__len__') else None
    bar = tqdm(slices, total=total, unit='slice', desc='dose study', disable=not progress)
    for number, item in enumerate(bar):
        ct_slice = as_hu_slice(item, source=f'slice {number}')
        try:
            levels = simulate_levels(ct_slice, doses=doses, sparse_views=sparse_views,
                                     seed=np.random.SeedSequence([seed, number]),
                                     incident_photons=incident_photons)
        except NoSoftTissueError as exc:
            warnings.warn(f'slice {number} ({ct_slice.source}) skipped: {exc}', stacklevel=2)
            continue
        slice_rows = []
        for study, pairs in levels.items():
            images = [image for _, image in pairs]
            for scorer in scorers:
                for (level, _), score in zip(pairs, _score(scorer, images, ct_slice)):
                    slice_rows.append({
                        'slice': number, 'source': ct_slice.source, 'index': ct_slice.index,
                        'study': study, 'level': level, 'scorer': scorer.name, 'score': score,
                        'higher_is_better': bool(scorer.higher_is_better)})
        rows.extend(slice_rows)
        if on_rows is not None:
            on_rows(slice_rows)
    return rows


def _series(rows):
    """(study, scorer) -> slice -> (levels, scores) with only the finite scores."""
    grouped = defaultdict(lambda: defaultdict(lambda: ([], [])))
    for row in rows:
        if np.isfinite(row['score']):
            levels, scores = grouped[row['study'], row['scorer']][row['slice']]
            levels.append(float(row['level']))
            scores.append(float(row['score']))
    return grouped


def _left_out(rows, study):
    """Scorer -> number of non-finite scores in a study (e.g. PSNR of the reference)."""
    counts = defaultdict(int)
    for row in rows:
        if row['study'] == study and not np.isfinite(row['score']):
            counts[row['scorer']] += 1
    return counts


def _safe(function, *args, **kwargs):
    """A statistic, or NaN when it is undefined for these points (too few, no convergence)."""
    try:
        return function(*args, **kwargs)
    except (ValueError, RuntimeError):
        return float('nan')


def correlation_table(rows):
    """How each scorer follows the level, over all slices of each study.

    Parameters
    ----------
    rows : list of dict
        Rows of :func:`run_dose_study`. Non-finite scores (e.g. PSNR of the reference itself)
        are left out.

    Returns
    -------
    list of dict
        One entry per (study, scorer): ``n`` (scores used), ``plcc``, ``plcc_logistic`` (after
        the five-parameter logistic fit from score to level), ``srocc``, ``krocc``,
        ``overall`` (|PLCC| + |SROCC| + |KROCC|, plain PLCC), pooled over all slices and
        levels, and ``srocc_per_slice``, the mean over slices of the SROCC within one slice
        (how monotonically the score follows the level, whatever its offset between slices).
        NaN where a statistic is undefined.
    """
    table = []
    for (study, scorer), by_slice in _series(rows).items():
        levels = np.concatenate([np.asarray(lv) for lv, _ in by_slice.values()])
        scores = np.concatenate([np.asarray(sc) for _, sc in by_slice.values()])
        within = [_safe(srocc, sc, lv) for lv, sc in by_slice.values() if len(lv) >= 3]
        within = [w for w in within if np.isfinite(w)]
        entry = {'study': study, 'scorer': scorer, 'n': int(scores.size),
                 'plcc': _safe(plcc, scores, levels),
                 'plcc_logistic': _safe(plcc, scores, levels, logistic=True),
                 'srocc': _safe(srocc, scores, levels), 'krocc': _safe(krocc, scores, levels)}
        entry['overall'] = abs(entry['plcc']) + abs(entry['srocc']) + abs(entry['krocc'])
        entry['srocc_per_slice'] = float(np.mean(within)) if within else float('nan')
        table.append(entry)
    return table


def format_table(table):
    """The correlation table as aligned text, one line per (study, scorer)."""
    columns = TABLE_FIELDS[3:]
    lines = [f'{"study":<12} {"scorer":<10} {"n":>5} ' + ' '.join(f'{c:>15}' for c in columns)]
    for entry in table:
        lines.append(f'{entry["study"]:<12} {entry["scorer"]:<10} {entry["n"]:>5} '
                     + ' '.join(f'{entry[c]:>15.4f}' for c in columns))
    return '\n'.join(lines)


def plot_study(rows, out_dir, *, study='dose'):
    """PNG plots of one study: score vs level per slice, normalised curves, logistic fits.

    Parameters
    ----------
    rows : list of dict
        Rows of :func:`run_dose_study`.
    out_dir : str or path-like
        Folder to write into (created if needed).
    study : str
        'dose' or 'sparse_view'.

    Returns
    -------
    list of str
        Paths of ``{study}_score_vs_level.png`` (one panel per scorer, a line per slice and
        their mean), ``{study}_normalised.png`` (each scorer's mean curve min-max normalised
        to [0, 1], flipped for lower-is-better scorers so that 1 is the best quality, as the
        D2IQA paper's figure 10) and ``{study}_logistic.png`` (level against score, all
        slices, with the fitted five-parameter logistic); nothing when the study has no rows.
    """
    from matplotlib.figure import Figure

    series = {scorer: by_slice for (name, scorer), by_slice in _series(rows).items()
              if name == study}
    if not series:
        return []
    higher = {row['scorer']: row['higher_is_better'] for row in rows}
    left_out = _left_out(rows, study)
    label = STUDIES[study]
    os.makedirs(out_dir, exist_ok=True)
    paths = []

    def save(figure, name):
        path = os.path.join(os.fspath(out_dir), f'{study}_{name}.png')
        figure.tight_layout()
        figure.savefig(path, dpi=110)
        paths.append(path)

    def mean_curve(by_slice):
        per_level = defaultdict(list)
        for levels, scores in by_slice.values():
            for level, score in zip(levels, scores):
                per_level[level].append(score)
        x = np.array(sorted(per_level))
        return x, np.array([np.mean(per_level[level]) for level in x])

    def level_axis(axes):
        axes.set_xlabel(label)
        if study == 'dose':
            axes.set_xscale('log')
            ticks = sorted({float(row['level']) for row in rows if row['study'] == study})
            axes.set_xticks(ticks, [f'{t:g}' for t in ticks])
            axes.minorticks_off()

    n = len(series)
    figure = Figure(figsize=(4.2 * n, 3.6))
    for axes, (scorer, by_slice) in zip(figure.subplots(1, n, squeeze=False)[0], series.items()):
        for levels, scores in by_slice.values():
            order = np.argsort(levels)
            axes.plot(np.asarray(levels)[order], np.asarray(scores)[order], color='0.6', lw=0.8,
                      marker='.', ms=3)
        x, mean = mean_curve(by_slice)
        axes.plot(x, mean, color='C0', lw=2.2, marker='o', label=f'mean of {len(by_slice)} slices')
        if left_out[scorer]:
            axes.plot([], [], ' ', label=f'{left_out[scorer]} non-finite scores left out')
        axes.set_title(f'{scorer} ({"higher" if higher[scorer] else "lower"} is better)')
        axes.set_ylabel(scorer)
        level_axis(axes)
        axes.legend(fontsize=8)
    save(figure, 'score_vs_level')

    figure = Figure(figsize=(6, 4.2))
    axes = figure.subplots()
    for number, (scorer, by_slice) in enumerate(series.items()):
        x, mean = mean_curve(by_slice)
        span = np.ptp(mean)
        normalised = (mean - mean.min()) / span if span > 0 else np.full_like(mean, 0.5)
        if not higher[scorer]:
            normalised = 1 - normalised
        axes.plot(x, normalised, marker='o', color=f'C{number}',
                  label=scorer if higher[scorer] else f'{scorer} (flipped)')
    level_axis(axes)
    axes.set_ylabel('normalised score (1 = best quality)')
    axes.set_ylim(-0.05, 1.05)
    axes.legend(fontsize=8)
    axes.set_title('mean score over slices, min-max normalised')
    save(figure, 'normalised')

    figure = Figure(figsize=(4.2 * n, 3.6))
    for axes, (scorer, by_slice) in zip(figure.subplots(1, n, squeeze=False)[0], series.items()):
        levels = np.concatenate([np.asarray(lv) for lv, _ in by_slice.values()])
        scores = np.concatenate([np.asarray(sc) for _, sc in by_slice.values()])
        axes.scatter(scores, levels, s=10, color='C0', alpha=0.6)
        title = f'PLCC {_safe(plcc, scores, levels):.3f}, SROCC {_safe(srocc, scores, levels):.3f}'
        fit = _safe(fit_logistic, scores, levels)
        if isinstance(fit, LogisticFit):
            grid = np.linspace(scores.min(), scores.max(), 200)
            axes.plot(grid, fit.predict(grid), color='C3', lw=1.8,
                      label=f'logistic fit: PLCC {_safe(plcc, scores, levels, logistic=True):.3f}')
            axes.legend(fontsize=8)
        axes.set_xlabel(scorer)
        axes.set_ylabel(label)
        axes.set_title(f'{scorer}: {title}', fontsize=10)
    save(figure, 'logistic')
    return paths
