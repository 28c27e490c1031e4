"""``d2iqa info PATH...``: list the CT series under the paths and what each slice holds."""
from ..io import discover, load_series


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
    for source in found.series:
        print(f'{source.kind} series {source.key}: {source.description}')
        slices = load_series(source, values=args.values, allow_non_ct=args.allow_non_ct)
        for ct_slice in slices:
            print(describe_slice(ct_slice))
    for path, reason in found.skipped:
        print(f'skipped {path}: {reason}')
    for path, reason in found.errors:
        print(f'error {path}: {reason}')
    return 1 if found.errors and not found.series else 0


def add_parser(subparsers):
    parser = subparsers.add_parser('info', help='list CT series and describe their slices')
    parser.add_argument('paths', nargs='+', help='files or folders (walked recursively)')
    parser.add_argument('--values', default=None,
                        help="units of TIFF/PNG/NPY pixels: 'hu' or a window preset ('d2iqa')")
    parser.add_argument('--allow-non-ct', action='store_true', help='read non-CT DICOM too')
    parser.set_defaults(func=run)
