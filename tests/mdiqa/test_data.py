"""Datasets (LDCTIQAC2023 layout, CSV, unlabelled folder), transforms and the metric."""
import json

import numpy as np
import pytest
import tifffile
from mmengine.registry import DefaultScope
from scipy import stats

from mdiqa.datasets import (CSVQualityDataset, CropSlice, LDCTIQADataset, RandomRotFlip,
                            SliceGroupSampler, UnlabelledCTDataset, split_names)
from mdiqa.engine import QualityMetric
from mdiqa.proxy import level_score, proxy_report


@pytest.fixture(autouse=True)
def mdiqa_scope():
    """Datasets built outside a Runner find our transforms in the 'mdiqa' scope."""
    with DefaultScope.overwrite_default_scope('mdiqa'):
        yield


def test_split_is_700_100_200_disjoint_and_seeded():
    names = [f'{i:04d}.tif' for i in range(1000)]
    parts = [split_names(names, split=s, seed=0) for s in ('train', 'val', 'test')]
    assert [len(p) for p in parts] == [700, 100, 200]
    assert sorted(sum(parts, [])) == names
    assert split_names(names, split='test', seed=1) != parts[2]
    assert split_names(names, split='test', seed=0) == parts[2]


@pytest.fixture()
def ldctiqa_root(tmp_path):
    (tmp_path / 'image').mkdir()
    scores = {}
    for i in range(10):
        tifffile.imwrite(tmp_path / 'image' / f'{i:04d}.tif',
                         np.full((16, 16), i / 10, dtype=np.float32))
        scores[f'{i:04d}.tif'] = round(i * 0.4, 1)
    (tmp_path / 'train.json').write_text(json.dumps(scores))
    return tmp_path


def test_ldctiqa_layout_loads_normalised_tiffs_unchanged(ldctiqa_root):
    pipeline = [dict(type='LoadCTSlice', values=(0.5, 1.0)),
                dict(type='WindowCT', preset=(0.5, 1.0), channels=1),
                dict(type='PackQualityInputs')]
    splits = {s: LDCTIQADataset(data_root=str(ldctiqa_root), split=s, pipeline=pipeline)
              for s in ('train', 'val', 'test')}
    assert [len(d) for d in splits.values()] == [7, 1, 2]
    sample = splits['train'][0]
    name = sample['data_samples'].img_path.rsplit('/', 1)[-1]
    index = int(name[:4])
    assert sample['data_samples'].gt_score == pytest.approx(index * 0.4)
    np.testing.assert_allclose(sample['inputs'].numpy(), index / 10, atol=1e-6)


def test_ldctiqa_missing_image_is_named(ldctiqa_root):
    (ldctiqa_root / 'image' / '0003.tif').unlink()
    with pytest.raises(FileNotFoundError, match='0003.tif'):
        LDCTIQADataset(data_root=str(ldctiqa_root))


def test_csv_and_unlabelled_datasets(quality_root):
    labelled = CSVQualityDataset(ann_file=str(quality_root / 'train.csv'))
    assert len(labelled) == 8 and labelled.get_data_info(0)['kind'] == 'labelled'
    unlabelled = UnlabelledCTDataset(data_root=str(quality_root / 'images'), values='hu')
    assert len(unlabelled) == 18 and np.isnan(unlabelled.get_data_info(0)['gt_score'])
    with pytest.raises(ValueError, match='columns'):
        CSVQualityDataset(ann_file=str(quality_root / 'unlabelled.csv'))


class Versions:
    """Data infos of 3 slices with 5, 4 and 1 versions and 3 versions without a slice."""
    sources = ['a'] * 5 + ['b'] * 4 + ['c'] + [''] * 3

    def __len__(self):
        return len(self.sources)

    def get_data_info(self, index):
        return dict(source_slice=self.sources[index])


def test_slice_groups_hold_versions_of_one_slice_and_cover_them_each_pass():
    sampler = SliceGroupSampler(Versions(), group_size=2, seed=3)
    stream = iter(sampler)
    sources = Versions.sources
    for _ in range(4):                  # passes: a gives 2 groups, b 2, the unnamed 1, c none
        groups = [[next(stream), next(stream)] for _ in range(5)]
        assert all(sources[i] == sources[j] for i, j in groups)
        assert sorted(sources[i] for i, _ in groups) == ['', 'a', 'a', 'b', 'b']
        assert len({i for g in groups for i in g}) == 10        # no version twice in a pass
    # two processes share the single process's groups: every other one each
    ranks = []
    for rank in range(2):
        sampler = SliceGroupSampler(Versions(), group_size=2, seed=3)
        sampler.rank, sampler.world_size = rank, 2
        ranks.append([index for index, _ in zip(sampler._indices_of_rank(), range(20))])
    single = [index for index, _ in zip(iter(SliceGroupSampler(Versions(), group_size=2, seed=3)),
                                        range(40))]
    assert [single[k:k + 2] for k in range(0, 40, 4)] == [ranks[0][k:k + 2]
                                                           for k in range(0, 20, 2)]
    assert [single[k + 2:k + 4] for k in range(0, 40, 4)] == [ranks[1][k:k + 2]
                                                               for k in range(0, 20, 2)]
    with pytest.raises(ValueError, match='group_size must be at least 2'):
        SliceGroupSampler(Versions(), group_size=1)
    with pytest.raises(ValueError, match='no slice of the dataset has 6 versions'):
        SliceGroupSampler(Versions(), group_size=6)


