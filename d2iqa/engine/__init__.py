"""The mm* layer: components registered in mmdet's registries.

Importing this package registers them, so configs need only
``custom_imports=dict(imports=['d2iqa.engine'], allow_failed_imports=False)``.
"""
from .datasets import CTSliceDataset
from .loading import LoadCTSlice, RandomSharpness, SimulateLowDose, WindowCT
from .metrics import LesionDetectionMetric
from .samplers import PatientBalancedSampler
from .scoring_metric import D2IQAScoreMetric
from .transforms import InsertVirtualLesions

__all__ = ['CTSliceDataset', 'D2IQAScoreMetric', 'InsertVirtualLesions', 'LesionDetectionMetric',
           'LoadCTSlice', 'PatientBalancedSampler', 'RandomSharpness', 'SimulateLowDose',
           'WindowCT']
