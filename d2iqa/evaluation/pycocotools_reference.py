"""The same COCO bbox evaluation through pycocotools' COCOeval: the outside truth that the tests
and benchmarks hold :mod:`~d2iqa.evaluation.coco_map` against (pycocotools is imported here
only, so the rest of ``d2iqa.evaluation`` does not need it)."""
import contextlib
import io

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

__all__ = ['pycocotools_eval']


def pycocotools_eval(gt_boxes, gt_labels, det_boxes, det_scores, det_labels, *,
                     num_classes=4, iou_thresholds=None, max_dets=100):
    """Run pycocotools' COCOeval (bbox) on the same per-image inputs, stdout silenced.

    Images get ids 1..n in list order and classes ids 1..num_classes, boxes go to x, y, w, h
    as mmdetection's CocoMetric does (Python floats), and detections go through
    ``COCO.loadRes``. Returns the COCOeval after evaluate() and accumulate().
    """
    images = [{'id': i + 1} for i in range(len(gt_boxes))]
    categories = [{'id': k + 1} for k in range(num_classes)]

    def xywh(box):
        x1, y1, x2, y2 = (float(v) for v in box)
        return [x1, y1, x2 - x1, y2 - y1]

    gts, dets = [], []
    for i in range(len(gt_boxes)):
        for box, label in zip(np.reshape(gt_boxes[i], (-1, 4)), gt_labels[i]):
            bbox = xywh(box)
            gts.append({'id': len(gts) + 1, 'image_id': i + 1, 'category_id': int(label) + 1,
                        'bbox': bbox, 'area': bbox[2] * bbox[3], 'iscrowd': 0})
        for box, score, label in zip(np.reshape(det_boxes[i], (-1, 4)), det_scores[i],
                                     det_labels[i]):
            dets.append({'image_id': i + 1, 'category_id': int(label) + 1, 'bbox': xywh(box),
                         'score': float(score)})
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = {'images': images, 'categories': categories, 'annotations': gts}
        coco_gt.createIndex()
        if dets:
            coco_dt = coco_gt.loadRes(dets)
        else:  # loadRes cannot take an empty list
            coco_dt = COCO()
            coco_dt.dataset = {'images': images, 'categories': categories, 'annotations': []}
            coco_dt.createIndex()
        evaluator = COCOeval(coco_gt, coco_dt, 'bbox')
        if iou_thresholds is not None:
            evaluator.params.iouThrs = np.asarray(iou_thresholds, dtype=np.float64)
        if max_dets != 100:
            evaluator.params.maxDets = [max_dets]
        evaluator.evaluate()
        evaluator.accumulate()
    return evaluator
