"""An exclusive lock on a batch run's outputs, and writes that a kill cannot leave half-done.

:class:`OutputLock` is a lock file beside the results (``results.csv.lock``) holding the host,
process id and start time of the run that owns them. A second run refuses at once and names
the owner. A lock left behind by a killed run is taken over: on the same host when its
process is gone, on another host (a shared file system) when its heartbeat, the file's
modification time refreshed every ``heartbeat`` seconds, is older than ``stale_after``.
"""
import json
import os
import socket
import threading
import time
from pathlib import Path

__all__ = ['OutputLock', 'OutputLockedError', 'write_atomic']


class OutputLockedError(RuntimeError):
    """Another run owns the outputs."""


def write_atomic(path, text):
    """Write ``text`` (str or bytes) to ``path`` so that readers see the old file or the new
    one, never part.

    The text goes to a temporary file in the same folder, is flushed to disk and renamed over
    ``path`` (an atomic replace on POSIX and Windows).
    """
    path = Path(path)
    temporary = path.with_name(f'.{path.name}.{os.getpid()}.tmp')
    binary = isinstance(text, bytes)
    with open(temporary, 'wb' if binary else 'w', **({} if binary else {'newline': ''})) \
            as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)


def _process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:          # it exists, owned by someone else
        return True
    return True


class OutputLock:
    """Exclusive ownership of the outputs of one batch run (a context manager).

    Parameters
    ----------
    path : str or path-like
        The lock file, e.g. ``results.csv.lock``.
    heartbeat : float
        Seconds between refreshes of the lock file's modification time while it is held.
    stale_after : float
        A lock of another host whose heartbeat is older than this is taken over.

    Attributes
    ----------
    taken_over : dict or None
        The owner of a stale lock this one replaced (host, pid, started), else None.
    """

    def __init__(self, path, *, heartbeat=30.0, stale_after=300.0):
        if stale_after <= heartbeat:
            raise ValueError(f'stale_after ({stale_after}) must exceed heartbeat ({heartbeat})')
        self.path = Path(path)
        self.heartbeat = heartbeat
        self.stale_after = stale_after
        self.taken_over = None
        self.owner = {'host': socket.gethostname(), 'pid': os.getpid(),
                      'started': time.strftime('%Y-%m-%d %H:%M:%S %z')}
        self._stop = threading.Event()
        self._thread = None

    def _read_owner(self):
        try:
            return json.loads(self.path.read_text()), self.path.stat().st_mtime
        except FileNotFoundError:
            return None, None
        except (OSError, ValueError):     # being written, or garbage: judged by its age only
            try:
                return {}, self.path.stat().st_mtime
            except FileNotFoundError:
                return None, None

    def _is_stale(self, owner, mtime):
        if owner.get('host') == self.owner['host'] and isinstance(owner.get('pid'), int):
            return not _process_alive(owner['pid'])
        return time.time() - mtime > self.stale_after

    def acquire(self):
        """Take the lock, or raise :class:`OutputLockedError` naming the run that holds it."""
        for _ in range(3):
            try:
                descriptor = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                owner, mtime = self._read_owner()
                if owner is None:        # released meanwhile: try again
                    continue
                if not self._is_stale(owner, mtime):
                    raise OutputLockedError(
                        f'another run is writing these results: {self.path} is held by '
                        f'process {owner.get("pid", "?")} on host {owner.get("host", "?")} '
                        f'(started {owner.get("started", "?")}). Wait for it, stop it, or '
                        'choose another --out') from None
                # rename, not unlink: of two runs taking over at once, one wins
                stale = self.path.with_name(f'{self.path.name}.stale.{os.getpid()}')
                try:
                    os.replace(self.path, stale)
                except FileNotFoundError:
                    continue
                stale.unlink(missing_ok=True)
                self.taken_over = owner
                continue
            with os.fdopen(descriptor, 'w') as stream:
                json.dump(self.owner, stream)
            self._stop.clear()
            self._thread = threading.Thread(target=self._beat, daemon=True,
                                            name=f'heartbeat {self.path.name}')
            self._thread.start()
            return self
        raise OutputLockedError(f'could not take the lock {self.path}: other runs keep '
                                'taking it; run one at a time on one --out')

    def _beat(self):
        while not self._stop.wait(self.heartbeat):
            try:
                os.utime(self.path)
            except OSError:
                return

    def release(self):
        """Give the lock up (only if this process still holds it)."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None
        owner, _ = self._read_owner()
        if owner == self.owner:
            self.path.unlink(missing_ok=True)

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc_info):
        self.release()
