"""Evaluation: COCO mAP, agreement statistics, full-reference baselines. Pure functions.

:mod:`.coco_map` (COCO bbox mAP, equal to pycocotools), :mod:`.stats` (PLCC, SROCC, KROCC,
Overall, the five-parameter logistic) and :mod:`.baselines` (windowed PSNR and SSIM) need
numpy, scipy and scikit-image only. :mod:`.pycocotools_reference` runs the same evaluation
through pycocotools, the outside truth of the tests.
"""
from .baselines import windowed_psnr, windowed_ssim
from .coco_map import COCOMapResult, coco_evaluate, coco_map, per_image_map
from .stats import (LogisticFit, PairedDifference, fit_logistic, krocc, logistic5, overall,
                    paired_difference, plcc, robust_outliers, srocc)

__all__ = ['COCOMapResult', 'LogisticFit', 'PairedDifference', 'coco_evaluate', 'coco_map',
           'fit_logistic', 'krocc', 'logistic5', 'overall', 'paired_difference', 'per_image_map',
           'plcc', 'robust_outliers', 'srocc', 'windowed_psnr', 'windowed_ssim']
