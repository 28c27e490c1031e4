"""Paired trials on the dose levels of a slice, and how many of them order two levels."""
import time

from d2iqa.lesions import Placement
from d2iqa.scoring import ScoringOptions, TrialDetections, run_trials, set_map, trial_rng

#: Trial counts per level tried when looking for the fewest that order two levels.
TRIAL_GRID = (2, 4, 6, 8, 10, 15, 20, 30, 40, 60, 80, 100)


class RecordingDetector:
    """Passes images to a detector and keeps its outputs in call order."""

    def __init__(self, detector):
        self.detector = detector
        self.outputs = []
        self.seconds = 0.0

    def detect(self, images01):
        start = time.perf_counter()
        outputs = self.detector.detect(images01)
        self.seconds += time.perf_counter() - start
        self.outputs.extend(outputs)
        return outputs


def paired_trials(detector, levels01, trials):
    """Scores of the levels on paired trials (one set, placement on the first level), and
    their trials: (scores, [level][trial] TrialDetections, detector seconds)."""
    recorder = RecordingDetector(detector)
    placement = Placement.from_image(levels01[0])
    results = run_trials(levels01, recorder, options=ScoringOptions(trials=trials,
                                                                    set_size=trials),
                         placement=placement)
    lesions = [placement.draw(trial_rng(0, t)) for t in range(trials)]
    per_level = [[TrialDetections(lesions[t].boxes, lesions[t].labels,
                                  *recorder.outputs[t * len(levels01) + level])
                  for t in range(trials)] for level in range(len(levels01))]
    return [r.score for r in results], per_level, recorder.seconds


def order_rate(high, low, n, *, paired, rng, resamples):
    """How often n trials score ``high`` above ``low`` (ties count half)."""
    pool = len(high)
    correct = 0.0
    for _ in range(resamples):
        order = rng.permutation(pool)
        a = order[:n]
        b = a if paired else order[n:2 * n]
        difference = set_map([high[i] for i in a]) - set_map([low[i] for i in b])
        correct += 1.0 if difference > 0 else 0.5 if difference == 0 else 0.0
    return correct / resamples


def order_rates(high, low, *, paired, rng, resamples):
    """{n: order rate} for the TRIAL_GRID counts up to half the pool (both kinds of trials
    then draw from a pool twice their size, so neither reuses all of it in every resample)."""
    largest = len(high) // 2
    return {n: order_rate(high, low, n, paired=paired, rng=rng, resamples=resamples)
            for n in TRIAL_GRID if n <= largest}


def trials_to_order(rates, *, target=0.95):
    """The fewest trials of ``rates`` ({n: rate}) whose rate reaches ``target``, else None."""
    return next((n for n, rate in rates.items() if rate >= target), None)
