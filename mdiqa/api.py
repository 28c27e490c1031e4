"""Score CT slices with a trained MD-IQA checkpoint: ``MDIQAScorer`` and ``score_slice``.

``MDIQAScorer`` is the ``mdiqa`` scorer of the ``ct_nriqa.scorers`` registry
(``d2iqa.create_scorer('mdiqa')``, ``d2iqa score --scorer mdiqa``, ``d2iqa evaluate-dose
--scorers mdiqa``). Without a checkpoint it loads the reference one-pass student
(:data:`REFERENCE_CHECKPOINT`), which predicts the D2IQA score of the reference detector
(docs/mdiqa.md, "The one-pass scorer").
"""
import os
from functools import lru_cache
from pathlib import Path

import torch
from mmcv.transforms import Compose
from mmengine.registry import DefaultScope

from d2iqa.io import as_hu_slice
from d2iqa.mm_common import load_model
from d2iqa.scoring import ScoreResult, Scorer, ScorerUnavailable

from .registry import TRANSFORMS

__all__ = ['MDIQAScorer', 'REFERENCE_CHECKPOINT', 'score_slice']

#: The reference one-pass student: small MD-IQA trained on D2IQA scores (mdiqa/checkpoints).
REFERENCE_CHECKPOINT = Path(__file__).resolve().parent / 'checkpoints' \
    / 'mdiqa_onepass_reference.pth'


class MDIQAScorer(Scorer):
    """A trained MD-IQA model ready to score slices.

    Parameters
    ----------
    checkpoint : str, optional
        A checkpoint written by ``tools/train.py``; by default the reference one-pass student
        (:data:`REFERENCE_CHECKPOINT`), whose scores are D2IQA scores on [0, 1].
    config : str, optional
        The config it was trained with; by default the config saved inside the checkpoint.
    device : str
        ``'cpu'`` or ``'cuda'``.
    values : str or tuple, optional
        Units of TIFF / PNG / NPY inputs; by default those of the config's test data
        (``'hu'`` for the proxy configs, the identity window for LDCTIQAC2023 TIFFs).
    decode : {'argmax', 'soft-argmax'}, optional
        Override the head's decoding (published: argmax).
    batch_size : int
        Slices per forward pass in :meth:`score_slices`.

    Notes
    -----
    The first transform of the config's test pipeline loads a file; the scorer reads the
    slice itself (``d2iqa.io``: DICOM, NIfTI, TIFF, PNG, NPY or a HU array) and applies the
    rest (window, crop, packing).
    """

    name = 'mdiqa'
    higher_is_better = True

    def __init__(self, *, checkpoint=None, config=None, device='cpu', values=None, decode=None,
                 batch_size=8):
        if not checkpoint:
            if not REFERENCE_CHECKPOINT.is_file():
                raise ScorerUnavailable(f'the reference MD-IQA checkpoint {REFERENCE_CHECKPOINT} '
                                        'is not installed: pass checkpoint= (--checkpoint), '
                                        'one trained with tools/train.py configs/mdiqa/... '
                                        '(docs/mdiqa.md)')
            checkpoint = REFERENCE_CHECKPOINT
        self.checkpoint = os.fspath(checkpoint)
        self.model, cfg = load_model(checkpoint, scope='mdiqa', config=config, device=device)
        with DefaultScope.overwrite_default_scope('mdiqa'):   # e.g. after an mmdet Runner
            pipeline = cfg.test_dataloader.dataset.pipeline
            self.transforms = Compose([TRANSFORMS.build(t) for t in pipeline[1:]])
        self.device, self.decode, self.batch_size = device, decode, batch_size
        self.values = values if values is not None else pipeline[0].get('values')
        self.score_range = (0.0, float(self.model.head.max_score))

    def __repr__(self):
        return (f'{type(self).__name__}(values={self.values!r}, range={self.score_range}, '
                f'device={self.device!r})')

    @property
    def slices_per_call(self):
        """Slices that batch scoring hands to :meth:`score_slices` at once."""
        return self.batch_size

    @torch.no_grad()
    def score_slices(self, images, *, values=None):
        """Score several slices (HU arrays, ``CTSlice`` objects or file paths), each on its own,
        ``batch_size`` per forward pass.

        Returns
        -------
        list of ScoreResult
            In the order of ``images``.
        """
        values = values if values is not None else self.values
        slices = [as_hu_slice(image, values=values, source=f'images[{i}]')
                  for i, image in enumerate(images)]
        scores = []
        for start in range(0, len(slices), self.batch_size):
            batch = [self.transforms(dict(hu=ct.hu))['inputs']
                     for ct in slices[start:start + self.batch_size]]
            inputs = self.model.data_preprocessor(dict(inputs=batch), False)['inputs']
            pred = self.model.net(inputs.to(self.device))
            scores += self.model.head.decode(pred, self.decode).cpu().tolist()
        return [ScoreResult(score=float(score), score_range=self.score_range, source=ct.source)
                for score, ct in zip(scores, slices)]

    def score_series(self, images, *, reference=None, values=None):
        """Scores of several slices, each on its own (``reference`` is not used)."""
        return self.score_slices(images, values=values)


@lru_cache(maxsize=2)
def _scorer(checkpoint, config, device, decode):
    return MDIQAScorer(checkpoint=checkpoint, config=config, device=device, decode=decode)


def score_slice(image, *, checkpoint=None, config=None, device='cpu', values=None, decode=None):
    """Score one CT slice with an MD-IQA checkpoint (the model is cached between calls).

    Parameters
    ----------
    image : str, path-like, CTSlice or array_like
        A slice file (DICOM, NIfTI with one slice, TIFF, PNG, NPY), a ``CTSlice`` or a HU array.
    checkpoint, config, device, decode
        See :class:`MDIQAScorer` (default checkpoint: the reference one-pass student).
    values : str or tuple, optional
        Units of a TIFF / PNG / NPY file (default: those of the checkpoint's training data).

    Returns
    -------
    ScoreResult
        ``.score`` in ``(0, M)``, higher is better; ``.sem`` NaN (one deterministic pass).
    """
    checkpoint = None if checkpoint is None else os.fspath(checkpoint)
    return _scorer(checkpoint, config, device, decode).score_slice(image, values=values)
