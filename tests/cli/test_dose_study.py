"""The dose-study workflow: rows, correlations, plots, the command; the scorer registry."""
import csv
from importlib.metadata import EntryPoint

import numpy as np
import pytest

from d2iqa.cli.dose_study import correlation_table, plot_study, run_dose_study
from d2iqa.scoring import ScoreResult, Scorer, ScorerUnavailable, create_scorer, plugins
from d2iqa.simulation import abdomen_phantom, simulate_levels, simulate_low_dose

DOSES = (100, 50, 25, 10)
PHOTONS = 1e5


class LevelSpy(Scorer):
    """A scorer that records its calls and scores each level by its noise against the reference."""

    name = 'spy'
    higher_is_better = False
    needs_reference = True

    def __init__(self):
        self.calls = []

    def score_series(self, images, *, reference=None, values=None):
        self.calls.append((len(images), reference))
        return [ScoreResult(score=float(np.std(level.hu - reference.hu)), higher_is_better=False)
                for level in images]


@pytest.fixture(scope='module')
def slices():
    """Two small noisy abdomen 'scans' (128 x 128 pixels of 2.8 mm)."""
    return [simulate_low_dose(abdomen_phantom(128, pixel_size=2.8, seed=s), 0.5,
                              incident_photons=PHOTONS, pixel_size=2.8, seed=s) for s in (0, 1)]


@pytest.fixture(scope='module')
def study(slices):
    spy = LevelSpy()
    streamed = []
    rows = run_dose_study(slices, [spy, create_scorer('noise')], doses=DOSES,
                          sparse_views=(360, 180, 90), incident_photons=PHOTONS,
                          on_rows=streamed.append, progress=False)
    return rows, streamed, spy


