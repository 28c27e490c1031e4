"""Real CT that ships with the dependencies (pydicom's test files and ``pydicom-data``)."""
import os

from .errors import CTReadError

#: prefix naming an embedded file where a path is expected, e.g. ``'embedded:CT_small.dcm'``
EMBEDDED_PREFIX = 'embedded:'


def embedded_path(name):
    """Local path of a CT file shipped with pydicom or pydicom-data (nothing is downloaded).

    ``name`` may carry the ``'embedded:'`` prefix.
    """
    from pydicom.data import get_testdata_file
    name = name[len(EMBEDDED_PREFIX):] if name.startswith(EMBEDDED_PREFIX) else name
    path = get_testdata_file(name, download=False)
    if path is None:
        raise CTReadError(name, 'is not an installed pydicom test file: install pydicom-data '
                                '(the `data` extra of this package)')
    return path


def resolve_path(path):
    """``path`` itself, or the local file that an ``'embedded:NAME'`` path names."""
    path = str(path)
    return embedded_path(path) if path.startswith(EMBEDDED_PREFIX) else path


def embedded_name(path):
    """``'embedded:NAME'`` when ``path`` is the installed embedded file NAME, else None.

    Paths into the installed packages differ between machines; the name does not.
    """
    from pydicom.data import get_testdata_file
    name = os.path.basename(os.fspath(path))
    installed = get_testdata_file(name, download=False)
    if installed is None or not os.path.exists(path):
        return None
    return EMBEDDED_PREFIX + name if os.path.samefile(installed, path) else None
