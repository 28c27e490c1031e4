"""The projector against outside truth: analytic line integrals of a disk and scikit-image."""
import numpy as np
import pytest
from skimage.transform import radon, resize
from skimage.data import shepp_logan_phantom

from d2iqa.simulation import FILTERS, ParallelBeam, back_project, fbp, forward_project


def disk(shape, centre, radius, value, supersampling=4):
    """Disk of ``value`` (pixel units, x right, y up from the image centre), partial volume."""
    rows, cols = shape
    fine_x = (np.arange(cols * supersampling) + 0.5) / supersampling - 0.5 - (cols - 1) / 2
    fine_y = (rows - 1) / 2 - ((np.arange(rows * supersampling) + 0.5) / supersampling - 0.5)
    x, y = np.meshgrid(fine_x, fine_y)
    inside = (x - centre[0]) ** 2 + (y - centre[1]) ** 2 < radius ** 2
    return value * inside.reshape(rows, supersampling, cols, supersampling).mean(axis=(1, 3))


@pytest.fixture(scope='module')
def disk_case():
    shape, centre, radius, mu, pixel_size = (200, 220), (12.3, -7.6), 70.4, 0.02, 0.8
    geometry = ParallelBeam(shape, 90, pixel_size)
    image = disk(shape, centre, radius, mu)
    return geometry, image, centre, radius, mu


def test_geometry_covers_the_image_diagonal():
    geometry = ParallelBeam((512, 512), 360, 0.7)
    assert geometry.n_bins % 2 == 1 and geometry.n_bins >= np.hypot(512, 512)
    assert np.allclose(geometry.angles[[0, -1]], [0, np.pi * 359 / 360])


def test_forward_projection_matches_analytic_disk_line_integrals(disk_case):
    geometry, image, centre, radius, mu = disk_case
    sinogram = forward_project(image, geometry)
    t = np.arange(geometry.n_bins) - (geometry.n_bins - 1) / 2
    offsets = (np.arange(16) + 0.5) / 16 - 0.5   # each bin averages over its width
    for view, angle in enumerate(geometry.angles):
        distance = t[:, None] + offsets - (centre[0] * np.cos(angle) + centre[1] * np.sin(angle))
        chords = 2 * np.sqrt(np.clip(radius ** 2 - distance ** 2, 0, None))
        analytic = mu * geometry.pixel_size * chords.mean(axis=1)
        inside = np.abs(distance[:, 8]) < radius - 2
        assert np.abs(sinogram[view, inside] - analytic[inside]).max() < 0.01 * analytic.max()
        assert np.all(sinogram[view, np.abs(distance[:, 8]) > radius + 2] == 0)
    # every view sees the whole mass: sum of line integrals x bin width = integral of the image
    assert np.allclose(sinogram.sum(axis=1), image.sum() * geometry.pixel_size, rtol=1e-10)


def test_forward_projection_matches_skimage_radon():
    image = resize(shepp_logan_phantom(), (127, 127), anti_aliasing=True)
    geometry = ParallelBeam(image.shape, 60, 1.0)
    ours = forward_project(image, geometry)
    theirs = radon(image, theta=np.degrees(geometry.angles), circle=False).T
    margin = (geometry.n_bins - theirs.shape[1]) // 2
    ours = ours[:, margin:margin + theirs.shape[1]]
    assert np.abs(ours - theirs).max() < 0.02 * theirs.max()
    assert np.sqrt(np.mean((ours - theirs) ** 2)) < 0.002 * theirs.max()


def test_binned_projection_is_close_and_keeps_the_mass(disk_case):
    geometry, image, *_ = disk_case
    full = forward_project(image, geometry)
    binned = forward_project(image, geometry, binning=2)
    assert binned.shape == full.shape
    assert np.allclose(binned.sum(axis=1), full.sum(axis=1), rtol=1e-10)
    assert np.abs(binned - full).max() < 0.05 * full.max()
    with pytest.raises(ValueError, match='binning'):
        forward_project(image, geometry, binning=0)


@pytest.mark.parametrize('filter', sorted(FILTERS))
def test_fbp_reconstructs_the_disk(disk_case, filter):
    geometry, image, centre, radius, mu = disk_case
    geometry = ParallelBeam(geometry.shape, 360, geometry.pixel_size)
    reconstruction = fbp(forward_project(image, geometry), geometry, filter=filter)
    assert reconstruction.dtype == np.float32 and reconstruction.shape == image.shape
    interior = disk(image.shape, centre, radius - 6, 1.0) == 1
    outside = disk(image.shape, centre, radius + 6, 1.0) == 0
    assert abs(reconstruction[interior].mean() - mu) < 0.005 * mu
    assert np.abs(reconstruction[interior] - mu).max() < 0.05 * mu
    assert np.abs(reconstruction[outside]).mean() < 0.01 * mu


def test_back_projection_of_a_constant_view_is_flat():
    geometry = ParallelBeam((64, 64), 30, 1.0)
    image = back_project(np.ones((30, geometry.n_bins)), geometry)
    assert np.allclose(image, 30)


def test_bad_input_says_what_is_wrong():
    with pytest.raises(ValueError, match='n_views must be a positive integer'):
        ParallelBeam((64, 64), 0)
    with pytest.raises(ValueError, match='pixel_size must be a positive length'):
        ParallelBeam((64, 64), 10, -1.0)
    with pytest.raises(ValueError, match=r'shape must be \(rows, columns\)'):
        ParallelBeam((64,), 10)
    geometry = ParallelBeam((64, 64), 10, 1.0)
    with pytest.raises(ValueError, match=r'image has shape \(32, 32\)'):
        forward_project(np.zeros((32, 32)), geometry)
    with pytest.raises(ValueError, match='sinogram has shape'):
        back_project(np.zeros((9, geometry.n_bins)), geometry)
    with pytest.raises(ValueError, match="unknown filter 'sharp'"):
        fbp(np.zeros((10, geometry.n_bins)), geometry, filter='sharp')
