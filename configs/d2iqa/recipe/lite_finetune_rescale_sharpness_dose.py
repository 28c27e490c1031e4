# Recipe study: + rescaling + sharpness + half of the samples at a simulated quarter dose
# (the paper trained on full- and quarter-dose images; fresh noise at every draw).
_base_ = ['./lite_finetune_rescale_sharpness.py']

train_pipeline = [
    dict(type='LoadCTSlice'),
    dict(type='SimulateLowDose', dose_fraction=[1.0, 0.25], seed=None),
    dict(type='RandomSharpness', amount=(-1.0, 1.0)),
    dict(type='WindowCT', preset='d2iqa'),
    dict(type='InsertVirtualLesions', lesion_config={{_base_.lesion_config}}, crop_size=256,
         scale_range={{_base_.scale_range}}),
    dict(type='RandomFlip', prob=[0.25, 0.25], direction=['horizontal', 'vertical']),
    dict(type='PackDetInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
