"""The multi-trial D2IQA score as an MMEngine metric, for ``tools/test.py`` on a scoring config."""
from collections import defaultdict

import numpy as np
from mmdet.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from ..scoring import ScoringOptions, TrialDetections, score_sets, scoring_options
from .metrics import _array


@METRICS.register_module()
class D2IQAScoreMetric(BaseMetric):
    """The D2IQA score of every slice of the test set, and their mean.

    The test set holds each slice ``trials_per_slice`` times (``CTSliceDataset``), each with
    its ``trial`` index and its own lesions (``InsertVirtualLesions(seed=...,
    seed_fields=('trial',))``, the lesions that ``d2iqa.score_slice(seed=...)`` draws). The
    predictions are grouped by slice (``img_path``, ``slice_index``), ordered by trial and
    cut into sets of ``set_size``; each slice is scored by ``d2iqa.scoring.score_sets``, the
    function of the Python API, so both report the same number for the same trials. The
    per-slice scores are logged as a table.

    Metrics (prefix ``d2iqa``): ``score`` (mean over slices of the slice scores), ``sem``
    (root mean square of the slice standard errors over the square root of the number of
    slices: the standard error of that mean), ``n_slices``.

    Args:
        **options: fields of :class:`~d2iqa.scoring.ScoringOptions`, the object the Python
            API scores with: ``set_size`` (100 in the release; ``trials_per_slice`` must be a
            multiple of it), ``aggregate``, ``stop``, ``epsilon``, ``min_sets``. The number of
            trials is each slice's; its lesions come from the test pipeline.
    """

    default_prefix = 'd2iqa'

    def __init__(self, collect_device='cpu', prefix=None, **options):
        super().__init__(collect_device=collect_device, prefix=prefix)
        set_size = options.get('set_size', ScoringOptions.set_size)
        self.options = scoring_options(dict(trials=set_size, **options))

    def process(self, data_batch, data_samples):
        for sample in data_samples:
            gt, pred = sample['gt_instances'], sample['pred_instances']
            self.results.append(dict(
                slice=(sample['img_path'], int(sample.get('slice_index', 0))),
                trial=int(sample['trial']),
                gt_boxes=_array(gt['bboxes']).reshape(-1, 4).astype(np.float64),
                gt_labels=_array(gt['labels']).astype(np.int64),
                boxes=_array(pred['bboxes']).reshape(-1, 4).astype(np.float64),
                scores=_array(pred['scores']).astype(np.float64),
                labels=_array(pred['labels']).astype(np.int64)))

    def compute_metrics(self, results):
        by_slice = defaultdict(dict)
        for result in results:
            by_slice[result['slice']][result['trial']] = TrialDetections(
                *(result[name] for name in TrialDetections._fields))
        table, scores, sems = [], [], []
        for (path, index), trials in by_slice.items():
            if sorted(trials) != list(range(len(trials))):
                raise ValueError(f'{path} [{index}]: trials {sorted(trials)} are not 0..n-1; '
                                 'each slice needs CTSliceDataset(trials_per_slice=n)')
            size = self.options.set_size
            if len(trials) % size:
                raise ValueError(f'{path} [{index}] has {len(trials)} trials, not a multiple of '
                                 f'set_size={size}: make the dataset\'s trials_per_slice a '
                                 'multiple of the metric\'s set_size')
            options = self.options.replace(trials=len(trials))
            ordered = [trials[t] for t in range(len(trials))]
            sets = ([ordered[k * size:(k + 1) * size]] for k in range(options.max_sets))
            (result,) = score_sets(sets, options)
            table.append(f'{path} [{index}]: {result}')
            scores.append(result.score)
            sems.append(result.sem)
        MMLogger.get_current_instance().info(
            'D2IQA score per slice:\n' + '\n'.join(table))
        sems = np.asarray(sems)
        return {'score': float(np.mean(scores)),
                'sem': float(np.sqrt(np.mean(sems ** 2) / len(sems))),
                'n_slices': len(scores)}
