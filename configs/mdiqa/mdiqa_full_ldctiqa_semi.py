# Step 3 on LDCTIQAC2023 (GPU): true labels + ensemble pseudo-labels of unlabelled slices
# ($MDIQA_PSEUDO from tools/pseudo_label.py) + EMA-teacher consistency. Published weights;
# lambda3 ramps over 1250 iterations (passes lambda2 = 0.1 at iteration 402, reaches 1).
_base_ = ['./mdiqa_full_ldctiqa.py']
pseudo_file = '{{$MDIQA_PSEUDO:data/ldctiqa-pseudo.csv}}'
model = dict(semi=dict(lambda_sup=1.0, lambda_pseudo=0.1, lambda_cons=1.0, rampup_iters=1250,
                       ema_alpha=0.997))
custom_hooks = [dict(type='MeanTeacherHook')]
train_dataloader = dict(dataset=dict(
    _delete_=True, type='ConcatDataset', datasets=[
        dict(type='LDCTIQADataset', data_root={{_base_.data_root}}, split='train', split_seed=0,
             pipeline={{_base_.train_pipeline}}),
        dict(type='CSVQualityDataset', ann_file=pseudo_file, kind='pseudo',
             pipeline={{_base_.train_pipeline}})]))
