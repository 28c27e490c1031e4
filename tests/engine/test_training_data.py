"""Training data by patient: hold-out of whole patients, spread, skipped slices, the balanced
sampler and the scanner augmentations (rescaling, kernel sharpness, simulated dose)."""
import logging
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from mmengine.logging import MMLogger
from scipy import ndimage, stats

from d2iqa.engine import CTSliceDataset, InsertVirtualLesions, PatientBalancedSampler, samplers
from d2iqa.mm_common import RandomSharpness, SimulateLowDose
from d2iqa.lesions import placement_mask
from d2iqa.simulation import abdomen_phantom


@pytest.fixture(scope='module')
def phantom_raw():
    """A 256 px abdomen phantom as stored DICOM values (HU + 1024)."""
    return (abdomen_phantom(256, pixel_size=1.4, seed=0) + 1024).astype(np.int16)


@pytest.fixture
def patients(tmp_path, write_dicom, phantom_raw):
    """Patient A: series 1.1 (6 slices) and 1.2 (1 slice); B and C: one slice each."""
    def write(name, series, patient, z=0, raw=phantom_raw):
        write_dicom(tmp_path / name, raw, series_uid=series, patient_id=patient,
                    manufacturer=f'maker of {patient}', position=[0, 0, 3.0 * z])
    for z in range(6):
        write(f'a1_{z}.dcm', '1.1', 'A', z)
    write('a2.dcm', '1.2', 'A')
    write('b.dcm', '2.1', 'B')
    write('c.dcm', '3.1', 'C')
    return tmp_path


def names(dataset):
    return sorted(Path(dataset[i]['img_path']).name for i in range(len(dataset)))


def test_a_held_out_series_holds_out_every_series_of_its_patient(patients):
    options = dict(sources=[str(patients)], pipeline=[])
    val = CTSliceDataset(holdout=['1.2'], split='val', **options)
    assert names(val) == sorted([f'a1_{z}.dcm' for z in range(6)] + ['a2.dcm'])
    assert {val[i]['patient'] for i in range(len(val))} == {'A'}
    assert val[0]['manufacturer'] == 'maker of A'
    train = CTSliceDataset(holdout=['1.2'], holdout_patients=['B'], split='train', **options)
    assert names(train) == ['c.dcm']
    # patient IDs match exactly ('a' is in every path of A, but it is not A's PatientID)
    assert names(CTSliceDataset(holdout_patients=['A'], split='val', **options))[0] == 'a1_0.dcm'
    assert len(CTSliceDataset(holdout_patients=['a'], split='train', **options)) == 9


def test_per_patient_keeps_slices_spread_over_the_patient(patients):
    dataset = CTSliceDataset(sources=[str(patients)], per_patient=2, pipeline=[])
    by_patient = Counter(dataset[i]['patient'] for i in range(len(dataset)))
    assert by_patient == {'A': 2, 'B': 1, 'C': 1}
    kept = [Path(dataset[i]['img_path']).name for i in range(len(dataset))
            if dataset[i]['patient'] == 'A']
    # A's 7 slices in series order (1.1: z 0..5, then 1.2): the middles of two halves
    assert kept == ['a1_1.dcm', 'a1_5.dcm']


def test_slices_that_cannot_host_lesions_are_skipped_with_the_reason(patients, write_dicom):
    air = np.zeros((256, 256), np.int16) + 24                 # -1000 HU everywhere
    write_dicom(patients / 'empty.dcm', air, series_uid='4.1', patient_id='D')
    records = []
    handler = logging.Handler(level=logging.WARNING)
    handler.emit = records.append
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    try:
        dataset = CTSliceDataset(sources=[str(patients)], pipeline=[],
                                 filter_cfg=dict(lesion_config='abdomen'))
    finally:
        logger.removeHandler(handler)
    assert 'empty.dcm' not in names(dataset) and len(dataset) == 9
    (skipped,) = [r.getMessage() for r in records]
    assert 'empty.dcm' in skipped and 'cannot host' in skipped


class Entries:
    """A stand-in dataset: entry i belongs to patient ``patients[i]``."""

    def __init__(self, patients):
        self.patients = patients

    def __len__(self):
        return len(self.patients)

    def get_data_info(self, index):
        return dict(patient=self.patients[index])


def draws(sampler, n):
    iterator = iter(sampler)
    return [next(iterator) for _ in range(n)]


