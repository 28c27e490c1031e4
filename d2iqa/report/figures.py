"""The report's figures: matplotlib (no pyplot, no display) rendered to inline PNG data URIs."""
import base64
import io

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..lesions import CLASSES

__all__ = ['comparison_figure', 'distribution_figure', 'png_data_uri', 'series_colour',
           'series_figure', 'trial_thumbnail']

#: Pixels per inch of the figures as shown (the page shows them at their pixel size).
DPI = 96
#: Colours of the series (matplotlib's tab10, then tab20 for larger groups).
_PALETTE = tuple(f'C{i}' for i in range(10))


def series_colour(number):
    """The colour of the ``number``-th series, the same in every figure of the report."""
    from matplotlib import colormaps
    if number < 10:
        return _PALETTE[number]
    return colormaps['tab20'](number % 20)


def png_data_uri(figure):
    """The figure as a ``data:image/png;base64,...`` URI (figures inlined in the page)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format='png', dpi=DPI)
    return 'data:image/png;base64,' + base64.b64encode(buffer.getvalue()).decode('ascii')


def series_figure(rows, *, colour='C0', title=None):
    """Score along the patient axis with standard-error bars, and the dose on a second axis.

    The second axis shows the exposure (mAs) when it varies along the series (tube-current
    modulation), else the CTDIvol (mGy), when the headers give them.

    Parameters
    ----------
    rows : list of dict
        Result rows of one series (``slice_position``, ``score``, ``sem``, ``ctdi_vol``,
        ``exposure_mas``); without positions the slice index is the x axis.
    colour : matplotlib colour
        The series' colour.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    with_position = all(r['slice_position'] is not None for r in rows)
    rows = sorted(rows, key=lambda r: r['slice_position'] if with_position else r['slice_index'])
    x = np.array([r['slice_position'] if with_position else r['slice_index'] for r in rows],
                 dtype=float)
    score = np.array([r['score'] for r in rows], dtype=float)
    sem = np.array([np.nan if r['sem'] is None else r['sem'] for r in rows], dtype=float)
    figure = Figure(figsize=(6.4, 2.7))
    figure.subplots_adjust(left=0.1, right=0.88, bottom=0.17, top=0.78 if title else 0.85)
    axes = figure.add_subplot()
    axes.errorbar(x, score, yerr=np.where(np.isfinite(sem), sem, 0), color=colour, marker='o',
                  ms=3.5, lw=1.2, capsize=2, elinewidth=0.8, label='score \u00b1 standard error')
    axes.set_xlabel('slice position (mm)' if with_position else 'slice index')
    axes.set_ylabel('score')
    axes.grid(alpha=0.3)
    handles, labels = axes.get_legend_handles_labels()
    dose = _dose_curve(rows)
    if dose is not None:
        label, values = dose
        dose_axes = axes.twinx()
        dose_axes.plot(x, values, color='0.35', ls='--', lw=1.2, label=label)
        dose_axes.set_ylabel(label)
        more, more_labels = dose_axes.get_legend_handles_labels()
        handles, labels = handles + more, labels + more_labels
    axes.legend(handles, labels, fontsize=8, loc='lower left', bbox_to_anchor=(0, 1.0),
                ncol=2, frameon=False)
    if title:
        figure.suptitle(title, fontsize=10)
    return figure


def _dose_curve(rows):
    """('exposure (mAs)' or 'CTDIvol (mGy)', values), or None when the headers say neither."""
    found = []
    for key, label in (('exposure_mas', 'exposure (mAs)'), ('ctdi_vol', 'CTDIvol (mGy)')):
        values = np.array([np.nan if r[key] is None else r[key] for r in rows], dtype=float)
        if np.isfinite(values).any():
            found.append((np.nanmax(values) > np.nanmin(values), label, values))
    if not found:
        return None
    varying = [f for f in found if f[0]]
    _, label, values = (varying or found)[0]
    return label, values


