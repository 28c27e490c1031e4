"""Score every slice of study folders: per-slice CSV rows, per-series summaries, errors, JSON.

:func:`score_study` is what ``d2iqa score`` runs, in one process or in every rank of a
torch.distributed job. Rows are written and synced to disk as each slice finishes, one whole
row per write (a kill leaves a row whole or absent; a cut last line is dropped on resume);
with ``resume=True`` the slices already written are skipped, so a killed run loses at most
the slices in progress, and the resumed CSV has the rows of an uninterrupted one-process run
in the same order (the ``seconds`` column aside), whatever the number of processes of either
run. Unreadable files, files that are not CT images and slices that cannot host the lesions
go to the errors CSV and the run goes on. One run at a time owns the outputs
(:class:`~d2iqa.scoring.lock.OutputLock`). Output files, for ``out='results.csv'``:

* ``results.csv``: one row per scored slice (:data:`SLICE_FIELDS`);
* ``results_series.csv``: per-series mean, median, minimum and 10th percentile
  (:data:`SERIES_FIELDS`), written at the end;
* ``results_errors.csv``: what could not be scored and why (:data:`ERROR_FIELDS`), remade
  by every run (a resumed run retries the slices that failed);
* ``results_settings.json``: the scorer and options, checked by ``resume=True``;
* optionally a JSON file with the settings, the slices, the series and the errors;
* while a run is going: ``results.csv.lock`` (the owner) and, for N > 1 processes,
  ``results_partRofN.csv`` (the rows of rank R), merged into ``results.csv`` at the end.

Every file but the rows being appended is replaced atomically (:func:`~.lock.write_atomic`).
"""
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from ..io import CTReadError, discover, load_readable
from ..lesions import LesionPlacementError
from .lock import write_atomic
from .sharded import RankFailure, ShardedTable, csv_text, read_rows, results_stem

__all__ = ['ERROR_FIELDS', 'RankFailure', 'SERIES_FIELDS', 'SLICE_FIELDS', 'StudyResult',
           'output_paths', 'read_results', 'results_stem', 'score_study', 'select_slices',
           'summarise_series']

#: Columns of the per-slice CSV: where the slice is, its score, what the file says about its
#: acquisition (empty where it does not say: CTDIvol in mGy, exposure in mAs, kVp, kernel,
#: row pixel spacing and slice thickness in mm, scanner maker and model, SOPInstanceUID),
#: and the seconds its scoring took.
SLICE_FIELDS = ('file', 'series_uid', 'slice_index', 'slice_position', 'score', 'sem', 'trials',
                'ctdi_vol', 'exposure_mas', 'kvp', 'kernel', 'pixel_spacing', 'slice_thickness',
                'manufacturer', 'model', 'sop_instance_uid', 'seconds')
#: Columns a results CSV must have to be read back (older versions wrote fewer).
_REPORTED_FIELDS = ('file', 'series_uid', 'slice_index', 'slice_position', 'score', 'sem')
_NUMBER_FIELDS = {'slice_index': int, 'trials': int, 'slice_position': float, 'score': float,
                  'sem': float, 'ctdi_vol': float, 'exposure_mas': float, 'kvp': float,
                  'pixel_spacing': float, 'slice_thickness': float, 'seconds': float}
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
    stem = results_stem(out)
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


def _typed(row):
    """A CSV row (strings) with numbers as numbers and empty cells as None."""
    typed = {}
    for name in SLICE_FIELDS:
        text = row[name]
        kind = _NUMBER_FIELDS.get(name)
        typed[name] = None if text in ('', None) else kind(text) if kind else text
    return typed


def _slice_row(ct_slice, source, result, seconds):
    """The CSV row of a scored slice."""
    return {'file': ct_slice.source, 'series_uid': source.key, 'slice_index': ct_slice.index,
            'slice_position': ct_slice.slice_position, 'score': float(result.score),
            'sem': float(result.sem), 'trials': result.n_trials, 'ctdi_vol': ct_slice.ctdi_vol,
            'exposure_mas': ct_slice.exposure_mas, 'kvp': ct_slice.kvp,
            'kernel': ct_slice.kernel,
            'pixel_spacing': ct_slice.pixel_spacing[0] if ct_slice.pixel_spacing else None,
            'slice_thickness': ct_slice.slice_thickness, 'manufacturer': source.manufacturer,
            'model': source.scanner_model,
            'sop_instance_uid': ct_slice.extra.get('sop_instance_uid'),
            'seconds': round(seconds, 3)}


