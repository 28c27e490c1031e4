"""One-pass students against their teacher on the validation patients' degradation ladders.

The teacher's scores come from ``tools/make_teacher_labels.py --split val --trials 500``; the
versions it scored are made again with the ladder and seed of its settings (bit for bit) or
read from ``--images``. For each student (default: the reference one-pass checkpoint):

- Spearman and Pearson against the teacher, pooled over all versions and within each slice
  (mean over slices);
- the fraction of neighbouring versions (in the teacher's order, within a slice) that the
  student orders the same way, over all of them and over those whose order the teacher
  itself establishes (a paired t test over its sets of trials, p < 0.05: neighbours such as
  360 and 270 views differ by less than the teacher's own noise), and the within-slice
  Spearman that a student exact on the true scores would reach against the teacher's trial
  noise (paired across a slice's versions, as the trials are);
- the validation slices whose 100 / 50 / 25 / 12 / 5 % dose versions the student scores
  strictly falling (and how many the teacher does);
- seconds per slice of the student (batches of ``--batch-size``) and of the 500-trial
  teacher on one slice, measured in the same run, and their ratio;
- the teacher against itself: the mean of its odd-numbered sets of trials against the mean
  of its even-numbered ones, the same figures (what trial noise alone leaves of agreement,
  at about half the teacher's trials).

``--grid 1 2 3`` also scores each student with g x g test views whose centres span the
training crops' range (spacing ``2 * max_shift / (g - 1)``), instead of its config's views:
fewer views cost less.

Usage::

    python benchmarks/bench_onepass.py --teacher VAL_LABELS.csv [--student NAME=PTH ...]
        [--images DIR] [--grid G ...] [--timing-trials 500] [--record [--section TITLE]]
"""
import argparse
import math
import os
import time

import numpy as np
import torch
from scipy import stats
from _results import best_time, load_note, machine, record
from mmengine.runner import CheckpointLoader

from d2iqa.mm_common import checkpoint_config
from d2iqa.scoring import D2IQAScorer
from d2iqa.scoring.teacher import labelled_versions
from mdiqa import MDIQAScorer
from mdiqa.api import REFERENCE_CHECKPOINT
from mdiqa.onepass import agreement, level_number, read_labels

SECTION = '## One-pass scorer'
DOSE_CHAIN = (('full', 100, None), ('dose', 50, None), ('dose', 25, None), ('dose', 12, None),
              ('dose', 5, None))


def teacher_versions(rows, settings, images=None):
    """(slice key, rung, teacher score, HU image) of every labelled version, in file order."""
    ladder = [tuple(rung) for rung in settings['ladder']]
    by_slice = {}
    for row in rows:
        by_slice.setdefault((row['file'], int(row['slice_index'])), []).append(row)
    out = []
    for (file, index), slice_rows in by_slice.items():
        rungs = [(name, level_number(dose), level_number(views)) for name, dose, views in ladder]
        versions = labelled_versions(file, index, settings, images=images)
        scores = {(r['degradation'], level_number(r['dose']), level_number(r['views'])): float(r['score'])
                  for r in slice_rows}
        out += [(f'{file}#{index}', rung, scores[rung], version)
                for rung, version in zip(rungs, versions) if rung in scores]
    return out


def teacher_sets(rows, versions):
    """The teacher's score of each version in each of its sets of paired trials."""
    sets = {(f"{r['file']}#{r['slice_index']}", (r['degradation'], level_number(r['dose']),
                                                  level_number(r['views']))):
            np.array(r['set_scores'].split(), dtype=float) for r in rows}
    return np.array([sets[k, rung] for k, rung, _, _ in versions])


def split_half(sets, versions):
    """The teacher's odd-numbered sets against its even-numbered ones, per version."""
    return agreement(sets[:, 0::2].mean(axis=1), sets[:, 1::2].mean(axis=1),
                     [k for k, _, _, _ in versions])


