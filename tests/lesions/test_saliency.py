"""Saliency filters: a textured disk stands out; the element formulas match their definition."""
import numpy as np
import pytest

from d2iqa.lesions import saliency_map
from d2iqa.lesions.saliency import _element_saliency

SETTINGS = dict(uniqueness_sigma=0.25, distribution_sigma=20.0, k=6.0, alpha=0.033, beta=0.033)


def textured_disk(centre, radius, *, background=0.3, foreground=0.7, size=512, seed=0):
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[:size, :size]
    disk = (rows - centre[0]) ** 2 + (cols - centre[1]) ** 2 <= radius ** 2
    texture = foreground + 0.08 * np.sin(cols / 3.0) * np.cos(rows / 4.0) \
        + rng.normal(0, 0.02, (size, size))
    image = np.full((size, size), background, dtype=np.float32)
    image[disk] = np.clip(texture[disk], 0, 1)
    return image, disk


@pytest.mark.parametrize('background, foreground', [(0.3, 0.7), (0.7, 0.3)])
def test_a_textured_disk_on_a_flat_background_is_salient(background, foreground):
    image, disk = textured_disk((256, 256), 80, background=background, foreground=foreground)
    saliency = saliency_map(image)
    assert saliency.dtype == np.float32 and saliency.shape == image.shape
    assert saliency.min() == 0 and saliency.max() == 1
    assert saliency[disk].mean() > 0.8 and saliency[~disk].mean() < 0.2
    salient = saliency >= 0.4
    assert (salient & disk).sum() / salient.sum() > 0.9  # what is salient is the disk
    assert (salient & disk).sum() / disk.sum() > 0.85  # and most of the disk is salient


def test_an_off_centre_disk_stands_out_too():
    image, disk = textured_disk((300, 200), 100)
    saliency = saliency_map(image)
    assert saliency[disk].mean() > saliency[~disk].mean() + 0.5


def test_a_flat_slice_has_no_saliency():
    assert not saliency_map(np.full((128, 128), 0.5, dtype=np.float32)).any()


def test_hounsfield_units_are_refused_with_a_hint():
    with pytest.raises(ValueError, match=r"look like Hounsfield units.*d2iqa.window"):
        saliency_map(np.full((64, 64), -1000.0, dtype=np.float32))
    with pytest.raises(ValueError, match='2-D'):
        saliency_map(np.zeros((4, 64, 64), dtype=np.float32))
    with pytest.raises(ValueError, match='dtype uint8'):
        saliency_map(np.zeros((64, 64), dtype=np.uint8))


def _reference(colour, grey, position, *, uniqueness_sigma, distribution_sigma, k, alpha, beta):
    """The documented formulas, element by element."""
    n = len(colour)

    def normalise(values):
        return (values - values.min()) / (values.max() - values.min())

    uniqueness, distribution = np.zeros(n), np.zeros(n)
    for i in range(n):
        w = np.array([np.exp(-np.sum((position[i] - position[j]) ** 2)
                             / (2 * uniqueness_sigma ** 2)) for j in range(n)])
        w /= w.sum()
        uniqueness[i] = sum(w[j] * (colour[i, 0] - colour[j, 0]) ** 2 for j in range(n))
        w = np.array([np.exp(-(colour[i, 0] - colour[j, 0]) ** 2 / (2 * distribution_sigma ** 2))
                      for j in range(n)])
        w /= w.sum()
        mu = (w[:, None] * position).sum(axis=0)
        distribution[i] = sum(w[j] * np.sum((position[j] - mu) ** 2) for j in range(n))
    saliency = normalise(uniqueness) * np.exp(-k * normalise(distribution))
    assigned = np.zeros(n)
    for i in range(n):
        rgb_i, rgb = np.repeat(grey[i], 3), np.repeat(grey, 3, axis=1)
        w = np.exp(-0.5 * (alpha * ((rgb - rgb_i) ** 2).sum(axis=1)
                           + beta * ((position - position[i]) ** 2).sum(axis=1)))
        assigned[i] = (w * saliency).sum() / w.sum()
    return normalise(assigned)


def test_element_formulas_match_their_definition():
    rng = np.random.default_rng(3)
    grey = rng.uniform(0, 1, (40, 1))
    colour = grey ** 0.8  # stands for L*/100, a monotone function of the grey value
    position = rng.uniform(0, 1, (40, 2))
    np.testing.assert_allclose(_element_saliency(colour, grey, position, **SETTINGS),
                               _reference(colour, grey, position, **SETTINGS), atol=1e-9)
