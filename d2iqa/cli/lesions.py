"""``d2iqa lesions PATH --out FILE.png``: where D2IQA lesions may go on a slice, and one trial."""
import sys
from pathlib import Path

import numpy as np

from ..io import WINDOWS, load_series, unwindow, window
from ..lesions import (LESION_PRESETS, LesionPlacementError, Placement, add_lesions, body_mask,
                       get_lesion_config, saliency_map)


def lesion_figure(image01, *, seed, config='abdomen', display='abdomen', title=''):
    """A 2x2 figure: the slice, its saliency, where lesions may go, and one trial.

    Parameters
    ----------
    image01 : numpy.ndarray
        2-D slice in [0, 1] (``d2iqa.window(hu, preset='d2iqa')``).
    seed : int
        Seed of the trial.
    config : str, dict or LesionConfig
        Lesion settings (see :func:`d2iqa.lesions.get_lesion_config`).
    display : str
        Window (a name in :data:`d2iqa.io.WINDOWS`) in which the trial is shown; the
        lesions (about +-140 HU) are faint in the wide D2IQA window.
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Drawn with the Agg canvas (no display needed); save it with ``savefig``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    config = get_lesion_config(config)
    saliency = saliency_map(image01)
    body = body_mask(image01)
    placement = Placement((saliency >= config.saliency_threshold) & body, config=config)
    lesions = placement.draw(np.random.default_rng(seed))
    trial = unwindow(add_lesions(image01, lesions), preset='d2iqa')

    fig = Figure(figsize=(12, 12.6), layout='constrained')
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, 2).ravel()
    fig.suptitle(title)
    axes[0].imshow(image01, cmap='gray', vmin=0, vmax=1)
    axes[0].set_title('slice (D2IQA window: W 1400, L -300)')
    shown = axes[1].imshow(saliency, cmap='viridis', vmin=0, vmax=1)
    axes[1].contour(saliency >= config.saliency_threshold, levels=[0.5], colors='w',
                    linewidths=0.8)
    fig.colorbar(shown, ax=axes[1], shrink=0.8)
    axes[1].set_title(f'saliency (white: >= {config.saliency_threshold:g})')
    overlay = np.zeros(image01.shape + (4,))
    overlay[placement.allowed] = (0.1, 0.6, 1.0, 0.45)
    largest = max(config.radii)
    overlay[placement.valid_centres(largest)] = (0.1, 1.0, 0.3, 0.6)
    axes[2].imshow(image01, cmap='gray', vmin=0, vmax=1)
    axes[2].imshow(overlay)
    axes[2].contour(body, levels=[0.5], colors='orange', linewidths=1)
    axes[2].set_title(f'orange: body; blue: allowed (saliency AND body);\n'
                      f'green: valid centres for r = {largest} (four-point rule)')
    axes[3].imshow(window(trial, preset=display), cmap='gray', vmin=0, vmax=1)
    for (x1, y1, x2, y2), name, contrast in zip(lesions.boxes, lesions.class_names,
                                                lesions.contrasts):
        axes[3].add_patch(Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, color='yellow', lw=1))
        axes[3].text(x1, y1 - 3, f'{name} {contrast:+.2f}', color='yellow', fontsize=9)
    axes[3].set_title(f'one trial, seed {seed}: {len(lesions)} lesions '
                      f'(shown in the {display} window)')
    for ax in axes:
        ax.set_axis_off()
    return fig


def run(args):
    slices = load_series(args.path, values=args.values)
    index = len(slices) // 2 if args.index is None else args.index
    if not -len(slices) <= index < len(slices):
        print(f'd2iqa lesions: error: {args.path} has {len(slices)} slices; index {index} is out '
              'of range', file=sys.stderr)
        return 2
    ct_slice = slices[index]
    source = Path(ct_slice.source)
    title = (f'{source.parent.name}/{source.name}\n'
             f'slice {ct_slice.index} of {len(slices)}, lesion preset {args.preset!r}')
    try:
        fig = lesion_figure(window(ct_slice.hu, preset='d2iqa'), seed=args.seed,
                            config=args.preset, display=args.display, title=title)
    except LesionPlacementError as exc:
        print(f'd2iqa lesions: error: {exc}', file=sys.stderr)
        return 2
    fig.savefig(args.out, dpi=args.dpi)
    print(f'wrote {args.out}')
    return 0


def add_parser(subparsers):
    parser = subparsers.add_parser(
        'lesions', help='draw a PNG: slice, saliency, allowed mask and one lesion trial')
    parser.add_argument('path', help='a CT file or a folder holding one series')
    parser.add_argument('--out', required=True, help='PNG file to write')
    parser.add_argument('--index', type=int, default=None,
                        help='slice of a series or volume (default: the middle one)')
    parser.add_argument('--seed', type=int, default=0, help='seed of the trial (default 0)')
    parser.add_argument('--preset', default='abdomen', choices=sorted(LESION_PRESETS),
                        help='lesion settings (default abdomen)')
    parser.add_argument('--display', default='abdomen', choices=sorted(WINDOWS),
                        help='window in which the trial is shown (default abdomen)')
    parser.add_argument('--values', default=None,
                        help="units of TIFF/PNG/NPY pixels: 'hu' or a window preset ('d2iqa')")
    parser.add_argument('--dpi', type=int, default=100, help='resolution of the PNG (default 100)')
    parser.set_defaults(func=run)
