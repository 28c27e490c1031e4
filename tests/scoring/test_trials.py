"""The pure trial loop with test detectors: reproducibility, pairing, dose response, eq. 6."""
from dataclasses import replace

import numpy as np
import pytest
from scipy import ndimage

from d2iqa import CTReadError, D2IQAResult, D2IQAScorer, window
from d2iqa.lesions import LesionPlacementError, Placement
from d2iqa.scoring import ScoringOptions, has_converged, run_trials, trial_rng


def test_same_seed_gives_the_same_result(dose_levels, blob_detector):
    levels, clean = dose_levels
    options = ScoringOptions(trials=20, set_size=5, seed=3)
    first = run_trials([window(levels[1], preset='d2iqa')], blob_detector(clean), options=options)
    again = run_trials([window(levels[1], preset='d2iqa')], blob_detector(clean), options=options,
                       batch_size=3)                 # batches do not change the trials
    assert first == again
    assert len(first[0].set_scores) == 4 and first[0].n_trials == 20
    assert 0 < first[0].score < 1 and first[0].sem > 0


def test_first_set_runs_the_rest_of_a_whole_run(dose_levels, blob_detector):
    levels, clean = dose_levels
    images = [window(hu, preset='d2iqa') for hu in levels[:2]]
    options = ScoringOptions(trials=20, set_size=5, seed=3)
    whole = run_trials(images, blob_detector(clean), options=options)
    detector = blob_detector(clean)
    rest = run_trials(images, detector, options=options, first_set=3)
    assert len(detector.received) == 2 * 5                   # only the last set's trials ran
    assert [r.set_scores for r in rest] == [w.set_scores[3:] for w in whole]
    for first_set in (-1, 4):
        with pytest.raises(ValueError, match=f'first_set must be one of the 4 sets of '
                                             f'trials=20, set_size=5: 0 to 3, got {first_set}'):
            run_trials(images, detector, options=options, first_set=first_set)
    with pytest.raises(ValueError, match="first_set needs stop='fixed'"):
        run_trials(images, detector, options=replace(options, stop='converged'), first_set=1)


def test_different_seeds_agree_within_three_standard_errors(dose_levels, blob_detector):
    levels, clean = dose_levels
    image = window(levels[1], preset='d2iqa')
    a, b = (run_trials([image], blob_detector(clean),
                       options=ScoringOptions(trials=40, set_size=5, seed=seed))[0]
            for seed in (0, 1))
    assert a.set_scores != b.set_scores
    assert abs(a.score - b.score) < 3 * np.hypot(a.sem, b.sem)


def _component_boxes(lesion_map):
    labels, _ = ndimage.label(np.abs(lesion_map) > 1e-3)
    return [(s[1].start, s[0].start, s[1].stop, s[0].stop) for s in ndimage.find_objects(labels)]


def test_paired_trials_put_identical_lesions_into_every_dose(dose_levels, blob_detector):
    levels, clean = dose_levels
    images = [window(hu, preset='d2iqa') for hu in levels]
    detector = blob_detector(clean)
    options = ScoringOptions(trials=30, set_size=10, seed=7)
    results = run_trials(images, detector, options=options, batch_size=4)

    # the detector got 30 trials x 3 doses, trial by trial; what it received minus each dose's
    # own image is the lesion map: the same at every dose, and the drawn configuration's
    placement = Placement.from_image(images[0])
    assert len(detector.received) == 90
    for trial in range(30):
        received = detector.received[3 * trial:3 * trial + 3]
        maps = [got - image for got, image in zip(received, images)]
        expected = placement.draw(trial_rng(7, trial))
        boxes = [_component_boxes(m) for m in maps]
        assert boxes[0] == boxes[1] == boxes[2] and len(boxes[0]) == len(expected)
        for lesion_map in maps:
            np.testing.assert_allclose(lesion_map, expected.lesion_map(), atol=1e-6)

    # paired, the noise-sensitive detector ranks the doses: lower dose, lower score
    scores = [r.score for r in results]
    assert scores[0] > scores[1] > scores[2], scores
    assert all(r.n_trials == 30 for r in results)


class ScriptedDetector:
    """Finds every lesion of the first ``share * set_size`` trials of each set, nothing else.

    It knows the lesions of trial t (``trial_rng(seed, t)`` on the placement), and that trials
    arrive in order; so the pooled mAP of set k is about ``shares[k]``.
    """

    def __init__(self, placement, *, seed, set_size, shares):
        self.placement, self.seed, self.set_size, self.shares = placement, seed, set_size, shares
        self.calls = 0

    def detect(self, images01):
        results = []
        for _ in images01:
            number, within = divmod(self.calls, self.set_size)
            if within < self.shares[number] * self.set_size:
                lesions = self.placement.draw(trial_rng(self.seed, self.calls))
                results.append((lesions.boxes, np.ones(len(lesions)), lesions.labels))
            else:
                results.append((np.zeros((0, 4)), np.zeros(0), np.zeros(0, dtype=int)))
            self.calls += 1
        return results


