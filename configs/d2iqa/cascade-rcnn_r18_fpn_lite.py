# A Cascade R-CNN that trains on 2 CPU cores in hours: the first three stages of ResNet-18
# with GroupNorm (the 16-24 px lesions need no stride-32 features), a 128-channel FPN,
# 256-wide heads, anchors sized for the lesion boxes, fewer proposals. Same classes, input
# window and scoring as the paper's detector; about 8 M parameters (fp16 checkpoint < 25 MiB).
_base_ = ['./cascade-rcnn_r50_fpn_paper.py']

norm_cfg = dict(type='GN', num_groups=32, requires_grad=True)
stage_target_stds = ([0.1, 0.1, 0.2, 0.2], [0.05, 0.05, 0.1, 0.1],
                     [0.033, 0.033, 0.067, 0.067])
model = dict(
    backbone=dict(depth=18, num_stages=3, strides=(1, 2, 2), dilations=(1, 1, 1),
                  out_indices=(0, 1, 2), frozen_stages=-1, norm_cfg=norm_cfg, norm_eval=False),
    neck=dict(in_channels=[64, 128, 256], out_channels=128, num_outs=4, norm_cfg=norm_cfg),
    rpn_head=dict(in_channels=128, feat_channels=128,
                  anchor_generator=dict(scales=[4, 5, 6], ratios=[1.0], strides=[4, 8, 16, 32])),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=128, featmap_strides=[4, 8, 16, 32]),
        bbox_head=[
            dict(type='Shared2FCBBoxHead', in_channels=128, fc_out_channels=256,
                 roi_feat_size=7, num_classes=4, reg_class_agnostic=True,
                 bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0.0] * 4,
                                 target_stds=stds),
                 loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
                 loss_bbox=dict(type='SmoothL1Loss', beta=1.0, loss_weight=1.0))
            for stds in stage_target_stds]),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=1000, max_per_img=300),
        rcnn=[dict(assigner=dict(type='MaxIoUAssigner', pos_iou_thr=iou, neg_iou_thr=iou,
                                 min_pos_iou=iou, match_low_quality=False, ignore_iof_thr=-1),
                   sampler=dict(type='RandomSampler', num=128, pos_fraction=0.25,
                                neg_pos_ub=-1, add_gt_as_proposals=True),
                   pos_weight=-1, debug=False)
              for iou in (0.5, 0.6, 0.7)]),
    test_cfg=dict(rpn=dict(nms_pre=300, max_per_img=100)))

# 256 px crops of the 512 px slices (lesions are placed inside each crop, so all are whole).
train_pipeline = [
    dict(type='LoadCTSlice'),
    dict(type='WindowCT', preset='d2iqa'),
    dict(type='InsertVirtualLesions', lesion_config={{_base_.lesion_config}}, crop_size=256),
    dict(type='RandomFlip', prob=[0.25, 0.25], direction=['horizontal', 'vertical']),
    dict(type='PackDetInputs'),
]
train_dataloader = dict(batch_size=4, dataset=dict(pipeline=train_pipeline))
optim_wrapper = dict(optimizer=dict(lr=3e-4))

max_iters = 3000
train_cfg = dict(max_iters=max_iters, val_interval=500)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=300),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=300, end=max_iters, eta_min_ratio=0.01),
]
