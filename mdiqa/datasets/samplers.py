"""A training sampler that keeps versions of one slice together (for the within-slice order
term of :class:`~mdiqa.models.MDIQA`)."""
import itertools

import torch
from mmengine.dataset import InfiniteSampler

from ..registry import DATA_SAMPLERS


@DATA_SAMPLERS.register_module()
class SliceGroupSampler(InfiniteSampler):
    """Infinite shuffled indices in runs of ``group_size`` versions of one source slice.

    Each pass over the data shuffles every slice's versions (``source_slice`` of the data
    infos, e.g. the rungs of a degradation ladder), cuts them into groups of ``group_size``
    (dropping the remainder, a different one each pass), and shuffles the groups. With a batch
    size that is a multiple of ``group_size``, each batch holds whole groups. Versions without
    a ``source_slice`` are grouped among themselves. Under several processes, each takes every
    ``world_size``-th group.

    Args:
        dataset (Sized): the dataset (``get_data_info(i)['source_slice']``).
        group_size (int): versions of one slice in a row, >= 2.
        shuffle (bool): must be True (groups are drawn at random).
        seed (int, optional): as for ``InfiniteSampler``.
    """

    def __init__(self, dataset, *, group_size, shuffle=True, seed=None):
        if group_size < 2:
            raise ValueError(f'group_size must be at least 2, got {group_size}')
        if not shuffle:
            raise ValueError('SliceGroupSampler draws its groups at random; use shuffle=True')
        self.group_size = group_size
        members = {}
        for index in range(len(dataset)):
            members.setdefault(dataset.get_data_info(index).get('source_slice', ''),
                               []).append(index)
        self.members = [torch.tensor(m) for m in members.values() if len(m) >= group_size]
        if not self.members:
            raise ValueError(f'no slice of the dataset has {group_size} versions; lower '
                             'group_size or list the versions with their source slice')
        super().__init__(dataset, shuffle=True, seed=seed)

    def _groups(self):
        generator = torch.Generator()
        generator.manual_seed(self.seed)
        while True:
            groups = []
            for members in self.members:
                order = members[torch.randperm(len(members), generator=generator)]
                whole = len(order) // self.group_size * self.group_size
                groups += order[:whole].reshape(-1, self.group_size).tolist()
            yield from (groups[i] for i in torch.randperm(len(groups), generator=generator))

    def _infinite_indices(self):
        yield from itertools.chain.from_iterable(self._groups())

    def _indices_of_rank(self):
        mine = itertools.islice(self._groups(), self.rank, None, self.world_size)
        yield from itertools.chain.from_iterable(mine)
