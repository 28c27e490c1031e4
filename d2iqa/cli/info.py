"""``d2iqa info PATH...``: list the CT series under the paths and what each slice holds.

Every series is listed; each file that cannot be read is reported with its reason and the
listing goes on. The exit status is 1 when any file failed (2 when a path does not exist).
"""
import sys

from ..io import discover, load_readable


def describe_slice(ct_slice):
    """One line: where the slice came from and what the file says about it."""
    fields = [f'{ct_slice.hu.shape[0]}x{ct_slice.hu.shape[1]}',
              f'HU {ct_slice.hu.min():.0f}..{ct_slice.hu.max():.0f}']
    if ct_slice.pixel_spacing:
        fields.append('spacing ' + 'x'.join(f'{s:.3g}' for s in ct_slice.pixel_spacing) + ' mm')
    for label, value, unit in (('thickness', ct_slice.slice_thickness, ' mm'),
                               ('z', ct_slice.slice_position, ' mm'), ('kVp', ct_slice.kvp, ''),
                               ('CTDIvol', ct_slice.ctdi_vol, ' mGy'),
                               ('exposure', ct_slice.exposure_mas, ' mAs'),
                               ('kernel', ct_slice.kernel, '')):
        if value is not None:
            fields.append(f'{label} {value:.4g}{unit}' if isinstance(value, float)
                          else f'{label} {value}{unit}')
    return f'  [{ct_slice.index:3d}] ' + ', '.join(fields)


def run(args):
    found = discover(*args.paths, allow_non_ct=args.allow_non_ct)
    errors = list(found.errors)
    for source in found.series:
        slices, unreadable = load_readable(source, values=args.values,
                                           allow_non_ct=args.allow_non_ct)
        errors.extend(unreadable)
        print(f'{source.kind} series {source.key}: {source.description}'
              + (f', {len(unreadable)} unreadable' if unreadable else ''))
        for ct_slice in slices:
            print(describe_slice(ct_slice))
    for path, reason in found.skipped:
        print(f'skipped {path}: {reason}')
    for path, reason in errors:
        print(f'error {path}: {reason}', file=sys.stderr)
    if errors:
        print(f'{len(errors)} file(s) could not be read', file=sys.stderr)
    return 1 if errors else 0


def add_parser(subparsers):
    parser = subparsers.add_parser(
        'info', help='list CT series and describe their slices',
        description='List every CT series under the paths and describe its slices. Files '
                    'that cannot be read are reported (on stderr) and the listing goes on; '
                    'the exit status is 1 when any file failed.')
    parser.add_argument('paths', nargs='+', help='files or folders (walked recursively)')
    parser.add_argument('--values', default=None,
                        help="units of TIFF/PNG/NPY pixels: 'hu' or a window preset ('d2iqa')")
    parser.add_argument('--allow-non-ct', action='store_true', help='read non-CT DICOM too')
    parser.set_defaults(func=run)
