import random

import numpy as np
import pydicom
import pytest
from pydicom.uid import RLELossless

from d2iqa import CTReadError, load_series, load_slice
from d2iqa.io import AIR_HU


def test_hu_from_rescale(write_dicom, tmp_path, ct_raw):
    path = write_dicom(tmp_path / 'a.dcm', ct_raw, slope=2.0, intercept=-1000.0)
    ct = load_slice(path)
    assert ct.hu.dtype == np.float32 and ct.hu.shape == (32, 40)
    np.testing.assert_array_equal(ct.hu, ct_raw * 2.0 - 1000.0)
    assert ct.pixel_spacing == (0.7, 0.8) and ct.slice_thickness == 3.0
    assert ct.kvp == 120 and ct.ctdi_vol == 12.5 and ct.kernel == 'B30f'
    assert ct.series_uid == '1.2.3.4' and ct.source == str(path)


def test_padding_value_and_out_of_field_values_become_air(write_dicom, tmp_path, ct_raw):
    raw = ct_raw.copy()
    raw[0, :5] = -2000          # PixelPaddingValue (stored), HU -3024
    raw[1, :5] = -976           # HU -2000 without a padding tag
    raw[2, :5] = 0              # HU -1024: real air, kept
    ct = load_slice(write_dicom(tmp_path / 'p.dcm', raw, padding=-2000))
    assert (ct.hu[0, :5] == AIR_HU).all() and (ct.hu[1, :5] == AIR_HU).all()
    assert (ct.hu[2, :5] == -1024).all()
    assert ct.hu.min() >= -1024


def test_series_sorted_along_slice_normal_from_shuffled_files(write_dicom, tmp_path, ct_raw):
    # Oblique orientation: the order comes from the position projected on the normal.
    orientation = (1, 0, 0, 0, np.cos(0.3), -np.sin(0.3))
    normal = np.cross(orientation[:3], orientation[3:])
    names = [f'{n:02d}.dcm' for n in range(8)]
    random.Random(0).shuffle(names)
    for z, name in enumerate(names):
        write_dicom(tmp_path / name, ct_raw + z, position=list(3.0 * z * normal + [5, 7, 0]),
                       orientation=orientation, instance=100 - z)
    slices = load_series(tmp_path)
    assert [int(s.hu[0, 0]) - int(ct_raw[0, 0] - 1024) for s in slices] == list(range(8))
    assert [s.index for s in slices] == list(range(8))
    np.testing.assert_allclose(np.diff([s.slice_position for s in slices]), 3.0)


def test_series_falls_back_to_instance_number(write_dicom, tmp_path, ct_raw):
    for z in range(5):
        write_dicom(tmp_path / f'{4 - z}.dcm', ct_raw + z, orientation=None, instance=z + 1)
    slices = load_series(tmp_path)
    assert [int(s.hu[0, 0] - slices[0].hu[0, 0]) for s in slices] == list(range(5))


def test_series_without_position_or_instance_warns(write_dicom, tmp_path, ct_raw):
    for z in range(2):
        write_dicom(tmp_path / f'{z}.dcm', ct_raw + z, orientation=None)
    with pytest.warns(UserWarning, match='file-name order'):
        assert len(load_series(tmp_path)) == 2


def test_folder_with_two_series_needs_a_choice(write_dicom, tmp_path, ct_raw):
    write_dicom(tmp_path / 'a.dcm', ct_raw, series_uid='1.1')
    write_dicom(tmp_path / 'b.dcm', ct_raw, series_uid='1.2')
    with pytest.raises(CTReadError, match='2 series.*series_uid'):
        load_series(tmp_path)
    assert len(load_series(tmp_path, series_uid='1.2')) == 1


def test_multiframe_file(write_dicom, tmp_path, ct_raw):
    stack = np.stack([ct_raw + 100 * k for k in range(3)])
    path = write_dicom(tmp_path / 'mf.dcm', stack)
    slices = load_series(path)
    assert len(slices) == 3
    for k, ct in enumerate(slices):
        np.testing.assert_array_equal(ct.hu, stack[k] - 1024.0)
    with pytest.raises(CTReadError, match='3 slices; pass index='):
        load_slice(path)
    np.testing.assert_array_equal(load_slice(path, index=2).hu, stack[2] - 1024.0)


