"""Client-side rate limiting: token buckets on a fake clock, backoff bounds, published plans."""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import re

import pytest

from asin_tui.spapi.ratelimit import (
    ANSWER_WAIT,
    PUBLISHED_PLANS,
    Backoff,
    RateLimiter,
    SharedRates,
    TokenBucket,
    UsagePlan,
)
from tests.conftest import file_link_and_fifo


class FakeClock:
    """Monotonic time that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def bucket(clock: FakeClock, rate: float, burst: int, **kw) -> TokenBucket:
    return TokenBucket(UsagePlan(rate, burst), clock=clock, sleep=clock.sleep, safety=0.0, **kw)


async def test_burst_is_free_then_calls_are_paced_at_the_rate(clock):
    b = bucket(clock, rate=5, burst=5)
    waits = [await b.acquire() for _ in range(5)]
    assert waits == [0.0] * 5 and clock.now == 0.0
    assert await b.acquire() == pytest.approx(0.2)
    for _ in range(14):
        await b.acquire()
    assert clock.now == pytest.approx(15 / 5)


async def test_idle_time_refills_up_to_burst_only(clock):
    b = bucket(clock, rate=2, burst=2)
    for _ in range(2):
        await b.acquire()
    clock.now += 100.0
    assert b.tokens == pytest.approx(2.0)
    for _ in range(2):
        assert await b.acquire() == 0.0
    assert await b.acquire() == pytest.approx(0.5)


async def test_concurrent_waiters_are_served_in_order_and_spaced(clock):
    b = bucket(clock, rate=10, burst=1)
    served: list[tuple[int, float]] = []

    async def call(i: int) -> None:
        await b.acquire()
        served.append((i, clock.now))

    await asyncio.gather(*(call(i) for i in range(6)))
    assert [i for i, _ in served] == list(range(6))
    times = [t for _, t in served]
    assert times[0] == 0.0
    assert all(
        later - earlier == pytest.approx(0.1) for earlier, later in itertools.pairwise(times)
    )


async def test_drain_makes_the_next_call_wait_a_full_interval(clock):
    b = bucket(clock, rate=5, burst=5)
    await b.acquire()
    b.drain()
    assert await b.acquire() == pytest.approx(0.2)


async def test_rate_header_replaces_the_published_rate(clock):
    b = bucket(clock, rate=5, burst=1)
    await b.acquire()
    b.set_rate("0.5")
    assert b.rate == 0.5
    assert await b.acquire() == pytest.approx(2.0)


@pytest.mark.parametrize("header", [None, "", "fast", "0", "-3", "inf", "nan", "1e300", "50.5"])
async def test_nonsense_rate_headers_are_ignored(clock, header):
    b = bucket(clock, rate=5, burst=5)
    b.set_rate(header)
    assert b.rate == 5


async def test_a_rate_header_far_above_the_published_one_keeps_the_last_believable(clock):
    """Up to ten times the published rate is believed (a plan Amazon raised), higher is a
    proxy's nonsense: the bucket keeps the rate it had, and a lower one is still honoured."""
    b = bucket(clock, rate=5, burst=1)
    b.set_rate("50")
    assert b.rate == 50
    b.set_rate("1e300")
    assert b.rate == 50
    b.set_rate("2.5")
    assert b.rate == 2.5
    await b.acquire()
    assert await b.acquire() == pytest.approx(0.4)


async def test_safety_margin_paces_slightly_below_the_plan(clock):
    b = TokenBucket(UsagePlan(5, 1), clock=clock, sleep=clock.sleep, safety=0.02)
    await b.acquire()
    assert await b.acquire() == pytest.approx(0.2 / 0.98)


async def test_time_scale_speeds_up_refill(clock):
    b = bucket(clock, rate=2, burst=1, time_scale=100)
    await b.acquire()
    assert await b.acquire() == pytest.approx(0.005)


