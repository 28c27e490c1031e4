"""The real CT in ../shared/data/ct (optional: skipped when absent)."""
import numpy as np
import pydicom
import pytest

from d2iqa import discover, load_series, load_slice
from d2iqa.io.ct_slice import PADDING_BELOW_HU

pytestmark = pytest.mark.shared_data


def test_totalsegmentator_series_in_order(shared_ct):
    slices = load_series(shared_ct / 'totalsegmentator-abdomen-dicom')
    assert len(slices) == 20
    assert all(s.hu.shape == (512, 512) and s.hu.dtype == np.float32 for s in slices)
    positions = [s.slice_position for s in slices]
    assert np.all(np.diff(positions) > 0)
    np.testing.assert_allclose(np.diff(positions), 2.0, atol=0.01)   # 3 mm slices every 2 mm
    assert slices[0].slice_thickness == 3.0
    assert min(s.hu.min() for s in slices) == -1024
    assert 1700 < max(s.hu.max() for s in slices) < 2000
    assert slices[0].kvp == 120
    assert slices[0].pixel_spacing == pytest.approx((0.977, 0.977), abs=1e-3)


def test_nifti_volume_axial_slices(shared_ct):
    slices = load_series(shared_ct / 'totalsegmentator-abdomen.nii.gz')
    assert len(slices) == 112 and slices[0].hu.shape == (101, 122)
    volume = np.stack([s.hu for s in slices])
    # resampled to 3 mm: interpolation undershoots a little below -1024 HU
    assert -1500 < volume.min() < -1000 and 1000 < volume.max() < 4000
    assert np.all(np.diff([s.slice_position for s in slices]) > 0)


def test_dcmqi_padding_mapped_to_air(shared_ct):
    slices = load_series(shared_ct / 'dcmqi-liver-dicom')
    assert len(slices) == 3
    for s in slices:
        assert s.hu.shape == (512, 512) and s.hu.min() >= -1024
        corner = s.hu[:20, :20]         # outside the circular field of view
        assert (corner == -1000).all()


def stored_hu_range(path):
    """HU range that the DICOM header's stored bits and rescale allow."""
    header = pydicom.dcmread(path, stop_before_pixels=True)
    bits, signed = int(header.BitsStored), int(header.PixelRepresentation) == 1
    low, high = (-2 ** (bits - 1), 2 ** (bits - 1) - 1) if signed else (0, 2 ** bits - 1)
    slope, intercept = float(header.get('RescaleSlope', 1)), float(header.get('RescaleIntercept', 0))
    return sorted((low * slope + intercept, high * slope + intercept))


def test_every_shared_file_loads(shared_ct):
    # Metal and dense contrast reach thousands of HU (one covid19-ny-sbu slice: 5622): the
    # bounds are the header's stored range and the loader's padding rule, not a guess.
    found = discover(shared_ct)
    assert not found.errors
    for source in found.series:
        for ct in load_series(source):
            assert ct.hu.ndim == 2 and np.isfinite(ct.hu).all()
            assert ct.hu.min() >= PADDING_BELOW_HU   # lower values are padding, set to air
            if source.kind == 'dicom':
                assert ct.hu.max() <= stored_hu_range(ct.source)[1] + 0.01  # float32 rounding
    chest = load_slice(shared_ct / 'fodicom-chest-dicom' / 'chest.dcm')
    assert chest.hu.min() >= -1024   # -3024 padding mapped to air
