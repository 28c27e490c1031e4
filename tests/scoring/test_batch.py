"""Batch scoring of study folders: rows, summaries, errors, resume after a kill."""
import csv
import json

import numpy as np
import pytest

from d2iqa import CTSlice, D2IQAScorer, window
from d2iqa.scoring.batch import score_study, select_slices, summarise_series


class Killed(Exception):
    """Stands for the process being killed."""


@pytest.fixture(scope='module')
def study(tmp_path_factory, phantom_scans):
    """Three scans, an air-only slice (no room for lesions), a corrupt NPY and a junk file."""
    root = tmp_path_factory.mktemp('study')
    for number, hu in enumerate(phantom_scans):
        np.save(root / f'scan{number}.npy', hu)
    np.save(root / 'blank.npy', np.full((256, 256), -1000, dtype=np.float32))
    (root / 'corrupt.npy').write_bytes(b'\x93NUMPY not really')
    (root / 'junk.dcm').write_bytes(b'junk')
    return root


def scorer(blob_detector, phantom_scans, *, kill_after=None):
    detector = blob_detector(*(window(hu, preset='d2iqa') for hu in phantom_scans))
    if kill_after is not None:
        real = detector.detect

        def detect(images):
            if len(detector.received) + len(images) > kill_after:
                raise Killed
            return real(images)
        detector.detect = detect
    return D2IQAScorer(detector=detector, trials=10, set_size=5)


def read(path):
    with open(path, newline='') as stream:
        return list(csv.DictReader(stream))


def without_seconds(rows):
    return [{k: v for k, v in row.items() if k != 'seconds'} for row in rows]


def test_a_killed_run_resumes_to_the_uninterrupted_csv(study, tmp_path, blob_detector,
                                                       phantom_scans):
    settings = {'scorer': 'blob', 'trials': 10}
    whole = score_study([study], scorer(blob_detector, phantom_scans), out=tmp_path / 'a.csv',
                        values='hu', settings=settings, progress=False)
    assert [r['file'].rsplit('/', 1)[-1] for r in whole.rows] == [
        'scan0.npy', 'scan1.npy', 'scan2.npy']

    out = tmp_path / 'b.csv'
    with pytest.raises(Killed):               # killed while scoring the third scan
        score_study([study], scorer(blob_detector, phantom_scans, kill_after=25), out=out,
                    values='hu', settings=settings, progress=False)
    assert len(read(out)) == 2                # the finished slices were flushed
    with open(out, 'a') as stream:            # and the kill cut a row in the middle
        stream.write(f'{study}/scan2.npy,{study}/scan2.npy,0,,0.2')
    resumed = score_study([study], scorer(blob_detector, phantom_scans), out=out, values='hu',
                          settings=settings, resume=True, progress=False)
    assert resumed.resumed == 2
    assert without_seconds(read(out)) == without_seconds(read(tmp_path / 'a.csv'))
    assert read(tmp_path / 'b_series.csv') == read(tmp_path / 'a_series.csv')
    assert read(tmp_path / 'b_errors.csv') == read(tmp_path / 'a_errors.csv')

    with pytest.raises(ValueError, match=r'made with other settings .*trials=10; now trials=20'):
        score_study([study], scorer(blob_detector, phantom_scans), out=out, values='hu',
                    settings={'scorer': 'blob', 'trials': 20}, resume=True, progress=False)


def test_bad_files_and_slices_are_reported_and_skipped(study, tmp_path, blob_detector,
                                                       phantom_scans):
    result = score_study([study], scorer(blob_detector, phantom_scans), out=tmp_path / 'r.csv',
                         json_path=tmp_path / 'r.json', values='hu', every=1, progress=False)
    errors = {row['file'].rsplit('/', 1)[-1]: row['reason']
              for row in read(tmp_path / 'r_errors.csv')}
    assert set(errors) == {'junk.dcm', 'corrupt.npy', 'blank.npy'}
    assert 'is not a DICOM file' in errors['junk.dcm']
    assert 'cannot host 2 lesions' in errors['blank.npy']
    rows = read(tmp_path / 'r.csv')
    assert len(rows) == 3 and all(0 < float(r['score']) < 1 and r['trials'] == '10'
                                  for r in rows)
    assert list(rows[0]) == ['file', 'series_uid', 'slice_index', 'slice_position', 'score',
                             'sem', 'trials', 'ctdi_vol', 'exposure_mas', 'kvp', 'kernel',
                             'pixel_spacing', 'slice_thickness', 'manufacturer', 'model',
                             'sop_instance_uid', 'seconds']
    report = json.loads((tmp_path / 'r.json').read_text())
    assert len(report['slices']) == 3 and len(report['errors']) == 3
    assert report['series'] == result.series and len(result.series) == 3   # one NPY, one series
    assert result.series[0]['mean'] == pytest.approx(float(rows[0]['score']))


def test_slice_selection():
    slices = [CTSlice(hu=np.zeros((2, 2), np.float32), source=f'{i}.dcm', index=i,
                      slice_position=float(10 * i)) for i in range(6)]
    slices.append(CTSlice(hu=np.zeros((2, 2), np.float32), source='x.dcm', index=6))
    assert [s.index for s in select_slices(slices, every=2)[0]] == [0, 2, 4, 6]
    kept, unplaced = select_slices(slices, every=2, z_range=(10, 40))
    assert [s.index for s in kept] == [1, 3] and [s.index for s in unplaced] == [6]


