"""Digital CT phantoms in HU, made by code (for tests and demos; no files).

Shapes are laid out in millimetres and drawn on a grid of ``pixel_size`` mm at twice the
resolution, then averaged 2 x 2, so edges carry partial-volume values as in a real scan.
Rows run anterior (top) to posterior, columns patient right (left of the image) to left.
"""
import numpy as np
from scipy import ndimage

from .attenuation import positive
from .projector import DEFAULT_PIXEL_SIZE

__all__ = ['abdomen_phantom', 'water_cylinder']

#: HU of the abdomen phantom's tissues (contrast-enhanced portal-venous look).
TISSUE_HU = {'air': -1000.0, 'fat': -100.0, 'muscle': 50.0, 'viscera': 30.0, 'liver': 60.0,
             'spleen': 50.0, 'kidney': 150.0, 'renal_sinus': 20.0, 'cancellous': 250.0,
             'cortical': 700.0, 'aorta': 200.0, 'ivc': 150.0, 'gas': -900.0}
#: Standard deviation (HU) and correlation length (mm) of the parenchymal texture.
TEXTURE_HU, TEXTURE_MM = 8.0, 3.0
_SUPERSAMPLING = 2


def _grid(size, pixel_size):
    """Pixel-centre coordinates (x right, y down, mm) of the supersampled grid."""
    if int(size) != size or size < 16:
        raise ValueError(f'size must be an integer number of pixels >= 16, got {size!r}')
    pixel_size = positive('pixel_size', pixel_size, 'mm')
    fine = int(size) * _SUPERSAMPLING
    axis = (np.arange(fine) - (fine - 1) / 2) * pixel_size / _SUPERSAMPLING
    return np.meshgrid(axis, axis)


def _ellipse(x, y, centre, semi_axes, angle_deg=0.0):
    angle = np.radians(angle_deg)
    dx, dy = x - centre[0], y - centre[1]
    u = dx * np.cos(angle) + dy * np.sin(angle)
    v = -dx * np.sin(angle) + dy * np.cos(angle)
    return (u / semi_axes[0]) ** 2 + (v / semi_axes[1]) ** 2 <= 1.0


def _downsample(image):
    n = image.shape[0] // _SUPERSAMPLING
    return image.reshape(n, _SUPERSAMPLING, n, _SUPERSAMPLING).mean(axis=(1, 3))


def water_cylinder(size=512, *, diameter_mm=200.0, pixel_size=DEFAULT_PIXEL_SIZE):
    """A centred cylinder of water (0 HU) in air (-1000 HU).

    Parameters
    ----------
    size : int
        Image side in pixels.
    diameter_mm : float
        Cylinder diameter in mm.
    pixel_size : float
        Pixel size in mm.

    Returns
    -------
    numpy.ndarray
        float32 (size, size) array in HU.
    """
    x, y = _grid(size, pixel_size)
    radius = positive('diameter_mm', diameter_mm, 'mm') / 2
    inside = np.hypot(x, y) <= radius
    return _downsample(np.where(inside, 0.0, -1000.0)).astype(np.float32)


