"""Sparse-view streaks: none at the full view count, more energy with fewer views."""
import numpy as np
import pytest

from d2iqa.simulation import SPARSE_VIEWS, SparseViewSimulator, simulate_sparse_view


def test_streak_energy_grows_as_views_decrease(abdomen):
    hu, _, pixel_size = abdomen
    simulator = SparseViewSimulator(hu, pixel_size=pixel_size)
    # streaks run across the whole field of view, not only the body
    energy = [np.mean((simulator.simulate(views) - hu) ** 2) for views in SPARSE_VIEWS]
    assert energy[0] == 0
    assert np.all(np.diff(energy) > 0), energy


def test_full_view_count_returns_the_input_and_shapes_are_kept():
    hu = np.full((70, 90), -1000, dtype=np.float32)
    hu[20:50, 30:60] = 300
    assert np.array_equal(simulate_sparse_view(hu, 360), hu)
    sparse = simulate_sparse_view(hu, 60, full_views=120)
    assert sparse.shape == hu.shape and sparse.dtype == np.float32
    assert not np.array_equal(sparse, hu)


@pytest.mark.parametrize('views, message', [
    (720, r'n_views \(720\) must not exceed full_views \(360\)'),
    (1, 'n_views must be an integer number of views >= 2, got 1'),
    (90.5, 'got 90.5'),
])
def test_bad_view_counts(views, message):
    with pytest.raises(ValueError, match=message):
        simulate_sparse_view(np.zeros((32, 32)), views)
