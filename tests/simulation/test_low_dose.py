"""Low-dose noise insertion: physics on a water cylinder, calibration, errors."""
import numpy as np
import pytest

from d2iqa.simulation import (AUTO_QUARTER_DOSE_RATIO, LowDoseSimulator, noise_level,
                              simulate_low_dose)


@pytest.fixture(scope='module')
def cylinder_simulator(cylinder):
    hu, _, pixel_size = cylinder
    return LowDoseSimulator(hu, incident_photons=1e5, n_views=180, pixel_size=pixel_size)


def added_variance(simulator, hu, central, fraction, seeds):
    return np.mean([np.var((simulator.simulate(fraction, seed=seed) - hu)[central])
                    for seed in seeds])


def test_added_variance_is_proportional_to_inverse_dose_minus_one(cylinder, cylinder_simulator):
    hu, central, _ = cylinder
    fractions = (0.5, 0.25, 0.1, 0.05)
    # fresh noise for every dose (different seeds): the proportionality is physics, not scaling
    per_unit = np.array([added_variance(cylinder_simulator, hu, central, f,
                                        seeds=range(10 * i, 10 * i + 6)) / (1 / f - 1)
                         for i, f in enumerate(fractions)])
    assert np.abs(per_unit / per_unit.mean() - 1).max() < 0.05


def test_variance_is_inversely_proportional_to_photons(cylinder):
    hu, central, pixel_size = cylinder
    variances = [np.var((simulate_low_dose(hu, 0.25, incident_photons=n0, n_views=180,
                                           pixel_size=pixel_size, seed=1) - hu)[central])
                 for n0 in (1e5, 4e5)]
    assert variances[0] / variances[1] == pytest.approx(4, rel=0.05)


def test_gaussian_model_matches_poisson_and_electronic_noise_adds(cylinder):
    hu, central, pixel_size = cylinder
    variance = {}
    for noise, sigma_e in (('poisson', 0), ('gaussian', 0), ('poisson', 10)):
        simulator = LowDoseSimulator(hu, incident_photons=1e5, n_views=180, noise=noise,
                                     electronic_noise=sigma_e, pixel_size=pixel_size)
        variance[noise, sigma_e] = added_variance(simulator, hu, central, 0.1, range(4))
    assert variance['gaussian', 0] == pytest.approx(variance['poisson', 0], rel=0.05)
    assert variance['poisson', 10] > 1.05 * variance['poisson', 0]


def test_full_dose_adds_nothing_and_mean_hu_is_kept(cylinder, cylinder_simulator):
    hu, central, _ = cylinder
    assert np.array_equal(cylinder_simulator.simulate(1.0, seed=0), hu)
    noise = np.stack([cylinder_simulator.simulate(0.05, seed=s) - hu for s in range(4)])
    inside = noise[:, central]
    assert abs(inside.mean()) < 0.05 * inside.std()
    background = noise[:, hu == -1000]
    assert abs(background.mean()) < 0.05 * inside.std()


def test_seed_reproduces_shape_and_dtype():
    hu = np.full((96, 80), -1000, dtype=np.float32)
    hu[20:76, 15:65] = 40
    first = simulate_low_dose(hu, 0.25, seed=7, incident_photons=1e4)
    assert first.shape == hu.shape and first.dtype == np.float32
    assert np.array_equal(first, simulate_low_dose(hu, 0.25, seed=7, incident_photons=1e4))
    generator = np.random.default_rng(7)
    assert np.array_equal(first, simulate_low_dose(hu, 0.25, seed=generator,
                                                   incident_photons=1e4))
    assert not np.array_equal(first, simulate_low_dose(hu, 0.25, seed=8, incident_photons=1e4))


def test_auto_calibration_gives_the_documented_quarter_dose_ratio(scanned_abdomen):
    scan, _, pixel_size = scanned_abdomen
    simulator = LowDoseSimulator(scan, pixel_size=pixel_size)
    assert simulator.input_noise == pytest.approx(noise_level(scan, pixel_size=pixel_size))
    quarter = simulator.simulate(0.25, seed=5)
    ratio = noise_level(quarter, pixel_size=pixel_size) / simulator.input_noise
    assert ratio == pytest.approx(AUTO_QUARTER_DOSE_RATIO, abs=0.1)
    # the scan carries the noise of 4e4 photons: the calibrated N0 is of that order (lower,
    # since 2.2 is above the ideal 2.0 of pure photon noise)
    assert 1e4 < simulator.incident_photons < 4e4


def test_auto_calibration_needs_noise(cylinder):
    hu, _, pixel_size = cylinder
    with pytest.raises(ValueError, match=r'its soft tissue has no noise .* pass incident_photons='):
        simulate_low_dose(hu, 0.25, pixel_size=pixel_size)


@pytest.mark.parametrize('fraction, message', [
    (0, r'dose_fraction must be in \(0, 1\].*got 0'),
    (-0.5, r'got -0.5'),
    (25, r'got 25; percentages such as 25 must be divided by 100'),
    (float('nan'), r'got nan'),
    ('half', r"got 'half'"),
])
def test_bad_dose_fraction(fraction, message):
    with pytest.raises(ValueError, match=message):
        simulate_low_dose(np.zeros((32, 32)), fraction, incident_photons=1e5)


def test_bad_images_and_options():
    with pytest.raises(ValueError, match=r'hu: holds a 3-D array of shape \(2, 32, 32\)'):
        simulate_low_dose(np.zeros((2, 32, 32)), 0.5, incident_photons=1e5)
    image = np.zeros((32, 32))
    image[3, 4] = np.nan
    with pytest.raises(ValueError, match='hu: contains 1 NaN or infinite values'):
        simulate_low_dose(image, 0.5, incident_photons=1e5)
    with pytest.raises(ValueError, match=r'incident_photons must be a positive number'):
        simulate_low_dose(np.zeros((32, 32)), 0.5, incident_photons=-3)
    with pytest.raises(ValueError, match="noise must be one of"):
        simulate_low_dose(np.zeros((32, 32)), 0.5, incident_photons=1e5, noise='uniform')
    with pytest.raises(ValueError, match="unknown filter 'soft'"):
        simulate_low_dose(np.zeros((32, 32)), 0.5, incident_photons=1e5, filter='soft')
    with pytest.raises(ValueError, match=r'electronic_noise must be a positive number .*got -1'):
        simulate_low_dose(np.zeros((32, 32)), 0.5, incident_photons=1e5, electronic_noise=-1)
    with pytest.raises(ValueError, match='pixel_size must be a positive number'):
        simulate_low_dose(np.zeros((32, 32)), 0.5, incident_photons=1e5, pixel_size=0)
