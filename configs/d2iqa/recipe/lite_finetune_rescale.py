# Recipe study: + random rescaling by 0.7-1.4 (other fields of view / pixel spacings).
_base_ = ['./lite_finetune.py']

scale_range = (0.7, 1.4)
train_pipeline = [
    dict(type='LoadCTSlice'),
    dict(type='WindowCT', preset='d2iqa'),
    dict(type='InsertVirtualLesions', lesion_config={{_base_.lesion_config}}, crop_size=256,
         scale_range=scale_range),
    dict(type='RandomFlip', prob=[0.25, 0.25], direction=['horizontal', 'vertical']),
    dict(type='PackDetInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