def test_rows_cover_every_slice_level_and_scorer(study, slices):
    rows, streamed, spy = study
    assert len(rows) == len(slices) * (len(DOSES) + 3) * 2
    assert [len(batch) for batch in streamed] == [len(rows) // 2] * 2
    dose_rows = [r for r in rows if r['study'] == 'dose' and r['scorer'] == 'spy']
    assert [r['level'] for r in dose_rows[:4]] == list(DOSES)
    assert dose_rows[0]['score'] == 0            # 100 % is the input itself
    # each call receives all the levels of one slice, with the slice as reference
    assert [n for n, _ in spy.calls] == [len(DOSES), 3, len(DOSES), 3]
    assert np.array_equal(spy.calls[0][1].hu, slices[0])


def test_runs_are_reproducible(study, slices):
    rows, _, _ = study
    again = run_dose_study(slices[:1], [LevelSpy()], doses=DOSES, incident_photons=PHOTONS,
                           progress=False)
    first = [r['score'] for r in rows if r['slice'] == 0 and r['study'] == 'dose'
             and r['scorer'] == 'spy']
    assert [r['score'] for r in again] == first


def test_correlation_table(study):
    rows, _, _ = study
    table = {(e['study'], e['scorer']): e for e in correlation_table(rows)}
    assert set(table) == {(s, c) for s in ('dose', 'sparse_view') for c in ('spy', 'noise')}
    for scorer in ('spy', 'noise'):
        # noise falls as the dose rises: a perfect negative rank correlation within slices
        assert table['dose', scorer]['srocc_per_slice'] == pytest.approx(-1)
        assert table['dose', scorer]['srocc'] < -0.8
    entry = table['dose', 'spy']
    assert entry['n'] == 2 * len(DOSES)
    assert entry['overall'] == pytest.approx(abs(entry['plcc']) + abs(entry['srocc'])
                                             + abs(entry['krocc']))


def test_perfect_scorer_correlates_perfectly():
    rows = [{'slice': s, 'study': 'dose', 'level': d, 'scorer': 'ideal', 'score': d / 10 + s,
             'higher_is_better': True} for s in range(3) for d in DOSES]
    rows.append({**rows[0], 'score': float('inf')})     # non-finite scores are left out
    entry, = correlation_table(rows)
    assert entry['n'] == 12 and entry['srocc_per_slice'] == 1
    assert entry['plcc_logistic'] >= entry['plcc'] - 1e-9


def test_plots_are_written(study, tmp_path):
    rows, _, _ = study
    for name in ('dose', 'sparse_view'):
        paths = plot_study(rows, tmp_path, study=name)
        assert [p.rsplit('_', 1)[-1] for p in paths] == ['level.png', 'normalised.png',
                                                         'logistic.png']
        for path in paths:
            with open(path, 'rb') as stream:
                assert stream.read(8) == b'\x89PNG\r\n\x1a\n'
    assert plot_study(rows, tmp_path, study='nothing') == []


def test_registry_finds_entry_points_and_says_what_is_missing(monkeypatch):
    points = {name: EntryPoint(name, value, plugins.ENTRY_POINT_GROUP) for name, value in (
        ('later', 'd2iqa.scoring.baselines:SSIMScorer'),
        ('absent', 'no_such_package.scoring:Scorer'))}
    monkeypatch.setattr(plugins, '_entry_points', lambda: points)
    assert create_scorer('later', window='d2iqa').window.width == 1400
    with pytest.raises(ScorerUnavailable, match="scorer 'absent' is registered as "
                                                "no_such_package.scoring:Scorer"):
        create_scorer('absent')
    with pytest.raises(KeyError, match="no scorer 'nope' is installed; installed: absent, later"):
        create_scorer('nope')


def test_installed_scorers_share_the_interface():
    for name in plugins.scorer_names():
        cls = plugins.load_scorer_class(name)
        assert issubclass(cls, Scorer) and cls.name == name
        assert isinstance(cls.higher_is_better, bool) and len(cls.score_range) == 2
    assert {'d2iqa', 'mdiqa', 'noise', 'psnr', 'ssim'} <= set(plugins.scorer_names())


def test_slices_without_soft_tissue_noise_are_skipped(slices):
    flat = np.where(slices[0] > -500, 40, -1000).astype(np.float32)   # no noise to calibrate on
    with pytest.warns(UserWarning, match=r'slice 0 \(slice 0\) skipped: .*has no noise'):
        rows = run_dose_study([flat, slices[1]], [LevelSpy()], doses=DOSES, progress=False)
    assert {row['slice'] for row in rows} == {1}


def test_simulate_levels_checks_its_input(slices):
    with pytest.raises(ValueError, match=r'percentages in \(0, 100\], got \[150.0\]'):
        simulate_levels(slices[0], doses=(100, 150))
    with pytest.raises(ValueError, match='nothing to simulate'):
        run_dose_study(slices, [LevelSpy()], doses=(), sparse_views=())
    with pytest.raises(ValueError, match='no scorers given'):
        run_dose_study(slices, [])


def test_command_writes_scores_table_and_plots(slices, tmp_path, capsys):
    from d2iqa.cli import main
    for number, hu in enumerate(slices):
        np.save(tmp_path / f'slice{number}.npy', hu)
    out = tmp_path / 'study'
    code = main(['evaluate-dose', str(tmp_path / 'slice0.npy'), str(tmp_path / 'slice1.npy'),
                 '--out', str(out), '--values', 'hu', '--incident-photons', str(PHOTONS),
                 '--doses', '100', '25', '10', '--sparse-views', '360', '90', '--quiet',
                 '--scorers', 'psnr', 'ssim', 'noise'])
    assert code == 0
    printed = capsys.readouterr().out
    assert 'srocc_per_slice' in printed and 'noise' in printed
    with open(out / 'scores.csv', newline='') as stream:
        scores = list(csv.DictReader(stream))
    assert len(scores) == 2 * (3 + 2) * 3                    # slices x levels x scorers
    assert {row['scorer'] for row in scores} == {'psnr', 'ssim', 'noise'}
    assert (out / 'correlations.csv').exists()
    assert sorted(p.name for p in out.glob('*.png')) == sorted(
        f'{s}_{k}.png' for s in ('dose', 'sparse_view')
        for k in ('score_vs_level', 'normalised', 'logistic'))