async def test_limiter_keeps_one_independent_bucket_per_operation(clock):
    limiter = RateLimiter(clock=clock, sleep=clock.sleep, safety=0.0)
    search = limiter.bucket("searchListingsItems")
    assert limiter.bucket("searchListingsItems") is search
    for _ in range(search.burst):
        await search.acquire()
    catalog = limiter.bucket("getCatalogItem")
    assert await catalog.acquire() == 0.0
    assert (search.rate, search.burst) == (5.0, 5)
    assert (catalog.rate, catalog.burst) == (2.0, 2)
    unknown = limiter.bucket("someNewOperation")
    assert unknown.rate > 0 and unknown.burst >= 1


async def test_a_bursts_first_call_holds_the_refill_until_it_is_answered(clock):
    # Amazon's bucket refills from when the burst's first call reaches it: a call that waits
    # 0.3 s for LWA's token first leaves Amazon's bucket full (gaining nothing) meanwhile
    b = bucket(clock, rate=5, burst=5)
    for _ in range(5):
        assert await b.acquire(until_answered=True) == 0.0
    clock.now = 0.3  # the first call (this task's) is answered now
    assert b.tokens == pytest.approx(0.0)  # nothing refilled before that
    b.answered()
    assert await b.acquire(until_answered=True) == pytest.approx(0.2)  # one interval after
    assert clock.now == pytest.approx(0.5)
    for _ in range(5):  # then paced at the rate; the bucket never full, nothing held
        assert await b.acquire(until_answered=True) == pytest.approx(0.2)
        b.answered()


async def test_a_hold_never_outlasts_the_time_a_call_may_take(clock):
    b = bucket(clock, rate=5, burst=1)
    await b.acquire(until_answered=True)  # its call never answers (the process died)
    waited = await b.acquire(until_answered=True)
    assert ANSWER_WAIT <= waited <= ANSWER_WAIT + 0.2 + 1e-9


async def test_only_the_call_that_emptied_a_full_bucket_holds_it(clock):
    b = bucket(clock, rate=5, burst=5)
    await b.acquire()  # no call waiting on an answer (a caller that does not say so)
    assert await b.acquire(until_answered=True) == 0.0  # 4 left: not the burst's first
    clock.now = 1.0
    assert b.tokens == pytest.approx(5.0)  # refilled as ever


async def test_a_hold_reaches_every_process_sharing_the_file(tmp_path, clock):
    app, child = (shared_limiter(tmp_path / "rates.json", clock) for _ in range(2))
    first = app.bucket("getCatalogItem")  # burst 2, 2 a second
    assert await first.acquire(until_answered=True) == 0.0
    other = child.bucket("getCatalogItem")
    assert await other.acquire(until_answered=True) == 0.0
    clock.now = 0.4
    assert other.tokens == pytest.approx(0.0)  # the app's first call is not answered yet
    first.answered()
    assert await other.acquire() == pytest.approx(0.5)


def shared_limiter(path, clock: FakeClock) -> RateLimiter:
    """One process's limiter on the shared file ``path`` (two of them: two processes)."""
    return RateLimiter(clock=clock, sleep=clock.sleep, safety=0.0, shared=SharedRates(path))


async def test_two_limiters_on_one_shared_file_spend_one_burst_and_one_rate(tmp_path, clock):
    app, child = (shared_limiter(tmp_path / "rates.json", clock) for _ in range(2))
    search = (app.bucket("searchListingsItems"), child.bucket("searchListingsItems"))
    for i in range(5):  # the burst of 5, taken by both in turn
        assert await search[i % 2].acquire() == 0.0
    assert clock.now == 0.0
    assert await search[1].acquire() == pytest.approx(0.2)  # the other's takes count
    assert await search[0].acquire() == pytest.approx(0.2)
    for i in range(20):
        await search[i % 2].acquire()
    assert clock.now == pytest.approx(22 / 5)  # 27 calls: 5 free, 22 at 5 a second
    catalog = child.bucket("getCatalogItem")  # another operation: a bucket of its own
    assert await catalog.acquire() == 0.0 and catalog.tokens == pytest.approx(1.0)
    assert (tmp_path / "rates.json").stat().st_mode & 0o777 == 0o600


