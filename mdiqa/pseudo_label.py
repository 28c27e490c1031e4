"""Step 2: an ensemble of MD-IQA checkpoints labels unlabelled slices (mean and spread)."""
import csv
import os

import numpy as np

from d2iqa.io import load_slice

__all__ = ['PSEUDO_FIELDS', 'pseudo_label', 'write_pseudo_labels']

#: Leading columns of a pseudo-label file, then one ``score_<i>`` column per model.
PSEUDO_FIELDS = ('path', 'index', 'score', 'spread', 'n_models')


def pseudo_label(scorers, items):
    """Ensemble scores of slices.

    Parameters
    ----------
    scorers : list of MDIQAScorer
        The ensemble (step-1 models trained with different settings).
    items : list of dict
        ``img_path`` and ``slice_index`` (``mdiqa.datasets.list_slices`` / ``read_slice_csv``).

    Returns
    -------
    numpy.ndarray
        ``(len(items), len(scorers))`` scores.
    """
    if not scorers:
        raise ValueError('pseudo-labelling needs at least one checkpoint')
    columns = []
    for scorer in scorers:
        slices = [load_slice(item['img_path'], index=item['slice_index'], values=scorer.values)
                  for item in items]
        columns.append([result.score for result in scorer.score_slices(slices)])
    return np.asarray(columns, dtype=float).T


def write_pseudo_labels(path, items, scores):
    """Write a pseudo-label CSV: path, index, score (ensemble mean), spread (its standard
    deviation over the models), n_models, score_0 .. score_<m-1>. Paths are absolute, so the
    file can be read by ``CSVQualityDataset(kind='pseudo')`` from anywhere."""
    scores = np.asarray(scores, dtype=float)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    with open(path, 'w', newline='') as handle:
        writer = csv.writer(handle)
        writer.writerow(list(PSEUDO_FIELDS) + [f'score_{i}' for i in range(scores.shape[1])])
        for item, row in zip(items, scores):
            writer.writerow([os.path.abspath(item['img_path']), item['slice_index'],
                             f'{row.mean():.6g}', f'{row.std():.6g}', len(row)] +
                            [f'{s:.6g}' for s in row])
