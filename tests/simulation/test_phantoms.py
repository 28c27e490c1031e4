"""Digital phantoms: values, geometry, seeding."""
import numpy as np
import pytest

from d2iqa.simulation import abdomen_phantom, water_cylinder


def test_water_cylinder():
    hu = water_cylinder(128, diameter_mm=100, pixel_size=1.0)
    assert hu.shape == (128, 128) and hu.dtype == np.float32
    assert hu[64, 64] == 0 and hu[0, 0] == -1000
    water_area = (hu + 1000).sum() / 1000          # partial-volume pixels count in fractions
    assert water_area == pytest.approx(np.pi * 50 ** 2, rel=0.005)


def test_abdomen_tissues_and_masks(abdomen):
    hu, masks, _ = abdomen
    assert hu.dtype == np.float32 and hu.shape == (256, 256)
    assert hu[0, 0] == -1000
    assert abs(np.median(hu[masks['fat']]) + 100) < 5
    assert abs(np.median(hu[masks['liver']]) - 60) < 5
    assert np.median(hu[masks['spine']]) > 200
    assert np.median(hu[masks['vessels']]) > 140
    assert np.median(hu[masks['gas']]) < -600
    for organ in ('liver', 'spleen', 'kidneys', 'spine', 'vessels', 'gas'):
        assert masks[organ].any() and not (masks[organ] & ~masks['body']).any(), organ
    texture = hu[masks['liver']].std()
    assert 3 < texture < 15


def test_abdomen_is_seeded():
    first = abdomen_phantom(64, pixel_size=5.6)
    assert np.array_equal(first, abdomen_phantom(64, pixel_size=5.6))
    assert not np.array_equal(first, abdomen_phantom(64, pixel_size=5.6, seed=1))


def test_phantom_errors():
    with pytest.raises(ValueError, match='size must be an integer number of pixels >= 16'):
        water_cylinder(8)
    with pytest.raises(ValueError, match='pixel_size must be a positive number'):
        abdomen_phantom(64, pixel_size=-1)
