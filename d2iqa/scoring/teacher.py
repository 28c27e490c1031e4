"""Teacher labels: paired D2IQA scores of slices at a ladder of degradations.

A one-pass student (MD-IQA trained on D2IQA scores) learns from these rows:
``tools/make_teacher_labels.py`` runs :func:`make_teacher_labels` on the training slices.
Every slice is degraded at every rung of the ladder (simulated dose, sparse views, both) and
all its versions are scored with the **same lesion configurations** (paired trials placed on
the full dose, ``D2IQAScorer.score_series(versions, reference=slice)``), so that the labels
of one slice order its degradations with the least trial noise. The rows go through a
:class:`~d2iqa.scoring.sharded.ShardedTable`: incremental, resumable, one run at a time, and
shared out among the ranks of a torch.distributed job. Labels extend to more trials without
running again the trials they hold (``extend=``): trial ``t`` has the same lesions in any run.
"""
import hashlib
import io
import json
import os
import time
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from ..io import EMBEDDED_PREFIX, CTReadError, embedded_name, load_slice, resolve_path
from ..lesions import LesionPlacementError
from ..simulation import LowDoseSimulator, SparseViewSimulator
from .lock import write_atomic
from .sharded import ShardedTable, csv_text, read_rows, results_stem
from .trials import D2IQAResult

__all__ = ['DEFAULT_LADDER', 'EXTENSIBLE_SETTINGS', 'LABEL_FIELDS', 'degrade', 'earlier_labels',
           'label_path', 'labelled_versions', 'make_teacher_labels', 'save_version', 'teacher_digest',
           'version_name']

#: Columns of the labels CSV (``dose`` in percent of the slice's own, ``views`` over 180
#: degrees out of 360; empty when that degradation is not applied; ``set_scores`` the mAP of
#: each set of trials, space-separated, in the order of the sets, which are the same lesions
#: at every rung).
LABEL_FIELDS = ('file', 'slice_index', 'patient', 'degradation', 'dose', 'views', 'score',
                'sem', 'trials', 'set_scores', 'seconds')
#: The rungs (degradation, dose percent, views): the full dose, the paper's dose levels down
#: to 5 %, sparse views from 360 to 90, and two combinations.
DEFAULT_LADDER = (('full', 100, None), ('dose', 50, None), ('dose', 25, None),
                  ('dose', 12, None), ('dose', 5, None), ('views', None, 270),
                  ('views', None, 180), ('views', None, 90), ('dose+views', 50, 180),
                  ('dose+views', 25, 90))


def degrade(ct_slice, ladder=DEFAULT_LADDER, *, seed=0, rungs=None):
    """The versions of a slice at the rungs of ``ladder``, in HU.

    Parameters
    ----------
    ct_slice : CTSlice
        The full-dose slice.
    ladder : sequence of (str, float or None, int or None)
        ``(name, dose percent, views)``; ``(name, 100, None)`` is the slice itself.
    seed : int
        Seeds the dose noise; rung ``k`` draws from ``SeedSequence([seed, k])``, so a slice's
        versions do not depend on which process makes them, nor on which others are made.
    rungs : sequence of int, optional
        Positions in ``ladder`` of the versions wanted (default: all).

    Returns
    -------
    list of numpy.ndarray
        One version per rung, in the order of ``rungs``.
    """
    # one simulator per input serves every rung that degrades that input: the same images as
    # simulate_low_dose / simulate_sparse_view, without re-projecting the slice at each rung
    low_dose = None
    full_dose_views = None
    versions = []
    for number in range(len(ladder)) if rungs is None else rungs:
        _, dose, views = ladder[number]
        hu = ct_slice.hu
        if dose is not None and dose < 100:
            if low_dose is None:
                low_dose = LowDoseSimulator(ct_slice)
            hu = low_dose.simulate(dose / 100, seed=np.random.SeedSequence([seed, number]))
            if views is not None:
                hu = SparseViewSimulator(ct_slice.with_hu(hu)).simulate(views)
        elif views is not None:
            if full_dose_views is None:
                full_dose_views = SparseViewSimulator(ct_slice)
            hu = full_dose_views.simulate(views)
        versions.append(np.asarray(hu, dtype=np.float32))
    return versions


def teacher_digest(checkpoint):
    """The SHA-256 of a checkpoint file: the teacher by content (labels' ``checkpoint_sha256``);
    a checkpoint replaced at the same path is another teacher."""
    with open(checkpoint, 'rb') as handle:
        return hashlib.file_digest(handle, 'sha256').hexdigest()


