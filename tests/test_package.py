import importlib.metadata

import pytest

from d2iqa import _deps


def test_packages_import_and_mmcv_ops_compute():
    import d2iqa
    import mdiqa
    import torch
    from mmcv.ops import DeformConv2d, RoIAlign
    assert mdiqa.__version__ == d2iqa.__version__
    # zero offsets: a deformable convolution is the plain convolution (torch as the truth)
    torch.manual_seed(0)
    x = torch.randn(2, 4, 9, 9)
    deform = DeformConv2d(4, 3, kernel_size=3, padding=1, bias=False)
    offsets = torch.zeros(2, 2 * 9, 9, 9)
    torch.testing.assert_close(deform(x, offsets),
                               torch.nn.functional.conv2d(x, deform.weight, padding=1))
    # on a linear ramp bilinear sampling is exact, so each bin of an RoI averages to the ramp
    # at the bin's centre; pixel i holds f(i) and covers [i, i + 1) (aligned=True)
    rows, cols = torch.meshgrid(torch.arange(16.), torch.arange(16.), indexing='ij')
    ramp = (2 * cols + 3 * rows)[None, None]
    box = torch.tensor([[0., 2.5, 4.5, 10.5, 8.5]])      # batch index, x1, y1, x2, y2
    pooled = RoIAlign((2, 2), spatial_scale=1.0, sampling_ratio=2, aligned=True)(ramp, box)
    bin_x, bin_y = torch.tensor([4.5, 8.5]), torch.tensor([5.5, 7.5])   # bin centres
    expected = 2 * (bin_x[None, :] - 0.5) + 3 * (bin_y[:, None] - 0.5)
    torch.testing.assert_close(pooled[0, 0], expected)


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
    assert 'bad.dcm: is not a DICOM file' in capsys.readouterr().err
