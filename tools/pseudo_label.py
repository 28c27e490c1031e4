"""Step 2 of MD-IQA: pseudo-label unlabelled slices with an ensemble of checkpoints.

``python tools/pseudo_label.py CKPT1 CKPT2 ... --images FOLDER_OR_CSV --out pseudo.csv``

The output (see ``mdiqa.pseudo_label.write_pseudo_labels``) holds the ensemble mean as
``score`` and its standard deviation as ``spread``; step-3 configs read it as
``CSVQualityDataset(kind='pseudo')``.
"""
import argparse

from mdiqa.api import MDIQAScorer
from mdiqa.datasets import list_slices, read_slice_csv
from mdiqa.pseudo_label import pseudo_label, write_pseudo_labels


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoints', nargs='+', help='the ensemble (step-1 checkpoints)')
    parser.add_argument('--images', required=True,
                        help='a folder of unlabelled slices, or a CSV list with a path column')
    parser.add_argument('--out', required=True, help='the pseudo-label CSV to write')
    parser.add_argument('--values', help="units of TIFF/PNG/NPY pixels (default: the models')")
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args()
    scorers = [MDIQAScorer(checkpoint=c, device=args.device, values=args.values)
               for c in args.checkpoints]
    items = read_slice_csv(args.images, require_score=False) if args.images.endswith('.csv') \
        else list_slices(args.images, values=scorers[0].values)
    scores = pseudo_label(scorers, items)
    write_pseudo_labels(args.out, items, scores)
    print(f'{args.out}: {len(items)} slices, {len(scorers)} models, mean spread '
          f'{scores.std(axis=1).mean():.3f}')


if __name__ == '__main__':
    main()
