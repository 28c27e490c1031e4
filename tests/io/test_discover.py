import numpy as np
import pytest

from d2iqa import CTReadError, discover, load_series


def test_discover_groups_series_and_reports_bad_files(write_dicom, tmp_path, ct_raw):
    (tmp_path / 'study' / 's1').mkdir(parents=True)
    (tmp_path / 'study' / 's2').mkdir()
    for z in range(3):
        write_dicom(tmp_path / 'study' / 's1' / f'{z}.dcm', ct_raw, series_uid='1.1',
                       position=[0, 0, z])
    write_dicom(tmp_path / 'study' / 's2' / 'a', ct_raw, series_uid='1.2', position=[0, 0, 0])
    write_dicom(tmp_path / 'study' / 's2' / 'mr.dcm', ct_raw, modality='MR', series_uid='9')
    (tmp_path / 'study' / 's2' / 'broken.dcm').write_bytes(b'\0' * 200)
    (tmp_path / 'study' / 'notes.txt').write_text('ignored')
    np.save(tmp_path / 'study' / 'vol.npy', np.zeros((2, 8, 8)))
    found = discover(tmp_path / 'study')
    assert [(s.kind, s.key, len(s.paths)) for s in found.series] == [
        ('dicom', '1.1', 3), ('dicom', '1.2', 1), ('npy', str(tmp_path / 'study' / 'vol.npy'), 1)]
    assert [p.rsplit('/', 1)[1] for p, _ in found.errors] == ['broken.dcm']
    assert 'not a DICOM file' in found.errors[0][1]
    assert [r for _, r in found.skipped] == ["Modality 'MR' is not CT"]
    assert len(load_series(found.series[0])) == 3


def test_empty_folder_and_missing_path(tmp_path):
    (tmp_path / 'empty').mkdir()
    with pytest.raises(CTReadError, match='empty: holds no CT images .the folder is empty'):
        load_series(tmp_path / 'empty')
    with pytest.raises(CTReadError, match='does not exist'):
        discover(tmp_path / 'nowhere')


def test_folder_of_only_bad_files_explains_why(tmp_path):
    (tmp_path / 'x.dcm').write_bytes(b'junk')
    with pytest.raises(CTReadError, match=r'holds no CT images \(x.dcm: is not a DICOM file'):
        load_series(tmp_path)
