# Faster R-CNN, ResNet-50 + FPN (the paper's generalisation study), same input as the cascade.
_base_ = 'mmdet::_base_/models/faster-rcnn_r50_fpn.py'

model = dict(
    data_preprocessor=dict(mean=[0.0, 0.0, 0.0], std=[1.0, 1.0, 1.0], bgr_to_rgb=False,
                           pad_size_divisor=32),
    backbone=dict(init_cfg=None),
    roi_head=dict(bbox_head=dict(num_classes=4)))
