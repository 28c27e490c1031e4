"""``d2iqa demo``: the main job on the CT data that ships with the dependencies.

Until scoring lands, the demo loads the embedded real CT slices (pydicom's test data and the
``pydicom-data`` package) and prints what was read: nothing here is invented.
"""
from ..io import embedded_path, load_slice
from .info import describe_slice

#: real CT slices shipped with pydicom / pydicom-data, reached offline by name
EMBEDDED_SLICES = {
    'explicit_VR-UN.dcm': 'abdomen, 512x512, JPEG 2000 lossless',
    'bad_sequence.dcm': 'neck, 512x512, JPEG lossless',
    'CT_small.dcm': 'small CT, 128x128, uncompressed',
}


def run(args):
    for name, what in EMBEDDED_SLICES.items():
        ct_slice = load_slice(embedded_path(name))
        print(f'{name} ({what}): {ct_slice.source}')
        print(describe_slice(ct_slice))
    return 0


def add_parser(subparsers):
    parser = subparsers.add_parser('demo', help='run the main job on the embedded sample CT')
    parser.set_defaults(func=run)
