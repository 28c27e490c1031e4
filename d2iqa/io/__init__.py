"""CT input/output: DICOM, NIfTI, TIFF, PNG, NPY -> slices in Hounsfield units; windowing."""
from .ct_slice import AIR_HU, CTSlice
from .discover import Discovery, SeriesSource, discover
from .embedded import EMBEDDED_PREFIX, embedded_name, embedded_path, resolve_path
from .errors import CTReadError
from .load import as_hu_slice, load_readable, load_series, load_slice
from .resample import resample_slice
from .windowing import WINDOWS, Window, get_window, unwindow, window

__all__ = ['AIR_HU', 'CTReadError', 'CTSlice', 'Discovery', 'EMBEDDED_PREFIX', 'SeriesSource',
           'WINDOWS', 'Window', 'as_hu_slice', 'discover', 'embedded_name', 'embedded_path',
           'get_window', 'load_readable', 'load_series', 'load_slice', 'resample_slice',
           'resolve_path', 'unwindow', 'window']
