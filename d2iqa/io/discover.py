"""Find the CT series in folder trees: DICOM grouped by SeriesInstanceUID, volumes, images."""
import os
from dataclasses import dataclass, field

from .dicom import read_header
from .embedded import resolve_path
from .errors import CTReadError

VOLUME_SUFFIXES = ('.nii.gz', '.nii')
IMAGE_SUFFIXES = ('.tif', '.tiff', '.png', '.npy')
#: Files that are never pixel data; they are passed over without a report.
IGNORED_SUFFIXES = ('.txt', '.md', '.json', '.csv', '.xml', '.html', '.pdf', '.py', '.log',
                    '.yaml', '.yml', '.ini', '.zip', '.gz')
IGNORED_NAMES = ('DICOMDIR', 'LICENSE', 'README', '.DS_Store', 'Thumbs.db')


def file_kind(path):
    """'nifti', 'tiff', 'png', 'npy' from the file name, else 'dicom' (DICOM has no fixed suffix)."""
    name = os.path.basename(str(path)).lower()
    if name.endswith(VOLUME_SUFFIXES):
        return 'nifti'
    if name.endswith(('.tif', '.tiff')):
        return 'tiff'
    if name.endswith('.png'):
        return 'png'
    if name.endswith('.npy'):
        return 'npy'
    return 'dicom'


@dataclass
class SeriesSource:
    """One series found on disk: a DICOM series (several files) or one volume / image file.

    ``d2iqa.load_series(source)`` loads it.

    Attributes
    ----------
    kind : str
        'dicom', 'nifti', 'tiff', 'png' or 'npy'.
    key : str
        SeriesInstanceUID for DICOM, the file path otherwise.
    paths : list of str
        The files, in discovery order (loading sorts DICOM slices along the patient axis).
    description : str
        A human-readable line (series description, modality, number of files).
    patient_id : str
        DICOM PatientID (of the first file) where present, else the key: splits by patient
        (training against validation, balanced sampling) group on it.
    manufacturer, scanner_model : str or None
        DICOM Manufacturer and ManufacturerModelName where present.
    """

    kind: str
    key: str
    paths: list
    description: str = ''
    patient_id: str = ''
    manufacturer: str = None
    scanner_model: str = None

    def __post_init__(self):
        self.patient_id = self.patient_id or self.key


@dataclass
class Discovery:
    """What :func:`discover` found: series to load, and the files it could not use, with why."""

    series: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    skipped: list = field(default_factory=list)


def _walk(paths, empty_folders):
    """The files under ``paths``, in sorted order; folders without any entry go to the list."""
    for root in paths:
        root = resolve_path(os.fspath(root))
        if os.path.isfile(root):
            yield root
            continue
        if not os.path.isdir(root):
            raise CTReadError(root, 'does not exist')
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            dirs[:] = [d for d in dirs if not d.startswith('.')]
            if not dirs and not files:
                empty_folders.append(folder)
            for name in sorted(files):
                if not name.startswith('.'):
                    yield os.path.join(folder, name)


def _text_or_none(value):
    text = str(value or '').strip()
    return text or None


def discover(*paths, allow_non_ct=False):
    """Walk files and folder trees and group what they hold into series.

    Parameters
    ----------
    *paths : str or path-like
        Files and folders; folders are walked recursively (hidden entries skipped).
        ``'embedded:NAME'`` names a CT file shipped with pydicom / pydicom-data.
    allow_non_ct : bool
        Keep DICOM series whose Modality is not CT.

    Returns
    -------
    Discovery
        ``series`` (DICOM grouped by SeriesInstanceUID, then each volume or image file),
        ``errors`` (path, reason) for files that look like images but cannot be read and for
        empty folders, and ``skipped`` (path, reason) for readable files that are not CT
        images.
    """
    found = Discovery()
    dicom_groups = {}
    empty_folders = []
    for path in _walk(paths, empty_folders):
        name = os.path.basename(path)
        kind = file_kind(path)
        if kind != 'dicom':
            found.series.append(SeriesSource(kind, path, [path], f'{kind} file'))
            continue
        if name in IGNORED_NAMES or name.lower().endswith(IGNORED_SUFFIXES):
            continue
        try:
            header = read_header(path)
        except CTReadError as exc:
            found.errors.append((path, exc.reason))
            continue
        modality = header.get('Modality')
        if modality != 'CT' and not allow_non_ct:
            found.skipped.append((path, f'Modality {modality!r} is not CT'))
            continue
        if not any(k in header for k in ('PixelData', 'FloatPixelData', 'DoubleFloatPixelData')) \
                and 'Rows' not in header:
            found.skipped.append((path, 'DICOM file without an image'))
            continue
        uid = str(header.get('SeriesInstanceUID') or f'no-series-uid:{os.path.dirname(path)}')
        if uid not in dicom_groups:
            dicom_groups[uid] = SeriesSource(
                'dicom', uid, [], str(header.get('SeriesDescription', '') or modality),
                patient_id=str(header.get('PatientID', '') or '').strip(),
                manufacturer=_text_or_none(header.get('Manufacturer')),
                scanner_model=_text_or_none(header.get('ManufacturerModelName')))
        group = dicom_groups[uid]
        group.paths.append(path)
    found.errors.extend((folder, 'is an empty folder') for folder in empty_folders)
    found.series[:0] = list(dicom_groups.values())
    for group in dicom_groups.values():
        group.description = f'{group.description} ({len(group.paths)} files)'.strip()
    return found
