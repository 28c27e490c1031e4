"""Unlabelled CT slices as an mmdet dataset: lesions are pasted in by the pipeline."""
import fnmatch
import logging
import os
from collections import defaultdict

from mmengine.dataset import BaseDataset
from mmengine.logging import print_log
from mmdet.registry import DATASETS

from ..io import EMBEDDED_PREFIX, discover, load_series, window
from ..lesions import CLASSES, LesionPlacementError, Placement


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
            (SeriesInstanceUID or file path), its first file's path and its patient
            (DICOM PatientID, else the key). Series that match are the validation split, the
            others the training split; every series of a held-out patient is held out, so
            that no patient's slices are on both sides.
        holdout_patients (list[str]): patients (DICOM PatientID, exactly) held out as well.
        split (str): ``'train'`` (series not held out), ``'val'`` (held out) or ``'all'``.
        every (int): keep every n-th slice of each series (adjacent slices are near copies).
        per_patient (int, optional): keep at most this many slices of each patient, spread
            evenly over its series (e.g. a validation set where no patient dominates).
        trials_per_slice (int): repeat each slice this many times, as entries with a
            ``trial`` index (a validation set gets several fixed lesion configurations
            per slice).
        values (str, optional): units of TIFF / PNG / NPY pixels (see ``d2iqa.load_slice``).
        allow_non_ct (bool): accept non-CT DICOM series.
        filter_cfg (dict, optional): ``dict(lesion_config=...)`` drops the slices that cannot
            host the lesions of that config (:class:`~d2iqa.lesions.Placement` fails: no
            body, a coarse grid), each with a logged reason, when the dataset is built.

    Each entry holds ``img_path``, ``slice_index``, ``series``, ``patient``, ``manufacturer``
    and ``trial``; ``PatientBalancedSampler`` draws from them patient by patient.
    """

    METAINFO = dict(classes=CLASSES)

    def __init__(self, *, sources, holdout=(), holdout_patients=(), exclude=(), split='all',
                 every=1, per_patient=None, trials_per_slice=1, values=None,
                 allow_non_ct=False, **kwargs):
        if split not in ('train', 'val', 'all'):
            raise ValueError(f"split must be 'train', 'val' or 'all', got {split!r}")
        if every < 1 or trials_per_slice < 1 or (per_patient is not None and per_patient < 1):
            raise ValueError(f'every, per_patient and trials_per_slice must be >= 1, got '
                             f'{every}, {per_patient} and {trials_per_slice}')
        self.sources = [sources] if isinstance(sources, str) else list(sources)
        self.holdout = list(holdout)
        self.holdout_patients = list(holdout_patients)
        self.exclude = list(exclude)
        self.split = split
        self.every = every
        self.per_patient = per_patient
        self.trials_per_slice = trials_per_slice
        self.values = values
        self.allow_non_ct = allow_non_ct
        super().__init__(**kwargs)

    @staticmethod
    def _matches(source, patterns):
        names = (source.key, source.paths[0], source.patient_id)
        return any(fnmatch.fnmatch(name, pattern) or pattern in name
                   for pattern in patterns for name in names)

    def load_data_list(self):
        roots = [p if os.path.isabs(p) or p.startswith(EMBEDDED_PREFIX) or not self.data_root
                 else os.path.join(self.data_root, p) for p in self.sources]
        found = discover(*roots, allow_non_ct=self.allow_non_ct)
        series = [s for s in found.series if not self._matches(s, self.exclude)]
        held_patients = {s.patient_id for s in series if self._matches(s, self.holdout)
                         or s.patient_id in self.holdout_patients}
        by_patient = defaultdict(list)
        for source in series:
            held_out = source.patient_id in held_patients
            if (self.split == 'train' and held_out) or (self.split == 'val' and not held_out):
                continue
            slices = load_series(source, values=self.values,
                                 allow_non_ct=self.allow_non_ct)
            by_patient[source.patient_id] += [(source, s) for s in slices[::self.every]]
        lesion_config = (self.filter_cfg or {}).get('lesion_config')
        entries = []
        for patient_slices in by_patient.values():
            for source, ct_slice in self._spread(patient_slices):
                if lesion_config is not None and not self._hosts_lesions(ct_slice, lesion_config):
                    continue
                entries += [dict(img_path=ct_slice.source,
                                 slice_index=ct_slice.extra.get('frame', ct_slice.index),
                                 series=source.key, patient=source.patient_id,
                                 manufacturer=source.manufacturer, trial=trial)
                            for trial in range(self.trials_per_slice)]
        if not entries:
            problems = '; '.join(f'{p}: {r}' for p, r in found.errors[:3])
            raise ValueError(f'CTSliceDataset(split={self.split!r}) found no slices under '
                             f'{roots} with holdout={self.holdout}, holdout_patients='
                             f'{self.holdout_patients}'
                             + (f' (unreadable: {problems})' if problems else ''))
        return entries

    def _spread(self, items):
        """At most ``per_patient`` of a patient's slices, spread evenly over them."""
        if self.per_patient is None or len(items) <= self.per_patient:
            return items
        step = len(items) / self.per_patient
        return [items[int((k + 0.5) * step)] for k in range(self.per_patient)]

    @staticmethod
    def _hosts_lesions(ct_slice, lesion_config):
        try:
            Placement.from_image(window(ct_slice.hu, preset='d2iqa'), config=lesion_config)
        except LesionPlacementError as exc:
            print_log(f'CTSliceDataset: skipped {ct_slice.source} (slice {ct_slice.index}): '
                      f'{exc}', logger='current', level=logging.WARNING)
            return False
        return True


def config_slices(config, *, split):
    """The slices of a D2IQA config's training or validation dataset, without its pipeline.

    Parameters
    ----------
    config : str or path-like
        A detector config (e.g. ``configs/d2iqa/cascade-rcnn_r18_fpn_lite.py``); relative data
        roots are relative to the current folder, as for ``tools/train.py``.
    split : {'train', 'val'}
        Its ``train_dataloader`` or ``val_dataloader`` dataset.

    Returns
    -------
    list of dict
        The dataset's entries (``img_path``, ``slice_index``, ``patient``, ...); one per slice
        and validation trial for ``'val'``.
    """
    from mmdet.registry import DATASETS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    if split not in ('train', 'val'):
        raise ValueError(f"split must be 'train' or 'val', got {split!r}")
    init_default_scope('mmdet')
    dataset_cfg = Config.fromfile(config)[f'{split}_dataloader'].dataset
    dataset_cfg.pipeline = []
    dataset = DATASETS.build(dataset_cfg)
    return [dataset.get_data_info(i) for i in range(len(dataset))]
