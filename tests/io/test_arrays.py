import cv2
import nibabel
import numpy as np
import pytest
import tifffile

from d2iqa import CTReadError, Window, load_series, load_slice, unwindow, window


@pytest.fixture
def hu_image():
    rows, cols = np.mgrid[0:24, 0:30]
    return (-1000 + 40 * rows + 3 * cols).astype(np.float32)


def test_unitless_formats_need_declared_values(tmp_path, hu_image):
    np.save(tmp_path / 'a.npy', hu_image)
    with pytest.raises(CTReadError, match="a.npy: carries no intensity units: pass values='hu'"):
        load_slice(tmp_path / 'a.npy')
    np.testing.assert_array_equal(load_slice(tmp_path / 'a.npy', values='hu').hu, hu_image)


def test_normalised_tiff_round_trips_through_its_window(tmp_path, hu_image):
    tifffile.imwrite(tmp_path / 'n.tif', window(hu_image, preset='d2iqa'))
    back = load_slice(tmp_path / 'n.tif', values='d2iqa').hu
    inside = (hu_image >= -1000) & (hu_image <= 400)
    np.testing.assert_allclose(back[inside], hu_image[inside], atol=1e-3)
    with pytest.raises(CTReadError, match=r'outside \[0, 1\].*values="hu"'):
        tifffile.imwrite(tmp_path / 'h.tif', hu_image)
        load_slice(tmp_path / 'h.tif', values='d2iqa')


@pytest.mark.parametrize('dtype', [np.uint8, np.uint16])
def test_png_8_and_16_bit_scaled_by_their_range(tmp_path, dtype):
    top = np.iinfo(dtype).max
    pixels = np.linspace(0, top, 20 * 20).astype(dtype).reshape(20, 20)
    cv2.imwrite(str(tmp_path / 'p.png'), pixels)
    ct = load_slice(tmp_path / 'p.png', values=Window(level=40, width=400))
    np.testing.assert_allclose(ct.hu, pixels / top * 400 - 160, atol=1e-3)


def test_stacks_and_colour_and_dimensions(tmp_path, hu_image):
    np.save(tmp_path / 's.npy', np.stack([hu_image, hu_image + 1, hu_image + 2]))
    assert [s.index for s in load_series(tmp_path / 's.npy', values='hu')] == [0, 1, 2]
    with pytest.raises(CTReadError, match='3 slices; pass index='):
        load_slice(tmp_path / 's.npy', values='hu')
    cv2.imwrite(str(tmp_path / 'c.png'), np.zeros((10, 10, 3), np.uint8))
    with pytest.raises(CTReadError, match='colour PNG'):
        load_slice(tmp_path / 'c.png', values='hu')
    tifffile.imwrite(tmp_path / 'rgb.tif', np.zeros((16, 16, 3), np.uint8), photometric='rgb')
    with pytest.raises(CTReadError, match='colour'):
        load_slice(tmp_path / 'rgb.tif', values='hu')
    np.save(tmp_path / 'line.npy', np.zeros(10))
    with pytest.raises(CTReadError, match='line.npy: holds a 1-D array'):
        load_slice(tmp_path / 'line.npy', values='hu')
    np.save(tmp_path / 'four.npy', np.zeros((2, 2, 8, 8)))
    with pytest.raises(CTReadError, match='four.npy: holds a 4-D array'):
        load_slice(tmp_path / 'four.npy', values='hu')


def test_nan_and_inf_refused(tmp_path, hu_image):
    hu_image[3, 4] = np.nan
    hu_image[5, 6] = np.inf
    np.save(tmp_path / 'nan.npy', hu_image)
    with pytest.raises(CTReadError, match='nan.npy: contains 2 NaN or infinite values'):
        load_slice(tmp_path / 'nan.npy', values='hu')


def test_corrupt_files_name_the_file(tmp_path):
    for name in ('x.tif', 'x.png', 'x.npy', 'x.nii.gz'):
        (tmp_path / name).write_bytes(b'garbage bytes')
        with pytest.raises(CTReadError, match=f'{name}: is not a readable'):
            load_slice(tmp_path / name, values='hu')


def test_nifti_slices_in_radiological_orientation(tmp_path):
    # With a diagonal positive affine the voxel axes are RAS+: +i towards the patient's right,
    # +j anterior, +k superior.
    volume = np.full((30, 20, 4), -1000.0, np.float32)
    volume[25, 2, :] = 100.0    # far to the patient's right, posterior
    affine = np.diag([0.8, 0.9, 2.5, 1.0])
    nibabel.save(nibabel.Nifti1Image(volume, affine), tmp_path / 'v.nii.gz')
    slices = load_series(tmp_path / 'v.nii.gz')
    assert len(slices) == 4 and slices[0].hu.shape == (20, 30)
    rows, cols = np.nonzero(slices[0].hu == 100.0)
    # Radiological display: the patient's right on the image's left, posterior at the bottom.
    assert (rows[0], cols[0]) == (20 - 1 - 2, 30 - 1 - 25)
    assert slices[0].pixel_spacing == pytest.approx((0.9, 0.8))
    assert slices[0].slice_thickness == pytest.approx(2.5)
    assert [s.slice_position for s in slices] == pytest.approx([0, 2.5, 5.0, 7.5])


def test_nifti_in_other_orientation_is_reoriented(tmp_path):
    volume = np.full((30, 20, 4), -1000.0, np.float32)
    volume[25, 2, 1] = 100.0
    ras = nibabel.Nifti1Image(volume, np.eye(4))
    # Same voxels stored with x flipped (LAS): the loader must give the same display slices.
    flipped = nibabel.Nifti1Image(volume[::-1].copy(), np.diag([-1.0, 1, 1, 1]) @
                                  np.array([[1, 0, 0, -29], [0, 1, 0, 0], [0, 0, 1, 0],
                                            [0, 0, 0, 1]]))
    nibabel.save(ras, tmp_path / 'ras.nii')
    nibabel.save(flipped, tmp_path / 'las.nii')
    for a, b in zip(load_series(tmp_path / 'ras.nii'), load_series(tmp_path / 'las.nii')):
        np.testing.assert_array_equal(a.hu, b.hu)


def test_window_presets_and_inverse():
    hu = np.array([-2000, -1000, -300, 400, 3000], np.float32)
    np.testing.assert_allclose(window(hu, preset='d2iqa'), [0, 0, 0.5, 1, 1])
    np.testing.assert_allclose(window(hu, level=40, width=350), [0, 0, 0, 1, 1])
    np.testing.assert_allclose(unwindow(np.array([0, 0.5, 1]), preset='abdomen'),
                               [-135, 40, 215])
    with pytest.raises(ValueError, match='unknown window preset'):
        window(hu, preset='lung2')
    with pytest.raises(ValueError, match='level= and width='):
        window(hu, level=40)
