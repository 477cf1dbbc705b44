"""Amazon's usage plans for the operations the sandbox serves, enforced with token buckets.

Each (operation, seller) pair has its own bucket: it starts full at the published *burst*, one
request takes one token, and tokens come back at the published *rate* per second (times
``time_scale``, so tests can run a minute of Amazon time in well under a second). A request
that finds the bucket empty is refused; the caller answers 429 QuotaExceeded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

from asin_tui.spapi.ratelimit import PUBLISHED_PLANS, UsagePlan

# Amazon's published usage plans: one table for the client that paces itself and the sandbox
# that enforces them (checked against ../shared/spapi-models in tests/spapi).
USAGE_PLANS: dict[str, UsagePlan] = PUBLISHED_PLANS


def rate_limit_header(plan: UsagePlan) -> str:
    """The value Amazon sends in ``x-amzn-RateLimit-Limit`` (e.g. "5.0", "0.0167")."""
    return repr(float(plan.rate))


_EPSILON = 1e-9


class _Bucket:
    __slots__ = ("tokens", "updated")

    def __init__(self, tokens: float, updated: float) -> None:
        self.tokens = tokens
        self.updated = updated


class RateLimiter:
    """Token buckets keyed by (operation, seller). Thread-safe.

    Args:
        plans: usage plan per operation name.
        time_scale: refill speed-up (100 = a hundred times Amazon's rate).
        clock: monotonic seconds (injectable for tests).
    """

    def __init__(
        self,
        plans: dict[str, UsagePlan],
        *,
        time_scale: float,
        clock: Callable[[], float],
    ) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self._plans = plans
        self._time_scale = time_scale
        self._clock = clock
        self._buckets: dict[tuple[str, Hashable], _Bucket] = {}
        self._lock = threading.Lock()

    def try_acquire(self, operation: str, seller: Hashable) -> bool:
        """Take one token for this call; False when the caller is over its quota."""
        plan = self._plans[operation]
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get((operation, seller))
            if bucket is None:
                bucket = self._buckets[(operation, seller)] = _Bucket(plan.burst, now)
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(plan.burst, bucket.tokens + elapsed * plan.rate * self._time_scale)
            bucket.updated = now
            if bucket.tokens < 1.0 - _EPSILON:  # float dust must not refuse a paced call
                return False
            bucket.tokens -= 1.0
            return True
