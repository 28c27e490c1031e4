"""The scorer interface every scorer follows, and the result every scorer returns.

A scorer (D2IQA, MD-IQA, the PSNR / SSIM / noise baselines, a third party's) is a class in the
``ct_nriqa.scorers`` entry-point group (:func:`~d2iqa.scoring.create_scorer` builds one by
name) that subclasses :class:`Scorer`: it implements :meth:`Scorer.score_series`, and gets
:meth:`Scorer.score_slice` and the context-manager protocol from it.
"""
import math
from dataclasses import dataclass
from typing import Optional

__all__ = ['ScoreResult', 'Scorer', 'ScorerUnavailable']


class ScorerUnavailable(RuntimeError):
    """A scorer cannot run in this installation (missing model, weights or package)."""


@dataclass(frozen=True)
class ScoreResult:
    """The score of one image, with what it takes to read it.

    Attributes
    ----------
    score : float
        The score (for PSNR of an image identical to its reference: ``inf``).
    sem : float
        Standard error of ``score``; NaN for a deterministic single-pass scorer.
    score_range : tuple of float
        ``(low, high)`` the score can take.
    higher_is_better : bool
        Whether a higher score means a better image.
    n_trials : int or None
        Random trials the score averages (D2IQA); None when not applicable.
    source : str
        Where the image came from (a file, ``'images[i]'`` for arrays).
    """

    score: float
    sem: float = math.nan
    score_range: tuple = (-math.inf, math.inf)
    higher_is_better: bool = True
    n_trials: Optional[int] = None
    source: str = '<array>'


class Scorer:
    """Base class of scorers: ``name``, direction, range, and the scoring methods.

    Subclasses set ``name``, ``higher_is_better``, ``score_range`` (and ``needs_reference``
    for full-reference scorers) and implement :meth:`score_series`; constructors take
    keyword options only (e.g. ``checkpoint=``, ``device=``).
    """

    name = None
    higher_is_better = True
    needs_reference = False
    score_range = (-math.inf, math.inf)

    def score_series(self, images, *, reference=None, values=None, **options):
        """Scores of several versions of one slice (e.g. its dose levels), in order.

        This is also the dose study's use: all the simulated levels of a slice in one call,
        with the full-dose slice as ``reference``, so that a scorer may pair them (D2IQA
        pastes the same lesions into every level) or compare with it (PSNR, SSIM).

        Parameters
        ----------
        images : sequence of array_like, CTSlice or path
            HU arrays, loaded slices or files, all of one shape.
        reference : array_like, CTSlice or path, optional
            The full-quality slice: required by full-reference scorers, used by D2IQA to
            place the lesions, ignored by the others.
        values : str or Window, optional
            Units of TIFF / PNG / NPY files given by path (``d2iqa.load_slice``).
        **options
            Scorer-specific options (D2IQA: those of ``ScoringOptions``).

        Returns
        -------
        list of ScoreResult
        """
        raise NotImplementedError

    def score_slice(self, image, **options):
        """Score one slice (array, ``CTSlice`` or file): ``score_series([image])[0]``."""
        return self.score_series([image], **options)[0]

    def close(self):
        """Release what the scorer holds (worker processes); nothing by default."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
