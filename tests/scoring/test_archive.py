"""Archive-scale batch scoring: torch.distributed ranks, the output lock, bad input."""
import csv
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from skimage import io as skio

from d2iqa import D2IQAScorer
from d2iqa.cli import main
from d2iqa.scoring.batch import score_study
from d2iqa.scoring.lock import OutputLock, OutputLockedError, write_atomic
from d2iqa.simulation import abdomen_phantom

WORKER = Path(__file__).with_name('dist_worker.py')
REPOSITORY = Path(__file__).resolve().parents[2]


class NoDetections:
    """A detector that finds nothing (every score 0): for tests of what gets scored."""

    def detect(self, images):
        return [(np.zeros((0, 4)), np.zeros(0), np.zeros(0, int)) for _ in images]


def null_scorer():
    return D2IQAScorer(detector=NoDetections(), trials=2, set_size=1)


def read(path):
    with open(path, newline='') as stream:
        return list(csv.DictReader(stream))


def without_seconds(rows):
    return [{k: v for k, v in row.items() if k != 'seconds'} for row in rows]


def torchrun(nproc, *args, check=True):
    """Run ``args`` (a script and its arguments) in ``nproc`` gloo processes."""
    command = [sys.executable, '-m', 'torch.distributed.run', '--standalone',
               f'--nproc_per_node={nproc}', *map(str, args)]
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONPATH': str(REPOSITORY)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    if check and done.returncode:
        raise AssertionError(f'{command} failed ({done.returncode}):\n{done.stderr[-3000:]}')
    return done


@pytest.fixture(scope='module')
def phantom_hu():
    return abdomen_phantom(256, pixel_size=1.4, seed=0).astype(np.float32)


@pytest.fixture(scope='module')
def npy_folder(tmp_path_factory, phantom_hu):
    """Eight different slices (each its own NPY series), for the distributed runs."""
    root = tmp_path_factory.mktemp('npy')
    for number in range(8):
        np.save(root / f'slice{number}.npy', phantom_hu + 10 * number)
    return root


@pytest.fixture(scope='module')
def bad_inputs(tmp_path_factory, phantom_hu, write_dicom):
    """A study folder with one axial series and every kind of bad input of the issue list."""
    root = tmp_path_factory.mktemp('bad')
    raw = (phantom_hu + 1024).astype(np.int16)
    series = root / 'series'
    series.mkdir()
    for z in range(3):
        write_dicom(series / f'{z}.dcm', raw, position=(0, 0, 3 * z), series_uid='1.1')
    truncated = write_dicom(series / 'truncated.dcm', raw, position=(0, 0, 9), series_uid='1.1')
    truncated.write_bytes(truncated.read_bytes()[:-20000])
    write_dicom(series / 'coronal.dcm', raw, position=(0, 0, 12), series_uid='1.1',
                orientation=(1, 0, 0, 0, 0, -1))
    sagittal = root / 'sagittal'
    sagittal.mkdir()
    write_dicom(sagittal / 'a.dcm', raw, series_uid='1.5', orientation=(0, 1, 0, 0, 0, -1))
    import pydicom
    no_pixels = pydicom.dcmread(series / '0.dcm')
    del no_pixels.PixelData
    no_pixels.SeriesInstanceUID = '1.2'
    no_pixels.save_as(root / 'no_pixels.dcm')
    write_dicom(root / 'mr.dcm', raw, modality='MR', series_uid='1.3')
    skio.imsave(root / 'rgb.png', np.zeros((64, 64, 3), np.uint8), check_contrast=False)
    for name, value in (('nan', np.nan), ('inf', np.inf)):
        array = phantom_hu.copy()
        array[5, 5] = value
        np.save(root / f'{name}.npy', array)
    np.save(root / 'channels_last.npy', np.zeros((256, 256, 3), np.float32))
    np.save(root / 'stack.npy', np.stack([phantom_hu, phantom_hu + 20]))
    np.save(root / 'small64.npy', phantom_hu[::4, ::4].copy())
    np.save(root / 'big1024.npy', np.kron(phantom_hu, np.ones((4, 4), np.float32)))
    (root / 'empty').mkdir()
    return root


#: What each bad input's one line in the errors report says.
BAD_INPUTS = {
    'truncated.dcm': 'the file may be truncated',
    'coronal.dcm': 'is a coronal image',
    'a.dcm': 'is a sagittal image',
    'no_pixels.dcm': 'has no pixel data',
    'mr.dcm': "Modality 'MR' is not CT",
    'rgb.png': 'is a colour PNG',
    'nan.npy': 'NaN or infinite values',
    'inf.npy': 'NaN or infinite values',
    'channels_last.npy': 'is a colour (RGB/RGBA) image of shape (256, 256, 3)',
    'small64.npy': 'this 64x64 slice cannot host 2 lesions',
    'big1024.npy': 'is 1024x1024 pixels, larger than the 512x512 grid',
    'empty': 'is an empty folder',
}


