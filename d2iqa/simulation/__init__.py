"""Dose and artefact simulation in projection space, digital phantoms, noise measurement.

Pure numpy / scipy: a parallel-beam projector with its filtered back-projection
(:mod:`.projector`), low-dose noise insertion (:func:`simulate_low_dose`), sparse-view streaks
(:func:`simulate_sparse_view`), the levels of a dose study (:func:`simulate_levels`), a
no-reference soft-tissue noise estimator
(:func:`noise_level`) and phantoms (:func:`water_cylinder`, :func:`abdomen_phantom`).
``docs/simulation.md`` documents the geometry, the physics and the calibration.
"""
from .attenuation import MU_WATER, hu_to_mu, mu_to_hu
from .levels import DEFAULT_DOSES, simulate_levels
from .low_dose import (AUTO_QUARTER_DOSE_RATIO, DEFAULT_VIEWS, NOISE_MODELS, LowDoseSimulator,
                       simulate_low_dose)
from .noise_level import NoSoftTissueError, noise_level
from .phantoms import abdomen_phantom, water_cylinder
from .projector import (DEFAULT_PIXEL_SIZE, FILTERS, ParallelBeam, back_project, fbp,
                        forward_project)
from .sparse_view import FULL_VIEWS, SPARSE_VIEWS, SparseViewSimulator, simulate_sparse_view

__all__ = ['AUTO_QUARTER_DOSE_RATIO', 'DEFAULT_DOSES', 'DEFAULT_PIXEL_SIZE', 'DEFAULT_VIEWS',
           'FILTERS',
           'FULL_VIEWS', 'LowDoseSimulator', 'MU_WATER', 'NOISE_MODELS', 'NoSoftTissueError',
           'ParallelBeam', 'SPARSE_VIEWS', 'SparseViewSimulator', 'abdomen_phantom',
           'back_project', 'fbp', 'forward_project', 'hu_to_mu', 'mu_to_hu', 'noise_level',
           'simulate_levels', 'simulate_low_dose', 'simulate_sparse_view', 'water_cylinder']
