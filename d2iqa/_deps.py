"""Import-time check of the OpenMMLab stack (the maintained ``onedl-*`` fork)."""
from importlib import metadata

#: import name -> (distribution that must provide it, pinned version)
OPENMMLAB_PINS = {
    'mmengine': ('onedl-mmengine', '0.10.12'),
    'mmcv': ('onedl-mmcv', '2.3.6'),
    'mmdet': ('onedl-mmdetection', '3.5.1'),
}
#: upstream distributions that install the same import names and must not be mixed in
UPSTREAM_CONFLICTS = ('mmengine', 'mmcv', 'mmcv-full', 'mmdet')

INSTALL_HINT = ('Run `make install` in the repository (it builds mmcv with its ops), or by hand: '
                'pip install torch==2.13.0 setuptools wheel ninja && '
                'pip install --no-build-isolation onedl-mmcv==2.3.6 && '
                'pip install onedl-mmengine==0.10.12 onedl-mmdetection==3.5.1')


def _installed_version(distribution):
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def check_openmmlab_versions():
    """Raise ImportError unless the pinned onedl-mmengine / mmcv / mmdetection are installed.

    Only package metadata is read, so the check costs nothing and does not import torch.
    """
    problems = []
    for module, (distribution, pinned) in OPENMMLAB_PINS.items():
        found = _installed_version(distribution)
        if found is None:
            problems.append(f'{distribution}=={pinned} (import name `{module}`) is not installed')
        elif found != pinned:
            problems.append(f'{distribution} {found} is installed but {pinned} is required')
    for distribution in UPSTREAM_CONFLICTS:
        found = _installed_version(distribution)
        if found is not None:
            problems.append(f'upstream {distribution} {found} is installed beside the onedl fork; '
                            f'uninstall it (pip uninstall {distribution})')
    if problems:
        raise ImportError('d2iqa needs the onedl OpenMMLab fork at pinned versions: '
                          + '; '.join(problems) + '. ' + INSTALL_HINT)
