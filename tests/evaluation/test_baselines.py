"""PSNR / SSIM on windowed images and the no-reference noise level."""
import numpy as np
import pytest
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from d2iqa.evaluation import NoiseLevelScorer, PSNRScorer, SSIMScorer
from d2iqa.io import window


@pytest.fixture(scope='module')
def levels():
    rng = np.random.default_rng(0)
    reference = np.full((96, 96), 40.0, dtype=np.float32)
    reference[30:60, 30:60] = 120
    return reference, [reference + s * rng.standard_normal(reference.shape).astype(np.float32)
                       for s in (0.0, 10.0, 30.0)]


def test_psnr_and_ssim_equal_scikit_image_on_the_abdomen_window(levels):
    reference, images = levels
    psnr = PSNRScorer().score_levels(images, reference_hu=reference)
    ssim = SSIMScorer().score_levels(images, reference_hu=reference)
    ref01 = window(reference, preset='abdomen')
    for image, p, s in zip(images[1:], psnr[1:], ssim[1:]):
        image01 = window(image, preset='abdomen')
        assert p == peak_signal_noise_ratio(ref01, image01, data_range=1.0)
        assert s == structural_similarity(ref01, image01, data_range=1.0)
    assert psnr[0] == float('inf') and ssim[0] == 1.0
    assert psnr[1] > psnr[2] and ssim[1] > ssim[2]


def test_full_reference_scorers_need_the_reference(levels):
    _, images = levels
    with pytest.raises(ValueError, match='psnr compares each level with the full-dose slice'):
        PSNRScorer().score_levels(images)
    with pytest.raises(ValueError, match="unknown window preset 'bone'"):
        SSIMScorer(window='bone')


def test_noise_level_scorer(levels):
    reference, images = levels
    scorer = NoiseLevelScorer()
    assert not scorer.higher_is_better and not scorer.needs_reference
    scores = scorer.score_levels(images, pixel_spacing=(0.7, 0.7))
    assert scores[0] == 0 and scores[1] == pytest.approx(10, rel=0.1)
    assert scores[2] == pytest.approx(30, rel=0.1)
    assert np.isnan(scorer.score_levels([np.full((64, 64), -1000.0)])[0])
