"""Archive scoring throughput: slices per hour of ``d2iqa score`` in 1 and 2 processes.

One folder of real 512 x 512 slices (the first ``--slices`` validation slices of the
training config when ../shared/data/ct is present, else copies of the embedded abdominal CT
with different noise) is scored three ways with the reference checkpoint and ``--trials``
trials per slice, in one run: one process of one thread, one process of two threads, and
``torchrun`` with two processes of one thread each (gloo). Two figures per run: the whole
command's wall time (start-up of about 10 s included, which a long archive run amortises),
and the steady state: the scoring seconds of the rows (rank r of N scores rows r, r + N, ...;
the busiest rank sets the pace). The rows of the 1- and 2-process runs are checked to be
equal (the ``seconds`` column aside). On CUDA the
GPU runs (1 process, ``--batch-size`` images per detector call) are added; without a GPU the
record says so.

Then the listing of a folder of 2000 small files: ``d2iqa info`` on 2000 small DICOM slices
(64 x 64, one series) and ``discover`` of 2000 junk files (each one error line).

Usage::

    python benchmarks/bench_archive.py [--slices 12] [--trials 20] [--record]
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from _results import load_note, machine, record

from d2iqa.io import discover, embedded_path, load_slice
from d2iqa.simulation import simulate_low_dose

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / 'shared' / 'data' / 'ct'
SECTION = '## Archive scoring'


def make_folder(folder, count):
    """``count`` NPY slices in HU; the source of them, for the record."""
    if SHARED.is_dir():
        from bench_generalisation import CONFIG, validation_set
        here = os.getcwd()
        os.chdir(ROOT)
        entries, _ = validation_set(str(CONFIG))
        os.chdir(here)
        keys = list(dict.fromkeys((e['img_path'], e['slice_index']) for e in entries))
        for number, (path, index) in enumerate(keys[:count]):
            np.save(folder / f'slice{number:03d}.npy', load_slice(path, index=index).hu)
        source = f'the first {min(count, len(keys))} validation slices of ../shared/data/ct'
    else:
        hu = load_slice(embedded_path('explicit_VR-UN.dcm')).hu
        for number in range(count):
            noisy = simulate_low_dose(hu, 0.5, incident_photons=3.8e5, pixel_size=0.86,
                                      seed=number)
            np.save(folder / f'slice{number:03d}.npy', noisy)
        source = f'{count} half-dose versions of the embedded abdominal CT'
    return source


def score(folder, out, *, processes, threads, trials, device='cpu', batch_size=None):
    """Wall seconds of one ``d2iqa score`` run."""
    options = ['--values', 'hu', '--trials', str(trials), '--set-size', str(trials),
               '--quiet', '--out', str(out), '--device', device]
    if batch_size:
        options += ['--batch-size', str(batch_size)]
    if processes == 1:
        command = [sys.executable, '-m', 'd2iqa', 'score', str(folder), '--threads',
                   str(threads), *options]
    else:
        command = [sys.executable, '-m', 'torch.distributed.run', '--standalone',
                   f'--nproc_per_node={processes}', '-m', 'd2iqa', 'score', str(folder),
                   '--launcher', 'pytorch', '--threads', str(threads), *options]
    env = {**os.environ, 'OMP_NUM_THREADS': str(threads)}
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def read_rows(path):
    with open(path, newline='') as stream:
        return list(csv.DictReader(stream))


def without_seconds(rows):
    return [{k: v for k, v in row.items() if k != 'seconds'} for row in rows]


def scoring_seconds(rows, processes):
    """Seconds the busiest rank spent scoring: rank r of N scored rows r, r + N, ..."""
    return max(sum(float(row['seconds']) for row in rows[rank::processes])
               for rank in range(processes))


def listing(folder):
    """Seconds to list 2000 small DICOM slices with d2iqa info, and to discover 2000 junk files."""
    sys.path.insert(0, str(ROOT / 'tests'))
    from conftest import write_ct_dicom
    dicom, junk = folder / 'dicom', folder / 'junk'
    dicom.mkdir()
    junk.mkdir()
    raw = np.full((64, 64), 1000, np.int16)
    for number in range(2000):
        write_ct_dicom(dicom / f'IM{number:05d}.dcm', raw, position=(0, 0, number),
                       series_uid='1.2.3.9')
        (junk / f'IM{number:05d}').write_bytes(b'not an image %d' % number)
    start = time.perf_counter()
    subprocess.run([sys.executable, '-m', 'd2iqa', 'info', str(dicom)], check=True,
                   stdout=subprocess.DEVNULL)
    info_seconds = time.perf_counter() - start
    start = time.perf_counter()
    found = discover(junk)
    discover_seconds = time.perf_counter() - start
    assert len(found.errors) == 2000
    return info_seconds, discover_seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--slices', type=int, default=12, help='slices in the folder')
    parser.add_argument('--trials', type=int, default=20, help='trials per slice (one set)')
    parser.add_argument('--batch-size', type=int, default=32,
                        help='images per detector call on a GPU')
    parser.add_argument('--note', default='',
                        help='what else the machine was doing, for the record (e.g. a paused job)')
    parser.add_argument('--record', action='store_true',
                        help=f'write the table to the "{SECTION[3:]}" section of RESULTS.md')
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        folder = work / 'slices'
        folder.mkdir()
        source = make_folder(folder, args.slices)
        runs = [('1 process x 1 thread', dict(processes=1, threads=1)),
                ('1 process x 2 threads', dict(processes=1, threads=2)),
                ('2 processes x 1 thread (torchrun, gloo)', dict(processes=2, threads=1))]
        if torch.cuda.is_available():
            runs.append((f'1 process, {torch.cuda.get_device_name(0)}, batch '
                         f'{args.batch_size}', dict(processes=1, threads=1, device='cuda',
                                                    batch_size=args.batch_size)))
        lines = [f'{source}; the reference checkpoint, {args.trials} trials per slice; whole '
                 'command wall time, start-up included.', '',
                 '| run | wall s | slices per hour (wall) | vs 1 x 1 | scoring s (busiest rank) '
                 '| slices per hour (steady) | vs 1 x 1 |', '|---|---:|---:|---:|---:|---:|---:|']
        figures = []
        for number, (name, options) in enumerate(runs):
            wall = score(folder, work / f'run{number}' / 'r.csv', trials=args.trials, **options)
            steady = scoring_seconds(read_rows(work / f'run{number}' / 'r.csv'),
                                     options['processes'])
            figures.append((wall, steady))
            base_wall, base_steady = figures[0]
            lines.append(f'| {name} | {wall:.1f} | {args.slices / wall * 3600:.0f} | '
                         f'{base_wall / wall:.2f}x | {steady:.1f} | '
                         f'{args.slices / steady * 3600:.0f} | {base_steady / steady:.2f}x |')
            print(lines[-1], flush=True)
        equal = without_seconds(read_rows(work / 'run0' / 'r.csv')) == \
            without_seconds(read_rows(work / 'run2' / 'r.csv'))
        lines += ['', f'Rows of the 1- and 2-process runs equal (all columns but seconds): '
                      f'{"yes" if equal else "NO"}.']
        if not torch.cuda.is_available():
            lines.append('No GPU on this machine: no GPU figures.')
        info_seconds, discover_seconds = listing(work)
        lines += ['', f'Listing: `d2iqa info` on 2000 small DICOM slices (64 x 64, one series) '
                      f'{info_seconds:.1f} s (start-up included); `discover` of 2000 junk '
                      f'files (2000 error lines) {discover_seconds:.2f} s.']
    lines += ['', f'Machine: {machine(("torch", "onedl-mmcv", "onedl-mmdetection"))}; '
                  f'{load_note(load_before)}{args.note and "; " + args.note}.']
    print('\n'.join(lines))
    if args.record:
        record(SECTION, 'bench_archive.py', '\n'.join(lines))


if __name__ == '__main__':
    main()
