"""Saliency filters (Perazzi et al., CVPR 2012) with the settings of the D2IQA release."""
import numpy as np
from skimage.color import rgb2lab
from skimage.segmentation import slic

from ._image import as_image01


def _min_max(values):
    """Scale to [0, 1] by the minimum and maximum; all zeros when the values are constant."""
    span = values.max() - values.min()
    return (values - values.min()) / span if span > 0 else np.zeros_like(values)


def _gaussian_weights(features, sigma):
    """Row-normalised ``w_ij = exp(-|f_i - f_j|^2 / (2 sigma^2))`` between rows of ``features``."""
    squared = ((features[:, None, :] - features[None, :, :]) ** 2).sum(-1)
    weights = np.exp(-squared / (2 * sigma ** 2))
    return weights / weights.sum(axis=1, keepdims=True)


def saliency_map(image01, *, n_segments=300, compactness=30.0, uniqueness_sigma=0.25,
                 distribution_sigma=20.0, k=6.0, alpha=0.033, beta=0.033):
    """Saliency of a [0, 1] CT slice by saliency filters, as the D2IQA release computes it.

    Steps (elements are SLIC superpixels; every element counts once, whatever its size):

    1. **Abstraction.** The grey slice ``v`` is read as an sRGB image with three equal
       channels and converted to CIE Lab (D65): ``a* = b* = 0``, so only the lightness
       ``L*`` (0..100, from :func:`skimage.color.rgb2lab`) varies, and SLIC
       (:func:`skimage.segmentation.slic`, ``n_segments``, ``compactness``, connectivity
       enforced) runs on ``L*`` alone, which gives the segmentation of the three-channel Lab
       image. Per element ``i``: colour ``c_i`` = mean ``L*`` / 100 (the release's normalised
       Lab, whose constant a* and b* channels drop out of every distance), grey ``g_i`` = mean
       ``v``, position ``p_i`` = mean ``(x / (W - 1), y / (H - 1))``.
    2. **Uniqueness** ``U_i = sum_j w_ij (c_i - c_j)^2`` with
       ``w_ij ~ exp(-|p_i - p_j|^2 / (2 uniqueness_sigma^2))``, rows normalised to sum 1;
       then min-max normalised.
    3. **Distribution** ``D_i = sum_j w_ij |p_j - mu_i|^2``, ``mu_i = sum_j w_ij p_j``, with
       ``w_ij ~ exp(-(c_i - c_j)^2 / (2 distribution_sigma^2))``, rows normalised; then
       min-max normalised.
    4. **Saliency** ``S_i = U_i exp(-k D_i)``.
    5. **Assignment.** ``S'_i = sum_j w_ij S_j`` with
       ``w_ij ~ exp(-(alpha |rgb_i - rgb_j|^2 + beta |p_i - p_j|^2) / 2)``, rows normalised,
       where ``rgb_i`` is the element's mean colour in [0, 1]^3 (``|rgb_i - rgb_j|^2 =
       3 (g_i - g_j)^2``). ``S'`` is min-max normalised and every pixel takes its element's
       value.

    Step 5 is the release's version of the paper's up-sampling: it filters between
    elements, with alpha and beta multiplying squared distances of features scaled to
    [0, 1], so the map is constant on each superpixel. The paper instead filters per pixel
    with colour and position in pixel units; that is not what produced the published numbers.
    With alpha = beta = 0.033 the weights of step 5 (and of step 3, where colour distances
    are at most 1 against sigma 20) differ from uniform by less than 10 %: the min-max
    normalisation that follows turns these small differences into the full [0, 1] range, which
    is why the computation is kept in float64.

    Parameters
    ----------
    image01 : array_like
        2-D slice in [0, 1] (``d2iqa.window(hu, preset='d2iqa')``).
    n_segments, compactness : int, float
        SLIC settings (released: 300, 30).
    uniqueness_sigma, distribution_sigma, k, alpha, beta : float
        Saliency-filter settings (released: 0.25, 20, 6, 0.033, 0.033).

    Returns
    -------
    numpy.ndarray
        float32 map of the slice's shape, in [0, 1] (all zeros for a constant slice).
    """
    image = as_image01(image01)
    height, width = image.shape
    lightness = rgb2lab(np.repeat(image[..., None], 3, axis=-1))[..., 0]
    labels = slic(lightness, n_segments=n_segments, compactness=compactness, channel_axis=None,
                  enforce_connectivity=True, start_label=0)
    count = np.bincount(labels.ravel()).astype(np.float64)
    present = count > 0
    labels = np.cumsum(present)[labels] - 1  # consecutive ids 0..n-1
    count = count[present]

    def element_mean(values):
        return np.bincount(labels.ravel(), weights=values.ravel().astype(np.float64)) / count

    rows, cols = np.mgrid[0:height, 0:width]
    colour = element_mean(lightness)[:, None] / 100.0
    grey = element_mean(image)[:, None]
    position = np.stack([element_mean(cols) / max(width - 1, 1),
                         element_mean(rows) / max(height - 1, 1)], axis=1)

    settings = dict(uniqueness_sigma=uniqueness_sigma, distribution_sigma=distribution_sigma,
                    k=k, alpha=alpha, beta=beta)
    return _element_saliency(colour, grey, position, **settings)[labels].astype(np.float32)


def _element_saliency(colour, grey, position, *, uniqueness_sigma, distribution_sigma, k, alpha,
                      beta):
    """Steps 2-5 of :func:`saliency_map` on per-element features (n x 1, n x 1, n x 2)."""
    weights = _gaussian_weights(position, uniqueness_sigma)
    uniqueness = _min_max((weights * (colour - colour.T) ** 2).sum(axis=1))

    weights = _gaussian_weights(colour, distribution_sigma)
    centroid = weights @ position
    spread = ((position[None, :, :] - centroid[:, None, :]) ** 2).sum(-1)
    distribution = _min_max((weights * spread).sum(axis=1))

    saliency = uniqueness * np.exp(-k * distribution)
    features = np.hstack([np.sqrt(3 * alpha) * grey, np.sqrt(beta) * position])
    return _min_max(_gaussian_weights(features, 1.0) @ saliency)
