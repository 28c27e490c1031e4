"""``d2iqa report RESULTS.csv [RESULTS2.csv ...] --out report.html``: one HTML page to read.

Also ``d2iqa report --dose-study DIR`` for the output folder of ``d2iqa evaluate-dose``.
"""
import sys

from ..io import CTReadError


def run(args):
    from ..report import build_dose_report, build_report

    try:
        if args.dose_study:
            if args.results:
                raise SystemExit('d2iqa report: error: give results CSVs or --dose-study DIR, '
                                 'not both')
            path = build_dose_report(args.dose_study, out=args.out, title=args.title)
        else:
            if not args.results:
                raise SystemExit('d2iqa report: error: give at least one results CSV (the '
                                 '--out of d2iqa score), or --dose-study DIR')
            if args.out is None:
                raise SystemExit('d2iqa report: error: --out report.html is required')
            path = build_report(args.results, out=args.out, labels=args.labels,
                                worst=args.worst, title=args.title)
    except (FileNotFoundError, ValueError, CTReadError) as exc:
        print(f'd2iqa report: error: {exc}', file=sys.stderr)
        return 2
    print(f'wrote {path}')
    return 0


def add_parser(subparsers):
    parser = subparsers.add_parser(
        'report', help='one self-contained HTML report of score results or a dose study',
        description='Write one HTML file (figures inlined, no network) that shows per series '
                    'the score along the patient axis with dose, the group of series with '
                    'outliers flagged, the lowest-scoring slices with a trial\'s lesions and '
                    'detections, and, for two or more result sets sharing slices, their paired '
                    'differences with a 95 %% confidence interval.')
    parser.add_argument('results', nargs='*', metavar='RESULTS.csv',
                        help='per-slice CSVs written by d2iqa score --out (compared with the '
                             'first when several)')
    parser.add_argument('--out', metavar='HTML',
                        help='the report (default for --dose-study: DIR/report.html)')
    parser.add_argument('--labels', nargs='+', metavar='NAME',
                        help='names of the result sets (default: their file names)')
    parser.add_argument('--worst', type=int, default=8, metavar='N',
                        help='thumbnails of the N lowest-scoring slices per result set '
                             '(default 8; 0 for none)')
    parser.add_argument('--dose-study', metavar='DIR',
                        help='report the --out folder of d2iqa evaluate-dose instead')
    parser.add_argument('--title', help='title of the page')
    parser.set_defaults(func=run)
