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
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

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


class TokenBucket:
    """An async token bucket: ``await acquire()`` returns once a request may be sent.

    Waiters are served first come, first served. ``drain()`` empties the bucket (Amazon just
    said 429, so its bucket is empty too); ``set_rate()`` applies the rate Amazon reports.
    """

    def __init__(
        self,
        plan: UsagePlan,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        time_scale: float = 1.0,
        safety: float = 0.02,
    ) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.burst = max(1, plan.burst)
        self._time_scale = time_scale
        self._safety = safety
        self.rate = plan.rate  # requests per second of Amazon time
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(self.burst)
        self._updated = clock()
        self._lock = asyncio.Lock()

    @property
    def _refill_per_second(self) -> float:
        return self.rate * self._time_scale * (1.0 - self._safety)

    @property
    def tokens(self) -> float:
        self._refill()
        return self._tokens

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(float(self.burst), self._tokens + elapsed * self._refill_per_second)
        self._updated = now

    async def acquire(self) -> float:
        """Take one token, waiting for it if need be. Returns the seconds waited."""
        async with self._lock:
            waited = 0.0
            while True:
                self._refill()
                if self._tokens >= 1.0 - 1e-9:
                    self._tokens -= 1.0
                    return waited
                delay = (1.0 - self._tokens) / self._refill_per_second
                await self._sleep(delay)
                waited += delay

    def drain(self) -> None:
        """Empty the bucket: the next request waits a full refill interval."""
        self._refill()
        self._tokens = min(self._tokens, 0.0)

    def set_rate(self, header: str | float | None) -> None:
        """Adopt the rate from ``x-amzn-RateLimit-Limit`` (ignored when missing or nonsense)."""
        try:
            rate = float(header) if header is not None else None
        except (TypeError, ValueError):
            return
        if rate is None or not rate > 0 or rate == self.rate or rate == float("inf"):
            return
        self._refill()  # tokens earned so far count at the old rate
        self.rate = rate


class RateLimiter:
    """The buckets of one seller account, created on first use from the published plans."""

    def __init__(
        self,
        plans: dict[str, UsagePlan] | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        time_scale: float = 1.0,
        safety: float = 0.02,
    ) -> None:
        self._plans = PUBLISHED_PLANS if plans is None else plans
        self._clock = clock
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
            )
        return bucket


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
