"""Lesion trials on the real CT of ../shared/data/ct and pydicom-data (skipped when absent)."""
import numpy as np
import pytest

from d2iqa import discover, load_series, load_slice, window
from d2iqa.lesions import LesionPlacementError, Placement, body_mask


def dicom_series(root):
    return [source for source in discover(root).series if source.kind == 'dicom']


def thousand_trials(ct_slice):
    image = window(ct_slice.hu, preset='d2iqa')
    placement = Placement.from_image(image)
    body = body_mask(image)
    rng = np.random.default_rng(0)
    for _ in range(1000):
        lesions = placement.draw(rng)
        assert body[tuple(lesions.centres.T)].all()
        assert 2 <= len(lesions) <= 5


@pytest.mark.shared_data
def test_thousand_trials_on_a_slice_of_every_shared_series(shared_ct):
    series = dicom_series(shared_ct)
    assert series
    for source in series:
        slices = load_series(source)
        thousand_trials(slices[len(slices) // 2])


@pytest.mark.slow
@pytest.mark.shared_data
def test_thousand_trials_on_every_shared_slice(shared_ct):
    slices = [ct_slice for source in dicom_series(shared_ct) for ct_slice in load_series(source)]
    assert len(slices) >= 350          # the data README: about 360 slices of about 75 patients
    for ct_slice in slices:
        thousand_trials(ct_slice)


@pytest.mark.shared_data
def test_coarse_volume_slices_are_refused_with_the_reason(shared_ct):
    slices = load_series(shared_ct / 'totalsegmentator-abdomen.nii.gz')  # 3 mm voxels
    with pytest.raises(LesionPlacementError, match="pixels of the protocol's 512x512 grid"):
        Placement.from_image(window(slices[len(slices) // 2].hu, preset='d2iqa'))


def test_thousand_trials_on_the_pydicom_data_abdomen():
    data = pytest.importorskip('pydicom.data')
    path = data.get_testdata_file('explicit_VR-UN.dcm', download=False)
    if path is None:
        pytest.skip('pydicom-data is not installed')
    thousand_trials(load_slice(path))
