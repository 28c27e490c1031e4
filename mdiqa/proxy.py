"""A labelled proxy set for MD-IQA: simulated dose / sparse-view levels of real CT slices.

No radiologist-scored CT can be downloaded here, so the pipeline is validated on a proxy task:
each full-dose slice is degraded to known levels (:func:`d2iqa.simulation.simulate_levels`)
and the label is a fixed monotone function of the level on the 0..M scale
(:func:`level_score`). Test slices are different slices from the training ones (not only
other levels of the same slices). The unlabelled set holds other levels of the training
slices (and of unused slices), written without labels.

Label (this project's choice, not a radiologist score): log-linear in the level,
``M * log(level / low) / log(high / low)`` clipped to [0, M], with (low, high) = (5 %, 100 %)
of the dose and (30, 360) views: halving the dose or the number of views always costs the same.
"""
import csv
import math
import os

import numpy as np

from d2iqa.evaluation import srocc
from d2iqa.simulation import simulate_levels

from .engine.metrics import quality_metrics

__all__ = ['LABEL_LEVELS', 'LEVEL_RANGES', 'UNLABELLED_LEVELS', 'build_proxy_set', 'level_score',
           'proxy_report']

#: Level range (worst, best) of each study: the worst gets score 0, the best score M.
LEVEL_RANGES = {'dose': (5.0, 100.0), 'sparse_view': (30.0, 360.0)}
#: Labelled levels: dose in percent, sparse view in views (360 views is the full-dose slice).
LABEL_LEVELS = {'dose': (100, 60, 35, 20, 12, 7, 5), 'sparse_view': (180, 120, 90, 60, 45, 30)}
#: Levels of the unlabelled set (none of them labelled).
UNLABELLED_LEVELS = {'dose': (80, 45, 28, 16, 9, 6), 'sparse_view': (150, 100, 75, 50, 36)}


def level_score(study, level, *, max_score=4.0):
    """The proxy label of a simulated level: log-linear between the study's range ends.

    Parameters
    ----------
    study : {'dose', 'sparse_view'}
    level : float
        Dose in percent of the full dose, or number of views.
    max_score : float
        M, the best score.

    Returns
    -------
    float
        In [0, max_score], increasing with the level.
    """
    try:
        low, high = LEVEL_RANGES[study]
    except KeyError:
        raise ValueError(f'unknown study {study!r}; choose one of {sorted(LEVEL_RANGES)}') from None
    if not level > 0:
        raise ValueError(f'a {study} level must be positive, got {level}')
    fraction = math.log(level / low) / math.log(high / low)
    return float(max_score * min(max(fraction, 0.0), 1.0))


def _write(path, rows, fields):
    with open(path, 'w', newline='') as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def build_proxy_set(slices, out_dir, *, max_score=4.0, labelled_levels=LABEL_LEVELS,
                    unlabelled_levels=UNLABELLED_LEVELS, seed=0, progress=None):
    """Simulate the levels of named slices and write the proxy set as NPY files + CSV lists.

    Parameters
    ----------
    slices : list of (str, str, CTSlice or array)
        ``(name, split, slice)`` with split ``'train'``, ``'val'``, ``'test'`` (labelled levels)
        or ``'unlabelled'`` (only unlabelled levels). Training slices also get the unlabelled
        levels, written to the unlabelled list without their labels.
    out_dir : str
        Written: ``images/<name>_<study><level>.npy`` (float32 HU), ``train.csv``, ``val.csv``,
        ``test.csv`` (columns path, score, study, level, slice; paths relative to ``out_dir``)
        and ``unlabelled.csv`` (path, study, level, slice: the level is kept for analysis; the
        training never reads it).
    max_score : float
        M of :func:`level_score`.
    labelled_levels, unlabelled_levels : dict
        Study -> levels (see :data:`LABEL_LEVELS`).
    seed : int
        Seeds the simulated noise (each slice gets its own stream).
    progress : callable, optional
        Called with each slice name (e.g. ``print``).

    Returns
    -------
    dict
        List name -> number of images.
    """
    os.makedirs(os.path.join(out_dir, 'images'), exist_ok=True)
    lists = {name: [] for name in ('train', 'val', 'test', 'unlabelled')}
    streams = np.random.SeedSequence(seed).spawn(len(slices))
    for (name, split, ct_slice), stream in zip(slices, streams):
        if split not in lists:
            raise ValueError(f'slice {name!r} has split {split!r}; use one of {sorted(lists)}')
        if progress:
            progress(name)
        jobs = [] if split == 'unlabelled' else [(split, labelled_levels)]
        if split in ('train', 'unlabelled'):
            jobs.append(('unlabelled', unlabelled_levels))
        for (target, levels), job_seed in zip(jobs, stream.spawn(len(jobs))):
            images = simulate_levels(ct_slice, doses=levels.get('dose', ()),
                                     sparse_views=levels.get('sparse_view', ()), seed=job_seed)
            for study, pairs in images.items():
                for level, hu in pairs:
                    relative = os.path.join('images', f'{name}_{study}{level:g}.npy')
                    np.save(os.path.join(out_dir, relative), hu.astype(np.float32))
                    row = dict(path=relative, study=study, level=level, slice=name)
                    if target != 'unlabelled':
                        row['score'] = round(level_score(study, level, max_score=max_score), 4)
                    lists[target].append(row)
    for target, rows in lists.items():
        fields = ['path', 'study', 'level', 'slice'] if target == 'unlabelled' \
            else ['path', 'score', 'study', 'level', 'slice']
        _write(os.path.join(out_dir, f'{target}.csv'), rows, fields)
    return {target: len(rows) for target, rows in lists.items()}


def proxy_report(pred, rows):
    """Test figures of predictions on a proxy list: pooled, per study and per slice.

    Parameters
    ----------
    pred : array_like
        One prediction per row.
    rows : list of dict
        The rows of a proxy CSV list (``score``, ``study``, ``slice`` columns).

    Returns
    -------
    dict
        ``'all'`` and each study -> :func:`~mdiqa.engine.quality_metrics`; ``'slices'`` ->
        slice name -> ``srocc`` within the slice's levels and ``bias`` (mean prediction minus
        mean label).
    """
    pred = np.asarray(pred, float)
    if len(pred) != len(rows):
        raise ValueError(f'{len(pred)} predictions for {len(rows)} rows')
    label = np.array([float(row['score']) for row in rows])
    studies = np.array([row['study'] for row in rows])
    slices = np.array([row['slice'] for row in rows])
    report = {'all': quality_metrics(pred, label)}
    for study in dict.fromkeys(studies):
        report[study] = quality_metrics(pred[studies == study], label[studies == study])
    report['slices'] = {
        name: dict(srocc=float(srocc(pred[slices == name], label[slices == name])),
                   bias=float((pred[slices == name] - label[slices == name]).mean()))
        for name in dict.fromkeys(slices)}
    return report
