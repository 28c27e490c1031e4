"""Agreement between a quality score and a reference: PLCC, SROCC, KROCC, Overall, logistic fit;
robust outliers and paired differences for reports.

The correlations are scipy's (``pearsonr``, ``spearmanr``, ``kendalltau`` with its default
tau-b, which corrects for ties), after checking the input. ``overall`` is the figure of merit
of the LDCTIQAC2023 challenge, |PLCC| + |SROCC| + |KROCC|. The five-parameter logistic is the
VQEG mapping of the D2IQA paper (eq. 12), fitted from the objective score to the reference
before PLCC when asked.
"""
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

__all__ = ['LogisticFit', 'PairedDifference', 'fit_logistic', 'krocc', 'logistic5', 'overall',
           'paired_difference', 'plcc', 'robust_outliers', 'srocc']


def _pair(x, y):
    """Two finite 1-D float arrays of the same length >= 3, or a ValueError saying why not."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 1 or y.ndim != 1 or x.shape != y.shape:
        raise ValueError(f'x and y must be 1-D sequences of the same length, got shapes {x.shape} '
                         f'and {y.shape}')
    if x.size < 3:
        raise ValueError(f'a correlation needs at least 3 pairs, got {x.size}')
    for name, values in (('x', x), ('y', y)):
        bad = ~np.isfinite(values)
        if bad.any():
            raise ValueError(f'{name} holds {int(bad.sum())} NaN or infinite values; drop those '
                             'pairs before correlating')
    return x, y


def _constant_safe(function, x, y):
    """scipy's statistic, or NaN without a warning when x or y is constant (undefined)."""
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return float('nan')
    return float(function(x, y).statistic)


def plcc(x, y, *, logistic=False):
    """Pearson linear correlation, optionally after the five-parameter logistic fit.

    Parameters
    ----------
    x : array_like
        Objective scores (e.g. a metric per image).
    y : array_like
        Reference values (e.g. mean opinion scores, or dose levels).
    logistic : bool
        First map ``x`` by the logistic :func:`fit_logistic` fitted from ``x`` to ``y``, as in
        VQEG practice and the D2IQA paper, then correlate the mapped scores with ``y``.

    Returns
    -------
    float
        ``scipy.stats.pearsonr`` statistic; NaN when ``x`` or ``y`` is constant.

    Raises
    ------
    ValueError
        For sequences of different lengths, fewer than 3 pairs (6 with ``logistic``: five
        parameters are fitted), or NaN / infinite values.
    RuntimeError
        When the logistic fit does not converge.
    """
    x, y = _pair(x, y)
    if logistic:
        x = fit_logistic(x, y).predict(x)
    return _constant_safe(stats.pearsonr, x, y)


def srocc(x, y):
    """Spearman rank-order correlation (``scipy.stats.spearmanr``; ties get mean ranks).

    Returns NaN when ``x`` or ``y`` is constant; raises ValueError as :func:`plcc` does.
    """
    return _constant_safe(stats.spearmanr, *_pair(x, y))


def krocc(x, y):
    """Kendall rank-order correlation, tau-b (``scipy.stats.kendalltau``'s default).

    Returns NaN when ``x`` or ``y`` is constant; raises ValueError as :func:`plcc` does.
    """
    return _constant_safe(stats.kendalltau, *_pair(x, y))


def overall(x, y, *, logistic=False):
    """|PLCC| + |SROCC| + |KROCC|, the LDCTIQAC2023 figure of merit (at most 3).

    ``logistic`` applies to the PLCC term (the challenge used the plain PLCC, the default).
    """
    return abs(plcc(x, y, logistic=logistic)) + abs(srocc(x, y)) + abs(krocc(x, y))


