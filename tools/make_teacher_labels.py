"""Teacher labels for a one-pass student: paired D2IQA scores of the training slices at a
ladder of degradations (``d2iqa.scoring.teacher``).

    python tools/make_teacher_labels.py --out labels.csv [--checkpoint PTH] [--trials 20]
        [--set-size 10] [--config configs/d2iqa/cascade-rcnn_r18_fpn_lite.py] [--resume]
        [--split train|val] [--images DIR] [--extend FEWER_TRIALS.csv]
    torchrun --nproc_per_node 2 tools/make_teacher_labels.py --out labels.csv --launcher pytorch

The slices are the training split of the config's dataset (``../shared/data/ct`` by
default); ``--split val`` labels the validation patients (the one-pass benchmark's teacher).
Rows name each slice relative to the config's data root and are written as each slice
finishes; ``--resume`` continues a killed run, with any number of processes, and refuses
labels of another teacher (the checkpoint's SHA-256 is in the settings). ``--extend`` makes
labels of more trials from labels of fewer (same teacher, set size and seed): only the further
trials run, e.g. ``--trials 40 --extend train.csv --out train40.csv``.
"""
import argparse
import os

from mmengine.config import Config

from d2iqa.engine import config_slices
from d2iqa.mm_common.runner import distributed
from d2iqa.scoring import D2IQAScorer
from d2iqa.scoring.teacher import DEFAULT_LADDER, make_teacher_labels, teacher_digest


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', required=True, help='the labels CSV')
    parser.add_argument('--config', default='configs/d2iqa/cascade-rcnn_r18_fpn_lite.py',
                        help='detector config whose training dataset lists the slices')
    parser.add_argument('--checkpoint', help='the teacher (default: the reference checkpoint)')
    parser.add_argument('--trials', type=int, default=20,
                        help='paired trials per slice (20: the training labels, docs/mdiqa.md)')
    parser.add_argument('--set-size', type=int, default=10,
                        help='trials per set (10: two sets give each label a standard error)')
    parser.add_argument('--seed', type=int, default=0, help='seed of lesions and noise')
    parser.add_argument('--split', choices=('train', 'val'), default='train',
                        help="the config's split to label")
    parser.add_argument('--limit', type=int, help='only the first N slices (trying it out)')
    parser.add_argument('--launcher', choices=('none', 'pytorch', 'slurm'), default='none')
    parser.add_argument('--images', help='also save every version scored here (NPY, float32 '
                        'HU): the one-pass student trains on them (tools/make_student_set.py)')
    parser.add_argument('--extend', metavar='CSV', help='labels of fewer trials by the same '
                        'teacher: keep their sets, run only the further trials')
    parser.add_argument('--resume', action='store_true')
    args = parser.parse_args()
    with distributed(args.launcher, cuda=False):
        # rows name each slice relative to the config's data root (saved in the settings), so
        # that the labels serve wherever the data lie; the validation split lists each slice once
        # per fixed lesion configuration
        data_root = Config.fromfile(args.config)[f'{args.split}_dataloader'].dataset.data_root
        slices = config_slices(args.config, split=args.split)
        entries = list({(os.path.abspath(e['img_path']), e['slice_index']): e
                        for e in slices}.values())[:args.limit]
        scorer = D2IQAScorer(checkpoint=args.checkpoint, trials=args.trials,
                             set_size=args.set_size, seed=args.seed)
        settings = {'checkpoint': os.path.relpath(scorer.checkpoint),
                    'checkpoint_sha256': teacher_digest(scorer.checkpoint),
                    'trials': args.trials, 'set_size': args.set_size, 'config': args.config,
                    'split': args.split, 'limit': args.limit}
        rows = make_teacher_labels(entries, scorer, out=args.out, ladder=DEFAULT_LADDER,
                                   seed=args.seed, resume=args.resume, settings=settings,
                                   images=args.images, data_root=data_root, extend=args.extend)
        if rows is not None:
            print(f'{args.out}: {len(rows)} labels of {len(rows) // len(DEFAULT_LADDER)} slices')


if __name__ == '__main__':
    main()
