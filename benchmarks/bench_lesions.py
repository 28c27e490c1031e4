"""Benchmark of the D2IQA lesion generator on one CPU core: placement mask and one trial.

Targets (issue 3): the placement mask of a 512 x 512 slice in <= 1 s; one trial (draw a
configuration, add it to the slice) in <= 5 ms once the slice's ``Placement`` is cached.

Slices: the 20 real abdominal slices of ../shared/data/ct/totalsegmentator-abdomen-dicom when
present, else pydicom-data's abdominal slice. BLAS and OpenMP are limited to one thread.

Usage::

    python benchmarks/bench_lesions.py [--trials 5000] [--repeat 3] [--record]

``--record`` also writes the figures to the "Lesions" section of benchmarks/RESULTS.md
(replacing that section only).
"""
import os

for _name in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[_name] = '1'

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from _results import RESULTS, load_note, machine, record  # noqa: E402

from d2iqa import load_series, load_slice, window  # noqa: E402
from d2iqa.lesions import Placement, add_lesions, body_mask, saliency_map  # noqa: E402
from d2iqa.lesions.shapes import lesion_stamp  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SECTION = '## Lesions'
SHARED_SERIES = ROOT.parent / 'shared' / 'data' / 'ct' / 'totalsegmentator-abdomen-dicom'


def slices():
    """The benchmark slices in [0, 1], and where they come from."""
    if SHARED_SERIES.is_dir():
        loaded = load_series(SHARED_SERIES)
        source = f'{len(loaded)} slices of ../shared/data/ct/{SHARED_SERIES.name}'
    else:
        from pydicom.data import get_testdata_file
        loaded = [load_slice(get_testdata_file('explicit_VR-UN.dcm', download=False))]
        source = "pydicom-data's explicit_VR-UN.dcm"
    return [window(s.hu, preset='d2iqa') for s in loaded], source


def median_time(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def trial_times(placement, image, rng, count):
    """Seconds of each of ``count`` trials: draw a configuration, add it to the slice."""
    times = np.empty(count)
    for i in range(count):
        start = time.perf_counter()
        add_lesions(image, placement.draw(rng))
        times[i] = time.perf_counter() - start
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--trials', type=int, default=5000, help='timed trials (default 5000)')
    parser.add_argument('--repeat', type=int, default=3,
                        help='timed calls of each mask step per slice (default 3)')
    parser.add_argument('--record', action='store_true',
                        help=f'write the figures to the "{SECTION[3:]}" section of {RESULTS}')
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    images, source = slices()

    steps = {'saliency_map': [], 'body_mask': [], 'Placement (valid centres)': [], 'total': []}
    for image in images:
        saliency = median_time(lambda: saliency_map(image), args.repeat)
        body = median_time(lambda: body_mask(image), args.repeat)
        allowed = (saliency_map(image) >= 0.4) & body_mask(image)
        centres = median_time(lambda: Placement(allowed), args.repeat)
        for name, value in zip(steps, (saliency, body, centres, saliency + body + centres)):
            steps[name].append(value)

    placement = Placement.from_image(images[0])
    rng = np.random.default_rng(0)
    lesion_stamp.cache_clear()
    cold = trial_times(placement, images[0], rng, 200)
    trial_times(placement, images[0], rng, 2000)  # fills the stamp cache
    warm = trial_times(placement, images[0], rng, args.trials)
    doses = [images[0]] * 7
    start = time.perf_counter()
    for _ in range(1000):
        add_lesions(doses, placement.draw(rng))
    paired = (time.perf_counter() - start) / 1000

    lines = [f'Slices: {source}, 512 x 512. Mask steps: median over the slices of the median '
             f'of {args.repeat} calls, and the maximum over the slices.', '',
             '| placement mask step | median (ms) | max (ms) |', '|---|---:|---:|']
    lines += [f'| {name} | {np.median(v) * 1e3:.0f} | {np.max(v) * 1e3:.0f} |'
              for name, v in steps.items()]
    lines += ['', 'Trials on slice 0 with its Placement cached (draw a configuration and add it '
                  'to a float32 copy of the slice):', '',
              '| trial | median (ms) | mean (ms) | 99th percentile (ms) |', '|---|---:|---:|---:|',
              f'| first 200, empty shape cache | {np.median(cold) * 1e3:.2f} | '
              f'{cold.mean() * 1e3:.2f} | {np.percentile(cold, 99) * 1e3:.2f} |',
              f'| {args.trials}, shapes cached | {np.median(warm) * 1e3:.3f} | '
              f'{warm.mean() * 1e3:.3f} | {np.percentile(warm, 99) * 1e3:.3f} |',
              f'| paired: one draw added to 7 dose levels (mean of 1000) | | '
              f'{paired * 1e3:.3f} | |']
    lines += ['', f'Machine: {machine(("numpy", "scipy", "scikit-image"), note="timed on one")}; '
                  f'{load_note(load_before)}.']
    print('\n'.join(lines))
    if args.record:
        record(SECTION, 'bench_lesions.py', '\n'.join(lines))


if __name__ == '__main__':
    main()
