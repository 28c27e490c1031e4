"""Dual-branch alignment: CNN features deformably aligned to the ViT token grid, then fused."""
import torch
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmcv.ops import DeformConv2d
from torch import nn

from ..registry import MODELS
from .vit import Block


def resize_to(x, size):
    """Average-pool larger maps, bilinearly upsample smaller ones, to ``size`` (h, w)."""
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    if x.shape[-2] >= size[0] and x.shape[-1] >= size[1]:
        return F.adaptive_avg_pool2d(x, size)
    return F.interpolate(x, size=size, mode='bilinear', align_corners=False)


@MODELS.register_module()
class DeformableAlignment(nn.Module):
    """Align multi-scale ConvNeXt features to the ViT features and fuse them.

    1. Each CNN stage is resized to the token grid, projected (1x1 conv) to ``channels`` and
       the stages are merged (1x1 conv, GroupNorm, GELU).
    2. A 3x3 conv on the (projected) ViT features predicts the offsets of a ``k x k``
       deformable convolution (``mmcv.ops.DeformConv2d``) applied to the merged CNN features.
       The offset conv starts at zero, i.e. as a plain convolution.
    3. ``num_layers`` transformer layers (self-attention + MLP) on the aligned features.
    4. Fusion: concatenation with the ViT features and a 1x1 conv (GroupNorm, GELU).

    Args:
        vit_channels (int): ViT embedding size.
        cnn_channels (list[int]): channels of the CNN stages used.
        channels (int): width of the aligned and fused maps.
        num_layers, num_heads (int): attention layers on the aligned features.
        kernel_size (int): of the deformable convolution.
    """

    def __init__(self, vit_channels, cnn_channels, *, channels=256, num_layers=2, num_heads=4,
                 kernel_size=3):
        super().__init__()
        norm, act = dict(type='GN', num_groups=8), dict(type='GELU')
        self.vit_proj = nn.Conv2d(vit_channels, channels, 1)
        self.cnn_projs = nn.ModuleList(nn.Conv2d(c, channels, 1) for c in cnn_channels)
        self.cnn_merge = ConvModule(channels * len(cnn_channels), channels, 1, norm_cfg=norm,
                                    act_cfg=act)
        self.offset = nn.Conv2d(channels, 2 * kernel_size ** 2, 3, padding=1)
        nn.init.zeros_(self.offset.weight)
        nn.init.zeros_(self.offset.bias)
        # im2col_step 1: mmcv's default (32) refuses batches above 32 that it does not divide
        self.deform = DeformConv2d(channels, channels, kernel_size, padding=kernel_size // 2,
                                   im2col_step=1)
        self.layers = nn.ModuleList(Block(channels, num_heads) for _ in range(num_layers))
        self.fuse = ConvModule(2 * channels, channels, 1, norm_cfg=norm, act_cfg=act)

    def forward(self, vit_feature, cnn_features):
        size = vit_feature.shape[-2:]
        cnn = self.cnn_merge(torch.cat([proj(resize_to(f, size)) for proj, f in
                                        zip(self.cnn_projs, cnn_features)], dim=1))
        vit = self.vit_proj(vit_feature)
        aligned = self.deform(cnn.contiguous(), self.offset(vit).contiguous())
        tokens = aligned.flatten(2).transpose(1, 2)
        for layer in self.layers:
            tokens = layer(tokens)
        aligned = tokens.transpose(1, 2).reshape_as(aligned)
        return self.fuse(torch.cat([vit, aligned], dim=1))
