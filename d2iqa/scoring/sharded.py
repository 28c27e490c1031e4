"""A CSV of rows written by the ranks of a torch.distributed job (or one process): resumable,
one run at a time, the same file whatever the number of processes.

:class:`ShardedTable` is what ``d2iqa score`` (:func:`~d2iqa.scoring.batch.score_study`) and
``tools/make_teacher_labels.py`` write through. Every rank walks the same items (slices) in
the same order and asks :meth:`~ShardedTable.deal` whether an item is its own: the items not
yet done are dealt out in turn. Rank ``r`` of ``N > 1`` appends its rows to
``STEM_partRofN.csv`` (one process appends to the CSV itself); at the end rank 0 merges them
into the CSV in item order, so that the file equals that of one process. Each row is one
write, flushed and synced (whole or absent after a kill); the merged CSV and the settings
are replaced atomically. Rank 0 holds an :class:`~d2iqa.scoring.lock.OutputLock` for the
whole run. With ``resume=True`` the rows already in the CSV and in the part files of a
killed run are kept, with another number of processes too.
"""
import csv
import glob
import io
import json
import os
from collections import Counter
from pathlib import Path

from .lock import OutputLock, write_atomic

__all__ = ['ProcessGroup', 'RankFailure', 'ShardedTable', 'csv_text', 'read_rows',
           'results_stem']


def results_stem(path):
    """The path the files beside the CSV ``path`` are named after (without ``.csv``)."""
    path = Path(path)
    return path.with_suffix('') if path.suffix.lower() == '.csv' else path


class RankFailure(RuntimeError):
    """Raised on the other ranks of a distributed run when rank 0 could not start it."""


class ProcessGroup:
    """This process's place among the ranks of a torch.distributed job (one process if none)."""

    def __init__(self):
        try:
            from mmengine import dist
        except ImportError:
            dist = None
        self.dist = dist
        self.rank = dist.get_rank() if dist else 0
        self.size = dist.get_world_size() if dist else 1

    def broadcast(self, value):
        """Rank 0's ``value`` on every rank."""
        if self.size == 1:
            return value
        box = [value]
        self.dist.broadcast_object_list(box, src=0)
        return box[0]

    def gather(self, value):
        """The values of all ranks, in rank order (on every rank)."""
        return [value] if self.size == 1 else self.dist.all_gather_object(value)


def csv_text(fields, rows):
    """A whole CSV (header and rows) as text."""
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=fields, lineterminator='\n')
    writer.writeheader()
    writer.writerows(rows)
    return stream.getvalue()


def read_rows(path, fields, *, required=None):
    """Complete rows of a CSV written row by row (a last line cut by a kill is dropped).

    Parameters
    ----------
    path : Path
    fields : sequence of str
        The columns it must have, or
    required : sequence of str, optional
        the columns it must have at least (those of ``fields`` it lacks are filled with
        empty cells: files of an earlier version).
    """
    text = path.read_text()
    if not text.endswith('\n'):
        text = text[:text.rfind('\n') + 1]
    reader = csv.DictReader(io.StringIO(text))
    columns = tuple(reader.fieldnames or ())
    if reader.fieldnames is not None and columns != tuple(fields) \
            and not set(required or fields) <= set(columns):
        raise ValueError(f'{path} has columns {reader.fieldnames}, not {list(fields)}: '
                         'choose another output file, or remove it')
    missing = dict.fromkeys(set(fields) - set(columns), '')
    return [{**missing, **row} for row in reader
            if None not in row.values() and None not in row]


def _check_settings(path, settings):
    if path.is_file():
        earlier = json.loads(path.read_text())
        if earlier != settings:
            changed = sorted(k for k in set(earlier) | set(settings)
                             if earlier.get(k) != settings.get(k))
            raise ValueError(f'the results to resume were made with other settings ({path}: '
                             f'{", ".join(f"{k}={earlier.get(k)!r}" for k in changed)}; now '
                             f'{", ".join(f"{k}={settings.get(k)!r}" for k in changed)}): '
                             'resume with the same options, or start again without --resume')


class _RowWriter:
    """Appends whole rows to a CSV: each row one write, flushed and synced to disk."""

    def __init__(self, path, fields, *, header):
        self.fields = fields
        self.stream = open(path, 'w' if header else 'a', newline='')
        if header:
            self._write(','.join(fields) + '\n')

    def _write(self, text):
        self.stream.write(text)
        self.stream.flush()
        os.fsync(self.stream.fileno())

    def write(self, *rows):
        lines = io.StringIO()
        csv.DictWriter(lines, fieldnames=self.fields, lineterminator='\n').writerows(rows)
        self._write(lines.getvalue())

    def close(self):
        self.stream.close()


