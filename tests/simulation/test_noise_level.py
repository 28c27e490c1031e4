"""The no-reference soft-tissue noise estimator."""
import numpy as np
import pytest

from d2iqa.simulation import NoSoftTissueError, noise_level


def test_measures_white_noise_and_ignores_edges():
    rng = np.random.default_rng(0)
    hu = np.full((256, 256), 40.0)
    hu[:, 128:] = 90.0                      # an edge between two soft tissues
    hu[100:150, 100:150] = 500.0            # bone, not soft tissue
    for sigma in (5.0, 20.0):
        noisy = hu + sigma * rng.standard_normal(hu.shape)
        assert noise_level(noisy, pixel_size=0.7) == pytest.approx(sigma, rel=0.08)


def test_scales_linearly_with_the_noise():
    rng = np.random.default_rng(1)
    noise = rng.standard_normal((200, 200))
    levels = [noise_level(50 + s * noise, pixel_size=1.0) for s in (4.0, 8.0)]
    assert levels[1] / levels[0] == pytest.approx(2, rel=0.02)


def test_no_soft_tissue():
    with pytest.raises(NoSoftTissueError, match='at least 500 are needed'):
        noise_level(np.full((64, 64), -1000.0))
