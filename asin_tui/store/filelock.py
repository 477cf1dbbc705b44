"""An advisory lock between asin-tui processes that share a file (the ``filelock`` library:
``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows).

The lock lives on a sidecar ``<name>.lock`` next to the file, so the file itself can be
replaced atomically (``os.replace``) while the lock is held. Releasing closes the descriptor,
and a process that dies releases its lock with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

POLL_SECONDS = 0.02
LOCK_FILE_MODE = 0o600


@contextmanager
def exclusive_lock(path: Path, timeout: float) -> Iterator[None]:
    """Hold the lock of ``path`` (on ``<path>.lock``, created 0600) for the ``with`` block.

    Raises TimeoutError when another process holds it for more than ``timeout`` seconds,
    OSError when the lock file cannot be opened."""
    import filelock  # ~0.1 s: imported when a shared file is first written, not at start

    lock = filelock.FileLock(
        path.with_name(path.name + ".lock"), mode=LOCK_FILE_MODE, thread_local=False
    )
    try:
        lock.acquire(timeout=timeout, poll_interval=POLL_SECONDS)
    except filelock.Timeout:
        raise TimeoutError(f"{path} is locked by another asin-tui") from None
    try:
        yield
    finally:
        lock.release()
