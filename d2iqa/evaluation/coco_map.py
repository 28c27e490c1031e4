"""COCO bbox mAP, vectorised and equal to pycocotools' ``COCOeval`` to floating-point rounding.

D2IQA scores a slice by how well a detector finds the virtual lesions pasted into it: the COCO
bbox AP averaged over the IoU thresholds 0.50:0.05:0.95, 101-point interpolated precision and
at most 100 detections per image and class, averaged over the classes that have ground truth.
This module computes that number with numpy only, mirroring every step of
``pycocotools.cocoeval.COCOeval`` for the ``'bbox'`` task, the area range ``'all'`` and
``iscrowd = 0``:

* boxes go from ``x1, y1, x2, y2`` to COCO's ``x, y, w, h`` and the IoU is the one of
  pycocotools' C code (no ``+1``, right edge ``x + w``);
* per image and class the detections are sorted by descending score with a stable sort and
  cut to ``max_dets``; each detection, in that order, takes the unmatched ground-truth box of
  highest IoU with ``IoU >= min(t, 1 - 1e-10)``, the last such box on ties;
* per class the detections of all images are merged by a stable sort of descending score
  (images in list order), precision is made non-increasing from the right and read at the
  101 recall points ``0:0.01:1`` with ``searchsorted(side='left')``;
* the mAP is the mean over all (threshold, recall point, class) entries of the classes with
  ground truth, as ``COCOeval.summarize`` gives in ``stats[0]``.

Boxes larger than COCO's area range 'all' (1e10 px²), which COCOeval would ignore, are
rejected as invalid input instead.

No Python loop runs over detections or thresholds: the greedy matching works on the sparse
(detection, ground truth) pairs whose IoU reaches the lowest threshold, in rounds that each
match one ground-truth box per image, class and threshold; the interpolated precision is read
from the precision at the true positives only, where the curve can rise.
"""
from dataclasses import dataclass, field

import numpy as np

__all__ = ['COCO_IOU_THRESHOLDS', 'COCO_RECALL_THRESHOLDS', 'COCOMapResult', 'coco_evaluate',
           'coco_map', 'per_image_map']

#: COCO's IoU thresholds 0.50:0.05:0.95, built as ``COCOeval.Params`` builds them.
COCO_IOU_THRESHOLDS = np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1, endpoint=True)
COCO_IOU_THRESHOLDS.setflags(write=False)
#: COCO's 101 recall points 0:0.01:1, built as ``COCOeval.Params`` builds them.
COCO_RECALL_THRESHOLDS = np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1,
                                     endpoint=True)
COCO_RECALL_THRESHOLDS.setflags(write=False)

#: COCO's area range 'all' is [0, 1e5 ** 2]; larger boxes would be ignored by COCOeval.
_MAX_AREA = 1e5 ** 2
_AGGREGATIONS = ('pooled', 'per_trial')


@dataclass(frozen=True)
class COCOMapResult:
    """COCO bbox evaluation of one set of images (all images pooled in one evaluation).

    Attributes
    ----------
    ap : float
        mAP over the IoU thresholds, recall points and classes with ground truth: pycocotools'
        ``stats[0]``. NaN when no class has ground truth (pycocotools reports -1).
    ap50, ap75 : float
        The same mean at IoU 0.50 and 0.75 only (``stats[1]``, ``stats[2]``); NaN when that
        threshold is not among ``iou_thresholds`` or no class has ground truth.
    ar : float
        Mean over thresholds and classes of the recall reached with ``max_dets`` detections per
        image and class (``stats[8]`` for ``max_dets=100``); NaN without ground truth.
    class_ap : ndarray, shape (K,)
        AP of each class (mean over thresholds and recall points); NaN for a class without
        ground truth, which is skipped in every mean above.
    num_gt : ndarray of int, shape (K,)
        Number of ground-truth boxes of each class.
    precision : ndarray, shape (T, 101, K)
        Interpolated precision at each IoU threshold, recall point and class (COCOeval's
        ``eval['precision'][:, :, :, 0, -1]``), NaN where COCOeval has -1.
    recall : ndarray, shape (T, K)
        Recall at each IoU threshold and class (``eval['recall'][:, :, 0, -1]``), NaN where
        COCOeval has -1.
    iou_thresholds : ndarray, shape (T,)
        IoU thresholds of the first axis of ``precision`` and ``recall``.
    """

    ap: float
    ap50: float
    ap75: float
    ar: float
    class_ap: np.ndarray
    num_gt: np.ndarray
    precision: np.ndarray = field(repr=False)
    recall: np.ndarray = field(repr=False)
    iou_thresholds: np.ndarray = field(repr=False)


