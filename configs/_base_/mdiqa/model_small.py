# MD-IQA, small variant (CPU, tests, proxy validation): a 4-layer ViT-96/16 and a ConvNeXt with
# widths 24..192, 224 x 224 input (14 x 14 token grid). Same head and targets as the full one.
_base_ = ['./model_full.py']
input_size = 224
model = dict(
    net=dict(
        vit=dict(img_size=input_size, embed_dims=96, depth=4, num_heads=3, drop_path_rate=0.0),
        cnn=dict(depths=(1, 1, 2, 1), dims=(24, 48, 96, 192), drop_path_rate=0.0),
        neck=dict(channels=64, num_layers=1, num_heads=4)))
