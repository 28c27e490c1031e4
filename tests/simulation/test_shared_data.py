"""The low-dose calibration on real routine-dose abdominal CT (skipped without ../shared)."""
import numpy as np
import pytest

from d2iqa.io import load_series
from d2iqa.simulation import noise_level, simulate_low_dose

pytestmark = pytest.mark.shared_data


@pytest.mark.parametrize('folder, index', [('totalsegmentator-abdomen-dicom', 0),
                                           ('totalsegmentator-abdomen-dicom', 19),
                                           ('dcmqi-liver-dicom', 1)])
def test_quarter_dose_has_about_twice_the_noise(shared_ct, folder, index):
    ct_slice = load_series(shared_ct / folder)[index]
    quarter = simulate_low_dose(ct_slice, 0.25, seed=0)
    ratio = noise_level(ct_slice.with_hu(quarter)) / noise_level(ct_slice)
    assert 2.0 <= ratio <= 2.4
    assert abs(np.mean(quarter - ct_slice.hu)) < 1.0
