"""The three steps end to end on CPU with the tiny config; scoring and the challenge contract."""
import csv
import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tifffile
from mmengine.runner import Runner

from d2iqa.cli.dose_study import run_dose_study
from d2iqa.mm_common.runner import prepare_config
from d2iqa.scoring import ScorerUnavailable, create_scorer
import mdiqa.api
from mdiqa import MDIQAScorer, score_slice
from mdiqa.challenge import OUTPUT_NAME, main as challenge_main
from mdiqa.datasets import read_slice_csv
from mdiqa.pseudo_label import PSEUDO_FIELDS, pseudo_label, write_pseudo_labels

REPO = Path(__file__).resolve().parents[2]


def logged(work_dir, key):
    (scalars,) = Path(work_dir).glob('*/vis_data/scalars.json')
    rows = [json.loads(line) for line in scalars.read_text().splitlines()]
    return [row[key] for row in rows if key in row]


@pytest.fixture(scope='module')
def step1(tiny_config, tiny_options, tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('step1')
    cfg = prepare_config(str(tiny_config), work_dir=str(work_dir), cfg_options=tiny_options)
    Runner.from_cfg(cfg).train()
    return work_dir, work_dir / 'iter_30.pth'


def test_step1_loss_decreases_over_a_short_overfit_run(step1):
    losses = logged(step1[0], 'loss')
    assert len(losses) == 30 and np.isfinite(losses).all()
    assert np.mean(losses[-5:]) < 0.8 * np.mean(losses[:5])
    assert len(logged(step1[0], 'quality/srocc')) == 1


@pytest.mark.slow
def test_tools_test_runs_the_checkpoint_without_import_lists(step1, tiny_config, tiny_options,
                                                             tmp_path):
    options = [f'{k}={v}' for k, v in tiny_options.items()]
    result = subprocess.run([sys.executable, 'tools/test.py', str(tiny_config), str(step1[1]),
                             '--work-dir', str(tmp_path), '--cfg-options', *options],
                            cwd=REPO, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'quality/overall' in result.stdout + result.stderr


@pytest.fixture(scope='module')
def pseudo_file(step1, quality_root, tmp_path_factory):
    scorers = [MDIQAScorer(checkpoint=str(step1[1])),
               MDIQAScorer(checkpoint=str(step1[1]), decode='soft-argmax')]
    items = read_slice_csv(quality_root / 'unlabelled.csv', require_score=False)
    scores = pseudo_label(scorers, items)
    assert scores.shape == (4, 2)
    out = tmp_path_factory.mktemp('pseudo') / 'pseudo.csv'
    write_pseudo_labels(out, items, scores)
    return out, scores


def test_pseudo_label_file_holds_ensemble_mean_and_spread(pseudo_file):
    out, scores = pseudo_file
    with open(out, newline='') as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(PSEUDO_FIELDS) + ['score_0', 'score_1']
    assert len(rows) == 4 and all(os.path.isabs(r['path']) for r in rows)
    for row, expected in zip(rows, scores):
        assert float(row['score']) == pytest.approx(expected.mean(), abs=1e-5)
        assert float(row['spread']) == pytest.approx(expected.std(), abs=1e-5)
        assert int(row['n_models']) == 2


@pytest.mark.slow
def test_step3_trains_with_pseudo_labels_and_the_ema_teacher(pseudo_file, tiny_config,
                                                             tiny_options, make_slices, tmp_path):
    out, _ = pseudo_file
    semi = tmp_path / 'semi.py'
    semi.write_text(f"_base_ = ['{tiny_config}']\n"
                    "model = dict(semi=dict(rampup_iters=4))\n"
                    "custom_hooks = [dict(type='MeanTeacherHook')]\n"
                    "train_dataloader = dict(dataset=dict(_delete_=True, type='ConcatDataset', "
                    "datasets=[dict(type='CSVQualityDataset', ann_file='x', "
                    "pipeline={{_base_.train_dataloader.dataset.pipeline}}), "
                    f"dict(type='CSVQualityDataset', ann_file='{out}', kind='pseudo', "
                    "pipeline={{_base_.train_dataloader.dataset.pipeline}})]))\n"
                    "train_cfg = dict(max_iters=4, val_interval=4)\n"
                    "default_hooks = dict(checkpoint=dict(interval=4))\n")
    options = dict(tiny_options)
    options['train_dataloader.dataset.datasets.0.ann_file'] = \
        options.pop('train_dataloader.dataset.ann_file')
    cfg = prepare_config(str(semi), work_dir=str(tmp_path / 'step3'), cfg_options=options)
    runner = Runner.from_cfg(cfg)
    runner.train()
    values, _ = runner.message_hub.get_scalar('train/loss_cons').data
    assert len(values) == 4 and np.isfinite(values).all()
    assert runner.message_hub.get_scalar('train/lambda_cons').data[0][-1] > 0.5  # the ramp
    assert int(runner.model.teacher.steps) == 5  # the copy before training + one per iteration
    # a step-3 checkpoint (student + teacher) scores through the same API
    assert np.isfinite(score_slice(make_slices(1)[0][0],
                                   checkpoint=str(tmp_path / 'step3' / 'iter_4.pth')).score)


def test_score_slice_result_and_plugin_attributes(step1, make_slices):
    hu = make_slices(1)[0][0]
    scorer = MDIQAScorer(checkpoint=str(step1[1]))
    result = scorer.score_slice(hu)
    assert (scorer.name, scorer.higher_is_better, scorer.score_range) == ('mdiqa', True, (0, 4))
    assert 0 <= result.score <= 4 and np.isnan(result.sem) and result.n_trials is None
    assert score_slice(hu, checkpoint=str(step1[1])).score == pytest.approx(result.score)


def test_a_missing_reference_checkpoint_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setattr(mdiqa.api, 'REFERENCE_CHECKPOINT', tmp_path / 'absent.pth')
    with pytest.raises(ScorerUnavailable, match='absent.pth is not installed: pass checkpoint='):
        create_scorer('mdiqa')


def test_mdiqa_takes_part_in_the_dose_study(step1, make_slices):
    scorer = create_scorer('mdiqa', checkpoint=str(step1[1]))
    full = make_slices(1)[0][0]
    rows = run_dose_study([full], [scorer, create_scorer('noise')], doses=(100, 25),
                          incident_photons=1e5, progress=False)
    mdiqa_rows = [row for row in rows if row['scorer'] == 'mdiqa']
    assert [row['level'] for row in mdiqa_rows] == [100, 25]
    assert mdiqa_rows[0]['score'] == pytest.approx(scorer.score_slice(full).score)


def test_challenge_json_round_trip(step1, make_slices, tmp_path):
    slices = [hu for hu, _ in make_slices(5, seed=7)]
    tifffile.imwrite(tmp_path / 'stack.tif', np.stack(slices))
    challenge_main([str(tmp_path / 'stack.tif'), str(tmp_path / 'out'),
                    '--checkpoint', str(step1[1]), '--values', 'hu'])
    scores = json.loads((tmp_path / 'out' / OUTPUT_NAME).read_text())
    assert isinstance(scores, list) and len(scores) == 5
    assert all(isinstance(s, float) for s in scores)
    scorer = MDIQAScorer(checkpoint=str(step1[1]))
    np.testing.assert_allclose(scores, [scorer.score_slice(hu).score for hu in slices],
                               rtol=1e-5)


def test_proxy_report_tool_writes_figures_predictions_and_plot(step1, quality_root, tmp_path,
                                                               monkeypatch):
    rows = list(csv.DictReader(open(quality_root / 'val.csv')))
    for i, row in enumerate(rows):
        row.update(study=('dose', 'sparse_view')[i % 2], slice=f'slice{i // 3}')
    listing = quality_root / 'proxy_val.csv'
    with open(listing, 'w', newline='') as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / 'report.json'
    monkeypatch.setattr(sys, 'argv', [
        'proxy_report.py', f'tiny={step1[1]}', '--list', str(listing), '--noise-baseline',
        '--json', str(out), '--plot', str(tmp_path / 'plot.png')])
    runpy.run_path(str(REPO / 'tools' / 'proxy_report.py'), run_name='__main__')
    report = json.loads(out.read_text())
    assert set(report) == {'tiny', 'noise'} and (tmp_path / 'plot.png').stat().st_size > 0
    paths = [str(quality_root / row['path']) for row in rows]
    np.testing.assert_allclose(report['tiny']['predictions'],
                               [r.score for r in
                                MDIQAScorer(checkpoint=str(step1[1])).score_slices(paths)],
                               rtol=1e-6)
    assert set(report['tiny']) >= {'all', 'dose', 'sparse_view', 'slices', 'predictions'}
    # the slices' noise falls as their score rises, so minus the noise ranks them exactly
    assert report['noise']['all']['srocc'] == pytest.approx(1.0)