def read_results(path):
    """The rows of a per-slice CSV of :func:`score_study`, numbers as numbers, empty as None.

    Results of earlier versions, without the acquisition columns, read with those empty.

    Raises
    ------
    FileNotFoundError
        No such file.
    ValueError
        The file lacks the columns of a results CSV.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'{path} does not exist: pass the per-slice CSV that '
                                'd2iqa score --out wrote')
    return [_typed(row) for row in read_rows(path, SLICE_FIELDS, required=_REPORTED_FIELDS)]


def score_study(paths, scorer, *, out, json_path=None, every=1, z_range=None, values=None,
                resume=False, settings=None, progress=True):
    """Score every (selected) slice of the CT series found under ``paths``.

    Under torch.distributed (``torchrun``; the process group already initialised) every rank
    calls this with the same arguments: the slices left to score are dealt out in turn over
    the ranks, each rank appends its rows to its own part file, and rank 0 merges them at the
    end into the CSV of a one-process run (same rows, same order). A resumed run may use
    another number of processes than the run it resumes.

    Parameters
    ----------
    paths : sequence of str or path-like
        Files and folders (``d2iqa.discover``: DICOM series by SeriesInstanceUID, NIfTI
        volumes, TIFF / PNG / NPY images).
    scorer : Scorer
        E.g. ``create_scorer('d2iqa')``: ``score_slice(ct_slice)`` gives each row's
        ``.score``, ``.sem`` and ``.n_trials``.
    out : str or path-like
        The per-slice CSV; the other outputs are named after it (:func:`output_paths`),
        the lock ``out + '.lock'`` (:class:`~d2iqa.scoring.lock.OutputLock`) among them.
    json_path : str or path-like, optional
        Also write everything as JSON there.
    every : int
        Score every ``every``-th selected slice of each series.
    z_range : (float, float), optional
        Score only slices whose position along the patient axis is in ``[zmin, zmax]`` mm.
    values : str, optional
        Units of TIFF / PNG / NPY pixels ('hu' or a window preset), see ``d2iqa.load_slice``.
    resume : bool
        Keep the rows already in ``out`` (and in the part files of a killed distributed run)
        and score only the other slices; the settings must be those of the earlier run.
    settings : dict, optional
        JSON-serialisable description of the scorer and its options, saved beside the
        results and compared on resume.
    progress : bool
        Show a progress bar over the slices (rank 0's, under torch.distributed).

    Returns
    -------
    StudyResult
        The whole study's, on every rank.

    Raises
    ------
    ValueError
        For invalid options, or results to resume that were made with other settings.
    OutputLockedError
        Another run is writing to ``out``.
    RankFailure
        On ranks other than 0 when rank 0 raised one of the above.
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
    table = ShardedTable(files['slices'], SLICE_FIELDS,
                         key=lambda row: (row['file'], row['slice_index']), settings=settings,
                         settings_path=files['settings'], resume=resume)
    with table:
        return _score_shard(paths, scorer, files, table, settings, every=every,
                            z_range=z_range, values=values, progress=progress)


def _score_one(scorer, ct_slice):
    start = time.perf_counter()
    try:
        outcome = scorer.score_slice(ct_slice)
    except (CTReadError, LesionPlacementError) as exc:
        outcome = exc
    return outcome, time.perf_counter() - start


def _score_mine(scorer, mine):
    """Yield ``(position, slice, result or error, seconds)`` for this rank's slices of a series.

    A scorer with ``slices_per_call > 1`` (D2IQA with a batch larger than a set) scores them
    that many at a time, their trials batched together; a group with a slice that cannot be
    scored, or of several shapes, is scored slice by slice.
    """
    size = getattr(scorer, 'slices_per_call', 1)
    for start in range(0, len(mine), size):
        group = mine[start:start + size]
        if len(group) > 1 and len({s.shape for _, s in group}) == 1:
            began = time.perf_counter()
            try:
                results = scorer.score_slices([s for _, s in group])
            except ValueError:         # CTReadError, LesionPlacementError, or shapes differ
                pass
            else:
                seconds = (time.perf_counter() - began) / len(group)
                for (position, ct_slice), result in zip(group, results):
                    yield position, ct_slice, result, seconds
                continue
        for position, ct_slice in group:
            yield (position, ct_slice, *_score_one(scorer, ct_slice))


def _score_shard(paths, scorer, files, table, settings, *, every, z_range, values, progress):
    """Score this rank's share of the slices left; rank 0 merges and writes the summaries."""
    group = table.group
    ordered_errors = []                 # (sort key, error): the order of a one-process run
    leader = group.rank == 0
    found = discover(*paths)
    if leader:
        reported = found.errors + found.skipped
        ordered_errors.extend(((-1, 0, n), _error(path, reason))
                              for n, (path, reason) in enumerate(reported))
    bar = tqdm(total=0, unit='slice', desc='scoring' if group.size == 1 else
               f'scoring (rank 0 of {group.size})', disable=not (progress and leader))
    with bar:
        for number, source in enumerate(found.series):
            slices, unreadable = load_readable(source, values=values)
            selected, unplaced = select_slices(slices, every=every, z_range=z_range)
            if leader:
                ordered_errors.extend(((number, 0, n), _error(path, reason, series=source.key))
                                      for n, (path, reason) in enumerate(unreadable))
                ordered_errors.extend(
                    ((number, 1, n), _error(s.source, 'has no slice position: --z-range needs '
                                            'one', series=source.key, index=s.index))
                    for n, s in enumerate(unplaced))
            mine = [(position, ct_slice) for position, ct_slice in enumerate(selected)
                    if table.deal((ct_slice.source, str(ct_slice.index)))]
            bar.total += len(mine)
            bar.refresh()
            for position, ct_slice, outcome, seconds in _score_mine(scorer, mine):
                if isinstance(outcome, Exception):
                    reason = outcome.reason if isinstance(outcome, CTReadError) else str(outcome)
                    ordered_errors.append(((number, 2, position), _error(
                        ct_slice.source, reason, series=source.key, index=ct_slice.index)))
                else:
                    table.write(_slice_row(ct_slice, source, outcome, seconds))
                    bar.set_postfix_str(f'{os.path.basename(ct_slice.source)}: '
                                        f'{outcome.score:.4f}')
                bar.update()
    rows, gathered = table.finish(ordered_errors)
    study = None
    if leader:
        rows = [_typed(row) for row in rows]
        errors = [error for _, error in sorted((e for rank in gathered for e in rank),
                                               key=lambda item: item[0])]
        series = summarise_series(rows)
        write_atomic(files['series'], csv_text(SERIES_FIELDS, series))
        write_atomic(files['errors'], csv_text(ERROR_FIELDS, errors))
        if 'json' in files:
            write_atomic(files['json'], json.dumps(
                {'settings': settings, 'slices': rows, 'series': series, 'errors': errors},
                indent=2) + '\n')
        study = StudyResult(rows=rows, series=series, errors=errors, paths=files,
                            resumed=len(table.finished))
    return group.broadcast(study)
