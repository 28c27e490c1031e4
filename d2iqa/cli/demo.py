"""``d2iqa demo``: the main job on the CT data that ships with the dependencies.

Until scoring lands, the demo loads the embedded real CT slices (pydicom's test data and the
``pydicom-data`` package) and prints what was read: nothing here is invented.
"""
from ..io import load_slice
from .info import describe_slice

#: real CT slices shipped with pydicom / pydicom-data, reached offline by name
EMBEDDED_SLICES = {
    'explicit_VR-UN.dcm': 'abdomen, 512x512, JPEG 2000 lossless',
    'bad_sequence.dcm': 'neck, 512x512, JPEG lossless',
    'CT_small.dcm': 'small CT, 128x128, uncompressed',
}


def embedded_slice_path(name):
    """Path of a CT file shipped with pydicom or pydicom-data (no network)."""
    from pydicom.data import get_testdata_file
    path = get_testdata_file(name, download=False)
    if path is None:
        raise FileNotFoundError(f'{name} is not installed: pip install pydicom-data '
                                '(the `data` extra of this package)')
    return path


def run(args):
    for name, what in EMBEDDED_SLICES.items():
        ct_slice = load_slice(embedded_slice_path(name))
        print(f'{name} ({what}): {ct_slice.source}')
        print(describe_slice(ct_slice))
    return 0


def add_parser(subparsers):
    parser = subparsers.add_parser('demo', help='run the main job on the embedded sample CT')
    parser.set_defaults(func=run)