def test_each_bad_input_gives_one_clear_line_and_the_run_goes_on(bad_inputs, tmp_path):
    study = score_study([bad_inputs], null_scorer(), out=tmp_path / 'r.csv', values='hu',
                        progress=False)
    errors = read(tmp_path / 'r_errors.csv')
    by_name = {}
    for error in errors:
        by_name.setdefault(Path(error['file']).name, []).append(error['reason'])
    assert sorted(by_name) == sorted(BAD_INPUTS)
    for name, phrase in BAD_INPUTS.items():
        assert len(by_name[name]) == 1 and phrase in by_name[name][0], (name, by_name[name])
    scored = [(Path(row['file']).name, row['slice_index']) for row in read(tmp_path / 'r.csv')]
    assert scored == [('0.dcm', '0'), ('1.dcm', '1'), ('2.dcm', '2'),
                      ('stack.npy', '0'), ('stack.npy', '1')]
    assert len(study.rows) == 5 and len(study.errors) == len(BAD_INPUTS)


def test_a_16_bit_png_without_values_is_one_error_line(tmp_path, phantom_hu):
    skio.imsave(tmp_path / 'ct16.png', (phantom_hu + 1024).astype(np.uint16),
                check_contrast=False)
    np.save(tmp_path / 'good.npy', phantom_hu)
    study = score_study([tmp_path / 'ct16.png', tmp_path / 'good.npy'], null_scorer(),
                        out=tmp_path / 'out' / 'r.csv', progress=False)
    assert [Path(e['file']).name for e in study.errors] == ['ct16.png', 'good.npy']
    assert all('carries no intensity units' in e['reason'] and '--values hu' in e['reason']
               for e in study.errors)
    study = score_study([tmp_path / 'ct16.png', tmp_path / 'good.npy'], null_scorer(),
                        out=tmp_path / 'out' / 'r.csv', values='hu', progress=False)
    assert len(study.rows) == 2 and not study.errors


def test_a_folder_of_2000_small_files(tmp_path, phantom_hu):
    folder = tmp_path / 'many'
    folder.mkdir()
    for number in range(2000):
        (folder / f'IM{number:05d}').write_bytes(b'not an image %d' % number)
    np.save(folder / 'good.npy', phantom_hu)
    study = score_study([folder], null_scorer(), out=tmp_path / 'r.csv', values='hu',
                        progress=False)
    assert len(study.rows) == 1 and len(study.errors) == 2000
    assert all('is not a DICOM file' in e['reason'] for e in study.errors)


def test_info_lists_every_series_past_unreadable_files(bad_inputs, capsys):
    assert main(['info', str(bad_inputs), '--values', 'hu']) == 1
    captured = capsys.readouterr()
    assert 'dicom series 1.1:' in captured.out and captured.out.count('  [') == 3 + 2 + 2
    for name in ('truncated.dcm', 'coronal.dcm', 'a.dcm', 'no_pixels.dcm', 'nan.npy',
                 'rgb.png', 'empty'):
        assert f'{name}: ' in captured.err, name
    assert 'skipped' in captured.out and 'mr.dcm' in captured.out


def test_a_second_run_on_the_same_output_refuses_naming_the_first(npy_folder, tmp_path):
    out = tmp_path / 'r.csv'
    with OutputLock(f'{out}.lock'):
        with pytest.raises(OutputLockedError,
                           match=rf'held by process {os.getpid()} on host '
                                 rf'{socket.gethostname()}'):
            score_study([npy_folder], null_scorer(), out=out, values='hu', progress=False)
    assert not out.exists()                     # refused before writing anything
    score_study([npy_folder], null_scorer(), out=out, values='hu', progress=False)
    assert not Path(f'{out}.lock').exists()     # released at the end


def test_a_run_of_another_process_is_named(npy_folder, tmp_path):
    out = tmp_path / 'r.csv'
    holder = subprocess.Popen(
        [sys.executable, '-c', 'import sys, time; from d2iqa.scoring.lock import OutputLock; '
         f'lock = OutputLock({str(out) + ".lock"!r}).acquire(); print("held", flush=True); '
         'time.sleep(60)'], stdout=subprocess.PIPE, text=True,
        env={**os.environ, 'PYTHONPATH': str(REPOSITORY)})
    try:
        assert holder.stdout.readline().strip() == 'held'
        with pytest.raises(OutputLockedError, match=rf'held by process {holder.pid} on host'):
            score_study([npy_folder], null_scorer(), out=out, values='hu', progress=False)
    finally:
        holder.kill()
        holder.wait()
    study = score_study([npy_folder], null_scorer(), out=out, values='hu', progress=False)
    assert len(study.rows) == 8                 # the killed holder's lock was taken over


