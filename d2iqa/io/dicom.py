"""DICOM CT: single files, multi-frame files and series, compressed transfer syntaxes."""
import warnings
from dataclasses import replace

import numpy as np
import pydicom
from pydicom.errors import InvalidDicomError

from .ct_slice import CTSlice, check_hu_array, map_padding_to_air
from .errors import CTReadError

#: Transfer syntaxes that need a decoder beyond numpy, and what to install for them.
DECODER_HINTS = {
    '1.2.840.10008.1.2.4.90': 'install pylibjpeg and pylibjpeg-openjpeg (or python-gdcm)',
    '1.2.840.10008.1.2.4.91': 'install pylibjpeg and pylibjpeg-openjpeg (or python-gdcm)',
    '1.2.840.10008.1.2.4.201': 'install pylibjpeg and pylibjpeg-openjpeg',
    '1.2.840.10008.1.2.4.202': 'install pylibjpeg and pylibjpeg-openjpeg',
    '1.2.840.10008.1.2.4.203': 'install pylibjpeg and pylibjpeg-openjpeg',
    '1.2.840.10008.1.2.4.50': 'install python-gdcm (or pylibjpeg-libjpeg)',
    '1.2.840.10008.1.2.4.51': 'install python-gdcm (or pylibjpeg-libjpeg)',
    '1.2.840.10008.1.2.4.57': 'install python-gdcm (or pylibjpeg-libjpeg)',
    '1.2.840.10008.1.2.4.70': 'install python-gdcm (or pylibjpeg-libjpeg)',
    '1.2.840.10008.1.2.4.80': 'install python-gdcm (or pyjpegls)',
    '1.2.840.10008.1.2.4.81': 'install python-gdcm (or pyjpegls)',
}


def read_header(path):
    """Read a DICOM header without pixel data, raising :class:`CTReadError` if it is not DICOM."""
    return _dcmread(path, stop_before_pixels=True)


