"""D2IQA virtual lesions: where they may go, how they are drawn, and adding them to slices.

Pure numpy / SciPy / scikit-image; the mmdet transform that uses it is
:class:`d2iqa.engine.transforms.InsertVirtualLesions`. Settings and their sources are in
``docs/lesions.md``.

Typical use, many trials on one slice (paired across dose levels)::

    placement = Placement.from_image(full_dose01)          # once per slice (~0.3 s)
    lesions = placement.draw(rng)                          # one trial (microseconds)
    full, quarter = add_lesions([full_dose01, quarter_dose01], lesions)
    boxes, labels = lesions.boxes, lesions.labels
"""
from .config import CLASSES, LESION_PRESETS, LesionConfig, get_lesion_config
from .draw import (Lesions, LesionPlacementError, Placement, add_lesions, insert_lesions,
                   seeded_rng)
from .masks import body_mask, placement_mask
from .saliency import saliency_map

__all__ = ['CLASSES', 'LESION_PRESETS', 'LesionConfig', 'LesionPlacementError', 'Lesions',
           'Placement', 'add_lesions', 'body_mask', 'get_lesion_config', 'insert_lesions',
           'placement_mask', 'saliency_map', 'seeded_rng']
