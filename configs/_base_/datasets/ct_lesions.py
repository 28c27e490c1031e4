# Unlabelled CT slices; lesions are pasted in by the pipeline (fresh ones in training, fixed by
# seed in validation). Point data_root / sources at your own folders, e.g.
#   --cfg-options data_root=/data/ct train_dataloader.dataset.holdout_patients="['P07']"
data_root = '../shared/data/ct'
sources = ['.', 'embedded:explicit_VR-UN.dcm']
# Validation patients (DICOM PatientID), held out whole: 9 patients, 4 makers, chest and
# abdomen, none in the training of the first reference checkpoint (README of the data folder).
holdout_patients = [
    '99000',               # GE LightSpeed Ultra, liver (dcmqi), 0.81 mm
    'A058062',             # GE LightSpeed VCT, abdomen-pelvis, contrast (COVID-19-NY-SBU)
    'TCGA-34-5234',        # GE LightSpeed16, chest, BONE (sharp) kernel
    'A067967',             # Toshiba Aquilion ONE, chest to pelvis, contrast
    'A098752',             # Toshiba Aquilion ONE and GE LightSpeed VCT, chest
    'Pancreas-CT-CB_001',  # Philips Brilliance Big Bore, abdomen, 1.07 mm (large field of view)
    'TCGA-92-7340',        # Siemens Sensation 64, abdomen and pelvis, B20f / B31f
    'TCGA-17-Z029',        # Siemens Volume Zoom, chest, B60f (sharp)
    'TCGA-60-2724',        # Siemens Sensation 16 (PET/CT), upper abdomen, B31f
]
exclude = ['*.nii.gz']               # the 3 mm NIfTI is not on the 512 x 512 lesion grid
lesion_config = 'abdomen'
val_seed = 2022
# Slices that cannot host the lesions are left out when the dataset is built (logged).
filter_cfg = dict(lesion_config=lesion_config)

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
    # every patient as often as any other, whatever its number of slices
    sampler=dict(type='PatientBalancedSampler'),
    dataset=dict(type='CTSliceDataset', data_root=data_root, sources=sources,
                 holdout_patients=holdout_patients, exclude=exclude, split='train',
                 filter_cfg=filter_cfg, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='CTSliceDataset', data_root=data_root, sources=sources,
                 holdout_patients=holdout_patients, exclude=exclude, split='val',
                 per_patient=2, trials_per_slice=20, filter_cfg=filter_cfg,
                 pipeline=val_pipeline, test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='LesionDetectionMetric')
test_evaluator = val_evaluator
