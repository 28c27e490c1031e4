"""Full-reference baselines on windowed images: PSNR and SSIM against the full-dose slice.

Both slices are mapped to [0, 1] through a display window (default: the abdomen window, level
40 HU, width 350 HU, clipped), so ``data_range`` is 1 and the figures concern what a reader
sees in soft tissue. The no-reference baseline, the soft-tissue noise level, is
:func:`d2iqa.simulation.noise_level`. The scorers built on these are in
:mod:`d2iqa.scoring.baselines`.
"""
import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from ..io import get_window, window

__all__ = ['DEFAULT_WINDOW', 'windowed_psnr', 'windowed_ssim']

#: Window through which PSNR and SSIM see the slices.
DEFAULT_WINDOW = 'abdomen'


def _windowed(reference_hu, hu, preset):
    level, width = get_window(preset)
    return (window(reference_hu, level=level, width=width),
            window(hu, level=level, width=width))


def windowed_psnr(reference_hu, hu, *, preset=DEFAULT_WINDOW):
    """Peak signal-to-noise ratio (dB) of ``hu`` against ``reference_hu``, both windowed.

    ``skimage.metrics.peak_signal_noise_ratio`` with ``data_range=1``; ``inf`` when the
    windowed images are identical.
    """
    reference, image = _windowed(reference_hu, hu, preset)
    if np.array_equal(reference, image):
        return float('inf')
    return float(peak_signal_noise_ratio(reference, image, data_range=1.0))


def windowed_ssim(reference_hu, hu, *, preset=DEFAULT_WINDOW):
    """Structural similarity of ``hu`` with ``reference_hu``, both windowed.

    ``skimage.metrics.structural_similarity`` with ``data_range=1`` and its default 7 x 7
    window.
    """
    reference, image = _windowed(reference_hu, hu, preset)
    return float(structural_similarity(reference, image, data_range=1.0))
