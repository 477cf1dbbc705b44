"""An asyncio event loop in a thread of its own: network work that must never hold the UI's.

A sync of 100,000 listings spends seconds of CPU in python-amazon-sp-api's per-request code,
in parsing and in the sandbox (the demo's simulated account answers in-process). On the UI's
event loop every key would wait for that. :class:`BackgroundLoop` runs such coroutines on a
loop in another thread; the caller awaits them from its own loop as if they ran there:

    background = BackgroundLoop("asin-tui sync")
    summary = await background.run(service_method, arg, progress=relay(on_progress))
    ...
    await background.aclose()  # cancels what still runs there, then stops the thread

- ``run`` returns the coroutine's result or raises its exception, unchanged. Cancelling the
  caller cancels the coroutine on the background loop and waits until it has wound down
  (its ``finally`` blocks ran: nothing is left half-written) before the cancellation goes on.
- Called on the background loop itself (a coroutine running there calls another ``run``), it
  simply awaits: no deadlock, no second hop.
- Objects bound to a loop (an httpx client's pool, asyncio locks) must be made and used on
  the background loop only: open them inside the coroutines ``run`` runs.
- Callbacks a coroutine calls from the background thread (progress) go through
  :func:`relay`: they are delivered on the caller's loop, coalesced to the latest value, so
  no more than one is pending at a time, whatever the rate they are called at.

The thread is a daemon started on the first ``run``; ``close``/``aclose`` stop it (also at
interpreter exit). No Textual and no SP-API here: the service and the bulk engine use it.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import os
import threading
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

T = TypeVar("T")
P = ParamSpec("P")
V = TypeVar("V")

#: How long close() waits for the background thread to stop (its tasks are cancelled first).
STOP_TIMEOUT = 10.0


class BackgroundLoop:
    """An event loop in a daemon thread, started on first use (see the module's doc)."""

    def __init__(self, name: str = "asin-tui background", *, nice: int = 0) -> None:
        """``nice``: how much lower the OS schedules the loop's thread, and the threads it
        starts (its executor's), than the caller's: when the CPU is short, the UI's thread
        runs first (Linux; elsewhere ignored)."""
        self.name = name
        self.nice = nice
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._tasks: set[asyncio.Task[Any]] = set()  # touched on the background loop only
        self._starting = threading.Lock()

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The background loop while it runs (None before the first run and after close)."""
        return self._loop

    def on_loop(self) -> bool:
        """Whether the caller runs on the background loop (its thread) now."""
        return self._thread is not None and threading.current_thread() is self._thread

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._starting:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=self._main, args=(loop, self.nice), name=self.name, daemon=True
                )
                self._loop, self._thread = loop, thread
                thread.start()
                _OPEN.add(self)
            return self._loop

    @staticmethod
    def _main(loop: asyncio.AbstractEventLoop, nice: int) -> None:
        if nice:  # this thread only (Linux: a thread id as PRIO_PROCESS); its threads inherit it
            with contextlib.suppress(OSError, AttributeError):
                me = threading.get_native_id()
                os.setpriority(os.PRIO_PROCESS, me, os.getpriority(os.PRIO_PROCESS, me) + nice)
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            with contextlib.suppress(RuntimeError):
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    async def run(
        self, function: Callable[P, Awaitable[T]], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``await function(*args, **kwargs)`` on the background loop (see the module's doc)."""
        if self.on_loop():
            return await function(*args, **kwargs)
        loop = self._ensure()
        outcome: concurrent.futures.Future[T] = concurrent.futures.Future()
        started: list[asyncio.Task[T]] = []

        def start() -> None:
            try:
                task = loop.create_task(_called(function, args, kwargs))
            except BaseException as exc:  # the task could not be made (the loop closing)
                outcome.set_exception(exc)
                return
            started.append(task)
            self._tasks.add(task)
            task.add_done_callback(lambda t: self._finished(t, outcome))

        def cancel() -> None:
            if started:
                started[0].cancel()
            elif not outcome.done():  # cancelled before it started: it never will
                outcome.cancel()

        loop.call_soon_threadsafe(start)
        waiting = asyncio.wrap_future(outcome)
        try:
            return await asyncio.shield(waiting)
        except asyncio.CancelledError:
            if not waiting.done():
                loop.call_soon_threadsafe(cancel)
                with contextlib.suppress(BaseException):  # it winds down; its result is moot
                    await asyncio.shield(waiting)
            raise

    def _finished(self, task: asyncio.Task[T], outcome: concurrent.futures.Future[T]) -> None:
        self._tasks.discard(task)
        if outcome.done():
            return
        if task.cancelled():
            outcome.cancel()
        elif (error := task.exception()) is not None:
            outcome.set_exception(error)
        else:
            outcome.set_result(task.result())

    async def aclose(self, then: Callable[[], Awaitable[object]] | None = None) -> None:
        """Cancel what still runs on the background loop and wait for it; then ``await
        then()`` there (e.g. close a client made there); then stop the thread."""
        if self._loop is None:
            return
        if self.on_loop():
            raise RuntimeError("a background loop cannot close itself")
        try:
            await self.run(self._cancel_all)
            if then is not None:
                await self.run(then)
        finally:
            await asyncio.to_thread(self.close)

    def close(self) -> None:
        """aclose() for a caller without a running loop (also run at interpreter exit)."""
        with self._starting:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        _OPEN.discard(self)
        if loop is None or thread is None:
            return
        with contextlib.suppress(RuntimeError, TimeoutError):  # stopped already, or stuck
            asyncio.run_coroutine_threadsafe(self._cancel_all(), loop).result(STOP_TIMEOUT)
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(loop.stop)
        if thread is not threading.current_thread():
            thread.join(STOP_TIMEOUT)

    async def _cancel_all(self) -> None:
        current = asyncio.current_task()
        tasks = [task for task in self._tasks if task is not current and not task.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _called(function: Callable[..., Awaitable[T]], args: Any, kwargs: Any) -> T:
    """``function(*args, **kwargs)`` awaited, the coroutine made only once its task runs: a
    task cancelled before it starts (a batch interrupted while a call was on its way here)
    left one never awaited, and Python printed a RuntimeWarning with its source lines."""
    return await function(*args, **kwargs)


def relay(callback: Callable[[V], None] | None) -> Callable[[V], None] | None:
    """``callback`` made safe to call from another thread (a BackgroundLoop's): the calls are
    delivered on the loop running now (the caller's), coalesced — at most one pending, with
    the latest value. Called on the caller's own thread, it calls at once. None stays None."""
    if callback is None:
        return None
    loop = asyncio.get_running_loop()
    home = threading.get_ident()
    latest: list[V] = []
    lock = threading.Lock()

    def deliver() -> None:
        with lock:
            value = latest.pop()
        callback(value)

    def relayed(value: V) -> None:
        if threading.get_ident() == home:
            callback(value)
            return
        with lock:
            pending = bool(latest)
            latest[:] = [value]
        if not pending:
            with contextlib.suppress(RuntimeError):  # the caller's loop is gone
                loop.call_soon_threadsafe(deliver)

    return relayed


async def in_daemon_thread(call: Callable[[], T], name: str = "asin-tui-blocking") -> T:
    """``call()`` (a blocking library call: an SQS long poll, an SMTP exchange) in a daemon
    thread of its own: awaiting it can be cancelled or timed out at once, and the process can
    exit while the call still waits (the thread dies with it; ``asyncio.to_thread``'s pool is
    waited for at exit). Its exception is raised as it is."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(outcome: Callable[[], None]) -> None:
        if not future.done():
            outcome()

    def run() -> None:
        try:
            value = call()
        except BaseException as exc:  # handed to the awaiting task, whatever it is
            error = exc
            with contextlib.suppress(RuntimeError):  # the loop closed: nobody waits
                loop.call_soon_threadsafe(settle, lambda: future.set_exception(error))
        else:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(settle, lambda: future.set_result(value))

    threading.Thread(target=run, name=name, daemon=True).start()
    return await future


#: Background loops still running, stopped at interpreter exit.
_OPEN: set[BackgroundLoop] = set()


@atexit.register
def _close_open() -> None:
    for background in list(_OPEN):
        background.close()
