"""Train a D2IQA detector (or an MD-IQA model): ``python tools/train.py CONFIG [options]``.

Several processes (GPUs, or CPU processes with gloo): ``tools/dist_train.sh CONFIG N``.
"""
import argparse

from mmengine.runner import Runner

from d2iqa.mm_common.runner import add_runner_arguments, parse_runner_arguments, prepare_config


def main():
    parser = argparse.ArgumentParser(description='Train a model from a config')
    parser.add_argument('config', help='config file')
    parser.add_argument('--resume', nargs='?', const='auto',
                        help='resume from this checkpoint, or from the latest in the work dir')
    parser.add_argument('--backbone-checkpoint',
                        help='local pre-trained backbone weights (nothing is downloaded)')
    args = parse_runner_arguments(add_runner_arguments(parser))
    cfg = prepare_config(args.config, work_dir=args.work_dir, cfg_options=args.cfg_options,
                         launcher=args.launcher, amp=args.amp, resume=args.resume,
                         backbone_checkpoint=args.backbone_checkpoint)
    Runner.from_cfg(cfg).train()


if __name__ == '__main__':
    main()
