# D2IQA scoring with tools/test.py: the multi-trial score of every slice and their mean.
#   python tools/test.py configs/d2iqa/score_lite.py d2iqa/checkpoints/d2iqa_lite_reference.pth \
#       --cfg-options test_dataloader.dataset.data_root=/data/ct \
#                     "test_dataloader.dataset.sources=['.']"
# Trial t of every slice pastes the lesions of InsertVirtualLesions(seed, seed_fields=('trial',)),
# which are those of d2iqa.score_slice(..., seed=score_seed): both give the same scores.
_base_ = ['./cascade-rcnn_r18_fpn_lite.py']

trials_per_slice = 500               # the released scoring: 5 sets of 100 trials
set_size = 100
score_seed = 0
score_pipeline = [
    dict(type='LoadCTSlice'),
    dict(type='WindowCT', preset='d2iqa'),
    dict(type='InsertVirtualLesions', lesion_config={{_base_.lesion_config}}, seed=score_seed,
         seed_fields=('trial',)),
    dict(type='PackDetInputs',
         meta_keys=('img_path', 'slice_index', 'trial', 'ori_shape', 'img_shape',
                    'scale_factor')),
]
test_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(_delete_=True, type='CTSliceDataset', data_root='',
                 sources=['embedded:explicit_VR-UN.dcm'], split='all',
                 trials_per_slice=trials_per_slice, pipeline=score_pipeline, test_mode=True))
test_evaluator = dict(_delete_=True, type='D2IQAScoreMetric', set_size=set_size)
