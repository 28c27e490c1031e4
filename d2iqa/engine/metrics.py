"""The lesion-detection metric: COCO bbox mAP over the pasted lesions, per class too."""
import numpy as np
from mmengine.evaluator import BaseMetric
from mmdet.registry import METRICS

from ..evaluation import coco_evaluate


def _array(value):
    value = getattr(value, 'tensor', value)   # HorizontalBoxes -> tensor
    return value.detach().cpu().numpy() if hasattr(value, 'detach') else np.asarray(value)


@METRICS.register_module()
class LesionDetectionMetric(BaseMetric):
    """COCO bbox mAP of the detector on the virtual lesions, pooled over the whole set.

    The figures are those of ``d2iqa.evaluation.coco_evaluate`` (equal to pycocotools'
    COCOeval): ``mAP`` (IoU 0.50:0.95), ``mAP_50``, ``mAP_75`` and ``AP_<class>`` for each
    class, under the prefix ``lesion``.
    """

    default_prefix = 'lesion'

    def process(self, data_batch, data_samples):
        for sample in data_samples:
            gt, pred = sample['gt_instances'], sample['pred_instances']
            self.results.append(dict(
                gt_boxes=_array(gt['bboxes']).reshape(-1, 4),
                gt_labels=_array(gt['labels']).astype(np.int64),
                det_boxes=_array(pred['bboxes']).reshape(-1, 4).astype(np.float64),
                det_scores=_array(pred['scores']).astype(np.float64),
                det_labels=_array(pred['labels']).astype(np.int64)))

    def compute_metrics(self, results):
        classes = self.dataset_meta['classes']
        columns = {key: [r[key] for r in results] for key in results[0]}
        evaluation = coco_evaluate(**columns, num_classes=len(classes))
        metrics = {'mAP': evaluation.ap, 'mAP_50': evaluation.ap50, 'mAP_75': evaluation.ap75}
        metrics.update({f'AP_{name}': ap for name, ap in zip(classes, evaluation.class_ap)})
        return metrics
