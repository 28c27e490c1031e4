import importlib.metadata

import pytest

from d2iqa import _deps


def test_packages_import_with_mmcv_ops():
    import d2iqa
    import mdiqa
    from mmcv.ops import DeformConv2d, RoIAlign
    assert mdiqa.__version__ == d2iqa.__version__
    assert DeformConv2d and RoIAlign


def test_version_check_says_what_to_install(monkeypatch):
    real = importlib.metadata.version

    def fake_version(name):
        if name == 'onedl-mmcv':
            return '2.1.0'
        if name == 'mmdet':
            return '3.3.0'
        return real(name)
    monkeypatch.setattr(_deps.metadata, 'version', fake_version)
    with pytest.raises(ImportError) as info:
        _deps.check_openmmlab_versions()
    message = str(info.value)
    assert 'onedl-mmcv 2.1.0 is installed but 2.3.6 is required' in message
    assert 'upstream mmdet 3.3.0 is installed' in message
    assert 'pip install --no-build-isolation onedl-mmcv==2.3.6' in message


def test_cli_info(capsys, tmp_path):
    from d2iqa.cli import main
    from d2iqa.io import embedded_path
    assert main(['info', embedded_path('explicit_VR-UN.dcm')]) == 0
    out = capsys.readouterr().out
    assert 'Pancreas (1 files)' in out and '512x512, HU -1024..' in out
    (tmp_path / 'bad.dcm').write_bytes(b'junk')
    assert main(['info', str(tmp_path)]) == 1
    assert 'bad.dcm: is not a DICOM file' in capsys.readouterr().out
