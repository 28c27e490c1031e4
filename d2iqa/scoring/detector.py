"""A trained mmdet detector behind the scoring loop's ``detect`` interface.

The mm* packages and torch are imported when a detector is built, so that ``import d2iqa``
and the pure trial loop stay free of them.
"""
import os

import numpy as np

__all__ = ['MMDetDetector', 'check_device']


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


def _load_config(config, checkpoint, path):
    from mmengine.config import Config
    from mmengine.utils import import_modules_from_strings

    if config is None:
        text = checkpoint.get('meta', {}).get('cfg')
        if not text:
            raise ValueError(f"{path} carries no config (meta['cfg'], which MMEngine's Runner "
                             'saves): pass config= (the config file it was trained with)')
        config = Config.fromstring(text, file_format='.py')
    elif not isinstance(config, Config):
        if not os.path.isfile(config):
            raise FileNotFoundError(f'config {config} does not exist')
        config = Config.fromfile(config)
    imports = config.get('custom_imports')
    if imports:
        import_modules_from_strings(**imports)
    return config


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

    Attributes
    ----------
    model : torch.nn.Module
        The detector, in eval mode on ``device``.
    config : mmengine.config.Config
    """

    def __init__(self, checkpoint, *, config=None, device='cpu'):
        import torch
        from mmdet.registry import MODELS
        from mmengine.registry import init_default_scope
        from mmengine.runner import CheckpointLoader, load_state_dict

        self.device = check_device(device)
        path = os.fspath(checkpoint)
        if not os.path.isfile(path):
            raise FileNotFoundError(f'checkpoint {path} does not exist')
        loaded = CheckpointLoader.load_checkpoint(path, map_location='cpu', logger='silent')
        self.config = _load_config(config, loaded, path)
        init_default_scope(self.config.get('default_scope', 'mmdet'))
        model = MODELS.build(self.config.model)
        try:
            load_state_dict(model, loaded.get('state_dict', loaded), strict=True)
        except RuntimeError as exc:
            raise ValueError(f'{path} does not fit the model of its config; pass the config it '
                             f'was trained with (config=...): {exc}') from None
        self.model = model.to(self.device).eval()
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
