# Unlabelled CT slices; lesions are pasted in by the pipeline (fresh ones in training, fixed by
# seed in validation). Point data_root / sources at your own folders, e.g.
#   --cfg-options data_root=/data/ct train_dataloader.dataset.holdout="['*patient07*']"
data_root = '../shared/data/ct'
sources = ['.', 'embedded:explicit_VR-UN.dcm']
holdout = ['*dcmqi-liver*']          # series kept out of training, by shell pattern
exclude = ['*.nii.gz']               # the 3 mm NIfTI is not on the 512 x 512 lesion grid
lesion_config = 'abdomen'
val_seed = 2022

train_pipeline = [
    dict(type='LoadCTSlice'),
    dict(type='WindowCT', preset='d2iqa'),
    dict(type='InsertVirtualLesions', lesion_config=lesion_config),
    dict(type='RandomFlip', prob=[0.25, 0.25], direction=['horizontal', 'vertical']),
    dict(type='PackDetInputs'),
]
val_pipeline = [
    dict(type='LoadCTSlice'),
    dict(type='WindowCT', preset='d2iqa'),
    dict(type='InsertVirtualLesions', lesion_config=lesion_config, seed=val_seed,
         seed_fields=('img_path', 'slice_index', 'trial')),
    dict(type='PackDetInputs',
         meta_keys=('img_path', 'slice_index', 'trial', 'ori_shape', 'img_shape',
                    'scale_factor')),
]
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='CTSliceDataset', data_root=data_root, sources=sources, holdout=holdout,
                 exclude=exclude, split='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='CTSliceDataset', data_root=data_root, sources=sources, holdout=holdout,
                 exclude=exclude, split='val', trials_per_slice=20, pipeline=val_pipeline,
                 test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='LesionDetectionMetric')
test_evaluator = val_evaluator
