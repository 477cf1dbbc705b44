"""Amazon's usage plans for the operations the sandbox serves, enforced with token buckets.

Each (operation, seller) pair has its own bucket: it starts full at the published *burst*, one
request takes one token, and tokens come back at the published *rate* per second (times
``time_scale``, so tests can run a minute of Amazon time in well under a second). A request
that finds the bucket empty is refused; the caller answers 429 QuotaExceeded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class UsagePlan:
    """An operation's default usage plan: requests per second and burst."""

    rate: float
    burst: int


# The sandbox's own copy of Amazon's default usage plans, as printed in the "Usage Plans" table
# ("| Rate (requests per second) | Burst |") of each operation's description in Amazon's models
# (github.com/amzn/selling-partner-api-models, models/<api>/<model>.json) and on
# https://developer-docs.amazon.com/sp-api/docs/usage-plans-and-rate-limits-in-the-sp-api.
# Not the client's table: tests/test_models_tables.py checks both against the models.
USAGE_PLANS: dict[str, UsagePlan] = {
    # listings-items-api-model/listingsItems_2021-08-01.json
    "searchListingsItems": UsagePlan(5.0, 5),
    "getListingsItem": UsagePlan(5.0, 10),
    "patchListingsItem": UsagePlan(5.0, 5),
    "putListingsItem": UsagePlan(5.0, 10),
    "deleteListingsItem": UsagePlan(5.0, 5),
    # listings-restrictions-api-model/listingsRestrictions_2021-08-01.json
    "getListingsRestrictions": UsagePlan(5.0, 10),
    # fba-inventory-api-model/fbaInventory.json
    "getInventorySummaries": UsagePlan(2.0, 2),
    # product-type-definitions-api-model/definitionsProductTypes_2020-09-01.json
    "getDefinitionsProductType": UsagePlan(5.0, 10),
    "searchDefinitionsProductTypes": UsagePlan(5.0, 10),
    # catalog-items-api-model/catalogItems_2022-04-01.json
    "getCatalogItem": UsagePlan(2.0, 2),
    "searchCatalogItems": UsagePlan(2.0, 2),
    # reports-api-model/reports_2021-06-30.json
    "createReport": UsagePlan(0.0167, 15),
    "getReport": UsagePlan(2.0, 15),
    "getReportDocument": UsagePlan(0.0167, 15),
    # notifications-api-model/notifications.json (amzn/selling-partner-api-models on GitHub)
    "createDestination": UsagePlan(1.0, 5),
    "getDestinations": UsagePlan(1.0, 5),
    "createSubscription": UsagePlan(1.0, 5),
    "getSubscription": UsagePlan(1.0, 5),
}


def rate_limit_header(plan: UsagePlan) -> str:
    """The value Amazon sends in ``x-amzn-RateLimit-Limit`` (e.g. "5.0", "0.0167")."""
    return repr(float(plan.rate))


_EPSILON = 1e-9


class _Bucket:
    __slots__ = ("tokens", "updated")

    def __init__(self, tokens: float, updated: float) -> None:
        self.tokens = tokens
        self.updated = updated


class QuotaEnforcer:
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
