"""Semi-supervised weights: the lambda3 ramp of the consistency loss (pure function)."""
import math

__all__ = ['sigmoid_rampup']


def sigmoid_rampup(iteration, *, length, max_value=1.0):
    """``max_value * exp(-5 (1 - t / length)^2)`` for ``t < length``, then ``max_value``.

    The "sigmoid-shaped" ramp of Laine & Aila (2017). With ``length = 1250`` (our default)
    it passes 0.1 (= lambda2) at iteration 402 and reaches ``max_value`` = 1 at 1250.
    """
    if length <= 0:
        return float(max_value)
    t = min(max(float(iteration), 0.0), float(length)) / length
    return float(max_value * math.exp(-5.0 * (1.0 - t) ** 2))
