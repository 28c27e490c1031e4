# Recipe study: + rescaling + half of the samples at a simulated quarter dose (the paper trained
# on full- and quarter-dose images; fresh noise at every draw). Built on rescaling alone, the
# best dose resolution so far; sharpness is left out because it lost dose resolution.
_base_ = ['./lite_finetune_rescale.py']

train_pipeline = [
    dict(type='LoadCTSlice'),
    dict(type='SimulateLowDose', dose_fraction=[1.0, 0.25], seed=None),
    dict(type='WindowCT', preset='d2iqa'),
    dict(type='InsertVirtualLesions', lesion_config={{_base_.lesion_config}}, crop_size=256,
         scale_range={{_base_.scale_range}}),
    dict(type='RandomFlip', prob=[0.25, 0.25], direction=['horizontal', 'vertical']),
    dict(type='PackDetInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
