# The paper's detector: Cascade R-CNN, ResNet-50 + FPN, 3 stages at IoU 0.5 / 0.6 / 0.7,
# 4 lesion classes. Input: the [0, 1] slice replicated to 3 channels, no mean/std
# normalisation, padded to a multiple of 32. No pre-trained weights by default (nothing is
# downloaded): tools/train.py --backbone-checkpoint PATH loads a local ResNet-50 file.
_base_ = 'mmdet::_base_/models/cascade-rcnn_r50_fpn.py'

num_classes = 4
stage_target_stds = ([0.1, 0.1, 0.2, 0.2], [0.05, 0.05, 0.1, 0.1],
                     [0.033, 0.033, 0.067, 0.067])
model = dict(
    data_preprocessor=dict(mean=[0.0, 0.0, 0.0], std=[1.0, 1.0, 1.0], bgr_to_rgb=False,
                           pad_size_divisor=32),
    backbone=dict(init_cfg=None),
    roi_head=dict(bbox_head=[
        dict(type='Shared2FCBBoxHead', in_channels=256, fc_out_channels=1024, roi_feat_size=7,
             num_classes=num_classes, reg_class_agnostic=True,
             bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0.0] * 4,
                             target_stds=stds),
             loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
             loss_bbox=dict(type='SmoothL1Loss', beta=1.0, loss_weight=1.0))
        for stds in stage_target_stds]))