class ShardedTable:
    """The rows of one CSV, written by every rank of a job (a context manager, on every rank).

    Parameters
    ----------
    path : str or path-like
        The CSV (``.csv``); part files and the lock are named after it.
    fields : sequence of str
        Its columns.
    key : callable
        The item a row belongs to, from the row as read back (strings), e.g.
        ``lambda row: (row['file'], row['slice_index'])``; :meth:`deal` takes the same keys.
    settings : dict
        JSON-serialisable description of what the rows depend on, saved to
        ``settings_path`` and compared on resume.
    settings_path : str or path-like
    resume : bool
        Keep the rows of an earlier run made with the same settings.
    required : sequence of str, optional
        With ``resume``, files of an earlier version with at least these columns are read.
    rows_per_item : int
        Rows each item writes (with :meth:`write` at once); on resume an item with fewer
        (a kill in the middle of its rows) is done again.

    Attributes
    ----------
    group : ProcessGroup
    finished : list of dict
        The rows kept from the earlier run (on every rank), once entered.
    """

    def __init__(self, path, fields, *, key, settings, settings_path, resume=False,
                 required=None, rows_per_item=1):
        self.path = Path(path)
        self.fields = tuple(fields)
        self.key = key
        self.settings = settings
        self.settings_path = Path(settings_path)
        self.resume = resume
        self.required = required
        self.rows_per_item = rows_per_item
        self.group = ProcessGroup()
        self.finished = []
        self._done = set()
        self._order = []
        self._dealt = 0
        self._writer = None
        self._lock = OutputLock(f'{self.path}.lock') if self.group.rank == 0 else None

    @property
    def stem(self):
        return results_stem(self.path)

    def _parts(self):
        return sorted(self.stem.parent.glob(f'{glob.escape(self.stem.name)}_part*of*.csv'))

    def _read(self, path):
        return read_rows(path, self.fields, required=self.required)

    def _prepare(self):
        """Rank 0, holding the lock: fold the earlier rows into the CSV, write the settings."""
        finished = []
        parts = self._parts()
        if self.resume and (self.path.is_file() or parts):
            _check_settings(self.settings_path, self.settings)
            for path in [self.path] * self.path.is_file() + parts:
                finished.extend(self._read(path))
            counts = Counter(self.key(row) for row in finished)
            finished = [row for row in finished if counts[self.key(row)] == self.rows_per_item]
        write_atomic(self.settings_path, json.dumps(self.settings, indent=2) + '\n')
        write_atomic(self.path, csv_text(self.fields, finished))
        for path in parts:
            path.unlink()
        return finished

    def __enter__(self):
        started, failure = None, None
        if self._lock is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._lock.acquire()
                started = {'finished': self._prepare()}
            except Exception as exc:     # every rank must learn of it, not wait for rank 0
                failure = exc
                started = {'failure': f'{type(exc).__name__}: {exc}'}
        started = self.group.broadcast(started)
        if 'failure' in started:
            if self._lock is not None:
                self._lock.release()
                raise failure
            raise RankFailure(f'rank 0 could not start the run: {started["failure"]}')
        self.finished = started['finished']
        self._done = {self.key(row) for row in self.finished}
        if self.group.size == 1:
            self._writer = _RowWriter(self.path, self.fields, header=False)
        else:
            part = Path(f'{self.stem}_part{self.group.rank}of{self.group.size}.csv')
            self._writer = _RowWriter(part, self.fields, header=True)
        return self

    def deal(self, item):
        """Whether this rank does ``item`` (every rank calls this for every item, in order)."""
        self._order.append(item)
        if item in self._done:
            return False
        mine = self._dealt % self.group.size == self.group.rank
        self._dealt += 1
        return mine

    def write(self, *rows):
        """Append the rows of an item this rank was dealt (in one write)."""
        self._writer.write(*rows)

    def finish(self, value=None):
        """Wait for every rank; rank 0 merges the rows into the CSV in item order.

        Parameters
        ----------
        value : object, optional
            Anything picklable each rank wants rank 0 to have (e.g. its errors).

        Returns
        -------
        rows : list of dict or None
            On rank 0 every row (strings, as in the file), in item order; None elsewhere.
        gathered : list
            The ``value`` of every rank, in rank order.
        """
        self._writer.close()
        gathered = self.group.gather(value)       # also waits for every rank to finish
        if self.group.rank != 0:
            return None, gathered
        parts = self._parts()
        rows = [row for path in [self.path] + parts for row in self._read(path)]
        position = {item: number for number, item in enumerate(self._order)}
        rows.sort(key=lambda row: position.get(self.key(row), len(position)))
        write_atomic(self.path, csv_text(self.fields, rows))
        for path in parts:
            path.unlink()
        return rows, gathered

    def __exit__(self, *exc_info):
        if self._writer is not None:
            self._writer.close()
        if self._lock is not None:
            self._lock.release()
