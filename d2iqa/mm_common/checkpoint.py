"""Checkpoints that carry their config: build the model from one, write small ones for release."""
import os

import torch
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope
from mmengine.runner import CheckpointLoader, load_state_dict
from mmengine.utils import import_modules_from_strings

__all__ = ['checkpoint_config', 'export_inference_checkpoint', 'load_model']


def checkpoint_config(loaded, path, *, config=None):
    """The config of a loaded checkpoint, its ``custom_imports`` imported.

    Parameters
    ----------
    loaded : dict
        The checkpoint as loaded (``meta['cfg']`` is the config MMEngine's Runner saves).
    path : str
        Its file, for messages.
    config : str, path-like or mmengine.config.Config, optional
        Use this config instead of the embedded one (e.g. a checkpoint written elsewhere).
    """
    if config is None:
        text = loaded.get('meta', {}).get('cfg') if isinstance(loaded, dict) else None
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


def load_model(checkpoint, *, scope, config=None, device='cpu', adjust=None):
    """Build a checkpoint's model from its config and load its weights (strict, eval mode).

    Parameters
    ----------
    checkpoint : str or path-like
        Written by MMEngine (``state_dict``; float16 weights are cast to the model's float32).
    scope : str
        Registry scope the model is built in when its config names none (``'mmdet'``,
        ``'mdiqa'``).
    config : str, path-like or Config, optional
        See :func:`checkpoint_config`.
    device : str
        Where the model goes.
    adjust : callable, optional
        ``adjust(config)`` changes the config before the model is built (e.g. test settings).

    Returns
    -------
    model : torch.nn.Module
    config : mmengine.config.Config
    """
    path = os.fspath(checkpoint)
    if not os.path.isfile(path):
        raise FileNotFoundError(f'checkpoint {path} does not exist')
    loaded = CheckpointLoader.load_checkpoint(path, map_location='cpu', logger='silent')
    config = checkpoint_config(loaded, path, config=config)
    if adjust is not None:
        adjust(config)
    with DefaultScope.overwrite_default_scope(config.get('default_scope', scope)):
        model = MODELS.build(config.model)
    try:
        load_state_dict(model, loaded.get('state_dict', loaded), strict=True, logger='silent')
    except RuntimeError as exc:
        raise ValueError(f'{path} does not fit the model of its config; pass the config it was '
                         f'trained with (config=...): {exc}') from None
    return model.to(device).eval(), config


def export_inference_checkpoint(source, destination, *, dtype=torch.float16):
    """Write ``source``'s model weights as ``dtype`` with its config and meta, nothing else.

    The optimizer, scheduler and message-hub states of a training checkpoint are dropped;
    ``meta['cfg']`` (the config MMEngine's Runner stores) is kept so that the model can be
    built from the checkpoint alone. Floating-point tensors become ``dtype``; loading them
    into a float32 model converts them back.

    Returns
    -------
    dict
        ``{'tensors': n, 'parameters': n, 'bytes': n}`` of the written weights.
    """
    checkpoint = torch.load(source, map_location='cpu', weights_only=False)
    state = checkpoint.get('state_dict', checkpoint)
    state = {name: value.to(dtype) if value.is_floating_point() else value
             for name, value in state.items()}
    meta = {key: value for key, value in checkpoint.get('meta', {}).items()
            if key in ('cfg', 'iter', 'epoch', 'mmengine_version', 'dataset_meta', 'seed',
                       'time', 'experiment_name')}
    torch.save({'meta': meta, 'state_dict': state}, destination)
    return {'tensors': len(state), 'parameters': sum(v.numel() for v in state.values()),
            'bytes': sum(v.numel() * v.element_size() for v in state.values())}
