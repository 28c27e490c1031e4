"""Evaluation: COCO mAP, agreement statistics, baseline scorers and the dose-response study.

Pure functions on numpy arrays (no mm*): :mod:`.coco_map` (COCO bbox mAP, equal to
pycocotools), :mod:`.stats` (PLCC, SROCC, KROCC, Overall, the five-parameter logistic),
:mod:`.baselines` (PSNR, SSIM, soft-tissue noise level) and :mod:`.dose_study` (simulate dose /
sparse-view levels, score them, correlate, plot).
"""
from .baselines import NoiseLevelScorer, PSNRScorer, SSIMScorer
from .coco_map import COCOMapResult, coco_evaluate, coco_map, per_image_map
from .dose_study import (DEFAULT_DOSES, SCORERS, ScorerUnavailable, correlation_table,
                         make_scorer, plot_study, register_scorer, run_dose_study,
                         simulate_levels)
from .stats import LogisticFit, fit_logistic, krocc, logistic5, overall, plcc, srocc

__all__ = ['COCOMapResult', 'DEFAULT_DOSES', 'LogisticFit', 'NoiseLevelScorer', 'PSNRScorer',
           'SCORERS', 'SSIMScorer', 'ScorerUnavailable', 'coco_evaluate', 'coco_map',
           'correlation_table', 'fit_logistic', 'krocc', 'logistic5', 'make_scorer', 'overall',
           'per_image_map', 'plcc', 'plot_study', 'register_scorer', 'run_dose_study',
           'simulate_levels', 'srocc']
