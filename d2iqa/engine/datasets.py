"""Unlabelled CT slices as an mmdet dataset: lesions are pasted in by the pipeline."""
import fnmatch
import os

from mmengine.dataset import BaseDataset
from mmdet.registry import DATASETS

from ..io import EMBEDDED_PREFIX, discover
from ..lesions import CLASSES


@DATASETS.register_module()
class CTSliceDataset(BaseDataset):
    """Every axial slice of the CT series found under ``sources``, without labels.

    The annotations come from the pipeline: ``InsertVirtualLesions`` pastes a lesion
    configuration into each slice as it is drawn (a fresh one in training, one fixed by
    seed per sample in validation).

    Args:
        sources (list[str]): folders (walked recursively: DICOM series, NIfTI volumes,
            TIFF / PNG / NPY files) and files. Relative paths are joined to ``data_root``;
            ``'embedded:NAME'`` is a CT file shipped with pydicom-data.
        exclude (list[str]): shell patterns of series (key or first file path) to leave out
            altogether, e.g. volumes not on the 512 x 512 grid the lesions are sized for.
        holdout (list[str]): shell patterns (``fnmatch``) matched against each series' key
            (SeriesInstanceUID or file path) and its first file's path. Series that match are
            the validation split, the others the training split, so that no patient's
            slices are on both sides.
        split (str): ``'train'`` (series not held out), ``'val'`` (held out) or ``'all'``.
        every (int): keep every n-th slice of each series (adjacent slices are near copies).
        trials_per_slice (int): repeat each slice this many times, as entries with a
            ``trial`` index (a validation set gets several fixed lesion configurations
            per slice).
        values (str, optional): units of TIFF / PNG / NPY pixels (see ``d2iqa.load_slice``).
        allow_non_ct (bool): accept non-CT DICOM series.
    """

    METAINFO = dict(classes=CLASSES)

    def __init__(self, *, sources, holdout=(), exclude=(), split='all', every=1,
                 trials_per_slice=1, values=None, allow_non_ct=False, **kwargs):
        if split not in ('train', 'val', 'all'):
            raise ValueError(f"split must be 'train', 'val' or 'all', got {split!r}")
        if every < 1 or trials_per_slice < 1:
            raise ValueError(f'every and trials_per_slice must be >= 1, got {every} and '
                             f'{trials_per_slice}')
        self.sources = [sources] if isinstance(sources, str) else list(sources)
        self.holdout = list(holdout)
        self.exclude = list(exclude)
        self.split = split
        self.every = every
        self.trials_per_slice = trials_per_slice
        self.values = values
        self.allow_non_ct = allow_non_ct
        super().__init__(**kwargs)

    @staticmethod
    def _matches(source, patterns):
        names = (source.key, source.paths[0])
        return any(fnmatch.fnmatch(name, pattern) or pattern in name
                   for pattern in patterns for name in names)

    def load_data_list(self):
        roots = [p if os.path.isabs(p) or p.startswith(EMBEDDED_PREFIX) or not self.data_root
                 else os.path.join(self.data_root, p) for p in self.sources]
        found = discover(*roots, allow_non_ct=self.allow_non_ct)
        entries = []
        for source in found.series:
            if self._matches(source, self.exclude):
                continue
            held_out = self._matches(source, self.holdout)
            if (self.split == 'train' and held_out) or (self.split == 'val' and not held_out):
                continue
            slices = source.load(values=self.values, allow_non_ct=self.allow_non_ct)
            for ct_slice in slices[::self.every]:
                for trial in range(self.trials_per_slice):
                    entries.append(dict(img_path=ct_slice.source,
                                        slice_index=ct_slice.extra.get('frame', ct_slice.index),
                                        series=source.key, trial=trial))
        if not entries:
            problems = '; '.join(f'{p}: {r}' for p, r in found.errors[:3])
            raise ValueError(f'CTSliceDataset(split={self.split!r}) found no slices under '
                             f'{roots} with holdout={self.holdout}'
                             + (f' (unreadable: {problems})' if problems else ''))
        return entries
