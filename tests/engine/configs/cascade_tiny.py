# A very small lite cascade on 256 px code-made phantoms (NPY in HU), for end-to-end tests.
# data_root is set by the test.
_base_ = ['../../../configs/d2iqa/cascade-rcnn_r18_fpn_lite.py']

holdout = ['*val*']
norm_cfg = dict(type='GN', num_groups=8, requires_grad=True)
model = dict(
    backbone=dict(base_channels=16, stem_channels=16, norm_cfg=norm_cfg),
    neck=dict(in_channels=[16, 32, 64], out_channels=32, norm_cfg=norm_cfg),
    rpn_head=dict(in_channels=32, feat_channels=32),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=32),
        bbox_head=[dict(type='Shared2FCBBoxHead', in_channels=32, fc_out_channels=64,
                        roi_feat_size=7, num_classes=4, reg_class_agnostic=True,
                        bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0.0] * 4,
                                        target_stds=stds),
                        loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=False),
                        loss_bbox=dict(type='SmoothL1Loss', beta=1.0))
                   for stds in ([0.1, 0.1, 0.2, 0.2], [0.05, 0.05, 0.1, 0.1],
                                [0.033, 0.033, 0.067, 0.067])]))

# Overfit: the same lesions on the same slice every iteration.
train_pipeline = [
    dict(type='LoadCTSlice', values='hu'),
    dict(type='WindowCT'),
    dict(type='InsertVirtualLesions', seed=0),
    dict(type='PackDetInputs'),
]
val_pipeline = [
    dict(type='LoadCTSlice', values='hu'),
    dict(type='WindowCT'),
    dict(type='InsertVirtualLesions', seed=1, seed_fields=('img_path', 'slice_index', 'trial')),
    dict(type='PackDetInputs'),
]
train_dataloader = dict(
    batch_size=1, num_workers=0, persistent_workers=False,
    dataset=dict(values='hu', holdout=holdout, pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=0, persistent_workers=False,
    dataset=dict(values='hu', holdout=holdout, trials_per_slice=2, pipeline=val_pipeline))
test_dataloader = val_dataloader

max_iters = 30
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=False)]
optim_wrapper = dict(optimizer=dict(lr=1e-3))
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=max_iters),
                     visualization=dict(type='DetVisualizationHook', draw=False))
