"""A ViT backbone with the timm / DeiT parameter names, built from mmcv bricks.

Parameter names follow timm's ``VisionTransformer`` (``patch_embed.proj``, ``cls_token``,
``pos_embed``, ``blocks.N.norm1``, ``blocks.N.attn.qkv``, ``blocks.N.attn.proj``,
``blocks.N.norm2``, ``blocks.N.mlp.fc1`` / ``fc2``, ``norm``), so that a timm or DeiT
checkpoint loads with :func:`mdiqa.models.checkpoint.load_pretrained`.
"""
import torch
import torch.nn.functional as F
from mmcv.cnn import build_activation_layer, build_norm_layer
from mmcv.cnn.bricks import DropPath
from mmengine.model import BaseModule
from torch import nn

from ..registry import MODELS
from .checkpoint import load_pretrained, resize_pos_embed

NORM = dict(type='LN', eps=1e-6)


class PatchEmbed(nn.Module):
    """Non-overlapping patches -> tokens (a strided conv named ``proj`` as in timm)."""

    def __init__(self, in_channels, embed_dims, patch_size):
        super().__init__()
        self.patch_size = patch_size
        self.proj = nn.Conv2d(in_channels, embed_dims, patch_size, stride=patch_size)

    def forward(self, x):
        x = self.proj(x)
        return x.flatten(2).transpose(1, 2), x.shape[-2:]


class Attention(nn.Module):
    """Multi-head self-attention with one ``qkv`` projection (timm layout)."""

    def __init__(self, dims, num_heads, *, qkv_bias=True, attn_drop=0.0):
        super().__init__()
        if dims % num_heads:
            raise ValueError(f'embed_dims {dims} must be divisible by num_heads {num_heads}')
        self.num_heads = num_heads
        self.attn_drop = attn_drop
        self.qkv = nn.Linear(dims, dims * 3, bias=qkv_bias)
        self.proj = nn.Linear(dims, dims)

    def forward(self, x):
        batch, length, dims = x.shape
        q, k, v = self.qkv(x).reshape(batch, length, 3, self.num_heads, dims // self.num_heads) \
            .permute(2, 0, 3, 1, 4)
        x = F.scaled_dot_product_attention(q, k, v,
                                           dropout_p=self.attn_drop if self.training else 0.0)
        return self.proj(x.transpose(1, 2).reshape(batch, length, dims))


class Mlp(nn.Module):
    """fc1 -> GELU -> fc2 (timm names)."""

    def __init__(self, dims, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dims, hidden)
        self.act = build_activation_layer(dict(type='GELU'))
        self.fc2 = nn.Linear(hidden, dims)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    """Pre-norm transformer layer: x + attn(norm1(x)), then x + mlp(norm2(x))."""

    def __init__(self, dims, num_heads, *, mlp_ratio=4.0, drop_path=0.0):
        super().__init__()
        self.norm1 = build_norm_layer(NORM, dims)[1]
        self.attn = Attention(dims, num_heads)
        self.drop_path = DropPath(drop_path) if drop_path > 0 else nn.Identity()
        self.norm2 = build_norm_layer(NORM, dims)[1]
        self.mlp = Mlp(dims, int(dims * mlp_ratio))

    def forward(self, x):
        x = x + self.drop_path(self.attn(self.norm1(x)))
        return x + self.drop_path(self.mlp(self.norm2(x)))


@MODELS.register_module()
class VisionTransformer(BaseModule):
    """ViT: patch tokens + class token + learned positions -> transformer layers.

    Args:
        img_size (int): input side the position table is made for; other sizes get the
            table interpolated (bicubic) at run time.
        patch_size (int): 16 for ViT-S/16.
        in_channels (int): 1 for CT (see :func:`load_pretrained` for RGB checkpoints).
        embed_dims, depth, num_heads, mlp_ratio: 384, 12, 6, 4 for ViT-S/16.
        drop_path_rate (float): stochastic depth, linearly increasing over the layers.
        pretrained (str, optional): a local timm / DeiT checkpoint loaded by ``init_weights``.

    Returns (forward): the final tokens (after ``norm``) as a map ``(B, embed_dims, h, w)``.
    """

    def __init__(self, *, img_size=224, patch_size=16, in_channels=1, embed_dims=384, depth=12,
                 num_heads=6, mlp_ratio=4.0, drop_path_rate=0.0, pretrained=None, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.pretrained = pretrained
        self.embed_dims = embed_dims
        self.patch_embed = PatchEmbed(in_channels, embed_dims, patch_size)
        self.grid = (img_size // patch_size,) * 2
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dims))
        self.pos_embed = nn.Parameter(torch.zeros(1, 1 + self.grid[0] * self.grid[1], embed_dims))
        rates = torch.linspace(0, drop_path_rate, depth).tolist()
        self.blocks = nn.ModuleList(Block(embed_dims, num_heads, mlp_ratio=mlp_ratio,
                                          drop_path=rate) for rate in rates)
        self.norm = build_norm_layer(NORM, embed_dims)[1]

    def init_weights(self):
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        nn.init.trunc_normal_(self.cls_token, std=0.02)
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.trunc_normal_(module.weight, std=0.02)
                nn.init.zeros_(module.bias)
        if self.pretrained:
            load_pretrained(self, self.pretrained)

    def forward(self, x):
        tokens, grid = self.patch_embed(x)
        pos = self.pos_embed if tuple(grid) == self.grid else \
            resize_pos_embed(self.pos_embed, self.grid, tuple(grid))
        x = torch.cat([self.cls_token.expand(len(tokens), -1, -1), tokens], dim=1) + pos
        for block in self.blocks:
            x = block(x)
        x = self.norm(x)[:, 1:]
        return x.transpose(1, 2).reshape(len(x), self.embed_dims, *grid)
