# Recipe study: + random rescaling + random kernel sharpness (blur up to sigma 1 px, or
# unsharp masking up to gain 1).
_base_ = ['./lite_finetune_rescale.py']

train_pipeline = [
    dict(type='LoadCTSlice'),
    dict(type='RandomSharpness', amount=(-1.0, 1.0)),
    dict(type='WindowCT', preset='d2iqa'),
    dict(type='InsertVirtualLesions', lesion_config={{_base_.lesion_config}}, crop_size=256,
         scale_range={{_base_.scale_range}}),
    dict(type='RandomFlip', prob=[0.25, 0.25], direction=['horizontal', 'vertical']),
    dict(type='PackDetInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
