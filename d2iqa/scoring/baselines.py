"""Baseline scorers for dose studies: PSNR and SSIM (full reference), soft-tissue noise.

Registered as ``psnr``, ``ssim`` and ``noise`` in the ``ct_nriqa.scorers`` entry points, so
``create_scorer('noise')`` and ``d2iqa evaluate-dose --scorers noise`` find them.
"""
import math

import numpy as np

from ..evaluation.baselines import DEFAULT_WINDOW, windowed_psnr, windowed_ssim
from ..io import as_hu_slice, get_window
from ..simulation import NoSoftTissueError, noise_level
from .base import ScoreResult, Scorer

__all__ = ['NoiseLevelScorer', 'PSNRScorer', 'SSIMScorer']


def _slices(images, values):
    return [as_hu_slice(image, values=values, source=f'images[{i}]')
            for i, image in enumerate(images)]


class _WindowedReferenceScorer(Scorer):
    """Full-reference scorer on windowed images; subclasses set ``name`` and ``_metric``."""

    needs_reference = True

    def __init__(self, *, window=DEFAULT_WINDOW):
        self.window = get_window(window)

    def __repr__(self):
        return f'{type(self).__name__}(window={tuple(self.window)})'

    def score_series(self, images, *, reference=None, values=None):
        if reference is None:
            raise ValueError(f'{self.name} compares each image with the full-dose slice: pass '
                             'reference=')
        reference_hu = as_hu_slice(reference, values=values, source='reference').hu
        return [ScoreResult(score=self._metric(reference_hu, ct.hu, preset=self.window),
                            score_range=self.score_range, higher_is_better=True,
                            source=ct.source)
                for ct in _slices(images, values)]


class PSNRScorer(_WindowedReferenceScorer):
    """Peak signal-to-noise ratio (dB) against the full-dose slice, on windowed images
    (:func:`~d2iqa.evaluation.baselines.windowed_psnr`); ``inf`` for the reference itself."""

    name = 'psnr'
    score_range = (0.0, math.inf)
    _metric = staticmethod(windowed_psnr)


class SSIMScorer(_WindowedReferenceScorer):
    """Structural similarity with the full-dose slice, on windowed images
    (:func:`~d2iqa.evaluation.baselines.windowed_ssim`)."""

    name = 'ssim'
    score_range = (-1.0, 1.0)
    _metric = staticmethod(windowed_ssim)


class NoiseLevelScorer(Scorer):
    """No-reference baseline: noise standard deviation (HU) in homogeneous soft tissue.

    :func:`d2iqa.simulation.noise_level` of each image, with the pixel size of its
    ``CTSlice`` where known; lower is better. Images without enough soft tissue score NaN.
    """

    name = 'noise'
    higher_is_better = False
    score_range = (0.0, math.inf)

    def __repr__(self):
        return 'NoiseLevelScorer()'

    def score_series(self, images, *, reference=None, values=None):
        results = []
        for ct in _slices(images, values):
            pixel_size = float(np.mean(ct.pixel_spacing)) if ct.pixel_spacing else None
            try:
                score = noise_level(ct.hu, pixel_size=pixel_size)
            except NoSoftTissueError:
                score = math.nan
            results.append(ScoreResult(score=score, score_range=self.score_range,
                                       higher_is_better=False, source=ct.source))
        return results
