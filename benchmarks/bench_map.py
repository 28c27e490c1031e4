"""Benchmark of d2iqa.evaluation.coco_map against pycocotools' COCOeval on D2IQA-like sets.

A set is 100 trial images of 512 x 512 px, each with 2-5 lesions of 16-24 px in 4 classes and
up to 100 detections, as a detector with ``score_thr=0.05`` and ``max_per_img=100`` gives:
1-3 boxes near each lesion with high scores, the rest spurious with low scores (float32, as a
detector outputs them). pycocotools is timed from the per-image arrays to ``stats[0]``:
building the COCO objects, ``loadRes``, evaluate, accumulate and summarize, stdout silenced.

Usage::

    python benchmarks/bench_map.py [--sets 20] [--repeat 5] [--record]

It prints the timings, their ratio and the largest difference between the two mAPs over the
sets; ``--record`` also writes them to the "COCO mAP evaluator" section of
benchmarks/RESULTS.md (replacing that section only).
"""
import argparse
import contextlib
import io
import os

import numpy as np
from _results import RESULTS, best_time, load_note, machine, record

from d2iqa.evaluation.coco_map import coco_map
from d2iqa.evaluation.pycocotools_reference import pycocotools_eval

SECTION = '## COCO mAP evaluator'


def make_set(seed, *, n_images=100, size=512, num_classes=4):
    """One set of trial images: per-image gt and detections as lists of arrays."""
    rng = np.random.default_rng(seed)
    case = {k: [] for k in ('gt_boxes', 'gt_labels', 'det_boxes', 'det_scores', 'det_labels')}
    for _ in range(n_images):
        n_gt = rng.integers(2, 6)
        wh = rng.uniform(16, 24, (n_gt, 2))
        xy = rng.uniform(32, size - 32 - wh)
        gt = np.concatenate([xy, xy + wh], axis=1)
        gt_labels = rng.integers(0, num_classes, n_gt)
        near = np.repeat(np.arange(n_gt), rng.integers(1, 4, n_gt))
        near_boxes = gt[near] + rng.normal(0, 2, (near.size, 4))
        near_labels = np.where(rng.random(near.size) < .9, gt_labels[near],
                               rng.integers(0, num_classes, near.size))
        n_spurious = rng.integers(10, 101 - near.size)
        wh = rng.uniform(10, 30, (n_spurious, 2))
        xy = rng.uniform(0, size - wh)
        boxes = np.concatenate([near_boxes, np.concatenate([xy, xy + wh], axis=1)])
        boxes[:, 2:] = np.maximum(boxes[:, 2:], boxes[:, :2] + 1)
        scores = np.concatenate([rng.uniform(.3, 1., near.size),
                                 np.minimum(.05 + rng.exponential(.08, n_spurious), .99)])
        labels = np.concatenate([near_labels, rng.integers(0, num_classes, n_spurious)])
        keep = np.argsort(-scores, kind='stable')[:100]
        for key, value in zip(case, (gt.astype(np.float32), gt_labels,
                                     boxes[keep].astype(np.float32),
                                     scores[keep].astype(np.float32), labels[keep])):
            case[key].append(value)
    return case


def pycocotools_map(case):
    evaluator = pycocotools_eval(**case)
    with contextlib.redirect_stdout(io.StringIO()):
        evaluator.summarize()
    return float(evaluator.stats[0])


def pycocotools_per_trial(case):
    values = [pycocotools_map({k: [v[i]] for k, v in case.items()})
              for i in range(len(case['gt_boxes']))]
    values = [v for v in values if v > -1]
    return float(np.mean(values)) if values else float('nan')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--sets', type=int, default=20,
                        help='sets compared for the largest difference (default 20)')
    parser.add_argument('--timed-sets', type=int, default=3,
                        help='sets timed, the first ones of --sets (default 3)')
    parser.add_argument('--repeat', type=int, default=5,
                        help='timed calls of pycocotools per set; ours get 20x more (default 5)')
    parser.add_argument('--record', action='store_true',
                        help=f'write the figures to the "{SECTION[3:]}" section of {RESULTS}')
    args = parser.parse_args()
    load_before = os.getloadavg()[0]

    rows = []
    for name, ours, theirs in (
            ('pooled (released scoring)', lambda c: coco_map(**c),
             lambda c: pycocotools_map(c)),
            ('per_trial', lambda c: coco_map(**c, aggregation='per_trial'),
             lambda c: pycocotools_per_trial(c))):
        t_ours, t_theirs, diff = [], [], 0.
        for seed in range(args.sets):
            case = make_set(seed)
            if seed < args.timed_sets:
                t, ours_value = best_time(lambda: ours(case), 20 * args.repeat)
                t_ours.append(t)
                t, theirs_value = best_time(lambda: theirs(case), args.repeat)
                t_theirs.append(t)
            else:
                ours_value, theirs_value = ours(case), theirs(case)
            diff = max(diff, abs(ours_value - theirs_value))
        rows.append((name, np.median(t_ours), np.median(t_theirs), diff))

    case = make_set(0)
    n_det = sum(len(s) for s in case['det_scores'])
    n_gt = sum(len(g) for g in case['gt_boxes'])
    lines = [f'Set: 100 images of 512 x 512 px, {n_gt} gt boxes (16-24 px, 4 classes) and {n_det} '
             f'detections (set 0); best of {20 * args.repeat} calls (ours) and {args.repeat} '
             f'calls (pycocotools) on each of {args.timed_sets} sets, median over sets; largest '
             f'|difference| of the mAP over {args.sets} sets.', '',
             '| aggregation | ours (ms) | pycocotools (ms) | speed-up | max abs difference |',
             '|---|---:|---:|---:|---:|']
    lines += [f'| {name} | {ours * 1e3:.2f} | {theirs * 1e3:.1f} | {theirs / ours:.0f}x | '
              f'{diff:.1e} |' for name, ours, theirs, diff in rows]
    lines += ['', f'Machine: {machine(("numpy", "pycocotools"))}; {load_note(load_before)}.']
    print('\n'.join(lines))
    if args.record:
        record(SECTION, 'bench_map.py', '\n'.join(lines))


if __name__ == '__main__':
    main()