def test_eq6_on_a_scripted_sequence():
    scores = [0.5, 0.505, 0.6, 0.58, 0.585]
    # t = 2 already meets eq. 6 (|0.5025 - 0.5| < 0.01), but min_sets=3 waits; at t = 3, 4
    # the mean still moves by 0.0325 and 0.01125; at t = 5 by 0.00775
    assert has_converged(scores[:2], min_sets=2)
    assert [has_converged(scores[:t]) for t in range(1, 6)] == [False, False, False, False, True]
    assert not has_converged(scores[:5], epsilon=0.005)
    assert not has_converged([0.4], min_sets=1)      # eq. 6 needs two means


#: Up to 4 lesions: the 256-pixel phantom cannot always host 5 of radius 10, 50 px apart.
FEWER = dict(count=(2, 4))


def test_converged_stop_follows_eq6(dose_levels):
    _, clean = dose_levels
    placement = Placement.from_image(clean, config=FEWER)
    # per-trial mAPs are exactly 1 (found) or 0 (missed): set k scores exactly shares[k]
    shares = [0.2, 0.8, 0.2, 0.5, 0.4, 0.6, 0.6, 0.6]
    detector = ScriptedDetector(placement, seed=0, set_size=10, shares=shares)
    options = ScoringOptions(trials=80, set_size=10, stop='converged', aggregate='per_trial')
    (result,) = run_trials([clean], detector, options=options, placement=placement)
    # means 0.2, 0.5, 0.4, 0.425, 0.42: the moves at t = 3, 4, 5 are 0.1, 0.025, 0.005
    np.testing.assert_allclose(result.set_scores, shares[:5], atol=1e-12)
    assert result.converged is True and result.n_trials == 50
    assert detector.calls == 50                     # no trial is run after the stop
    s = result.set_scores
    moves = [abs(np.mean(s[:t]) - np.mean(s[:t - 1])) for t in range(3, 6)]
    assert moves[0] >= 0.01 and moves[1] >= 0.01 and moves[2] < 0.01

    # with epsilon 0.001 it never converges and runs all sets; 'fixed' never asks
    (longer,) = run_trials([clean], ScriptedDetector(placement, seed=0, set_size=10,
                                                     shares=shares), placement=placement,
                           options=options.replace(epsilon=0.001))
    assert longer.n_trials == 80 and longer.converged is False
    (fixed,) = run_trials([clean], ScriptedDetector(placement, seed=0, set_size=10,
                                                    shares=shares), placement=placement,
                          options=options.replace(stop='fixed', trials=30))
    assert len(fixed.set_scores) == 3 and fixed.converged is None


def test_per_trial_aggregation_is_the_mean_of_image_maps(dose_levels):
    _, clean = dose_levels
    placement = Placement.from_image(clean, config=FEWER)
    detector = ScriptedDetector(placement, seed=0, set_size=5, shares=[0.4, 0.6])
    (result,) = run_trials([clean], detector, placement=placement,
                           options=ScoringOptions(trials=10, set_size=5, aggregate='per_trial'))
    # a trial found exactly has mAP 1 (to rounding), one found not at all 0
    np.testing.assert_allclose(result.set_scores, [0.4, 0.6], atol=1e-9)
    assert result.aggregate == 'per_trial'


def test_trial_rng_draws_the_lesions_of_the_mmdet_transform(dose_levels):
    from d2iqa.engine import InsertVirtualLesions
    _, clean = dose_levels
    transform = InsertVirtualLesions(seed=11, seed_fields=('trial',))
    placement = Placement.from_image(clean)
    for trial in (0, 1, 499):
        out = transform(dict(img=clean.copy(), img_path='x.npy', slice_index=0, trial=trial))
        expected = placement.draw(trial_rng(11, trial))
        np.testing.assert_array_equal(out['gt_bboxes'].numpy(), expected.boxes)
        np.testing.assert_array_equal(out['img'], expected.lesion_map() + clean)


def test_result_says_direction_range_and_uncertainty():
    result = D2IQAResult.from_set_scores([0.4, 0.5, 0.6], set_size=100)
    assert result.score == pytest.approx(0.5) and result.sem == pytest.approx(0.1 / 3 ** .5)
    assert result.n_trials == 300 and result.higher_is_better and result.score_range == (0, 1)
    text = str(result)
    assert 'D2IQA score 0.5000 +- 0.0577' in text and '3 sets of 100 trials' in text
    assert 'higher is better, range [0, 1]' in text
    single = D2IQAResult.from_set_scores([0.3], set_size=10)
    assert np.isnan(single.sem) and '1 set, no standard error' in str(single)


