"""Tests of d2iqa.evaluation.coco_map against pycocotools' COCOeval, the outside truth."""
import contextlib
import io

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from d2iqa.evaluation.coco_map import (COCO_IOU_THRESHOLDS, COCOMapResult, coco_evaluate,
                                       coco_map, per_image_map)
from d2iqa.evaluation.pycocotools_reference import pycocotools_eval as reference_eval

TOL = 1e-12
CLASSES = 4


# --- pycocotools reference ------------------------------------------------------------------

def reference_figures(evaluator):
    """AP, AP50, AP75, AR and per-class AP as COCOeval.summarize computes them, -1 -> NaN.

    Read from ``eval`` for area 'all' and the last maxDets, so custom maxDets work too.
    """
    precision = evaluator.eval['precision'][:, :, :, 0, -1]
    recall = evaluator.eval['recall'][:, :, 0, -1]
    thresholds = evaluator.params.iouThrs

    def mean(s):
        return float(np.mean(s[s > -1])) if np.any(s > -1) else np.nan

    return {'ap': mean(precision), 'ap50': mean(precision[np.where(thresholds == .5)[0]]),
            'ap75': mean(precision[np.where(thresholds == .75)[0]]), 'ar': mean(recall),
            'class_ap': np.array([mean(precision[:, :, k]) for k in range(precision.shape[2])]),
            'precision': np.where(precision > -1, precision, np.nan),
            'recall': np.where(recall > -1, recall, np.nan)}


# --- random cases ---------------------------------------------------------------------------

def random_boxes(rng, n, size, grid):
    """n boxes inside a size x size image, on the integer grid (touching, exact IoUs) or not."""
    wh = rng.uniform(2, size / 3, (n, 2))
    xy = rng.uniform(0, size, (n, 2)) - wh / 2
    boxes = np.concatenate([xy, xy + wh], axis=1)
    return np.round(boxes) if grid else boxes


def random_case(seed, *, size=64, max_images=5, max_gt=4, max_spurious=10):
    """Seeded case with the situations COCOeval must get right.

    Empty detections for some or all images, images without gt, classes absent from the gt
    but detected, ties in scores, duplicate and touching boxes, more than 100 detections in
    one class of one image, perfect detections, float32 inputs, and some cases with a small
    max_dets or custom IoU thresholds.
    """
    rng = np.random.default_rng(seed)
    grid = rng.random() < .5
    ties = rng.random() < .5
    gt_classes = rng.choice(CLASSES, rng.integers(1, CLASSES + 1), replace=False)
    no_dets = rng.random() < .05
    crowded = seed % 25 == 0
    perfect = seed % 13 == 6
    case = {k: [] for k in ('gt_boxes', 'gt_labels', 'det_boxes', 'det_scores', 'det_labels')}
    for image in range(rng.integers(1, max_images + 1)):
        n_gt = rng.integers(0, max_gt + 1)
        gt = random_boxes(rng, n_gt, size, grid)
        gt_labels = rng.choice(gt_classes, n_gt)
        if n_gt and rng.random() < .1:  # a duplicated gt: equal IoUs, the last gt wins
            gt, gt_labels = np.concatenate([gt, gt[:1]]), np.concatenate([gt_labels, gt_labels[:1]])
            n_gt += 1
        # detections near the gt (jittered, some twice), spurious ones and exact duplicates
        near = np.repeat(np.arange(n_gt), rng.integers(0, 3, n_gt))
        jitter = rng.normal(0, 1.5, (near.size, 4))
        det = np.concatenate([gt[near] + (np.round(jitter) if grid else jitter),
                              random_boxes(rng, rng.integers(0, max_spurious + 1), size, grid)])
        det[:, 2:] = np.maximum(det[:, 2:], det[:, :2])
        labels = np.concatenate([gt_labels[near], rng.integers(0, CLASSES, len(det) - near.size)])
        wrong = rng.random(len(det)) < .1
        labels[wrong] = rng.integers(0, CLASSES, wrong.sum())
        if len(det) and rng.random() < .3:
            dup = rng.integers(0, len(det), rng.integers(1, 4))
            det, labels = np.concatenate([det, det[dup]]), np.concatenate([labels, labels[dup]])
        if no_dets or rng.random() < .15:
            det, labels = det[:0], labels[:0]
        if crowded and image == 0:  # more than max_dets=100 in one class
            extra = random_boxes(rng, rng.integers(100, 160), size, grid)
            det = np.concatenate([det, extra])
            labels = np.concatenate([labels, np.full(len(extra), gt_classes[0])])
        if perfect:
            det, labels = gt.copy(), gt_labels.copy()
        scores = rng.choice([.2, .5, .9], len(det)) if ties else rng.random(len(det))
        if rng.random() < .2:
            det, scores, labels = det.astype(np.float32), scores.astype(np.float32), \
                labels.astype(np.int32)
        for key, value in zip(case, (gt, gt_labels, det, scores, labels)):
            case[key].append(value)
    options = {}
    if seed % 7 == 3:
        options['max_dets'] = int(rng.integers(1, 6))
    if seed % 11 == 5:
        options['iou_thresholds'] = [0., .3, .5, .75, .9, 1.]
    return case, options


