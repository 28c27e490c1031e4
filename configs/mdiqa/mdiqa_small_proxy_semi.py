# Step 3 on the proxy set: true labels + the ensemble's pseudo-labels ($MDIQA_PSEUDO, written by
# tools/pseudo_label.py) + consistency with an EMA teacher on the pseudo-labelled images.
_base_ = ['./mdiqa_small_proxy.py']
data_root = '{{$MDIQA_PROXY:data/mdiqa-proxy}}'
pseudo_file = '{{$MDIQA_PSEUDO:data/mdiqa-proxy/pseudo.csv}}'
# A new model (as published: step 3 does not start from the step-1 weights), same schedule and
# seed as step 1. Published weights; lambda3's default sigmoid ramp (1250 iterations) passes
# lambda2 at iteration 402 and is 1 from 1250 on.
model = dict(semi=dict(lambda_sup=1.0, lambda_pseudo=0.1, lambda_cons=1.0, ema_alpha=0.997))
custom_hooks = [dict(type='MeanTeacherHook')]
train_dataloader = dict(dataset=dict(
    _delete_=True, type='ConcatDataset', datasets=[
        dict(type='CSVQualityDataset', ann_file=data_root + '/train.csv',
             pipeline={{_base_.train_pipeline}}),
        dict(type='CSVQualityDataset', ann_file=pseudo_file, kind='pseudo',
             pipeline={{_base_.train_pipeline}})]))