def test_a_lock_left_by_a_killed_run_is_taken_over(tmp_path):
    dead = subprocess.Popen([sys.executable, '-c', 'pass'])
    dead.wait()
    path = tmp_path / 'r.csv.lock'
    path.write_text(json.dumps({'host': socket.gethostname(), 'pid': dead.pid}))
    with OutputLock(path) as lock:
        assert lock.taken_over['pid'] == dead.pid
        assert json.loads(path.read_text())['pid'] == os.getpid()


def test_a_lock_of_another_host_is_stale_only_without_heartbeat(tmp_path):
    path = tmp_path / 'r.csv.lock'
    path.write_text(json.dumps({'host': 'elsewhere', 'pid': 1}))
    with pytest.raises(OutputLockedError, match='process 1 on host elsewhere'):
        OutputLock(path, heartbeat=1, stale_after=60).acquire()
    old = time.time() - 120
    os.utime(path, (old, old))
    with OutputLock(path, heartbeat=1, stale_after=60) as lock:
        assert lock.taken_over['host'] == 'elsewhere'


def test_the_lock_heartbeat_refreshes_the_file(tmp_path):
    path = tmp_path / 'r.csv.lock'
    with OutputLock(path, heartbeat=0.05, stale_after=1):
        old = time.time() - 100
        os.utime(path, (old, old))
        time.sleep(0.3)
        assert time.time() - path.stat().st_mtime < 5


def test_atomic_write_replaces_whole(tmp_path):
    path = tmp_path / 'summary.csv'
    write_atomic(path, 'a\n1\n')
    write_atomic(path, 'a\n2\n')
    assert path.read_text() == 'a\n2\n' and os.listdir(tmp_path) == ['summary.csv']


def test_two_gloo_processes_write_the_rows_of_one(npy_folder, tmp_path):
    """The real command and detector: d2iqa score under torchrun equals one process."""
    options = ['--values', 'hu', '--trials', '4', '--set-size', '2', '--quiet']
    assert main(['score', str(npy_folder), '--out', str(tmp_path / 'one' / 'r.csv'),
                 '--threads', '1', *options]) == 0
    torchrun(2, '-m', 'd2iqa', 'score', npy_folder, '--out', tmp_path / 'two' / 'r.csv',
             '--launcher', 'pytorch', *options)
    one, two = read(tmp_path / 'one' / 'r.csv'), read(tmp_path / 'two' / 'r.csv')
    assert len(one) == 8 and without_seconds(one) == without_seconds(two)   # bit for bit
    for name in ('r_series.csv', 'r_errors.csv', 'r_settings.json'):
        assert (tmp_path / 'one' / name).read_text() == (tmp_path / 'two' / name).read_text()
    assert sorted(os.listdir(tmp_path / 'two')) == ['r.csv', 'r_errors.csv', 'r_series.csv',
                                                   'r_settings.json']


def test_a_killed_rank_resumes_with_another_number_of_processes(npy_folder, tmp_path):
    sys.path.insert(0, str(WORKER.parent))
    from dist_worker import MeanScorer
    whole = score_study([npy_folder], MeanScorer(), out=tmp_path / 'whole.csv', values='hu',
                        settings={'scorer': 'mean'}, progress=False)
    out = tmp_path / 'killed' / 'r.csv'
    killed = torchrun(2, WORKER, npy_folder, out, 1, 1, check=False)   # rank 1 dies
    assert killed.returncode != 0
    parts = sorted(p.name for p in out.parent.glob('r_part*.csv'))
    assert parts == ['r_part0of2.csv', 'r_part1of2.csv']
    assert Path(f'{out}.lock').exists()          # left by the killed job
    finished = sum(len(read(out.parent / p)) for p in parts)
    assert 1 <= finished < 8
    torchrun(3, WORKER, npy_folder, out)         # resumes with 3 processes
    assert without_seconds(read(out)) == without_seconds(read(tmp_path / 'whole.csv'))
    assert len(whole.rows) == 8
    assert sorted(os.listdir(out.parent)) == ['r.csv', 'r_errors.csv', 'r_series.csv',
                                              'r_settings.json']
