"""``d2iqa evaluate-dose PATH... --out DIR``: dose-response study of the available scorers.

Simulates the dose (and optionally sparse-view) levels of every slice, scores every level with
every scorer (:mod:`.dose_study`), and writes ``scores.csv`` (one row per slice, level and
scorer, flushed slice by slice), ``correlations.csv`` (also printed) and PNG plots into ``DIR``.
"""
import argparse
import csv
import os
import sys

from ..io import discover, load_series
from ..scoring import ScorerUnavailable, create_scorer, scorer_names
from ..simulation import DEFAULT_DOSES
from .dose_study import (ROW_FIELDS, STUDIES, TABLE_FIELDS, correlation_table, format_table,
                         plot_study, run_dose_study)


def _incident_photons(text):
    if text == 'auto':
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of photons or 'auto', got {text!r}") \
            from None


def _checkpoint(text):
    name, sep, path = text.partition('=')
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError(f'expected SCORER=PATH, got {text!r}')
    return name, os.path.abspath(path)


def _scorers(names, checkpoints):
    """Build the chosen scorers; unavailable ones are skipped when not asked for by name."""
    explicit = names is not None
    unknown = sorted(set(checkpoints) - set(names or scorer_names()))
    if unknown:
        raise SystemExit(f'd2iqa evaluate-dose: error: --checkpoint for {unknown}, which is not '
                         'among the scorers run')
    scorers = []
    for name in names if explicit else scorer_names():
        options = {'checkpoint': checkpoints[name]} if name in checkpoints else {}
        try:
            scorers.append(create_scorer(name, **options))
        except ScorerUnavailable as exc:
            if explicit:
                raise SystemExit(f'd2iqa evaluate-dose: error: {exc}') from None
            print(f'skipping scorer {name}: {exc}', file=sys.stderr)
        except KeyError as exc:
            raise SystemExit(f'd2iqa evaluate-dose: error: {exc.args[0]}') from None
    return scorers


def _slices(paths, *, every, values):
    found = discover(*paths)
    for path, reason in found.errors:
        print(f'cannot read {path}: {reason}', file=sys.stderr)
    slices = []
    for source in found.series:
        slices.extend(load_series(source, values=values)[::every])
    return slices


def run(args):
    if args.every < 1:
        raise SystemExit(f'd2iqa evaluate-dose: error: --every must be >= 1, got {args.every}')
    scorers = _scorers(args.scorers, dict(args.checkpoint))
    slices = _slices(args.paths, every=args.every, values=args.values)
    if not slices:
        raise SystemExit('d2iqa evaluate-dose: error: no CT slices found under '
                         + ' '.join(args.paths))
    print(f'{len(slices)} slices, doses {args.doses or "none"} %, sparse views '
          f'{args.sparse_views or "none"}, scorers {", ".join(s.name for s in scorers)}')
    os.makedirs(args.out, exist_ok=True)
    scores_path = os.path.join(args.out, 'scores.csv')
    with open(scores_path, 'w', newline='') as stream:
        writer = csv.DictWriter(stream, fieldnames=ROW_FIELDS)
        writer.writeheader()

        def write(rows):
            writer.writerows(rows)
            stream.flush()

        rows = run_dose_study(slices, scorers, doses=args.doses, sparse_views=args.sparse_views,
                              seed=args.seed, incident_photons=args.incident_photons,
                              on_rows=write, progress=not args.quiet)
    table = correlation_table(rows)
    table_path = os.path.join(args.out, 'correlations.csv')
    with open(table_path, 'w', newline='') as stream:
        writer = csv.DictWriter(stream, fieldnames=TABLE_FIELDS)
        writer.writeheader()
        writer.writerows(table)
    print(format_table(table))
    plots = [path for study in STUDIES for path in plot_study(rows, args.out, study=study)]
    for path in [scores_path, table_path, *plots]:
        print(f'wrote {path}')
    if args.report:
        from ..report import build_dose_report
        print(f'wrote {build_dose_report(args.out)}')
    return 0


def add_parser(subparsers):
    parser = subparsers.add_parser(
        'evaluate-dose', help='score simulated dose / sparse-view levels and correlate',
        description='Simulate lower-dose (and sparse-view) versions of full-dose CT slices, '
                    'score every version with every scorer, and write scores.csv, '
                    'correlations.csv and PNG plots.')
    parser.add_argument('paths', nargs='+', metavar='PATH',
                        help='CT files or folders (series are found with d2iqa info\'s rules)')
    parser.add_argument('--out', required=True, metavar='DIR', help='output folder')
    parser.add_argument('--doses', nargs='*', type=float, default=list(DEFAULT_DOSES),
                        metavar='PERCENT',
                        help='dose levels in %% of the input (default: '
                             f'{" ".join(map(str, DEFAULT_DOSES))}); give the option with no '
                             'value to skip dose levels')
    parser.add_argument('--sparse-views', nargs='*', type=int, default=[], metavar='VIEWS',
                        help='sparse-view levels, e.g. 360 270 225 180 150 120 90 (default: none)')
    parser.add_argument('--scorers', nargs='+', default=None, metavar='NAME',
                        help='scorers to run (default: every installed one that can run here, '
                             'by name: d2iqa, mdiqa with --checkpoint, noise, psnr, ssim, ...)')
    parser.add_argument('--checkpoint', action='append', type=_checkpoint, default=[],
                        metavar='SCORER=PATH',
                        help='weights of a learned scorer, e.g. mdiqa=work_dirs/md/iter_2000.pth '
                             '(repeatable)')
    parser.add_argument('--every', type=int, default=1, metavar='N',
                        help='use every N-th slice of each series (default: 1)')
    parser.add_argument('--seed', type=int, default=0, help='seed of the simulated noise')
    parser.add_argument('--incident-photons', type=_incident_photons, default='auto',
                        metavar='N0', help="full-dose photons per detector bin and view, or "
                                           "'auto' to calibrate on each slice (default)")
    parser.add_argument('--values', default=None,
                        help="units of TIFF/PNG/NPY pixels: 'hu' or a window preset ('d2iqa')")
    parser.add_argument('--report', action='store_true',
                        help='also write DIR/report.html (curves and tables in one page)')
    parser.add_argument('--quiet', action='store_true', help='no progress bar')
    parser.set_defaults(func=run)
