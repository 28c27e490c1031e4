"""Assemble the reports: :func:`build_report` (batch results) and :func:`build_dose_report`."""
import base64
import csv
import datetime
import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from importlib import metadata
from pathlib import Path

import numpy as np

from ..io import CTReadError, load_series
from ..scoring.lock import write_atomic
from . import figures
from .page import figure_html, page, section, table_html
from .results import OUTLIER_MADS, compare, load_result_set, series_table, worst_slices

__all__ = ['build_dose_report', 'build_report']

_PACKAGES = ('ct-nriqa', 'numpy', 'torch', 'onedl-mmdetection', 'matplotlib')


def _versions():
    found = []
    for name in _PACKAGES:
        try:
            found.append(f'{name} {metadata.version(name)}')
        except metadata.PackageNotFoundError:
            continue
    return ', '.join(found)


def _made_line():
    return f'Made {datetime.datetime.now():%Y-%m-%d %H:%M} with {_versions()}.'


def _fmt(value, digits=4):
    return '' if value is None else f'{value:.{digits}f}'


class _TrialDrawer:
    """Draws one trial of a result row's slice (lesions and detections) when it can."""

    def __init__(self, settings):
        self.settings = settings
        self.scorer = None
        self.note = None
        if settings.get('scorer') != 'd2iqa':
            self.note = (f'scorer {settings.get("scorer", "unknown")!r} pastes no lesions: '
                         'the slices are shown alone')
            return
        checkpoint = settings.get('checkpoint')
        if checkpoint and not os.path.isfile(checkpoint):
            self.note = (f'the checkpoint of the run ({checkpoint}) is not on this machine: the '
                         'slices are shown without lesions or detections')
            return
        from ..scoring import D2IQAScorer

        options = {k: settings[k] for k in ('trials', 'set_size', 'seed', 'pixel_spacing')
                   if settings.get(k) is not None}
        try:
            self.scorer = D2IQAScorer(checkpoint=checkpoint, profile=settings.get('profile'),
                                      config=settings.get('config'), **options)
        except (ValueError, FileNotFoundError, RuntimeError) as exc:
            self.note = f'the detector could not be loaded ({exc}): slices shown alone'

    def draw(self, row):
        """(data URI, caption) of the row's slice, or (None, reason) when unreadable."""
        title = (f'{os.path.basename(row["file"])} [{row["slice_index"]}]: '
                 f'{row["score"]:.3f} \u00b1 {_fmt(row["sem"], 3) or "?"}')
        try:
            slices = load_series(row['file'], values=self.settings.get('values'))
            ct_slice = slices[row['slice_index']] if len(slices) > 1 else slices[0]
        except (CTReadError, IndexError, OSError) as exc:
            return None, f'{title}: cannot be shown ({exc})'
        if self.scorer is None:
            from ..io import window
            image, detections = window(ct_slice.hu, preset='d2iqa'), None
        else:
            image, detections = self.scorer.example_trial(ct_slice)
        figure = figures.trial_thumbnail(image, detections, title=title)
        caption = (f'{row["file"]}, slice {row["slice_index"]}'
                   + ('' if detections is None else ': trial 0, pasted lesions in green, '
                      'detections (confidence >= 0.3) in red'))
        return figures.png_data_uri(figure), caption

    def close(self):
        if self.scorer is not None:
            self.scorer.close()


def _group_section(result_set, table):
    """The group view: sortable table of series, distribution figure, outliers."""
    scores = {uid: np.array([r['score'] for r in rows if r['score'] is not None
                             and np.isfinite(r['score'])])
              for uid, rows in result_set.by_series().items()}
    rows = [[s['series_uid'], s['n_slices'], s['mean'], s['median'], s['p10'], s['min'],
             s['scanner'], s['kernel'], s['ctdi_vol'],
             '' if s['mads'] is None else f"{s['mads']:+.2f}", s['outlier']] for s in table]
    flagged = [s for s in table if s['outlier']]
    note = (f'{len(flagged)} series flagged: their median score lies more than {OUTLIER_MADS:g} '
            'scaled MADs (1.4826 x median absolute deviation) from the median of the series '
            'medians: ' + ', '.join(s['series_uid'] for s in flagged) if flagged else
            f'No series is a robust outlier (median beyond {OUTLIER_MADS:g} scaled MADs of the '
            "group's).")
    parts = [f'<p class="note">{note} Click a column to sort.</p>',
             table_html(['series', 'slices', 'mean', 'median', '10th percentile', 'min',
                         'scanner', 'kernel', 'mean CTDIvol (mGy)', 'MADs from group',
                         'outlier'], rows, sortable=True,
                        row_classes=['outlier' if s['outlier'] else '' for s in table],
                        table_id=f'series-{result_set.label}')]
    if table:
        parts.append(figure_html(figures.png_data_uri(
            figures.distribution_figure(table, scores)),
            'Distribution of the slice scores of each series; outlier series in red.'))
    return parts


