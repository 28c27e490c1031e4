"""Detectors side by side on the validation patients of the training config.

For each checkpoint (default: the first reference checkpoint, taken from git history, and the
installed one), on the validation split of ``configs/_base_/datasets/ct_lesions.py``:

1. **validation mAP**: COCO bbox mAP pooled over the validation set's fixed lesion
   configurations (the figure ``tools/train.py`` logs and ``tools/test.py`` prints);
2. **paired scores** at 100 / 50 / 25 / 12 / 5 % simulated dose for every validation slice
   (``--trials`` paired trials, one set: the same lesions at every dose), the mean full-dose
   score and whether each slice's score falls strictly with dose;
3. **dose resolution**: per slice, the fewest paired trials per level (of 2, 4, ..., at most
   half the pool) that order 100 % above 50 % (and 50 % above 25 %) in 95 % of resamples;
4. **pooled SROCC** of the score against the dose level over all slices and doses, with the
   soft-tissue noise baseline (minus the noise) beside it.

Needs ../shared/data/ct. Usage::

    python benchmarks/bench_generalisation.py [--checkpoint NAME=PATH ...] [--trials 100]
        [--record] [--json OUT.json]

``--record`` writes the tables to the "Generalisation to unseen patients" section of
benchmarks/RESULTS.md.
"""
import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from _paired import order_rates, paired_trials, trials_to_order
from _results import RESULTS, load_note, machine, record
from mmengine.config import Config

from d2iqa import load_slice, window
from d2iqa.evaluation import coco_evaluate, srocc
from d2iqa.lesions import Placement, add_lesions, seeded_rng
from d2iqa.scoring import MMDetDetector, create_scorer
from d2iqa.simulation import simulate_levels
from d2iqa.scoring.scorer import reference_checkpoint

ROOT = Path(__file__).resolve().parents[1]
SECTION = '## Generalisation to unseen patients'
CONFIG = ROOT / 'configs' / 'd2iqa' / 'cascade-rcnn_r18_fpn_lite.py'
#: The commit that shipped the first reference checkpoint (26 training slices, 5 patients).
FIRST_REFERENCE = 'e2d2b42', 'd2iqa/checkpoints/d2iqa_lite_reference.pth'
DOSES = (100, 50, 25, 12, 5)


def first_reference():
    """The first reference checkpoint, written from git history to a temporary file."""
    commit, path = FIRST_REFERENCE
    data = subprocess.run(['git', 'show', f'{commit}:{path}'], cwd=ROOT, check=True,
                          capture_output=True).stdout
    handle = tempfile.NamedTemporaryFile(suffix='.pth', delete=False)
    handle.write(data)
    handle.close()
    return handle.name


def validation_set(config):
    """Entries of the config's validation set (one per slice and fixed trial), and its seed."""
    from d2iqa.engine import config_slices
    seed = next(t['seed'] for t in Config.fromfile(config).val_pipeline
                if t['type'] == 'InsertVirtualLesions')
    return config_slices(config, split='val'), seed


def validation_map(detector, entries, slices, seed):
    """Pooled COCO mAP over the validation set's seeded lesions (as the val pipeline draws)."""
    columns = {key: [] for key in ('gt_boxes', 'gt_labels', 'det_boxes', 'det_scores',
                                   'det_labels')}
    placements = {}
    for entry in entries:
        key = entry['img_path'], entry['slice_index']
        image = slices[key]['image01']
        placement = placements.setdefault(key, Placement.from_image(image))
        lesions = placement.draw(seeded_rng(seed, key + (entry['trial'],)))
        (boxes, scores, labels), = detector.detect([add_lesions(image, lesions)])
        for name, value in zip(columns, (lesions.boxes, lesions.labels, boxes, scores, labels)):
            columns[name].append(value)
    return coco_evaluate(**columns, num_classes=4).ap