def test_rotations_and_flips_keep_the_pixel_values():
    img = np.random.default_rng(0).random((8, 8)).astype(np.float32)
    seen = set()
    np.random.seed(0)
    for _ in range(200):
        out = RandomRotFlip()(dict(img=img))['img']
        assert np.array_equal(np.sort(out, axis=None), np.sort(img, axis=None))
        seen.add(out.tobytes())
    assert len(seen) == 8  # the dihedral group of the square


def test_crop_is_central_and_pads_small_images():
    img = np.arange(100, dtype=np.float32).reshape(10, 10)
    np.testing.assert_array_equal(CropSlice(4)(dict(img=img))['img'], img[3:7, 3:7])
    assert CropSlice(16)(dict(img=img))['img'].shape == (16, 16)


def test_grid_crops_are_the_shifted_central_crops_in_row_order():
    img = np.arange(400, dtype=np.float32).reshape(20, 20)
    views = CropSlice(4, grid=3, spacing=5)(dict(img=img))['img']
    assert views.shape == (9, 4, 4)
    np.testing.assert_array_equal(views[4], img[8:12, 8:12])     # the centre
    np.testing.assert_array_equal(views[0], img[3:7, 3:7])       # up-left by 5 pixels
    np.testing.assert_array_equal(views[5], img[8:12, 13:17])    # right by 5 pixels
    with pytest.raises(ValueError, match='not both'):
        CropSlice(4, max_shift=2, grid=3)


def test_metric_equals_scipy():
    rng = np.random.default_rng(1)
    target = rng.uniform(0, 4, 50)
    pred = target + rng.normal(0, 1, 50)
    metric = QualityMetric()
    metric.process({}, [dict(pred_score=p, gt_score=t) for p, t in zip(pred, target)])
    got = metric.compute_metrics(metric.results)
    expected = [abs(stats.pearsonr(pred, target).statistic),
                abs(stats.spearmanr(pred, target).statistic),
                abs(stats.kendalltau(pred, target).statistic)]
    assert [got['plcc'], got['srocc'], got['krocc']] == pytest.approx(expected, abs=1e-12)
    assert got['overall'] == pytest.approx(sum(expected), abs=1e-12)


def test_proxy_label_is_monotone_on_the_0_4_scale():
    assert level_score('dose', 100) == 4.0 and level_score('dose', 5) == 0.0
    assert level_score('sparse_view', 360) == 4.0 and level_score('sparse_view', 30) == 0.0
    doses = [level_score('dose', d) for d in (5, 7, 12, 20, 35, 60, 100)]
    assert np.all(np.diff(doses) > 0)
    with pytest.raises(ValueError, match='unknown study'):
        level_score('kvp', 80)


def test_proxy_report_groups_by_study_and_slice():
    rng = np.random.default_rng(2)
    rows = [dict(score=s, study=study, slice=name) for name in ('a', 'b')
            for study in ('dose', 'sparse_view') for s in (0.0, 1.0, 2.0, 3.0)]
    label = np.array([row['score'] for row in rows])
    pred = label + np.where([row['slice'] == 'b' for row in rows], 0.5, 0.0) \
        + rng.normal(0, 0.3, len(rows))
    report = proxy_report(pred, rows)
    dose = np.array([row['study'] == 'dose' for row in rows])
    assert report['dose']['srocc'] == pytest.approx(
        stats.spearmanr(pred[dose], label[dose]).statistic, abs=1e-12)
    assert report['all']['plcc'] == pytest.approx(abs(stats.pearsonr(pred, label).statistic))
    in_b = np.array([row['slice'] == 'b' for row in rows])
    assert report['slices']['b']['bias'] == pytest.approx((pred - label)[in_b].mean())
    assert report['slices']['a']['srocc'] == pytest.approx(
        stats.spearmanr(pred[~in_b], label[~in_b]).statistic)
    with pytest.raises(ValueError, match='3 predictions for 16 rows'):
        proxy_report(pred[:3], rows)
