"""Score heads: scoring conv + sigmoid weighting conv, weighted patch average (MD-IQA eq. 2)."""
import torch
from torch import nn

from ..registry import MODELS
from .targets import decode_distributions, distribution_loss, encode_scores


def weighted_patch_average(values, weights):
    """``sum_ij w * f' / sum_ij w`` over the patches: ``(B, K, N, h, w)``, ``(B, K, h, w)``."""
    weights = weights.unsqueeze(2)
    return (values * weights).sum((-2, -1)) / weights.sum((-2, -1)).clamp(min=1e-6)


@MODELS.register_module()
class DistributionHead(nn.Module):
    """K Gaussian score distributions of N samples from a fused feature map.

    The scoring conv gives patch-wise distributions f' (linear outputs: the L2 term pulls them
    to the [0, 1] Gaussians, and the KL term uses their positive part), the weighting conv +
    sigmoid one weight w per patch and scale.

    Args:
        in_channels (int): channels of the fused map.
        num_samples (int): N (default 128).
        taus (tuple[float]): the K scales (default (0.02, 0.05, 0.1)).
        max_score (float): M (default 4, the LDCTIQAC2023 scale).
        beta (float): weight of the KL term (published: 0.1).
        decode (str): ``'argmax'`` (published) or ``'soft-argmax'``.
        sem_width (bool): widen each target by the label's standard error (``gt_sem``, e.g.
            of teacher labels; see :func:`encode_scores`). Off: every label is exact
            (published).
    """

    def __init__(self, in_channels, *, num_samples=128, taus=(0.02, 0.05, 0.1), max_score=4.0,
                 beta=0.1, decode='argmax', sem_width=False):
        super().__init__()
        self.num_samples, self.taus, self.max_score = num_samples, tuple(taus), float(max_score)
        self.beta, self.decode_method, self.sem_width = beta, decode, sem_width
        self.score_conv = nn.Conv2d(in_channels, len(self.taus) * num_samples, 1)
        self.weight_conv = nn.Conv2d(in_channels, len(self.taus), 1)

    def forward(self, x):
        batch, _, height, width = x.shape
        values = self.score_conv(x).reshape(
            batch, len(self.taus), self.num_samples, height, width)
        return weighted_patch_average(values, torch.sigmoid(self.weight_conv(x)))

    def loss(self, pred, scores, sems=None):
        """Per-sample L2 + beta * KL against the encoded scores, ``(B,)`` (``sems`` used
        with ``sem_width``)."""
        target = encode_scores(scores, num_samples=self.num_samples, taus=self.taus,
                               max_score=self.max_score,
                               sems=sems if self.sem_width else None).to(pred.device)
        return distribution_loss(pred, target, beta=self.beta)

    def consistency(self, pred, reference):
        """Per-sample squared L2 distance between two predictions (averaged over scales)."""
        return ((pred - reference) ** 2).sum(-1).mean(-1)

    def decode(self, pred, method=None):
        return decode_distributions(pred, max_score=self.max_score, taus=self.taus,
                                    method=method or self.decode_method)


@MODELS.register_module()
class RegressionHead(nn.Module):
    """Plain regression (the ablation baseline): one score per patch, same weighted average.

    Args:
        in_channels (int): channels of the fused map.
        max_score (float): M; predictions are clipped to [0, M] when decoded.
    """

    def __init__(self, in_channels, *, max_score=4.0):
        super().__init__()
        self.max_score = float(max_score)
        self.score_conv = nn.Conv2d(in_channels, 1, 1)
        self.weight_conv = nn.Conv2d(in_channels, 1, 1)

    def forward(self, x):
        values = self.score_conv(x).unsqueeze(2)
        return weighted_patch_average(values, torch.sigmoid(self.weight_conv(x)))

    def loss(self, pred, scores, sems=None):
        """Per-sample squared error, ``(B,)`` (``sems`` is not used)."""
        scores = torch.as_tensor(scores, dtype=pred.dtype, device=pred.device)
        return (pred[:, 0, 0] - scores) ** 2

    def consistency(self, pred, reference):
        return ((pred - reference) ** 2).sum(-1).mean(-1)

    def decode(self, pred, method=None):
        return pred[:, 0, 0].clamp(0, self.max_score)
