"""The one-pass student: its set built from teacher labels, label widths, agreement figures."""
import csv
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS
from mmengine.runner import Runner
from scipy import stats

import mdiqa.onepass
from d2iqa.cli import main
from d2iqa.io import CTSlice
from d2iqa.mm_common.runner import prepare_config
from d2iqa.scoring.teacher import LABEL_FIELDS, degrade, save_version, version_name
from mdiqa import MDIQAScorer
from mdiqa.datasets import read_slice_csv
from mdiqa.models.targets import encode_scores
from mdiqa.onepass import STUDENT_FIELDS, agreement, build_student_set

LADDER = (('full', 100, None), ('dose', 25, None), ('views', None, 90))
EXTRA = (('dose', 50, None), ('views', None, 180))


@pytest.fixture
def labels(tmp_path, make_slices):
    """A teacher-labels CSV of two NPY slices (made-up scores, paths relative to the data root
    of the settings file) and its settings file."""
    rows = []
    for number, (hu, _) in enumerate(make_slices(2, size=96)):
        path = tmp_path / f's{number}.npy'
        np.save(path, hu)
        for k, (name, dose, views) in enumerate(LADDER):
            rows.append(dict(file=path.name, slice_index=0, patient=f'P{number}',
                             degradation=name, dose='' if dose is None else dose,
                             views='' if views is None else views, score=0.5 - 0.1 * k,
                             sem=0.01 * (k + 1), trials=40, set_scores='', seconds=1))
    out = tmp_path / 'labels.csv'
    with open(out, 'w', newline='') as handle:
        writer = csv.DictWriter(handle, fieldnames=LABEL_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    (tmp_path / 'labels_settings.json').write_text(json.dumps(
        {'ladder': [list(r) for r in LADDER], 'seed': 7, 'values': 'hu',
         'data_root': str(tmp_path)}))
    return out, rows


def test_the_student_set_holds_the_versions_the_teacher_scored(labels, tmp_path):
    out, rows = labels
    counts = build_student_set(out, tmp_path / 'set', split='train', unlabelled_ladder=EXTRA)
    assert counts == {'train': 6, 'unlabelled': 4}
    listed = read_slice_csv(tmp_path / 'set' / 'train.csv')
    with open(tmp_path / 'set' / 'train.csv', newline='') as handle:
        assert csv.DictReader(handle).fieldnames == list(STUDENT_FIELDS)
    assert [item['gt_score'] for item in listed] == pytest.approx([float(r['score']) for r in rows])
    assert [item['gt_sem'] for item in listed] == pytest.approx([float(r['sem']) for r in rows])
    for number in range(2):
        ct = CTSlice(hu=np.load(tmp_path / rows[3 * number]['file']), source='s')
        for item, version in zip(listed[3 * number:3 * number + 3], degrade(ct, LADDER, seed=7)):
            assert np.array_equal(np.load(item['img_path']), version)   # bit for bit
        # the unlabelled rungs follow the ladder's numbering: new noise, made as degrade does
        unlabelled = read_slice_csv(tmp_path / 'set' / 'unlabelled.csv', require_score=False)
        for item, version in zip(unlabelled[2 * number:2 * number + 2],
                                 degrade(ct, LADDER + EXTRA, seed=7, rungs=[3, 4])):
            assert np.isnan(item['gt_score']) and np.array_equal(np.load(item['img_path']),
                                                                 version)


def test_the_images_do_not_depend_on_the_number_of_workers(labels, tmp_path):
    out, _ = labels
    for workers in (1, 2):
        build_student_set(out, tmp_path / f'set{workers}', split='train',
                          unlabelled_ladder=EXTRA, workers=workers)
    names = sorted(p.name for p in (tmp_path / 'set1' / 'images').iterdir())
    assert len(names) == 10
    assert names == sorted(p.name for p in (tmp_path / 'set2' / 'images').iterdir())
    for name in names:
        assert np.array_equal(np.load(tmp_path / 'set1' / 'images' / name),
                              np.load(tmp_path / 'set2' / 'images' / name))
    for listed in ('train.csv', 'unlabelled.csv'):      # paths relative to the set
        assert (tmp_path / 'set1' / listed).read_text() == (tmp_path / 'set2' / listed).read_text()


def test_images_already_there_are_not_made_again(labels, tmp_path, monkeypatch):
    out, rows = labels
    images = tmp_path / 'set' / 'images'
    images.mkdir(parents=True)
    # what make_teacher_labels(images=...) saved for the first slice
    ct = CTSlice(hu=np.load(tmp_path / rows[0]['file']), source='s')
    for rung, version in zip(LADDER, degrade(ct, LADDER, seed=7)):
        save_version(images / version_name(rows[0]['file'], 0, rung), version)
    made = []
    real = mdiqa.onepass.degrade

    def counting(ct_slice, ladder, *, seed, rungs):
        made.append(list(rungs))
        return real(ct_slice, ladder, seed=seed, rungs=rungs)
    monkeypatch.setattr(mdiqa.onepass, 'degrade', counting)
    build_student_set(out, tmp_path / 'set', split='val', unlabelled_ladder=None)
    assert made == [[0, 1, 2]]            # the second slice only
    build_student_set(out, tmp_path / 'set', split='val', unlabelled_ladder=None)
    assert made == [[0, 1, 2]]            # a second build makes nothing
    assert sorted(p.name for p in (tmp_path / 'set').glob('*.csv')) == ['val.csv']


def test_labels_that_do_not_match_their_ladder_are_refused(labels, tmp_path):
    out, _ = labels
    (tmp_path / 'labels_settings.json').write_text(json.dumps(
        {'ladder': [['full', 100, None], ['dose', 50, None]], 'seed': 7}))
    with pytest.raises(ValueError, match='do not match the ladder'):
        build_student_set(out, tmp_path / 'set', split='train')
    (tmp_path / 'labels_settings.json').unlink()
    with pytest.raises(FileNotFoundError, match='labels_settings.json is missing'):
        build_student_set(out, tmp_path / 'set', split='train')


def test_a_label_standard_error_widens_its_target_in_quadrature():
    n, taus, sem = 128, (0.02, 0.05), 0.03
    plain, wide = (encode_scores(torch.tensor([0.5]), num_samples=n, taus=taus, max_score=1.0,
                                 sems=sems)[0] for sems in (None, torch.tensor([sem])))
    j = np.arange(n)
    for k, tau in enumerate(taus):
        for target, expected in ((plain, tau), (wide, np.hypot(tau, sem))):
            weights = target[k].numpy() / target[k].numpy().sum()
            mean = (weights * j).sum()
            assert mean == pytest.approx(64, abs=1e-3)
            assert np.sqrt((weights * (j - mean) ** 2).sum()) == pytest.approx(expected * n,
                                                                               rel=1e-3)
    nan = encode_scores(torch.tensor([0.5]), num_samples=n, taus=taus, max_score=1.0,
                        sems=torch.tensor([float('nan')]))[0]
    assert torch.equal(nan, plain)        # a label without a standard error is exact


def test_the_head_uses_the_standard_error_only_when_asked():
    from mdiqa.models.heads import DistributionHead
    pred = torch.rand(2, 3, 128)
    scores, sems = torch.tensor([0.2, 0.6]), torch.tensor([0.05, 0.0])
    plain = DistributionHead(8, max_score=1.0)
    wide = DistributionHead(8, max_score=1.0, sem_width=True)
    assert torch.equal(plain.loss(pred, scores, sems), plain.loss(pred, scores))
    changed = wide.loss(pred, scores, sems) != plain.loss(pred, scores)
    assert changed.tolist() == [True, False]


def test_agreement_matches_scipy_slice_by_slice():
    rng = np.random.default_rng(0)
    teacher = np.concatenate([np.linspace(0.5, 0.1, 5), np.linspace(0.4, 0.05, 5)])
    pred = teacher + rng.normal(0, 0.03, 10)
    pred[[1, 2]] = pred[[2, 1]]            # one swap of neighbours in the first slice
    slices = np.repeat(['a', 'b'], 5)
    figures = agreement(pred, teacher, slices)
    assert figures['spearman'] == pytest.approx(stats.spearmanr(pred, teacher)[0])
    assert figures['pearson'] == pytest.approx(stats.pearsonr(pred, teacher)[0])
    within = [stats.spearmanr(pred[slices == s], teacher[slices == s])[0] for s in 'ab']
    assert figures['spearman_within'] == pytest.approx(np.mean(within))
    pairs = [np.sign(np.diff(pred[slices == s][::-1])) for s in 'ab']
    assert figures['adjacent_agree'] == pytest.approx(np.mean(np.concatenate(pairs) > 0))
    assert figures['slices'] == 2


def test_agreement_counts_only_the_neighbours_the_teacher_resolves():
    # one slice, 4 versions, 5 sets of paired trials: the same lesions move every version
    lesions = np.array([0.0, 0.02, -0.01, 0.03, -0.02])
    noise = np.array([[0.001, -0.001, 0.002, 0.0, -0.002], [0.0, 0.002, -0.001, 0.001, -0.002],
                      [0.004, -0.003, 0.002, -0.004, 0.003], [0.001, 0.0, -0.001, 0.002, 0.0]])
    sets = np.array([0.5, 0.45, 0.449, 0.2])[:, None] + lesions + noise
    teacher = sets.mean(axis=1)
    resolved = [stats.ttest_rel(sets[i], sets[i + 1]).pvalue < 0.05 for i in range(3)]
    assert resolved == [True, False, True]       # 0.45 and 0.449: within the teacher's noise
    slices = ['a'] * 4
    tie_swapped = agreement([0.5, 0.44, 0.45, 0.2], teacher, slices, teacher_sets=sets)
    assert tie_swapped['adjacent_agree'] == pytest.approx(2 / 3)
    assert tie_swapped['resolved_agree'] == 1.0 and tie_swapped['resolved_pairs'] == (2, 3)
    real_swap = agreement([0.4, 0.45, 0.44, 0.2], teacher, slices, teacher_sets=sets)
    assert real_swap['resolved_agree'] == 0.5
    assert 'resolved_agree' not in agreement(teacher, teacher, slices)


CONFIGS = Path(__file__).resolve().parents[2] / 'configs' / 'mdiqa'


@pytest.mark.parametrize('name', ['mdiqa_small_onepass', 'mdiqa_small_onepass_nosem',
                                  'mdiqa_small_onepass_reg', 'mdiqa_small_onepass_semi',
                                  'mdiqa_small_onepass_wide', 'mdiqa_small_onepass_order',
                                  'mdiqa_small_onepass_long', 'mdiqa_small_onepass_crop256',
                                  'mdiqa_full_onepass', 'mdiqa_small_ldctiqa_from_onepass'])
def test_the_onepass_configs_read_the_student_set(name, monkeypatch):
    monkeypatch.setenv('MDIQA_ONEPASS', '/student')
    monkeypatch.setenv('LDCTIQA', '/ldctiqa')
    cfg = Config.fromfile(CONFIGS / f'{name}.py')
    head = cfg.model.net.head
    train = cfg.train_dataloader.dataset
    if name.endswith('from_onepass'):
        assert head.max_score == 4.0 and train.data_root == '/ldctiqa'
        assert cfg.load_from == 'mdiqa/checkpoints/mdiqa_onepass_reference.pth'
        return
    assert head.max_score == 1.0                 # D2IQA's scale
    assert head.get('sem_width', False) == (name in ('mdiqa_small_onepass',
                                                     'mdiqa_small_onepass_semi',
                                                     'mdiqa_small_onepass_wide',
                                                     'mdiqa_small_onepass_order',
                                                     'mdiqa_small_onepass_long'))
    labelled = train.datasets[0] if 'datasets' in train else train
    files = [d.ann_file for d in train.datasets] if 'datasets' in train else [train.ann_file]
    assert files[0] == '/student/train.csv' and cfg.val_dataloader.dataset.ann_file == \
        '/student/val.csv'
    if name.endswith('crop256'):                   # one central view of the training size
        views = cfg.test_dataloader.dataset.pipeline[2]
        assert labelled.pipeline[2].size == views.size == cfg.model.net.vit.img_size == 256
        assert views.get('grid', 1) == 1 and labelled.pipeline[2].max_shift == 64
    elif name != 'mdiqa_full_onepass':             # the full variant scores whole slices
        views = cfg.test_dataloader.dataset.pipeline[2]
        wide = name.endswith('wide')
        assert labelled.pipeline[2].max_shift == (160 if wide else 64)
        # view centres at the training crops' +-max_shift
        assert (views.grid, views.spacing) == (2, 320 if wide else 128)
    if name.endswith('order'):
        assert cfg.model.order_weight == 0.1 and cfg.model.net.head.decode == 'soft-argmax'
        assert cfg.train_dataloader.sampler == dict(type='SliceGroupSampler', group_size=4)
        assert cfg.train_dataloader.batch_size % 4 == 0     # whole groups in each batch
    if name.endswith('semi'):
        assert files[1] == '/student/pseudo.csv' and cfg.model.semi.ema_alpha == 0.997
    if name.endswith('long'):                      # the cosine decay ends with the run
        assert cfg.train_cfg.max_iters == cfg.param_scheduler[-1].end == 6000


def test_a_student_trains_on_its_set_and_scores_through_the_api(labels, tmp_path, tiny_config,
                                                                  make_slices):
    out, rows = labels
    build_student_set(out, tmp_path / 'set', split='train', unlabelled_ladder=None)
    options = {'train_dataloader.dataset.ann_file': str(tmp_path / 'set' / 'train.csv'),
               'val_dataloader.dataset.ann_file': str(tmp_path / 'set' / 'train.csv'),
               'test_dataloader.dataset.ann_file': str(tmp_path / 'set' / 'train.csv'),
               'model.net.head.max_score': 1.0, 'model.net.head.sem_width': True,
               'train_cfg.max_iters': 8, 'train_cfg.val_interval': 8,
               'default_hooks.checkpoint.interval': 8}
    cfg = prepare_config(str(tiny_config), work_dir=str(tmp_path / 'work'), cfg_options=options)
    Runner.from_cfg(cfg).train()
    checkpoint = tmp_path / 'work' / 'iter_8.pth'
    scorer = MDIQAScorer(checkpoint=str(checkpoint))
    assert scorer.score_range == (0.0, 1.0)
    first = np.load(tmp_path / rows[0]['file'])
    scores = [r.score for r in scorer.score_slices([first], values='hu')]
    assert 0 <= scores[0] <= 1
    # batch scoring with the student: a bad file is reported by name, the others scored
    folder = tmp_path / 'study'
    folder.mkdir()
    np.save(folder / 'good.npy', first)
    np.save(folder / 'nan.npy', np.full((96, 96), np.nan, np.float32))
    out = tmp_path / 'scores' / 'results.csv'
    assert main(['score', str(folder), '--out', str(out), '--scorer', 'mdiqa', '--checkpoint',
                 str(checkpoint), '--values', 'hu', '--quiet']) == 0
    with open(out, newline='') as handle:
        scored = list(csv.DictReader(handle))
    assert [Path(r['file']).name for r in scored] == ['good.npy']
    assert float(scored[0]['score']) == pytest.approx(scores[0], abs=1e-6)
    errors = (tmp_path / 'scores' / 'results_errors.csv').read_text()
    assert 'nan.npy' in errors and 'NaN' in errors


def test_a_student_trains_with_the_order_term_on_slice_groups(labels, tmp_path, tiny_config):
    out, _ = labels
    build_student_set(out, tmp_path / 'set', split='train', unlabelled_ladder=None)
    listed = str(tmp_path / 'set' / 'train.csv')
    options = {'train_dataloader.dataset.ann_file': listed,
               'val_dataloader.dataset.ann_file': listed,
               'test_dataloader.dataset.ann_file': listed,
               'train_dataloader.sampler': dict(type='SliceGroupSampler', group_size=2),
               'model.order_weight': 0.1, 'model.net.head.max_score': 1.0,
               'model.net.head.decode': 'soft-argmax',
               'train_cfg.max_iters': 4, 'train_cfg.val_interval': 4,
               'default_hooks.checkpoint.interval': 4}
    cfg = prepare_config(str(tiny_config), work_dir=str(tmp_path / 'work'), cfg_options=options)
    runner = Runner.from_cfg(cfg)
    runner.train()
    order, _ = runner.message_hub.get_scalar('train/loss_order').data
    assert len(order) == 4 and all(np.isfinite(order)) and max(order) > 0
    cfg.model.net.head.decode = 'argmax'
    with pytest.raises(ValueError, match="decode='soft-argmax'"):
        MODELS.build(cfg.model)


def test_fine_tuning_on_ldctiqa_starts_from_the_student(tmp_path, monkeypatch):
    """The documented LDCTIQAC2023 command: the student's weights, the radiologists' 0-4 scale."""
    import tifffile

    root = tmp_path / 'ldctiqa'
    (root / 'image').mkdir(parents=True)
    rng = np.random.default_rng(0)
    scores = {}
    for i in range(30):                  # 21 / 3 / 6: three to correlate in validation
        tifffile.imwrite(root / 'image' / f'{i:04d}.tif',
                         rng.uniform(0, 1, (128, 128)).astype(np.float32))
        scores[f'{i:04d}.tif'] = round(i * 4 / 29, 1)
    (root / 'train.json').write_text(json.dumps(scores))
    monkeypatch.setenv('LDCTIQA', str(root))
    config = str(CONFIGS / 'mdiqa_small_ldctiqa_from_onepass.py')
    with pytest.raises(FileNotFoundError, match='load_from=PATH'):
        prepare_config(config, cfg_options={'load_from': str(tmp_path / 'missing.pth')})

    # the student's weights, one tensor of them set to a mark that no initialisation makes
    weights = MODELS.build(Config.fromfile(CONFIGS / 'mdiqa_small_onepass.py').model).state_dict()
    name = next(k for k, v in weights.items() if v.dtype == torch.float32 and v.numel() > 1000)
    weights[name] = torch.full_like(weights[name], 0.123)
    start = tmp_path / 'student.pth'
    torch.save({'state_dict': weights, 'meta': {}}, start)
    loaders = {f'{split}_dataloader.{key}': value for split in ('train', 'val', 'test')
               for key, value in (('num_workers', 0), ('persistent_workers', False))}
    cfg = prepare_config(config, work_dir=str(tmp_path / 'work'), cfg_options={
        'load_from': str(start), 'train_cfg.max_iters': 2, 'train_cfg.val_interval': 2,
        'default_hooks.checkpoint.interval': 2, **loaders})
    Runner.from_cfg(cfg).train()
    tuned = tmp_path / 'work' / 'iter_2.pth'
    tuned_weights = torch.load(tuned, map_location='cpu', weights_only=False)['state_dict']
    # two AdamW steps at lr <= 1e-4 move no weight by more than about 2e-4
    assert (tuned_weights[name] - 0.123).abs().max() < 1e-3
    assert MDIQAScorer(checkpoint=str(tuned)).score_range == (0.0, 4.0)


def test_the_student_set_passes_standard_errors_and_slices_to_the_model(labels, tmp_path):
    from mdiqa.datasets import CSVQualityDataset
    out, rows = labels
    build_student_set(out, tmp_path / 'set', split='train', unlabelled_ladder=None)
    dataset = CSVQualityDataset(ann_file=str(tmp_path / 'set' / 'train.csv'), pipeline=[
        dict(type='LoadCTSlice', values='hu'), dict(type='WindowCT', preset='abdomen'),
        dict(type='PackQualityInputs')])
    for k, row in enumerate(rows):
        meta = dataset[k]['data_samples'].metainfo
        assert meta['gt_sem'] == pytest.approx(float(row['sem']))
        assert meta['source_slice'] == f"{row['file']}#0"
