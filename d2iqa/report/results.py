"""What a report shows, from ``d2iqa score`` outputs: series tables, outliers, worst slices,
paired comparisons. Pure Python and numpy (no plotting)."""
import csv
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..evaluation.stats import paired_difference, robust_outliers
from ..scoring.batch import output_paths, read_results

__all__ = ['Comparison', 'ResultSet', 'compare', 'load_result_set', 'series_table',
           'worst_slices']

#: A series is flagged when its median score is further than this many scaled MADs from the
#: median of the series medians.
OUTLIER_MADS = 3.0


@dataclass
class ResultSet:
    """One run of ``d2iqa score``: its rows, settings and errors.

    Attributes
    ----------
    label : str
        Its name in the report (the CSV's file name unless given).
    path : Path
        The per-slice CSV.
    rows : list of dict
        :func:`~d2iqa.scoring.batch.read_results` rows.
    settings : dict
        The run's ``*_settings.json`` (empty when absent).
    errors : list of dict
        The run's ``*_errors.csv`` rows (empty when absent).
    """

    label: str
    path: Path
    rows: list
    settings: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)

    def by_series(self):
        """``{series_uid: [rows in slice order]}``, in the order the series first appear."""
        series = {}
        for row in self.rows:
            series.setdefault(row['series_uid'], []).append(row)
        for rows in series.values():
            rows.sort(key=lambda r: (r['slice_index'] is None, r['slice_index']))
        return series


def load_result_set(path, *, label=None):
    """Read a per-slice CSV of ``d2iqa score`` and the settings and errors beside it."""
    path = Path(path)
    rows = read_results(path)
    files = output_paths(path)
    settings = json.loads(files['settings'].read_text()) if files['settings'].is_file() else {}
    errors = []
    if files['errors'].is_file():
        with open(files['errors'], newline='') as stream:
            errors = list(csv.DictReader(stream))
    return ResultSet(label or path.name, path, rows, settings, errors)


def _finite(values):
    values = np.asarray([v for v in values if v is not None], dtype=np.float64)
    return values[np.isfinite(values)]


def _joined(values):
    """The distinct non-empty values, most common first, joined by ' / '."""
    counts = Counter(v for v in values if v not in (None, ''))
    return ' / '.join(value for value, _ in counts.most_common())


def series_table(result_set):
    """One row per series: counts, score summaries, scanner, kernel, CTDIvol, outlier flag.

    Returns
    -------
    list of dict
        Keys ``series_uid, n_slices, mean, median, p10, min, scanner, kernel, ctdi_vol``
        (mean CTDIvol in mGy, None when unknown), ``outlier`` (bool) and ``mads`` (signed
        distance of the median from the group's, in scaled MADs; None when undefined), in the
        order the series first appear. Series without a finite score are left out.
    """
    table = []
    for uid, rows in result_set.by_series().items():
        scores = _finite(r['score'] for r in rows)
        if not scores.size:
            continue
        ctdi = _finite(r['ctdi_vol'] for r in rows)
        scanner = _joined(' '.join(filter(None, (r['manufacturer'], r['model']))) for r in rows)
        table.append({'series_uid': uid, 'n_slices': int(scores.size),
                      'mean': float(scores.mean()), 'median': float(np.median(scores)),
                      'p10': float(np.percentile(scores, 10)), 'min': float(scores.min()),
                      'scanner': scanner, 'kernel': _joined(r['kernel'] for r in rows),
                      'ctdi_vol': float(ctdi.mean()) if ctdi.size else None})
    flagged, distance = robust_outliers([s['median'] for s in table], threshold=OUTLIER_MADS)
    for summary, is_outlier, mads in zip(table, flagged, distance):
        summary['outlier'] = bool(is_outlier)
        summary['mads'] = None if not np.isfinite(mads) else float(mads)
    return table


def worst_slices(result_set, count):
    """The ``count`` rows with the lowest finite scores, lowest first."""
    rows = [r for r in result_set.rows if r['score'] is not None and np.isfinite(r['score'])]
    return sorted(rows, key=lambda r: r['score'])[:count]


@dataclass
class Comparison:
    """Paired scores of the slices two result sets share.

    Attributes
    ----------
    first, second : str
        Labels of the result sets (differences are second - first).
    matched_by : str
        'SOPInstanceUID' or 'file name and slice index'.
    pairs : list of (dict, dict)
        The rows of each shared slice, in the first set's order.
    difference : PairedDifference
        Mean of second - first with its 95 % confidence interval.
    """

    first: str
    second: str
    matched_by: str
    pairs: list
    difference: object


def _keys(rows, kind):
    if kind == 'SOPInstanceUID':
        return {(r['sop_instance_uid'], r['slice_index']): r for r in rows
                if r['sop_instance_uid']}
    return {(os.path.basename(r['file']), r['slice_index']): r for r in rows}


def compare(first, second):
    """Pair the slices of two result sets, by SOPInstanceUID or else by file name.

    Returns
    -------
    Comparison or None
        None when they share no slice with finite scores in both.
    """
    best = None
    for kind in ('SOPInstanceUID', 'file name and slice index'):
        a, b = _keys(first.rows, kind), _keys(second.rows, kind)
        pairs = [(a[key], b[key]) for key in a if key in b
                 and all(r['score'] is not None and np.isfinite(r['score'])
                         for r in (a[key], b[key]))]
        if pairs and (best is None or len(pairs) > len(best[1])):
            best = (kind, pairs)
    if best is None:
        return None
    kind, pairs = best
    difference = paired_difference([a['score'] for a, _ in pairs], [b['score'] for _, b in pairs])
    return Comparison(first.label, second.label, kind, pairs, difference)
