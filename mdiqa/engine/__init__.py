"""The MMEngine layer of MD-IQA: metric and mean-teacher hook."""
from .hooks import MeanTeacherHook
from .metrics import QualityMetric, quality_metrics

__all__ = ['MeanTeacherHook', 'QualityMetric', 'quality_metrics']
