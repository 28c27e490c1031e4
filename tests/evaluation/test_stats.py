"""Statistics against scipy, the logistic fit against known parameters."""
import numpy as np
import pytest
from scipy import stats

from d2iqa.evaluation import fit_logistic, krocc, logistic5, overall, plcc, srocc


@pytest.fixture(params=[0, 1, 2])
def paired(request):
    """Random pairs with many ties (values rounded to a few levels)."""
    rng = np.random.default_rng(request.param)
    x = rng.normal(size=60)
    y = np.round(x + rng.normal(scale=0.8, size=60), 0)
    return np.round(x, 1), y


def test_correlations_equal_scipy_with_ties(paired):
    x, y = paired
    assert len(np.unique(y)) < 15
    assert plcc(x, y) == pytest.approx(stats.pearsonr(x, y).statistic, abs=1e-14)
    assert srocc(x, y) == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-14)
    assert krocc(x, y) == pytest.approx(stats.kendalltau(x, y).statistic, abs=1e-14)
    assert krocc(x, y) == pytest.approx(stats.kendalltau(x, y, variant='b').statistic, abs=1e-14)
    assert overall(x, y) == pytest.approx(abs(plcc(x, y)) + abs(srocc(x, y)) + abs(krocc(x, y)))


def test_overall_uses_absolute_values():
    x = np.arange(10.0)
    assert overall(x, -x ** 3) == pytest.approx(abs(plcc(x, -x ** 3)) + 2)


def test_constant_input_gives_nan_without_warning():
    with np.testing.assert_no_warnings():
        assert np.isnan(srocc([1, 1, 1, 1], [1, 2, 3, 4]))
        assert np.isnan(plcc([1, 2, 3, 4], [5, 5, 5, 5]))


@pytest.mark.parametrize('x, y, message', [
    ([1, 2, 3], [1, 2], 'same length'),
    ([1, 2], [1, 2], 'at least 3 pairs, got 2'),
    ([1, np.nan, 3], [1, 2, 3], 'x holds 1 NaN or infinite'),
    ([[1, 2], [3, 4]], [1, 2], '1-D sequences'),
])
def test_bad_input(x, y, message):
    with pytest.raises(ValueError, match=message):
        krocc(x, y)


@pytest.mark.parametrize('params', [(3.0, 1.5, 5.0, 0.1, 2.0), (-40.0, 0.8, 4.0, 0.0, 50.0)])
def test_logistic_fit_recovers_known_parameters(params):
    rng = np.random.default_rng(3)
    x = np.sort(rng.uniform(0, 10, 200))
    y = logistic5(x, *params) + rng.normal(scale=1e-3 * abs(params[0]), size=x.size)
    fit = fit_logistic(x, y)
    assert np.allclose(fit.params, params, rtol=0.02, atol=0.01 * abs(params[0]))
    assert np.allclose(fit.predict(x), logistic5(x, *params), atol=0.01 * abs(params[0]))


def test_logistic_sign_is_canonical():
    x = np.linspace(-5, 5, 50)
    fit = fit_logistic(x, logistic5(x, -2.0, -1.0, 0.5, 0.0, 1.0))
    assert fit.params[1] > 0
    assert fit.params[0] == pytest.approx(2.0, rel=1e-3)


def test_plcc_after_the_logistic():
    x = np.linspace(0, 10, 40)
    y = logistic5(x, 10.0, 2.0, 5.0, 0.0, 0.0)
    assert plcc(x, y, logistic=True) == pytest.approx(1.0, abs=1e-6)
    assert plcc(x, y) < 0.95
    with pytest.raises(ValueError, match='at least 6 pairs'):
        plcc(x[:5], y[:5], logistic=True)
    with pytest.raises(ValueError, match='x is constant'):
        fit_logistic(np.ones(10), np.arange(10.0))


def test_paired_difference_equals_scipys_t_interval():
    from d2iqa.evaluation import paired_difference
    rng = np.random.default_rng(4)
    a = rng.uniform(0.2, 0.6, size=40)
    b = a + rng.normal(0.02, 0.03, size=40)
    result = paired_difference(a, b)
    truth = stats.ttest_rel(b, a).confidence_interval(0.95)
    assert result.mean == pytest.approx(np.mean(b - a))
    assert (result.low, result.high) == pytest.approx((truth.low, truth.high))
    assert result.n == 40 and result.sd == pytest.approx(np.std(b - a, ddof=1))
    single = paired_difference([0.3], [0.5])
    assert single.mean == pytest.approx(0.2) and np.isnan(single.low)
    with pytest.raises(ValueError, match='same length'):
        paired_difference([1, 2], [1])


def test_robust_outliers_use_the_normal_scaled_mad():
    from d2iqa.evaluation import robust_outliers
    values = np.array([0.50, 0.52, 0.48, 0.51, 0.49, 0.50, 0.20, 0.53])
    flagged, distance = robust_outliers(values)
    spread = 1.4826 * np.median(np.abs(values - np.median(values)))
    assert distance == pytest.approx((values - np.median(values)) / spread, rel=1e-4)
    assert flagged.tolist() == [False] * 6 + [True, False]
    assert not robust_outliers(np.full(5, 0.4))[0].any()     # no spread: nothing flagged
