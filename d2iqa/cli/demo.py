"""``d2iqa demo``: the main job on CT that ships with the dependencies.

Two slices: the real abdominal slice of ``pydicom-data`` (``explicit_VR-UN.dcm``) and a
code-made abdomen phantom given the noise of a full-dose scan. Each is taken down to 50, 25,
12 and 5 % of its dose by projection-domain noise insertion; every dose is scored by the
reference D2IQA detector with *paired* trials (the same lesion configurations at every dose of
a slice). Prints a table, writes ``demo_scores.csv`` and ``demo_scores.png`` (score vs dose,
standard error bars) into ``--out``. The number of trials is chosen from the measured speed
of the detector so that the demo ends within ``--budget`` seconds; it says what it chose.

Without the reference checkpoint (or ``--checkpoint``) nothing is scored: the demo says so
and exits with status 1.
"""
import csv
import math
import os
import sys
import time

import numpy as np

from ..io import embedded_path, load_slice, window
from ..scoring import (CheckpointNotFoundError, ScoringOptions, create_scorer,
                       reference_checkpoint)
from ..simulation import abdomen_phantom, simulate_levels, simulate_low_dose

#: Dose levels in percent of each slice's dose.
DOSES = (100, 50, 25, 12, 5)
#: Full-dose photons per detector bin and view for the phantom: the N0 calibrated on pydicom's
#: abdominal slice (docs/simulation.md), so that both slices have a clinical noise level.
PHANTOM_PHOTONS = 3.8e5
#: Trials per set in the demo (the paper: 100); the trial count is a multiple of it.
SET_SIZE = 5
#: Bounds of the automatic trial count: at least 2 sets (a standard error), at most 100.
MIN_TRIALS, MAX_TRIALS = 2 * SET_SIZE, 100
#: Seconds kept back for placement, evaluation and writing when choosing the trial count.
RESERVE_S = 15.0


def demo_slices(*, seed=0):
    """The demo's slices, each as a list of (dose %, HU array) with the full dose first.

    Returns
    -------
    dict
        Name -> levels: ``'pydicom abdomen'`` (``explicit_VR-UN.dcm``, N0 calibrated on the
        slice) and ``'abdomen phantom'`` (512 x 512 at 0.7 mm with the noise of
        :data:`PHANTOM_PHOTONS` photons as its full dose).
    """
    real = load_slice(embedded_path('explicit_VR-UN.dcm'))
    phantom = simulate_low_dose(abdomen_phantom(512, seed=seed), 0.5,
                                incident_photons=PHANTOM_PHOTONS, seed=seed)
    return {
        'pydicom abdomen': simulate_levels(real, doses=DOSES, seed=seed)['dose'],
        'abdomen phantom': simulate_levels(phantom, doses=DOSES, seed=seed,
                                           incident_photons=PHANTOM_PHOTONS)['dose'],
    }


def time_detector(scorer, image_hu):
    """Seconds per trial image of the scorer's detector: one batch of ``image_hu``, timed
    after a first (warm-up) batch."""
    batch = np.repeat(window(image_hu, preset='d2iqa')[None], scorer.batch_size, axis=0)
    scorer.detector.detect(batch)
    start = time.perf_counter()
    scorer.detector.detect(batch)
    return (time.perf_counter() - start) / scorer.batch_size


