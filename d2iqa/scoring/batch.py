"""Score every slice of study folders: per-slice CSV rows, per-series summaries, errors, JSON.

:func:`score_study` is what ``d2iqa score`` runs. Rows are written and flushed as each slice
finishes; with ``resume=True`` the slices already in the CSV are skipped, so a killed run
loses at most the slice in progress, and the resumed CSV has the rows of an uninterrupted run
in the same order (the ``seconds`` column aside). Unreadable files and slices that cannot host
the lesions go to the errors CSV and the run goes on. Output files, for ``out='results.csv'``:

* ``results.csv``: one row per scored slice (:data:`SLICE_FIELDS`);
* ``results_series.csv``: per-series mean, median, minimum and 10th percentile
  (:data:`SERIES_FIELDS`), written at the end;
* ``results_errors.csv``: what could not be scored and why (:data:`ERROR_FIELDS`), remade
  by every run (a resumed run retries the slices that failed);
* ``results_settings.json``: the scorer and options, checked by ``resume=True``;
* optionally a JSON file with the settings, the slices, the series and the errors.
"""
import csv
import io
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from ..io import CTReadError, discover, load_series
from ..lesions import LesionPlacementError

__all__ = ['ERROR_FIELDS', 'SERIES_FIELDS', 'SLICE_FIELDS', 'StudyResult', 'output_paths',
           'score_study', 'select_slices', 'summarise_series']

#: Columns of the per-slice CSV.
SLICE_FIELDS = ('file', 'series_uid', 'slice_index', 'slice_position', 'score', 'sem', 'trials',
                'seconds')
#: Columns of the per-series CSV.
SERIES_FIELDS = ('series_uid', 'n_slices', 'mean', 'median', 'min', 'p10')
#: Columns of the errors CSV.
ERROR_FIELDS = ('file', 'series_uid', 'slice_index', 'reason')


@dataclass
class StudyResult:
    """What :func:`score_study` scored.

    Attributes
    ----------
    rows : list of dict
        Per-slice rows (:data:`SLICE_FIELDS`; numbers as numbers, empty cells None), resumed
        ones included, in CSV order.
    series : list of dict
        Per-series summaries (:data:`SERIES_FIELDS`).
    errors : list of dict
        What could not be scored (:data:`ERROR_FIELDS`).
    paths : dict
        Output files by role: 'slices', 'series', 'errors', 'settings' and maybe 'json'.
    resumed : int
        Rows taken over from an earlier run.
    """

    rows: list
    series: list
    errors: list
    paths: dict
    resumed: int = 0


def output_paths(out, *, json_path=None):
    """The output files of a run writing its per-slice rows to ``out`` (see module docstring)."""
    out = Path(out)
    stem = out.with_suffix('') if out.suffix.lower() == '.csv' else out
    paths = {'slices': out, 'series': Path(f'{stem}_series.csv'),
             'errors': Path(f'{stem}_errors.csv'), 'settings': Path(f'{stem}_settings.json')}
    if json_path is not None:
        paths['json'] = Path(json_path)
    return paths


def select_slices(slices, *, every=1, z_range=None):
    """The slices of one series to score.

    Parameters
    ----------
    slices : list of CTSlice
        A series, sorted (``load_series``).
    every : int
        Keep every ``every``-th slice (of those in ``z_range``), starting with the first.
    z_range : (float, float), optional
        Keep slices whose ``slice_position`` (mm) lies in ``[zmin, zmax]``.

    Returns
    -------
    selected : list of CTSlice
    without_position : list of CTSlice
        Slices left out because ``z_range`` was given and they have no position.
    """
    without_position = []
    if z_range is not None:
        low, high = z_range
        kept = []
        for ct_slice in slices:
            if ct_slice.slice_position is None:
                without_position.append(ct_slice)
            elif low <= ct_slice.slice_position <= high:
                kept.append(ct_slice)
        slices = kept
    return slices[::every], without_position


def summarise_series(rows):
    """Per-series mean, median, minimum and 10th percentile of the finite scores of ``rows``."""
    by_series = {}
    for row in rows:
        by_series.setdefault(row['series_uid'], []).append(row['score'])
    summaries = []
    for uid, scores in by_series.items():
        scores = np.asarray(scores, dtype=np.float64)
        scores = scores[np.isfinite(scores)]
        if not scores.size:
            continue
        summaries.append({'series_uid': uid, 'n_slices': int(scores.size),
                          'mean': float(scores.mean()), 'median': float(np.median(scores)),
                          'min': float(scores.min()), 'p10': float(np.percentile(scores, 10))})
    return summaries


def _error(path, reason, *, series='', index=''):
    return {'file': str(path), 'series_uid': series, 'slice_index': index, 'reason': reason}


def _load(source, values, errors):
    """The slices of a series; unreadable DICOM files are reported and the rest loaded."""
    try:
        return load_series(source, values=values)
    except CTReadError as exc:
        if source.kind != 'dicom' or len(source.paths) == 1:
            errors.append(_error(exc.path, exc.reason, series=source.key))
            return []
    readable = []
    for path in source.paths:
        try:
            load_series([path], values=values)
            readable.append(path)
        except CTReadError as exc:
            errors.append(_error(path, exc.reason, series=source.key))
    return load_series(readable, values=values) if readable else []


def _read_finished(path):
    """Complete rows of an earlier run's CSV (a last line cut by a kill is dropped)."""
    text = path.read_text()
    if not text.endswith('\n'):
        text = text[:text.rfind('\n') + 1]
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is not None and tuple(reader.fieldnames) != SLICE_FIELDS:
        raise ValueError(f'{path} has columns {reader.fieldnames}, not those of d2iqa score '
                         f'{list(SLICE_FIELDS)}: choose another --out, or remove it')
    return [row for row in reader if None not in row.values() and None not in row]