def _series_figure_uri(job):
    rows, colour = job
    return figures.png_data_uri(figures.series_figure(rows, colour=colour))


def _series_figures(result_set, table):
    """The data URIs of the series' figures, drawn by worker processes when there are many."""
    by_series = result_set.by_series()
    jobs = [([r for r in by_series[summary['series_uid']]
              if r['score'] is not None and np.isfinite(r['score'])],
             figures.series_colour(number)) for number, summary in enumerate(table)]
    workers = min(len(jobs) // 8, os.cpu_count() or 1, 8)
    if workers < 2 or 'fork' not in multiprocessing.get_all_start_methods():
        return [_series_figure_uri(job) for job in jobs]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context('fork')) as pool:
        return list(pool.map(_series_figure_uri, jobs, chunksize=4))


def _series_sections(table, uris):
    parts = []
    for summary, uri in zip(table, uris):
        facts = (f'{summary["n_slices"]} slices, median {summary["median"]:.4f}, 10th '
                 f'percentile {summary["p10"]:.4f}; {summary["scanner"] or "scanner unknown"}, '
                 f'kernel {summary["kernel"] or "unknown"}, mean CTDIvol '
                 f'{_fmt(summary["ctdi_vol"], 2) or "unknown"} mGy')
        flag = ' <span class="flag">outlier</span>' if summary['outlier'] else ''
        parts.append(f'<h3>{summary["series_uid"]}{flag}</h3><p class="note">{facts}</p>'
                     + figure_html(uri,
                                   'Score along the patient axis (error bars: standard error '
                                   'over the sets of trials); dose on the right axis where the '
                                   'headers give it.'))
    return parts


def _worst_section(result_set, count):
    rows = worst_slices(result_set, count)
    if not rows:
        return []
    drawer = _TrialDrawer(result_set.settings)
    try:
        shown = [drawer.draw(row) for row in rows]
    finally:
        drawer.close()
    cells = ''.join(figure_html(uri, caption) if uri else f'<p class="note">{caption}</p>'
                    for uri, caption in shown)
    note = drawer.note or ('Each slice with the lesions of its first trial (green) and what '
                           'the detector found (red, with class and confidence): missed or '
                           'low-confidence lesions are why a slice scores low.')
    return [f'<p class="note">{note}</p><div class="thumbnails">{cells}</div>']


def _comparison_section(comparison):
    d = comparison.difference
    summary = (f'{d.n} slices of {comparison.first} and {comparison.second} matched by '
               f'{comparison.matched_by}. Mean paired difference ({comparison.second} - '
               f'{comparison.first}) {d.mean:+.4f}, {d.confidence:.0%} confidence interval '
               + (f'{d.low:+.4f} to {d.high:+.4f}' if np.isfinite(d.low) else 'undefined (one pair)')
               + (f' (standard deviation {d.sd:.4f}).' if np.isfinite(d.sd) else '.'))
    if np.isfinite(d.low):
        summary += (' The interval excludes 0: the difference is significant at this level.'
                    if d.low > 0 or d.high < 0 else ' The interval includes 0.')
    rows = [[os.path.basename(a['file']), a['slice_index'], a['score'], b['score'],
             b['score'] - a['score']] for a, b in comparison.pairs]
    return [f'<p>{summary}</p>',
            figure_html(figures.png_data_uri(figures.comparison_figure(comparison)),
                        'Left: paired scores against the identity line. Right: the paired '
                        'differences, their mean and its confidence interval.'),
            '<details><summary>Every pair</summary>'
            + table_html(['file', 'slice', comparison.first, comparison.second, 'difference'],
                         rows, sortable=True) + '</details>']


def _settings_section(result_sets):
    parts = []
    for result_set in result_sets:
        settings = result_set.settings or {'note': 'no settings file beside the CSV'}
        rows = [[key, json.dumps(value) if not isinstance(value, str) else value]
                for key, value in settings.items()]
        parts.append(f'<h3>{result_set.label}</h3><p class="note">{result_set.path}</p>'
                     + table_html(['setting', 'value'], rows))
    parts.append(f'<p class="note">{_made_line()}</p>')
    return parts


def _errors_section(result_set):
    if not result_set.errors:
        return ['<p class="note">No file or slice was left unscored.</p>']
    rows = [[e['file'], e['slice_index'], e['reason']] for e in result_set.errors]
    return [f'<p class="note">{len(rows)} files or slices were not scored.</p>',
            table_html(['file', 'slice', 'reason'], rows, sortable=True)]