def logistic5(x, b1, b2, b3, b4, b5):
    """VQEG five-parameter logistic: ``b1 * (1/2 - 1/(1 + exp(b2 (x - b3)))) + b4 x + b5``."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(over='ignore'):
        return b1 * (0.5 - 1.0 / (1.0 + np.exp(b2 * (x - b3)))) + b4 * x + b5


@dataclass(frozen=True)
class LogisticFit:
    """A fitted :func:`logistic5` mapping.

    Attributes
    ----------
    params : tuple of float
        (b1, b2, b3, b4, b5), with b2 >= 0 (the pair (b1, b2) and (-b1, -b2) give the same
        curve, so the sign is fixed).
    """

    params: tuple

    def predict(self, x):
        """The mapped scores ``logistic5(x, *params)``."""
        return logistic5(x, *self.params)


def fit_logistic(x, y, *, maxfev=20000):
    """Fit the five-parameter logistic from scores ``x`` to reference values ``y``.

    Parameters
    ----------
    x, y : array_like
        At least 6 finite pairs.
    maxfev : int
        Most function evaluations of ``scipy.optimize.curve_fit``.

    Returns
    -------
    LogisticFit

    Raises
    ------
    ValueError
        For fewer than 6 pairs, NaN / infinite values or constant ``x``.
    RuntimeError
        When the least-squares fit does not converge.
    """
    x, y = _pair(x, y)
    if x.size < 6:
        raise ValueError(f'the five-parameter logistic needs at least 6 pairs, got {x.size}')
    if np.ptp(x) == 0:
        raise ValueError('x is constant: a logistic cannot be fitted to it')
    sign = 1.0 if stats.pearsonr(x, y).statistic >= 0 or np.ptp(y) == 0 else -1.0
    start = (sign * np.ptp(y), 4.0 / np.ptp(x), float(np.median(x)), 0.0, float(np.mean(y)))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', optimize.OptimizeWarning)
        try:
            params, _ = optimize.curve_fit(logistic5, x, y, p0=start, maxfev=maxfev)
        except RuntimeError as exc:
            raise RuntimeError(f'the logistic fit did not converge ({exc}); '
                               'use plcc(..., logistic=False)') from None
    b1, b2, b3, b4, b5 = (float(p) for p in params)
    if b2 < 0:
        b1, b2 = -b1, -b2
    return LogisticFit((b1, b2, b3, b4, b5))


def robust_outliers(values, *, threshold=3.0):
    """Which values lie more than ``threshold`` scaled MADs from the median of all of them.

    The scaled MAD is 1.4826 x the median absolute deviation (scipy's
    ``median_abs_deviation(scale='normal')``), the standard deviation's robust stand-in for
    normal data. A group whose MAD is 0 flags nothing.

    Parameters
    ----------
    values : array_like
        1-D, finite (e.g. the median score of each series).
    threshold : float
        In scaled MADs (3 is the usual choice).

    Returns
    -------
    outlier : numpy.ndarray of bool
    distance : numpy.ndarray of float
        ``(value - median) / scaled MAD`` (NaN where the MAD is 0).
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or not np.isfinite(values).all():
        raise ValueError('values must be a 1-D sequence of finite numbers')
    if values.size == 0:
        return np.zeros(0, bool), np.zeros(0)
    spread = stats.median_abs_deviation(values, scale='normal')
    if spread == 0:
        return np.zeros(values.size, bool), np.full(values.size, np.nan)
    distance = (values - np.median(values)) / spread
    return np.abs(distance) > threshold, distance


@dataclass(frozen=True)
class PairedDifference:
    """The mean of paired differences ``b - a`` with its t confidence interval."""

    n: int
    mean: float
    sd: float
    low: float
    high: float
    confidence: float

    def __str__(self):
        return (f'mean difference {self.mean:+.4f} ({self.confidence:.0%} CI {self.low:+.4f} to '
                f'{self.high:+.4f}, n = {self.n})')


def paired_difference(a, b, *, confidence=0.95):
    """Mean of ``b - a`` over pairs, with Student's t confidence interval.

    Parameters
    ----------
    a, b : array_like
        Scores of the same slices under two conditions (e.g. two reconstructions).
    confidence : float
        Of the interval (0.95: the 95 % interval).

    Returns
    -------
    PairedDifference
        ``low`` and ``high`` are NaN for fewer than 2 pairs.
    """
    a, b = (np.asarray(v, dtype=np.float64) for v in (a, b))
    if a.ndim != 1 or a.shape != b.shape or not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise ValueError('a and b must be 1-D sequences of finite numbers of the same length')
    if not 0 < confidence < 1:
        raise ValueError(f'confidence must be in (0, 1), got {confidence}')
    difference = b - a
    n = difference.size
    if n == 0:
        raise ValueError('no pairs to compare')
    mean = float(difference.mean())
    if n < 2:
        return PairedDifference(n, mean, float('nan'), float('nan'), float('nan'), confidence)
    sd = float(difference.std(ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * sd / np.sqrt(n)
    return PairedDifference(n, mean, sd, mean - half, mean + half, confidence)