def coco_map(gt_boxes, gt_labels, det_boxes, det_scores, det_labels, *, num_classes=4,
             aggregation='pooled', iou_thresholds=None, max_dets=100):
    """COCO bbox mAP of a set of images, the D2IQA score of one set of trials.

    Parameters
    ----------
    gt_boxes : sequence of array_like, one (N_i, 4) array per image
        Ground-truth boxes as ``x1, y1, x2, y2`` in pixels (``x2 >= x1``, ``y2 >= y1``).
    gt_labels : sequence of array_like, one (N_i,) integer array per image
        Ground-truth classes in ``[0, num_classes)``.
    det_boxes : sequence of array_like, one (M_i, 4) array per image
        Detected boxes as ``x1, y1, x2, y2`` in pixels.
    det_scores : sequence of array_like, one (M_i,) array per image
        Detection confidences (any finite values; only their order matters).
    det_labels : sequence of array_like, one (M_i,) integer array per image
        Detected classes in ``[0, num_classes)``.
    num_classes : int, optional
        Number of classes (4 lesion shapes in D2IQA).
    aggregation : {'pooled', 'per_trial'}, optional
        ``'pooled'`` (default, the released D2IQA scoring): one COCO evaluation jointly over all
        images. ``'per_trial'``: the mean over images of each image's own mAP, skipping images
        without ground truth (see `per_image_map`).
    iou_thresholds : array_like of float in [0, 1], optional
        IoU thresholds; default COCO's 0.50:0.05:0.95 (`COCO_IOU_THRESHOLDS`).
    max_dets : int, optional
        Highest-scoring detections kept per image and class (COCO's ``maxDets``), default 100.

    Returns
    -------
    float
        The mAP in [0, 1] (pycocotools' ``stats[0]`` for ``'pooled'``). NaN when no class has
        ground truth in any image (``'pooled'``) or no image has ground truth
        (``'per_trial'``); pycocotools reports -1 there.

    Raises
    ------
    ValueError
        If an input has the wrong length, shape or dtype, holds NaN or infinite values, a box
        with ``x2 < x1`` or ``y2 < y1``, a box larger than COCO's area range (1e10 px²), or a
        label outside ``[0, num_classes)``; or if an option is invalid.

    See Also
    --------
    coco_evaluate : per-class AP, AP50, AP75 and the precision table of a pooled evaluation.
    per_image_map : the mAP of each image on its own.

    Examples
    --------
    One image, one lesion found exactly. Like pycocotools, precision is ``tp / (tp + fp + eps)``,
    so a perfect result is 1 - 2.2e-16:

    >>> gt = [np.array([[10., 10., 30., 30.]])]
    >>> round(coco_map(gt, [np.array([0])], gt, [np.array([0.9])], [np.array([0])]), 12)
    1.0
    """
    if aggregation not in _AGGREGATIONS:
        raise ValueError(f"aggregation must be one of {_AGGREGATIONS}, got {aggregation!r}")
    if aggregation == 'pooled':
        return coco_evaluate(gt_boxes, gt_labels, det_boxes, det_scores, det_labels,
                             num_classes=num_classes, iou_thresholds=iou_thresholds,
                             max_dets=max_dets).ap
    per_image = per_image_map(gt_boxes, gt_labels, det_boxes, det_scores, det_labels,
                              num_classes=num_classes, iou_thresholds=iou_thresholds,
                              max_dets=max_dets)
    defined = per_image[~np.isnan(per_image)]
    return float(defined.mean()) if defined.size else float('nan')


