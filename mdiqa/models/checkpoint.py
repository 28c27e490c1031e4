"""Load local pre-trained ViT / ConvNeXt weights into the backbones (nothing is downloaded).

How a 1-channel CT slice meets RGB weights: the first convolution's kernels are summed over
their three input channels. For a grey image fed as three identical channels the output is the
same (the convolution is linear), so this equals replicating the slice to RGB at a third of the
first layer's cost. The input is normalised with the mean and standard deviation of the
ImageNet channel statistics averaged over RGB (0.449, 0.226) by the data preprocessor.
"""
import math

import torch
import torch.nn.functional as F
from mmengine.runner.checkpoint import _load_checkpoint

__all__ = ['load_pretrained', 'resize_pos_embed']

#: Keys of classification checkpoints that the backbones do not use.
IGNORED_PREFIXES = ('head.', 'head_dist.', 'fc_norm.', 'dist_token', 'norm_pre.', 'pre_logits.')
WRAPPERS = ('state_dict', 'model', 'module')
PREFIXES = ('module.', 'backbone.')


def resize_pos_embed(pos_embed, src_grid, dst_grid, *, num_extra=1):
    """Bicubic interpolation of a ``(1, num_extra + h * w, C)`` position table to another grid.

    The first ``num_extra`` rows (class token) are kept as they are.
    """
    extra, grid = pos_embed[:, :num_extra], pos_embed[:, num_extra:]
    dims = grid.shape[-1]
    grid = grid.reshape(1, *src_grid, dims).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=dst_grid, mode='bicubic', align_corners=False)
    return torch.cat([extra, grid.permute(0, 2, 3, 1).reshape(1, -1, dims)], dim=1)


def _state_dict(path):
    checkpoint = _load_checkpoint(path, map_location='cpu')
    while isinstance(checkpoint, dict):
        wrapper = next((key for key in WRAPPERS if key in checkpoint), None)
        if wrapper is None:
            break
        checkpoint = checkpoint[wrapper]
    if not isinstance(checkpoint, dict) or not all(torch.is_tensor(v) for v in checkpoint.values()):
        raise ValueError(f'{path} holds no state dict of tensors (looked inside the keys '
                         f'{WRAPPERS}); save the backbone with torch.save(model.state_dict())')
    state = {}
    for key, value in checkpoint.items():
        for prefix in PREFIXES:
            if key.startswith(prefix):
                key = key[len(prefix):]
        state[key] = value
    return state


def _adapt(key, value, target, path):
    """Fit a checkpoint tensor to the model's shape: position grid, RGB -> 1 channel."""
    if value.shape == target.shape:
        return value
    if key == 'pos_embed' and value.shape[-1] == target.shape[-1]:
        extra = value.shape[1] - 1
        side = math.isqrt(extra)
        if side * side == extra:
            dst = math.isqrt(target.shape[1] - 1)
            return resize_pos_embed(value, (side, side), (dst, dst))
    if value.ndim == 4 and value.shape[1] == 3 and target.shape[1] == 1 \
            and value.shape[0] == target.shape[0] and value.shape[2:] == target.shape[2:]:
        return value.sum(dim=1, keepdim=True)
    raise ValueError(f'{path}: {key} has shape {tuple(value.shape)} but the model expects '
                     f'{tuple(target.shape)}; check that the backbone size in the config '
                     '(embed_dims, depths, dims, patch_size) matches the checkpoint')


def load_pretrained(module, path, *, rename=None):
    """Load a local checkpoint into a backbone with strict key matching.

    Unwraps ``state_dict`` / ``model`` entries and ``module.`` / ``backbone.`` prefixes,
    applies the backbone's key renaming ``rename(state) -> state`` if given (e.g.
    :func:`~mdiqa.models.convnext.timm_convnext_to_official`), drops classifier keys
    (:data:`IGNORED_PREFIXES`), interpolates ``pos_embed`` to the model's grid and sums RGB
    first-conv kernels for 1-channel input. Every other key must match.

    Raises
    ------
    ValueError
        When keys are missing or unexpected (the message lists a few), or shapes differ.
    """
    state = _state_dict(path)
    if rename is not None:
        state = rename(state)
    if 'pos_embed' in state and state['pos_embed'].shape[1] == \
            getattr(module, 'pos_embed', state['pos_embed']).shape[1] + 1:
        state['pos_embed'] = torch.cat([state['pos_embed'][:, :1], state['pos_embed'][:, 2:]], 1)
    state = {k: v for k, v in state.items() if not k.startswith(IGNORED_PREFIXES)}
    own = module.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    if missing or unexpected:
        raise ValueError(f'{path} does not match {type(module).__name__}: missing keys '
                         f'{missing[:5]}{" ..." if len(missing) > 5 else ""}, unexpected keys '
                         f'{unexpected[:5]}{" ..." if len(unexpected) > 5 else ""}; is it a '
                         'checkpoint of the same architecture and size as the config?')
    module.load_state_dict({k: _adapt(k, v, own[k], path) for k, v in state.items()}, strict=True)
