"""SIGTERM (`kill PID`, `timeout`, a service manager) for the commands that work on the
account for a while (`fix`, a `report` that syncs): Python's default ends the process at once
and silently (status -15). Here it interrupts as Ctrl-C does, so the command says in one line
what was kept and exits 130. Not installed for every command in ``cli.main``: importing
``signal`` costs ``report --cached`` (a cache read, what scripts run often) ~0.5 ms."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """For the block, SIGTERM raises KeyboardInterrupt (only where SIGTERM is at its default:
    one ignored or handled by whoever started the process is left so); restored after."""
    replaced = None
    try:
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            replaced = signal.signal(signal.SIGTERM, _terminated)
    except ValueError:  # not the main thread
        pass
    try:
        yield
    finally:
        if replaced is not None:
            signal.signal(signal.SIGTERM, replaced)


def _terminated(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt
