"""``d2iqa lesions``: the PNG of a slice, its saliency, its allowed mask and one trial."""
import numpy as np
from matplotlib.image import imread

from d2iqa.cli import main

SIZE = 512
ROWS, COLS = np.mgrid[:SIZE, :SIZE]


def hu_slice(axes):
    hu = np.full((SIZE, SIZE), -1000.0, dtype=np.float32)
    hu[((ROWS - 250) / axes[0]) ** 2 + ((COLS - 256) / axes[1]) ** 2 <= 1] = 40
    hu[((ROWS - 240) / 40) ** 2 + ((COLS - 220) / 40) ** 2 <= 1] = 150
    return hu


def test_writes_a_png(tmp_path, capsys):
    path = tmp_path / 'slice.npy'
    np.save(path, hu_slice((150, 200)))
    out = tmp_path / 'lesions.png'
    assert main(['lesions', str(path), '--values', 'hu', '--out', str(out), '--seed', '2',
                 '--dpi', '40']) == 0
    assert f'wrote {out}' in capsys.readouterr().out
    height, width, _ = imread(out).shape
    assert (height, width) == (504, 480)


def test_a_slice_without_room_is_an_error_not_a_crash(tmp_path, capsys):
    path = tmp_path / 'tiny.npy'
    np.save(path, hu_slice((30, 30)))
    assert main(['lesions', str(path), '--values', 'hu', '--out', str(tmp_path / 'x.png')]) == 2
    assert 'cannot host 2 lesions' in capsys.readouterr().err
    assert not (tmp_path / 'x.png').exists()