def version_name(file, slice_index, rung):
    """The file name of a slice's version at a rung: ``STEM_INDEX_HASH_RUNG.npy``.

    ``file`` is the slice's path as the labels give it (relative to their data root); its hash
    tells apart slices of equal file names in other folders.
    """
    name, dose, views = rung
    digest = hashlib.sha1(f'{file}#{slice_index}'.encode()).hexdigest()[:10]
    stem = os.path.splitext(os.path.basename(file))[0]
    return (f'{stem}_{slice_index}_{digest}_{name}' + ('' if dose is None else f'_d{dose:g}')
            + ('' if views is None else f'_v{views:g}') + '.npy')


def save_version(path, image):
    """Write a version as a float32 NPY file, whole or not at all."""
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(image, dtype=np.float32))
    write_atomic(path, buffer.getvalue())


def label_path(file, data_root=None):
    """Where the slice of a labels row lies: its ``file`` within the labels' data root, or the
    installed file that an ``'embedded:NAME'`` names."""
    if data_root is None or file.startswith(EMBEDDED_PREFIX):
        return resolve_path(file)
    return os.path.join(data_root, file)


def labelled_versions(file, slice_index, settings, *, rungs=None, images=None):
    """The versions of a labelled slice that its teacher scored, in HU.

    Parameters
    ----------
    file, slice_index
        The slice as a labels row names it.
    settings : dict
        The labels' settings (their ladder, seed, data root and values).
    rungs : sequence of int, optional
        Positions in the settings' ladder of the versions wanted (default: all).
    images : str or path-like, optional
        Where ``make_teacher_labels(images=...)`` saved them (:func:`version_name`); without
        it they are made again from the slice, bit for bit (:func:`degrade`).

    Returns
    -------
    list of numpy.ndarray
        One version per rung, in the order of ``rungs``.
    """
    ladder = [tuple(rung) for rung in settings['ladder']]
    rungs = range(len(ladder)) if rungs is None else rungs
    if images:
        return [np.load(os.path.join(images, version_name(file, slice_index, ladder[number])))
                for number in rungs]
    ct_slice = load_slice(label_path(file, settings.get('data_root')), index=slice_index,
                          values=settings.get('values'))
    return degrade(ct_slice, ladder, seed=settings['seed'], rungs=rungs)


#: Settings that labels extended with more trials may change (the teacher is its SHA-256).
EXTENSIBLE_SETTINGS = ('trials', 'limit', 'extends', 'checkpoint')


def earlier_labels(path, settings, ladder):
    """The rows of each slice in labels made with fewer trials, to extend with more.

    Parameters
    ----------
    path : str or path-like
        A labels CSV of :func:`make_teacher_labels`, its settings JSON beside it.
    settings : dict
        The settings of the labels to make: all but :data:`EXTENSIBLE_SETTINGS` must equal
        the earlier ones, and ``trials`` must be more.
    ladder : sequence of (str, float or None, int or None)
        The rungs, whose order the rows of each slice follow.

    Returns
    -------
    dict
        ``(file, slice_index)`` (strings, as in the file) to the slice's rows.
    """
    path = Path(path)
    settings_path = Path(f'{results_stem(path)}_settings.json')
    if not path.is_file() or not settings_path.is_file():
        raise FileNotFoundError(f'labels to extend: {path} and {settings_path} must both exist '
                                '(tools/make_teacher_labels.py writes them)')
    earlier = json.loads(settings_path.read_text())
    changed = sorted(k for k in set(earlier) | set(settings) if k not in EXTENSIBLE_SETTINGS
                     and earlier.get(k) != settings.get(k))
    if changed:
        then = ', '.join(f'{k}={earlier.get(k)!r}' for k in changed)
        now = ', '.join(f'{k}={settings.get(k)!r}' for k in changed)
        raise ValueError(f'{path} was made with other settings ({then}; now {now}): only labels '
                         'of the same teacher, set size, seed and ladder can be extended')
    if not earlier.get('trials', 0) < settings.get('trials', 0):
        raise ValueError(f'{path} has {earlier.get("trials")} trials per slice, the labels to '
                         f'make {settings.get("trials")}: extend to more trials than it has')
    sets = earlier['trials'] // earlier['set_size']
    by_slice = {}
    for row in read_rows(path, LABEL_FIELDS):
        by_slice.setdefault((row['file'], row['slice_index']), []).append(row)
    for (file, index), rows in by_slice.items():
        names = [row['degradation'] for row in rows]
        if names != [name for name, _, _ in ladder] or any(
                len(row['set_scores'].split()) != sets for row in rows):
            raise ValueError(f'{path}: the rows of {file} slice {index} are not one row per '
                             f'rung of the ladder with {sets} set scores each: '
                             'complete the file (--resume) before extending it')
    return by_slice


