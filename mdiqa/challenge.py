"""The LDCTIQAC2023 container contract: a stack of slices in, ``image-quality-scores.json`` out.

``python -m mdiqa.challenge INPUT OUTPUT_DIR --checkpoint CKPT`` where INPUT is a folder of
TIFFs (sorted by name), a multi-page TIFF, a NIfTI volume or a DICOM series; the output is a
JSON list of floats, one per slice, in slice order.
"""
import argparse
import json
import os

from d2iqa.io import load_series

from .api import MDIQAScorer

OUTPUT_NAME = 'image-quality-scores.json'


def write_scores(input_path, output_dir, *, checkpoint, config=None, device='cpu', values=None):
    """Score every slice of ``input_path`` and write ``output_dir/image-quality-scores.json``.

    ``values`` gives the units of TIFF / PNG / NPY inputs (default: the checkpoint's training
    data, the identity window for LDCTIQAC2023 models). Returns the path written.
    """
    scorer = MDIQAScorer(checkpoint=checkpoint, config=config, device=device, values=values)
    slices = load_series(input_path, values=scorer.values)
    scores = [result.score for result in scorer.score_slices(slices)]
    os.makedirs(output_dir, exist_ok=True)
    path = os.path.join(output_dir, OUTPUT_NAME)
    with open(path, 'w') as handle:
        json.dump(scores, handle)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m mdiqa.challenge', description=__doc__)
    parser.add_argument('input', help='a folder of slices, a multi-page TIFF, NIfTI or DICOM')
    parser.add_argument('output_dir', help=f'where {OUTPUT_NAME} is written')
    parser.add_argument('--checkpoint', required=True, help='an MD-IQA checkpoint')
    parser.add_argument('--config', help='its config (default: the one saved in it)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--values', help="units of TIFF/PNG/NPY pixels, e.g. 'hu' or 'abdomen'")
    args = parser.parse_args(argv)
    print(write_scores(args.input, args.output_dir, checkpoint=args.checkpoint,
                       config=args.config, device=args.device, values=args.values))


if __name__ == '__main__':
    main()
