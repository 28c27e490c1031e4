"""A trained mmdet detector behind the scoring loop's ``detect`` interface.

The mm* packages and torch are imported when a detector is built (through
:mod:`d2iqa.mm_common`, which checks their versions first), so that ``import d2iqa`` and the
pure trial loop stay free of them.
"""
import os

import numpy as np

__all__ = ['MMDetDetector', 'ParallelDetector', 'check_device']


def check_device(device):
    """Return ``device`` if torch can use it, else raise ValueError saying what to use instead.

    Parameters
    ----------
    device : str
        ``'cpu'``, ``'cuda'`` or ``'cuda:N'``.
    """
    import torch

    if not isinstance(device, str) or not (device == 'cpu' or device == 'cuda'
                                           or device.startswith('cuda:')):
        raise ValueError(f"device must be 'cpu', 'cuda' or 'cuda:N', got {device!r}")
    if device.startswith('cuda'):
        if not torch.cuda.is_available():
            build = 'a CPU-only build' if torch.version.cuda is None else \
                f'built for CUDA {torch.version.cuda}, but no GPU is visible'
            raise ValueError(f"device={device!r} was asked for, but torch {torch.__version__} is "
                             f"{build}: use device='cpu'")
        index = int(device.partition(':')[2] or 0)
        if index >= torch.cuda.device_count():
            raise ValueError(f'device={device!r}: only {torch.cuda.device_count()} GPU(s) '
                             'are visible')
    return device


def _merge_test_cfg(config, changes, path):
    """Merge ``changes`` into ``config.model.test_cfg``; every key must already be there."""
    def check(current, change, where):
        for key, value in change.items():
            if key not in current:
                raise ValueError(f'the model of {path} has no test setting {where}{key} (it '
                                 f'has {sorted(current)}): a profile or test_cfg made for '
                                 'another kind of detector?')
            if isinstance(value, dict):
                check(current[key], value, f'{where}{key}.')

    check(config.model.get('test_cfg') or {}, changes, 'test_cfg.')
    config.merge_from_dict({'model': {'test_cfg': changes}})


class MMDetDetector:
    """An mmdet detector from a checkpoint, run on batches of [0, 1] slices.

    The [0, 1] slice is replicated to 3 channels and goes through the model's
    ``data_preprocessor`` (padding; the D2IQA configs do no mean/std normalisation) and
    ``model.predict``: the input of ``tools/test.py``, without a per-image data pipeline.

    Parameters
    ----------
    checkpoint : str or path-like
        A checkpoint saved by MMEngine (``state_dict``; float16 weights are cast to the
        model's float32).
    config : str, path-like or mmengine.config.Config, optional
        The model's config; default: the config embedded in the checkpoint (``meta['cfg']``).
    device : str
        ``'cpu'``, ``'cuda'`` or ``'cuda:N'``.
    test_cfg : dict, optional
        Changes to the model's test settings (``model.test_cfg`` of the config), merged into
        them, e.g. ``{'rpn': {'max_per_img': 100}}`` for 100 proposals per image.

    Attributes
    ----------
    model : torch.nn.Module
        The detector, in eval mode on ``device``.
    config : mmengine.config.Config
    """

    def __init__(self, checkpoint, *, config=None, device='cpu', test_cfg=None):
        import torch

        from ..mm_common import load_model

        self.device = check_device(device)
        path = os.fspath(checkpoint)
        adjust = (lambda cfg: _merge_test_cfg(cfg, test_cfg, path)) if test_cfg else None
        self.model, self.config = load_model(path, scope='mmdet', config=config,
                                             device=self.device, adjust=adjust)
        self._torch = torch

    def detect(self, images01):
        """Detect lesions in a batch of slices.

        Parameters
        ----------
        images01 : array_like, shape (B, H, W)
            Slices in the [0, 1] D2IQA window, lesions added (values may leave [0, 1] by the
            lesion contrast).

        Returns
        -------
        list of (boxes, scores, labels)
            Per image: float32 ``(n, 4)`` ``x1, y1, x2, y2`` in pixels, float32 ``(n,)``,
            int64 ``(n,)`` indices in :data:`~d2iqa.lesions.CLASSES`.
        """
        from mmdet.structures import DetDataSample

        torch = self._torch
        batch = np.asarray(images01, dtype=np.float32)
        if batch.ndim != 3:
            raise ValueError(f'images01 must be a (B, H, W) batch, got shape {batch.shape}')
        height, width = batch.shape[1:]
        inputs = torch.from_numpy(np.ascontiguousarray(batch))[:, None].expand(-1, 3, -1, -1)
        meta = dict(img_shape=(height, width), ori_shape=(height, width), scale_factor=(1., 1.))
        data = {'inputs': list(inputs), 'data_samples': [DetDataSample(metainfo=meta)
                                                         for _ in range(len(batch))]}
        with torch.no_grad():
            data = self.model.data_preprocessor(data, False)
            samples = self.model.predict(data['inputs'], data['data_samples'])
        results = []
        for sample in samples:
            pred = sample.pred_instances
            results.append((pred.bboxes.float().cpu().numpy().reshape(-1, 4),
                            pred.scores.float().cpu().numpy(),
                            pred.labels.cpu().numpy().astype(np.int64)))
        return results

    def __repr__(self):
        return f'{type(self).__name__}(model={type(self.model).__name__}, device={self.device!r})'



_WORKER_DETECTOR = None


def _start_worker(checkpoint, config, test_cfg):
    import torch

    global _WORKER_DETECTOR
    torch.set_num_threads(1)
    _WORKER_DETECTOR = MMDetDetector(checkpoint, config=config, test_cfg=test_cfg)


def _detect_in_worker(images01):
    return _WORKER_DETECTOR.detect(images01)


class ParallelDetector:
    """:class:`MMDetDetector` copies in worker processes of one CPU thread each.

    A batch is split among the workers, so ``batch_size = workers`` keeps them all busy. The
    detections are those of :class:`MMDetDetector`. Measured on 2 CPU cores
    (benchmarks/RESULTS.md, "Scoring speed"): 1.6x the trials per second of one 2-thread
    process for the paper's R50 detector with 1000 proposals, 0.9x for the lite one.

    Parameters
    ----------
    checkpoint, config, test_cfg
        As in :class:`MMDetDetector` (``config`` a path, not a Config object).
    workers : int
        Worker processes (>= 2); each loads the model.
    """

    def __init__(self, checkpoint, *, workers, config=None, test_cfg=None):
        import multiprocessing

        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 2:
            raise ValueError(f'workers must be an integer >= 2, got {workers!r}')
        path = os.fspath(checkpoint)
        if not os.path.isfile(path):
            raise FileNotFoundError(f'checkpoint {path} does not exist')
        self.workers = workers
        # spawn: forking a process that has started torch's thread pool can deadlock
        self._pool = multiprocessing.get_context('spawn').Pool(
            workers, initializer=_start_worker, initargs=(path, config, test_cfg))

    def detect(self, images01):
        """Detect lesions in a batch of slices, as :meth:`MMDetDetector.detect`."""
        batch = np.asarray(images01, dtype=np.float32)
        if batch.ndim != 3:
            raise ValueError(f'images01 must be a (B, H, W) batch, got shape {batch.shape}')
        chunks = np.array_split(batch, min(self.workers, len(batch)))
        return [output for outputs in self._pool.map(_detect_in_worker, chunks)
                for output in outputs]

    def close(self):
        """Stop the worker processes."""
        self._pool.terminate()
        self._pool.join()

    def __repr__(self):
        return f'{type(self).__name__}(workers={self.workers})'
