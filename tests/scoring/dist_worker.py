"""One rank of a distributed batch run for the tests (started by torchrun).

Usage: torchrun ... dist_worker.py FOLDER OUT [KILL_RANK KILL_AFTER]

Scores the NPY slices of FOLDER with :class:`MeanScorer` (fast, deterministic, a different
score per slice) through ``score_study``. With KILL_RANK, that rank dies (``os._exit``, as if
killed) after KILL_AFTER slices; torchrun then stops the other ranks.
"""
import os
import sys
import time

import numpy as np
import torch.distributed as dist

from d2iqa.mm_common.runner import distributed
from d2iqa.scoring import D2IQAResult
from d2iqa.scoring.batch import score_study


class MeanScorer:
    """Scores a slice from its mean HU, after ``pause`` seconds (so that ranks overlap)."""

    def __init__(self, *, pause=0.0, die_after=None):
        self.pause = pause
        self.die_after = die_after
        self.scored = 0

    def score_slice(self, ct_slice):
        if self.die_after is not None and self.scored == self.die_after:
            os._exit(3)
        time.sleep(self.pause)
        self.scored += 1
        level = float(np.tanh((ct_slice.hu.mean() + 1000) / 1000))
        return D2IQAResult.from_set_scores([level, level / 3], set_size=2)


def main(folder, out, kill_rank=None, kill_after=None):
    with distributed('pytorch' if 'RANK' in os.environ else 'none', cuda=False):
        rank = dist.get_rank() if dist.is_initialized() else 0
        die = int(kill_after) if kill_rank is not None and int(kill_rank) == rank else None
        score_study([folder], MeanScorer(pause=0.3, die_after=die), out=out, values='hu',
                    resume=True, settings={'scorer': 'mean'}, progress=False)


if __name__ == '__main__':
    main(*sys.argv[1:])
