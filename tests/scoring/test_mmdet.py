"""The real mmdet path: a tiny Cascade R-CNN checkpoint, the API, the metric, the commands."""
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from d2iqa import D2IQAScorer
from d2iqa.cli import main
from d2iqa.lesions import CLASSES
from d2iqa.scoring import MMDetDetector

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / 'tests' / 'engine' / 'configs' / 'cascade_tiny.py'
SCORE_CONFIG = REPO / 'configs' / 'd2iqa' / 'score_lite.py'


@pytest.fixture(scope='module')
def tiny_checkpoint(tmp_path_factory):
    """A randomly initialised tiny cascade saved as the reference one is: fp16 weights, config
    embedded in meta['cfg'] (what MMEngine's Runner writes)."""
    from mmdet.registry import MODELS
    from mmengine.registry import init_default_scope
    init_default_scope('mmdet')
    cfg = Config.fromfile(TINY)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    path = tmp_path_factory.mktemp('checkpoint') / 'tiny.pth'
    torch.save({'meta': {'cfg': cfg.pretty_text, 'dataset_meta': {'classes': CLASSES}},
                'state_dict': {k: v.half() if v.is_floating_point() else v
                               for k, v in model.state_dict().items()}}, path)
    return path


@pytest.fixture(scope='module')
def scan_folder(tmp_path_factory, phantom_scans):
    root = tmp_path_factory.mktemp('scans')
    for number, hu in enumerate(phantom_scans[:2]):
        np.save(root / f'scan{number}.npy', hu)
    return root


def test_detector_from_the_embedded_config(tiny_checkpoint, phantom_scans):
    from d2iqa import window
    detector = MMDetDetector(tiny_checkpoint)
    assert next(detector.model.parameters()).dtype == torch.float32
    images = np.stack([window(hu, preset='d2iqa') for hu in phantom_scans[:2]])
    outputs = detector.detect(images)
    assert len(outputs) == 2
    for boxes, scores, labels in outputs:
        assert boxes.shape == (len(scores), 4) and len(scores) > 0
        assert labels.dtype == np.int64 and labels.max() < len(CLASSES)
    # the same model from its config file gives the same detections
    again = MMDetDetector(tiny_checkpoint, config=TINY).detect(images)
    np.testing.assert_allclose(again[0][0], outputs[0][0], rtol=1e-5)


def test_detector_errors(tiny_checkpoint, tmp_path):
    with pytest.raises(FileNotFoundError, match='does not exist'):
        MMDetDetector(tmp_path / 'missing.pth')
    bare = tmp_path / 'bare.pth'
    torch.save({'state_dict': torch.load(tiny_checkpoint)['state_dict']}, bare)
    with pytest.raises(ValueError, match=r"carries no config \(meta\['cfg'\].*pass config="):
        MMDetDetector(bare)
    with pytest.raises(ValueError, match='does not fit the model of its config'):
        MMDetDetector(bare, config=REPO / 'configs' / 'd2iqa' / 'cascade-rcnn_r18_fpn_lite.py')
    with pytest.raises(ValueError, match="device must be 'cpu', 'cuda' or 'cuda:N'"):
        MMDetDetector(tiny_checkpoint, device='gpu')
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="device='cuda' was asked for.*use device='cpu'"):
            MMDetDetector(tiny_checkpoint, device='cuda')


def test_test_cfg_changes_the_proposals(tiny_checkpoint, phantom_scans):
    from d2iqa import window
    image = window(phantom_scans[0], preset='d2iqa')[None]
    everything = {'rcnn': {'score_thr': 0.0, 'max_per_img': 1000}}
    (_, many, _), = MMDetDetector(tiny_checkpoint, test_cfg=everything).detect(image)
    three = MMDetDetector(tiny_checkpoint, test_cfg={'rpn': {'max_per_img': 3}, **everything})
    assert three.model.rpn_head.test_cfg.max_per_img == 3
    (_, scores, labels), = three.detect(image)
    # at most one box per class and proposal survives the final NMS
    assert 0 < len(scores) <= 3 * len(CLASSES) < len(many)
    with pytest.raises(ValueError, match=r'has no test setting test_cfg.rpn.max_proposals'):
        MMDetDetector(tiny_checkpoint, test_cfg={'rpn': {'max_proposals': 3}})


