"""The baseline scorers: PSNR / SSIM on windowed images (scikit-image as the truth) and the
no-reference noise level, through the scorer registry."""
import numpy as np
import pytest
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from d2iqa import CTSlice, create_scorer
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
    psnr = create_scorer('psnr').score_series(images, reference=reference)
    ssim = create_scorer('ssim').score_series(images, reference=reference)
    ref01 = window(reference, preset='abdomen')
    for image, p, s in zip(images[1:], psnr[1:], ssim[1:]):
        image01 = window(image, preset='abdomen')
        assert p.score == peak_signal_noise_ratio(ref01, image01, data_range=1.0)
        assert s.score == structural_similarity(ref01, image01, data_range=1.0)
    assert psnr[0].score == float('inf') and ssim[0].score == 1.0
    assert psnr[1].score > psnr[2].score and ssim[1].score > ssim[2].score
    assert [r.source for r in psnr] == ['images[0]', 'images[1]', 'images[2]']
    assert psnr[1].higher_is_better and ssim[1].score_range == (-1.0, 1.0)


def test_full_reference_scorers_need_the_reference(levels):
    _, images = levels
    with pytest.raises(ValueError, match='psnr compares each image with the full-dose slice'):
        create_scorer('psnr').score_slice(images[1])
    with pytest.raises(ValueError, match="unknown window preset 'bone'"):
        create_scorer('ssim', window='bone')


def test_noise_level_scorer_uses_the_pixel_size_of_the_slice(levels):
    reference, images = levels
    scorer = create_scorer('noise')
    assert not scorer.higher_is_better and not scorer.needs_reference
    slices = [CTSlice(hu=image, source=f'level{i}', pixel_spacing=(0.7, 0.7))
              for i, image in enumerate(images)]
    results = scorer.score_series(slices)
    assert results[0].score == 0 and results[1].score == pytest.approx(10, rel=0.1)
    assert results[2].score == pytest.approx(30, rel=0.1)
    assert [r.source for r in results] == ['level0', 'level1', 'level2']
    assert not results[1].higher_is_better and np.isnan(results[1].sem)
    assert np.isnan(scorer.score_slice(np.full((64, 64), -1000.0)).score)
