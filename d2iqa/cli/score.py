"""``d2iqa score PATH... --out results.csv``: score every CT slice of study folders.

Writes per-slice rows as each slice finishes, per-series summaries, an errors report and
optionally JSON (:mod:`d2iqa.scoring.batch`). The scorer is a plug-in of the
``ct_nriqa.scorers`` entry-point group (``d2iqa`` by default). Under ``torchrun`` or
``srun`` (``--launcher pytorch|slurm``) the ranks share the slices out.
"""
import contextlib
import os
import sys

from ..scoring.batch import RankFailure, results_stem, score_study
from ..scoring.lock import OutputLockedError
from ..scoring.detector import check_device
from ..scoring.plugins import create_scorer, scorer_names
from ..scoring.scorer import PROFILES


def _cores():
    """CPU cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()


def _scorer(args):
    """Build the chosen scorer with the options given on the command line."""
    options = {'checkpoint': args.checkpoint and os.path.abspath(args.checkpoint),
               'config': args.config and os.path.abspath(args.config),
               'batch_size': args.batch_size, 'trials': args.trials, 'set_size': args.set_size,
               'seed': args.seed, 'stop': args.stop, 'pixel_spacing': args.pixel_spacing,
               'profile': args.profile, 'workers': args.workers}
    options = {k: v for k, v in options.items() if v is not None}
    try:
        scorer = create_scorer(args.scorer, device=args.device, **options)
    except KeyError as exc:
        raise SystemExit(f'd2iqa score: error: {exc.args[0]}') from None
    except TypeError as exc:
        raise SystemExit(f'd2iqa score: error: scorer {args.scorer!r} does not take these '
                         f'options ({", ".join(options)}): {exc}') from None
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        raise SystemExit(f'd2iqa score: error: {exc}') from None
    # what the scores depend on (not the device, workers nor batch size), checked by --resume
    settings = {'scorer': args.scorer,
                **{k: v for k, v in options.items() if k not in ('batch_size', 'workers')}}
    if getattr(scorer, 'checkpoint', None) is not None:
        settings['checkpoint'] = os.path.abspath(scorer.checkpoint)
    return scorer, settings


def _local_processes():
    """Processes of this job on this machine (torchrun and srun say; else 1)."""
    for name in ('LOCAL_WORLD_SIZE', 'SLURM_NTASKS_PER_NODE'):
        text = os.environ.get(name, '').split('(')[0]
        if text.isdigit() and int(text) > 0:
            return int(text)
    return 1


def run(args):
    from ..mm_common.runner import distributed

    if args.every < 1:
        raise SystemExit(f'd2iqa score: error: --every must be >= 1, got {args.every}')
    if args.z_range is not None and args.z_range[0] > args.z_range[1]:
        raise SystemExit(f'd2iqa score: error: --z-range needs ZMIN <= ZMAX, got '
                         f'{args.z_range[0]:g} {args.z_range[1]:g}')
    if args.threads is not None and args.threads < 1:
        raise SystemExit(f'd2iqa score: error: --threads must be >= 1, got {args.threads}')
    with contextlib.ExitStack() as stack:
        try:
            check_device(args.device)
            local_rank = stack.enter_context(
                distributed(args.launcher, cuda=args.device.startswith('cuda')))
        except (ValueError, RuntimeError) as exc:
            raise SystemExit(f'd2iqa score: error: {exc}') from None
        return _score(args, local_rank)


def _score(args, local_rank):
    """Score the study (inside the process group when launched by torchrun or srun)."""
    import torch

    if args.launcher != 'none' and args.device == 'cuda':
        args.device = f'cuda:{local_rank}'
    torch.set_num_threads(args.threads or max(1, _cores() // _local_processes()))
    scorer, settings = _scorer(args)
    leader = not torch.distributed.is_initialized() or torch.distributed.get_rank() == 0
    try:
        study = score_study(args.paths, scorer, out=args.out, json_path=args.json,
                            every=args.every, z_range=args.z_range, values=args.values,
                            resume=args.resume, settings=settings, progress=not args.quiet)
    except (ValueError, OutputLockedError) as exc:
        raise SystemExit(f'd2iqa score: error: {exc}') from None
    except RankFailure:              # rank 0 says why
        return 1
    finally:
        getattr(scorer, 'close', lambda: None)()
    scored = len(study.rows)
    if not leader:
        return 0 if scored else 1
    print(f'{scored} slices scored ({study.resumed} from the earlier run), '
          f'{len(study.series)} series, {len(study.errors)} errors')
    for summary in study.series:
        print(f'  {summary["series_uid"]}: {summary["n_slices"]} slices, mean '
              f'{summary["mean"]:.4f}, median {summary["median"]:.4f}, min {summary["min"]:.4f}, '
              f'10th percentile {summary["p10"]:.4f}')
    for error in study.errors:
        where = f' [{error["slice_index"]}]' if error['slice_index'] != '' else ''
        print(f'error {error["file"]}{where}: {error["reason"]}', file=sys.stderr)
    for role, path in study.paths.items():
        if role != 'errors' or study.errors:
            print(f'wrote {path}')
    if args.report and scored:
        from ..report import build_report
        report = build_report([study.paths['slices']], out=f'{results_stem(args.out)}_report.html')
        print(f'wrote {report}')
    return 0 if scored else 1


def add_parser(subparsers):
    parser = subparsers.add_parser(
        'score', help='score every CT slice under the paths (CSV, JSON)',
        description='Score every CT slice (or a selection) of the series found under the '
                    'paths. Rows are flushed as slices finish; --resume skips the slices '
                    'already in --out. Unreadable files and slices that cannot host the '
                    'lesions go to the errors CSV and the run goes on.')
    parser.add_argument('paths', nargs='+', metavar='PATH',
                        help="CT files or folders (walked recursively; 'embedded:NAME' for a "
                             'file shipped with pydicom-data)')
    parser.add_argument('--out', required=True, metavar='CSV',
                        help='per-slice results; beside it go CSV_series.csv (per-series '
                             'summaries), CSV_errors.csv and CSV_settings.json')
    parser.add_argument('--json', metavar='FILE', help='also write everything as JSON')
    parser.add_argument('--scorer', default='d2iqa',
                        help=f'scorer plug-in (installed: {", ".join(scorer_names()) or "none"};'
                             ' default d2iqa)')
    parser.add_argument('--checkpoint', metavar='PTH',
                        help='detector weights (default: the reference checkpoint)')
    parser.add_argument('--config', metavar='PY',
                        help='the checkpoint\'s config (default: the one embedded in it)')
    parser.add_argument('--profile', choices=sorted(PROFILES),
                        help="detector test settings: 'paper' (1000 proposals) or 'fast' "
                             "(100); default the checkpoint's own")
    parser.add_argument('--workers', type=int, metavar='N',
                        help='CPU worker processes of one thread each running the detector '
                             '(D2IQA; faster than threads for heavy detectors such as R50)')
    parser.add_argument('--trials', type=int, help='trials per slice (D2IQA default 500)')
    parser.add_argument('--set-size', type=int, help='trials per set (D2IQA default 100)')
    parser.add_argument('--seed', type=int, help='seed of the lesion configurations (default 0)')
    parser.add_argument('--stop', choices=('fixed', 'converged'),
                        help="'converged': stop at the paper's eq. 6 (default: all trials)")
    parser.add_argument('--pixel-spacing', type=float, metavar='MM',
                        help='resample every slice to square pixels of MM mm before scoring, '
                             'so that scores of other fields of view compare (default: the '
                             "pixels as they are, the paper's protocol)")
    parser.add_argument('--batch-size', type=int, metavar='N', help='trial images per '
                        'detector call (default 1 on CPU, 16 on CUDA)')
    parser.add_argument('--every', type=int, default=1, metavar='N',
                        help='score every N-th slice of each series (default 1)')
    parser.add_argument('--z-range', type=float, nargs=2, metavar=('ZMIN', 'ZMAX'),
                        help='score only slices whose position is in [ZMIN, ZMAX] mm')
    parser.add_argument('--values', default=None,
                        help="units of TIFF/PNG/NPY pixels: 'hu' or a window preset ('d2iqa')")
    parser.add_argument('--device', default='cpu', help="'cpu' (default), 'cuda' or 'cuda:N'")
    parser.add_argument('--threads', type=int, metavar='N',
                        help='CPU threads for torch (default: the cores given to this process '
                             f'(here {_cores()}) shared among the processes of the job on this '
                             'machine)')
    parser.add_argument('--launcher', choices=('none', 'pytorch', 'slurm'), default='none',
                        help="'pytorch' under torchrun, 'slurm' under srun: the processes "
                             'share the slices out (gloo on CPU, NCCL on GPUs; with --device '
                             'cuda each process takes the GPU of its local rank)')
    parser.add_argument('--resume', action='store_true',
                        help='keep the rows already in --out and score the other slices')
    parser.add_argument('--report', action='store_true',
                        help='also write CSV_report.html (d2iqa report on these results)')
    parser.add_argument('--quiet', action='store_true', help='no progress bar')
    parser.set_defaults(func=run)
