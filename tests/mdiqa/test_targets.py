"""Gaussian targets: encode -> decode loses at most M / N; the loss; the lambda3 ramp."""
import math

import numpy as np
import pytest
import torch

from scipy import stats
from scipy.special import xlogy

from mdiqa.models import (decode_distributions, distribution_loss, encode_scores, order_loss,
                          sigmoid_rampup)

SCORES = torch.linspace(0, 4, 401)


@pytest.mark.parametrize('method', ['argmax', 'soft-argmax'])
@pytest.mark.parametrize('num_samples, taus', [(128, (0.02, 0.05, 0.1)), (50, (0.03, 0.08))])
def test_round_trip_loses_at_most_m_over_n(method, num_samples, taus):
    target = encode_scores(SCORES, num_samples=num_samples, taus=taus, max_score=4.0)
    assert target.shape == (len(SCORES), len(taus), num_samples)
    decoded = decode_distributions(target, max_score=4.0, taus=taus, method=method)
    assert (decoded - SCORES).abs().max() <= 4.0 / num_samples + 1e-6


def test_soft_argmax_resolves_between_samples():
    scores = torch.tensor([1.01, 2.37, 3.013])
    target = encode_scores(scores)
    soft = decode_distributions(target, method='soft-argmax')
    hard = decode_distributions(target, method='argmax')
    assert (soft - scores).abs().max() < (hard - scores).abs().max()
    assert (soft - scores).abs().max() < 0.2 * 4 / 128


def test_target_matches_the_published_formula():
    n, tau, s, m = 128, 0.05, 2.8, 4.0
    j = np.arange(n)
    expected = np.exp(-(j - s / m * n) ** 2 / (2 * (n * tau) ** 2))
    got = encode_scores([s], num_samples=n, taus=(tau,), max_score=m)[0, 0].numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)


def test_loss_is_zero_at_the_target_and_positive_elsewhere():
    target = encode_scores(torch.tensor([1.0, 3.0]))
    assert distribution_loss(target, target).abs().max() < 1e-5
    assert (distribution_loss(target.flip(0), target) > 0.1).all()


def test_scores_outside_the_range_are_refused():
    with pytest.raises(ValueError, match=r'in \[0, 4.0\]'):
        encode_scores([4.5])


def test_lambda3_ramp_passes_lambda2_after_400_iterations_and_approaches_1():
    assert sigmoid_rampup(0, length=1250) == pytest.approx(math.exp(-5))
    assert sigmoid_rampup(400, length=1250) < 0.1 < sigmoid_rampup(402, length=1250)
    assert sigmoid_rampup(1250, length=1250) == 1.0 == sigmoid_rampup(5000, length=1250)
    values = [sigmoid_rampup(t, length=1250) for t in range(0, 1300, 50)]
    assert np.all(np.diff(values) >= 0)


def test_order_loss_is_the_kl_of_pair_probabilities_within_slices():
    scores = torch.tensor([0.50, 0.30, 0.10, 0.40, 0.35])
    sems = torch.tensor([0.02, 0.02, 0.03, 0.02, float('nan')])
    groups = ['a', 'a', 'a', 'b', 'b']        # b's pair has no standard error: left out
    pred = torch.tensor([0.45, 0.47, 0.12, 0.0, 1.0], requires_grad=True)
    loss = order_loss(pred, scores, sems, groups)
    expected = []
    for i, j in ((0, 1), (0, 2), (1, 2)):
        sigma = np.hypot(sems[i].item(), sems[j].item())
        t = stats.norm.cdf((scores[i] - scores[j]).item() / sigma)
        x = (pred[i] - pred[j]).item() / sigma
        expected.append(xlogy(t, t) - t * stats.norm.logcdf(x) + xlogy(1 - t, 1 - t)
                        - (1 - t) * stats.norm.logcdf(-x))
    assert loss.item() == pytest.approx(np.mean(expected), rel=1e-4)
    loss.backward()
    assert pred.grad[0] < 0 < pred.grad[1]       # the swapped pair is pushed apart
    assert pred.grad[3] == pred.grad[4] == 0
    exact = scores.clone().requires_grad_()
    assert order_loss(exact, scores, sems, groups).item() == pytest.approx(0, abs=1e-6)
    alone = order_loss(pred, scores, sems, ['a', 'b', 'c', 'd', ''])
    assert alone.item() == 0 and alone.requires_grad