def assert_same(ours, reference):
    """NaN at the same places, equal to TOL elsewhere."""
    ours, reference = np.asarray(ours, dtype=float), np.asarray(reference, dtype=float)
    assert np.array_equal(np.isnan(ours), np.isnan(reference))
    defined = ~np.isnan(reference)
    assert np.max(np.abs(ours[defined] - reference[defined]), initial=0.) <= TOL


# --- equivalence with pycocotools -----------------------------------------------------------

@pytest.mark.parametrize('seed', range(200))
def test_pooled_equals_pycocotools(seed):
    case, options = random_case(seed)
    result = coco_evaluate(**case, **options)
    reference = reference_figures(reference_eval(**case, **options))
    for name in ('ap', 'ap50', 'ap75', 'ar', 'class_ap', 'precision', 'recall'):
        assert_same(getattr(result, name), reference[name])
    assert_same(coco_map(**case, **options), reference['ap'])


@pytest.mark.parametrize('seed', range(40))
def test_per_trial_equals_per_image_pycocotools(seed):
    case, options = random_case(1000 + seed)
    reference = np.array([
        reference_figures(reference_eval(*([case[k][i]] for k in case), **options))['ap']
        for i in range(len(case['gt_boxes']))])
    assert_same(per_image_map(**case, **options), reference)
    defined = reference[~np.isnan(reference)]
    expected = defined.mean() if defined.size else np.nan
    assert_same(coco_map(**case, **options, aggregation='per_trial'), expected)


_BOX = st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(0, 4), st.integers(0, 4))
_IMAGE = st.tuples(
    st.lists(st.tuples(_BOX, st.integers(0, 2)), max_size=4),
    st.lists(st.tuples(_BOX, st.integers(0, 2), st.sampled_from([.1, .5, .9])), max_size=8))


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(_IMAGE, min_size=1, max_size=3))
def test_tiny_grids_equal_pycocotools(images):
    """Boxes of 0-4 px on a 10 px grid: many coincide, touch, have zero area or tie in IoU."""
    def xyxy(boxes):
        return np.array([[x, y, x + w, y + h] for x, y, w, h in boxes], float).reshape(-1, 4)

    case = {'gt_boxes': [xyxy(b for b, _ in gt) for gt, _ in images],
            'gt_labels': [np.array([k for _, k in gt], dtype=int) for gt, _ in images],
            'det_boxes': [xyxy(b for b, _, _ in det) for _, det in images],
            'det_scores': [np.array([s for _, _, s in det]) for _, det in images],
            'det_labels': [np.array([k for _, k, _ in det], dtype=int) for _, det in images]}
    reference = reference_figures(reference_eval(**case, num_classes=3))
    result = coco_evaluate(**case, num_classes=3)
    for name in ('ap', 'class_ap', 'precision', 'recall'):
        assert_same(getattr(result, name), reference[name])
    per_image = [reference_figures(reference_eval(*([case[k][i]] for k in case),
                                                  num_classes=3))['ap']
                 for i in range(len(images))]
    assert_same(per_image_map(**case, num_classes=3), per_image)


def test_reference_figures_match_summarize():
    """The figures read from COCOeval.eval are the ones summarize() prints (stats 0, 1, 2, 8)."""
    for seed in range(10):
        evaluator = reference_eval(**random_case(seed)[0])
        with contextlib.redirect_stdout(io.StringIO()):
            evaluator.summarize()
        figures = reference_figures(evaluator)
        stats = np.where(evaluator.stats > -1, evaluator.stats, np.nan)
        assert_same([figures[k] for k in ('ap', 'ap50', 'ap75', 'ar')], stats[[0, 1, 2, 8]])


@pytest.mark.slow
@pytest.mark.parametrize('block', range(10))
def test_pooled_equals_pycocotools_sweep(block):
    """2000 larger cases: up to 20 images of 256 px, up to 8 gt and 60 spurious boxes each."""
    for seed in range(10_000 + 200 * block, 10_000 + 200 * (block + 1)):
        case, options = random_case(seed, size=256, max_images=20, max_gt=8, max_spurious=60)
        assert_same(coco_map(**case, **options),
                    reference_figures(reference_eval(**case, **options))['ap'])


# --- hand-computed cases --------------------------------------------------------------------

