# Runtime shared by every D2IQA config: mmdet scope, our modules registered by import.
default_scope = 'mmdet'
custom_imports = dict(imports=['d2iqa.engine'], allow_failed_imports=False)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=500, max_keep_ckpts=2,
                    save_best='lesion/mAP', rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='DetVisualizationHook'))
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))   # tools/train.py switches to gloo when there is no GPU
vis_backends = [dict(type='LocalVisBackend')]
# No fixed name: the Runner names it after the run, so runs in one process do not share it.
visualizer = dict(type='DetLocalVisualizer', vis_backends=vis_backends)
log_processor = dict(type='LogProcessor', window_size=20, by_epoch=False)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0)
