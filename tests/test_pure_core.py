"""The pure core (io, lesions, simulation, evaluation) imports and works with OpenMMLab, torch
and the optional readers hidden: a fresh interpreter whose imports of them fail."""
import subprocess
import sys
import textwrap
from pathlib import Path

HIDDEN = ('mmengine', 'mmcv', 'mmdet', 'torch', 'torchvision', 'cv2', 'matplotlib',
          'pycocotools', 'nibabel', 'tifffile')

WORKFLOW = '''
import importlib.abc
import sys

HIDDEN = {hidden!r}


class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in HIDDEN:
            raise ImportError(f'{{name}} is hidden by the test')


sys.meta_path.insert(0, Hide())

import numpy as np
import pydicom
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

import d2iqa
from d2iqa.evaluation import coco_map, srocc, windowed_psnr
from d2iqa.lesions import Placement, add_lesions
from d2iqa.simulation import abdomen_phantom, noise_level, simulate_levels

hu = abdomen_phantom(256, pixel_size=1.4, seed=0)
meta = FileMetaDataset()
meta.MediaStorageSOPClassUID = CTImageStorage
meta.MediaStorageSOPInstanceUID = generate_uid()
meta.TransferSyntaxUID = ExplicitVRLittleEndian
ds = FileDataset({path!r}, {{}}, file_meta=meta, preamble=b'\\0' * 128)
ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, meta.MediaStorageSOPInstanceUID
ds.Modality, ds.SeriesInstanceUID = 'CT', '1.2.3'
ds.Rows, ds.Columns = hu.shape
ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, 'MONOCHROME2'
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
ds.RescaleSlope, ds.RescaleIntercept, ds.PixelSpacing = 1, -1024, [1.4, 1.4]
ds.PixelData = np.round(hu + 1024).astype(np.int16).tobytes()
ds.save_as({path!r}, enforce_file_format=True)

(series,) = d2iqa.discover({folder!r}).series
(ct,) = d2iqa.load_series(series)
assert np.abs(ct.hu - hu).max() <= 0.501   # stored as whole HU
image = d2iqa.window(ct.hu, preset='d2iqa')
lesions = Placement.from_image(image).draw(0)
assert np.abs(add_lesions(image, lesions) - image).max() > 0.05
levels = [level for _, level in simulate_levels(ct, doses=(100, 25), seed=0)['dose']]
ratio = noise_level(levels[1], pixel_size=1.4) / noise_level(levels[0], pixel_size=1.4)
assert ratio > 1.5, ratio
perfect = coco_map([lesions.boxes], [lesions.labels], [lesions.boxes],
                   [np.ones(len(lesions))], [lesions.labels])
assert perfect == 1.0
assert srocc([1, 2, 3], [2, 4, 9]) == 1.0
assert windowed_psnr(levels[0], levels[1]) < windowed_psnr(levels[0], levels[0])
noise = d2iqa.create_scorer('noise').score_series([ct.with_hu(level) for level in levels])
assert noise[1].score > noise[0].score
print('pure core ok')
'''


def test_core_works_with_openmmlab_torch_and_optional_readers_hidden(tmp_path):
    script = WORKFLOW.format(hidden=HIDDEN, path=str(tmp_path / 'slice.dcm'),
                             folder=str(tmp_path))
    result = subprocess.run([sys.executable, '-c', textwrap.dedent(script)], capture_output=True,
                            text=True, timeout=300, cwd=Path(__file__).resolve().parents[1])
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'pure core ok' in result.stdout


def test_the_hiding_works(tmp_path):
    script = WORKFLOW.split('import numpy as np')[0] + 'import mmengine\n'
    result = subprocess.run([sys.executable, '-c', script.format(hidden=HIDDEN)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and 'mmengine is hidden by the test' in result.stderr
