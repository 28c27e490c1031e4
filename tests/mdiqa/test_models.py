"""Network shapes at the configured sizes, pre-trained key layouts, the EMA teacher's rate."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from mdiqa.engine import MeanTeacherHook
from mdiqa.models import ConvNeXt, VisionTransformer, load_pretrained
from mdiqa.registry import MODELS

CONFIGS = Path(__file__).resolve().parents[2] / 'configs'


def small_model(**semi):
    cfg = Config.fromfile(CONFIGS / '_base_' / 'mdiqa' / 'model_small.py')
    if semi:
        cfg.model.semi = semi
    return MODELS.build(cfg.model), cfg


def test_small_variant_forward_shapes_at_the_configured_input_size():
    model, cfg = small_model()
    size = cfg.input_size
    x = torch.rand(2, 1, size, size)
    assert model.net.vit(x).shape == (2, 96, size // 16, size // 16)
    assert [f.shape[-1] for f in model.net.cnn(x)] == [size // 4, size // 8, size // 16, size // 32]
    pred = model(x)
    head = cfg.model.net.head
    assert pred.shape == (2, len(head.taus), head.num_samples)
    scores = model.head.decode(pred)
    assert scores.shape == (2,) and ((scores >= 0) & (scores <= head.max_score)).all()


def test_views_are_scored_separately_and_averaged():
    model, _ = small_model()
    model.eval()
    views = torch.rand(4, 9, 64, 64)   # 36 images: not a multiple of mmcv's im2col step 32
    with torch.no_grad():
        pred = model(views)
        one_by_one = torch.stack([model(v[:, None]).mean(0) for v in views])
    torch.testing.assert_close(pred, one_by_one, atol=1e-5, rtol=1e-4)


def test_full_variant_is_vit_s16_and_convnext_t():
    cfg = Config.fromfile(CONFIGS / '_base_' / 'mdiqa' / 'model_full.py')
    vit = MODELS.build(cfg.model.net.vit)
    cnn = MODELS.build(cfg.model.net.cnn)
    assert sum(p.numel() for p in vit.parameters()) == pytest.approx(21.8e6, rel=0.02)
    assert sum(p.numel() for p in cnn.parameters()) == pytest.approx(27.8e6, rel=0.02)


def timm_vit_state(dims=32, depth=2, grid=7):
    """A fake timm / DeiT ViT checkpoint: random tensors with the usual names and shapes."""
    state = {'patch_embed.proj.weight': torch.randn(dims, 3, 16, 16),
             'patch_embed.proj.bias': torch.randn(dims), 'cls_token': torch.randn(1, 1, dims),
             'pos_embed': torch.randn(1, 1 + grid * grid, dims),
             'norm.weight': torch.randn(dims), 'norm.bias': torch.randn(dims),
             'head.weight': torch.randn(1000, dims), 'head.bias': torch.randn(1000)}
    for i in range(depth):
        for name, shape in (('norm1.weight', (dims,)), ('norm1.bias', (dims,)),
                            ('attn.qkv.weight', (3 * dims, dims)), ('attn.qkv.bias', (3 * dims,)),
                            ('attn.proj.weight', (dims, dims)), ('attn.proj.bias', (dims,)),
                            ('norm2.weight', (dims,)), ('norm2.bias', (dims,)),
                            ('mlp.fc1.weight', (4 * dims, dims)), ('mlp.fc1.bias', (4 * dims,)),
                            ('mlp.fc2.weight', (dims, 4 * dims)), ('mlp.fc2.bias', (dims,))):
            state[f'blocks.{i}.{name}'] = torch.randn(shape)
    return state


def test_timm_vit_checkpoint_loads_strictly(tmp_path):
    state = timm_vit_state()
    torch.save({'model': state}, tmp_path / 'vit.pth')
    vit = VisionTransformer(img_size=64, embed_dims=32, depth=2, num_heads=2)
    load_pretrained(vit, str(tmp_path / 'vit.pth'))
    own = vit.state_dict()
    torch.testing.assert_close(own['patch_embed.proj.weight'],
                               state['patch_embed.proj.weight'].sum(1, keepdim=True))
    torch.testing.assert_close(own['blocks.1.attn.qkv.weight'], state['blocks.1.attn.qkv.weight'])
    assert own['pos_embed'].shape == (1, 1 + 4 * 4, 32)  # 7x7 grid interpolated to 4x4
    torch.testing.assert_close(own['pos_embed'][:, 0], state['pos_embed'][:, 0])
    # summing the RGB kernels == feeding the grey slice as three identical channels
    x = torch.rand(1, 1, 64, 64)
    rgb = torch.nn.functional.conv2d(x.repeat(1, 3, 1, 1), state['patch_embed.proj.weight'],
                                     state['patch_embed.proj.bias'], stride=16)
    torch.testing.assert_close(vit.patch_embed.proj(x), rgb, rtol=1e-4, atol=1e-4)


def test_a_checkpoint_of_another_size_is_refused_with_the_reason(tmp_path):
    state = timm_vit_state()
    del state['blocks.1.mlp.fc2.bias']
    torch.save(state, tmp_path / 'vit.pth')
    vit = VisionTransformer(img_size=64, embed_dims=32, depth=2, num_heads=2)
    with pytest.raises(ValueError, match=r"missing keys \['blocks.1.mlp.fc2.bias'\]"):
        load_pretrained(vit, str(tmp_path / 'vit.pth'))


def official_to_timm(key):
    """The inverse renaming, to build a fake timm ConvNeXt checkpoint from our own names."""
    parts = key.split('.')
    if parts[0] == 'downsample_layers':
        return ('stem.' if parts[1] == '0' else f'stages.{parts[1]}.downsample.') + \
            '.'.join(parts[2:])
    if parts[0] == 'stages':
        rest = {'dwconv': 'conv_dw', 'pwconv1': 'mlp.fc1', 'pwconv2': 'mlp.fc2'}.get(parts[3],
                                                                                     parts[3])
        return '.'.join([f'stages.{parts[1]}.blocks.{parts[2]}', rest] + parts[4:])
    return 'head.' + key  # norm -> head.norm


@pytest.mark.parametrize('layout', ['official', 'timm'])
def test_convnext_checkpoints_load_strictly_in_both_layouts(tmp_path, layout):
    dims = (8, 16, 32, 64)
    reference = ConvNeXt(in_channels=3, depths=(1, 1, 2, 1), dims=dims).state_dict()
    reference = {k: torch.randn_like(v) for k, v in reference.items()}
    state = dict(reference) if layout == 'official' else \
        {official_to_timm(k): v for k, v in reference.items()}
    state.update({'head.weight' if layout == 'official' else 'head.fc.weight':
                  torch.randn(1000, 64)})
    torch.save({'model': state}, tmp_path / 'convnext.pth')
    cnn = ConvNeXt(in_channels=1, depths=(1, 1, 2, 1), dims=dims,
                   pretrained=str(tmp_path / 'convnext.pth'))
    cnn.init_weights()                       # loads the checkpoint, renaming timm keys
    own = cnn.state_dict()
    for key, value in reference.items():
        expected = value.sum(1, keepdim=True) if key == 'downsample_layers.0.0.weight' else value
        torch.testing.assert_close(own[key], expected)


class _Runner:
    def __init__(self, model):
        self.model, self.iter = model, 0


def test_ema_teacher_moves_toward_the_student_at_the_configured_rate():
    alpha = 0.997
    model, _ = small_model(ema_alpha=alpha)
    assert model.teacher.momentum == pytest.approx(1 - alpha)  # MMEngine's momentum = 1 - alpha
    runner = _Runner(model)
    hook = MeanTeacherHook()
    hook.before_train(runner)  # the teacher starts as a copy of the student
    key = 'head.score_conv.weight'
    torch.testing.assert_close(model.teacher.module.state_dict()[key], model.net.state_dict()[key])
    teacher0 = model.teacher.module.state_dict()[key].clone()
    with torch.no_grad():
        for p in model.net.parameters():
            p.add_(1.0)
    student = model.net.state_dict()[key].clone()
    hook.after_train_iter(runner, 0)
    torch.testing.assert_close(model.teacher.module.state_dict()[key],
                               alpha * teacher0 + (1 - alpha) * student)
    for _ in range(9):
        hook.after_train_iter(runner, 0)
    # after k updates the gap to a fixed student has shrunk by alpha ** k
    gap = (student - model.teacher.module.state_dict()[key]).abs().mean()
    assert gap.item() == pytest.approx(alpha ** 10, rel=1e-3)