def make_teacher_labels(entries, scorer, *, out, ladder=DEFAULT_LADDER, seed=0, values=None,
                        resume=False, settings=None, images=None, data_root=None,
                        extend=None, progress=True):
    """Score every slice of ``entries`` at every rung of ``ladder`` with paired trials.

    Under torch.distributed every rank calls this with the same arguments and the slices are
    shared out; the CSV equals that of one process.

    Parameters
    ----------
    entries : sequence of dict
        ``img_path``, ``slice_index`` and ``patient`` of each slice (e.g. the training split
        of ``CTSliceDataset``).
    scorer : D2IQAScorer
        The teacher, with its options (trials, set size, seed of the lesions).
    out : str or path-like
        The labels CSV (:data:`LABEL_FIELDS`); ``OUT_settings.json`` and
        ``OUT_errors.csv`` go beside it.
    ladder : sequence of (str, float or None, int or None)
        See :func:`degrade`.
    seed : int
        Seed of the simulated noise.
    values : str, optional
        Units of TIFF / PNG / NPY slices.
    resume : bool
        Keep the slices already labelled with the same settings.
    settings : dict, optional
        What else the labels depend on (e.g. the checkpoint), saved and compared on resume.
    images : str or path-like, optional
        Also save every version scored to this folder (:func:`version_name`): the student's
        images (``mdiqa.onepass.build_student_set`` uses them instead of making them again).
    extend : str or path-like, optional
        Labels made earlier by this teacher with fewer trials (:func:`earlier_labels`): a
        slice found there keeps its sets and runs only the further trials (its lesions those
        of a whole run), so that its row is the one a run of all the trials gives. That file
        is left as it is.
    progress : bool
        A progress bar over the slices (rank 0's).

    Returns
    -------
    list of dict or None
        Every row (strings, as in the file) on rank 0; None on the other ranks.
    """
    stem = results_stem(out)
    settings = {**(settings or {}), 'ladder': [list(rung) for rung in ladder], 'seed': seed,
                'values': values, 'data_root': None if data_root is None else str(data_root)}
    earlier = {}
    if extend is not None:
        # relative to the labels made, so that a resume works wherever both files move
        settings['extends'] = os.path.relpath(extend, os.path.dirname(os.path.abspath(out)))
        earlier = earlier_labels(extend, settings, ladder)

    def labelled_file(entry):
        path = entry['img_path']
        # an embedded file by its name: its path into the installed packages is this machine's
        return embedded_name(path) or (path if data_root is None
                                       else os.path.relpath(path, data_root))

    table = ShardedTable(out, LABEL_FIELDS, key=lambda row: (row['file'], row['slice_index']),
                         settings=settings, settings_path=f'{stem}_settings.json',
                         resume=resume, rows_per_item=len(ladder))
    errors = []
    with table:
        mine = [e for e in entries if table.deal((labelled_file(e), str(e['slice_index'])))]
        for entry in tqdm(mine, unit='slice', desc='teacher labels',
                          disable=not (progress and table.group.rank == 0)):
            start = time.perf_counter()
            try:
                ct_slice = load_slice(entry['img_path'], index=entry['slice_index'],
                                      values=values)
                versions = degrade(ct_slice, ladder, seed=seed)
                file = labelled_file(entry)
                done = earlier.get((file, str(entry['slice_index'])), ())
                results = scorer.score_series(versions, reference=ct_slice, first_set=len(
                    done[0]['set_scores'].split()) if done else 0)
            except (CTReadError, LesionPlacementError) as exc:
                errors.append({'file': entry['img_path'], 'slice_index': entry['slice_index'],
                               'reason': str(exc)})
                continue
            seconds = [(time.perf_counter() - start) / len(ladder)] * len(ladder)
            if done:
                results = [D2IQAResult.from_set_scores(
                    [*map(float, row['set_scores'].split()), *result.set_scores],
                    set_size=result.set_size, aggregate=result.aggregate)
                    for row, result in zip(done, results)]
                seconds = [s + float(row['seconds']) for s, row in zip(seconds, done)]
            if images is not None:
                os.makedirs(images, exist_ok=True)
                for rung, version in zip(ladder, versions):
                    save_version(os.path.join(images, version_name(
                        file, entry['slice_index'], rung)), version)
            table.write(*({'file': file, 'slice_index': entry['slice_index'],
                           'patient': entry.get('patient', ''), 'degradation': name,
                           'dose': dose, 'views': views, 'score': result.score,
                           'sem': result.sem, 'trials': result.n_trials,
                           'set_scores': ' '.join(f'{v:.6g}' for v in result.set_scores),
                           'seconds': round(spent, 3)}
                          for (name, dose, views), result, spent in zip(ladder, results,
                                                                        seconds)))
        rows, gathered = table.finish(errors)
        if rows is not None:
            write_atomic(f'{stem}_errors.csv', csv_text(
                ('file', 'slice_index', 'reason'), [e for rank in gathered for e in rank]))
        return rows
