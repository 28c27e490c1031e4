# The second reference detector (issue: a detector that generalises): the recipe chosen by the
# study of docs/training.md (patient-balanced data of ../shared/data/ct, random rescaling
# 0.7-1.4), warm-started from the first reference checkpoint, one long cosine cycle with
# validation and checkpoints every 500 iterations:
#   python tools/train.py THIS --work-dir work_dirs/lite_generalise \
#       --cfg-options load_from=FIRST_REFERENCE.pth
# After a stop, the same command with --resume continues from the last checkpoint.
_base_ = ['./recipe/lite_finetune_rescale.py']

max_iters = 8000
train_cfg = dict(max_iters=max_iters, val_interval=500)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=200),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=200, end=max_iters, eta_min_ratio=0.01),
]
default_hooks = dict(checkpoint=dict(interval=500, max_keep_ckpts=3))
# A seed of its own: other lesion draws than the recipe runs.
randomness = dict(seed=3)
