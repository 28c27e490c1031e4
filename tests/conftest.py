"""Shared fixtures. Tests never need the network or ../shared (users of it skip without it)."""
from pathlib import Path

import numpy as np
import pytest
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

#: Real CT for development, beside the checkout (never copied into the repository).
SHARED_CT = Path(__file__).resolve().parents[1].parent / 'shared' / 'data' / 'ct'


@pytest.fixture(scope='session')
def shared_ct():
    """Path of ../shared/data/ct; the test is skipped when it is absent."""
    if not SHARED_CT.is_dir():
        pytest.skip(f'{SHARED_CT} is absent (optional real-CT data)')
    return SHARED_CT


def write_ct_dicom(path, raw, *, slope=1.0, intercept=-1024.0, position=None,
                   orientation=(1, 0, 0, 0, 1, 0), instance=None, padding=None,
                   modality='CT', series_uid='1.2.3.4', patient_id=None,
                   manufacturer=None):
    """Write ``raw`` (stored values, int16; 3-D for multi-frame) as a DICOM CT file."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(str(path), {}, file_meta=meta, preamble=b'\0' * 128)
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = modality
    ds.SeriesInstanceUID = series_uid
    ds.StudyInstanceUID = '1.2.3'
    if patient_id is not None:
        ds.PatientID = patient_id
    if manufacturer is not None:
        ds.Manufacturer = manufacturer
    raw = np.asarray(raw, dtype=np.int16)
    ds.Rows, ds.Columns = raw.shape[-2:]
    if raw.ndim == 3:
        ds.NumberOfFrames = raw.shape[0]
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = 'MONOCHROME2'
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    ds.RescaleSlope, ds.RescaleIntercept = slope, intercept
    ds.PixelSpacing = [0.7, 0.8]
    ds.SliceThickness = 3.0
    ds.KVP = 120
    ds.CTDIvol = 12.5
    ds.ConvolutionKernel = 'B30f'
    if orientation is not None:
        ds.ImageOrientationPatient = list(orientation)
    if position is not None:
        ds.ImagePositionPatient = list(position)
    if instance is not None:
        ds.InstanceNumber = instance
    if padding is not None:
        ds.PixelPaddingValue = padding
    ds.PixelData = raw.tobytes()
    ds.save_as(str(path), enforce_file_format=True)
    return path


@pytest.fixture(scope='session')
def write_dicom():
    """The :func:`write_ct_dicom` writer."""
    return write_ct_dicom
