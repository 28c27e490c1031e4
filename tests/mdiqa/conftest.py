"""Tiny synthetic quality data for the MD-IQA tests (made in fixtures, never tracked)."""
import csv
from pathlib import Path

import numpy as np
import pytest

TINY = Path(__file__).parent / 'configs' / 'mdiqa_tiny.py'


@pytest.fixture(autouse=True)
def mdiqa_scope():
    """Build in MD-IQA's scope even when an earlier test left mmdet's as the default."""
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mdiqa'):
        yield


@pytest.fixture(scope='session')
def tiny_config():
    """Path of the tiny MD-IQA config."""
    return TINY


@pytest.fixture(scope='session')
def make_slices():
    """``make_slices(count, seed=...)`` -> list of (HU array, score)."""
    return noisy_slices


def noisy_slices(count, *, size=72, seed=0):
    """Soft-tissue squares with noise falling as the score rises: (HU array, score) pairs."""
    rng = np.random.default_rng(seed)
    scores = np.linspace(0.2, 3.8, count)
    return [((40 + rng.normal(0, 10 + 40 * (4 - s), (size, size))).astype(np.float32), float(s))
            for s in scores]


@pytest.fixture(scope='session')
def quality_root(tmp_path_factory):
    """``train.csv`` / ``val.csv`` of NPY slices in HU, and ``unlabelled.csv`` without scores."""
    root = tmp_path_factory.mktemp('quality')
    (root / 'images').mkdir()
    for split, count, seed in (('train', 8, 0), ('val', 6, 1), ('unlabelled', 4, 2)):
        rows = []
        for i, (hu, score) in enumerate(noisy_slices(count, seed=seed)):
            name = f'images/{split}{i}.npy'
            np.save(root / name, hu)
            rows.append(dict(path=name, score=score) if split != 'unlabelled' else dict(path=name))
        with open(root / f'{split}.csv', 'w', newline='') as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return root


@pytest.fixture(scope='session')
def tiny_options(quality_root):
    """--cfg-options pointing the tiny config at ``quality_root``."""
    root = quality_root
    return {'train_dataloader.dataset.ann_file': str(root / 'train.csv'),
            'val_dataloader.dataset.ann_file': str(root / 'val.csv'),
            'test_dataloader.dataset.ann_file': str(root / 'val.csv')}
