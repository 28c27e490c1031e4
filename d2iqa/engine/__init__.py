"""The D2IQA detector's mm* layer: components registered in mmdet's registries.

Importing this package registers them, and the shared CT transforms of :mod:`d2iqa.mm_common`
that the detector pipelines use, so configs need only
``custom_imports=dict(imports=['d2iqa.engine'], allow_failed_imports=False)``.
"""
from .. import mm_common  # noqa: F401  (checks the versions, registers the CT transforms)
from .datasets import CTSliceDataset, config_slices
from .metrics import LesionDetectionMetric
from .samplers import PatientBalancedSampler
from .scoring_metric import D2IQAScoreMetric
from .transforms import InsertVirtualLesions

__all__ = ['CTSliceDataset', 'D2IQAScoreMetric', 'InsertVirtualLesions', 'LesionDetectionMetric',
           'PatientBalancedSampler', 'config_slices']
