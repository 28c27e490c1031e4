"""An infinite training sampler that draws patients uniformly, then one of their slices."""
import itertools
from collections import defaultdict

import numpy as np
from mmengine.dist import get_dist_info, sync_random_seed
from mmdet.registry import DATA_SAMPLERS
from torch.utils.data import Sampler


@DATA_SAMPLERS.register_module()
class PatientBalancedSampler(Sampler):
    """Endless indices of a dataset, each patient drawn as often as any other.

    Each draw picks a patient uniformly, then one of that patient's entries uniformly, so a
    patient with 90 slices is seen as often as one with a single slice (his slices each 90
    times less often). With several processes, each rank takes every ``world_size``-th index
    of one stream, as mmengine's ``InfiniteSampler`` does; a resumed run continues the stream
    where it stopped (:meth:`skip`) without loading the skipped samples.

    Args:
        dataset: a dataset whose ``get_data_info(i)`` holds ``key`` (``'patient'`` for
            ``CTSliceDataset``).
        key (str): the data-info field that groups entries.
        seed (int, optional): seed of the stream; default one shared by all ranks.
    """

    def __init__(self, dataset, *, key='patient', seed=None):
        self.rank, self.world_size = get_dist_info()
        self.dataset = dataset
        self.key = key
        self.seed = sync_random_seed() if seed is None else int(seed)
        groups = defaultdict(list)
        for index in range(len(dataset)):
            groups[dataset.get_data_info(index)[key]].append(index)
        self.groups = [np.array(indices) for _, indices in sorted(groups.items())]
        self._consumed = 0

    def _stream(self):
        rng = np.random.default_rng(self.seed)
        while True:
            groups = rng.integers(len(self.groups), size=1024)
            for group in groups:
                indices = self.groups[group]
                yield int(indices[rng.integers(indices.size)])

    def __iter__(self):
        start = self.rank + self._consumed * self.world_size
        yield from itertools.islice(self._stream(), start, None, self.world_size)

    def skip(self, num_samples):
        """Continue after the first ``num_samples`` indices of this rank (resuming a run)."""
        if num_samples < 0:
            raise ValueError(f'num_samples must be >= 0, got {num_samples}')
        self._consumed = int(num_samples)

    def __len__(self):
        return len(self.dataset)

    def set_epoch(self, epoch):
        """Not used: the stream is endless (kept for the runner's sampler interface)."""
