"""The ``d2iqa`` command: one sub-command per module listed in :data:`COMMANDS`.

Each module defines ``add_parser(subparsers)``, which registers its sub-command and sets
``func`` (called with the parsed arguments, returns an exit code or None).
"""
import argparse
import importlib
import sys

from ..io import CTReadError

#: sub-command modules of this package, in the order ``d2iqa --help`` lists them
COMMANDS = ('demo', 'score', 'info', 'report', 'lesions', 'evaluate_dose')


def build_parser():
    parser = argparse.ArgumentParser(
        prog='d2iqa', description='No-reference CT image quality assessment (D2IQA, MD-IQA).')
    subparsers = parser.add_subparsers(dest='command', required=True, metavar='COMMAND')
    for name in COMMANDS:
        importlib.import_module(f'{__name__}.{name}').add_parser(subparsers)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except CTReadError as exc:
        print(f'd2iqa {args.command}: error: {exc}', file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