@pytest.mark.parametrize('options, message', [
    (dict(trials=250), r'trials \(250\) must be a multiple of set_size \(100\): e.g. '
                       r'trials=200 or trials=300'),
    (dict(trials=0), 'trials must be a positive integer, got 0'),
    (dict(set_size=2.5), 'set_size must be a positive integer, got 2.5'),
    (dict(seed=-1), 'seed must be an integer >= 0, got -1'),
    (dict(stop='early'), r"stop must be one of \('fixed', 'converged'\), got 'early'"),
    (dict(aggregate='mean'), "aggregate must be one of"),
    (dict(epsilon=0), 'epsilon must be a positive number, got 0'),
    (dict(min_sets=1), r'min_sets must be at least 2 \(eq. 6 compares'),
    (dict(trials=200, stop='converged'), r"stop='converged' needs at least min_sets=3 sets, but "
                                         r'trials=200 makes 2 sets of 100: raise trials to 300'),
    (dict(lesion_config='lung'), 'lung'),
])
def test_option_errors_say_how_to_fix_them(options, message):
    with pytest.raises(ValueError, match=message):
        ScoringOptions(**options)


def test_scorer_argument_errors(dose_levels, blob_detector):
    levels, clean = dose_levels
    scorer = D2IQAScorer(detector=blob_detector(clean), trials=10, set_size=5)
    with pytest.raises(TypeError, match=r"unknown scoring option\(s\) \['trails'\]; the "
                                        r"options are \['trials', 'set_size'"):
        scorer.score_slice(levels[0], trails=10)
    with pytest.raises(TypeError, match="unknown scoring option"):
        D2IQAScorer(detector=blob_detector(clean), sets=5)
    with pytest.raises(ValueError, match='must be a multiple of set_size'):
        scorer.score_slice(levels[0], trials=12)
    with pytest.raises(ValueError, match='pass either detector= or checkpoint='):
        D2IQAScorer(detector=blob_detector(clean), checkpoint='x.pth')
    with pytest.raises(TypeError, match='detector must have a detect'):
        D2IQAScorer(detector=object())
    with pytest.raises(ValueError, match='batch_size must be a positive integer, got 0'):
        D2IQAScorer(detector=blob_detector(clean), batch_size=0)
    with pytest.raises(ValueError, match='paired images must share one shape'):
        scorer.score_series([levels[0], levels[0][:200]])
    with pytest.raises(ValueError, match=r'expected \[0, 1\]: window the HU slice first'):
        run_trials([levels[0]], blob_detector(clean), options=ScoringOptions(trials=5,
                                                                             set_size=5))
    with pytest.raises(LesionPlacementError, match='cannot host 2 lesions'):
        scorer.score_slice(np.full((256, 256), -1000, dtype=np.float32))


def test_scorer_scores_hu_like_the_loop_on_the_window(dose_levels, blob_detector):
    levels, clean = dose_levels
    scorer = D2IQAScorer(detector=blob_detector(clean), trials=10, set_size=5, seed=2)
    direct = run_trials([window(levels[1], preset='d2iqa')], blob_detector(clean),
                        options=ScoringOptions(trials=10, set_size=5, seed=2))[0]
    assert scorer.score_slice(levels[1]) == replace(direct, source='images[0]')
    # the dose study's use: the lesions are placed on the full dose given as reference
    on_full = run_trials([window(levels[1], preset='d2iqa')], blob_detector(clean),
                         options=ScoringOptions(trials=10, set_size=5, seed=2),
                         placement=Placement.from_image(clean))[0]
    assert scorer.score_series([levels[1]], reference=levels[0]) == [
        replace(on_full, source='images[0]')]
    # options as one object, or overrides of the scorer's
    assert scorer.score_slice(levels[1], options=ScoringOptions(trials=10, set_size=5,
                                                                seed=2)).score == direct.score
    assert scorer.score_slice(levels[1], seed=3).score != direct.score


def test_pixel_spacing_option_scores_the_resampled_slice(dose_levels, blob_detector):
    from d2iqa import CTSlice
    from d2iqa.io import resample_slice
    levels, _ = dose_levels
    ct = CTSlice(hu=levels[0], source='scan', pixel_spacing=(1.4, 1.4))
    coarse = resample_slice(ct, 1.2)                         # 299 x 299 pixels
    detector = blob_detector(window(coarse.hu, preset='d2iqa'))
    scorer = D2IQAScorer(detector=detector, trials=10, set_size=5, pixel_spacing=1.2)
    result = scorer.score_slice(ct)
    assert {image.shape for image in detector.received} == {(299, 299)}
    assert result == D2IQAScorer(detector=blob_detector(window(coarse.hu, preset='d2iqa')),
                                 trials=10, set_size=5).score_slice(coarse)
    with pytest.raises(CTReadError, match='images\\[0\\]: has no pixel spacing'):
        scorer.score_slice(levels[0])
    with pytest.raises(ValueError, match='pixel_spacing must be None or a size in mm'):
        ScoringOptions(pixel_spacing=-1)
