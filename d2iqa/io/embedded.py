"""Real CT that ships with the dependencies (pydicom's test files and ``pydicom-data``)."""
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
