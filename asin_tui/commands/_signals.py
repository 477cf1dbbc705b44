"""SIGTERM (`kill PID`, `timeout`, a service manager) for the commands that work on the
account for a while (`fix`, a `report` that syncs): Python's default ends the process at once
and silently (status -15). Here it interrupts as Ctrl-C does, so the command says in one line
what was kept and exits 130. Not installed for every command: importing ``signal`` costs a
command ~0.5 ms. ``__main__.entry`` installs it before anything else for ``report`` and
``fix`` (:func:`sigterm_interrupts_from_now`): a SIGTERM while Python loads them (their
first ~0.2 s) ended them silently (-15); it is now "asin-tui: interrupted", 130, as a Ctrl-C
then. This module imports no asyncio until a command's coroutine runs."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


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


def sigterm_interrupts_from_now() -> None:
    """From here on SIGTERM raises KeyboardInterrupt (where it is at its default), for the
    rest of the process: ``report`` and ``fix`` from their very start. Their
    :func:`sigterm_interrupts` then finds it set and :func:`interruptible` takes it as its
    own (the same handler)."""
    with contextlib.suppress(ValueError):  # not the main thread
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _terminated)


def _terminated(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


async def interruptible(work: Coroutine[Any, Any, T]) -> T:
    """``work`` (the command's coroutine, under :func:`sigterm_interrupts`) with SIGTERM
    cancelling it, as asyncio.run does for Ctrl-C: its ``finally`` blocks run (the service
    closed, nothing half-written), then KeyboardInterrupt. The handler's KeyboardInterrupt
    raised wherever the loop happened to be (inside a task starting a thread, say) ended the
    run with Python's "Task exception was never retrieved" and a 60-line traceback under the
    command's line."""
    import asyncio

    if signal.getsignal(signal.SIGTERM) is not _terminated:
        return await work  # SIGTERM is not ours to turn into an interruption
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    stopped: list[bool] = []

    def stop() -> None:
        stopped.append(True)
        if task is not None:
            task.cancel()

    loop.add_signal_handler(signal.SIGTERM, stop)
    try:
        return await work
    except asyncio.CancelledError:
        if stopped:
            raise KeyboardInterrupt from None
        raise
    finally:
        loop.remove_signal_handler(signal.SIGTERM)  # (which leaves SIGTERM at its default)
        signal.signal(signal.SIGTERM, _terminated)
