# A second cosine cycle for a trained lite detector (warm restart): pass its checkpoint with
#   python tools/train.py THIS_CONFIG --cfg-options load_from=work_dirs/lite/iter_3000.pth
# The reference checkpoint is 3000 iterations of the lite config, then 2000 of this one.
_base_ = ['./cascade-rcnn_r18_fpn_lite.py']

max_iters = 2000
train_cfg = dict(max_iters=max_iters, val_interval=500)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=100),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=100, end=max_iters, eta_min_ratio=0.01),
]
# A new seed, so the restart draws lesion configurations the first cycle did not see.
randomness = dict(seed=1)
