"""A coroutine run in a child process: CPU- and allocation-heavy work that must not stall the UI.

A thread (:mod:`asin_tui.background`) keeps a sync's work off the UI's event loop, but not
off its interpreter: the garbage collector's full passes over a 100,000-listing sync's
objects hold the GIL for 0.2-0.5 s, and the UI's thread waits with them. In a child
process the sync has an interpreter, and a garbage collector, of its own:

    summary = await run_in_child(module_level_coroutine_function, job, on_message=show)

- The child is a fresh interpreter (``python -P -c …``, running :func:`main`), never a fork: the UI's
  process has threads (Textual's, the background loop's), and forking a threaded process
  can copy a lock held by another thread. Starting it costs an interpreter and the imports
  its work needs (measured in benchmarks/bench_stalls.py: see README, Performance).
- What it runs, and its arguments, are pickled and written to the child's stdin: secrets
  among them (a profile's credentials) never touch the disk, the command line or the
  environment. ``function`` must be importable by name (a module-level function); it is
  awaited as ``function(*args, send=send)`` in the child, ``send(value)`` (from any of the
  child's threads) passing a message back: ``on_message(value)`` in the caller, on its loop.
  Messages are coalesced to the latest value and written at most every ``MESSAGE_EVERY``
  seconds (a sync's progress: hundreds a second become a few small writes).
- The child's result, or its exception, comes back pickled (no traceback: exceptions lose
  it when pickled); an exception that cannot be pickled comes back as :class:`ChildFailed`
  with its one-line text.
- Cancelling the caller tells the child to cancel its coroutine (its ``finally`` blocks
  run: nothing is left half-written) and waits up to ``stop_timeout`` for it to end, then
  kills it; the cancellation then goes on. The child also cancels its work when the
  caller's process goes away (its stdin closes), and ignores SIGINT (a Ctrl-C reaching the
  terminal's process group is for the caller, which cancels it).
- A child that dies (killed, out of memory, a crash) raises :class:`ChildLost` with one
  line saying how it ended; so does one whose stdout carries something that is not an
  answer (a ``sitecustomize`` or ``.pth`` printing before :func:`main` points fd 1 away: a
  frame over ``MAX_FRAME`` is not waited for, bytes that are not a pickled answer are not
  raised). Its stderr goes nowhere: the UI owns the terminal.

No Textual, no SP-API here: the service uses it for the sync.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import signal
import struct
import sys
import threading
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

#: How often the child writes its latest message, at most (seconds).
MESSAGE_EVERY = 0.05
#: How long a cancelled child has to wind down before it is killed (seconds).
STOP_TIMEOUT = 10.0
_HEADER = struct.Struct("!I")
#: The largest answer (or message) a child may send, in bytes: a sync's summary and its
#: progress are a few KB; a length over this is not an answer (a stray write to the pipe).
MAX_FRAME = 64 * 1024 * 1024
_KINDS = frozenset({"message", "result", "error", "cancelled"})
_CANCEL = b"c"
#: The child's program: asin_tui imported from where this process imported it (a checkout,
#: not installed, is put first on its path; an install's folder is on it already).
_BOOT = (
    "import sys; root = sys.argv[1]; sys.path.insert(0, root) if root not in sys.path else None;"
    " from asin_tui.child import main; main()"
)


class ChildLost(RuntimeError):
    """The child process ended without an answer (killed, crashed, or it wrote something
    that is not one)."""


class ChildFailed(RuntimeError):
    """The child's work raised an exception that could not be sent back as it was."""


async def run_in_child(
    function: Callable[..., Awaitable[T]],
    /,
    *args: Any,
    on_message: Callable[[Any], None] | None = None,
    nice: int = 0,
    stop_timeout: float = STOP_TIMEOUT,
    started: Callable[[int], None] | None = None,
    env: Mapping[str, str] | None = None,
) -> T:
    """``await function(*args, send=…)`` in a child process (see the module's doc). ``nice``:
    how much lower the OS schedules the child than this process (Linux, macOS). ``started``
    is told the child's pid (a test kills it). ``env``: the child's environment (None: this
    process's; the service passes it without the secrets, which the job carries itself)."""
    job = pickle.dumps((function, args, nice), protocol=pickle.HIGHEST_PROTOCOL)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-P",  # not the current folder first on its path: what it imports is the app's
        "-c",
        _BOOT,
        str(Path(__file__).resolve().parent.parent),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env=None if env is None else dict(env),
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        if started is not None:
            started(process.pid)
        process.stdin.write(_HEADER.pack(len(job)) + job)
        with contextlib.suppress(ConnectionError):  # it died already: said below
            await process.stdin.drain()
        while True:
            kind, value = await _read(process.stdout)
            if kind == "message":
                if on_message is not None:
                    on_message(value)
            elif kind == "result":
                return value
            elif kind == "error":
                raise value
            elif kind == "cancelled":  # stopped from outside (SIGTERM)
                raise ChildLost("its process was asked to stop")
            else:  # nothing more: it ended without an answer
                raise ChildLost(_how_it_ended(await process.wait()))
    except asyncio.CancelledError:
        await asyncio.shield(_stop(process, stop_timeout))
        raise
    finally:
        if process.returncode is None:  # an answer came, or an error: let it finish
            await asyncio.shield(_stop(process, stop_timeout))


