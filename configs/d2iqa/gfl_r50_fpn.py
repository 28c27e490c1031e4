# Generalisation study: GFL R50-FPN (one-stage) on the same self-supervised lesion task.
_base_ = [
    '../_base_/models/gfl_r50_fpn.py',
    '../_base_/datasets/ct_lesions.py',
    '../_base_/schedules/adamw_iters.py',
    '../_base_/default_runtime.py',
]
