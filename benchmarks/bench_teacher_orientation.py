"""Does the teacher favour its own training images? Full dose against 270 views, as they are
and transposed.

The training labels put a slice's full dose above its 270 views (by about 0.002), while the
500-trial teacher of the validation patients has the two level: the one-pass students' most
frequent miss (docs/mdiqa.md, "One-pass scorer"). If the reason were that the detector
remembers the full-dose images it trained on, the gap would shrink when the same slices are
transposed: its training showed them flipped, never transposed, and a convolutional network's
memory of an image does not carry over to its transpose. For the slices of teacher-labels files
(``--labels NAME=CSV``, e.g. the training and the validation labels) this scores the full dose
and the 270 views, as they are and transposed, with paired trials (lesions placed on the full
dose in that orientation), and reports per file the mean gap ``full - 270 views`` in each
orientation and what transposing costs the full dose, with standard errors over slices.

Scores as they are come from the labels file when it was made by the same teacher (checkpoint
SHA-256) with the same trials, set size and seed (its rows are then what a new run gives), else
they are run too. Rows go to ``--out``
as each slice finishes; a second run with the same ``--out`` keeps them (resume).

Usage::

    python benchmarks/bench_teacher_orientation.py --out orientation.csv \\
        --labels training=mdiqa/checkpoints/teacher_labels/train40.csv --limit 82 \\
        --labels validation=mdiqa/checkpoints/teacher_labels/val.csv [--images DIR] [--record]
"""
import argparse
import csv
import os
import random
import time

import numpy as np
from _results import machine, record

from d2iqa.scoring import D2IQAScorer
from d2iqa.scoring.teacher import labelled_versions, teacher_digest
from mdiqa.onepass import level_number, read_labels

SECTION = '## Teacher memory of its training images'
FULL, VIEWS270 = ('full', 100, None), ('views', None, 270)
FIELDS = ('labels', 'slice', 'orientation', 'full', 'views270', 'full_sets', 'views270_sets',
          'seconds')


def pair_rows(rows):
    """{'FILE#INDEX': (full-dose row, 270-view row)} of the slices labelled at both rungs."""
    found = {}
    for row in rows:
        rung = (row['degradation'], level_number(row['dose']), level_number(row['views']))
        found.setdefault(f"{row['file']}#{row['slice_index']}", {})[rung] = row
    return {key: (rungs[FULL], rungs[VIEWS270]) for key, rungs in found.items()
            if {FULL, VIEWS270} <= set(rungs)}


def versions(key, settings, images):
    """The full dose and the 270 views of a labelled slice (HU), saved or made again."""
    file, index = key.rsplit('#', 1)
    ladder = [tuple(rung) for rung in settings['ladder']]
    return labelled_versions(file, int(index), settings, images=images,
                             rungs=[ladder.index(rung) for rung in (FULL, VIEWS270)])


def scored_row(name, key, orientation, results, seconds):
    sets = [' '.join(f'{s:.6f}' for s in r.set_scores) for r in results]
    return {'labels': name, 'slice': key, 'orientation': orientation,
            'full': results[0].score, 'views270': results[1].score,
            'full_sets': sets[0], 'views270_sets': sets[1], 'seconds': seconds}


def labelled_row(name, key, rows):
    full, views = rows
    return {'labels': name, 'slice': key, 'orientation': 'as they are',
            'full': float(full['score']), 'views270': float(views['score']),
            'full_sets': full['set_scores'], 'views270_sets': views['set_scores'], 'seconds': ''}


def mean_se(values):
    values = np.asarray(values, dtype=float)
    return f'{values.mean():+.4f} +- {values.std(ddof=1) / np.sqrt(len(values)):.4f}'


def summary(rows, names):
    scores = {(r['labels'], r['slice'], r['orientation']): (float(r['full']), float(r['views270']))
              for r in rows}
    lines = ['| labels | slices | full - 270 views, as they are | full - 270 views, transposed '
             '| full dose, as it is - transposed |', '|---|---|---|---|---|']
    for name in names:
        keys = [k for n, k, o in scores if n == name and o == 'transposed'
                and (n, k, 'as they are') in scores]
        as_is = np.array([scores[name, k, 'as they are'] for k in keys])
        turned = np.array([scores[name, k, 'transposed'] for k in keys])
        if len(keys) < 2:
            raise SystemExit(f'{name}: {len(keys)} slice(s) scored both ways; need 2 or more')
        lines.append(f'| {name} | {len(keys)} | {mean_se(as_is[:, 0] - as_is[:, 1])} | '
                     f'{mean_se(turned[:, 0] - turned[:, 1])} | '
                     f'{mean_se(as_is[:, 0] - turned[:, 0])} |')
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--labels', action='append', required=True, metavar='NAME=CSV',
                        help='a teacher-labels file and its name in the table (repeat)')
    parser.add_argument('--out', required=True, help='the scores CSV (kept and resumed)')
    parser.add_argument('--images', help='the versions saved by make_teacher_labels --images')
    parser.add_argument('--limit', type=int, help='at most this many slices of each file, '
                        'drawn at random (seed 0)')
    parser.add_argument('--trials', type=int, default=40)
    parser.add_argument('--set-size', type=int, default=10)
    parser.add_argument('--seed', type=int, default=0, help='seed of the lesions')
    parser.add_argument('--record', action='store_true')
    parser.add_argument('--note', default='', help='what else ran on the machine')
    args = parser.parse_args()
    done = []
    if os.path.exists(args.out):
        with open(args.out, newline='') as handle:
            done = list(csv.DictReader(handle))
    have = {(r['labels'], r['slice'], r['orientation']) for r in done}
    scorer = D2IQAScorer(trials=args.trials, set_size=args.set_size, seed=args.seed)
    run_settings = (args.trials, args.set_size, args.seed, teacher_digest(scorer.checkpoint))
    names = []
    with open(args.out, 'a', newline='') as handle:
        writer = csv.DictWriter(handle, FIELDS)
        if not done:
            writer.writeheader()
        for spec in args.labels:
            name, path = spec.split('=', 1)
            names.append(name)
            rows, settings = read_labels(path)
            same_trials = (settings['trials'], settings['set_size'], settings['seed'],
                           settings.get('checkpoint_sha256')) == run_settings
            pairs = pair_rows(rows)
            keys = sorted(pairs)
            random.Random(0).shuffle(keys)
            for key in keys[:args.limit]:
                for orientation in ('as they are', 'transposed'):
                    if (name, key, orientation) in have:
                        continue
                    if orientation == 'as they are' and same_trials:
                        row = labelled_row(name, key, pairs[key])
                    else:
                        images = versions(key, settings, args.images)
                        if orientation == 'transposed':
                            images = [np.ascontiguousarray(image.T) for image in images]
                        start = time.perf_counter()
                        results = scorer.score_series(images)
                        row = scored_row(name, key, orientation, results,
                                         round(time.perf_counter() - start, 1))
                    writer.writerow(row)
                    handle.flush()
                    done.append(row)
    table = summary(done, names)
    text = (f'Full dose and 270 views of each slice scored by the reference detector with '
            f'{args.trials} paired trials (sets of {args.set_size}, seed {args.seed}), as they '
            'are and transposed (an orientation its training never showed); means over slices '
            '+- their standard errors.\n\n' + table + '\n\nMachine: '
            + machine(['torch', 'onedl-mmdetection'], note=args.note))
    print(text)
    if args.record:
        record(SECTION, os.path.basename(__file__), text)


if __name__ == '__main__':
    main()
