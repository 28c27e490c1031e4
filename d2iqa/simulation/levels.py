"""The degradation levels of one slice: simulated doses and sparse-view acquisitions."""
import numpy as np

from ..io import as_hu_slice
from .low_dose import LowDoseSimulator
from .sparse_view import FULL_VIEWS, SparseViewSimulator

__all__ = ['DEFAULT_DOSES', 'simulate_levels']

#: Dose levels (percent of the input's dose) of the D2IQA paper.
DEFAULT_DOSES = (100, 50, 25, 20, 12, 7, 5)


def _percentages(doses):
    doses = [float(d) for d in doses]
    bad = [d for d in doses if not 0 < d <= 100]
    if bad:
        raise ValueError(f'dose levels are percentages in (0, 100], got {bad}')
    return doses


def simulate_levels(ct_slice, *, doses=DEFAULT_DOSES, sparse_views=(), seed=None,
                    incident_photons='auto'):
    """Simulate the levels of one slice.

    Parameters
    ----------
    ct_slice : CTSlice or array_like
        The full-dose slice in HU.
    doses : sequence of float
        Dose levels in percent of the input's dose; 100 is the input itself.
    sparse_views : sequence of int
        View counts; the full acquisition has ``max(360, *sparse_views)`` views.
    seed : int or numpy.random.SeedSequence, optional
        Seeds the noise of every dose level (each level gets its own stream).
    incident_photons : float or 'auto'
        As in :func:`~d2iqa.simulate_low_dose`.

    Returns
    -------
    dict
        Study name ('dose', 'sparse_view') -> list of (level, HU array), in the given order.
    """
    ct_slice = as_hu_slice(ct_slice, source='ct_slice')
    levels = {}
    if doses:
        doses = _percentages(doses)
        simulator = LowDoseSimulator(ct_slice, incident_photons=incident_photons)
        sequence = seed if isinstance(seed, np.random.SeedSequence) \
            else np.random.SeedSequence(seed)
        streams = sequence.spawn(len(doses))
        levels['dose'] = [(dose, simulator.simulate(dose / 100, seed=stream))
                          for dose, stream in zip(doses, streams)]
    if sparse_views:
        simulator = SparseViewSimulator(ct_slice, full_views=max(FULL_VIEWS, *sparse_views))
        levels['sparse_view'] = [(views, simulator.simulate(views)) for views in sparse_views]
    return levels