def coco_evaluate(gt_boxes, gt_labels, det_boxes, det_scores, det_labels, *, num_classes=4,
                  iou_thresholds=None, max_dets=100):
    """COCO bbox evaluation pooled over a set of images, with per-class and per-IoU figures.

    Parameters
    ----------
    gt_boxes, gt_labels, det_boxes, det_scores, det_labels : sequence of array_like
        One entry per image, as in `coco_map`.
    num_classes : int, optional
        Number of classes.
    iou_thresholds : array_like of float in [0, 1], optional
        IoU thresholds; default COCO's 0.50:0.05:0.95.
    max_dets : int, optional
        Highest-scoring detections kept per image and class, default 100.

    Returns
    -------
    COCOMapResult
        mAP, AP50, AP75, AR, per-class AP and the precision and recall tables.

    Raises
    ------
    ValueError
        On invalid input, as in `coco_map`.
    """
    data = _prepare(gt_boxes, gt_labels, det_boxes, det_scores, det_labels,
                    num_classes=num_classes, iou_thresholds=iou_thresholds, max_dets=max_dets)
    _, label, q, rc = _evaluate(data, per_image=False)
    thresholds = data['iou_thresholds']
    precision = np.full((len(thresholds), len(COCO_RECALL_THRESHOLDS), num_classes), np.nan)
    recall = np.full((len(thresholds), num_classes), np.nan)
    precision[:, :, label] = q.transpose(1, 2, 0)
    recall[:, label] = rc.T

    def mean_defined(values):
        # COCOeval.summarize: np.mean over the entries that are not -1, in C order.
        values = values[~np.isnan(values)]
        return float(np.mean(values)) if values.size else float('nan')

    def ap_at(iou):
        rows = np.flatnonzero(thresholds == iou)
        return mean_defined(precision[rows]) if rows.size else float('nan')

    class_ap = np.array([mean_defined(precision[:, :, k]) for k in range(num_classes)])
    return COCOMapResult(ap=mean_defined(precision), ap50=ap_at(.5), ap75=ap_at(.75),
                         ar=mean_defined(recall), class_ap=class_ap,
                         num_gt=np.bincount(data['gt_labels'], minlength=num_classes),
                         precision=precision, recall=recall, iou_thresholds=thresholds)


def per_image_map(gt_boxes, gt_labels, det_boxes, det_scores, det_labels, *, num_classes=4,
                  iou_thresholds=None, max_dets=100):
    """COCO bbox mAP of each image evaluated on its own.

    Parameters
    ----------
    gt_boxes, gt_labels, det_boxes, det_scores, det_labels : sequence of array_like
        One entry per image, as in `coco_map`.
    num_classes : int, optional
        Number of classes.
    iou_thresholds : array_like of float in [0, 1], optional
        IoU thresholds; default COCO's 0.50:0.05:0.95.
    max_dets : int, optional
        Highest-scoring detections kept per image and class, default 100.

    Returns
    -------
    ndarray, shape (n_images,)
        Element ``i`` equals pycocotools' ``stats[0]`` for a COCO set holding image ``i``
        alone; NaN for an image without ground truth (pycocotools reports -1).

    Raises
    ------
    ValueError
        On invalid input, as in `coco_map`.
    """
    data = _prepare(gt_boxes, gt_labels, det_boxes, det_scores, det_labels,
                    num_classes=num_classes, iou_thresholds=iou_thresholds, max_dets=max_dets)
    image, _, q, _ = _evaluate(data, per_image=True)
    total = np.bincount(image, weights=q.sum(axis=(1, 2)), minlength=data['n_images'])
    count = np.bincount(image, minlength=data['n_images']) * q.shape[1] * q.shape[2]
    return np.divide(total, count, out=np.full(data['n_images'], np.nan), where=count > 0)


