# Generalisation study: Faster R-CNN R50-FPN on the same self-supervised lesion task.
_base_ = [
    '../_base_/models/faster-rcnn_r50_fpn.py',
    '../_base_/datasets/ct_lesions.py',
    '../_base_/schedules/adamw_iters.py',
    '../_base_/default_runtime.py',
]