def test_parallel_detector_equals_one_process(tiny_checkpoint, phantom_scans, tmp_path):
    from d2iqa import window
    from d2iqa.scoring import ParallelDetector
    images = np.stack([window(hu, preset='d2iqa') for hu in phantom_scans[:3]])
    expected = MMDetDetector(tiny_checkpoint).detect(images)
    one = D2IQAScorer(checkpoint=tiny_checkpoint, trials=4, set_size=2)
    with D2IQAScorer(checkpoint=tiny_checkpoint, workers=2, trials=4, set_size=2) as scorer:
        assert isinstance(scorer.detector, ParallelDetector) and scorer.batch_size == 2
        got = scorer.detector.detect(images)
        result = scorer.score_slice(phantom_scans[0])
    assert result.score == pytest.approx(one.score_slice(phantom_scans[0]).score, abs=1e-4)
    assert len(got) == 3
    for (boxes, scores, labels), (want_boxes, want_scores, want_labels) in zip(got, expected):
        np.testing.assert_allclose(boxes, want_boxes, rtol=1e-4, atol=1e-3)
        np.testing.assert_allclose(scores, want_scores, rtol=1e-4, atol=1e-5)
        np.testing.assert_array_equal(labels, want_labels)
    with pytest.raises(ValueError, match='workers must be an integer >= 2'):
        ParallelDetector(tiny_checkpoint, workers=1)
    with pytest.raises(FileNotFoundError, match='does not exist'):
        ParallelDetector(tmp_path / 'missing.pth', workers=2)
    with pytest.raises(ValueError, match='workers= runs CPU processes'):
        D2IQAScorer(checkpoint=tiny_checkpoint, workers=2, device='cuda')


def test_scorer_profiles(tiny_checkpoint):
    fast = D2IQAScorer(checkpoint=tiny_checkpoint, profile='fast')
    paper = D2IQAScorer(checkpoint=tiny_checkpoint, profile='paper')
    assert fast.detector.model.rpn_head.test_cfg.max_per_img == 100
    assert paper.detector.model.rpn_head.test_cfg.max_per_img == 1000
    assert 'fast' in repr(fast)
    with pytest.raises(ValueError, match=r"profile must be None or one of \['fast', 'paper'\]"):
        D2IQAScorer(checkpoint=tiny_checkpoint, profile='quick')


def _recording(monkeypatch, target):
    """Replace ``target`` (a score_sets) by a wrapper that keeps the sets it scores."""
    from d2iqa.scoring.trials import score_sets as original
    seen = []

    def score_sets(sets, options):
        sets = [list(images) for images in sets]
        seen.append(sets)
        return original(iter(sets), options)
    monkeypatch.setattr(target, score_sets)
    return seen


def test_metric_reports_the_api_score_on_the_same_trials(tiny_checkpoint, scan_folder,
                                                        tmp_path, monkeypatch):
    cfg = Config.fromfile(TINY)
    scoring = Config.fromfile(SCORE_CONFIG)
    cfg.test_dataloader = scoring.test_dataloader
    cfg.test_evaluator = scoring.test_evaluator
    cfg.test_dataloader.update(batch_size=2, num_workers=0)
    cfg.test_dataloader.dataset.update(data_root=str(scan_folder), sources=['.'], values='hu',
                                       trials_per_slice=4)
    cfg.test_dataloader.dataset.pipeline[0] = dict(type='LoadCTSlice', values='hu')
    cfg.test_evaluator.set_size = 2
    cfg.load_from = str(tiny_checkpoint)
    cfg.work_dir = str(tmp_path)
    cfg.default_hooks.visualization = dict(type='DetVisualizationHook', draw=False)
    by_metric = _recording(monkeypatch, 'd2iqa.engine.scoring_metric.score_sets')
    metrics = Runner.from_cfg(cfg).test()

    by_api = _recording(monkeypatch, 'd2iqa.scoring.trials.score_sets')
    scorer = D2IQAScorer(checkpoint=tiny_checkpoint, batch_size=2, trials=4, set_size=2,
                         seed=scoring.score_seed)
    results = [scorer.score_slice(path, values='hu')
               for path in sorted(scan_folder.glob('*.npy'))]
    assert metrics['d2iqa/n_slices'] == 2
    assert metrics['d2iqa/score'] == pytest.approx(np.mean([r.score for r in results]),
                                                   abs=1e-12)
    assert metrics['d2iqa/sem'] == pytest.approx(
        np.sqrt(np.mean([r.sem ** 2 for r in results]) / 2), abs=1e-12)
    # the same trials: per slice 2 sets of 2 trials, identical lesions and detections
    assert len(by_metric) == len(by_api) == 2
    for metric_sets, api_sets in zip(by_metric, by_api):
        assert len(metric_sets) == len(api_sets) == 2
        for (metric_set,), (api_set,) in zip(metric_sets, api_sets):
            for got, expected in zip(metric_set, api_set):
                np.testing.assert_array_equal(got.gt_boxes, expected.gt_boxes)
                np.testing.assert_array_equal(got.gt_labels, expected.gt_labels)
                assert len(got.boxes) == len(expected.boxes) > 0
                np.testing.assert_allclose(got.boxes, expected.boxes, rtol=1e-5, atol=1e-3)
                np.testing.assert_allclose(got.scores, expected.scores, rtol=1e-5, atol=1e-6)
                np.testing.assert_array_equal(got.labels, expected.labels)


