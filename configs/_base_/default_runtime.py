# Runtime shared by every D2IQA config: mmdet scope, our modules registered by import.
_base_ = ['./runtime_common.py']
default_scope = 'mmdet'
custom_imports = dict(imports=['d2iqa.engine'], allow_failed_imports=False)

default_hooks = dict(
    checkpoint=dict(max_keep_ckpts=2, save_best='lesion/mAP', rule='greater'),
    visualization=dict(type='DetVisualizationHook'))
# No fixed name: the Runner names it after the run, so runs in one process do not share it.
visualizer = dict(type='DetLocalVisualizer', vis_backends={{_base_.vis_backends}})