async def test_a_429_and_amazons_rate_reach_every_process_sharing_the_file(tmp_path, clock):
    app, child = (shared_limiter(tmp_path / "rates.json", clock) for _ in range(2))
    app.bucket("getListingsItem").drain()  # Amazon said 429 to the app: its bucket is empty
    assert child.bucket("getListingsItem").tokens == pytest.approx(0.0)
    child.bucket("getListingsItem").set_rate("10.0")
    assert app.bucket("getListingsItem").tokens == pytest.approx(0.0)
    assert await app.bucket("getListingsItem").acquire() == pytest.approx(0.1)


async def test_a_broken_shared_file_starts_full_and_an_unusable_one_paces_alone(tmp_path, clock):
    path = tmp_path / "rates.json"
    path.write_text('{"searchListingsItems": [0.0, ')  # left half written by a process killed
    search = shared_limiter(path, clock).bucket("searchListingsItems")
    assert search.tokens == pytest.approx(5.0)
    assert json.loads(path.read_text())["searchListingsItems"][0] == pytest.approx(5.0)
    blocked = tmp_path / "file"
    blocked.write_text("")
    alone = shared_limiter(blocked / "rates.json", clock)  # its folder is a file: cannot open
    waits = [await alone.bucket("searchListingsItems").acquire() for _ in range(6)]
    assert waits == [0.0] * 5 + [pytest.approx(0.2)]  # paced as without a shared file
    assert alone.shared.failed


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param([-1e300, 0.0, 5.0], id="tokens -1e300"),
        pytest.param([0.0, 1e12, 5.0], id="updated in the future"),
        pytest.param([0.0, 0.0, 1e-300], id="a rate of next to nothing"),
        pytest.param([0.0, 0.0, 0.0], id="a rate of 0"),
        pytest.param([0.0, 0.0, 1e300], id="a rate of 1e300"),
        pytest.param([-1e300, 1e12, 1e-300], id="all three"),
        # JSON integers no float holds: math.isfinite raised OverflowError out of acquire()
        pytest.param([10**400, 0, 5], id="tokens past any float"),
        pytest.param([0, -(10**309), 10**309], id="time and rate past any float"),
    ],
)
async def test_a_tampered_shared_entry_costs_one_interval_at_most(tmp_path, clock, entry):
    # a damaged (or tampered) rates file, valid JSON and finite: every process of that seller
    # would wait 2e299 s (or, updated in the future, never refill) before its next call
    path = tmp_path / "rates.json"
    path.write_text(json.dumps({"searchListingsItems": entry}))
    search = shared_limiter(path, clock).bucket("searchListingsItems")
    waited = await asyncio.wait_for(search.acquire(), 5)  # old code: fails, never hangs
    assert waited <= 1 / 5 + 1e-9  # at most one interval of the published 5 a second
    assert search.rate == 5.0
    saved = json.loads(path.read_text())["searchListingsItems"]
    assert 0.0 <= saved[0] <= 5.0 and saved[1] <= clock.now and saved[2] == 5.0


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 60_000 + b"]" * 4_000,  # nested deeper than json.loads reads: RecursionError
        b'{"searchListingsItems": ' + b"[" * 30_000 + b"]" * 30_000 + b"}",
    ],
    ids=["deep array", "deep entry"],
)
async def test_a_damaged_shared_file_starts_afresh_and_never_keeps_the_lock(
    tmp_path, clock, content
):
    # a RecursionError from the file escaped acquire() with the file still locked: the sync
    # failed, and every later look at the file (this process's, others') waited for ever
    path = tmp_path / "rates.json"
    path.write_bytes(content)
    first, second = (shared_limiter(path, clock) for _ in range(2))
    for limiter in (first, second, first):
        await asyncio.wait_for(limiter.bucket("searchListingsItems").acquire(), 5)
    assert json.loads(path.read_text())["searchListingsItems"][0] == pytest.approx(2.0)