def test_scoring_config_builds():
    from mmdet.registry import METRICS
    import d2iqa.engine  # noqa: F401  (registers the metric)
    cfg = Config.fromfile(SCORE_CONFIG)
    assert cfg.test_dataloader.dataset.trials_per_slice == 500
    assert cfg.test_dataloader.dataset.pipeline[2].seed_fields == ('trial',)
    metric = METRICS.build(cfg.test_evaluator)
    assert metric.options.set_size == 100 and metric.prefix == 'd2iqa'


def test_score_command_end_to_end(tiny_checkpoint, scan_folder, tmp_path, capsys):
    import csv
    import json
    out = tmp_path / 'results.csv'
    code = main(['score', str(scan_folder), '--out', str(out), '--json', str(tmp_path / 'r.json'),
                 '--checkpoint', str(tiny_checkpoint), '--trials', '4', '--set-size', '2',
                 '--values', 'hu', '--threads', '1', '--profile', 'fast', '--quiet'])
    assert code == 0
    with open(out, newline='') as stream:
        rows = list(csv.DictReader(stream))
    assert [Path(r['file']).name for r in rows] == ['scan0.npy', 'scan1.npy']
    assert all(r['trials'] == '4' and 0 <= float(r['score']) <= 1 for r in rows)
    report = json.loads((tmp_path / 'r.json').read_text())
    assert report['settings']['trials'] == 4 and len(report['series']) == 2
    assert report['settings']['profile'] == 'fast'
    assert report['slices'][0]['score'] == float(rows[0]['score'])
    assert (tmp_path / 'results_series.csv').is_file()
    assert '2 slices scored' in capsys.readouterr().out


def test_score_command_errors(tiny_checkpoint, scan_folder, tmp_path, capsys):
    def error(*argv):
        with pytest.raises(SystemExit) as info:
            main(['score', str(scan_folder), '--out', str(tmp_path / 'r.csv'), *argv])
        return str(info.value.code)

    assert "no scorer 'nope' is installed; installed: d2iqa" in error('--scorer', 'nope')
    assert 'must be a multiple of set_size' in error('--checkpoint', str(tiny_checkpoint),
                                                     '--trials', '5', '--set-size', '2')
    assert '--every must be >= 1' in error('--every', '0')
    assert '--z-range needs ZMIN <= ZMAX' in error('--z-range', '5', '-5')
    if not torch.cuda.is_available():
        assert "use device='cpu'" in error('--device', 'cuda')
    assert "scorer 'mdiqa' does not take these options" in error(
        '--scorer', 'mdiqa', '--checkpoint', str(tiny_checkpoint), '--trials', '4')


def test_demo_without_checkpoint_says_so_and_fails(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr('d2iqa.scoring.scorer.REFERENCE_CHECKPOINT', tmp_path / 'absent.pth')
    assert main(['demo', '--out', str(tmp_path / 'demo')]) == 1
    err = capsys.readouterr().err
    assert 'cannot score, so no results were computed' in err and 'absent.pth' in err
    assert not (tmp_path / 'demo').exists()


@pytest.mark.slow
def test_demo_writes_table_csv_and_plot(tiny_checkpoint, tmp_path, capsys):
    import csv
    out = tmp_path / 'demo'
    assert main(['demo', '--checkpoint', str(tiny_checkpoint), '--trials', '10',
                 '--set-size', '5', '--out', str(out)]) == 0
    printed = capsys.readouterr().out
    assert '10 trials per image (--trials), sets of 5' in printed
    assert 'pydicom abdomen' in printed and 'abdomen phantom' in printed
    with open(out / 'demo_scores.csv', newline='') as stream:
        rows = list(csv.DictReader(stream))
    assert [float(r['dose']) for r in rows] == [100, 50, 25, 12, 5] * 2
    assert all(r['trials'] == '10' and 0 <= float(r['score']) <= 1 for r in rows)
    assert (out / 'demo_scores.png').read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