def exact_student_ceiling(sets, keys, *, draws=1000, seed=0):
    """Expected within-slice Spearman against the teacher of a student exact on the true
    scores, with its 5th and 95th percentiles: each draw adds to the teacher's scores its
    trial noise, paired across a slice's versions as its trials are (a Gaussian with the
    covariance of the slice's set scores over the versions, divided by the number of sets)."""
    rng = np.random.default_rng(seed)
    sets, keys = np.asarray(sets, float), np.asarray(keys)
    n = sets.shape[1]
    slices = [sets[keys == key] for key in dict.fromkeys(keys.tolist())]
    teachers = [mine.mean(axis=1) for mine in slices]
    deviations = [(mine - teacher[:, None]) / math.sqrt(n * (n - 1))
                  for mine, teacher in zip(slices, teachers)]
    means = []
    for _ in range(draws):
        within = [stats.spearmanr(teacher + deviation @ rng.standard_normal(n), teacher)[0]
                  for teacher, deviation in zip(teachers, deviations)]
        means.append(np.mean(within))
    return float(np.mean(means)), *np.percentile(means, [5, 95])


def falls_strictly(values):
    return bool(np.all(np.diff(values) < 0))


def dose_chains(keys, rungs, values):
    """Per slice: whether its dose chain's values fall strictly (None: chain incomplete)."""
    chain = [(n, level_number(d), level_number(v)) for n, d, v in DOSE_CHAIN]
    result = {}
    for key in dict.fromkeys(keys):
        found = {rung: value for k, rung, value in zip(keys, rungs, values) if k == key}
        result[key] = falls_strictly([found[r] for r in chain]) if all(r in found
                                                                        for r in chain) else None
    return result