def test_rle_compressed_equals_uncompressed(write_dicom, tmp_path, ct_raw):
    path = write_dicom(tmp_path / 'u.dcm', ct_raw)
    ds = pydicom.dcmread(path)
    ds.compress(RLELossless)
    ds.save_as(tmp_path / 'rle.dcm')
    np.testing.assert_array_equal(load_slice(tmp_path / 'rle.dcm').hu, load_slice(path).hu)


@pytest.mark.parametrize('name', ['explicit_VR-UN.dcm', '693_J2KR.dcm', 'bad_sequence.dcm'])
def test_compressed_real_ct_matches_an_independent_decoder(testdata, name):
    """JPEG 2000 lossless and JPEG lossless real CT: HU equal GDCM's decoding, rescaled."""
    from pydicom.pixels import pixel_array
    path = testdata(name)
    ds = pydicom.dcmread(path, stop_before_pixels=True)
    expected = pixel_array(path, decoding_plugin='gdcm') * float(ds.RescaleSlope) + \
        float(ds.RescaleIntercept)
    padding = ds.get('PixelPaddingValue')
    if padding is not None:
        expected[pixel_array(path, decoding_plugin='gdcm') == padding] = AIR_HU
    expected[expected < -1500] = AIR_HU
    ct = load_slice(path)
    assert ct.hu.shape == (512, 512) and ct.hu.dtype == np.float32
    np.testing.assert_array_equal(ct.hu, expected.astype(np.float32))
    assert -1100 < np.percentile(ct.hu, 1) < -800 and np.percentile(ct.hu, 99) > 0


def test_non_ct_modality_refused_unless_allowed(write_dicom, tmp_path, ct_raw):
    path = write_dicom(tmp_path / 'mr.dcm', ct_raw, modality='MR', intercept=0.0)
    with pytest.raises(CTReadError, match="Modality 'MR'.*allow_non_ct"):
        load_slice(path)
    np.testing.assert_array_equal(load_slice(path, allow_non_ct=True).hu, ct_raw)


def test_bad_dicom_inputs(write_dicom, tmp_path, ct_raw, testdata):
    text = tmp_path / 'notes.dcm'
    text.write_text('not an image')
    with pytest.raises(CTReadError, match='notes.dcm: is not a DICOM file'):
        load_slice(text)
    empty = tmp_path / 'empty.dcm'
    empty.write_bytes(b'')
    with pytest.raises(CTReadError, match='empty'):
        load_slice(empty)
    good = write_dicom(tmp_path / 'good.dcm', ct_raw).read_bytes()
    (tmp_path / 'cut.dcm').write_bytes(good[:len(good) - 500])
    with pytest.raises(CTReadError, match='cut.dcm: .*truncated or corrupt'):
        load_slice(tmp_path / 'cut.dcm')
    ds = pydicom.dcmread(tmp_path / 'good.dcm')
    del ds.PixelData
    ds.save_as(tmp_path / 'nopix.dcm')
    with pytest.raises(CTReadError, match='no pixel data'):
        load_slice(tmp_path / 'nopix.dcm')
    with pytest.raises(CTReadError, match='does not exist'):
        load_slice(tmp_path / 'missing.dcm')


def test_rgb_dicom_refused(write_dicom, tmp_path, ct_raw):
    path = write_dicom(tmp_path / 'rgb.dcm', ct_raw)
    ds = pydicom.dcmread(path)
    rgb = np.zeros((32, 40, 3), dtype=np.uint8)
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, 'RGB', 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.PixelData = rgb.tobytes()
    ds.save_as(path)
    with pytest.raises(CTReadError, match='colour image'):
        load_slice(path)


def test_missing_decoder_names_what_to_install(testdata, monkeypatch):
    """pydicom's message when no plugin can decode a transfer syntax becomes an install hint."""
    def no_decoder(self):
        raise RuntimeError('Unable to decode the pixel data as a (0002,0010) Transfer Syntax UID '
                           "of 'JPEG 2000 Image Compression (Lossless Only)' is not supported")
    monkeypatch.setattr(pydicom.dataset.Dataset, 'pixel_array', property(no_decoder))
    with pytest.raises(CTReadError, match='explicit_VR-UN.dcm: .*JPEG 2000.*pylibjpeg-openjpeg'):
        load_slice(testdata('explicit_VR-UN.dcm'))