def median_trials(figures, field, half):
    """Median over the slices of the trials needed; a slice that no count up to ``half``
    orders counts as needing more."""
    needed = [s[field] if s[field] is not None else np.inf for s in figures['slices']]
    median = np.median(needed)
    text = f'{median:.0f}' if np.isfinite(median) else f'> {half}'
    return f'{text} ({int(np.isfinite(needed).sum())} of {len(needed)} within {half})'


def summary_table(results, doses, noise_srocc, half):
    """One row per checkpoint (and the noise baseline's SROCC), as markdown lines."""
    lines = ['| checkpoint | validation mAP | mean full-dose score | slices strictly falling | '
             'median trials 100 vs 50 % | median trials 50 vs 25 % | pooled SROCC vs dose |',
             '|---|---:|---:|---:|---:|---:|---:|']
    for name, figures in results.items():
        scores = np.array([s['scores'] for s in figures['slices']])
        levels = np.tile(np.asarray(doses, float), len(scores))
        figures['mean_full_dose'] = float(scores[:, 0].mean())
        figures['srocc'] = float(srocc(scores.ravel(), levels))
        lines.append(
            f'| {name} | {figures["val_map"]:.3f} | {figures["mean_full_dose"]:.3f} | '
            f'{sum(s["falling"] for s in figures["slices"])} of {len(scores)} | '
            f'{median_trials(figures, "trials_100_50", half)} | '
            f'{median_trials(figures, "trials_50_25", half)} | {figures["srocc"]:.3f} |')
    lines.append(f'| noise baseline (minus soft-tissue noise) | | | | | | {noise_srocc:.3f} |')
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--checkpoint', action='append', metavar='NAME=PATH',
                        help='a checkpoint to compare (repeat); default the first reference '
                             'checkpoint (git history) and the installed one')
    parser.add_argument('--config', default=str(CONFIG),
                        help='config whose validation split is used (default the lite config)')
    parser.add_argument('--trials', type=int, default=100,
                        help='paired trials per slice and dose (default 100)')
    parser.add_argument('--doses', type=float, nargs='+', default=DOSES,
                        help='dose levels in percent (default 100 50 25 12 5)')
    parser.add_argument('--resamples', type=int, default=200,
                        help='resamples per trial count in the dose resolution (default 200)')
    parser.add_argument('--slices', type=int, help='use only the first N validation slices')
    parser.add_argument('--json', help='write every figure to this JSON file')
    parser.add_argument('--record', action='store_true',
                        help=f'write the tables to the "{SECTION[3:]}" section of {RESULTS}')
    parser.add_argument('--summarise', nargs='+', metavar='JSON',
                        help='print the summary table of earlier --json runs and stop')
    args = parser.parse_args()
    if args.summarise:
        saved = [json.loads(Path(path).read_text()) for path in args.summarise]
        results = {name: f for run in saved for name, f in run['results'].items()}
        print('\n'.join(summary_table(results, saved[0]['doses'], saved[0]['noise_srocc'],
                                       saved[0].get('trials', args.trials) // 2)))
        return
    load_before = os.getloadavg()[0]
    # the seeded validation lesions depend on the slices' paths as training spells them,
    # relative to the repository root
    os.chdir(ROOT)
    checkpoints = dict(item.split('=', 1) for item in args.checkpoint) if args.checkpoint \
        else {'first reference': first_reference(), 'installed': str(reference_checkpoint())}
    entries, seed = validation_set(args.config)
    if args.slices:
        first = list(dict.fromkeys((e['img_path'], e['slice_index']) for e in entries))
        entries = [e for e in entries
                   if (e['img_path'], e['slice_index']) in first[:args.slices]]
    slices = {}
    for entry in entries:
        key = entry['img_path'], entry['slice_index']
        if key not in slices:
            ct = load_slice(entry['img_path'], index=entry['slice_index'])
            slices[key] = dict(ct=ct, patient=entry['patient'],
                               maker=entry['manufacturer'], image01=window(ct.hu, preset='d2iqa'))
    noise = create_scorer('noise')
    for number, item in enumerate(slices.values()):
        levels = [item['ct'].with_hu(hu) for _, hu in simulate_levels(item['ct'], doses=args.doses,
                                                                     seed=number)['dose']]
        item['levels01'] = [window(level.hu, preset='d2iqa') for level in levels]
        item['noise'] = [r.score for r in noise.score_series(levels)]
    print(f'{len(slices)} validation slices of {len({s["patient"] for s in slices.values()})} '
          f'patients, {len(entries)} validation images', flush=True)

    rng = np.random.default_rng(0)
    results = {}
    for name, path in checkpoints.items():
        detector = MMDetDetector(path)
        start = time.perf_counter()
        figures = dict(val_map=validation_map(detector, entries, slices, seed), slices=[])
        for key, item in slices.items():
            scores, per_level, _ = paired_trials(detector, item['levels01'], args.trials)
            rates = [order_rates(per_level[i], per_level[i + 1], paired=True, rng=rng,
                                 resamples=args.resamples) for i in range(2)]
            figures['slices'].append(dict(
                source=os.path.relpath(key[0], ROOT.parent), patient=item['patient'],
                maker=item['maker'], scores=scores,
                falling=bool(np.all(np.diff(scores) < 0)),
                trials_100_50=trials_to_order(rates[0]), trials_50_25=trials_to_order(rates[1])))
            print(f'{name}: {figures["slices"][-1]["source"]}: {np.round(scores, 3)}', flush=True)
        figures['seconds'] = time.perf_counter() - start
        results[name] = figures

    levels = np.tile(np.asarray(args.doses, float), len(slices))
    noise_scores = -np.concatenate([item['noise'] for item in slices.values()])
    known = np.isfinite(noise_scores)
    noise_srocc = srocc(noise_scores[known], levels[known])

    grid_note = f'{args.trials} paired trials per slice and dose, one set'
    lines = [
        f'{len(slices)} validation slices of {len({s["patient"] for s in slices.values()})} '
        f'patients (the `holdout_patients` of configs/_base_/datasets/ct_lesions.py, at most 2 '
        f'slices each), {len(entries)} validation images for the mAP; doses '
        f'{", ".join(f"{d:g}" for d in args.doses)} %; {grid_note}; {args.resamples} resamples '
        f'per count; {torch.get_num_threads()} torch threads.', '',
        *summary_table(results, args.doses, noise_srocc, args.trials // 2)]
    lines += ['', 'Per slice (score at each dose; trials to order 100 vs 50 % and 50 vs 25 %, '
                  '"-" beyond half the pool):', '',
              '| slice | patient | maker | ' + ' | '.join(results) + ' |',
              '|---|---|---|' + '---|' * len(results)]
    for number, key in enumerate(slices):
        cells = []
        for figures in results.values():
            s = figures['slices'][number]
            cells.append(f'{" / ".join(f"{v:.3f}" for v in s["scores"])}; '
                         f'{s["trials_100_50"] or "-"}, {s["trials_50_25"] or "-"}')
        s = next(iter(results.values()))['slices'][number]
        lines.append(f'| {Path(s["source"]).name} | {s["patient"]} | {s["maker"]} | '
                     + ' | '.join(cells) + ' |')
    lines += ['', 'Detector time per checkpoint: ' + ', '.join(
        f'{name} {f["seconds"] / 60:.1f} min' for name, f in results.items()) + '.', '',
        f'Machine: {machine(("torch", "onedl-mmcv", "onedl-mmdetection"))}; '
        f'{load_note(load_before)}.']
    print('\n'.join(lines))
    if args.json:
        Path(args.json).write_text(json.dumps(dict(results=results, noise_srocc=noise_srocc,
                                                   doses=list(args.doses), trials=args.trials),
                                              indent=1))
    if args.record:
        record(SECTION, 'bench_generalisation.py', '\n'.join(lines))


if __name__ == '__main__':
    main()
