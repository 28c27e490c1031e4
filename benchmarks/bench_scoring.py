"""Scoring speed: our trial engine against the straightforward implementation, and the
inference settings that could make it faster.

The same trials of one 512 x 512 slice (the embedded abdominal CT; the lesions of
``trial_rng(0, t)``, one set of all trials) are scored by

* the *baseline* a user would write: mmdet's ``inference_detector`` on each trial image, one
  at a time, and pycocotools' COCOeval on the set;
* *our engine*: ``run_trials`` with ``MMDetDetector`` (what ``score_slice`` runs);
* the *detector forward* alone: ``model.predict`` on the same trial images, already
  preprocessed; our overhead is the engine's time over this one, minus 1.

Then each candidate optimisation of the engine (channels-last memory, bfloat16 autocast,
thread count, batching, the ``fast`` profile) is timed on the same trials with the score it
gives. Configs: the reference checkpoint (lite cascade) and the paper's Cascade R-CNN R50
(randomly initialised: its speed does not depend on its weights, its score means nothing).

Usage::

    python benchmarks/bench_scoring.py [--trials 40] [--paper-trials 8] [--record]

``--record`` writes the tables to the "Scoring speed" section of benchmarks/RESULTS.md.
"""
import argparse
import contextlib
import os
import tempfile
from pathlib import Path

import numpy as np
import torch
from _results import RESULTS, best_time, load_note, machine, record

from d2iqa.evaluation.pycocotools_reference import pycocotools_eval
from d2iqa.io import embedded_path, load_slice, window
from d2iqa.lesions import CLASSES, Placement, add_lesions
from d2iqa.scoring import (PROFILES, MMDetDetector, ParallelDetector, ScoringOptions,
                           run_trials, trial_rng)
from d2iqa.scoring.scorer import reference_checkpoint

ROOT = Path(__file__).resolve().parents[1]
SECTION = '## Scoring speed'
PAPER_CONFIG = ROOT / 'configs' / 'd2iqa' / 'cascade-rcnn_r50_fpn_paper.py'


def random_checkpoint(config, folder):
    """A checkpoint of the config's model with its initial weights (for timing only)."""
    from mmdet.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    cfg = Config.fromfile(config)
    init_default_scope('mmdet')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    path = Path(folder) / 'random.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': {'cfg': cfg.pretty_text}}, path)
    return path


def trial_images(image01, trials):
    """The trial images (lesions added) and their lesions, as the engine draws them."""
    placement = Placement.from_image(image01)
    lesions = [placement.draw(trial_rng(0, t)) for t in range(trials)]
    return [add_lesions(image01, drawn) for drawn in lesions], lesions


def baseline(checkpoint, images, lesions, repeat):
    """inference_detector on each image, then pycocotools on the set: (seconds, mAP)."""
    from mmdet.apis import inference_detector, init_detector
    from mmengine.config import Config

    cfg = Config.fromstring(torch.load(checkpoint, weights_only=False)['meta']['cfg'], '.py')
    cfg.test_dataloader.dataset.pipeline = [
        dict(type='mmdet.LoadImageFromNDArray'),
        dict(type='mmdet.Resize', scale=images[0].shape, keep_ratio=True),  # the same size
        dict(type='mmdet.PackDetInputs')]
    with contextlib.redirect_stderr(open(os.devnull, 'w')):
        model = init_detector(cfg, str(checkpoint), device='cpu')
    rgb = [np.repeat(image[..., None], 3, axis=2) for image in images]
    inference_detector(model, rgb[0])  # warm-up

    def run():
        outputs = [inference_detector(model, image).pred_instances for image in rgb]
        evaluator = pycocotools_eval(
            [d.boxes for d in lesions], [d.labels for d in lesions],
            [o.bboxes.numpy() for o in outputs], [o.scores.numpy() for o in outputs],
            [o.labels.numpy() for o in outputs], num_classes=len(CLASSES))
        with contextlib.redirect_stdout(None):
            evaluator.summarize()
        return float(evaluator.stats[0])
    return best_time(run, repeat)


def engine(detector, image01, trials, repeat, *, batch_size=1,
           context=contextlib.nullcontext):
    """run_trials on one set of all trials: (seconds, score)."""
    options = ScoringOptions(trials=trials, set_size=trials)
    detector.detect(np.stack([image01] * batch_size))  # warm-up
    with context():
        seconds, (result,) = best_time(
            lambda: run_trials([image01], detector, options=options, batch_size=batch_size),
            repeat)
    return seconds, result.score


def forward_only(detector, images, repeat):
    """model.predict on the preprocessed trial images, one at a time: seconds."""
    from mmdet.structures import DetDataSample

    model = detector.model
    meta = dict(img_shape=images[0].shape, ori_shape=images[0].shape, scale_factor=(1., 1.))
    inputs = []
    with torch.no_grad():
        for image in images:
            tensor = torch.from_numpy(np.ascontiguousarray(image))[None].expand(3, -1, -1)
            data = model.data_preprocessor({'inputs': [tensor],
                                           'data_samples': [DetDataSample(metainfo=meta)]})
            inputs.append(data)
        model.predict(inputs[0]['inputs'], inputs[0]['data_samples'])  # warm-up
        seconds, _ = best_time(lambda: [model.predict(d['inputs'], d['data_samples'])
                                        for d in inputs], repeat)
    return seconds


