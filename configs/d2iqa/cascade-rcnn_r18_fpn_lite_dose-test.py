# Validation mAP of the lite detector at a simulated dose: the held-out slices pass through
# SimulateLowDose before windowing; the lesions (seeded) and their placement (from the
# full-dose slice) are the same at every dose, so doses are compared on paired trials.
#   python tools/test.py THIS_CONFIG CHECKPOINT \
#       --cfg-options test_dataloader.dataset.pipeline.1.dose_fraction=0.25
_base_ = ['./cascade-rcnn_r18_fpn_lite.py']

test_pipeline = [
    dict(type='LoadCTSlice'),
    dict(type='SimulateLowDose', dose_fraction=1.0, seed=0),
    dict(type='WindowCT', preset='d2iqa'),
    dict(type='InsertVirtualLesions', lesion_config={{_base_.lesion_config}},
         seed={{_base_.val_seed}}, seed_fields=('img_path', 'slice_index', 'trial')),
    dict(type='PackDetInputs',
         meta_keys=('img_path', 'slice_index', 'trial', 'ori_shape', 'img_shape',
                    'scale_factor')),
]
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