async def test_a_symlink_or_a_fifo_as_the_shared_file_is_never_written_through(tmp_path, clock):
    # the state is written over the file: through a link it would overwrite the link's target
    victim, link, fifo = file_link_and_fifo(tmp_path, "a seller's own file\n")
    for path in (link, fifo):
        limiter = shared_limiter(path, clock)
        waits = [await limiter.bucket("searchListingsItems").acquire() for _ in range(6)]
        assert waits == [0.0] * 5 + [pytest.approx(0.2)]  # paced alone, as without the file
        assert limiter.shared.failed
        clock.now += 10
    assert victim.read_text() == "a seller's own file\n" and link.is_symlink()


async def test_a_shared_file_others_could_read_is_made_private(tmp_path, clock):
    path = tmp_path / "rates.json"
    path.write_text("{}")
    path.chmod(0o666)  # left by an older asin-tui, or another umask
    await shared_limiter(path, clock).bucket("searchListingsItems").acquire()
    assert path.stat().st_mode & 0o777 == 0o600
    assert json.loads(path.read_text())["searchListingsItems"][0] == pytest.approx(4.0)


def test_floor_seconds_counts_only_calls_beyond_the_burst():
    plan = UsagePlan(5.0, 5)
    assert plan.floor_seconds(3) == 0.0
    assert plan.floor_seconds(105) == pytest.approx(20.0)


def test_backoff_is_full_jitter_under_an_exponential_cap():
    policy = Backoff(tries=6, base=0.5, cap=30.0)
    rng = random.Random(1)
    for attempt in range(10):
        delays = [policy.delay(attempt, rng) for _ in range(200)]
        bound = min(30.0, 0.5 * 2**attempt)
        assert all(0.0 <= d <= bound for d in delays)
        assert max(delays) > bound / 2  # really spread, not a constant
    assert policy.scaled(100).cap == pytest.approx(0.3)


def test_published_plans_match_amazons_models(models_dir):
    """The seeds are the rate/burst printed in each operation's description."""
    found: dict[str, UsagePlan] = {}
    for path in models_dir.glob("*.json"):
        for methods in json.loads(path.read_text()).get("paths", {}).values():
            for op in methods.values():
                if isinstance(op, dict) and op.get("operationId") in PUBLISHED_PLANS:
                    m = re.search(r"\|\s*([\d.]+)\s*\|\s*(\d+)\s*\|", op.get("description", ""))
                    assert m, op["operationId"]
                    found[op["operationId"]] = UsagePlan(float(m[1]), int(m[2]))
    assert found == PUBLISHED_PLANS


async def test_a_full_disk_never_leaves_the_shared_file_cut_short(tmp_path, clock, monkeypatch):
    # the state grew past what the disk had room for: pwrite wrote part of it, ftruncate then
    # padded the file with zeros, and every process read it as damaged: full buckets (a burst)
    import errno
    import os

    path = tmp_path / "rates.json"
    app, child = (shared_limiter(path, clock) for _ in range(2))
    for _ in range(3):
        await app.bucket("searchListingsItems").acquire()  # 2 of 5 left, in the file
    room = path.stat().st_size  # the disk is full: the file can be written over, not grown
    pwrite = os.pwrite

    def full_disk(fd, data, offset):
        fits = max(0, room - offset) if os.fstat(fd).st_ino == path.stat().st_ino else len(data)
        if fits == 0 and data:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return pwrite(fd, data[:fits], offset)

    monkeypatch.setattr(os, "pwrite", full_disk)
    for n in range(300):  # new entries, past the room the file has (~40 bytes each)
        await app.bucket(f"operation{n}").acquire()
    assert app.shared.failed  # that process paces alone from then on
    state = json.loads(path.read_bytes())  # never cut short, never padded with zeros
    assert state["searchListingsItems"][0] == pytest.approx(2.0)
    assert child.bucket("searchListingsItems").tokens == pytest.approx(2.0)  # not a full burst
    assert path.stat().st_size == room
