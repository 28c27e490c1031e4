"""Build MD-IQA's labelled proxy set from real CT slices and the code-made phantom.

``python tools/make_proxy_set.py ../shared/data/ct /work/runs/mdiqa/proxy``

Slices are split by slice (see ``SPLITS``): abdomen series slices 0-11 train, 12-13 val,
16-19 test, 14-15 unlabelled only; liver 01-02 train, 03 test; chest test; lumbar spine train;
uniform phantom 1-2 train, 3 test; code-made abdomen phantoms (seeds 0-2 train, 3 test).
Labels: :func:`mdiqa.proxy.level_score`.
"""
import argparse
import os

from d2iqa.io import load_series, load_slice
from d2iqa.simulation import abdomen_phantom
from mdiqa.proxy import build_proxy_set

ABDOMEN_SPLIT = {**{i: 'train' for i in range(12)}, 12: 'val', 13: 'val', 14: 'unlabelled',
                 15: 'unlabelled', **{i: 'test' for i in range(16, 20)}}
#: (name, split, file or folder under the data root, slice index or None)
SPLITS = [(f'abdomen{i:02d}', split, 'totalsegmentator-abdomen-dicom', i)
          for i, split in ABDOMEN_SPLIT.items()] + [
    ('liver01', 'train', 'dcmqi-liver-dicom/01.dcm', None),
    ('liver02', 'train', 'dcmqi-liver-dicom/02.dcm', None),
    ('liver03', 'test', 'dcmqi-liver-dicom/03.dcm', None),
    ('chest', 'test', 'fodicom-chest-dicom/chest.dcm', None),
    ('spine', 'train', 'fodicom-spine-dicom/lumbar.dcm', None),
    ('cylinder1', 'train', 'rtutils-phantom-dicom/sample_1.dcm', None),
    ('cylinder2', 'train', 'rtutils-phantom-dicom/sample_2.dcm', None),
    ('cylinder3', 'test', 'rtutils-phantom-dicom/sample_3.dcm', None)]
PHANTOM_SPLITS = {0: 'train', 1: 'train', 2: 'train', 3: 'test'}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('data_root', help='the shared real-CT folder (../shared/data/ct)')
    parser.add_argument('out_dir', help='where the images and CSV lists go (outside the repo)')
    parser.add_argument('--seed', type=int, default=0, help='seed of the simulated noise')
    args = parser.parse_args()
    series = {}
    slices = []
    for name, split, relative, index in SPLITS:
        path = os.path.join(args.data_root, relative)
        if index is None:
            slices.append((name, split, load_slice(path)))
        else:
            series.setdefault(path, load_series(path))
            slices.append((name, split, series[path][index]))
    slices += [(f'phantom{seed}', split, abdomen_phantom(512, seed=seed))
               for seed, split in PHANTOM_SPLITS.items()]
    counts = build_proxy_set(slices, args.out_dir, seed=args.seed, progress=print)
    print(', '.join(f'{name}: {count} images' for name, count in counts.items()))


if __name__ == '__main__':
    main()