def _typed(row):
    """A CSV row (strings) with numbers as numbers and empty cells as None."""
    def number(text, kind):
        return None if text in ('', None) else kind(text)

    return {'file': row['file'], 'series_uid': row['series_uid'],
            'slice_index': number(row['slice_index'], int),
            'slice_position': number(row['slice_position'], float),
            'score': number(row['score'], float), 'sem': number(row['sem'], float),
            'trials': number(row['trials'], int), 'seconds': number(row['seconds'], float)}


def _check_settings(path, settings):
    if path.is_file():
        earlier = json.loads(path.read_text())
        if earlier != settings:
            changed = sorted(k for k in set(earlier) | set(settings)
                             if earlier.get(k) != settings.get(k))
            raise ValueError(f'the results to resume were made with other settings ({path}: '
                             f'{", ".join(f"{k}={earlier.get(k)!r}" for k in changed)}; now '
                             f'{", ".join(f"{k}={settings.get(k)!r}" for k in changed)}): '
                             'resume with the same options, or start again without --resume')


def _write_csv(path, fields, rows):
    with open(path, 'w', newline='') as stream:
        writer = csv.DictWriter(stream, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def score_study(paths, scorer, *, out, json_path=None, every=1, z_range=None, values=None,
                resume=False, settings=None, progress=True):
    """Score every (selected) slice of the CT series found under ``paths``.

    Parameters
    ----------
    paths : sequence of str or path-like
        Files and folders (``d2iqa.discover``: DICOM series by SeriesInstanceUID, NIfTI
        volumes, TIFF / PNG / NPY images).
    scorer : Scorer
        E.g. ``create_scorer('d2iqa')``: ``score_slice(ct_slice)`` gives each row's
        ``.score``, ``.sem`` and ``.n_trials``.
    out : str or path-like
        The per-slice CSV; the other outputs are named after it (:func:`output_paths`).
    json_path : str or path-like, optional
        Also write everything as JSON there.
    every : int
        Score every ``every``-th selected slice of each series.
    z_range : (float, float), optional
        Score only slices whose position along the patient axis is in ``[zmin, zmax]`` mm.
    values : str, optional
        Units of TIFF / PNG / NPY pixels ('hu' or a window preset), see ``d2iqa.load_slice``.
    resume : bool
        Keep the rows already in ``out`` and score only the other slices; the settings must
        be those of the earlier run.
    settings : dict, optional
        JSON-serialisable description of the scorer and its options, saved beside the
        results and compared on resume.
    progress : bool
        Show a progress bar over the slices.

    Returns
    -------
    StudyResult

    Raises
    ------
    ValueError
        For invalid options, or results to resume that were made with other settings.
    """
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        raise ValueError(f'every must be a positive integer, got {every!r}')
    if z_range is not None:
        z_range = tuple(float(z) for z in z_range)
        if len(z_range) != 2 or z_range[0] > z_range[1]:
            raise ValueError(f'z_range must be (zmin, zmax) with zmin <= zmax, got {z_range}')
    files = output_paths(out, json_path=json_path)
    settings = json.loads(json.dumps({**(settings or {}), 'every': every, 'z_range': z_range,
                                      'values': values}))
    files['slices'].parent.mkdir(parents=True, exist_ok=True)
    finished = []
    if resume and files['slices'].is_file():
        _check_settings(files['settings'], settings)
        finished = _read_finished(files['slices'])
    files['settings'].write_text(json.dumps(settings, indent=2) + '\n')
    _write_csv(files['slices'], SLICE_FIELDS, finished)

    done = {(row['file'], row['slice_index']) for row in finished}
    rows, errors = [_typed(row) for row in finished], []
    found = discover(*paths)
    errors.extend(_error(path, reason) for path, reason in found.errors)
    bar = tqdm(total=0, unit='slice', desc='scoring', disable=not progress)
    with open(files['slices'], 'a', newline='') as stream, bar:
        writer = csv.DictWriter(stream, fieldnames=SLICE_FIELDS)
        for source in found.series:
            selected, unplaced = select_slices(_load(source, values, errors), every=every,
                                               z_range=z_range)
            errors.extend(_error(s.source, 'has no slice position: --z-range needs one',
                                 series=source.key, index=s.index) for s in unplaced)
            bar.total += len(selected)
            bar.refresh()
            for ct_slice in selected:
                if (ct_slice.source, str(ct_slice.index)) in done:
                    bar.update()
                    continue
                start = time.perf_counter()
                try:
                    result = scorer.score_slice(ct_slice)
                except (CTReadError, LesionPlacementError) as exc:
                    errors.append(_error(ct_slice.source, str(exc), series=source.key,
                                         index=ct_slice.index))
                    bar.update()
                    continue
                row = {'file': ct_slice.source, 'series_uid': source.key,
                       'slice_index': ct_slice.index, 'slice_position': ct_slice.slice_position,
                       'score': float(result.score), 'sem': float(result.sem),
                       'trials': result.n_trials,
                       'seconds': round(time.perf_counter() - start, 3)}
                writer.writerow(row)
                stream.flush()
                rows.append(row)
                bar.set_postfix_str(f'{os.path.basename(ct_slice.source)}: {result.score:.4f}')
                bar.update()
    series = summarise_series(rows)
    _write_csv(files['series'], SERIES_FIELDS, series)
    _write_csv(files['errors'], ERROR_FIELDS, errors)
    if 'json' in files:
        files['json'].write_text(json.dumps(
            {'settings': settings, 'slices': rows, 'series': series, 'errors': errors},
            indent=2) + '\n')
    return StudyResult(rows=rows, series=series, errors=errors, paths=files,
                       resumed=len(finished))