def _prepare(gt_boxes, gt_labels, det_boxes, det_scores, det_labels, *, num_classes,
             iou_thresholds, max_dets):
    """Validate the per-image inputs and concatenate them into flat arrays."""
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) \
            or num_classes < 1:
        raise ValueError(f'num_classes must be a positive integer, got {num_classes!r}')
    if isinstance(max_dets, bool) or not isinstance(max_dets, (int, np.integer)) or max_dets < 1:
        raise ValueError(f'max_dets must be a positive integer, got {max_dets!r}')
    if iou_thresholds is None:
        thresholds = np.array(COCO_IOU_THRESHOLDS)
    else:
        thresholds = np.asarray(iou_thresholds, dtype=np.float64)
        if thresholds.ndim != 1 or thresholds.size == 0 \
                or not np.all((thresholds >= 0) & (thresholds <= 1)):
            raise ValueError('iou_thresholds must be a non-empty 1-D sequence of values in '
                             f'[0, 1], got {iou_thresholds!r}')

    inputs = {'gt_boxes': gt_boxes, 'gt_labels': gt_labels, 'det_boxes': det_boxes,
              'det_scores': det_scores, 'det_labels': det_labels}
    for name, value in inputs.items():
        if isinstance(value, np.ndarray) and value.dtype != object:
            raise ValueError(f'{name} must be a sequence with one array per image, got an '
                             f'array of shape {value.shape}; for a single image pass [{name}]')
    n_images = len(gt_boxes)
    for name, value in inputs.items():
        if len(value) != n_images:
            raise ValueError(f'{name} has {len(value)} entries but gt_boxes has {n_images}; '
                             'give one entry per image')

    gt_b, gt_l, det_b, det_s, det_l = [], [], [], [], []
    for i in range(n_images):
        gt_b.append(_boxes(gt_boxes[i], 'gt_boxes', i))
        gt_l.append(_labels(gt_labels[i], 'gt_labels', i, len(gt_b[-1]), 'gt_boxes'))
        det_b.append(_boxes(det_boxes[i], 'det_boxes', i))
        det_s.append(_scores(det_scores[i], i, len(det_b[-1])))
        det_l.append(_labels(det_labels[i], 'det_labels', i, len(det_b[-1]), 'det_boxes'))

    data = {'n_images': n_images, 'num_classes': int(num_classes), 'max_dets': int(max_dets),
            'iou_thresholds': thresholds}
    for kind, boxes, labels in (('gt', gt_b, gt_l), ('det', det_b, det_l)):
        sizes = [len(b) for b in boxes]
        image = np.repeat(np.arange(n_images), sizes)
        boxes = np.concatenate(boxes) if boxes else np.empty((0, 4))
        labels = np.concatenate(labels) if labels else np.empty(0, np.int64)
        _check_values(boxes, labels, image, kind, int(num_classes))
        data[f'{kind}_image'], data[f'{kind}_labels'] = image, labels
        # COCO stores x, y, w, h and its C code takes the right edge as x + w.
        data[f'{kind}_boxes'] = np.column_stack([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]])
    data['det_scores'] = np.concatenate(det_s) if det_s else np.empty(0)
    bad = ~np.isfinite(data['det_scores'])
    if bad.any():
        raise ValueError(f'det_scores[{data["det_image"][np.argmax(bad)]}] contains NaN or '
                         'infinite values')
    return data


def _boxes(value, name, i):
    """Image ``i``'s boxes as a float64 (N, 4) array; size-0 input means no boxes."""
    boxes = np.asarray(value, dtype=np.float64)
    if boxes.size == 0:
        return boxes.reshape(0, 4)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f'{name}[{i}] has shape {boxes.shape}; expected (N, 4) boxes given as '
                         'x1, y1, x2, y2 in pixels')
    return boxes


def _labels(value, name, i, n_boxes, boxes_name):
    """Image ``i``'s labels as int64, one per box."""
    labels = np.asarray(value)
    if labels.size == 0:
        labels = labels.reshape(0).astype(np.int64)
    if labels.ndim != 1:
        raise ValueError(f'{name}[{i}] has shape {labels.shape}; expected a 1-D array of class '
                         'indices')
    if labels.dtype.kind not in 'iu':
        raise ValueError(f'{name}[{i}] has dtype {labels.dtype}; expected integer class indices')
    if len(labels) != n_boxes:
        raise ValueError(f'{name}[{i}] has {len(labels)} labels but {boxes_name}[{i}] has '
                         f'{n_boxes} boxes')
    return labels.astype(np.int64, copy=False)


def _scores(value, i, n_boxes):
    """Image ``i``'s detection scores as float64, one per box."""
    scores = np.asarray(value, dtype=np.float64)
    if scores.size == 0:
        scores = scores.reshape(0)
    if scores.ndim != 1 or len(scores) != n_boxes:
        raise ValueError(f'det_scores[{i}] has shape {scores.shape} but det_boxes[{i}] has '
                         f'{n_boxes} boxes; expected one score per box')
    return scores


