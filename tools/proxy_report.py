"""Test figures of MD-IQA checkpoints on a proxy list: pooled, per study, per slice; a plot.

``python tools/proxy_report.py reg=REG.pth md=MD.pth --list $MDIQA_PROXY/test.csv \\
    --json report.json --plot docs/img/mdiqa_proxy_test.png``

Each checkpoint scores the listed images with its own config's test pipeline (as
``tools/test.py`` does); see ``mdiqa.proxy.proxy_report`` for the figures. ``--noise-baseline``
adds a learning-free reference run, ``noise``: minus each image's soft-tissue noise in HU
(``d2iqa.simulation.noise_level``); its correlations count, its bias does not.
"""
import argparse
import csv
import json

import numpy as np

from d2iqa.io import load_slice
from d2iqa.scoring import create_scorer
from d2iqa.simulation import noise_level
from mdiqa.datasets import read_slice_csv
from mdiqa.proxy import proxy_report


def plot(path, runs, rows):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    label = np.array([float(row['score']) for row in rows])
    study = np.array([row['study'] for row in rows])
    fig, axes = plt.subplots(1, len(runs), figsize=(3.6 * len(runs), 3.6), squeeze=False)
    for ax, (name, (pred, report)) in zip(axes[0], runs.items()):
        for key, colour in (('dose', 'C0'), ('sparse_view', 'C1')):
            ax.scatter(label[study == key], pred[study == key], s=9, c=colour, label=key)
        ax.plot([0, 4], [0, 4], 'k:', lw=0.8)
        ax.set(title=f'{name}: SROCC {report["all"]["srocc"]:.3f}', xlabel='proxy label',
               ylabel='prediction', xlim=(-0.2, 4.2), ylim=(-0.2, 4.2))
        ax.legend(fontsize=7, loc='upper left')
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('runs', nargs='*', metavar='NAME=CHECKPOINT')
    parser.add_argument('--list', required=True, help='a proxy CSV list (e.g. test.csv)')
    parser.add_argument('--json', help='write the figures and the predictions here')
    parser.add_argument('--plot', help='write a prediction-vs-label scatter plot here (PNG)')
    parser.add_argument('--noise-baseline', action='store_true',
                        help='add the run "noise": minus the soft-tissue noise of each image')
    args = parser.parse_args()
    with open(args.list, newline='') as handle:
        rows = list(csv.DictReader(handle))
    paths = [item['img_path'] for item in read_slice_csv(args.list)]
    predictions = {}
    for run in args.runs:
        name, sep, checkpoint = run.partition('=')
        if not sep:
            parser.error(f'{run!r}: write runs as NAME=CHECKPOINT')
        scorer = create_scorer('mdiqa', checkpoint=checkpoint)
        predictions[name] = [result.score for result in scorer.score_series(paths)]
    if args.noise_baseline:
        predictions['noise'] = [-noise_level(load_slice(path, values='hu')) for path in paths]
    runs = {}
    for name, pred in predictions.items():
        report = proxy_report(pred, rows)
        runs[name] = np.asarray(pred), report
        for key in [k for k in report if k != 'slices']:
            print(name, key, ' '.join(f'{m} {v:.4f}' for m, v in report[key].items()))
        print(name, 'per slice (SROCC / bias):', ', '.join(
            f'{s} {v["srocc"]:.2f}/{v["bias"]:+.2f}' for s, v in report['slices'].items()))
    if args.json:
        with open(args.json, 'w') as handle:
            json.dump({name: dict(report, predictions=pred.tolist())
                       for name, (pred, report) in runs.items()}, handle, indent=1)
    if args.plot:
        plot(args.plot, {name: run for name, run in runs.items() if name != 'noise'}, rows)


if __name__ == '__main__':
    main()
