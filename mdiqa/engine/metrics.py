"""|PLCC|, |SROCC|, |KROCC| and Overall of predicted against reference scores."""
import numpy as np
from mmengine.evaluator import BaseMetric

from d2iqa.evaluation import krocc, overall, plcc, srocc

from ..registry import METRICS


def quality_metrics(pred, target):
    """The LDCTIQAC2023 figures (scipy definitions, from ``d2iqa.evaluation``) as a dict."""
    pred, target = np.asarray(pred, float), np.asarray(target, float)
    return dict(plcc=abs(plcc(pred, target)), srocc=abs(srocc(pred, target)),
                krocc=abs(krocc(pred, target)), overall=overall(pred, target))


@METRICS.register_module()
class QualityMetric(BaseMetric):
    """Correlation of ``pred_score`` with ``gt_score`` over the evaluated samples."""

    default_prefix = 'quality'

    def process(self, data_batch, data_samples):
        self.results += [(sample['pred_score'], sample['gt_score']) for sample in data_samples]

    def compute_metrics(self, results):
        pred, target = zip(*results)
        return quality_metrics(pred, target)
