"""Small inference checkpoints: weights only, in half precision, with the config inside."""
import torch


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
