"""The mean-teacher hook of step 3: EMA teacher updates and the iteration for the lambda3 ramp."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from ..registry import HOOKS


@HOOKS.register_module()
class MeanTeacherHook(Hook):
    """Before training, copy the student into a fresh teacher (e.g. after ``load_from``); before
    each iteration, give the model the iteration (for lambda3); after it, update the teacher
    (``ExponentialMovingAverage.update_parameters``)."""

    priority = 'NORMAL'

    @staticmethod
    def _model(runner):
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if getattr(model, 'teacher', None) is None:
            raise ValueError('MeanTeacherHook needs a model with semi=dict(...) (an EMA teacher)')
        return model

    def before_train(self, runner):
        model = self._model(runner)
        if int(model.teacher.steps) == 0:
            model.teacher.update_parameters(model.net)

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self._model(runner).iteration = runner.iter

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        model = self._model(runner)
        model.teacher.update_parameters(model.net)