def _check_values(boxes, labels, image, kind, num_classes):
    """Raise a ValueError naming the first image whose boxes or labels are invalid."""
    checks = (
        (~np.isfinite(boxes).all(axis=1), 'boxes', 'contains NaN or infinite values: {}'),
        ((boxes[:, 2] < boxes[:, 0]) | (boxes[:, 3] < boxes[:, 1]), 'boxes',
         'has a box with x2 < x1 or y2 < y1: {}; expected x1, y1, x2, y2'),
        ((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]) > _MAX_AREA, 'boxes',
         "has a box larger than COCO's area range (1e10 px²): {}; expected pixel coordinates"),
        ((labels < 0) | (labels >= num_classes), 'labels',
         f'has label {{}} outside [0, {num_classes}); expected class indices below '
         f'num_classes={num_classes}'),
    )
    for bad, what, message in checks:
        if bad.any():
            first = np.argmax(bad)
            value = boxes[first].tolist() if what == 'boxes' else int(labels[first])
            raise ValueError(f'{kind}_{what}[{image[first]}] {message.format(value)}')


def _evaluate(data, *, per_image):
    """Interpolated precision and recall of each (unit, class) pair with ground truth.

    A unit is the whole set (one pooled evaluation) or, with ``per_image``, each image alone.
    Returns ``unit`` and ``label`` (S,), the precision ``q`` (S, T, 101) and recall ``rc``
    (S, T) of the S pairs, equal to COCOeval's ``precision`` and ``recall`` for them.
    """
    n_images, n_classes = data['n_images'], data['num_classes']
    thresholds = data['iou_thresholds']
    n_units = n_images if per_image else 1
    n_thr, n_rec = len(thresholds), len(COCO_RECALL_THRESHOLDS)

    # Detections by descending score, ties in input order (image by image), as COCOeval's
    # mergesorts; then by (class, image), each group cut to its max_dets best.
    by_score = np.argsort(-data['det_scores'], kind='stable')
    group = data['det_labels'] * n_images + data['det_image']
    order = by_score[np.argsort(group[by_score], kind='stable')]
    rank = np.arange(len(order)) - np.searchsorted(group[order], group[order])
    order = order[rank < data['max_dets']]
    kept = np.zeros(len(group), dtype=bool)
    kept[order] = True

    # Ground truth by (class, image) in input order, which is COCOeval's order.
    g_group = data['gt_labels'] * n_images + data['gt_image']
    g_order = np.argsort(g_group, kind='stable')
    g_count = np.bincount(g_group, minlength=n_classes * n_images)
    tp_thr, tp_det = _match(data['det_boxes'][order], group[order], data['gt_boxes'][g_order],
                            g_count, thresholds, n_groups=n_classes * n_images)
    tp_det = order[tp_det]

    # Segments: the (unit, class) pairs with ground truth; other detections never count.
    g_unit = data['gt_image'] if per_image else np.zeros_like(data['gt_image'])
    num_gt = np.bincount(g_unit * n_classes + data['gt_labels'], minlength=n_units * n_classes)
    seg_keys = np.flatnonzero(num_gt)
    n_seg, seg_gt = seg_keys.size, num_gt[seg_keys]
    seg_of_key = np.full(n_units * n_classes, -1)
    seg_of_key[seg_keys] = np.arange(n_seg)
    d_unit = data['det_image'] if per_image else 0
    d_seg = seg_of_key[d_unit * n_classes + data['det_labels']]

    # COCOeval.accumulate: per segment, a stable sort of -score over the detections
    # concatenated image by image, each image's in its own score order.
    counted = by_score[kept[by_score] & (d_seg[by_score] >= 0)]
    counted = counted[np.argsort(d_seg[counted], kind='stable')]
    seg_len = np.bincount(d_seg[counted], minlength=n_seg)
    d_pos = np.zeros(len(group), dtype=np.int64)  # position in its segment's ranking
    d_pos[counted] = np.arange(counted.size) - (np.cumsum(seg_len) - seg_len)[d_seg[counted]]

    # Precision tp / (tp + fp + eps) at the c-th true positive of each (threshold, segment);
    # matched detections always belong to a segment. Between true positives precision only
    # falls, so COCOeval's precision made non-increasing from the right, read at the first
    # position where tp >= m, is the largest of these values from the m-th one on.
    row = tp_thr * n_seg + d_seg[tp_det]
    pos = d_pos[tp_det]
    by_row = np.lexsort((pos, row))
    row, pos = row[by_row], pos[by_row]
    tp_count = np.bincount(row, minlength=n_thr * n_seg)
    nth = np.arange(row.size) - (np.cumsum(tp_count) - tp_count)[row]
    best = np.zeros((n_thr * n_seg, max(int(tp_count.max(initial=0)), 1)))
    best[row, nth] = (nth + 1.) / ((pos + 1.) + np.spacing(1))
    best = np.maximum.accumulate(best[:, ::-1], axis=1)[:, ::-1]

    # searchsorted(rc, recThrs, 'left') with rc = tp / n_gt lands on the first position where
    # tp reaches the least integer m with m / n_gt >= recThr (m = 0: the first position).
    need = np.empty((n_seg, n_rec), dtype=np.int64)
    for n_gt in np.unique(seg_gt):
        need[seg_gt == n_gt] = np.searchsorted(np.arange(n_gt + 1) / n_gt,
                                               COCO_RECALL_THRESHOLDS, side='left')
    tp_count = tp_count.reshape(n_thr, n_seg, 1)
    rows = np.arange(n_thr * n_seg).reshape(n_thr, n_seg, 1)
    q = np.where((need <= tp_count) & (tp_count > 0),
                 best[rows, np.clip(need - 1, 0, best.shape[1] - 1)], 0.)
    rc = tp_count[:, :, 0] / seg_gt
    unit, label = np.divmod(seg_keys, n_classes)
    return unit, label, q.transpose(1, 0, 2), rc.T


