"""Display windows: Hounsfield units <-> the [0, 1] intensities the scorers work in."""
from typing import NamedTuple

import numpy as np


class Window(NamedTuple):
    """A CT display window: HU ``level - width / 2`` maps to 0 and ``level + width / 2`` to 1."""

    level: float
    width: float

    @property
    def low(self):
        return self.level - self.width / 2

    @property
    def high(self):
        return self.level + self.width / 2


#: Named windows. ``'d2iqa'`` is the detector's input window (HU -1000 -> 0, HU 400 -> 1).
WINDOWS = {
    'd2iqa': Window(level=-300.0, width=1400.0),
    'abdomen': Window(level=40.0, width=350.0),
}


def get_window(window):
    """Return a :class:`Window` from a preset name, a ``Window`` or a ``(level, width)`` pair."""
    if isinstance(window, str):
        try:
            return WINDOWS[window]
        except KeyError:
            raise ValueError(f'unknown window preset {window!r}; choose one of {sorted(WINDOWS)} '
                             'or pass Window(level=..., width=...)') from None
    level, width = window
    if not width > 0:
        raise ValueError(f'window width must be positive, got {width}')
    return Window(float(level), float(width))


def _resolve(level, width, preset):
    if preset is not None:
        if level is not None or width is not None:
            raise ValueError('pass either preset= or level= and width=, not both')
        return get_window(preset)
    if level is None or width is None:
        raise ValueError('pass level= and width= (in HU), or preset= '
                         f'(one of {sorted(WINDOWS)})')
    return get_window((level, width))


def window(hu, *, level=None, width=None, preset=None):
    """Map Hounsfield units to [0, 1] through a display window, clipping outside it.

    Parameters
    ----------
    hu : array_like
        Image in Hounsfield units.
    level, width : float, optional
        Window centre and width in HU.
    preset : str, optional
        A name from :data:`WINDOWS` instead of ``level`` and ``width``
        (``'d2iqa'``: level -300, width 1400; ``'abdomen'``: level 40, width 350).

    Returns
    -------
    numpy.ndarray
        float32 array in [0, 1], same shape as ``hu``.
    """
    win = _resolve(level, width, preset)
    scaled = (np.asarray(hu, dtype=np.float32) - np.float32(win.low)) / np.float32(win.width)
    return np.clip(scaled, 0.0, 1.0)


def unwindow(image01, *, level=None, width=None, preset=None):
    """Inverse of :func:`window` for values inside the window: [0, 1] -> HU (float32).

    Values clipped by :func:`window` cannot be recovered; they come back as the window's ends.
    """
    win = _resolve(level, width, preset)
    values = np.asarray(image01, dtype=np.float32)
    return values * np.float32(win.width) + np.float32(win.low)
