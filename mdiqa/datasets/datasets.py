"""Quality-score datasets: LDCTIQAC2023 layout, CSV lists, unlabelled folders."""
import csv
import json
import math
import os

import numpy as np
from mmengine.dataset import BaseDataset

from d2iqa.io import discover, load_series

from ..registry import DATASETS

SPLITS = ('train', 'val', 'test', 'all')


def split_names(names, *, split, fractions=(0.7, 0.1, 0.2), seed=0):
    """A seeded random split of names: 1000 names with the defaults give 700 / 100 / 200.

    The names are sorted, permuted with ``numpy.random.default_rng(seed)``, and cut at the
    rounded cumulative fractions, so the three splits are disjoint and cover every name.
    """
    if split not in SPLITS:
        raise ValueError(f'split must be one of {SPLITS}, got {split!r}')
    if len(fractions) != 3 or not math.isclose(sum(fractions), 1.0) or min(fractions) < 0:
        raise ValueError(f'fractions must be three non-negative numbers summing to 1, got '
                         f'{fractions}')
    names = sorted(names)
    if split == 'all':
        return names
    order = np.random.default_rng(seed).permutation(len(names))
    cuts = np.round(np.cumsum(fractions) * len(names)).astype(int)
    start, stop = {'train': (0, cuts[0]), 'val': (cuts[0], cuts[1]),
                   'test': (cuts[1], len(names))}[split]
    return [names[i] for i in sorted(order[start:stop])]


@DATASETS.register_module()
class LDCTIQADataset(BaseDataset):
    """LDCTIQAC2023 training data: ``image/*.tif`` and ``train.json`` (file name -> score).

    Args:
        data_root (str): the ``LDCTIQAG2023_train`` folder.
        split (str): ``'train'``, ``'val'``, ``'test'`` (700 / 100 / 200 of the 1000 images
            with the default fractions) or ``'all'``.
        split_seed (int): seed of the split (the published split is not; ours is seed 0).
        fractions (tuple[float]): train / val / test fractions.
        ann_file (str): the score file, relative to ``data_root``.
        img_dir (str): the image folder, relative to ``data_root``.
    """

    def __init__(self, *, data_root, split='train', split_seed=0, fractions=(0.7, 0.1, 0.2),
                 ann_file='train.json', img_dir='image', **kwargs):
        self.split, self.split_seed, self.fractions = split, split_seed, tuple(fractions)
        self.img_dir = img_dir
        super().__init__(data_root=data_root, ann_file=ann_file, **kwargs)

    def load_data_list(self):
        with open(self.ann_file) as handle:
            scores = json.load(handle)
        if not isinstance(scores, dict) or not scores:
            raise ValueError(f'{self.ann_file} must hold a JSON object mapping image file names '
                             'to scores, e.g. {"0000.tif": 2.8}')
        folder = os.path.join(self.data_root, self.img_dir)
        missing = [name for name in scores if not os.path.isfile(os.path.join(folder, name))]
        if missing:
            raise FileNotFoundError(f'{len(missing)} images named in {self.ann_file} are not in '
                                    f'{folder} (e.g. {missing[0]})')
        names = split_names(scores, split=self.split, fractions=self.fractions,
                            seed=self.split_seed)
        return [dict(img_path=os.path.join(folder, name), slice_index=0,
                     gt_score=float(scores[name]), kind='labelled') for name in names]


def _optional_float(row, column):
    return float(row[column]) if row.get(column) not in (None, '') else float('nan')


def read_slice_csv(path, *, require_score=True):
    """Rows of a slice list: columns ``path`` (relative to the CSV's folder unless absolute),
    optional ``index`` (slice within a multi-slice file), ``score`` (required unless
    ``require_score`` is False; NaN when absent), ``sem`` (the label's standard error,
    e.g. of a teacher's trials; NaN when absent) and ``slice`` (the slice that the row is a
    version of, e.g. one rung of a degradation ladder; empty when absent). Other columns are
    ignored.

    Returns
    -------
    list of dict
        ``img_path``, ``slice_index``, ``gt_score``, ``gt_sem``, ``source_slice``.
    """
    with open(path, newline='') as handle:
        rows = list(csv.DictReader(handle))
    wanted = {'path', 'score'} if require_score else {'path'}
    if not rows or not wanted <= set(rows[0]):
        raise ValueError(f'{path} must be a CSV file with a header holding the columns '
                         f'{sorted(wanted)}; got {sorted(rows[0]) if rows else "no rows"}')
    folder = os.path.dirname(os.path.abspath(path))
    return [dict(img_path=os.path.join(folder, row['path']),
                 slice_index=int(row.get('index') or 0),
                 gt_score=_optional_float(row, 'score'), gt_sem=_optional_float(row, 'sem'),
                 source_slice=row.get('slice') or '')
            for row in rows]


def list_slices(data_root, *, values=None):
    """Every slice under a folder (``d2iqa.discover``): ``img_path``, ``slice_index`` dicts.

    ``values`` (units of TIFF / PNG / NPY pixels) is needed to count the slices of stacks.
    """
    items = []
    for series in discover(data_root).series:
        if series.kind == 'dicom':
            items += [dict(img_path=path, slice_index=0) for path in series.paths]
        else:
            count = len(load_series(series, values=values))
            items += [dict(img_path=series.paths[0], slice_index=i) for i in range(count)]
    if not items:
        raise ValueError(f'{data_root} holds no CT slices that d2iqa can read')
    return items


@DATASETS.register_module()
class CSVQualityDataset(BaseDataset):
    """Scored slices listed in a CSV file (see :func:`read_slice_csv`): any format d2iqa reads.

    Args:
        ann_file (str): the CSV file (columns path, score and optionally index).
        kind (str): ``'labelled'`` (true scores) or ``'pseudo'`` (a pseudo-label file written
            by ``tools/pseudo_label.py``).
    """

    def __init__(self, *, ann_file, kind='labelled', **kwargs):
        if kind not in ('labelled', 'pseudo'):
            raise ValueError(f"kind must be 'labelled' or 'pseudo', got {kind!r}")
        self.kind = kind
        super().__init__(ann_file=ann_file, **kwargs)

    def load_data_list(self):
        return [dict(row, kind=self.kind) for row in read_slice_csv(self.ann_file)]


@DATASETS.register_module()
class UnlabelledCTDataset(BaseDataset):
    """Every slice found under a folder (DICOM series, NIfTI, TIFF / PNG / NPY), no scores.

    Args:
        data_root (str): the folder, walked recursively with ``d2iqa.discover``.
        values (str, optional): units of TIFF / PNG / NPY pixels (see ``d2iqa.load_slice``).
    """

    def __init__(self, *, data_root, values=None, **kwargs):
        self.values = values
        super().__init__(data_root=data_root, **kwargs)

    def load_data_list(self):
        return [dict(item, gt_score=float('nan'), kind='unlabelled')
                for item in list_slices(self.data_root, values=self.values)]