def build_report(results, *, out, labels=None, worst=8, title=None):
    """Write one self-contained HTML report of ``d2iqa score`` results.

    Parameters
    ----------
    results : sequence of str or path-like
        Per-slice CSVs (``--out`` of ``d2iqa score``); their settings and errors files are
        read from beside them.
    out : str or path-like
        The HTML file.
    labels : sequence of str, optional
        Names of the result sets (default: the CSV file names).
    worst : int
        Thumbnails of this many lowest-scoring slices per result set, each with one trial's
        lesions and the detector's boxes (when the run's checkpoint is on this machine).
    title : str, optional

    Returns
    -------
    Path
        ``out``.
    """
    if not results:
        raise ValueError('no results to report: pass at least one results CSV')
    labels = list(labels) if labels is not None else [None] * len(results)
    if len(labels) != len(results):
        raise ValueError(f'{len(labels)} labels for {len(results)} result sets')
    result_sets = [load_result_set(path, label=label) for path, label in zip(results, labels)]
    names = [s.label for s in result_sets]
    if len(set(names)) != len(names):
        result_sets = [load_result_set(path, label=f'{number + 1}: {s.label}')
                       for number, (path, s) in enumerate(zip(results, result_sets))]
    sections = []
    for result_set in result_sets:
        table = series_table(result_set)
        series_uris = _series_figures(result_set, table)   # before any detector is loaded
        n_slices = len(result_set.rows)
        heading = (f'{result_set.label}: {len(table)} series, {n_slices} slices, '
                   f'{len(result_set.errors)} not scored')
        sections.append(section(heading, *_group_section(result_set, table),
                                section('Lowest-scoring slices', *_worst_section(
                                    result_set, worst), level=3) if worst else '',
                                section('Series', *_series_sections(table, series_uris),
                                        level=3),
                                section('Not scored', *_errors_section(result_set), level=3)))
    for other in result_sets[1:]:
        comparison = compare(result_sets[0], other)
        if comparison is not None:
            sections.append(section(f'Comparison: {other.label} against {result_sets[0].label}',
                                    *_comparison_section(comparison)))
    sections.append(section('How this report was made', *_settings_section(result_sets)))
    title = title or 'CT image quality report'
    subtitle = ('Results: ' + ', '.join(str(s.path) for s in result_sets)
                + '. Higher scores are better for D2IQA (range 0 to 1).')
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, page(title, subtitle, sections))
    return out


def _png_uri(path):
    return 'data:image/png;base64,' + base64.b64encode(Path(path).read_bytes()).decode('ascii')


def build_dose_report(folder, *, out=None, title=None):
    """Write the HTML report of a ``d2iqa evaluate-dose`` output folder.

    Its curves (the PNG plots in the folder) and its correlation table go into one
    self-contained page, with the per-level mean scores of every scorer.

    Parameters
    ----------
    folder : str or path-like
        The ``--out`` folder of ``d2iqa evaluate-dose`` (``scores.csv``, ``correlations.csv``,
        the plots).
    out : str or path-like, optional
        The HTML file (default ``FOLDER/report.html``).
    title : str, optional

    Returns
    -------
    Path
    """
    folder = Path(folder)
    scores_path, table_path = folder / 'scores.csv', folder / 'correlations.csv'
    for path in (scores_path, table_path):
        if not path.is_file():
            raise FileNotFoundError(f'{path} does not exist: pass the --out folder of '
                                    'd2iqa evaluate-dose')
    with open(scores_path, newline='') as stream:
        rows = list(csv.DictReader(stream))
    with open(table_path, newline='') as stream:
        table = list(csv.DictReader(stream))
    means = {}
    for row in rows:
        try:
            score = float(row['score'])
        except (TypeError, ValueError):
            continue
        if np.isfinite(score):
            means.setdefault((row['study'], row['scorer'], float(row['level'])), []).append(score)
    mean_rows = [[study, scorer, level, len(values), float(np.mean(values))]
                 for (study, scorer, level), values in sorted(means.items())]
    columns = list(table[0]) if table else []
    sections = [section('Correlation with the level', table_html(
        columns, [[_number_or_text(row[c]) for c in columns] for row in table], sortable=True)),
        section('Mean score per level', table_html(
            ['study', 'scorer', 'level', 'slices', 'mean score'], mean_rows, sortable=True))]
    plots = sorted(folder.glob('*.png'))
    if plots:
        sections.append(section('Curves', *(figure_html(_png_uri(p), p.stem.replace('_', ' '))
                                            for p in plots)))
    sections.append(section('How this report was made', f'<p class="note">{folder}: '
                            f'{len(rows)} scores. {_made_line()}</p>'))
    out = Path(out) if out is not None else folder / 'report.html'
    write_atomic(out, page(title or 'Dose study report',
                           f'{len({r["slice"] for r in rows})} slices, '
                           f'{len({r["scorer"] for r in rows})} scorers', sections))
    return out


def _number_or_text(text):
    for kind in (int, float):
        try:
            return kind(text)
        except (TypeError, ValueError):
            continue
    return text
