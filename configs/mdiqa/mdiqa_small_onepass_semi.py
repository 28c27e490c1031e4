# The one-pass student's semi-supervised step: teacher labels + the step-1 ensemble's
# pseudo-labels of the unlabelled rungs ($MDIQA_ONEPASS/pseudo.csv, tools/pseudo_label.py over
# unlabelled.csv) + consistency with an EMA teacher, as in mdiqa_small_proxy_semi.py.
_base_ = ['./mdiqa_small_onepass.py']
data_root = '{{$MDIQA_ONEPASS:data/mdiqa-onepass}}'
model = dict(semi=dict(lambda_sup=1.0, lambda_pseudo=0.1, lambda_cons=1.0, ema_alpha=0.997))
custom_hooks = [dict(type='MeanTeacherHook')]
train_dataloader = dict(dataset=dict(
    _delete_=True, type='ConcatDataset', datasets=[
        dict(type='CSVQualityDataset', ann_file=data_root + '/train.csv',
             pipeline={{_base_.train_pipeline}}),
        dict(type='CSVQualityDataset', ann_file=data_root + '/pseudo.csv', kind='pseudo',
             pipeline={{_base_.train_pipeline}})]))
