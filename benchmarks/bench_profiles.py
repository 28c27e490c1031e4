"""Scoring profiles and paired trials on the shared CT slices at the paper's 7 simulated doses.

1. Profile ``'fast'`` against profile ``'paper'`` (``d2iqa.scoring.PROFILES``): every slice x
   dose is scored with both, on the same paired trials (one set of ``--trials``) with the
   reference detector; Spearman correlation and largest |difference| of the scores over all
   slice x dose pairs, and the detector time of each profile.
2. Precision per unit of compute, from the per-trial detections of the ``'fast'`` run: the
   fewest trials that order two adjacent dose levels of a slice correctly (higher score at
   the higher dose) in 95 % of resamples, with *paired* trials (the same lesion configurations
   at both doses, as ``score_series`` does) and with *independent* trials (different
   configurations: disjoint trials of the pool). Resamples draw n of the pool's trials
   without replacement, n at most half the pool. Pairs whose scores over the whole pool
   differ by less than ``--min-gap`` are left out (no number of trials orders equal levels).

Needs ../shared/data/ct. Usage::

    python benchmarks/bench_profiles.py [--trials 40] [--record]

``--record`` writes the tables to the "Scoring profiles and paired trials" section of
benchmarks/RESULTS.md.
"""
import argparse
import os
from pathlib import Path

import numpy as np
import torch
from _paired import TRIAL_GRID, order_rates, paired_trials, trials_to_order
from _results import RESULTS, load_note, machine, record
from scipy.stats import spearmanr

from d2iqa import load_series, window
from d2iqa.simulation import simulate_levels
from d2iqa.scoring import PROFILES, MMDetDetector
from d2iqa.scoring.scorer import reference_checkpoint

SHARED_CT = Path(__file__).resolve().parents[2] / 'shared' / 'data' / 'ct'
SECTION = '## Scoring profiles and paired trials'
DOSES = (100, 50, 25, 20, 12, 7, 5)


