# The one-pass student (CPU): small MD-IQA trained on teacher labels, the D2IQA scores of the
# reference detector on D2IQA's scale [0, 1], each target widened by its label's standard error,
# decoded with soft-argmax (argmax steps by 1/128, too coarse for neighbouring rungs). Network,
# crops and schedule of the proxy runs; 2 x 2 test views at the corners of the crops' range
# (centres +-64 pixels): as good as the proxy's 3 x 3 on the validation patients with 4/9 of the
# views (docs/mdiqa.md). The set ($MDIQA_ONEPASS): written by
# tools/make_student_set.py from the teacher labels of the training slices (train.csv) and of
# the validation patients (val.csv).
#   MDIQA_ONEPASS=/work/runs/onepass python tools/train.py configs/mdiqa/mdiqa_small_onepass.py
_base_ = ['./mdiqa_small_proxy.py']
data_root = '{{$MDIQA_ONEPASS:data/mdiqa-onepass}}'
model = dict(net=dict(head=dict(max_score=1.0, sem_width=True, decode='soft-argmax')))
train_dataloader = dict(dataset=dict(ann_file=data_root + '/train.csv'))
test_pipeline = [
    dict(type='LoadCTSlice', values='hu'),
    dict(type='WindowCT', preset={{_base_.window}}, channels=1),
    dict(type='CropSlice', size={{_base_.crop}}, grid=2, spacing=128),
    dict(type='PackQualityInputs')]
val_dataloader = dict(dataset=dict(ann_file=data_root + '/val.csv', pipeline=test_pipeline))
test_dataloader = val_dataloader
