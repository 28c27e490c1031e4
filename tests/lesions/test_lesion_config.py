"""LesionConfig: the published defaults, presets and the errors for bad settings."""
import dataclasses

import pytest

from d2iqa.lesions import CLASSES, LESION_PRESETS, LesionConfig, get_lesion_config


def test_published_defaults():
    cfg = LesionConfig()
    assert CLASSES == ('triangle', 'circle', 'square', 'star')  # the released label order
    assert cfg.count == (2, 5)
    assert cfg.radii == (7, 8, 9, 10)
    assert cfg.contrasts == (0.08, 0.09, 0.10)
    assert cfg.positive_fraction == 0.5
    assert cfg.rotation == (-180, 180)
    assert cfg.classes == CLASSES
    assert (cfg.blur_sigma, cfg.box_margin, cfg.min_distance) == (1.0, 2.0, 50.0)
    assert cfg.margin_offset == 25
    assert cfg.saliency_threshold == 0.4
    assert LESION_PRESETS['abdomen'] == cfg
    assert LESION_PRESETS['head'] == dataclasses.replace(cfg, contrasts=(0.06, 0.07, 0.08))


def test_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        LesionConfig().radii = (5,)


def test_get_lesion_config_forms():
    assert get_lesion_config() is LESION_PRESETS['abdomen']
    assert get_lesion_config('head') is LESION_PRESETS['head']
    cfg = LesionConfig(radii=(9,))
    assert get_lesion_config(cfg) is cfg
    from_dict = get_lesion_config(dict(preset='head', radii=[7, 8], count=[1, 3]))
    assert from_dict.radii == (7, 8) and from_dict.count == (1, 3)
    assert from_dict.contrasts == (0.06, 0.07, 0.08)
    assert LesionConfig(classes=('star', 'circle')).labels == (3, 1)


@pytest.mark.parametrize('fields, message', [
    (dict(count=(3, 2)), 'count'),
    (dict(count=(0, 2)), 'count'),
    (dict(radii=()), 'radii'),
    (dict(radii=(7.5,)), 'radii'),
    (dict(radii=(0, 7)), 'radii'),
    (dict(contrasts=(-0.1,)), 'sign is drawn'),
    (dict(positive_fraction=1.5), 'probability'),
    (dict(rotation=(10, 10)), 'rotation'),
    (dict(classes=('hexagon',)), 'subset'),
    (dict(blur_sigma=0), 'blur_sigma'),
    (dict(min_distance=-1), 'negative'),
    (dict(max_redraws=0), 'max_redraws'),
])
def test_bad_settings_say_what_is_wrong(fields, message):
    with pytest.raises(ValueError, match=message):
        LesionConfig(**fields)


def test_get_lesion_config_errors():
    with pytest.raises(ValueError, match="unknown lesion preset 'liver'"):
        get_lesion_config('liver')
    with pytest.raises(ValueError, match=r"unknown LesionConfig fields \['radius'\]"):
        get_lesion_config(dict(radius=7))
    with pytest.raises(TypeError, match='preset name'):
        get_lesion_config(3)
