# A tiny MD-IQA for tests: 64 x 64 crops, 2-layer ViT-32/16, ConvNeXt widths 8..64.
_base_ = ['../../../configs/mdiqa/mdiqa_small_proxy.py']
model = dict(net=dict(
    vit=dict(img_size=64, embed_dims=32, depth=2, num_heads=2),
    cnn=dict(depths=(1, 1, 1, 1), dims=(8, 16, 32, 64)),
    neck=dict(channels=16, num_layers=1, num_heads=2),
    head=dict(num_samples=32)))
crop = 64
train_dataloader = dict(batch_size=4, num_workers=0, persistent_workers=False,
                        dataset=dict(pipeline=[
                            dict(type='LoadCTSlice', values='hu'),
                            dict(type='WindowCT', preset='abdomen', channels=1),
                            dict(type='CropSlice', size=crop),
                            dict(type='PackQualityInputs')]))
val_dataloader = dict(batch_size=4, num_workers=0, persistent_workers=False,
                      dataset=dict(pipeline=[
                          dict(type='LoadCTSlice', values='hu'),
                          dict(type='WindowCT', preset='abdomen', channels=1),
                          dict(type='CropSlice', size=crop),
                          dict(type='PackQualityInputs')]))
test_dataloader = val_dataloader
max_iters = 30
optim_wrapper = dict(optimizer=dict(lr=3e-3))
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters), logger=dict(interval=1))
param_scheduler = []
