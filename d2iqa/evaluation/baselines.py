"""Baseline image-quality scorers for dose studies: PSNR, SSIM and the soft-tissue noise level.

Every scorer follows the *scorer interface* of :mod:`d2iqa.evaluation.dose_study`: it has a
``name``, ``higher_is_better``, ``needs_reference`` and
``score_levels(levels_hu, *, reference_hu=None, pixel_spacing=None) -> list of float``, which
scores all the levels of one slice in one call (so that a scorer such as D2IQA can use the
same random lesions on every level).

PSNR and SSIM (scikit-image) compare each level with the full-dose slice, both mapped to [0, 1]
through a display window (default: the abdomen window, level 40 HU, width 350 HU, clipped), so
``data_range`` is 1 and the scores concern what a reader sees in soft tissue. The noise level
needs no reference: :func:`d2iqa.simulation.noise_level`, in HU (lower is better).
"""
import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from ..io import get_window, window
from ..simulation import NoSoftTissueError, noise_level

__all__ = ['NoiseLevelScorer', 'PSNRScorer', 'SSIMScorer']

#: Window through which PSNR and SSIM see the slices.
DEFAULT_WINDOW = 'abdomen'


class _WindowedReferenceScorer:
    """Full-reference scorer on windowed images; subclasses set ``name`` and ``_metric``."""

    higher_is_better = True
    needs_reference = True

    def __init__(self, *, window=DEFAULT_WINDOW):
        self.window = get_window(window)

    def __repr__(self):
        return f'{type(self).__name__}(window={tuple(self.window)})'

    def score_levels(self, levels_hu, *, reference_hu=None, pixel_spacing=None):
        if reference_hu is None:
            raise ValueError(f'{self.name} compares each level with the full-dose slice: pass '
                             'reference_hu')
        reference = window(reference_hu, level=self.window.level, width=self.window.width)
        return [float(self._metric(reference, window(level, level=self.window.level,
                                                     width=self.window.width)))
                for level in levels_hu]


class PSNRScorer(_WindowedReferenceScorer):
    """Peak signal-to-noise ratio (dB) against the full-dose slice, on windowed images.

    ``skimage.metrics.peak_signal_noise_ratio`` with ``data_range=1``; an image identical to
    the reference scores ``inf``.
    """

    name = 'psnr'

    @staticmethod
    def _metric(reference, image):
        if np.array_equal(reference, image):
            return float('inf')
        return peak_signal_noise_ratio(reference, image, data_range=1.0)


class SSIMScorer(_WindowedReferenceScorer):
    """Structural similarity against the full-dose slice, on windowed images.

    ``skimage.metrics.structural_similarity`` with ``data_range=1`` and its default 7 x 7
    window.
    """

    name = 'ssim'

    @staticmethod
    def _metric(reference, image):
        return structural_similarity(reference, image, data_range=1.0)


class NoiseLevelScorer:
    """No-reference baseline: noise standard deviation (HU) in homogeneous soft tissue.

    :func:`d2iqa.simulation.noise_level` on each level; lower is better. Levels without
    enough soft tissue score NaN.
    """

    name = 'noise'
    higher_is_better = False
    needs_reference = False

    def __repr__(self):
        return 'NoiseLevelScorer()'

    def score_levels(self, levels_hu, *, reference_hu=None, pixel_spacing=None):
        pixel_size = float(np.mean(pixel_spacing)) if pixel_spacing else None
        scores = []
        for level in levels_hu:
            try:
                scores.append(noise_level(level, pixel_size=pixel_size))
            except NoSoftTissueError:
                scores.append(float('nan'))
        return scores
