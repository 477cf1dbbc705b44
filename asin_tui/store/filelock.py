"""An advisory lock between asin-tui processes that share a file (``fcntl.flock``).

The lock lives on a sidecar ``<name>.lock`` next to the file, so the file itself can be
replaced atomically (``os.replace``) while the lock is held. Closing the descriptor releases
it, also when a process dies.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

POLL_SECONDS = 0.02


@contextmanager
def exclusive_lock(path: Path, timeout: float) -> Iterator[None]:
    """Hold the lock of ``path`` (on ``<path>.lock``, created 0600) for the ``with`` block.

    Raises TimeoutError when another process holds it for more than ``timeout`` seconds,
    OSError when the lock file cannot be opened."""
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"{path} is locked by another asin-tui") from None
                time.sleep(POLL_SECONDS)
        yield
    finally:
        os.close(fd)
