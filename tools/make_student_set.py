"""The one-pass student's images and lists from teacher labels (``mdiqa.onepass``).

    python tools/make_student_set.py LABELS.csv OUT_DIR [--split train] [--no-unlabelled]
        [--workers 2]

Writes ``OUT_DIR/images/*.npy`` (the versions the teacher scored, and unlabelled rungs between
them), ``OUT_DIR/SPLIT.csv`` and ``OUT_DIR/unlabelled.csv``: the lists of
``configs/mdiqa/mdiqa_small_onepass.py`` (``MDIQA_ONEPASS=OUT_DIR``). A killed run continues
where it stopped.
"""
import argparse

from mdiqa.onepass import UNLABELLED_LADDER, build_student_set


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('labels', help='a CSV of tools/make_teacher_labels.py')
    parser.add_argument('out_dir', help='the student set folder')
    parser.add_argument('--split', default='train', help='name of the list (train, val)')
    parser.add_argument('--no-unlabelled', action='store_true',
                        help='only the labelled versions')
    parser.add_argument('--workers', type=int, default=1,
                        help='processes making the images (the same images for any number)')
    args = parser.parse_args()
    counts = build_student_set(args.labels, args.out_dir, split=args.split,
                               unlabelled_ladder=None if args.no_unlabelled
                               else UNLABELLED_LADDER, workers=args.workers, progress=print)
    print(', '.join(f'{name}.csv: {count} images' for name, count in counts.items()))


if __name__ == '__main__':
    main()