def one_image(gt, gt_labels, det, scores, det_labels):
    return {'gt_boxes': [np.array(gt, float).reshape(-1, 4)], 'gt_labels': [np.array(gt_labels)],
            'det_boxes': [np.array(det, float).reshape(-1, 4)], 'det_scores': [np.array(scores)],
            'det_labels': [np.array(det_labels, dtype=int)]}


def test_perfect_detection_is_one():
    case = one_image([[10, 10, 30, 30], [40, 40, 60, 58]], [0, 2],
                     [[40, 40, 60, 58], [10, 10, 30, 30]], [.8, .9], [2, 0])
    assert coco_map(**case) == pytest.approx(1., abs=TOL)


def test_iou_072_is_found_at_five_of_ten_thresholds():
    # IoU = 72 / 100: a true positive at 0.50 ... 0.70, missed from 0.75 on.
    result = coco_evaluate(**one_image([[0, 0, 10, 10]], [1], [[0, 0, 10, 7.2]], [.9], [1]))
    assert result.ap == pytest.approx(.5, abs=TOL)
    assert result.ap50 == pytest.approx(1., abs=TOL)
    assert result.ap75 == 0.
    assert result.ar == .5
    np.testing.assert_array_equal(result.num_gt, [0, 1, 0, 0])
    assert np.isnan(result.class_ap[[0, 2, 3]]).all()


def test_false_positive_ranked_first_halves_precision():
    # Precision 0/1 then 1/2, made monotone: 0.5 at every recall point.
    case = one_image([[0, 0, 10, 10]], [0], [[50, 50, 60, 60], [0, 0, 10, 10]], [.9, .1], [0, 0])
    assert coco_map(**case) == pytest.approx(.5, abs=TOL)


def test_half_recall_gives_51_of_101_points():
    case = one_image([[0, 0, 10, 10], [20, 20, 30, 30]], [0, 0], [[0, 0, 10, 10]], [.9], [0])
    assert coco_map(**case) == pytest.approx(51 / 101, abs=TOL)


def test_duplicate_ranked_after_match_does_not_lower_ap():
    case = one_image([[0, 0, 10, 10]], [0], [[0, 0, 10, 10]] * 2, [.5, .5], [0, 0])
    assert coco_map(**case) == pytest.approx(1., abs=TOL)


def test_equal_iou_goes_to_the_last_gt():
    # The first detection has IoU 95/105 = 0.905 with both gt; COCOeval gives it the last one,
    # so the second detection (exactly the first gt) matches too: AP 1 at 0.50 ... 0.90. At 0.95
    # the first is a false positive ranked first: precision 1/2 up to recall 1/2.
    # Taking the first gt would leave the second detection IoU 90/110 with the other one.
    case = one_image([[0, 0, 10, 10], [1, 0, 11, 10]], [0, 0],
                     [[.5, 0, 10.5, 10], [0, 0, 10, 10]], [.9, .8], [0, 0])
    assert coco_map(**case) == pytest.approx((9 + .5 * 51 / 101) / 10, abs=TOL)
    assert_same(coco_map(**case), reference_figures(reference_eval(**case))['ap'])


def test_classes_without_gt_are_skipped():
    # Class 3 has detections only: it does not count, so the mAP stays 1.
    case = one_image([[0, 0, 10, 10]], [0], [[0, 0, 10, 10], [30, 30, 40, 40]], [.5, .9], [0, 3])
    assert coco_map(**case) == pytest.approx(1., abs=TOL)


def test_only_the_top_max_dets_per_class_count():
    # The true positive is the 3rd of class 0: with max_dets=2 it is cut.
    case = one_image([[0, 0, 10, 10]], [0], [[20, 20, 30, 30], [40, 40, 50, 50], [0, 0, 10, 10]],
                     [.9, .8, .7], [0, 0, 0])
    assert coco_map(**case, max_dets=2) == 0.
    assert coco_map(**case, max_dets=3) == pytest.approx(1 / 3, abs=TOL)


def test_no_gt_gives_nan_and_no_detections_give_zero():
    no_gt = one_image([], [], [[0, 0, 10, 10]], [.9], [0])
    assert np.isnan(coco_map(**no_gt))
    assert np.isnan(coco_map(**no_gt, aggregation='per_trial'))
    assert np.isnan(coco_evaluate(**no_gt).ap50)
    assert coco_map(**one_image([[0, 0, 10, 10]], [0], [], [], [])) == 0.
    empty = {k: [] for k in ('gt_boxes', 'gt_labels', 'det_boxes', 'det_scores', 'det_labels')}
    assert np.isnan(coco_map(**empty))
    assert per_image_map(**empty).shape == (0,)