def _dcmread(path, **options):
    try:
        return pydicom.dcmread(path, **options)
    except InvalidDicomError:
        raise CTReadError(path, 'is not a DICOM file (no DICM preamble or file meta header)') from None
    except (OSError, EOFError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CTReadError(path, f'is not a readable DICOM file ({type(exc).__name__}: {exc}); '
                                'it may be truncated or corrupt') from None


def _functional_group_value(ds, frame, sequence_name, keyword):
    """A value from the per-frame, then the shared, functional groups of an enhanced file."""
    for groups_name, item in (('PerFrameFunctionalGroupsSequence', frame),
                              ('SharedFunctionalGroupsSequence', 0)):
        groups = ds.get(groups_name)
        if groups is None or item >= len(groups):
            continue
        sequence = groups[item].get(sequence_name)
        if sequence and keyword in sequence[0]:
            return sequence[0][keyword].value
    return None


def _value(ds, frame, keyword, sequence_name=None):
    value = ds.get(keyword)
    if value is None and sequence_name is not None:
        value = _functional_group_value(ds, frame, sequence_name, keyword)
    return value


def _float_or_none(value):
    try:
        return None if value in (None, '') else float(value)
    except (TypeError, ValueError):
        return None


def slice_normal(orientation):
    """Unit normal of a slice from its ImageOrientationPatient (row and column cosines)."""
    cosines = np.asarray(orientation, dtype=float)
    return np.cross(cosines[:3], cosines[3:])


def _pixel_frames(ds, path):
    if not any(k in ds for k in ('PixelData', 'FloatPixelData', 'DoubleFloatPixelData')):
        raise CTReadError(path, 'has no pixel data (it may be a structured report, RT structure '
                                'set or presentation state rather than an image)')
    syntax = ds.file_meta.get('TransferSyntaxUID')
    try:
        pixels = ds.pixel_array
    except Exception as exc:  # pydicom's decoders raise many exception types
        name = getattr(syntax, 'name', str(syntax))
        hint = DECODER_HINTS.get(str(syntax))
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if hint and any(word in message.lower() for word in ('plugin', 'decod', 'support', 'missing')):
            raise CTReadError(path, f'uses transfer syntax {name} ({syntax}), which the installed '
                                    f'decoders cannot read: {hint}') from None
        raise CTReadError(path, f'pixel data cannot be decoded (transfer syntax {name}): '
                                f'{message}; the file may be truncated or corrupt') from None
    samples = int(ds.get('SamplesPerPixel', 1))
    if samples != 1:
        raise CTReadError(path, f'is a colour image ({samples} samples per pixel, '
                                f'{ds.get("PhotometricInterpretation", "?")}); CT slices are '
                                'single-channel (a secondary capture or screenshot?)')
    frames = int(ds.get('NumberOfFrames', 1) or 1)
    return pixels.reshape((frames,) + pixels.shape[-2:]) if frames > 1 else pixels[None]


def _padding_mask(ds, raw):
    padding = ds.get('PixelPaddingValue')
    if padding is None:
        return None
    limit = ds.get('PixelPaddingRangeLimit')
    if limit is None:
        return raw == padding
    low, high = sorted((padding, limit))
    return (raw >= low) & (raw <= high)


#: Slices whose normal is further than this from the patient's z axis are reformats, not axial
#: (gantry tilts stay well within it).
MAX_AXIAL_TILT_DEG = 45.0


def _check_axial(normal, path):
    """Raise :class:`CTReadError` unless the slice normal is within MAX_AXIAL_TILT_DEG of z."""
    tilt = float(np.degrees(np.arccos(min(1.0, abs(normal[2]) / np.linalg.norm(normal)))))
    if tilt > MAX_AXIAL_TILT_DEG:
        plane = 'coronal' if abs(normal[1]) >= abs(normal[0]) else 'sagittal'
        raise CTReadError(path, f'is a {plane} image (its ImageOrientationPatient puts the slice '
                                f'normal {tilt:.0f} degrees from the patient axis), not an axial '
                                'slice: D2IQA scores axial slices; leave reformats out')


def read_dicom(path, *, allow_non_ct=False):
    """Read every frame of one DICOM file as :class:`CTSlice` objects in HU.

    Parameters
    ----------
    path : str or path-like
        A DICOM file (single- or multi-frame, any transfer syntax with an installed decoder).
    allow_non_ct : bool
        Read images whose Modality is not CT (their values are then not HU).

    Returns
    -------
    list of CTSlice
        One per frame, ``index`` = frame number.

    Raises
    ------
    CTReadError
        Unreadable file, no pixel data, not CT (unless allowed), or not axial (a coronal or
        sagittal reformat).
    """
    path = str(path)
    ds = _dcmread(path)
    modality = ds.get('Modality')
    if modality != 'CT' and not allow_non_ct:
        raise CTReadError(path, f'has Modality {modality!r}, not CT; pass allow_non_ct=True to read '
                                'it anyway (its values will not be Hounsfield units)')
    raw_frames = _pixel_frames(ds, path)
    orientation = _value(ds, 0, 'ImageOrientationPatient', 'PlaneOrientationSequence')
    normal = slice_normal(orientation) if orientation is not None else None
    if normal is not None:
        _check_axial(normal, path)
    slices = []
    for frame, raw in enumerate(raw_frames):
        slope = _float_or_none(_value(ds, frame, 'RescaleSlope', 'PixelValueTransformationSequence'))
        intercept = _float_or_none(
            _value(ds, frame, 'RescaleIntercept', 'PixelValueTransformationSequence'))
        hu = raw.astype(np.float32) * np.float32(1.0 if slope is None else slope) \
            + np.float32(0.0 if intercept is None else intercept)
        hu = check_hu_array(hu, source=path)
        if modality == 'CT':
            map_padding_to_air(hu, _padding_mask(ds, raw))
        position = _value(ds, frame, 'ImagePositionPatient', 'PlanePositionSequence')
        spacing = _value(ds, frame, 'PixelSpacing', 'PixelMeasuresSequence')
        thickness = _value(ds, frame, 'SliceThickness', 'PixelMeasuresSequence')
        slice_position = (float(np.dot(np.asarray(position, dtype=float), normal))
                          if position is not None and normal is not None
                          else _float_or_none(ds.get('SliceLocation')))
        slices.append(CTSlice(
            hu=hu, source=path, index=frame,
            pixel_spacing=tuple(float(s) for s in spacing) if spacing is not None else None,
            slice_thickness=_float_or_none(thickness),
            slice_position=slice_position,
            kvp=_float_or_none(ds.get('KVP')),
            ctdi_vol=_float_or_none(ds.get('CTDIvol')),
            exposure_mas=_float_or_none(ds.get('Exposure')),
            tube_current_ma=_float_or_none(ds.get('XRayTubeCurrent')),
            kernel=_kernel_name(ds.get('ConvolutionKernel')),
            series_uid=str(ds.SeriesInstanceUID) if 'SeriesInstanceUID' in ds else None,
            modality=modality,
            extra={'instance_number': _float_or_none(ds.get('InstanceNumber')),
                   'sop_instance_uid': str(ds.get('SOPInstanceUID', '') or '') or None,
                   'has_position': position is not None and normal is not None,
                   'frame': frame, 'frames': len(raw_frames)},
        ))
    return slices


def _kernel_name(value):
    if value is None:
        return None
    if isinstance(value, (list, tuple, pydicom.multival.MultiValue)):
        return '\\'.join(str(v) for v in value)
    return str(value)


def sort_series(slices, *, source):
    """Sort slices along the slice normal, falling back to InstanceNumber.

    Positions come from ImagePositionPatient projected on the normal of
    ImageOrientationPatient. If any slice lacks them, InstanceNumber orders the series;
    if that is missing too, file order is kept with a warning.
    """
    if all(s.extra.get('has_position') for s in slices):
        key = [s.slice_position for s in slices]
    elif all(s.extra.get('instance_number') is not None for s in slices):
        key = [s.extra['instance_number'] for s in slices]
    else:
        if len({s.source for s in slices}) > 1:
            warnings.warn(f'{source}: slices have neither ImagePositionPatient/'
                          'ImageOrientationPatient nor InstanceNumber; keeping file-name order',
                          stacklevel=3)
        key = [0] * len(slices)
    order = sorted(range(len(slices)), key=lambda i: (key[i], slices[i].source, slices[i].index))
    return [replace(slices[i], index=n) for n, i in enumerate(order)]