def choose_trials(seconds_left, seconds_per_image, n_images):
    """The most trials (a multiple of :data:`SET_SIZE` in [MIN_TRIALS, MAX_TRIALS]) that fit."""
    fit = int(seconds_left / (seconds_per_image * n_images) // SET_SIZE * SET_SIZE)
    return min(max(fit, MIN_TRIALS), MAX_TRIALS)


def plot_scores(rows, path, *, title):
    """Score vs dose with standard-error bars, one line per slice, saved as a PNG."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 4.4))
    axes = figure.subplots()
    for number, name in enumerate(dict.fromkeys(row['slice'] for row in rows)):
        mine = [row for row in rows if row['slice'] == name]
        axes.errorbar([r['dose'] for r in mine], [r['score'] for r in mine],
                      yerr=[r['sem'] for r in mine], marker='o', capsize=4, color=f'C{number}',
                      label=name)
    axes.set_xscale('log')
    axes.set_xticks(DOSES, [f'{d:g}' for d in DOSES])
    axes.minorticks_off()
    axes.set_xlabel('simulated dose (% of the slice\'s dose)')
    axes.set_ylabel('D2IQA score (mAP, higher is better)')
    axes.set_title(title, fontsize=9)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def _table(rows, names):
    lines = [f'{"dose %":>7}  ' + '  '.join(f'{name:>22}' for name in names)]
    for dose in DOSES:
        cells = []
        for name in names:
            (row,) = [r for r in rows if r['slice'] == name and r['dose'] == dose]
            cells.append(f'{row["score"]:>13.4f} +- {row["sem"]:.4f}')
        lines.append(f'{dose:>7g}  ' + '  '.join(cells))
    return '\n'.join(lines)


def run(args):
    start = time.perf_counter()
    if args.trials is not None:
        try:
            ScoringOptions(trials=args.trials, set_size=args.set_size)
        except ValueError as exc:
            raise SystemExit(f'd2iqa demo: error: {exc}') from None
    try:
        checkpoint = args.checkpoint or reference_checkpoint()
        scorer = create_scorer('d2iqa', checkpoint=checkpoint, device=args.device)
    except (CheckpointNotFoundError, FileNotFoundError, ValueError) as exc:
        print(f'd2iqa demo: cannot score, so no results were computed: {exc}', file=sys.stderr)
        return 1
    print(f'detector: {checkpoint} on {args.device} '
          f'(loaded in {time.perf_counter() - start:.1f} s)')
    cases = demo_slices(seed=args.seed)
    n_images = sum(len(levels) for levels in cases.values())
    print(f'{len(cases)} slices x {len(DOSES)} doses ({", ".join(f"{d:g}" for d in DOSES)} %) '
          f'simulated in {time.perf_counter() - start:.1f} s since start')

    per_image = time_detector(scorer, next(iter(cases.values()))[0][1])
    if args.trials is None:
        left = args.budget - (time.perf_counter() - start) - RESERVE_S
        trials = choose_trials(left, per_image, n_images)
        print(f'measured {per_image:.2f} s per trial image (batch {scorer.batch_size}, '
              f'{args.device}); {max(left, 0):.0f} s of the {args.budget:g} s budget left for '
              f'{n_images} images per trial -> {trials} trials per image ({trials // SET_SIZE} '
              f'sets of {SET_SIZE}), paired across the doses of each slice.\n'
              f'The paper uses 500 trials (5 sets of 100): --trials 500 --set-size 100 takes '
              f'about {math.ceil(500 * n_images * per_image / 60)} min here.')
    else:
        trials = args.trials
        print(f'{trials} trials per image (--trials), sets of {args.set_size}; about '
              f'{trials * n_images * per_image:.0f} s of detection at {per_image:.2f} s per image')
    set_size = SET_SIZE if args.trials is None else args.set_size

    rows = []
    for name, levels in cases.items():
        results = scorer.score_series([hu for _, hu in levels], trials=trials,
                                      set_size=set_size, seed=args.seed)
        rows.extend({'slice': name, 'dose': dose, 'score': r.score, 'sem': r.sem,
                     'trials': r.n_trials, 'set_size': r.set_size}
                    for (dose, _), r in zip(levels, results))

    names = list(cases)
    print(f'\nD2IQA score (mean of the set mAPs +- standard error; higher is better, range '
          f'[0, 1]), {trials} paired trials per dose:')
    print(_table(rows, names))
    for name in names:
        scores = [r['score'] for r in rows if r['slice'] == name]
        falls = all(a > b for a, b in zip(scores, scores[1:]))
        print(f'{name}: score {"strictly decreases" if falls else "does not strictly decrease"}'
              ' from 100 % to 5 % dose')

    os.makedirs(args.out, exist_ok=True)
    csv_path = os.path.join(args.out, 'demo_scores.csv')
    with open(csv_path, 'w', newline='') as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    png_path = os.path.join(args.out, 'demo_scores.png')
    plot_scores(rows, png_path, title=f'D2IQA vs dose: {os.path.basename(checkpoint)}, '
                                      f'{trials} paired trials per dose (sets of {set_size})')
    print(f'wrote {csv_path}\nwrote {png_path}\ntotal {time.perf_counter() - start:.0f} s')
    return 0


def add_parser(subparsers):
    parser = subparsers.add_parser(
        'demo', help='score simulated doses of the embedded CT with the reference detector',
        description='Simulate 100/50/25/12/5 % doses of pydicom-data\'s abdominal slice and '
                    'of a code-made phantom, score them with paired D2IQA trials, print a '
                    'table and write a CSV and a PNG plot.')
    parser.add_argument('--out', default=os.path.join('outputs', 'demo'), metavar='DIR',
                        help='output folder (default outputs/demo)')
    parser.add_argument('--checkpoint', metavar='PTH',
                        help='detector weights (default: the reference checkpoint)')
    parser.add_argument('--trials', type=int, metavar='N',
                        help='trials per dose (default: as many as fit in --budget)')
    parser.add_argument('--set-size', type=int, default=SET_SIZE, metavar='N',
                        help=f'trials per set with --trials (default {SET_SIZE})')
    parser.add_argument('--budget', type=float, default=150.0, metavar='S',
                        help='seconds the whole demo may take when --trials is not given '
                             '(default 150: 3 minutes with a margin for a mis-estimate)')
    parser.add_argument('--seed', type=int, default=0, help='seed of noise and lesions')
    parser.add_argument('--device', default='cpu', help="'cpu' (default), 'cuda' or 'cuda:N'")
    parser.set_defaults(func=run)
