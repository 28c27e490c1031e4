# Variant: the one-pass student trained 3 times as long (6000 iterations, about 15 passes over
# the 3170 labelled versions instead of 5), the same cosine schedule stretched.
_base_ = ['./mdiqa_small_onepass.py']
max_iters = 6000
train_cfg = dict(max_iters=max_iters, val_interval=1000)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=30),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=30, end=max_iters, eta_min=1e-5)]
