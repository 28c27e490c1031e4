"""Fixtures of the scoring tests: noisy phantom slices and a noise-sensitive test detector."""
import numpy as np
import pytest
from scipy import ndimage

from d2iqa import window
from d2iqa.simulation import abdomen_phantom, simulate_low_dose

#: 256 x 256 phantoms at 1.4 mm (the lesions keep their pixel sizes, so the slice must be big
#: enough in pixels to host them); full dose = the noise of PHOTONS photons.
SIZE, PIXEL_MM, PHOTONS = 256, 1.4, 1e5


class BlobDetector:
    """Laplacian-of-Gaussian blobs in (image - clean slice), a noise-sensitive test detector.

    It knows the slices without lesions (``references01``; the nearest one is used), so that
    only the noise of the image stands between it and the lesions: exact at a reference's own
    noise, worse as noise is added. The ``top`` strongest blobs (LoG of sigma 6 px, tuned to
    the middle radius 8.5 px) are each reported once per class, with the blob's response as
    score (it does not tell the shapes apart), as 21 px boxes. ``received`` keeps every image
    it was given.
    """

    def __init__(self, *references01, top=8):
        self.references = [np.asarray(r, dtype=np.float32) for r in references01]
        self.top = top
        self.received = []

    def detect(self, images01):
        results = []
        for image in images01:
            self.received.append(np.array(image))
            reference = min(self.references, key=lambda r: float(np.abs(image - r).mean()))
            magnitude = np.abs(ndimage.gaussian_laplace(image - reference, 6.0))
            peaks = magnitude == ndimage.maximum_filter(magnitude, size=21)
            ys, xs = np.nonzero(peaks)
            order = np.argsort(-magnitude[ys, xs], kind='stable')[:self.top]
            ys, xs = ys[order], xs[order]
            boxes = np.stack([xs - 10., ys - 10., xs + 11., ys + 11.], axis=1)
            results.append((np.repeat(boxes, 4, axis=0), np.repeat(magnitude[ys, xs], 4),
                            np.tile(np.arange(4), len(ys))))
        return results


@pytest.fixture(scope='session')
def blob_detector():
    """The :class:`BlobDetector` class."""
    return BlobDetector


@pytest.fixture(scope='session')
def dose_levels():
    """A phantom 'scan' (HU) at 100, 25 and 5 % of its dose, and its lesion-free [0, 1] slice."""
    phantom = abdomen_phantom(SIZE, pixel_size=PIXEL_MM, seed=0)
    full = simulate_low_dose(phantom, 0.5, incident_photons=PHOTONS, pixel_size=PIXEL_MM, seed=1)
    levels = [full] + [simulate_low_dose(full, fraction, incident_photons=PHOTONS,
                                         pixel_size=PIXEL_MM, seed=2) for fraction in (.25, .05)]
    return levels, window(full, preset='d2iqa')


@pytest.fixture(scope='session')
def phantom_scans():
    """Three different noisy phantom slices in HU (256 x 256)."""
    return [simulate_low_dose(abdomen_phantom(SIZE, pixel_size=PIXEL_MM, seed=seed), 0.5,
                              incident_photons=PHOTONS, pixel_size=PIXEL_MM, seed=seed)
            for seed in (3, 4, 5)]


@pytest.fixture(autouse=True, scope='module')
def one_torch_thread():
    """Run torch on one thread: on a machine whose cores are busy (e.g. with a training job),
    two OpenMP threads wait on each other and the tiny model gets 10-50 times slower."""
    import torch
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
