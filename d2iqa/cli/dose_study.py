"""The dose-response study behind ``d2iqa evaluate-dose``: simulate, score, correlate, plot.

For every slice the levels are simulated (:func:`d2iqa.simulation.simulate_levels`), every
scorer (:class:`d2iqa.scoring.Scorer`, built by :func:`d2iqa.scoring.create_scorer`) scores
all the levels of that slice in one ``score_series`` call with the full-dose slice as
reference (so that D2IQA pastes the same lesions into every level), and each (slice, level,
scorer) gives one row. :func:`correlation_table` then measures how each scorer follows the
level, and :func:`plot_study` draws the curves.
"""
import os
import warnings
from collections import defaultdict

import numpy as np
from tqdm.auto import tqdm

from ..evaluation import LogisticFit, fit_logistic, krocc, plcc, srocc
from ..io import as_hu_slice
from ..simulation import DEFAULT_DOSES, NoSoftTissueError, simulate_levels

__all__ = ['ROW_FIELDS', 'STUDIES', 'TABLE_FIELDS', 'correlation_table', 'format_table',
           'plot_study', 'run_dose_study']

#: Study name -> what its level is.
STUDIES = {'dose': 'dose (%)', 'sparse_view': 'views'}
#: Columns of a score row (one per slice, level and scorer).
ROW_FIELDS = ('slice', 'source', 'index', 'study', 'level', 'scorer', 'score', 'higher_is_better')
#: Columns of the correlation table.
TABLE_FIELDS = ('study', 'scorer', 'n', 'plcc', 'plcc_logistic', 'srocc', 'krocc', 'overall',
                'srocc_per_slice')


def _score(scorer, images, ct_slice):
    results = scorer.score_series(images, reference=ct_slice)
    if len(results) != len(images):
        raise RuntimeError(f'scorer {scorer.name!r} returned {len(results)} scores for '
                           f'{len(images)} levels')
    return [float(result.score) for result in results]


def run_dose_study(slices, scorers, *, doses=DEFAULT_DOSES, sparse_views=(), seed=0,
                   incident_photons='auto', on_rows=None, progress=True):
    """Simulate the levels of every slice and score every level with every scorer.

    Parameters
    ----------
    slices : iterable of CTSlice or array_like
        Full-dose slices in HU.
    scorers : sequence of Scorer
        E.g. ``[create_scorer('noise'), create_scorer('d2iqa')]``.
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
        raise ValueError('no scorers given: pass at least one, e.g. create_scorer("noise")')
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
            images = [ct_slice.with_hu(image) for _, image in pairs]
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
