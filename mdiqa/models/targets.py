"""Multi-scale Gaussian score distributions: encoding, decoding and their losses (pure torch).

Published (MD-IQA, eq. 1): for score s in [0, M], N samples and scale tau, the target is
``Y[j] = exp(-(j - u)^2 / (2 sigma^2))``, ``j = 0 .. N-1``, ``u = s / M * N``,
``sigma = N * tau``; a prediction decodes as ``argmax(Y) / N * M``, averaged over the K scales.
Our documented defaults: N = 128, taus (0.02, 0.05, 0.1), M = 4. Decoding loses at most M / N
(the argmax is the nearest sample, and s = M lies half a step beyond the last one).
"""
import torch

__all__ = ['decode_distributions', 'distribution_loss', 'encode_scores', 'order_loss']


def _check(scores, max_score):
    scores = torch.as_tensor(scores, dtype=torch.float32)
    if not torch.isfinite(scores).all() or (scores < 0).any() or (scores > max_score).any():
        raise ValueError(f'scores must be finite and in [0, {max_score}] (the max_score of the '
                         f'config), got {scores.min().item():.4g}..{scores.max().item():.4g}')
    return scores


def encode_scores(scores, *, num_samples=128, taus=(0.02, 0.05, 0.1), max_score=4.0,
                  sems=None):
    """Scores ``(B,)`` -> target distributions ``(B, K, N)`` with peak value 1.

    ``sems`` ``(B,)``, optional: the labels' standard errors in score units. Each scale is
    widened by it in quadrature, ``sigma_k = N sqrt(tau_k^2 + (sem / M)^2)``: an uncertain
    label asks for a wider distribution around the same centre. NaN counts as 0.
    """
    scores = _check(scores, max_score)
    j = torch.arange(num_samples, dtype=torch.float32, device=scores.device)
    centre = (scores / max_score * num_samples)[:, None, None]
    tau = torch.as_tensor(taus, dtype=torch.float32, device=scores.device)[None, :, None]
    if sems is not None:
        sems = torch.nan_to_num(torch.as_tensor(sems, dtype=torch.float32,
                                                device=scores.device), nan=0.0)
        if (sems < 0).any():
            raise ValueError('standard errors of labels must not be negative')
        tau = torch.sqrt(tau ** 2 + (sems / max_score)[:, None, None] ** 2)
    sigma = tau * num_samples
    return torch.exp(-(j - centre) ** 2 / (2 * sigma ** 2))


def decode_distributions(distributions, *, max_score=4.0, taus=(0.02, 0.05, 0.1),
                         method='argmax'):
    """Distributions ``(B, K, N)`` -> scores ``(B,)`` (mean over the K scales).

    Parameters
    ----------
    method : {'argmax', 'soft-argmax'}
        ``'argmax'`` as published. ``'soft-argmax'``: the mean position of the (non-negative)
        distribution in a window around its argmax, half-width ``2 sigma`` of the scale, cut
        symmetrically at the ends; it gives sub-sample resolution and equals the argmax for
        a symmetric peak.
    """
    if method not in ('argmax', 'soft-argmax'):
        raise ValueError(f"method must be 'argmax' or 'soft-argmax', got {method!r}")
    num_samples = distributions.shape[-1]
    peak = distributions.argmax(dim=-1)
    if method == 'argmax':
        position = peak.float()
    else:
        j = torch.arange(num_samples, device=distributions.device)
        sigma = torch.as_tensor(taus, device=distributions.device)[None, :] * num_samples
        half = torch.minimum(torch.ceil(2 * sigma).long().expand_as(peak),
                             torch.minimum(peak, num_samples - 1 - peak))
        inside = (j - peak[..., None]).abs() <= half[..., None]
        weight = distributions.clamp(min=0) * inside
        position = (weight * j).sum(-1) / weight.sum(-1).clamp(min=1e-12)
        position = torch.where(weight.sum(-1) > 0, position, peak.float())
    return (position / num_samples * max_score).mean(dim=-1)


def distribution_loss(pred, target, *, beta=0.1, eps=1e-8):
    """Per-sample L2 + beta * KL between predicted and target distributions ``(B, K, N)``.

    L2 is the squared Euclidean distance summed over the N samples; KL is ``KL(target || pred)``
    of the two vectors normalised to sum 1 (the prediction's positive part). Both are averaged
    over the K scales.

    Returns
    -------
    torch.Tensor
        ``(B,)`` losses.
    """
    l2 = ((pred - target) ** 2).sum(-1)
    p = target / target.sum(-1, keepdim=True).clamp(min=eps)
    positive = pred.clamp(min=0)
    q = positive / positive.sum(-1, keepdim=True).clamp(min=eps)
    kl = (p * (torch.log(p + eps) - torch.log(q + eps))).sum(-1)
    return (l2 + beta * kl).mean(-1)


def order_loss(pred_scores, scores, sems, groups, *, min_sigma=1e-3):
    """Within-slice order term: mean over pairs of versions of one slice of
    ``KL(Phi(ds / sigma) || Phi(dp / sigma))``.

    For a pair, ``ds`` is the difference of the labels, ``dp`` that of the predicted scores
    and ``sigma = sqrt(sem_i^2 + sem_j^2)`` (at least ``min_sigma``): ``Phi(ds / sigma)`` is the
    probability that the first version is the better one given the labels' noise, and the
    term is zero when the predicted differences equal the labels'. Pairs whose labels are
    certain weigh more; pairs of different slices, of versions without a slice (``''``) or
    without a standard error (NaN) are left out.

    Parameters
    ----------
    pred_scores, scores, sems : torch.Tensor
        ``(B,)``: decoded predictions (differentiable), labels and their standard errors.
    groups : sequence of str
        The source slice of each sample.

    Returns
    -------
    torch.Tensor
        A scalar (zero, still part of the graph, when the batch has no pair).
    """
    keys = {key: k for k, key in enumerate(dict.fromkeys(groups))}
    ids = torch.tensor([keys[g] for g in groups], device=pred_scores.device)
    usable = torch.tensor([g != '' for g in groups], device=pred_scores.device) & sems.isfinite()
    first, second = torch.triu_indices(len(groups), len(groups), offset=1,
                                       device=pred_scores.device)
    keep = (ids[first] == ids[second]) & usable[first] & usable[second]
    if not keep.any():
        return pred_scores.sum() * 0.0
    first, second = first[keep], second[keep]
    sigma = torch.hypot(sems[first], sems[second]).clamp(min=min_sigma)
    target = torch.special.ndtr((scores[first] - scores[second]) / sigma)
    logit = (pred_scores[first] - pred_scores[second]) / sigma
    kl = (torch.xlogy(target, target) - target * torch.special.log_ndtr(logit)
          + torch.xlogy(1 - target, 1 - target) - (1 - target) * torch.special.log_ndtr(-logit))
    return kl.mean()
