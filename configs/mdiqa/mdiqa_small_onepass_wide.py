# Variant: the one-pass student's crops spread over most of the slice (centres within +-160
# pixels of the centre instead of +-64; 3 x 3 test views 160 pixels apart cover 448 x 448 of a
# 512 grid), since the teacher pastes its lesions wherever the body is, not only at the centre.
# Same cost per slice as the proxy runs' views.
_base_ = ['./mdiqa_small_onepass.py']
crop, shift = {{_base_.crop}}, 160
train_pipeline = [
    dict(type='LoadCTSlice', values='hu'),
    dict(type='WindowCT', preset={{_base_.window}}, channels=1),
    dict(type='CropSlice', size=crop, max_shift=shift),
    dict(type='RandomRotFlip'),
    dict(type='PackQualityInputs')]
test_pipeline = [
    dict(type='LoadCTSlice', values='hu'),
    dict(type='WindowCT', preset={{_base_.window}}, channels=1),
    dict(type='CropSlice', size=crop, grid=3, spacing=shift),
    dict(type='PackQualityInputs')]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
