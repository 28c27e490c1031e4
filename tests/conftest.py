"""Shared fixtures. Tests never need the network or ../shared (users of it skip without it)."""
from pathlib import Path

import pytest

#: Real CT for development, beside the checkout (never copied into the repository).
SHARED_CT = Path(__file__).resolve().parents[1].parent / 'shared' / 'data' / 'ct'


@pytest.fixture(scope='session')
def shared_ct():
    """Path of ../shared/data/ct; the test is skipped when it is absent."""
    if not SHARED_CT.is_dir():
        pytest.skip(f'{SHARED_CT} is absent (optional real-CT data)')
    return SHARED_CT
