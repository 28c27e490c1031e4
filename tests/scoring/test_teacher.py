"""Teacher labels: the degradation ladder, paired rows, resume after a kill mid-slice."""
import csv
import json
import os

import numpy as np
import pytest

from d2iqa import D2IQAScorer, window
from d2iqa.io import CTSlice, embedded_name, embedded_path, load_slice
from d2iqa.simulation import noise_level, simulate_low_dose, simulate_sparse_view
from d2iqa.scoring.teacher import (LABEL_FIELDS, degrade, label_path, make_teacher_labels,
                                  teacher_digest, version_name)

LADDER = (('full', 100, None), ('dose', 25, None), ('views', None, 90), ('dose+views', 25, 90))


@pytest.fixture(scope='module')
def entries(tmp_path_factory, phantom_scans):
    root = tmp_path_factory.mktemp('teacher')
    found = []
    for number, hu in enumerate(phantom_scans):
        np.save(root / f'p{number}.npy', hu)
        found.append({'img_path': str(root / f'p{number}.npy'), 'slice_index': 0,
                      'patient': f'P{number}'})
    return found


def read(path):
    with open(path, newline='') as stream:
        return list(csv.DictReader(stream))


def test_the_ladder_degrades_as_named(phantom_scans):
    ct = CTSlice(hu=phantom_scans[0], source='p', pixel_spacing=(1.4, 1.4))
    full, dose, views, both = degrade(ct, LADDER, seed=3)
    assert np.array_equal(full, ct.hu)
    noise = [noise_level(v, pixel_size=1.4) for v in (full, dose)]
    assert noise[1] > 1.5 * noise[0]            # a quarter of the dose: about twice the noise
    assert np.abs(views - full).mean() > 1      # streaks
    assert np.array_equal(degrade(ct, LADDER, seed=3)[1], dose)     # seeded per rung
    assert not np.array_equal(degrade(ct, LADDER, seed=4)[1], dose)
    assert np.abs(both - dose).mean() > 1
    # a rung alone is the same version as within the whole ladder
    assert [np.array_equal(a, b) for a, b in zip(degrade(ct, LADDER, seed=3, rungs=[3, 1]),
                                                 (both, dose))] == [True, True]
    # the images of simulate_low_dose / simulate_sparse_view, as the labels were made from
    _, (_, dose_percent, _), (_, _, view_count), (_, both_percent, both_views) = LADDER
    lower = simulate_low_dose(ct, dose_percent / 100, seed=np.random.SeedSequence([3, 1]))
    assert np.array_equal(dose, lower)
    assert np.array_equal(views, simulate_sparse_view(ct, view_count))
    lower = simulate_low_dose(ct, both_percent / 100, seed=np.random.SeedSequence([3, 3]))
    assert np.array_equal(both, simulate_sparse_view(ct.with_hu(lower), both_views))


def scorer(blob_detector, phantom_scans):
    detector = blob_detector(*(window(hu, preset='d2iqa') for hu in phantom_scans))
    return D2IQAScorer(detector=detector, trials=6, set_size=3)


def test_labels_are_paired_rows_and_resume_after_a_kill(entries, tmp_path, blob_detector,
                                                        phantom_scans):
    root = os.path.dirname(entries[0]['img_path'])
    whole = make_teacher_labels(entries, scorer(blob_detector, phantom_scans),
                                out=tmp_path / 'a.csv', ladder=LADDER, values='hu',
                                images=tmp_path / 'images', data_root=root, progress=False)
    assert len(whole) == 3 * len(LADDER) and list(whole[0]) == list(LABEL_FIELDS)
    # files named within the data root, which the settings keep
    assert [r['file'] for r in whole[::len(LADDER)]] == ['p0.npy', 'p1.npy', 'p2.npy']
    assert label_path(whole[0]['file'], root) == entries[0]['img_path']
    assert json.loads((tmp_path / 'a_settings.json').read_text())['data_root'] == root
    by_slice = [whole[k:k + len(LADDER)] for k in range(0, len(whole), len(LADDER))]
    for rows in by_slice:
        assert [r['degradation'] for r in rows] == [name for name, _, _ in LADDER]
    # the rows of a slice are its paired scores: the same lesions in every version
    ct = CTSlice(hu=phantom_scans[1], source=entries[1]['img_path'])
    paired = scorer(blob_detector, phantom_scans).score_series(degrade(ct, LADDER),
                                                               reference=ct)
    assert [float(r['score']) for r in by_slice[1]] == [r.score for r in paired]
    assert [[float(v) for v in r['set_scores'].split()] for r in by_slice[1]] == \
        [pytest.approx(r.set_scores, abs=1e-6) for r in paired]
    # every version scored was saved, as degrade makes it
    versions = degrade(ct, LADDER)
    for rung, version in zip(LADDER, versions):
        saved = np.load(tmp_path / 'images' / version_name('p1.npy', 0, rung))
        assert saved.dtype == np.float32 and np.array_equal(saved, version)
    assert len(list((tmp_path / 'images').iterdir())) == 3 * len(LADDER)
    # a kill in the middle of the second slice's rows: its rows are done again on resume
    out = tmp_path / 'b.csv'
    lines = (tmp_path / 'a.csv').read_text().splitlines(keepends=True)
    out.write_text(''.join(lines[:1 + len(LADDER) + 2]) + lines[1 + len(LADDER) + 2][:9])
    (tmp_path / 'b_settings.json').write_text((tmp_path / 'a_settings.json').read_text())
    resumed = make_teacher_labels(entries, scorer(blob_detector, phantom_scans), out=out,
                                  ladder=LADDER, values='hu', resume=True, data_root=root,
                                  progress=False)

    def without_seconds(rows):
        return [{k: v for k, v in r.items() if k != 'seconds'} for r in rows]
    assert without_seconds(read(out)) == without_seconds(read(tmp_path / 'a.csv'))
    assert without_seconds(resumed) == without_seconds(whole)


