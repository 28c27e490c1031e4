# Variant: the reference student on 256 x 256 crops (16 x 16 tokens) and one test view at the
# centre, instead of 128 x 128 crops and 2 x 2 views: the view covers the same 256 x 256
# square as the four, at about the same cost, but the network sees it whole (its weighting
# head chooses where to look) and each training crop covers more of the slice its label scores.
# It did not pay on the validation patients (docs/mdiqa.md, "Where the crops come from").
_base_ = ['./mdiqa_small_onepass_nosem.py']
crop = 256
model = dict(net=dict(vit=dict(img_size=crop)))
train_pipeline = [
    dict(type='LoadCTSlice', values='hu'),
    dict(type='WindowCT', preset={{_base_.window}}, channels=1),
    dict(type='CropSlice', size=crop, max_shift=64),
    dict(type='RandomRotFlip'),
    dict(type='PackQualityInputs')]
test_pipeline = [
    dict(type='LoadCTSlice', values='hu'),
    dict(type='WindowCT', preset={{_base_.window}}, channels=1),
    dict(type='CropSlice', size=crop),
    dict(type='PackQualityInputs')]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
