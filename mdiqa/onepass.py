"""The one-pass student: MD-IQA trained on teacher labels (D2IQA scores of degraded slices).

``tools/make_teacher_labels.py`` scores slices at a ladder of degradations
(:mod:`d2iqa.scoring.teacher`). :func:`build_student_set` writes the images those labels
belong to: the same :func:`~d2iqa.scoring.teacher.degrade` with the ladder and seed saved in
the labels' settings, so each image is, bit for bit, the version the teacher scored. It also
writes versions at rungs the teacher never scored (:data:`UNLABELLED_LADDER`), the unlabelled
images of the semi-supervised step. :func:`agreement` holds the figures of the student
against the teacher (``benchmarks/bench_onepass.py``).
"""
import csv
import json
import os
from concurrent.futures import ProcessPoolExecutor, as_completed

import numpy as np
from scipy import stats

from d2iqa.io import load_slice
from d2iqa.scoring.sharded import results_stem
from d2iqa.scoring.teacher import degrade, label_path, save_version, version_name

__all__ = ['STUDENT_FIELDS', 'UNLABELLED_LADDER', 'agreement', 'build_student_set',
           'level_number', 'read_labels', 'resolved_neighbours']

#: Rungs between the teacher's (simulated dose percent, views), never labelled: the
#: unlabelled images of the semi-supervised step.
UNLABELLED_LADDER = (('dose', 70, None), ('dose', 35, None), ('dose', 18, None),
                     ('dose', 8, None), ('views', None, 225), ('views', None, 135),
                     ('dose+views', 70, 225), ('dose+views', 35, 135))
#: Columns of the student's lists (``score`` and ``sem`` empty in ``unlabelled.csv``).
STUDENT_FIELDS = ('path', 'score', 'sem', 'slice', 'patient', 'degradation', 'dose', 'views')


def read_labels(path):
    """The rows of a teacher-labels CSV and the settings saved beside it.

    Returns
    -------
    rows : list of dict
        As in the file (strings).
    settings : dict
        ``STEM_settings.json`` (ladder, seed, checkpoint, trials, ...).
    """
    settings_path = f'{results_stem(path)}_settings.json'
    if not os.path.isfile(settings_path):
        raise FileNotFoundError(f'{settings_path} is missing: it holds the ladder and seed the '
                                f'labels of {path} were made with (tools/make_teacher_labels.py '
                                'writes it)')
    with open(path, newline='') as handle:
        rows = list(csv.DictReader(handle))
    with open(settings_path) as handle:
        settings = json.load(handle)
    missing = {'file', 'slice_index', 'degradation', 'score', 'sem'} - set(rows[0] if rows
                                                                           else ())
    if not rows or missing:
        raise ValueError(f'{path} is not a teacher-labels CSV: '
                         + (f'it lacks the columns {sorted(missing)}' if rows else 'no rows'))
    return rows, settings


def level_number(text):
    """A dose or view count of a labels row or ladder as a float; None when empty."""
    return None if text in ('', None) else float(text)


def _make_versions(out_dir, source, index, values, ladder, seed, todo):
    """Write the versions ``todo`` ((ladder number, path) pairs) of one slice."""
    ct_slice = load_slice(source, index=index, values=values)
    versions = degrade(ct_slice, ladder, seed=seed, rungs=[number for number, _ in todo])
    for (_, path), version in zip(todo, versions):
        save_version(os.path.join(out_dir, path), version)
    return source


