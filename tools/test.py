"""Evaluate a checkpoint: ``python tools/test.py CONFIG CHECKPOINT [options]``.

Reports the config's test metric (lesion-detection COCO mAP per class for D2IQA detectors).
Several processes: ``tools/dist_test.sh CONFIG CHECKPOINT N``.
"""
import argparse

from mmengine.runner import Runner

from d2iqa.mm_common.runner import add_runner_arguments, parse_runner_arguments, prepare_config


def main():
    parser = argparse.ArgumentParser(description='Test a checkpoint with a config')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    args = parse_runner_arguments(add_runner_arguments(parser))
    cfg = prepare_config(args.config, work_dir=args.work_dir, cfg_options=args.cfg_options,
                         launcher=args.launcher, checkpoint=args.checkpoint)
    if args.amp:
        cfg.test_cfg.fp16 = True
    Runner.from_cfg(cfg).test()


if __name__ == '__main__':
    main()