def with_grid(checkpoint, grid):
    """The checkpoint's config with ``grid x grid`` test views over the training crops' range."""
    config = checkpoint_config(CheckpointLoader.load_checkpoint(
        str(checkpoint), map_location='cpu', logger='silent'), str(checkpoint))
    train = config.train_dataloader.dataset
    labelled = train.datasets[0] if 'datasets' in train else train   # semi: labelled + pseudo
    shift = next(t['max_shift'] for t in labelled.pipeline if t['type'] == 'CropSlice')
    for transform in config.test_dataloader.dataset.pipeline:
        if transform['type'] == 'CropSlice':
            transform.update(grid=grid, spacing=2 * shift // max(grid - 1, 1))
    return config


def student_figures(name, checkpoint, versions, sets, *, batch_size, repeat, grid=None):
    scorer = MDIQAScorer(checkpoint=checkpoint, batch_size=batch_size,
                         config=None if grid is None else with_grid(checkpoint, grid))
    images = [v[3] for v in versions]
    scorer.score_slices(images[:batch_size], values='hu')          # warm-up
    seconds, results = best_time(lambda: scorer.score_slices(images, values='hu'), repeat)
    seconds /= len(images)
    pred = [result.score for result in results]
    keys, rungs, teacher = zip(*[(k, r, t) for k, r, t, _ in versions])
    figures = agreement(pred, teacher, keys, teacher_sets=sets)
    chains = [ok for ok in dose_chains(keys, rungs, pred).values() if ok is not None]
    return dict(name=name if grid is None else f'{name}, {grid} x {grid} views',
                checkpoint=str(checkpoint), seconds=seconds,
                dose_chains=(sum(chains), len(chains)), **figures)


def teacher_seconds(settings, full_slice, trials):
    """Seconds of a D2IQA score of one slice with ``trials`` trials (one thread per core)."""
    # sets of the labels' size where they divide the trials (a set's size barely costs time)
    scorer = D2IQAScorer(checkpoint=settings['checkpoint'], trials=trials,
                         set_size=math.gcd(trials, settings.get('set_size', 20)), seed=0)
    start = time.perf_counter()
    scorer.score_slice(full_slice, values='hu')
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--teacher', required=True, help='validation labels CSV (500 trials)')
    parser.add_argument('--student', action='append', default=[], metavar='NAME=PTH',
                        help='a student checkpoint (repeat; default: the reference one)')
    parser.add_argument('--images', help='the versions saved by make_teacher_labels --images')
    parser.add_argument('--grid', type=int, nargs='*', default=(),
                        help='also score with G x G test views (e.g. 1 2)')
    parser.add_argument('--timing-trials', type=int, default=500,
                        help='trials of the teacher timed on one slice')
    parser.add_argument('--batch-size', type=int, default=16, help="the students' batches")
    parser.add_argument('--repeat', type=int, default=3,
                        help="a student's time is the shortest of this many passes")
    parser.add_argument('--record', action='store_true')
    parser.add_argument('--section', default=SECTION[3:],
                        help='the section of RESULTS.md to write (default: "%(default)s"; '
                             'another keeps the reference record, e.g. for an ablation)')
    parser.add_argument('--note', default='', help='what else ran on the machine')
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    rows, settings = read_labels(args.teacher)
    versions = teacher_versions(rows, settings, args.images)
    keys, rungs, teacher = zip(*[(k, r, t) for k, r, t, _ in versions])
    teacher_chains = [ok for ok in dose_chains(keys, rungs, teacher).values() if ok is not None]
    students = [s.split('=', 1) for s in args.student] or [('reference', REFERENCE_CHECKPOINT)]
    sets = teacher_sets(rows, versions)
    results = [student_figures(name, path, versions, sets, batch_size=args.batch_size,
                               repeat=args.repeat, grid=grid)
               for name, path in students for grid in (None, *args.grid)]
    self_agreement = split_half(sets, versions)
    ceiling = exact_student_ceiling(sets, keys)
    full = next(v[3] for v in versions if v[1][0] == 'full')
    teacher_time = teacher_seconds(settings, full, args.timing_trials)
    lines = [f'{len(set(keys))} validation slices x {len(versions) // len(set(keys))} versions; '
             f"teacher: {settings.get('trials')} paired trials per slice "
             f"(`{os.path.basename(str(settings.get('checkpoint')))}`), its dose chain falls "
             f'strictly on {sum(teacher_chains)} of {len(teacher_chains)} slices; '
             f'{args.timing_trials}-trial teacher on one slice: {teacher_time:.1f} s '
             f"({torch.get_num_threads()} threads); a student's time: the shortest of "
             f'{args.repeat} passes over the versions. Resolved neighbours: the '
             f"{results[0]['resolved_pairs'][0]} of {results[0]['resolved_pairs'][1]} "
             'neighbouring versions whose order the teacher establishes (paired t test over its '
             'sets of trials, p < 0.05). A student exact on the true scores would reach, '
             "against the teacher's trial noise, a within-slice Spearman of "
             f'{ceiling[0]:.3f} '
             f'(90 % of draws {ceiling[1]:.3f}-{ceiling[2]:.3f}).', '',
             '| student | Spearman | Pearson | Spearman within slice | Pearson within slice | '
             'neighbours ordered | resolved neighbours ordered | dose chains falling | '
             's per slice | speed-up |',
             '|---|---|---|---|---|---|---|---|---|---|']
    for r in results:
        lines.append(f"| {r['name']} | {r['spearman']:.3f} | {r['pearson']:.3f} | "
                     f"{r['spearman_within']:.3f} | {r['pearson_within']:.3f} | "
                     f"{r['adjacent_agree']:.3f} | {r['resolved_agree']:.3f} | "
                     f"{r['dose_chains'][0]} / {r['dose_chains'][1]} | "
                     f"{r['seconds'] * 1000:.1f} ms | {teacher_time / r['seconds']:.3g}x |")
    lines.append(f"| teacher: odd against even sets | {self_agreement['spearman']:.3f} | "
                 f"{self_agreement['pearson']:.3f} | {self_agreement['spearman_within']:.3f} | "
                 f"{self_agreement['pearson_within']:.3f} | "
                 f"{self_agreement['adjacent_agree']:.3f} | | | | |")
    text = '\n'.join(lines)
    print(text)
    if args.record:
        record(f'## {args.section}', 'bench_onepass.py', text + '\n\nMachine: ' + machine(
            ('torch', 'onedl-mmcv', 'onedl-mmdetection'),
            note=load_note(load_before) + (args.note and '; ' + args.note)))


if __name__ == '__main__':
    main()