def abdomen_phantom(size=512, *, pixel_size=DEFAULT_PIXEL_SIZE, seed=0, return_masks=False):
    """An abdomen-like axial slice in HU: body, fat layer, muscle, organs, spine, vessels.

    The body is a 330 x 240 mm ellipse with a subcutaneous fat layer and a muscle wall around
    the abdominal cavity; the cavity holds the liver, spleen, both kidneys (cortex and renal
    sinus), a vertebra (cortical shell, cancellous body, posterior arch), the aorta, the inferior
    vena cava, a few bowel gas pockets, and smooth parenchymal texture (8 HU, 3 mm). HU values
    are in :data:`TISSUE_HU`.

    Parameters
    ----------
    size : int
        Image side in pixels (at 0.7 mm, 512 pixels hold the 330 mm body with margin).
    pixel_size : float
        Pixel size in mm.
    seed : int, numpy.random.Generator or None
        Seed of the texture and of the gas pockets; the default gives the same phantom each time.
    return_masks : bool
        Also return the structures as boolean masks.

    Returns
    -------
    numpy.ndarray or (numpy.ndarray, dict)
        float32 (size, size) array in HU; with ``return_masks``, also a dict of boolean
        (size, size) masks: 'body', 'fat', 'muscle', 'liver', 'spleen', 'kidneys', 'spine',
        'vessels', 'gas' (pixels at least half covered).
    """
    rng = np.random.default_rng(seed)
    x, y = _grid(size, pixel_size)
    names = list(TISSUE_HU)
    tissue = np.zeros(x.shape, dtype=np.int8)

    def paint(mask, name):
        tissue[mask] = names.index(name)

    body = _ellipse(x, y, (0, 0), (165, 120))
    cavity = _ellipse(x, y, (0, 2), (140, 96))
    paint(body, 'fat')
    paint(_ellipse(x, y, (0, 1), (152, 108)), 'muscle')
    paint(cavity, 'viscera')
    for _ in range(6):  # visceral fat lobules
        centre = (rng.uniform(-60, 60), rng.uniform(-40, 30))
        paint(_ellipse(x, y, centre, rng.uniform(8, 18, 2), rng.uniform(0, 180)) & cavity, 'fat')
    paint(_ellipse(x, y, (0, 100), (60, 16)) & body, 'muscle')  # paraspinal muscles
    paint(_ellipse(x, y, (-62, -8), (72, 62), 20) & cavity, 'liver')
    paint(_ellipse(x, y, (92, 22), (30, 42), -25) & cavity, 'spleen')
    for side in (-1, 1):
        paint(_ellipse(x, y, (side * 62, 52), (24, 34), side * -30), 'kidney')
        paint(_ellipse(x, y, (side * 56, 52), (9, 15), side * -30), 'renal_sinus')
    paint(_ellipse(x, y, (0, 66), (21, 19)), 'cortical')  # vertebral body
    paint(_ellipse(x, y, (0, 66), (18, 16)), 'cancellous')
    paint(_ellipse(x, y, (0, 92), (16, 12)) & ~_ellipse(x, y, (0, 90), (9, 8)), 'cortical')
    paint(_ellipse(x, y, (0, 108), (5, 10)), 'cortical')  # spinous process
    paint(_ellipse(x, y, (14, 38), (11, 11)), 'aorta')
    paint(_ellipse(x, y, (-24, 36), (13, 10)), 'ivc')
    for _ in range(5):  # bowel gas pockets in front of the spine
        centre = (rng.uniform(-20, 60), rng.uniform(-75, -20))
        pocket = _ellipse(x, y, centre, rng.uniform(4, 10, 2), rng.uniform(0, 180))
        paint(pocket & np.isin(tissue, [names.index('viscera'), names.index('fat')]) & cavity,
              'gas')

    hu = _downsample(np.asarray(list(TISSUE_HU.values()))[tissue])
    fraction = {name: _downsample((tissue == names.index(name)).astype(float)) for name in names}
    texture = ndimage.gaussian_filter(rng.standard_normal(hu.shape), TEXTURE_MM / pixel_size)
    texture *= TEXTURE_HU / texture.std()
    parenchyma = fraction['liver'] + fraction['spleen'] + fraction['viscera'] > 0.5
    hu = np.where(parenchyma, hu + texture, hu).astype(np.float32)
    if not return_masks:
        return hu
    groups = {'body': [n for n in names if n != 'air'], 'fat': ['fat'], 'muscle': ['muscle'],
              'liver': ['liver'], 'spleen': ['spleen'], 'kidneys': ['kidney', 'renal_sinus'],
              'spine': ['cortical', 'cancellous'], 'vessels': ['aorta', 'ivc'], 'gas': ['gas']}
    return hu, {group: sum(fraction[n] for n in members) >= 0.5
                for group, members in groups.items()}
