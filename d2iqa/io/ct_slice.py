"""The in-memory CT slice that every loader returns."""
from dataclasses import dataclass, field, replace
from typing import Optional

import numpy as np

from .errors import CTReadError

#: HU given to out-of-field padding (PixelPaddingValue, -2000, -3024 ...).
AIR_HU = -1000.0
#: Values below this are not attenuation but scanner padding outside the field of view.
PADDING_BELOW_HU = -1500.0


@dataclass(frozen=True)
class CTSlice:
    """One axial CT slice in Hounsfield units, with what the source file says about it.

    Attributes
    ----------
    hu : numpy.ndarray
        2-D float32 array in HU, rows top (anterior) to bottom, columns patient right to left.
    source : str
        The file it was read from.
    index : int
        Position of the slice in its series or volume after sorting (0 for single slices).
    pixel_spacing : tuple of float or None
        (row, column) spacing in mm.
    slice_thickness, slice_position : float or None
        Thickness in mm; position in mm along the slice normal.
    kvp, ctdi_vol, exposure_mas, tube_current_ma : float or None
        Acquisition settings where the file records them.
    kernel, series_uid, modality : str or None
        Reconstruction kernel, SeriesInstanceUID, DICOM Modality.
    extra : dict
        Anything else a loader knows (e.g. the InstanceNumber).
    """

    hu: np.ndarray
    source: str
    index: int = 0
    pixel_spacing: Optional[tuple] = None
    slice_thickness: Optional[float] = None
    slice_position: Optional[float] = None
    kvp: Optional[float] = None
    ctdi_vol: Optional[float] = None
    exposure_mas: Optional[float] = None
    tube_current_ma: Optional[float] = None
    kernel: Optional[str] = None
    series_uid: Optional[str] = None
    modality: Optional[str] = None
    extra: dict = field(default_factory=dict)

    @property
    def shape(self):
        return self.hu.shape

    def with_hu(self, hu):
        """A copy with other HU values (e.g. a simulated dose) and the same metadata."""
        return replace(self, hu=check_hu_array(hu, source=self.source))

    def __repr__(self):
        spacing = 'unknown spacing' if self.pixel_spacing is None else \
            'x'.join(f'{s:.3g}' for s in self.pixel_spacing) + ' mm'
        return (f'CTSlice({self.source!r}, index={self.index}, shape={self.hu.shape}, {spacing}, '
                f'HU {self.hu.min():.0f}..{self.hu.max():.0f})')


def check_hu_array(values, *, source):
    """Validate a single slice as a finite 2-D float32 HU array, or raise :class:`CTReadError`."""
    array = np.asarray(values)
    if array.ndim == 3 and array.shape[-1] in (3, 4):
        raise CTReadError(source, f'is a colour (RGB/RGBA) image of shape {array.shape}; '
                                  'CT slices are single-channel: convert it to grey first')
    if array.ndim != 2:
        raise CTReadError(source, f'holds a {array.ndim}-D array of shape {array.shape}; '
                                  'one CT slice must be 2-D (rows, columns)')
    if min(array.shape) < 2:
        raise CTReadError(source, f'has shape {array.shape}; a CT slice needs at least 2x2 pixels')
    if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
        raise CTReadError(source, f'has dtype {array.dtype}; expected real numbers')
    array = array.astype(np.float32, copy=False)
    bad = ~np.isfinite(array)
    if bad.any():
        raise CTReadError(source, f'contains {int(bad.sum())} NaN or infinite values; '
                                  'replace them (e.g. with the air value -1000 HU) before scoring')
    return array


def map_padding_to_air(hu, padding_mask=None):
    """Set out-of-field padding (and any value below -1500 HU) to air, in place."""
    hu[hu < PADDING_BELOW_HU] = AIR_HU
    if padding_mask is not None:
        hu[padding_mask] = AIR_HU
    return hu
