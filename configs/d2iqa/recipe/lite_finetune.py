# Recipe study, step 0: fine-tune a trained lite detector on the patient-balanced data, no new
# augmentation (warm start; pass the weights, e.g. the first reference checkpoint):
#   python tools/train.py THIS --cfg-options load_from=OLD.pth
# The other recipe configs add one change each; docs/training.md has the measured table.
_base_ = ['../cascade-rcnn_r18_fpn_lite.py']

max_iters = 400
train_cfg = dict(max_iters=max_iters, val_interval=200)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=50),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=50, end=max_iters, eta_min_ratio=0.01),
]
randomness = dict(seed=2)
