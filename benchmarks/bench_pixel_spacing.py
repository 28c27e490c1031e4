"""How much a slice's score moves when the same anatomy comes on another pixel grid.

Each validation slice of the training config is resampled to 0.6, 0.8 and 1.0 mm pixels
(``d2iqa.io.resample_slice``) on a 512 x 512 matrix (centred, cropped or padded with air):
the same anatomy reconstructed on a field of view of 307, 410 or 512 mm, as a scanner does.
Each version is scored twice: on its pixels as they are (the paper's protocol: lesion radii of 7-10 pixels,
so 60 % larger in millimetres at 1.0 mm than at 0.6 mm) and with ``pixel_spacing=REFERENCE``
(every version resampled to one pixel size before scoring). The spread (largest minus smallest
score over the three grids) of each slice says how comparable scores of different fields of
view are under each protocol.

Needs ../shared/data/ct. Usage::

    python benchmarks/bench_pixel_spacing.py [--checkpoint PTH] [--trials 100] [--slices 4]
        [--reference 0.8] [--record]
"""
import argparse
import os

import numpy as np
from _results import RESULTS, load_note, machine, record
from bench_generalisation import CONFIG, ROOT, validation_set

from d2iqa import create_scorer, load_slice
from d2iqa.io import AIR_HU, resample_slice

SECTION = '## Physical scale'
SPACINGS = (0.6, 0.8, 1.0)


def reconstruct(ct, spacing, *, matrix=512):
    """``ct`` at ``spacing`` mm on a ``matrix`` x ``matrix`` grid (centre kept, air around)."""
    resampled = resample_slice(ct, spacing)
    hu = np.full((matrix, matrix), AIR_HU, dtype=np.float32)
    rows, columns = resampled.hu.shape
    top, left = (rows - matrix) // 2, (columns - matrix) // 2
    source = resampled.hu[max(top, 0):max(top, 0) + matrix, max(left, 0):max(left, 0) + matrix]
    hu[max(-top, 0):max(-top, 0) + source.shape[0],
       max(-left, 0):max(-left, 0) + source.shape[1]] = source
    return resampled.with_hu(hu)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--checkpoint', help='detector (default: the installed reference)')
    parser.add_argument('--trials', type=int, default=100, help='trials per image (one set)')
    parser.add_argument('--slices', type=int, default=4, help='validation slices used')
    parser.add_argument('--reference', type=float, default=0.8,
                        help='pixel size (mm) of the resampling protocol (default 0.8)')
    parser.add_argument('--note', default='',
                        help='what else the machine was doing, for the record (e.g. a paused job)')
    parser.add_argument('--record', action='store_true',
                        help=f'write the table to the "{SECTION[3:]}" section of {RESULTS}')
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    os.chdir(ROOT)
    entries, _ = validation_set(str(CONFIG))
    keys = list(dict.fromkeys((e['img_path'], e['slice_index']) for e in entries))
    scorer = create_scorer('d2iqa', checkpoint=args.checkpoint, trials=args.trials,
                           set_size=args.trials)
    lines = [f'{args.trials} trials per image (one set, seed 0), the first {args.slices} '
             f'validation slices, resampled to {" / ".join(map(str, SPACINGS))} mm; '
             f'"resampled" scores each with pixel_spacing={args.reference}.', '',
             '| slice (native mm) | protocol | ' + ' | '.join(f'{s} mm' for s in SPACINGS)
             + ' | spread |', '|---|---|' + '---:|' * (len(SPACINGS) + 1)]
    spreads = {'pixels as they are': [], 'resampled': []}
    for path, index in keys[:args.slices]:
        ct = load_slice(path, index=index)
        versions = [reconstruct(ct, spacing) for spacing in SPACINGS]
        for protocol, overrides in (('pixels as they are', {}),
                                    ('resampled', {'pixel_spacing': args.reference})):
            scores = [scorer.score_slice(v, **overrides).score for v in versions]
            spreads[protocol].append(max(scores) - min(scores))
            lines.append(f'| {os.path.basename(path)} ({ct.pixel_spacing[0]:.2f}) | {protocol} | '
                         + ' | '.join(f'{s:.3f}' for s in scores)
                         + f' | {spreads[protocol][-1]:.3f} |')
            print(lines[-1], flush=True)
    lines += ['', 'Mean spread: ' + ', '.join(f'{protocol} {np.mean(values):.3f}'
                                              for protocol, values in spreads.items()) + '.',
              '', f'Machine: {machine(("torch", "onedl-mmcv", "onedl-mmdetection"))}; '
                  f'{load_note(load_before)}{args.note and "; " + args.note}.']
    print('\n'.join(lines))
    if args.record:
        record(SECTION, 'bench_pixel_spacing.py', '\n'.join(lines))


if __name__ == '__main__':
    main()
