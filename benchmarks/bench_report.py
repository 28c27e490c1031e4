"""Report building: seconds and size of the HTML report of 100 series x 50 slices.

Made-up results (scores along each series with noise, CTDIvol and mAs from the headers of a
typical protocol, three series far below the others) in the CSV format of ``d2iqa score``;
every slice's file is one of 8 half-dose versions of the embedded abdominal CT, so that the
8 lowest-scoring slices are drawn with one trial of the reference detector, as in a real
report. The time covers reading the CSV, every figure and thumbnail, the detector runs and
writing the page; the page is compared with the targets (30 s, 20 MB).

Usage::

    python benchmarks/bench_report.py [--series 100] [--slices 50] [--record]
"""
import argparse
import csv
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from _results import load_note, machine, record

from d2iqa.io import embedded_path, load_slice
from d2iqa.report import build_report
from d2iqa.scoring.batch import SLICE_FIELDS
from d2iqa.scoring.scorer import REFERENCE_CHECKPOINT
from d2iqa.simulation import simulate_low_dose

SECTION = '## Report building'


def made_up_results(folder, *, series, slices):
    """The CSV and settings of a made-up run; returns the CSV path."""
    hu = load_slice(embedded_path('explicit_VR-UN.dcm')).hu
    files = []
    for number in range(8):
        path = folder / f'slice{number}.npy'
        np.save(path, simulate_low_dose(hu, 0.5, incident_photons=3.8e5, pixel_size=0.86,
                                        seed=number))
        files.append(path)
    rng = np.random.default_rng(0)
    rows = []
    for s in range(series):
        level = 0.35 + 0.05 * rng.standard_normal() - (0.3 if s in (7, 41, 77) else 0)
        for k in range(slices):
            z = 2.5 * k
            rows.append({'file': str(files[(s + k) % 8]), 'series_uid': f'1.2.840.99.{s}',
                         'slice_index': 0, 'slice_position': z,
                         'score': level + 0.05 * np.sin(z / 20) + 0.02 * rng.standard_normal(),
                         'sem': 0.01 + 0.005 * rng.random(), 'trials': 500,
                         'ctdi_vol': 8 + 4 * np.cos(z / 30), 'exposure_mas': 180 + 60 * np.cos(z / 30),
                         'kvp': 120, 'kernel': ('B30f', 'Br40', 'STANDARD')[s % 3],
                         'pixel_spacing': 0.7, 'slice_thickness': 2.0,
                         'manufacturer': ('SIEMENS', 'GE MEDICAL SYSTEMS')[s % 2],
                         'model': ('Force', 'Revolution')[s % 2],
                         'sop_instance_uid': f'1.2.840.99.{s}.{k}', 'seconds': 160.0})
    path = folder / 'results.csv'
    with open(path, 'w', newline='') as stream:
        writer = csv.DictWriter(stream, fieldnames=SLICE_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    (folder / 'results_settings.json').write_text(json.dumps(
        {'scorer': 'd2iqa', 'checkpoint': str(REFERENCE_CHECKPOINT), 'trials': 500,
         'set_size': 100, 'seed': 0, 'values': 'hu'}))
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--series', type=int, default=100)
    parser.add_argument('--slices', type=int, default=50, help='slices per series')
    parser.add_argument('--note', default='',
                        help='what else the machine was doing, for the record (e.g. a paused job)')
    parser.add_argument('--record', action='store_true',
                        help=f'write the figures to the "{SECTION[3:]}" section of RESULTS.md')
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        results = made_up_results(work, series=args.series, slices=args.slices)
        start = time.perf_counter()
        html = build_report([results], out=work / 'report.html')
        seconds = time.perf_counter() - start
        size = html.stat().st_size / 2 ** 20
        text = html.read_text()
        images = text.count('<img src="data:image/png;base64,')
        flagged = text.count('<tr class="outlier">')
    lines = [f'{args.series} series x {args.slices} slices (made-up scores, 3 series far below '
             'the others); the 8 lowest-scoring slices drawn with one trial of the reference '
             'detector.', '',
             '| figure | measured | target |', '|---|---:|---:|',
             f'| build time (read, figures, thumbnails, page) | {seconds:.1f} s | < 30 s |',
             f'| size of the HTML file | {size:.1f} MB | < 20 MB |',
             f'| inlined figures | {images} | |',
             f'| series flagged as outliers | {flagged} (3 made low) | |', '',
             f'Machine: {machine(("matplotlib", "numpy"))}; {load_note(load_before)}{args.note and "; " + args.note}.']
    print('\n'.join(lines))
    if args.record:
        record(SECTION, 'bench_report.py', '\n'.join(lines))


if __name__ == '__main__':
    main()
