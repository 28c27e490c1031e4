# MD-IQA runtime: our own registry scope (mdiqa.registry imports its modules; no custom_imports).
default_scope = 'mdiqa'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=500, max_keep_ckpts=1),
    sampler_seed=dict(type='DistSamplerSeedHook'))
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))   # tools/train.py switches to gloo when there is no GPU
vis_backends = [dict(type='LocalVisBackend')]
# No fixed name: the Runner names it after the run, so runs in one process do not share it.
visualizer = dict(type='Visualizer', vis_backends=vis_backends)
log_processor = dict(type='LogProcessor', window_size=20, by_epoch=False)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0)

# Published: Adam, lr 1e-4, batch 16, 30 epochs (700 images: ~1300 iterations).
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-4),
                     clip_grad=dict(max_norm=5.0))
train_cfg = dict(type='IterBasedTrainLoop', max_iters=1320, val_interval=220)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50)]
