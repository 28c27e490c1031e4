"""A ConvNeXt backbone with the official (facebookresearch) parameter names.

Names: ``downsample_layers.0`` (stem: 4x4 conv, channels-first LayerNorm),
``downsample_layers.i`` (LayerNorm, 2x2 conv), ``stages.i.j.dwconv`` / ``norm`` / ``pwconv1`` /
``pwconv2`` / ``gamma`` and the final ``norm``. Checkpoints in timm's layout are renamed by
:func:`timm_convnext_to_official` (applied automatically by ``load_pretrained``).
"""
import re

import torch
import torch.nn.functional as F
from mmcv.cnn import build_activation_layer
from mmcv.cnn.bricks import DropPath
from mmengine.model import BaseModule
from torch import nn

from ..registry import MODELS
from .checkpoint import load_pretrained


class LayerNorm2d(nn.LayerNorm):
    """LayerNorm over the channels of a ``(B, C, H, W)`` map."""

    def forward(self, x):
        return F.layer_norm(x.permute(0, 2, 3, 1), self.normalized_shape, self.weight, self.bias,
                            self.eps).permute(0, 3, 1, 2)


class ConvNeXtBlock(nn.Module):
    """7x7 depthwise conv -> LayerNorm -> pointwise 4x MLP -> layer scale, residual."""

    def __init__(self, dims, *, drop_path=0.0, layer_scale=1e-6):
        super().__init__()
        self.dwconv = nn.Conv2d(dims, dims, 7, padding=3, groups=dims)
        self.norm = nn.LayerNorm(dims, eps=1e-6)
        self.pwconv1 = nn.Linear(dims, 4 * dims)
        self.act = build_activation_layer(dict(type='GELU'))
        self.pwconv2 = nn.Linear(4 * dims, dims)
        self.gamma = nn.Parameter(layer_scale * torch.ones(dims))
        self.drop_path = DropPath(drop_path) if drop_path > 0 else nn.Identity()

    def forward(self, x):
        y = self.norm(self.dwconv(x).permute(0, 2, 3, 1))
        y = self.gamma * self.pwconv2(self.act(self.pwconv1(y)))
        return x + self.drop_path(y.permute(0, 3, 1, 2))


@MODELS.register_module()
class ConvNeXt(BaseModule):
    """ConvNeXt returning the feature map of every stage in ``out_indices``.

    Args:
        in_channels (int): 1 for CT.
        depths, dims: (3, 3, 9, 3) and (96, 192, 384, 768) for ConvNeXt-T.
        drop_path_rate (float): stochastic depth, linearly increasing over the blocks.
        out_indices (tuple[int]): stages returned (strides 4, 8, 16, 32); the last stage goes
            through ``norm`` (channels-last LayerNorm) as in the official model's head.
        pretrained (str, optional): a local official or timm checkpoint.
    """

    def __init__(self, *, in_channels=1, depths=(3, 3, 9, 3), dims=(96, 192, 384, 768),
                 drop_path_rate=0.0, out_indices=(0, 1, 2, 3), pretrained=None, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if len(depths) != len(dims):
            raise ValueError(f'depths {depths} and dims {dims} must have the same length')
        self.pretrained = pretrained
        self.dims = tuple(dims)
        self.out_indices = tuple(out_indices)
        self.downsample_layers = nn.ModuleList(
            [nn.Sequential(nn.Conv2d(in_channels, dims[0], 4, stride=4),
                           LayerNorm2d(dims[0], eps=1e-6))] +
            [nn.Sequential(LayerNorm2d(dims[i - 1], eps=1e-6),
                           nn.Conv2d(dims[i - 1], dims[i], 2, stride=2))
             for i in range(1, len(dims))])
        rates = iter(torch.linspace(0, drop_path_rate, sum(depths)).tolist())
        self.stages = nn.ModuleList(
            nn.Sequential(*(ConvNeXtBlock(dim, drop_path=next(rates)) for _ in range(depth)))
            for depth, dim in zip(depths, dims))
        self.norm = nn.LayerNorm(dims[-1], eps=1e-6)

    @property
    def out_channels(self):
        return [self.dims[i] for i in self.out_indices]

    def init_weights(self):
        for module in self.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                nn.init.trunc_normal_(module.weight, std=0.02)
                nn.init.zeros_(module.bias)
        if self.pretrained:
            load_pretrained(self, self.pretrained, rename=timm_convnext_to_official)

    def forward(self, x):
        outs = []
        last = len(self.stages) - 1
        for i, (down, stage) in enumerate(zip(self.downsample_layers, self.stages)):
            x = stage(down(x))
            if i in self.out_indices:
                outs.append(self.norm(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
                            if i == last else x)
        return outs


_TIMM_RULES = [
    (r'^stem\.(\d)\.', r'downsample_layers.0.\1.'),
    (r'^stages\.(\d+)\.downsample\.(\d)\.', r'downsample_layers.\1.\2.'),
    (r'^stages\.(\d+)\.blocks\.(\d+)\.conv_dw\.', r'stages.\1.\2.dwconv.'),
    (r'^stages\.(\d+)\.blocks\.(\d+)\.mlp\.fc1\.', r'stages.\1.\2.pwconv1.'),
    (r'^stages\.(\d+)\.blocks\.(\d+)\.mlp\.fc2\.', r'stages.\1.\2.pwconv2.'),
    (r'^stages\.(\d+)\.blocks\.(\d+)\.', r'stages.\1.\2.'),
    (r'^head\.norm\.', 'norm.'),
]


def timm_convnext_to_official(state_dict):
    """Rename a timm ConvNeXt state dict to the official layout used here.

    ``stem.*`` -> ``downsample_layers.0.*``, ``stages.i.downsample.*`` ->
    ``downsample_layers.i.*``, ``stages.i.blocks.j.conv_dw`` / ``mlp.fc1`` / ``mlp.fc2`` ->
    ``stages.i.j.dwconv`` / ``pwconv1`` / ``pwconv2`` (``norm`` and ``gamma`` keep their
    names), ``head.norm`` -> ``norm``. Other keys (``head.fc``, ``norm_pre``) pass unchanged.
    """
    renamed = {}
    for key, value in state_dict.items():
        for pattern, replacement in _TIMM_RULES:
            new, count = re.subn(pattern, replacement, key)
            if count:
                key = new
                break
        renamed[key] = value
    return renamed
