"""The OpenMMLab pieces both scorers share, in no scope of their own.

* :mod:`.transforms`: ``LoadCTSlice``, ``SimulateLowDose``, ``RandomSharpness``, ``WindowCT``,
  registered in MMEngine's root ``TRANSFORMS`` (found from the ``mmdet`` and ``mdiqa`` scopes);
* :mod:`.checkpoint`: checkpoints with their config inside (build the model, export fp16);
* :mod:`.runner`: the config preparation behind ``tools/train.py`` / ``tools/test.py``.

Importing it checks the pinned OpenMMLab versions first (``d2iqa._deps``).
"""
from .._deps import check_openmmlab_versions

check_openmmlab_versions()

from .checkpoint import checkpoint_config, export_inference_checkpoint, load_model  # noqa: E402
from .transforms import LoadCTSlice, RandomSharpness, SimulateLowDose, WindowCT  # noqa: E402

__all__ = ['LoadCTSlice', 'RandomSharpness', 'SimulateLowDose', 'WindowCT', 'checkpoint_config',
           'export_inference_checkpoint', 'load_model']
