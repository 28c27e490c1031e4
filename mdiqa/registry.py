"""MD-IQA's registries: children of MMEngine's roots in scope ``'mdiqa'``.

A config with ``default_scope = 'mdiqa'`` runs through ``tools/train.py`` / ``tools/test.py``
with no ``custom_imports``: MMEngine imports this module for the scope, and each registry
imports its ``locations`` on first use. Names not found here fall back to MMEngine's (the
registries without our own components exist so that MMEngine finds the scope in every tree).
The CT transforms shared with D2IQA (``LoadCTSlice``, ``WindowCT`` ...) live in MMEngine's root
registry; importing :mod:`d2iqa.mm_common`, a location of ``TRANSFORMS``, registers them.
"""
from mmengine import registry as mmengine

__all__ = ['DATASETS', 'DATA_SAMPLERS', 'EVALUATOR', 'HOOKS', 'LOG_PROCESSORS', 'LOOPS',
           'METRICS', 'MODELS', 'MODEL_WRAPPERS', 'OPTIMIZERS', 'OPTIM_WRAPPERS',
           'OPTIM_WRAPPER_CONSTRUCTORS', 'PARAM_SCHEDULERS', 'RUNNERS', 'RUNNER_CONSTRUCTORS',
           'TRANSFORMS', 'VISBACKENDS', 'VISUALIZERS', 'WEIGHT_INITIALIZERS']


def _child(parent, locations=()):
    return mmengine.Registry(parent.name, parent=parent, scope='mdiqa', locations=list(locations))


MODELS = _child(mmengine.MODELS, ['mdiqa.models'])
DATASETS = _child(mmengine.DATASETS, ['mdiqa.datasets'])
TRANSFORMS = _child(mmengine.TRANSFORMS, ['mdiqa.datasets', 'd2iqa.mm_common'])
METRICS = _child(mmengine.METRICS, ['mdiqa.engine'])
HOOKS = _child(mmengine.HOOKS, ['mdiqa.engine'])
DATA_SAMPLERS = _child(mmengine.DATA_SAMPLERS, ['mdiqa.datasets'])
EVALUATOR = _child(mmengine.EVALUATOR)
LOG_PROCESSORS = _child(mmengine.LOG_PROCESSORS)
LOOPS = _child(mmengine.LOOPS)
MODEL_WRAPPERS = _child(mmengine.MODEL_WRAPPERS)
OPTIMIZERS = _child(mmengine.OPTIMIZERS)
OPTIM_WRAPPERS = _child(mmengine.OPTIM_WRAPPERS)
OPTIM_WRAPPER_CONSTRUCTORS = _child(mmengine.OPTIM_WRAPPER_CONSTRUCTORS)
PARAM_SCHEDULERS = _child(mmengine.PARAM_SCHEDULERS)
RUNNERS = _child(mmengine.RUNNERS)
RUNNER_CONSTRUCTORS = _child(mmengine.RUNNER_CONSTRUCTORS)
VISBACKENDS = _child(mmengine.VISBACKENDS)
VISUALIZERS = _child(mmengine.VISUALIZERS)
WEIGHT_INITIALIZERS = _child(mmengine.WEIGHT_INITIALIZERS)
