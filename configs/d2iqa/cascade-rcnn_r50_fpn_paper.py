# The paper's D2IQA detector (Lee et al. 2022): Cascade R-CNN R50-FPN, 512x512 slices, 4 shapes.
_base_ = [
    '../_base_/models/cascade-rcnn_r50_fpn.py',
    '../_base_/datasets/ct_lesions.py',
    '../_base_/schedules/adamw_iters.py',
    '../_base_/default_runtime.py',
]
