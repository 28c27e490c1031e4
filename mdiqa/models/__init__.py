"""MD-IQA networks: ViT and ConvNeXt backbones, deformable alignment, score heads, the model."""
from .alignment import DeformableAlignment
from .checkpoint import load_pretrained, resize_pos_embed
from .convnext import ConvNeXt, timm_convnext_to_official
from .heads import DistributionHead, RegressionHead
from .mdiqa import MDIQA, QualityNet
from .semi import sigmoid_rampup
from .targets import decode_distributions, distribution_loss, encode_scores, order_loss
from .vit import VisionTransformer

__all__ = ['ConvNeXt', 'DeformableAlignment', 'DistributionHead', 'MDIQA', 'QualityNet',
           'RegressionHead', 'VisionTransformer', 'decode_distributions', 'distribution_loss',
           'encode_scores', 'load_pretrained', 'order_loss', 'resize_pos_embed',
           'sigmoid_rampup', 'timm_convnext_to_official']