async def _read(stream: asyncio.StreamReader) -> tuple[str, Any]:
    try:
        size = _HEADER.unpack(await stream.readexactly(_HEADER.size))[0]
        if size > MAX_FRAME:
            raise ChildLost(_NOT_AN_ANSWER)
        data = await stream.readexactly(size)
    except (asyncio.IncompleteReadError, ConnectionError):
        return "ended", None
    try:
        answer = pickle.loads(data)
    except Exception:  # bytes written by something else (a sitecustomize printing): not ours
        raise ChildLost(_NOT_AN_ANSWER) from None
    if not (isinstance(answer, tuple) and len(answer) == 2 and answer[0] in _KINDS) or (
        answer[0] == "error" and not isinstance(answer[1], BaseException)
    ):
        raise ChildLost(_NOT_AN_ANSWER)
    return answer


_NOT_AN_ANSWER = "its process answered with something that is not an answer"


async def _stop(process: asyncio.subprocess.Process, timeout: float) -> None:
    """Ask the child to cancel its work and end; kill it if it has not ended in time."""
    if process.returncode is None and process.stdin is not None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            process.stdin.write(_CANCEL)
            await process.stdin.drain()
            process.stdin.close()
    try:
        await asyncio.wait_for(process.wait(), timeout)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


def _how_it_ended(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"its process was stopped by {signal.Signals(-code).name}"
        return f"its process was stopped by signal {-code}"
    return f"its process ended unexpectedly (exit status {code})"


# --------------------------------------------------------------------------- the child's side


class _Sender:
    """The child's messages to the caller: the latest value kept, written every MESSAGE_EVERY
    seconds by the child's loop; results and errors written at once, in order after it."""

    def __init__(self, out: Any) -> None:
        self._out = out
        self._lock = threading.Lock()
        self._pending: list[Any] = []

    def send(self, value: Any) -> None:
        with self._lock:
            self._pending[:] = [value]

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        for value in pending:
            self.write("message", value)

    def write(self, kind: str, value: Any) -> None:
        data = pickle.dumps((kind, value), protocol=pickle.HIGHEST_PROTOCOL)
        self._out.write(_HEADER.pack(len(data)) + data)
        self._out.flush()

    async def run(self) -> None:
        while True:
            await asyncio.sleep(MESSAGE_EVERY)
            self.flush()


def _sendable(exc: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else its one line."""
    try:
        copy = pickle.loads(pickle.dumps(exc))
    except Exception:
        copy = None
    if isinstance(copy, BaseException) and type(copy) is type(exc):
        return exc
    text = str(exc).strip().splitlines()
    return ChildFailed(text[0] if text else type(exc).__name__)


async def _child_main(sender: _Sender, function: Callable[..., Awaitable[Any]], args: Any) -> None:
    loop = asyncio.get_running_loop()
    work = asyncio.ensure_future(function(*args, send=sender.send))
    # a byte on stdin (cancel), or its end (the caller's process is gone): cancel the work
    loop.add_reader(0, lambda: (loop.remove_reader(0), work.cancel()))
    loop.add_signal_handler(signal.SIGTERM, work.cancel)
    flusher = asyncio.ensure_future(sender.run())
    try:
        result = await work
    except asyncio.CancelledError:
        sender.write("cancelled", None)  # the caller stopped waiting, or SIGTERM
    except BaseException as exc:
        sender.flush()
        sender.write("error", _sendable(exc))
    else:
        sender.flush()
        sender.write("result", result)
    finally:
        flusher.cancel()


def _read_exactly(fd: int, size: int) -> bytes:
    """``size`` bytes from ``fd`` (unbuffered: what follows, a cancel, stays in the pipe)."""
    data = b""
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def main() -> None:
    """The child process: read the job from stdin, run it, answer on stdout."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the caller decides; it cancels us
    out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # a stray print must not break the answers
    header = _read_exactly(0, _HEADER.size)
    data = _read_exactly(0, _HEADER.unpack(header)[0]) if len(header) == _HEADER.size else b""
    if not data:
        return  # the caller went away before it said what to do
    sender = _Sender(out)
    try:
        function, args, nice = pickle.loads(data)
    except BaseException as exc:
        sender.write("error", ChildFailed(f"the child process could not start its work: {exc}"))
        return
    if nice:
        with contextlib.suppress(OSError, AttributeError):
            os.nice(nice)
    os.set_blocking(0, False)
    asyncio.run(_child_main(sender, function, args))
