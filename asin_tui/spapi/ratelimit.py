"""Client-side pacing for SP-API: one token bucket per operation, plus jittered exponential backoff.

Amazon meters every operation separately (a usage plan of *rate* requests per second and a
*burst*), so each operation gets its own :class:`TokenBucket`, seeded with the published plan
and corrected from the ``x-amzn-RateLimit-Limit`` header of each answer. Buckets pace a hair
below the plan (``safety``) so that jitter on the wire does not turn a paced call into a 429.

Clock and sleep are injectable so the unit tests run on a fake clock; ``time_scale`` speeds
everything up in step with a sandbox that runs Amazon's clock faster.

Why hand-written rather than a rate-limiting or retry library (aiolimiter, tenacity…): the
bucket follows Amazon's own algorithm and its semantics (docs/SP_API_NOTES.md): a bucket per
operation that starts full at the *burst*, whose *rate* is replaced at run time by the
``x-amzn-RateLimit-Limit`` header (absent on a 429), and whose waits are reported to the UI
("throttled, waiting 2 s"); the retry loop in ``SpApi._with_retries`` retries what Amazon says
is transient (429 ``QuotaExceeded``, 5xx, timeouts, truncated JSON) and gives every retry back
to the same bucket, since each retry spends quota. A generic limiter takes neither a burst
that differs from its rate nor a rate learned from answers.

Amazon's quota is the selling partner's and the application's, not a process's: the app's
sync runs in a child process (asin_tui/child.py) while the app's own client may patch,
refresh or run a bulk batch, and ``watch`` or ``report`` may run beside them. Given a
:class:`SharedRates` file, every process's buckets for the same seller and application are
one: each take, drain or rate change is made on the file's state, under an advisory lock held
for microseconds (never across a wait), so the calls of all of them together keep to the
published rate and burst.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import os
import random
import stat
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from asin_tui.spapi.parse import finite_number

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class UsagePlan:
    """Requests per second and burst, as published for an operation."""

    rate: float
    burst: int

    def floor_seconds(self, calls: int) -> float:
        """The least time ``calls`` requests can take, starting from a full bucket."""
        return max(0, calls - self.burst) / self.rate


# The defaults printed in each operation's description in Amazon's models (docs/SP_API_NOTES.md);
# tests/spapi/test_ratelimit.py and tests/test_models_tables.py check them against the models
# themselves (github.com/amzn/selling-partner-api-models).
PUBLISHED_PLANS: dict[str, UsagePlan] = {
    "searchListingsItems": UsagePlan(5.0, 5),
    "getListingsItem": UsagePlan(5.0, 10),
    "patchListingsItem": UsagePlan(5.0, 5),
    "deleteListingsItem": UsagePlan(5.0, 5),
    "getInventorySummaries": UsagePlan(2.0, 2),
    "getListingsRestrictions": UsagePlan(5.0, 10),
    "getDefinitionsProductType": UsagePlan(5.0, 10),
    "getCatalogItem": UsagePlan(2.0, 2),
    "searchCatalogItems": UsagePlan(2.0, 2),
    "createReport": UsagePlan(0.0167, 15),
    "getReport": UsagePlan(2.0, 15),
    "getReportDocument": UsagePlan(0.0167, 15),
}
_FALLBACK_PLAN = UsagePlan(1.0, 1)


#: ``x-amzn-RateLimit-Limit`` is taken down to the published rate divided by this, no lower: a
#: seller's usage plan can differ from the published one, but a rate that would make the next
#: call wait hours (a proxy's header, a bad answer) is ignored.
LEAST_RATE_SHARE = 10.0

#: ... and up to the published rate times this, no higher (docs/SP_API_NOTES.md, "Rates,
#: bursts and limits"): the operations asin-tui calls have standard usage plans, the same for
#: every caller (dynamic plans are the Orders API's and one Product Pricing operation's), so a
#: header far above the published rate (1e300 from a proxy) is not Amazon's plan; believed,
#: it would send calls as fast as they go, each met by a 429. Ignored like a rate too low: the
#: bucket keeps the rate it had (the published one, or the last believable header's).
MOST_RATE_SHARE = 10.0

#: Seconds (Amazon time) a burst's first call may go unanswered before its bucket refills
#: anyway (see TokenBucket.acquire's ``until_answered``): a process that died mid-call, its
#: hold left in the shared file, must not keep the others waiting longer than a call could.
ANSWER_WAIT = 60.0


class TokenBucket:
    """An async token bucket: ``await acquire()`` returns once a request may be sent.

    Waiters are served first come, first served. ``drain()`` empties the bucket (Amazon just
    said 429, so its bucket is empty too); ``set_rate()`` applies the rate Amazon reports.
    With ``shared`` (and the ``operation`` it is kept under), its tokens, their time and its
    rate live in that file, shared with every other process that uses it; ``clock`` must
    then be the same in all of them (the wall clock: see RateLimiter).

    Amazon's bucket refills from the moment it leaves full, which is when the first call of a
    burst *reaches* Amazon, not when its token was taken here. That call may arrive a good
    while after: it waits for LWA's access token (~0.3 s at a process's start) or opens a
    connection, while the calls paced behind it find a token already refilled here and
    reach Amazon right behind the burst, whose bucket gained nothing meanwhile: a 429 at the
    start of every process. So a call that empties a full bucket (``acquire(until_answered=
    True)``) holds its refill until it is answered (``answered()``): the answer comes after
    Amazon took the call, so the refill here never starts before Amazon's.
    """

    def __init__(
        self,
        plan: UsagePlan,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        time_scale: float = 1.0,
        safety: float = 0.02,
        shared: SharedRates | None = None,
        operation: str = "",
    ) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.burst = max(1, plan.burst)
        self._time_scale = time_scale
        self._safety = safety
        self.rate = plan.rate  # requests per second of Amazon time
        #: a header rate outside these is nonsense, not a plan (0.000001 would wait for
        #: days, 1e300 would meet a 429 at every call)
        self._least_rate = plan.rate / LEAST_RATE_SHARE
        self._most_rate = plan.rate * MOST_RATE_SHARE
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(self.burst)
        self._updated = clock()
        self._lock = asyncio.Lock()
        self._shared = shared
        self._operation = operation
        #: while later than the clock, no token is refilled: the call that took the first
        #: token of a full bucket is not answered yet (kept in the shared file too)
        self._held_until = 0.0
        #: that call's task (in this process) and the hold it set
        self._holder: tuple[asyncio.Task[object] | None, float] | None = None

    @property
    def _refill_per_second(self) -> float:
        return self.rate * self._time_scale * (1.0 - self._safety)

    @property
    def tokens(self) -> float:
        with self._synced():
            self._refill()
            return self._tokens

    @contextlib.contextmanager
    def _synced(self) -> Iterator[None]:
        """The block sees, and leaves, the shared state (when there is one)."""
        if self._shared is None:
            yield
        else:
            with self._shared.hold(self._operation, self):
                yield

    def _adopt(self, entry: object) -> None:
        """Take the state another process left (ignored when it is not a sound entry), kept
        within what this bucket could have left itself: a damaged or tampered file (tokens
        -1e300, a time in the future, a rate of 1e-300) must not make the next call wait
        for ages. Tokens are between none and the burst, the time no later than now (or the
        bucket never refills), and the rate one ``set_rate`` would take (else this one's)."""
        if not (isinstance(entry, list) and len(entry) in (3, 4)):
            return
        if not all(finite_number(x) for x in entry):  # (an int past any float too)
            return
        tokens, updated, rate = (float(x) for x in entry[:3])
        now = self._clock()
        self._tokens = min(float(self.burst), max(0.0, tokens))
        self._updated = min(updated, now)
        if self._believable(rate):
            self.rate = rate
        # a hold (entries of 4), never longer than one call may take to be answered
        held = float(entry[3]) if len(entry) == 4 else 0.0
        self._held_until = min(max(0.0, held), now + self._answer_wait)

    def _entry(self) -> list[float]:
        return [self._tokens, self._updated, self.rate, self._held_until]

    @property
    def _answer_wait(self) -> float:
        return ANSWER_WAIT / self._time_scale

    def _refill(self) -> None:
        now = self._clock()
        if self._held_until > now:  # Amazon's bucket may still be full: nothing to add
            self._updated = max(self._updated, now)
            return
        elapsed = max(0.0, now - max(self._updated, self._held_until))
        self._tokens = min(float(self.burst), self._tokens + elapsed * self._refill_per_second)
        self._updated = now

    async def acquire(self, *, until_answered: bool = False) -> float:
        """Take one token, waiting for it if need be. Returns the seconds waited.

        ``until_answered``: the token is for a call about to be sent by this task; if it is
        the first taken from a full bucket (within a token of it), the bucket refills only
        once :meth:`answered` is called from the same task (at the latest after
        ``ANSWER_WAIT``): see the class's doc."""
        async with self._lock:
            waited = 0.0
            while True:
                with self._synced():  # never held across the wait: other processes take too
                    self._refill()
                    if self._tokens >= 1.0 - 1e-9:
                        opens = self._tokens > self.burst - 1.0 + 1e-9
                        self._tokens -= 1.0
                        now = self._clock()
                        if until_answered and opens and self._held_until <= now:
                            self._held_until = now + self._answer_wait
                            self._holder = (asyncio.current_task(), self._held_until)
                        return waited
                    delay = (1.0 - self._tokens) / self._refill_per_second
                    if self._held_until > self._clock():  # refilling once answered
                        delay = max(delay, 1.0 / self._refill_per_second)
                await self._sleep(delay)
                waited += delay

    def answered(self) -> None:
        """The call this task took a token for (``acquire(until_answered=True)``) was
        answered, or failed: if it holds the bucket's refill, the refill starts now."""
        holder = self._holder
        if holder is None or holder[0] is not asyncio.current_task():
            return
        self._holder = None
        with self._synced():
            self._refill()  # nothing added while held
            if self._held_until == holder[1]:  # not a later hold (another call, another process)
                self._held_until = 0.0
                self._updated = self._clock()

    def drain(self) -> None:
        """Empty the bucket: the next request waits a full refill interval."""
        with self._synced():
            self._refill()
            self._tokens = min(self._tokens, 0.0)

    def set_rate(self, header: str | float | None) -> None:
        """Adopt the rate from ``x-amzn-RateLimit-Limit`` (ignored when missing or nonsense:
        not a number, or outside LEAST_RATE_SHARE / MOST_RATE_SHARE of the published rate)."""
        try:
            rate = float(header) if header is not None else None
        except (TypeError, ValueError):
            return
        if rate is None or not self._believable(rate) or rate == self.rate:
            return
        with self._synced():
            self._refill()  # tokens earned so far count at the old rate
            self.rate = rate

    def _believable(self, rate: float) -> bool:
        """A rate an answer may set: within LEAST_RATE_SHARE below and MOST_RATE_SHARE above
        the published plan's (NaN and infinity are neither)."""
        return self._least_rate <= rate <= self._most_rate


class SharedRates:
    """Buckets kept in a file, for every process of one seller and application (see the
    module's doc): ``{operation: [tokens, when (epoch s), rate]}`` as JSON, read and written
    under ``fcntl.flock`` on the file itself, the lock held only while a bucket is looked at.
    Not the ``filelock`` library the stores use (store/filelock.py): it locks a sidecar file
    and waits by polling (20 ms here), where this lock is taken on every SP-API call and held
    for microseconds — a blocking ``flock`` on the descriptor already open costs one system
    call; where ``fcntl`` is missing (Windows) each process paces alone instead.

    The file holds no secret and no account data (it is 0600 in the cache folder anyway). It
    cannot be used (no ``fcntl``, a read-only or full disk; a symlink, a FIFO or another
    user's file where it should be: never written through) the buckets go on in this
    process alone, as without it, and it is not tried again. A file left half written by a
    process that died reads as empty: full buckets, as at a first start.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None
        self._lock = threading.Lock()  # the descriptor's offset-free calls, one at a time
        self.failed = False

    def _open(self) -> int | None:
        if self._fd is None and not self.failed:
            try:
                import fcntl  # noqa: F401  (POSIX only: elsewhere each process paces alone)

                self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                self._fd = _open_own_file(self.path)
            except (ImportError, OSError):
                self.failed = True
        return self._fd

    @contextlib.contextmanager
    def hold(self, operation: str, bucket: TokenBucket) -> Iterator[None]:
        """``bucket`` holds the file's state of ``operation`` for the block, which is then
        written back; the file is locked meanwhile."""
        with self._lock:
            fd = self._open()
            state: dict[str, object] | None = None
            if fd is not None:
                try:
                    state = self._read_locked(fd)
                except OSError:
                    self._give_up()
            try:  # whatever happens, the lock is let go (every process waits on it)
                if state is not None:
                    bucket._adopt(state.get(operation))
                yield
            finally:
                if state is not None and self._fd is not None:
                    state[operation] = bucket._entry()
                    try:
                        _write_over(self._fd, json.dumps(state, separators=(",", ":")).encode())
                    except OSError:
                        self._give_up()
                    finally:
                        self._unlock()  # (none left to let go once given up)

    def _read_locked(self, fd: int) -> dict[str, object]:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            data = os.pread(fd, 1 << 16, 0)
        except OSError:
            self._unlock()
            raise
        try:
            state = json.loads(data) if data else {}
        except (ValueError, RecursionError):  # half written by a process that died, or
            return {}  # damaged (nested deeper than Python reads): start afresh
        return state if isinstance(state, dict) else {}

    def _unlock(self) -> None:
        import fcntl

        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _give_up(self) -> None:
        """The file cannot be used: pace in this process alone from now on."""
        self.failed = True
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.close(fd)  # its lock goes with it

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                fd, self._fd = self._fd, None
                with contextlib.suppress(OSError):
                    os.close(fd)


#: the rates file grows in steps of this many bytes (spaces past its JSON)
_RATES_STEP = 4096


def _write_over(fd: int, data: bytes) -> None:
    """``data`` as the whole file ``fd``, written over the bytes the file already has,
    padded with spaces (JSON's whitespace). Not a new file renamed into place, as the stores
    write: every process locks this file's own inode. When ``data`` needs more room, the file
    first grows by spaces written past its end, so a full disk (a short write, ENOSPC) leaves
    the state as it was, never a JSON cut short and padded with zeros (read as damaged: full
    buckets, a burst at Amazon's edge). OSError when it cannot be written whole."""
    size = os.fstat(fd).st_size
    if len(data) > size or size > 1 << 16:  # (a file larger than is ever read: made small)
        wanted = -(-len(data) // _RATES_STEP) * _RATES_STEP
        if size > wanted:
            os.ftruncate(fd, wanted)  # shrinking needs no room
        else:
            _write_all(fd, b" " * (wanted - size), size)
        size = wanted
    _write_all(fd, data.ljust(size), 0)


def _write_all(fd: int, data: bytes, offset: int) -> None:
    written = os.pwrite(fd, data, offset)
    if written != len(data):
        raise OSError(errno.ENOSPC, f"wrote {written} of {len(data)} bytes")


def _open_own_file(path: Path) -> int:
    """``path`` opened to read and write (created 0600): only a regular file of this user's,
    never through a symlink (the state is written over the file: a link to another file
    would have it overwritten), a FIFO or a device (OSError for those). An existing file
    that others may read or write (an older asin-tui's, a umask's) is made 0600."""
    flags = os.O_RDWR | os.O_CREAT | os.O_NONBLOCK
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path} is not a regular file")
        if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
            raise OSError(f"{path} belongs to another user")
        if info.st_mode & 0o077:
            os.fchmod(fd, 0o600)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


class RateLimiter:
    """The buckets of one seller account, created on first use from the published plans.

    ``shared``: the buckets are those of a :class:`SharedRates` file, shared with the other
    processes that use it; their ``clock`` is then the wall clock (the one all processes
    read alike) unless one is given."""

    def __init__(
        self,
        plans: dict[str, UsagePlan] | None = None,
        *,
        clock: Clock | None = None,
        sleep: Sleep = asyncio.sleep,
        time_scale: float = 1.0,
        safety: float = 0.02,
        shared: SharedRates | None = None,
    ) -> None:
        self._plans = PUBLISHED_PLANS if plans is None else plans
        self._clock = clock or (time.time if shared is not None else time.monotonic)
        self.shared = shared
        self._sleep = sleep
        self.time_scale = time_scale
        self._safety = safety
        self._buckets: dict[str, TokenBucket] = {}

    def bucket(self, operation: str) -> TokenBucket:
        bucket = self._buckets.get(operation)
        if bucket is None:
            plan = self._plans.get(operation, _FALLBACK_PLAN)
            bucket = self._buckets[operation] = TokenBucket(
                plan,
                clock=self._clock,
                sleep=self._sleep,
                time_scale=self.time_scale,
                safety=self._safety,
                shared=self.shared,
                operation=operation,
            )
        return bucket

    def close(self) -> None:
        """Let go of the shared file (if any)."""
        if self.shared is not None:
            self.shared.close()


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with full jitter: try n waits uniform(0, min(cap, base * 2**n))."""

    tries: int = 6
    base: float = 0.5
    cap: float = 30.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        return rng.uniform(0.0, min(self.cap, self.base * 2.0**attempt))

    def scaled(self, time_scale: float) -> Backoff:
        """The same policy on a clock running ``time_scale`` times faster."""
        return Backoff(self.tries, self.base / time_scale, self.cap / time_scale)
