# The one-pass student (CPU): small MD-IQA trained on teacher labels, the D2IQA scores of the
# reference detector on D2IQA's scale [0, 1], each target widened by its label's standard error,
# decoded with soft-argmax (argmax steps by 1/128, too coarse for neighbouring rungs). Network,
# crops, test views and schedule of the proxy runs. The set ($MDIQA_ONEPASS): written by
# tools/make_student_set.py from the teacher labels of the training slices (train.csv) and of
# the validation patients (val.csv).
#   MDIQA_ONEPASS=/work/runs/onepass python tools/train.py configs/mdiqa/mdiqa_small_onepass.py
_base_ = ['./mdiqa_small_proxy.py']
data_root = '{{$MDIQA_ONEPASS:data/mdiqa-onepass}}'
model = dict(net=dict(head=dict(max_score=1.0, sem_width=True, decode='soft-argmax')))
train_dataloader = dict(dataset=dict(ann_file=data_root + '/train.csv'))
val_dataloader = dict(dataset=dict(ann_file=data_root + '/val.csv'))
test_dataloader = val_dataloader
