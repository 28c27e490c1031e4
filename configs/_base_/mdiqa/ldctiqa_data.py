# LDCTIQAC2023 training data ($LDCTIQA, default data/LDCTIQAG2023_train), split 700/100/200
# by seed 0. The TIFFs are normalised intensities: the identity window passes them unchanged.
data_root = '{{$LDCTIQA:data/LDCTIQAG2023_train}}'
identity = (0.5, 1.0)
train_pipeline = [
    dict(type='LoadCTSlice', values=identity),
    dict(type='WindowCT', preset=identity, channels=1),
    dict(type='RandomRotFlip'),
    dict(type='PackQualityInputs')]
test_pipeline = [
    dict(type='LoadCTSlice', values=identity),
    dict(type='WindowCT', preset=identity, channels=1),
    dict(type='PackQualityInputs')]
dataset = dict(type='LDCTIQADataset', data_root=data_root, split_seed=0)
train_dataloader = dict(
    batch_size=16, num_workers=4, persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(dataset, split='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16, num_workers=4, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(dataset, split='val', pipeline=test_pipeline, test_mode=True))
test_dataloader = dict(val_dataloader, dataset=dict(val_dataloader['dataset'], split='test'))
val_evaluator = dict(type='QualityMetric')
test_evaluator = val_evaluator