@contextlib.contextmanager
def threads(count):
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def bfloat16():
    return torch.autocast('cpu', dtype=torch.bfloat16)


def study(name, checkpoint, image01, trials, repeat):
    """The rows of one config: baseline, engine, forward, optimisations."""
    images, lesions = trial_images(image01, trials)
    detector = MMDetDetector(checkpoint)
    t_base, map_base = baseline(checkpoint, images, lesions, repeat)
    t_engine, score = engine(detector, image01, trials, repeat)
    t_forward = forward_only(detector, images, repeat)
    overview = (f'| {name} | {trials} | {trials / t_base:.3f} | {trials / t_engine:.3f} | '
                f'{t_base / t_engine:.2f}x | {t_forward / trials * 1e3:.0f} | '
                f'{t_engine / t_forward - 1:+.1%} | {abs(score - map_base):.1e} |')
    candidates = [('threads=1', {'context': lambda: threads(1)}),
                  ('batch_size=4', {'batch_size': 4}),
                  ('bfloat16 autocast', {'context': bfloat16})]
    rows = []
    for label, options in candidates:
        try:
            t, changed = engine(detector, image01, trials, repeat, **options)
            rows.append((label, t, changed))
        except Exception as exc:  # an optimisation this CPU or an op cannot run
            rows.append((label, None, f'{type(exc).__name__}: {str(exc).splitlines()[0][:80]}'))
    detector.model.to(memory_format=torch.channels_last)
    rows.append(('channels_last', *engine(detector, image01, trials, repeat)))
    for profile in ('paper', 'fast'):
        rows.append((f'profile {profile!r}', *engine(
            MMDetDetector(checkpoint, test_cfg=PROFILES[profile]), image01, trials, repeat)))
    for profile in (None, 'fast'):
        parallel = ParallelDetector(checkpoint, workers=2, test_cfg=PROFILES.get(profile))
        rows.append((f'2 worker processes of 1 thread, profile {profile!r}',
                     *engine(parallel, image01, trials, repeat, batch_size=2)))
        parallel.close()
    lines = []
    for label, t, changed in rows:
        if t is None:
            lines.append(f'| {name} | {label} | failed | | {changed} |')
        else:
            lines.append(f'| {name} | {label} | {trials / t:.3f} | {t_engine / t:.2f}x | '
                         f'{changed - score:+.4f} |')
    print(overview, *lines, sep='\n', flush=True)
    return overview, lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--trials', type=int, default=40,
                        help='trials of the lite reference detector (default 40)')
    parser.add_argument('--paper-trials', type=int, default=8,
                        help="trials of the paper's R50 detector (default 8)")
    parser.add_argument('--repeat', type=int, default=3,
                        help='timed runs of each setting, the fastest kept (default 3)')
    parser.add_argument('--record', action='store_true',
                        help=f'write the tables to the "{SECTION[3:]}" section of {RESULTS}')
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    image01 = window(load_slice(embedded_path('explicit_VR-UN.dcm')).hu, preset='d2iqa')
    with tempfile.TemporaryDirectory() as folder:
        studies = [study('lite (reference)', reference_checkpoint(), image01, args.trials,
                         args.repeat),
                   study('paper R50 (random weights)', random_checkpoint(PAPER_CONFIG, folder),
                         image01, args.paper_trials, args.repeat)]
    lines = [
        f'One 512 x 512 slice (`embedded:explicit_VR-UN.dcm`), trials of seed 0, one set; '
        f'fastest of {args.repeat} timed runs of each; '
        f'{torch.get_num_threads()} torch threads unless stated. Baseline: '
        '`inference_detector` per trial image + pycocotools COCOeval; engine: `run_trials` + '
        '`MMDetDetector` (what `score_slice` runs); forward: `model.predict` on preprocessed '
        'images. Overhead = engine time / forward time - 1.', '',
        '| detector | trials | baseline (trials/s) | engine (trials/s) | engine speed-up | '
        'forward (ms/trial) | overhead | abs(score - baseline mAP) |',
        '|---|---:|---:|---:|---:|---:|---:|---:|',
        *(overview for overview, _ in studies), '',
        'Candidate optimisations of the engine on the same trials (speed-up over the engine '
        'with the checkpoint\'s own settings; score change on the same trials):', '',
        '| detector | setting | trials/s | speed-up | score change |',
        '|---|---|---:|---:|---:|',
        *(line for _, rows in studies for line in rows), '',
        f'Machine: {machine(("torch", "onedl-mmcv", "onedl-mmdetection"))}; '
        f'{load_note(load_before)}.']
    print('\n'.join(lines))
    if args.record:
        record(SECTION, 'bench_scoring.py', '\n'.join(lines))


if __name__ == '__main__':
    main()
