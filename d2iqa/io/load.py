"""``load_slice`` and ``load_series``: any supported file or folder -> CT slices in HU."""
import os
from dataclasses import replace

from .arrays import read_nifti, read_npy, read_png, read_tiff
from .ct_slice import CTSlice, check_hu_array
from .dicom import read_dicom, sort_series
from .discover import SeriesSource, discover, file_kind
from .errors import CTReadError

_UNITLESS_READERS = {'tiff': read_tiff, 'png': read_png, 'npy': read_npy}


def _read_file(path, *, values, allow_non_ct):
    kind = file_kind(path)
    if not os.path.exists(path):
        raise CTReadError(path, 'does not exist')
    if os.path.getsize(path) == 0:
        raise CTReadError(path, 'is empty (0 bytes)')
    if kind == 'dicom':
        return read_dicom(path, allow_non_ct=allow_non_ct)
    if kind == 'nifti':
        return read_nifti(path)
    return _UNITLESS_READERS[kind](path, values=values)


def load_series(path, *, values=None, allow_non_ct=False, series_uid=None):
    """Load a series of axial CT slices in HU, sorted along the patient axis.

    Parameters
    ----------
    path : str, path-like, list of them, or SeriesSource
        A folder holding one DICOM series (or pass ``series_uid``), a list of DICOM files,
        a NIfTI volume, a multi-frame DICOM file, a TIFF / NPY stack (slices first), or a
        series found by :func:`~d2iqa.io.discover`.
    values : str or Window, optional
        Required for TIFF, PNG and NPY, which carry no units: ``'hu'`` or the window that
        normalised the values to [0, 1] (a preset name such as ``'d2iqa'`` or a ``Window``).
    allow_non_ct : bool
        Accept DICOM images whose Modality is not CT.
    series_uid : str, optional
        Which series to load from a folder that holds several.

    Returns
    -------
    list of CTSlice
        DICOM series are sorted along the slice normal (ImagePositionPatient projected on
        ImageOrientationPatient), falling back to InstanceNumber; volumes inferior to superior.
    """
    if isinstance(path, SeriesSource):
        path = path.paths if path.kind == 'dicom' else path.paths[0]
    if isinstance(path, (list, tuple)):
        files = [os.fspath(p) for p in path]
        if not files:
            raise CTReadError('<empty list>', 'no files given')
        slices = [s for f in files for s in _read_file(f, values=values, allow_non_ct=allow_non_ct)]
        return sort_series(slices, source=os.path.commonpath(files)) \
            if all(file_kind(f) == 'dicom' for f in files) else slices
    path = os.fspath(path)
    if os.path.isdir(path):
        return _load_folder(path, values=values, allow_non_ct=allow_non_ct, series_uid=series_uid)
    slices = _read_file(path, values=values, allow_non_ct=allow_non_ct)
    return sort_series(slices, source=path) if file_kind(path) == 'dicom' and len(slices) > 1 \
        else slices


def load_readable(source, *, values=None, allow_non_ct=False):
    """Load a series found by :func:`~d2iqa.io.discover`, leaving out its unreadable files.

    A DICOM series with broken files loads from the others (each slice is sorted as in a
    whole series); a volume or image file that cannot be read gives no slices.

    Parameters
    ----------
    source : SeriesSource
    values, allow_non_ct
        As for :func:`load_series`.

    Returns
    -------
    slices : list of CTSlice
    errors : list of (str, str)
        ``(path, reason)`` of every file that could not be read.
    """
    try:
        return load_series(source, values=values, allow_non_ct=allow_non_ct), []
    except CTReadError as exc:
        if source.kind != 'dicom' or len(source.paths) == 1:
            return [], [(exc.path, exc.reason)]
    readable, errors = [], []
    for path in source.paths:
        try:
            _read_file(path, values=values, allow_non_ct=allow_non_ct)
            readable.append(path)
        except CTReadError as exc:
            errors.append((exc.path, exc.reason))
    slices = load_series(readable, values=values, allow_non_ct=allow_non_ct) if readable else []
    return slices, errors


def _load_folder(path, *, values, allow_non_ct, series_uid):
    found = discover(path, allow_non_ct=allow_non_ct)
    series = found.series
    if series_uid is not None:
        series = [s for s in series if s.key == series_uid]
    if not series:
        problems = [(p, r) for p, r in found.errors + found.skipped if p != path]
        reasons = '; '.join(f'{os.path.basename(p)}: {r}' for p, r in problems[:5])
        wanted = f'series {series_uid}' if series_uid else 'CT images'
        raise CTReadError(path, f'holds no {wanted}' + (f' ({reasons})' if reasons else
                                                        ' (the folder is empty)'))
    dicom = [s for s in series if s.kind == 'dicom']
    if len(dicom) == 1 and len(series) == 1:
        return load_series(series[0], values=values, allow_non_ct=allow_non_ct)
    if not dicom and len({s.kind for s in series}) == 1 and series[0].kind in ('png', 'tiff', 'npy'):
        files = [s.paths[0] for s in series]
        slices = [s for f in files for s in _read_file(f, values=values, allow_non_ct=allow_non_ct)]
        return [replace(s, index=i) for i, s in enumerate(slices)]
    listing = ', '.join(f'{s.key} [{s.description}]' for s in series[:6])
    raise CTReadError(path, f'holds {len(series)} series ({listing}); pass series_uid= to choose '
                            'one, or use d2iqa.io.discover() to list them')


def load_slice(path, *, index=None, values=None, allow_non_ct=False):
    """Load one CT slice in HU.

    Parameters
    ----------
    path : str or path-like
        A DICOM file, a NIfTI volume, or a TIFF / PNG / NPY image.
    index : int, optional
        Which slice of a multi-slice file (multi-frame DICOM, NIfTI, stacks); required there.
    values : str or Window, optional
        What the pixel values of a TIFF, PNG or NPY file are (see :func:`load_series`).
    allow_non_ct : bool
        Accept DICOM images whose Modality is not CT.

    Returns
    -------
    CTSlice
        ``.hu`` is a 2-D float32 array in HU; metadata where the format records it.
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        raise CTReadError(path, 'is a folder; use load_series() for a series, or name one file')
    slices = _read_file(path, values=values, allow_non_ct=allow_non_ct)
    if index is None:
        if len(slices) > 1:
            raise CTReadError(path, f'holds {len(slices)} slices; pass index= (0..{len(slices) - 1}) '
                                    'or use load_series()')
        return slices[0]
    if not -len(slices) <= index < len(slices):
        raise CTReadError(path, f'has {len(slices)} slices; index {index} is out of range')
    return slices[index]


def as_hu_slice(image, *, values=None, source='<array>'):
    """A :class:`CTSlice` from a HU array, a ``CTSlice`` or a file path (for scoring APIs)."""
    if isinstance(image, CTSlice):
        return image
    if isinstance(image, (str, os.PathLike)):
        return load_slice(image, values=values)
    return CTSlice(hu=check_hu_array(image, source=source), source=source)
