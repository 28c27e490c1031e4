# The proxy set of tools/make_proxy_set.py (simulated dose / sparse-view levels of real slices,
# float32 HU .npy files). Its folder: $MDIQA_PROXY, default data/mdiqa-proxy.
data_root = '{{$MDIQA_PROXY:data/mdiqa-proxy}}'
crop = 128   # a CPU budget: 128 x 128 crops at full resolution keep the noise texture
window = 'abdomen'   # level 40, width 350 HU
train_pipeline = [
    dict(type='LoadCTSlice', values='hu'),
    dict(type='WindowCT', preset=window, channels=1),
    dict(type='CropSlice', size=crop, max_shift=64),
    dict(type='RandomRotFlip'),
    dict(type='PackQualityInputs')]
test_pipeline = [
    dict(type='LoadCTSlice', values='hu'),
    dict(type='WindowCT', preset=window, channels=1),
    # 3 x 3 views whose centres span the training crops' range (+-64 pixels); scores averaged
    dict(type='CropSlice', size=crop, grid=3, spacing=64),
    dict(type='PackQualityInputs')]
train_dataloader = dict(
    batch_size=8, num_workers=1, persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='CSVQualityDataset', ann_file=data_root + '/train.csv',
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8, num_workers=1, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='CSVQualityDataset', ann_file=data_root + '/val.csv',
                 pipeline=test_pipeline, test_mode=True))
test_dataloader = dict(val_dataloader, dataset=dict(val_dataloader['dataset'],
                                                     ann_file=data_root + '/test.csv'))
val_evaluator = dict(type='QualityMetric')
test_evaluator = val_evaluator