def test_balanced_sampler_draws_every_patient_equally_often():
    # one patient with 90 slices, nine with one slice each
    dataset = Entries(['big'] * 90 + [f'p{k}' for k in range(9)])
    indices = draws(PatientBalancedSampler(dataset, seed=0), 20000)
    per_patient = Counter(dataset.patients[i] for i in indices)
    assert stats.chisquare(list(per_patient.values())).pvalue > 1e-3   # uniform over 10
    big = Counter(i for i in indices if i < 90)
    assert len(big) == 90 and stats.chisquare(list(big.values())).pvalue > 1e-3
    assert abs(per_patient['big'] / 20000 - 0.1) < 0.01


def test_balanced_sampler_shares_one_stream_between_ranks_and_resumes(monkeypatch):
    dataset = Entries([f'p{k % 7}' for k in range(30)])
    whole = draws(PatientBalancedSampler(dataset, seed=3), 60)
    ranks = []
    for rank in range(2):
        monkeypatch.setattr(samplers, 'get_dist_info', lambda rank=rank: (rank, 2))
        ranks.append(draws(PatientBalancedSampler(dataset, seed=3), 30))
    assert ranks[0] == whole[0::2] and ranks[1] == whole[1::2]
    monkeypatch.setattr(samplers, 'get_dist_info', lambda: (0, 1))
    resumed = PatientBalancedSampler(dataset, seed=3)
    resumed.skip(25)
    assert draws(resumed, 35) == whole[25:]


def test_random_sharpness_blurs_and_sharpens_as_scipy_does():
    rng = np.random.default_rng(0)
    hu = rng.normal(40, 20, (64, 64)).astype(np.float32)
    blurred = RandomSharpness(amount=(-0.8, -0.8))(dict(hu=hu))
    np.testing.assert_allclose(blurred['hu'], ndimage.gaussian_filter(hu, 0.8), atol=1e-4)
    assert blurred['hu_full_dose'] is hu
    sharp = RandomSharpness(amount=(1.0, 1.0))(dict(hu=hu))['hu']
    np.testing.assert_allclose(sharp, 2 * hu - ndimage.gaussian_filter(hu, 1.0), atol=1e-4)
    assert sharp.std() > hu.std() > blurred['hu'].std()   # white noise: gain above, loss below
    assert RandomSharpness(amount=(0.0, 0.0))(dict(hu=hu))['hu'] is hu
    with pytest.raises(ValueError, match='amount'):
        RandomSharpness(amount=(1.0, -1.0))


def test_simulate_low_dose_draws_a_dose_per_call():
    hu = abdomen_phantom(128, pixel_size=2.8, seed=0)
    transform = SimulateLowDose(dose_fraction=[1.0, 0.25], seed=None)
    np.random.seed(0)
    outputs = [transform(dict(hu=hu))['hu'] for _ in range(12)]
    changed = [not np.array_equal(out, hu) for out in outputs]
    assert 0 < sum(changed) < 12
    noisy = [out for out, c in zip(outputs, changed) if c]
    assert not np.array_equal(noisy[0], noisy[1])          # fresh noise at every draw
    with pytest.raises(ValueError, match='dose_fraction'):
        SimulateLowDose(dose_fraction=[1.0, 0.0])


def test_rescaled_slices_carry_lesions_inside_the_rescaled_body():
    hu = abdomen_phantom(256, pixel_size=1.4, seed=0)
    image = np.repeat(((hu + 1000) / 1400).clip(0, 1)[..., None], 3, axis=2).astype(np.float32)
    transform = InsertVirtualLesions(scale_range=(1.5, 1.5))
    results = transform(dict(img=image.copy(), img_path='phantom', slice_index=0))
    assert results['img'].shape == (384, 384, 3) and results['img_shape'] == (384, 384)
    assert results['scale_factor'] == (1.5, 1.5)
    body = ndimage.zoom(placement_mask(image[..., 0]), 1.5, order=0)
    boxes = results['gt_bboxes'].tensor.numpy()
    centres = ((boxes[:, 1] + boxes[:, 3]) / 2, (boxes[:, 0] + boxes[:, 2]) / 2)
    assert body[tuple(np.floor(c).astype(int) for c in centres)].all()
    cropped = InsertVirtualLesions(scale_range=(0.8, 1.25), crop_size=160)(
        dict(img=image.copy(), img_path='phantom', slice_index=0))
    assert cropped['img'].shape == (160, 160, 3)
    with pytest.raises(ValueError, match='training augmentation'):
        InsertVirtualLesions(scale_range=(0.8, 1.25), seed=0)
