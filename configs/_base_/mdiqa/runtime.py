# MD-IQA runtime: our own registry scope (mdiqa.registry imports its modules; no custom_imports).
_base_ = ['../runtime_common.py']
default_scope = 'mdiqa'

default_hooks = dict(checkpoint=dict(max_keep_ckpts=1))
# No fixed name: the Runner names it after the run, so runs in one process do not share it.
visualizer = dict(type='Visualizer', vis_backends={{_base_.vis_backends}})

# Published: Adam, lr 1e-4, batch 16, 30 epochs (700 images: ~1300 iterations).
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-4),
                     clip_grad=dict(max_norm=5.0))
train_cfg = dict(type='IterBasedTrainLoop', max_iters=1320, val_interval=220)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50)]
