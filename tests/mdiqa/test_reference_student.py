"""The shipped one-pass student: MD-IQA's default checkpoint, with no checkpoint named."""
import csv

import numpy as np
import pytest

import mdiqa
from d2iqa.cli import main
from d2iqa.cli.demo import demo_slices
from d2iqa.scoring import create_scorer
from mdiqa.api import REFERENCE_CHECKPOINT


def test_the_reference_student_ships_within_its_size():
    assert REFERENCE_CHECKPOINT.is_file()
    assert REFERENCE_CHECKPOINT.stat().st_size <= 25 * 2**20


def test_the_default_scorer_ranks_the_embedded_slices_doses_in_order():
    """The demo's real abdominal slice at 100 / 50 / 25 / 12 / 5 % dose: the teacher's order."""
    scorer = create_scorer('mdiqa')
    assert scorer.checkpoint == str(REFERENCE_CHECKPOINT) and scorer.score_range == (0.0, 1.0)
    levels = demo_slices()['pydicom abdomen']
    scores = [result.score for result in scorer.score_slices([hu for _, hu in levels],
                                                              values='hu')]
    assert [dose for dose, _ in levels] == [100, 50, 25, 12, 5]
    assert np.all(np.diff(scores) < 0) and 0 <= scores[-1] and scores[0] <= 1
    assert mdiqa.score_slice(levels[0][1], values='hu').score == pytest.approx(scores[0])


def test_d2iqa_score_with_the_default_student_names_a_bad_file(tmp_path):
    levels = demo_slices()['pydicom abdomen']
    folder = tmp_path / 'study'
    folder.mkdir()
    np.save(folder / 'full.npy', levels[0][1].astype(np.float32))
    np.save(folder / 'nan.npy', np.full((96, 96), np.nan, np.float32))
    out = tmp_path / 'scores' / 'results.csv'
    assert main(['score', str(folder), '--out', str(out), '--scorer', 'mdiqa', '--values', 'hu',
                 '--quiet']) == 0
    with open(out, newline='') as handle:
        scored = list(csv.DictReader(handle))
    assert [row['file'].rsplit('/', 1)[-1] for row in scored] == ['full.npy']
    expected = mdiqa.score_slice(levels[0][1], values='hu').score
    assert float(scored[0]['score']) == pytest.approx(expected, abs=1e-6)
    errors = (tmp_path / 'scores' / 'results_errors.csv').read_text()
    assert 'nan.npy' in errors and 'NaN' in errors
