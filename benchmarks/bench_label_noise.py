"""How noisy teacher labels are at a number of trials, and what each trial count costs.

Reads a labels CSV of ``tools/make_teacher_labels.py`` (its ``set_scores`` column: the mAP of
each set of trials, the same lesions at every rung of a slice) and, for trial counts T,
estimates from the spread of the sets:

- the label's standard error, ``sigma_set * sqrt(set_size / T)`` (root mean square over the
  labels of each kind of rung);
- how reliably T paired trials order neighbouring rungs of a slice as all the run's trials
  order them (dose chain 100 > 50 > 25 > 12 > 5 %, view chain 360 > 270 > 180 > 90):
  ``Phi(|mean difference| / (sigma_difference * sqrt(set_size / T)))`` per pair of
  neighbours, averaged over pairs (normal approximation of the mean of paired set
  differences);
- the detector time per slice of the whole ladder, from the run's ``seconds``.

Usage::

    python benchmarks/bench_label_noise.py LABELS.csv [--trials 20 40 100 500] [--record]
"""
import argparse
import csv
from collections import defaultdict

import numpy as np
from _results import machine, record
from scipy import stats

SECTION = '## Teacher label noise'
CHAINS = {'dose': ('full', 'dose50', 'dose25', 'dose12', 'dose5'),
          'views': ('full', 'views270', 'views180', 'views90')}


def rung_name(row):
    name = row['degradation']
    if name == 'dose':
        return f"dose{float(row['dose']):g}"
    if name == 'views':
        return f"views{float(row['views']):g}"
    return name


def read(path):
    with open(path, newline='') as handle:
        rows = list(csv.DictReader(handle))
    slices = defaultdict(dict)
    for row in rows:
        sets = np.array(row['set_scores'].split(), dtype=float)
        if sets.size < 2:
            raise SystemExit(f'{path}: a label of {row["file"]} has {sets.size} set(s); the '
                             'spread needs at least 2 (--trials >= 2 * --set-size)')
        slices[(row['file'], row['slice_index'])][rung_name(row)] = (sets, float(row['seconds']))
    set_size = int(rows[0]['trials']) // len(rows[0]['set_scores'].split())
    return slices, set_size, int(rows[0]['trials'])


def noise_table(slices, set_size, trial_counts):
    """Rows (kind, T, label standard error, neighbour order reliability)."""
    spread = defaultdict(list)
    pairs = defaultdict(list)          # chain -> (|mean difference|, sd of set differences)
    for rungs in slices.values():
        for name, (sets, _) in rungs.items():
            spread[name.rstrip('0123456789')].append(sets.std(ddof=1))
        for chain, names in CHAINS.items():
            for high, low in zip(names, names[1:]):
                if high in rungs and low in rungs:
                    difference = rungs[high][0] - rungs[low][0]
                    pairs[chain].append((abs(difference.mean()), difference.std(ddof=1)))
    rows = []
    for count in trial_counts:
        shrink = np.sqrt(set_size / count)
        sem = {kind: float(np.sqrt(np.mean(np.square(values))) * shrink)
               for kind, values in spread.items()}
        order = {chain: float(np.mean([stats.norm.cdf(m / max(s * shrink, 1e-12))
                                       for m, s in values])) for chain, values in pairs.items()}
        rows.append((count, sem, order))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('labels', help='a labels CSV of tools/make_teacher_labels.py')
    parser.add_argument('--trials', type=int, nargs='+', default=(20, 40, 60, 100, 200, 500))
    parser.add_argument('--record', action='store_true')
    parser.add_argument('--note', default='', help='what else ran on the machine')
    args = parser.parse_args()
    slices, set_size, run_trials = read(args.labels)
    seconds = np.mean([sum(s for _, s in rungs.values()) for rungs in slices.values()])
    rows = noise_table(slices, set_size, args.trials)
    kinds = list(rows[0][1])
    chains = list(rows[0][2])
    lines = [f'{len(slices)} slices of `{args.labels}`, {run_trials} trials in sets of '
             f'{set_size}; {seconds / run_trials:.2f} s of teacher per trial for the whole '
             f'ladder of a slice.', '',
             '| trials | ' + ' | '.join(f'label s.e. ({k})' for k in kinds) + ' | '
             + ' | '.join(f'neighbours ordered ({c})' for c in chains) + ' | s per slice |',
             '|---' * (2 + len(kinds) + len(chains)) + '|']
    for count, sem, order in rows:
        lines.append(f'| {count} | ' + ' | '.join(f'{sem[k]:.4f}' for k in kinds) + ' | '
                     + ' | '.join(f'{order[c]:.3f}' for c in chains)
                     + f' | {seconds * count / run_trials:.0f} |')
    text = '\n'.join(lines)
    print(text)
    if args.record:
        record(SECTION, 'bench_label_noise.py',
               text + '\n\nMachine: ' + machine(('torch', 'onedl-mmdetection'), note=args.note))


if __name__ == '__main__':
    main()
