# The one-pass student, full variant (GPU): ViT-S/16 + ConvNeXt-T on whole 512 x 512 slices,
# the same set, scale, exact targets and decoding as the shipped small student
# (mdiqa_small_onepass_nosem.py).
#   MDIQA_ONEPASS=/data/onepass python tools/train.py configs/mdiqa/mdiqa_full_onepass.py
_base_ = ['../_base_/mdiqa/runtime.py', '../_base_/mdiqa/model_full.py',
          '../_base_/mdiqa/proxy_data.py']
data_root = '{{$MDIQA_ONEPASS:data/mdiqa-onepass}}'
model = dict(net=dict(head=dict(max_score=1.0, sem_width=False, decode='soft-argmax')))
test_pipeline = [
    dict(type='LoadCTSlice', values='hu'),
    dict(type='WindowCT', preset={{_base_.window}}, channels=1),
    dict(type='PackQualityInputs')]
train_dataloader = dict(batch_size=16, num_workers=4, dataset=dict(
    ann_file=data_root + '/train.csv', pipeline=test_pipeline[:2] + [
        dict(type='RandomRotFlip'), dict(type='PackQualityInputs')]))
val_dataloader = dict(batch_size=16, num_workers=4, dataset=dict(
    ann_file=data_root + '/val.csv', pipeline=test_pipeline))
test_dataloader = val_dataloader
train_cfg = dict(max_iters=6000, val_interval=500)
default_hooks = dict(checkpoint=dict(interval=500, save_best='quality/overall', rule='greater'))
