"""Resampling a slice to another pixel spacing: geometry in millimetres, noise, errors."""
import numpy as np
import pytest

from d2iqa import CTReadError, CTSlice
from d2iqa.io import resample_slice


def disk_slice(spacing, *, radius_mm=40.0, size=256):
    centre = (size - 1) / 2
    rows, cols = (np.mgrid[:size, :size] - centre) * spacing
    hu = np.where(np.hypot(rows, cols) <= radius_mm, 100.0, -1000.0).astype(np.float32)
    return CTSlice(hu=hu, source='disk', pixel_spacing=(spacing, spacing))


@pytest.mark.parametrize('target', [0.6, 1.0])
def test_the_anatomy_keeps_its_size_in_millimetres(target):
    ct = disk_slice(0.8)
    out = resample_slice(ct, target)
    assert out.hu.shape == (round(256 * 0.8 / target),) * 2
    assert out.pixel_spacing == pytest.approx((target, target), rel=0.01)
    area = (out.hu > -450).sum() * target ** 2            # the disk's area in mm^2
    assert area == pytest.approx(np.pi * 40 ** 2, rel=0.02)
    assert out.source == 'disk' and out.hu.dtype == np.float32


def test_coarser_pixels_average_the_noise():
    rng = np.random.default_rng(0)
    ct = CTSlice(hu=rng.normal(40, 20, (256, 256)).astype(np.float32), source='noise',
                 pixel_spacing=(0.5, 0.5))
    coarse = resample_slice(ct, 1.0)     # about 4 fine pixels per coarse one: sigma / 2
    assert 0.35 < coarse.hu.std() / ct.hu.std() < 0.7
    assert resample_slice(ct, 0.5) is ct


def test_a_slice_without_spacing_is_refused_with_its_name():
    with pytest.raises(CTReadError, match='scan.npy: has no pixel spacing'):
        resample_slice(CTSlice(hu=np.zeros((8, 8), np.float32), source='scan.npy'), 0.7)
    with pytest.raises(ValueError, match='size in mm'):
        resample_slice(disk_slice(0.8), 0)