def distribution_figure(table, scores_by_series, *, labels=None):
    """Per-series distributions of the slice scores (box plots), outlier series in red.

    Parameters
    ----------
    table : list of dict
        :func:`~d2iqa.report.results.series_table` rows (order kept, top to bottom).
    scores_by_series : dict
        ``{series_uid: finite scores}``.
    labels : list of str, optional
        Shown names of the series (default: their uids, shortened).
    """
    count = len(table)
    labels = labels or [_short(s['series_uid']) for s in table]
    figure = Figure(figsize=(6.4, 0.9 + 0.24 * count), layout='constrained')
    axes = figure.add_subplot()
    data = [scores_by_series[s['series_uid']] for s in table]
    positions = np.arange(count)[::-1]
    boxes = axes.boxplot(data, positions=positions, orientation='horizontal', widths=0.6, patch_artist=True,
                         showfliers=True, flierprops={'markersize': 2.5})
    for number, (box, summary) in enumerate(zip(boxes['boxes'], table)):
        box.set_facecolor(series_colour(number))
        box.set_alpha(0.75)
        if summary['outlier']:
            box.set_edgecolor('red')
            box.set_linewidth(2)
    axes.set_yticks(positions, [f'{label}  (outlier)' if s['outlier'] else label
                                for label, s in zip(labels, table)],
                    fontsize=8 if count <= 40 else 6)
    for tick, summary in zip(axes.get_yticklabels(), table):
        if summary['outlier']:
            tick.set_color('red')
    axes.set_xlabel('slice score')
    axes.grid(axis='x', alpha=0.3)
    axes.set_title('slice scores per series (box: quartiles, whiskers: 1.5 IQR)', fontsize=9)
    return figure


def comparison_figure(comparison):
    """Paired scores of two result sets: scatter against the identity, and the differences."""
    first = np.array([a['score'] for a, _ in comparison.pairs])
    second = np.array([b['score'] for _, b in comparison.pairs])
    difference = comparison.difference
    figure = Figure(figsize=(9.6, 3.4), layout='constrained')
    left, right = figure.subplots(1, 2)
    left.scatter(first, second, s=12, color='C0', alpha=0.7)
    low, high = min(first.min(), second.min()), max(first.max(), second.max())
    pad = 0.05 * (high - low or 1)
    left.plot([low - pad, high + pad], [low - pad, high + pad], color='0.4', lw=1,
              label='equal scores')
    left.set_xlabel(f'score, {comparison.first}')
    left.set_ylabel(f'score, {comparison.second}')
    left.legend(fontsize=8)
    left.grid(alpha=0.3)
    left.set_title(f'{difference.n} paired slices (matched by {comparison.matched_by})',
                   fontsize=10)
    right.hist(second - first, bins=min(30, max(5, difference.n // 3)), color='C0', alpha=0.8)
    right.axvline(0, color='0.4', lw=1)
    right.axvline(difference.mean, color='C3', lw=1.5, label=f'mean {difference.mean:+.4f}')
    if np.isfinite(difference.low):
        right.axvspan(difference.low, difference.high, color='C3', alpha=0.2,
                      label=f'{difference.confidence:.0%} CI')
    right.set_xlabel(f'score difference ({comparison.second} - {comparison.first})')
    right.set_ylabel('slices')
    right.legend(fontsize=8)
    right.grid(alpha=0.3)
    return figure


def trial_thumbnail(image01, detections, *, title, min_score=0.3, size=3.5):
    """A slice with one trial's lesions (green boxes) and the detector's boxes (red, score).

    Parameters
    ----------
    image01 : numpy.ndarray
        The [0, 1] slice with the lesions pasted in (grey, window of the D2IQA protocol).
    detections : TrialDetections or None
        Pasted and detected boxes; None shows the slice alone.
    title : str
    min_score : float
        Detections below this confidence are not drawn.
    size : float
        Inches (square).
    """
    figure = Figure(figsize=(size, size + 0.35), layout='constrained')
    axes = figure.add_subplot()
    axes.imshow(np.clip(image01, 0, 1), cmap='gray', vmin=0, vmax=1, interpolation='antialiased')
    axes.set_axis_off()
    axes.set_title(title, fontsize=8)
    if detections is None:
        return figure
    for box, label in zip(detections.gt_boxes, detections.gt_labels):
        axes.add_patch(Rectangle(box[:2], box[2] - box[0], box[3] - box[1], fill=False,
                                 edgecolor='lime', lw=1.0))
    keep = detections.scores >= min_score
    for box, score, label in zip(detections.boxes[keep], detections.scores[keep],
                                 detections.labels[keep]):
        axes.add_patch(Rectangle(box[:2], box[2] - box[0], box[3] - box[1], fill=False,
                                 edgecolor='red', lw=0.9, ls='--'))
        axes.text(box[0], box[1] - 2, f'{CLASSES[int(label)]} {score:.2f}', color='red',
                  fontsize=5)
    return figure


def _short(uid, length=28):
    uid = str(uid)
    return uid if len(uid) <= length else '...' + uid[-(length - 3):]