def build_student_set(labels, out_dir, *, split, unlabelled_ladder=UNLABELLED_LADDER,
                      values=None, workers=1, progress=None):
    """Write the images of teacher labels and the list ``OUT_DIR/SPLIT.csv``.

    Parameters
    ----------
    labels : str or path-like
        A CSV of ``tools/make_teacher_labels.py`` (its ``_settings.json`` beside it).
    out_dir : str or path-like
        Written: ``images/`` (float32 HU NPY files named by
        :func:`~d2iqa.scoring.teacher.version_name`), ``SPLIT.csv`` (:data:`STUDENT_FIELDS`,
        paths relative to ``out_dir``; ``slice`` is ``FILE#INDEX``) and, with
        ``unlabelled_ladder``, ``unlabelled.csv`` (``SPLIT_unlabelled.csv`` unless
        ``split='train'``). Images already there are kept, so
        a killed build continues where it stopped, and the images that
        ``make_teacher_labels(images=OUT_DIR/images)`` saved are not made again.
    split : str
        Name of the list (``'train'``, ``'val'``).
    unlabelled_ladder : sequence of (str, float or None, int or None), optional
        Extra rungs written without labels (``None`` or empty: none).
    values : str, optional
        Units of TIFF / PNG / NPY slices (default: those the labels were made with).
    workers : int
        Processes making the images (each image is the same whatever their number).
    progress : callable, optional
        Called with the file name of each slice whose images were made.

    Returns
    -------
    dict
        List name -> number of images.
    """
    rows, settings = read_labels(labels)
    report = progress or (lambda file: None)
    ladder = [tuple(rung) for rung in settings['ladder']]
    seed = settings['seed']
    values = settings.get('values') if values is None else values
    extra = tuple(unlabelled_ladder or ())
    images = os.path.join(out_dir, 'images')
    os.makedirs(images, exist_ok=True)
    slices = {}
    for row in rows:
        slices.setdefault((row['file'], int(row['slice_index'])), []).append(row)
    labelled, unlabelled, tasks = [], [], []
    for (file, index), slice_rows in slices.items():
        # the rung of each row (a row's place in the ladder seeds its noise)
        wanted = [(number, rung, row) for number, rung in enumerate(ladder)
                  for row in slice_rows if row['degradation'] == rung[0]
                  and level_number(row['dose']) == level_number(rung[1])
                  and level_number(row['views']) == level_number(rung[2])]
        if len(wanted) != len(slice_rows):
            raise ValueError(f'{labels}: rows of {file} (slice {index}) do not match the ladder '
                             f'of its settings file {ladder}')
        # the extra rungs get ladder numbers after the teacher's, so their noise is new
        jobs = wanted + [(len(ladder) + k, rung, None) for k, rung in enumerate(extra)]
        paths = [os.path.join('images', version_name(file, index, rung)) for _, rung, _ in jobs]
        todo = [(number, path) for (number, _, _), path in zip(jobs, paths)
                if not os.path.isfile(os.path.join(out_dir, path))]
        if todo:
            tasks.append((out_dir, label_path(file, settings.get('data_root')), index, values,
                          ladder + list(extra), seed, todo))
        patient = slice_rows[0].get('patient', '')
        for (_, (name, dose, views), row), path in zip(jobs, paths):
            entry = dict(path=path, slice=f'{file}#{index}', patient=patient, degradation=name,
                         dose='' if dose is None else dose, views='' if views is None else views,
                         score=row['score'] if row else '', sem=row['sem'] if row else '')
            (labelled if row else unlabelled).append(entry)
    if workers > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            made = [pool.submit(_make_versions, *task) for task in tasks]
            for future in as_completed(made):
                report(future.result())
    else:
        for task in tasks:
            report(_make_versions(*task))
    lists = {split: labelled}
    if extra:
        lists['unlabelled' if split == 'train' else f'{split}_unlabelled'] = unlabelled
    for name, entries in lists.items():
        with open(os.path.join(out_dir, f'{name}.csv'), 'w', newline='') as handle:
            writer = csv.DictWriter(handle, fieldnames=STUDENT_FIELDS)
            writer.writeheader()
            writer.writerows(entries)
    return {name: len(entries) for name, entries in lists.items()}


def resolved_neighbours(sets, *, level=0.05):
    """Whether the teacher establishes the order of each pair of neighbouring versions.

    Parameters
    ----------
    sets : array_like, shape (versions, sets)
        The teacher's scores of one slice's versions, in the teacher's order, in each of its
        sets of paired trials.
    level : float
        Significance level of a two-sided paired t test over the sets
        (``scipy.stats.ttest_rel``).

    Returns
    -------
    numpy.ndarray of bool, shape (versions - 1,)
        Entry k: versions k and k + 1 differ significantly.
    """
    sets = np.asarray(sets, float)
    return stats.ttest_rel(sets[1:], sets[:-1], axis=1).pvalue < level


def agreement(pred, teacher, slices, *, teacher_sets=None, level=0.05):
    """Figures of a student's predictions against the teacher's scores.

    Parameters
    ----------
    pred, teacher : array_like
        One value per image.
    slices : array_like
        The slice each image is a version of.
    teacher_sets : array_like, optional
        The teacher's score of each image in each of its sets of trials, shape (images, sets),
        the sets paired across a slice's versions (the same lesions): adds the figures of the
        neighbours whose order the teacher itself establishes.
    level : float
        Significance level of that order (two-sided paired t test over the sets).

    Returns
    -------
    dict
        ``spearman`` / ``pearson`` pooled; ``spearman_within`` / ``pearson_within``: the mean
        over slices of the coefficient within a slice's versions; ``adjacent_agree``: over all
        pairs of versions adjacent in the teacher's order within a slice, the fraction the
        student orders the same way; ``slices``: number of slices. With ``teacher_sets``:
        ``resolved_agree``, the same fraction over the adjacent pairs whose paired set scores
        differ significantly (``scipy.stats.ttest_rel``), and ``resolved_pairs`` (resolved,
        all adjacent pairs).
    """
    pred, teacher, slices = np.asarray(pred, float), np.asarray(teacher, float), np.asarray(slices)
    sets = None if teacher_sets is None else np.asarray(teacher_sets, float)
    within_s, within_p, agree, resolved = [], [], [], []
    for name in dict.fromkeys(slices.tolist()):
        mine = slices == name
        p, t = pred[mine], teacher[mine]
        if mine.sum() < 3:
            continue
        within_s.append(stats.spearmanr(p, t)[0])
        within_p.append(stats.pearsonr(p, t)[0])
        order = np.argsort(t, kind='stable')
        ordered = np.diff(p[order]) > 0
        agree += list(ordered)
        if sets is not None:
            resolved += list(ordered[resolved_neighbours(sets[mine][order], level=level)])
    figures = dict(spearman=float(stats.spearmanr(pred, teacher)[0]),
                   pearson=float(stats.pearsonr(pred, teacher)[0]),
                   spearman_within=float(np.nanmean(within_s)),
                   pearson_within=float(np.nanmean(within_p)),
                   adjacent_agree=float(np.mean(agree)), slices=len(within_s))
    if sets is not None:
        figures.update(resolved_agree=float(np.mean(resolved)) if resolved else float('nan'),
                       resolved_pairs=(len(resolved), len(agree)))
    return figures
