"""Fixtures of the loader tests (the DICOM writer ``write_dicom`` is in tests/conftest.py)."""
import numpy as np
import pytest


@pytest.fixture
def ct_raw():
    """A 32x40 stored-value image with a gradient, so orientation and values are checkable."""
    rows, cols = np.mgrid[0:32, 0:40]
    return (1024 + 10 * rows + cols).astype(np.int16)


@pytest.fixture
def testdata():
    """Path of a file shipped in pydicom / pydicom-data (installed, never downloaded)."""
    from pydicom.data import get_testdata_file

    def get(name):
        path = get_testdata_file(name, download=False)
        if path is None:
            pytest.fail(f'{name} missing: install pydicom-data (the test extra)')
        return path
    return get
