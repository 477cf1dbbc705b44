"""SIGTERM (`kill PID`, `timeout`, a service manager) for the commands that work on the
account for a while (`fix`, a `report` that syncs): Python's default ends the process at once
and silently (status -15). Here it interrupts as Ctrl-C does, so the command says in one line
what was kept and exits 130. Not installed for every command: importing ``signal`` costs a
command ~0.5 ms. ``__main__.entry`` installs it before anything else for ``report``,
``fix`` and ``watch`` (:func:`sigterm_interrupts_from_now`): a SIGTERM while Python loads
them (their first ~0.2 s) ended them silently (-15); it is now told in one line, as a Ctrl-C
then. This module imports no asyncio until a command's coroutine runs."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

from asin_tui.commands.errors import UsageError

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
    rest of the process: ``report``, ``fix`` and ``watch`` from their very start. Their
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


#: While a question is asked (question_interruptible): the pipe a signal wakes (its read
#: end), so that ask() never blocks on a line after a signal came
_woken: int | None = None


@contextlib.contextmanager
def question_interruptible() -> Iterator[None]:
    """For the questions a command's coroutine asks (:func:`ask`: fix's and notifications
    setup's confirmation): Ctrl-C and SIGTERM (where :func:`interruptible` took it) raise
    KeyboardInterrupt out of them at once. Under asyncio a signal only wakes the event loop
    (asyncio.run's Ctrl-C cancels the task, interruptible's SIGTERM too), and the loop is
    blocked in the question: the signal was swallowed, the question went on waiting, and the
    answer typed after it started the send, which the cancellation then cut at its first
    await. A signal ignored by whoever started the process stays ignored. The loop's wakeup
    fd is replaced meanwhile by a pipe :func:`ask` waits on with the terminal: a signal
    that came just before the read began (its handler runs only between Python
    instructions) still ends the question."""
    global _woken
    read, write = os.pipe()
    os.set_blocking(write, False)
    try:
        wakeup = signal.set_wakeup_fd(write)
    except ValueError:  # not the main thread: no signal reaches this question
        os.close(read)
        os.close(write)
        yield
        return
    saved = {}
    try:
        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
            saved[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)
        if signal.getsignal(signal.SIGTERM) not in (signal.SIG_IGN, signal.SIG_DFL):
            saved[signal.SIGTERM] = signal.signal(signal.SIGTERM, _terminated)  # ours/loop's
        _woken = read
        yield
    finally:
        _woken = None
        for number, handler in saved.items():
            signal.signal(number, handler)
        signal.set_wakeup_fd(wakeup)
        os.close(read)
        os.close(write)


def no_one_to_ask(args: Any) -> None:
    """--apply without --yes asks a person for a typed 'yes' before anything is written; with
    no terminal on stdin (a pipe, cron, ``ssh host asin-tui fix ... --apply`` without ``-t``)
    there is no one to ask: refused before any work, so a command a person meant to be asked
    about never writes unasked. A script says --apply --yes."""
    if getattr(args, "apply", False) and not args.yes and not sys.stdin.isatty():
        raise UsageError(
            "--apply asks for a typed 'yes' and stdin is not a terminal: "
            "add --yes to send without asking (scripts, cron); nothing was sent"
        )


def ask(question: str) -> str:
    """The line typed in answer to ``question`` (without its line end), the question written
    on stderr with the lines before it (``input()`` wrote it on stdout when stdout was not
    the terminal: `fix --apply --format json > out.json` put "Type yes to send them: " into
    the data file and showed no question). Under :func:`question_interruptible` a signal
    ends it even if it came before the read began. EOFError at the end of the input."""
    print(question, end="", file=sys.stderr, flush=True)
    _wait_for_a_line()
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\r\n")


def _wait_for_a_line() -> None:
    """Until stdin has a line to read (a terminal reads a line at a time) or a signal came:
    its handler raises KeyboardInterrupt as select() returns."""
    woken = _woken
    try:
        terminal = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):  # no file under it: read as it is
        return
    if woken is None:
        return
    import select

    while terminal not in select.select([terminal, woken], [], [])[0]:
        os.read(woken, 64)  # a signal whose handler did not interrupt (SIGWINCH, say)
