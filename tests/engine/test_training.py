"""End to end on CPU: phantom slices -> lesions -> detector -> loss, checkpoint, tools/test.py."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from d2iqa.mm_common.runner import prepare_config
from d2iqa.simulation import abdomen_phantom

REPO = Path(__file__).resolve().parents[2]
TINY = Path(__file__).parent / 'configs' / 'cascade_tiny.py'


@pytest.fixture(scope='module')
def phantom_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('phantoms')
    np.save(root / 'train0.npy', abdomen_phantom(256, pixel_size=1.4, seed=0))
    np.save(root / 'val0.npy', abdomen_phantom(256, pixel_size=1.4, seed=5))
    return root


def tiny_config(phantom_root, work_dir, **options):
    return prepare_config(str(TINY), work_dir=str(work_dir),
                          cfg_options={'train_dataloader.dataset.data_root': str(phantom_root),
                                       'val_dataloader.dataset.data_root': str(phantom_root),
                                       'test_dataloader.dataset.data_root': str(phantom_root),
                                       **options})


def logged_losses(work_dir):
    (scalars,) = Path(work_dir).glob('*/vis_data/scalars.json')
    rows = [json.loads(line) for line in scalars.read_text().splitlines()]
    return [row['loss'] for row in rows if 'loss' in row]


@pytest.fixture(scope='module')
def trained(phantom_root, tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('work')
    runner = Runner.from_cfg(tiny_config(phantom_root, work_dir))
    runner.train()
    return work_dir, runner


def test_overfit_run_has_finite_decreasing_loss(trained):
    work_dir, _ = trained
    losses = logged_losses(work_dir)
    assert len(losses) == 30 and np.isfinite(losses).all()
    assert np.mean(losses[-5:]) < 0.7 * np.mean(losses[:5])


def test_validation_logs_lesion_map_per_class(trained):
    work_dir, runner = trained
    (scalars,) = Path(work_dir).glob('*/vis_data/scalars.json')
    val = [json.loads(line) for line in scalars.read_text().splitlines()
           if 'lesion/mAP' in line]
    assert val and {'lesion/mAP', 'lesion/mAP_50', 'lesion/AP_star'} <= set(val[-1])
    assert 0.0 <= val[-1]['lesion/mAP'] <= 1.0


def test_checkpoint_reloads_and_tools_test_reports_map(trained, phantom_root, tmp_path):
    work_dir, _ = trained
    checkpoint = work_dir / 'iter_30.pth'
    assert checkpoint.is_file()
    result = subprocess.run(
        [sys.executable, str(REPO / 'tools' / 'test.py'), str(TINY), str(checkpoint),
         '--work-dir', str(tmp_path), '--cfg-options',
         f'test_dataloader.dataset.data_root={phantom_root}'],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'lesion/mAP:' in result.stdout + result.stderr


def test_dataset_holds_out_series(phantom_root):
    from d2iqa.engine import CTSliceDataset
    train = CTSliceDataset(sources=[str(phantom_root)], holdout=['*val*'], split='train',
                           values='hu', pipeline=[])
    val = CTSliceDataset(sources=[str(phantom_root)], holdout=['*val*'], split='val',
                         values='hu', trials_per_slice=3, pipeline=[])
    assert [Path(d['img_path']).name for d in train] == ['train0.npy']
    assert [(Path(d['img_path']).name, d['trial']) for d in val] == [
        ('val0.npy', 0), ('val0.npy', 1), ('val0.npy', 2)]
    with pytest.raises(ValueError, match='found no slices'):
        CTSliceDataset(sources=[str(phantom_root)], holdout=['*'], split='train',
                       values='hu', pipeline=[])


@pytest.mark.parametrize('name', ['cascade-rcnn_r50_fpn_paper', 'cascade-rcnn_r18_fpn_lite',
                                  'faster-rcnn_r50_fpn', 'gfl_r50_fpn'])
def test_configs_build(name):
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(REPO / 'configs' / 'd2iqa' / f'{name}.py')
    model = MODELS.build(cfg.model)
    assert cfg.model.data_preprocessor.mean == [0.0, 0.0, 0.0]
    assert cfg.model.backbone.init_cfg is None       # nothing downloaded
    if name.startswith('cascade'):
        assert model.roi_head.num_stages == 3
        assert [h.num_classes for h in model.roi_head.bbox_head] == [4, 4, 4]
        assert [s.assigner.pos_iou_thr for s in cfg.model.train_cfg.rcnn] == [0.5, 0.6, 0.7]
    if name == 'cascade-rcnn_r50_fpn_paper':
        assert cfg.model.backbone.depth == 50


@pytest.mark.slow
def test_paper_config_trains_a_few_iterations_on_cpu(phantom_root, tmp_path):
    cfg = prepare_config(str(REPO / 'configs' / 'd2iqa' / 'cascade-rcnn_r50_fpn_paper.py'),
                         work_dir=str(tmp_path), cfg_options={
                             'train_dataloader.dataset.data_root': str(phantom_root),
                             'train_dataloader.dataset.values': 'hu',
                             'train_dataloader.dataset.holdout': ['*val*'],
                             'train_dataloader.num_workers': 0,
                             'train_dataloader.persistent_workers': False,
                             'train_dataloader.batch_size': 1,
                             'train_cfg.max_iters': 3, 'train_cfg.val_interval': 100,
                             'default_hooks.logger.interval': 1})
    cfg.train_dataloader.dataset.pipeline[0] = dict(type='LoadCTSlice', values='hu')
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    Runner.from_cfg(cfg).train()
    (scalars,) = Path(tmp_path).glob('*/vis_data/scalars.json')
    rows = [json.loads(line) for line in scalars.read_text().splitlines()]
    assert len(rows) == 3
    # the paper's detector: an RPN and three cascade stages, each with its losses
    for row in rows:
        losses = {key: value for key, value in row.items() if 'loss' in key}
        assert {'loss_rpn_cls', 'loss_rpn_bbox'} <= set(losses)
        assert {f's{stage}.loss_{kind}' for stage in range(3) for kind in ('cls', 'bbox')} \
            <= set(losses)
        assert np.isfinite(list(losses.values())).all()
        assert row['loss'] == pytest.approx(sum(v for k, v in losses.items() if k != 'loss'),
                                            rel=1e-3)


@pytest.mark.slow
def test_two_process_cpu_training_with_gloo(phantom_root, tmp_path):
    env = dict(os.environ, PORT='29517', OMP_NUM_THREADS='1', PYTHON=sys.executable)
    result = subprocess.run(
        ['bash', str(REPO / 'tools' / 'dist_train.sh'), str(TINY), '2', '--work-dir',
         str(tmp_path), '--cfg-options', f'train_dataloader.dataset.data_root={phantom_root}',
         f'val_dataloader.dataset.data_root={phantom_root}', 'train_cfg.max_iters=4',
         'train_cfg.val_interval=4', 'default_hooks.checkpoint.interval=4'],
        cwd=REPO, capture_output=True, text=True, timeout=900, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / 'iter_4.pth').is_file()