def _iou(d_box, g_box):
    """IoU of paired x, y, w, h boxes, computed as pycocotools' C ``bbIou`` (iscrowd = 0)."""
    w = np.minimum(d_box[:, 0] + d_box[:, 2], g_box[:, 0] + g_box[:, 2]) \
        - np.maximum(d_box[:, 0], g_box[:, 0])
    h = np.minimum(d_box[:, 1] + d_box[:, 3], g_box[:, 1] + g_box[:, 3]) \
        - np.maximum(d_box[:, 1], g_box[:, 1])
    overlap = (w > 0) & (h > 0)
    inter = w * h
    union = d_box[:, 2] * d_box[:, 3] + g_box[:, 2] * g_box[:, 3] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=overlap)


def _match(d_box, d_group, g_box, g_count, thresholds, *, n_groups):
    """COCOeval's greedy matching of detections to ground truth at every IoU threshold.

    Detections come sorted by group (image and class) then descending score, ground truth
    sorted by group with ``g_count`` boxes per group. Returns the threshold and detection
    indices of the matched detections.
    """
    # Every (detection, ground truth) pair of the same image and class.
    per_det = g_count[d_group]
    pair_det = np.repeat(np.arange(len(d_box)), per_det)
    pair_gt = np.repeat((np.cumsum(g_count) - g_count)[d_group] - (np.cumsum(per_det) - per_det),
                        per_det) + np.arange(pair_det.size)
    iou = _iou(d_box[pair_det], g_box[pair_gt])

    # Candidates reach a threshold (COCOeval compares with min(t, 1 - 1e-10)). Within a
    # detection the best gt comes first: highest IoU, then the last gt, as COCOeval's `<` test.
    limit = np.minimum(thresholds, 1 - 1e-10)
    keep = np.flatnonzero(iou >= limit.min())
    keep = keep[np.lexsort((-pair_gt[keep], -iou[keep], pair_det[keep]))]
    c_thr, c_pair = np.nonzero(iou[keep][None, :] >= limit[:, None])
    c_det, c_gt = pair_det[keep][c_pair], pair_gt[keep][c_pair]
    c_seg = c_thr * n_groups + d_group[c_det]  # non-decreasing: sorted by threshold then det

    # Each round, in every (threshold, group), the first detection after the last match that
    # still has an unmatched candidate takes its best one; detections skipped in between had
    # no unmatched candidate when their turn came, since nothing was matched meanwhile.
    gt_taken = np.zeros((len(thresholds), len(g_box)), dtype=bool)
    last_det = np.full(len(thresholds) * n_groups, -1)
    alive = np.ones(c_det.size, dtype=bool)
    taken = []
    while True:
        alive &= ~gt_taken[c_thr, c_gt] & (c_det > last_det[c_seg])
        live = np.flatnonzero(alive)
        if live.size == 0:
            taken = np.concatenate(taken) if taken else np.empty(0, dtype=np.int64)
            return c_thr[taken], c_det[taken]
        seg = c_seg[live]
        take = live[np.r_[True, seg[1:] != seg[:-1]]]
        gt_taken[c_thr[take], c_gt[take]] = True
        last_det[c_seg[take]] = c_det[take]
        taken.append(take)