def test_series_summaries_match_numpy():
    scores = [0.31, 0.52, 0.44, 0.18, float('nan')]
    rows = [{'series_uid': 'a', 'score': s} for s in scores] + [{'series_uid': 'b', 'score': .7}]
    (a, b) = summarise_series(rows)
    finite = scores[:4]
    assert a == {'series_uid': 'a', 'n_slices': 4, 'mean': pytest.approx(np.mean(finite)),
                 'median': pytest.approx(np.median(finite)), 'min': 0.18,
                 'p10': pytest.approx(np.percentile(finite, 10))}
    assert b['n_slices'] == 1 and b['p10'] == 0.7


def test_study_option_errors(study, tmp_path, blob_detector, phantom_scans):
    for options, message in ((dict(every=0), 'every must be a positive integer'),
                             (dict(z_range=(5, -5)), 'zmin <= zmax')):
        with pytest.raises(ValueError, match=message):
            score_study([study], None, out=tmp_path / 'x.csv', **options)
    (tmp_path / 'other.csv').write_text('a,b\n1,2\n')
    with pytest.raises(ValueError, match=r"has columns \['a', 'b'\], not \['file', 'series_uid'"):
        score_study([study], None, out=tmp_path / 'other.csv', resume=True)


class FixedScorer:
    """A scorer plug-in stand-in that scores every slice 0.5 at once."""

    def __init__(self):
        self.scored = []

    def score_slice(self, ct_slice):
        from d2iqa.scoring import D2IQAResult
        self.scored.append(ct_slice)
        return D2IQAResult.from_set_scores([0.5, 0.5], set_size=1)


def test_dicom_series_with_a_broken_file(write_dicom, tmp_path):
    folder = tmp_path / 'liver'
    folder.mkdir()
    raw = (1024 + np.arange(64 * 64).reshape(64, 64) % 200).astype(np.int16)
    for name, z in (('01.dcm', -126.69), ('02.dcm', -127.69), ('03.dcm', -128.69)):
        write_dicom(folder / name, raw, position=[0.0, 0.0, z], series_uid='1.9',
                    manufacturer='GE MEDICAL SYSTEMS')
    broken = folder / '02.dcm'
    broken.write_bytes(broken.read_bytes()[:-2000])     # header fine, pixel data cut
    result = score_study([folder], FixedScorer(), out=tmp_path / 'r.csv', progress=False)
    assert [r['file'].rsplit('/', 1)[-1] for r in result.rows] == ['03.dcm', '01.dcm']
    assert [r['slice_position'] for r in result.rows] == pytest.approx([-128.69, -126.69])
    assert len({r['series_uid'] for r in result.rows}) == 1
    assert [e['file'].rsplit('/', 1)[-1] for e in result.errors] == ['02.dcm']
    first = result.rows[0]       # the acquisition as the header has it (tests/conftest.py)
    assert (first['ctdi_vol'], first['kvp'], first['kernel'], first['pixel_spacing'],
            first['slice_thickness'], first['manufacturer'], first['model'],
            first['exposure_mas']) == (12.5, 120.0, 'B30f', 0.7, 3.0, 'GE MEDICAL SYSTEMS',
                                       None, None)
    import pydicom
    assert first['sop_instance_uid'] == pydicom.dcmread(folder / '03.dcm').SOPInstanceUID
    assert read(tmp_path / 'r.csv')[0]['model'] == ''

    scorer = FixedScorer()
    result = score_study([folder], scorer, out=tmp_path / 'z.csv', z_range=(-127, -120),
                         progress=False)
    assert [s.source.rsplit('/', 1)[-1] for s in scorer.scored] == ['01.dcm']


def test_slices_batched_together_score_as_alone(tmp_path, blob_detector, phantom_scans):
    """batch_size 10 > set_size 5: two slices of a series share each detector batch, and
    every slice scores as it does alone."""
    np.save(tmp_path / 'stack.npy', np.stack(phantom_scans))        # a series of 3 slices
    study = tmp_path / 'stack.npy'
    alone = score_study([study], scorer(blob_detector, phantom_scans), out=tmp_path / 'a.csv',
                        values='hu', progress=False)
    detector = blob_detector(*(window(hu, preset='d2iqa') for hu in phantom_scans))
    calls = []
    real = detector.detect
    detector.detect = lambda images: calls.append(len(images)) or real(images)
    together = D2IQAScorer(detector=detector, trials=10, set_size=5, batch_size=10)
    assert together.slices_per_call == 2
    shared = score_study([study], together, out=tmp_path / 'b.csv', values='hu',
                         progress=False)
    assert without_seconds(read(tmp_path / 'b.csv')) == without_seconds(read(tmp_path / 'a.csv'))
    assert len(shared.rows) == len(alone.rows) == 3 and not shared.errors
    assert max(calls) == 10


def test_run_trials_many_equals_run_trials_per_slice(blob_detector, phantom_scans):
    from d2iqa.scoring import ScoringOptions, run_trials, run_trials_many
    images = [window(hu, preset='d2iqa') for hu in phantom_scans]
    for stop in ('fixed', 'converged'):
        options = ScoringOptions(trials=20, set_size=5, stop=stop, epsilon=0.05, min_sets=2)
        many = run_trials_many(images, blob_detector(*images), options=options, batch_size=7)
        alone = [run_trials([image], blob_detector(*images), options=options)[0]
                 for image in images]
        assert many == alone