def test_labels_extend_to_more_trials_running_only_the_further_ones(entries, tmp_path,
                                                                   blob_detector, phantom_scans):
    root = os.path.dirname(entries[0]['img_path'])

    def labels(out, trials, *, part=entries, seed=0, **options):
        labeller = D2IQAScorer(detector=blob_detector(*(window(hu, preset='d2iqa')
                                                        for hu in phantom_scans)),
                               trials=trials, set_size=3)
        rows = make_teacher_labels(part, labeller, out=tmp_path / out, ladder=LADDER,
                                   values='hu', data_root=root, seed=seed, progress=False,
                                   settings={'trials': trials, 'set_size': 3}, **options)
        return rows, len(labeller.detector.received)

    fewer, _ = labels('fewer.csv', 3, part=entries[:2])
    whole, _ = labels('whole.csv', 6)
    extended, images = labels('more.csv', 6, extend=tmp_path / 'fewer.csv')
    # the two slices labelled before ran their second set only; the third slice both
    assert images == (3 + 3 + 6) * len(LADDER)
    for row, expected in zip(extended, whole):
        assert row['trials'] == expected['trials'] == '6'
        assert row['set_scores'] == expected['set_scores']
        assert float(row['score']) == pytest.approx(float(expected['score']), abs=1e-6)
        assert float(row['sem']) == pytest.approx(float(expected['sem']), abs=1e-6)
    assert [r['set_scores'].split()[0] for r in extended[:2 * len(LADDER)]] == \
        [r['set_scores'] for r in fewer]
    # the seconds of both runs
    assert float(extended[0]['seconds']) > float(fewer[0]['seconds'])
    assert (tmp_path / 'fewer.csv').read_text().count('\n') == 1 + 2 * len(LADDER)
    assert json.loads((tmp_path / 'more_settings.json').read_text())['extends'] == 'fewer.csv'
    # a resume of the extended labels keeps them
    resumed, images = labels('more.csv', 6, extend=tmp_path / 'fewer.csv', resume=True)
    assert images == 0 and resumed == extended

    with pytest.raises(ValueError, match=r'fewer.csv was made with other settings \(seed=0; '
                                         r'now seed=1\): only labels of the same teacher'):
        labels('other.csv', 6, seed=1, extend=tmp_path / 'fewer.csv')
    with pytest.raises(ValueError, match='has 6 trials per slice, the labels to make 6: extend '
                                         'to more trials'):
        labels('same.csv', 6, extend=tmp_path / 'whole.csv')
    with pytest.raises(FileNotFoundError, match='labels to extend: .*missing.csv'):
        labels('none.csv', 6, extend=tmp_path / 'missing.csv')
    cut = tmp_path / 'cut.csv'
    cut.write_text(''.join((tmp_path / 'fewer.csv').read_text().splitlines(keepends=True)[:-1]))
    (tmp_path / 'cut_settings.json').write_text((tmp_path / 'fewer_settings.json').read_text())
    with pytest.raises(ValueError, match=r'cut.csv: the rows of p1.npy slice 0 are not one row '
                                         r'per rung of the ladder with 1 set scores each'):
        labels('from_cut.csv', 6, extend=cut)


def test_an_embedded_slice_is_labelled_by_name_not_by_its_local_path(tmp_path, blob_detector):
    installed = embedded_path('explicit_VR-UN.dcm')
    labeller = D2IQAScorer(detector=blob_detector(window(load_slice(installed).hu,
                                                         preset='d2iqa')), trials=2, set_size=1)
    rows = make_teacher_labels([{'img_path': installed, 'slice_index': 0, 'patient': 'P'}],
                               labeller, out=tmp_path / 'e.csv',
                               ladder=LADDER[:2], data_root=tmp_path, progress=False)
    assert [r['file'] for r in rows] == ['embedded:explicit_VR-UN.dcm'] * 2
    assert label_path(rows[0]['file'], tmp_path) == installed
    # a file of the same name elsewhere is not the embedded one
    copy = tmp_path / 'explicit_VR-UN.dcm'
    copy.write_bytes(open(installed, 'rb').read())
    assert embedded_name(copy) is None and embedded_name(installed) == rows[0]['file']


def test_teacher_digest_is_the_files_sha256(tmp_path):
    # FIPS 180-2, appendix B.1: SHA-256("abc")
    (tmp_path / 'abc.pth').write_bytes(b'abc')
    assert teacher_digest(tmp_path / 'abc.pth') == (
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