def shared_slices():
    """The slices of the acceptance test: every 4th TotalSegmentator slice, one dcmqi liver
    slice (held out from training), the fo-dicom chest slice."""
    return (load_series(SHARED_CT / 'totalsegmentator-abdomen-dicom')[::4]
            + load_series(SHARED_CT / 'dcmqi-liver-dicom')[1:2]
            + load_series(SHARED_CT / 'fodicom-chest-dicom'))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--trials', type=int, default=40,
                        help='paired trials per slice and dose (default 40)')
    parser.add_argument('--slices', type=int, help='score only the first N slices')
    parser.add_argument('--resamples', type=int, default=100,
                        help='resamples per trial count in the precision study (default 100)')
    parser.add_argument('--min-gap', type=float, default=0.02,
                        help='smallest pool score gap of a dose pair studied (default 0.02)')
    parser.add_argument('--record', action='store_true',
                        help=f'write the tables to the "{SECTION[3:]}" section of {RESULTS}')
    args = parser.parse_args()
    if not SHARED_CT.is_dir():
        raise SystemExit(f'{SHARED_CT} is absent: this benchmark scores the shared CT slices')
    load_before = os.getloadavg()[0]
    checkpoint = reference_checkpoint()
    detectors = {name: MMDetDetector(checkpoint, test_cfg=PROFILES[name])
                 for name in ('paper', 'fast')}
    scores = {name: [] for name in detectors}
    seconds = dict.fromkeys(detectors, 0.0)
    trials_fast = []
    slices = shared_slices()[:args.slices]
    for number, ct_slice in enumerate(slices):
        levels = simulate_levels(ct_slice, doses=DOSES, seed=number)['dose']
        levels01 = [window(hu, preset='d2iqa') for _, hu in levels]
        for name, detector in detectors.items():
            values, per_level, spent = paired_trials(detector, levels01, args.trials)
            scores[name].append(values)
            seconds[name] += spent
            if name == 'fast':
                trials_fast.append(per_level)
        print(f'slice {number}: paper {np.round(scores["paper"][-1], 3)}, '
              f'fast {np.round(scores["fast"][-1], 3)}', flush=True)
    paper, fast = (np.array(scores[name]) for name in ('paper', 'fast'))
    n_images = paper.size * args.trials
    rho = spearmanr(paper.ravel(), fast.ravel()).statistic

    rng = np.random.default_rng(0)
    rates = {True: [], False: []}
    for per_level, values in zip(trials_fast, fast):
        for level in range(len(DOSES) - 1):
            if values[level] - values[level + 1] >= args.min_gap:
                for paired in rates:
                    rates[paired].append(order_rates(per_level[level], per_level[level + 1],
                                                     paired=paired, rng=rng,
                                                     resamples=args.resamples))
    needed = {paired: [trials_to_order(pair) for pair in pairs]
              for paired, pairs in rates.items()}
    grid = [n for n in TRIAL_GRID if n <= args.trials // 2]

    def row(paired):
        reached = [n for n in needed[paired] if n is not None]
        median = f'{np.median(reached):.0f}' if reached else '-'
        mean_rates = ' | '.join(f'{np.mean([pair[n] for pair in rates[paired]]):.3f}'
                                for n in grid)
        return (f'| {"paired" if paired else "independent"} | {mean_rates} | {median} | '
                f'{len(reached)} of {len(needed[paired])} |')

    largest = max(grid)
    reached = {paired: [n for n in needed[paired] if n is not None] for paired in needed}
    typical = np.median(reached[True]) if reached[True] else float('nan')
    lines = [
        f'{len(slices)} shared slices (the first {len(slices)} of: every 4th TotalSegmentator '
        f'slice, one held-out dcmqi liver slice, the fo-dicom chest) x {len(DOSES)} doses '
        f'({", ".join(map(str, DOSES))} '
        f'%), {args.trials} paired trials per slice (seed 0), one set; reference checkpoint; '
        f'{torch.get_num_threads()} torch threads.', '',
        '| profile | detector time (ms/image) | speed-up over paper | mean score |',
        '|---|---:|---:|---:|',
        *(f'| {name} | {seconds[name] / n_images * 1e3:.0f} | '
          f'{seconds["paper"] / seconds[name]:.2f}x | {np.mean(scores[name]):.4f} |'
          for name in ('paper', 'fast')), '',
        f'fast against paper over the {paper.size} slice x dose scores: Spearman {rho:.4f}, '
        f'largest |difference| {np.abs(fast - paper).max():.4f}, mean |difference| '
        f'{np.abs(fast - paper).mean():.4f}.', '',
        f'Ordering two adjacent dose levels of a slice ({len(needed[True])} pairs with a pool '
        f'score gap >= {args.min_gap}, fast profile, {args.resamples} resamples per count): '
        f'mean rate of correct order with n trials per level, and the fewest trials (of '
        f'{TRIAL_GRID}, at most half the pool: {args.trials // 2}) that order a pair '
        f'correctly 95 % of the time:', '',
        f'| trials | {" | ".join(f"n = {n}" for n in grid)} | median trials for 95 % | '
        'pairs reaching 95 % |',
        '|---|' + '---:|' * (len(grid) + 2),
        row(True), row(False), '',
        f'Paired trials order a pair correctly 95 % of the time with a median {typical:.0f} '
        f'trials per level ({len(reached[True])} of {len(needed[True])} pairs within '
        f'{largest}); independent trials do so for {len(reached[False])} of '
        f'{len(needed[False])} pairs within {largest}, the others need more than {largest}: '
        f'over {largest / typical:.1f}x the paired count.', '',
        f'Machine: {machine(("torch", "onedl-mmcv", "onedl-mmdetection"))}; '
        f'{load_note(load_before)}.']
    print('\n'.join(lines))
    if args.record:
        record(SECTION, 'bench_profiles.py', '\n'.join(lines))


if __name__ == '__main__':
    main()
