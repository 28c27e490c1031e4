"""Strip a training checkpoint to fp16 weights + config.

``python tools/export_checkpoint.py SRC DST``
"""
import argparse

import torch

from d2iqa.mm_common import export_inference_checkpoint


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('source', help='training checkpoint (e.g. work_dirs/lite/iter_3000.pth)')
    parser.add_argument('destination', help='where the inference checkpoint goes')
    parser.add_argument('--float32', action='store_true', help='keep float32 weights')
    args = parser.parse_args()
    info = export_inference_checkpoint(args.source, args.destination,
                                       dtype=torch.float32 if args.float32 else torch.float16)
    print(f'{args.destination}: {info["tensors"]} tensors, {info["parameters"]:,} values, '
          f'{info["bytes"] / 2**20:.1f} MiB of weights')


if __name__ == '__main__':
    main()
