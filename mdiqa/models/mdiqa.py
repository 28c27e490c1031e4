"""The MD-IQA model: ViT + ConvNeXt -> deformable alignment -> score head; semi-supervision."""
import torch
from mmengine.model import BaseModel, BaseModule, ExponentialMovingAverage

from ..registry import MODELS
from .semi import sigmoid_rampup
from .targets import order_loss

#: Sample kinds (``kind`` of a data sample): with a true label, an ensemble label, or none.
KINDS = ('labelled', 'pseudo', 'unlabelled')
#: Step-3 weights: published lambda1, lambda2, alpha; lambda3's final value and ramp are ours.
SEMI_DEFAULTS = dict(lambda_sup=1.0, lambda_pseudo=0.1, lambda_cons=1.0, rampup_iters=1250,
                     ema_alpha=0.997)


@MODELS.register_module()
class QualityNet(BaseModule):
    """Images ``(B, V, H, W)`` -> head output (``(B, K, N)`` distributions for MD-IQA).

    The branches take one channel; V > 1 channels are V views of one slice (the test-time
    crops of ``CropSlice(grid=...)``): each view goes through the network and the slice's
    output is the mean of its views' outputs.
    """

    def __init__(self, *, vit, cnn, neck, head, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.vit = MODELS.build(vit)
        self.cnn = MODELS.build(cnn)
        self.neck = MODELS.build(dict(neck, vit_channels=self.vit.embed_dims,
                                      cnn_channels=self.cnn.out_channels))
        self.head = MODELS.build(dict(head, in_channels=self.neck.fuse.conv.out_channels))

    def forward(self, x):
        batch, views = x.shape[:2]
        x = x.reshape(batch * views, 1, *x.shape[2:])
        out = self.head(self.neck(self.vit(x), self.cnn(x)))
        return out.reshape(batch, views, *out.shape[1:]).mean(1)


@MODELS.register_module()
class MDIQA(BaseModel):
    """MD-IQA: supervised (step 1) or semi-supervised with an EMA teacher (step 3).

    Args:
        net (dict): a :class:`QualityNet` config (vit, cnn, neck, head).
        semi (dict, optional): step 3. Keys: ``lambda_sup`` (lambda1, 1), ``lambda_pseudo``
            (lambda2, 0.1), ``lambda_cons`` (lambda3's final value, 1), ``rampup_iters``
            (length of the sigmoid ramp of lambda3, 1250: it passes lambda2 at iteration 402)
            and ``ema_alpha`` (0.997: teacher <- alpha * teacher + (1 - alpha) * student, i.e.
            MMEngine's ``ExponentialMovingAverage`` with ``momentum = 1 - alpha``). The
            teacher is updated and ``iteration`` set by ``MeanTeacherHook``.
        order_weight (float): weight of the within-slice order term
            (:func:`~mdiqa.models.targets.order_loss`, ours, not published) over the labelled
            versions of one slice in a batch (``SliceGroupSampler``); 0 leaves it out. It
            needs a differentiable decoding (``decode='soft-argmax'`` or the regression head).
        data_preprocessor (dict): normalisation of the [0, 1] input.
    """

    def __init__(self, *, net, semi=None, order_weight=0.0, data_preprocessor=None,
                 init_cfg=None):
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.order_weight = float(order_weight)
        self.net = MODELS.build(dict(type='QualityNet', **net) if 'type' not in net else net)
        if self.order_weight and getattr(self.head, 'decode_method', None) == 'argmax':
            raise ValueError("order_weight needs a decoding that passes gradients: set the "
                             "head's decode='soft-argmax' (argmax has none)")
        self.semi = None if semi is None else {**SEMI_DEFAULTS, **semi}
        self.teacher = ExponentialMovingAverage(self.net, momentum=1 - self.semi['ema_alpha']) \
            if self.semi else None
        self.iteration = 0

    @property
    def head(self):
        return self.net.head

    def forward(self, inputs, data_samples=None, mode='tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        pred = self.net(inputs)
        if mode == 'tensor':
            return pred
        if mode == 'predict':
            for sample, score in zip(data_samples, self.head.decode(pred)):
                sample.set_field(float(score), 'pred_score', field_type='metainfo')
            return data_samples
        raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', got {mode!r}")

    @staticmethod
    def _mean(values, mask):
        return values[mask].mean() if mask.any() else values.sum() * 0.0

    def loss(self, inputs, data_samples):
        kinds = [sample.metainfo.get('kind', 'labelled') for sample in data_samples]
        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise ValueError(f'unknown sample kinds {sorted(unknown)}; use one of {KINDS}')
        device = inputs.device
        labelled = torch.tensor([k == 'labelled' for k in kinds], device=device)
        pseudo = torch.tensor([k == 'pseudo' for k in kinds], device=device)
        if self.semi is None and not labelled.all():
            raise ValueError('a supervised MD-IQA config got pseudo-labelled or unlabelled '
                             'samples; add semi=dict(...) to the model for step 3')
        scores = torch.tensor([s.metainfo['gt_score'] if k != 'unlabelled' else 0.0
                               for s, k in zip(data_samples, kinds)], device=device)
        sems = torch.tensor([s.metainfo.get('gt_sem', float('nan')) for s in data_samples],
                            device=device)
        pred = self.net(inputs)
        per_sample = self.head.loss(pred, scores, sems)
        order = {}
        if self.order_weight:
            groups = [s.metainfo.get('source_slice', '') for s in data_samples]
            labelled_sems = sems.masked_fill(~labelled, float('nan'))   # true labels only
            order['loss_order'] = self.order_weight * order_loss(
                self.head.decode(pred), scores, labelled_sems, groups)
        if self.semi is None:
            return dict(loss_sup=per_sample.mean(), **order)
        weight = sigmoid_rampup(self.iteration, length=self.semi['rampup_iters'],
                                max_value=self.semi['lambda_cons'])
        self.teacher.eval()
        with torch.no_grad():
            reference = self.teacher.module(inputs)
        consistency = self.head.consistency(pred, reference)
        return dict(loss_sup=self.semi['lambda_sup'] * self._mean(per_sample, labelled),
                    loss_pseudo=self.semi['lambda_pseudo'] * self._mean(per_sample, pseudo),
                    loss_cons=weight * self._mean(consistency, ~labelled),
                    lambda_cons=torch.tensor(weight, device=device), **order)
