"""The background loop (asin_tui.background): network work runs on a loop in its own thread;
the caller's loop (the UI's) only awaits it. Results, errors and cancellation cross back as if
the work had run on the caller's loop; progress crosses coalesced."""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import threading
import warnings

import httpx
import pytest

from asin_tui.background import BackgroundLoop, relay
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from asin_tui.sandbox.transport import SandboxTransport
from asin_tui.store.cache import ListingCache
from tests.test_service import TIME_SCALE, make_service


@pytest.fixture
async def background():
    loop = BackgroundLoop("test background")
    yield loop
    await loop.aclose()


async def test_run_returns_the_result_computed_in_another_thread(background):
    async def where(x: int) -> tuple[int, int]:
        await asyncio.sleep(0)
        return x * 2, threading.get_ident()

    value, thread = await background.run(where, 21)
    assert value == 42 and thread != threading.get_ident()
    assert (await background.run(where, 1))[1] == thread  # one thread, reused


async def test_an_error_crosses_back_unchanged(background):
    class Refused(Exception):
        pass

    async def fail() -> None:
        raise Refused("LWA token request refused: invalid_grant")

    with pytest.raises(Refused, match="invalid_grant"):
        await background.run(fail)


async def test_cancelling_the_caller_cancels_the_work_and_waits_for_it_to_wind_down(background):
    started, wound_down = threading.Event(), threading.Event()

    async def long_sync() -> None:
        started.set()
        try:
            await asyncio.sleep(60)
        finally:
            await asyncio.sleep(0.05)  # discarding what it staged takes a moment
            wound_down.set()

    caller = asyncio.ensure_future(background.run(long_sync))
    assert await asyncio.to_thread(started.wait, 10)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert wound_down.is_set(), "the cancellation went on before the work had wound down"


async def test_work_cancelled_before_it_starts_leaves_no_coroutine_never_awaited(background):
    # `fix` interrupted (Ctrl-C, SIGTERM) while a patch was on its way to the background loop:
    # Python printed "RuntimeWarning: coroutine 'AccountService._patch' was never awaited"
    # and its source lines under the one "interrupted" line
    busy, free = threading.Event(), threading.Event()

    async def hold_the_loop() -> None:
        busy.set()
        free.wait(10)  # the background loop runs nothing else meanwhile

    async def patch() -> None:
        raise AssertionError("it never starts")

    holding = asyncio.ensure_future(background.run(hold_the_loop))
    assert await asyncio.to_thread(busy.wait, 10)
    caller = asyncio.ensure_future(background.run(patch))
    await asyncio.sleep(0)  # its start is queued behind the held loop…
    caller.cancel()  # …and so is its cancellation
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        free.set()
        with pytest.raises(asyncio.CancelledError):
            await caller
        await holding
        await background.run(asyncio.sleep, 0)  # the loop went past both
        gc.collect()
    assert not [w for w in caught if "never awaited" in str(w.message)]


async def test_run_on_the_background_loop_itself_just_awaits(background):
    async def inner() -> int:
        return threading.get_ident()

    async def outer() -> tuple[int, int]:
        return threading.get_ident(), await background.run(inner)

    here, there = await background.run(outer)
    assert here == there != threading.get_ident()


async def test_aclose_cancels_what_runs_then_closes_and_a_later_run_starts_again(background):
    started, cancelled, closed = threading.Event(), threading.Event(), []

    async def forever() -> None:
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def close_client() -> None:
        closed.append(cancelled.is_set())

    caller = asyncio.ensure_future(background.run(forever))
    assert await asyncio.to_thread(started.wait, 10)
    first_thread = background._thread
    await background.aclose(then=close_client)
    assert closed == [True], "the client closed after what used it was cancelled"
    assert not first_thread.is_alive() and background.loop is None
    with pytest.raises(asyncio.CancelledError):
        await caller

    async def answer() -> int:
        return 7

    assert await background.run(answer) == 7


async def test_relay_delivers_on_the_callers_loop_coalesced_to_the_latest(background):
    seen: list[tuple[int, int]] = []
    home = threading.get_ident()
    progressed = relay(lambda n: seen.append((n, threading.get_ident())))

    async def many_updates() -> None:
        for n in range(1, 2001):
            progressed(n)
        await asyncio.sleep(0)

    await background.run(many_updates)
    await asyncio.sleep(0)  # what was relayed is delivered in the caller's next turn
    assert seen, "no progress was delivered"
    assert seen[-1][0] == 2000, "the latest value is always delivered"
    assert all(thread == home for _, thread in seen)
    assert len(seen) < 2000, "updates were not coalesced"
    assert [n for n, _ in seen] == sorted(n for n, _ in seen)


# --------------------------------------------------------------------------- the service


@pytest.fixture
def sandbox() -> SandboxApp:
    return SandboxApp(SandboxAccount(seed=11, listings=80), time_scale=TIME_SCALE)


class Blocking(SandboxTransport):
    """The sandbox, its first searchListingsItems answer held by a *blocking* wait: whichever
    loop runs the sync is held meanwhile (as python-amazon-sp-api's CPU work holds it)."""

    def __init__(self, sandbox: SandboxApp) -> None:
        super().__init__(sandbox)
        self.entered, self.release = threading.Event(), threading.Event()
        self.threads: set[int] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.threads.add(threading.get_ident())
        if "/listings/2021-08-01/items/" in request.url.path and not self.entered.is_set():
            self.entered.set()
            self.release.wait(10)
        return await super().handle_async_request(request)


async def test_a_sync_never_holds_the_callers_loop_and_tells_progress_there(sandbox):
    transport = Blocking(sandbox)
    service = make_service(sandbox, transport)
    progress_threads: set[int] = set()
    try:
        syncing = asyncio.ensure_future(
            service.sync(
                include_all=False,
                progress=lambda _p: progress_threads.add(threading.get_ident()),
            )
        )
        assert await asyncio.to_thread(transport.entered.wait, 10)
        ticked = await asyncio.wait_for(asyncio.sleep(0.01, "ticked"), 5)  # the loop is free
        assert ticked == "ticked" and not transport.release.is_set()
        transport.release.set()
        summary = await syncing
        assert summary.complete and summary.listings > 0
        assert threading.get_ident() not in transport.threads
        assert progress_threads == {threading.get_ident()}
    finally:
        transport.release.set()
        await service.aclose()


async def test_a_cancelled_sync_keeps_the_cache_as_it_was(sandbox, tmp_path):
    transport = Blocking(sandbox)
    service = make_service(sandbox, transport)
    service._cache = ListingCache(tmp_path / "cancel.sqlite3")
    try:
        syncing = asyncio.ensure_future(service.sync(include_all=True))
        assert await asyncio.to_thread(transport.entered.wait, 10)
        syncing.cancel()
        transport.release.set()
        with pytest.raises(asyncio.CancelledError):
            await syncing
        assert service.last_sync() is None and service.cached_records(all_listings=True) == []
        summary = await service.sync(include_all=True)  # the service still works afterwards
        assert summary.complete and summary.listings == len(sandbox.account.search())
    finally:
        transport.release.set()
        await service.aclose()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
async def test_the_background_threads_yield_the_cpu_to_the_callers():
    background = BackgroundLoop("test nice", nice=5)

    def nice_here() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    async def nice_there() -> tuple[int, int]:
        return nice_here(), await asyncio.to_thread(nice_here)  # its executor's threads too

    try:
        assert await background.run(nice_there) == (nice_here() + 5, nice_here() + 5)
    finally:
        await background.aclose()
