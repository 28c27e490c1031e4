"""Small phantoms shared by the simulation tests (256 x 256 keeps them fast)."""
import numpy as np
import pytest

from d2iqa.simulation import abdomen_phantom, simulate_low_dose, water_cylinder

#: Full-dose photons per bin and view of the synthetic "scans" below.
SCAN_PHOTONS = 4e4


@pytest.fixture(scope='session')
def cylinder():
    """(HU, central mask, pixel size): a 180 mm water cylinder at 1 mm on 256 x 256."""
    hu = water_cylinder(256, diameter_mm=180, pixel_size=1.0)
    y, x = np.mgrid[:256, :256] - 127.5
    return hu, np.hypot(x, y) < 55, 1.0


@pytest.fixture(scope='session')
def abdomen():
    """(HU, masks, pixel size): the abdomen phantom on 256 x 256 pixels of 1.4 mm."""
    hu, masks = abdomen_phantom(256, pixel_size=1.4, return_masks=True)
    return hu, masks, 1.4


@pytest.fixture(scope='session')
def scanned_abdomen(abdomen):
    """The abdomen phantom with the noise of a full-dose scan of SCAN_PHOTONS photons.

    Half the dose of a noise-free image adds exactly the noise of N0 photons: variance
    (1/0.5 - 1) * exp(p) / N0.
    """
    hu, masks, pixel_size = abdomen
    return simulate_low_dose(hu, 0.5, incident_photons=SCAN_PHOTONS, pixel_size=pixel_size,
                             seed=123), masks, pixel_size