def test_pooled_and_per_trial_differ():
    # Image 1: perfect. Image 2: one FP ranked above its TP (AP 0.5 alone). Pooled, the FP of
    # image 2 outranks the TP of image 1 too.
    case = {'gt_boxes': [np.array([[0., 0, 10, 10]])] * 2, 'gt_labels': [np.array([0])] * 2,
            'det_boxes': [np.array([[0., 0, 10, 10]]),
                          np.array([[50., 50, 60, 60], [0, 0, 10, 10]])],
            'det_scores': [np.array([.5]), np.array([.9, .4])],
            'det_labels': [np.array([0]), np.array([0, 0])]}
    np.testing.assert_allclose(per_image_map(**case), [1., .5], atol=TOL)
    assert coco_map(**case, aggregation='per_trial') == pytest.approx(.75, abs=TOL)
    assert coco_map(**case) == pytest.approx(2 / 3, abs=TOL)  # precision 0, 1/2, 2/3 -> 2/3
    assert_same(coco_map(**case), reference_figures(reference_eval(**case))['ap'])


def test_result_fields():
    case, _ = random_case(3)
    result = coco_evaluate(**case)
    assert isinstance(result, COCOMapResult)
    assert result.precision.shape == (10, 101, CLASSES)
    assert result.recall.shape == (10, CLASSES)
    np.testing.assert_array_equal(result.iou_thresholds, COCO_IOU_THRESHOLDS)
    assert 'precision' not in repr(result)


# --- input validation -----------------------------------------------------------------------

def valid_case():
    return one_image([[0, 0, 10, 10]], [0], [[0, 0, 10, 10]], [.9], [0])


@pytest.mark.parametrize('change, message', [
    ({'gt_boxes': [np.zeros((1, 3))]}, r'gt_boxes\[0\] has shape \(1, 3\); expected \(N, 4\)'),
    ({'det_boxes': [np.zeros(4)]}, r'det_boxes\[0\] has shape \(4,\)'),
    ({'gt_labels': [np.array([0, 1])]}, r'gt_labels\[0\] has 2 labels but gt_boxes\[0\] has 1'),
    ({'det_labels': [np.array([[0]])]}, r'det_labels\[0\] has shape \(1, 1\)'),
    ({'gt_labels': [np.array([0.])]}, r'gt_labels\[0\] has dtype float64; expected integer'),
    ({'det_scores': [np.array([.9, .8])]}, r'det_scores\[0\] has shape \(2,\) but det_boxes'),
    ({'gt_labels': [np.array([4])]}, r'gt_labels\[0\] has label 4 outside \[0, 4\)'),
    ({'det_labels': [np.array([-1])]}, r'det_labels\[0\] has label -1 outside \[0, 4\)'),
    ({'gt_boxes': [np.array([[0, 0, np.nan, 10]])]}, r'gt_boxes\[0\] contains NaN or infinite'),
    ({'det_boxes': [np.array([[0, 0, np.inf, 10]])]}, r'det_boxes\[0\] contains NaN or inf'),
    ({'det_scores': [np.array([np.nan])]}, r'det_scores\[0\] contains NaN or infinite'),
    ({'gt_boxes': [np.array([[10., 0, 0, 10]])]}, r'gt_boxes\[0\] has a box with x2 < x1'),
    ({'det_boxes': [np.array([[0., 0, 2e5, 2e5]])]}, r"det_boxes\[0\] has a box larger than"),
    ({'det_labels': []}, r'det_labels has 0 entries but gt_boxes has 1'),
    ({'gt_boxes': np.zeros((1, 4))}, r'gt_boxes must be a sequence with one array per image'),
])
def test_invalid_inputs_name_the_argument(change, message):
    with pytest.raises(ValueError, match=message):
        coco_map(**{**valid_case(), **change})


def test_error_names_the_image():
    case = {k: v * 3 for k, v in valid_case().items()}
    case['det_labels'] = [np.array([0]), np.array([0]), np.array([7])]
    with pytest.raises(ValueError, match=r'det_labels\[2\] has label 7 outside \[0, 4\)'):
        coco_map(**case)


@pytest.mark.parametrize('options, message', [
    ({'num_classes': 0}, 'num_classes must be a positive integer'),
    ({'max_dets': 0}, 'max_dets must be a positive integer'),
    ({'max_dets': 2.5}, 'max_dets must be a positive integer'),
    ({'iou_thresholds': [.5, 1.5]}, r'iou_thresholds must be .* in \[0, 1\]'),
    ({'iou_thresholds': []}, 'iou_thresholds must be a non-empty'),
    ({'aggregation': 'mean'}, r"aggregation must be one of \('pooled', 'per_trial'\)"),
])
def test_invalid_options(options, message):
    with pytest.raises(ValueError, match=message):
        coco_map(**valid_case(), **options)


def test_empty_lists_are_accepted_as_no_boxes():
    case = valid_case()
    case.update(det_boxes=[[]], det_scores=[[]], det_labels=[[]])
    assert coco_map(**case) == 0.
