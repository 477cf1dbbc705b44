"""What a sync produces and reports: the fetched listing with its evidence, the result, its
progress, and the limits it works within."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from asin_tui.spapi.calls import ReportRequest
from asin_tui.spapi.errors import (
    AuthError,
    SpApiError,
)

if TYPE_CHECKING:  # sp_api and httpx load only when a client is opened
    pass


PAGE_SIZE = 20
IDENTIFIERS_PER_SEARCH = 20
INVENTORY_BATCH = 50
ACCOUNT_HEALTH = "account health"  # its key in SyncResult.failed
#: How many times a sync looks at a pending Account Health report (getReport: 2/s, burst 15).
HEALTH_CHECKS = 3
#: How many more times, once every other page is in, a sync tries the search pages (and
#: listing batches) that failed after all their retries, pausing longer before each round.
LATER_ROUNDS = 3
#: The pause before the first of those rounds, in backoff bases (doubled each round):
#: 0.5 s × 8 = 4 s, then 8 s, 16 s at Amazon's clock.
LATER_PAUSE = 8.0

#: A full sync's listings report that left out cached listings while Amazon's count says
#: there are more than it named: at most this many of them (those a search by SKU did not
#: return) are asked for alone (getListingsItem, 5/s: 40 s) to learn whether they are gone.
ABSENT_LOOKUPS = 200
#: The key in SyncResult.failed (and missing) of the cached listings such a report left out
#: that could not be looked for: kept as cached, not seen in the sync.
NOT_IN_REPORT = "listings not in the listings report"

SEARCH_CAP = 1000  # Amazon pages through at most this many results of one query
WINDOW_TARGET = 800  # split so each window should hold about this many (room to spare)


@dataclass(frozen=True, slots=True)
class SearchWindows:
    """How a search is split into created-date windows (``sync_account(windows=…)``): a
    query with more than ``cap`` results is split into windows of about ``target`` each.
    The defaults are Amazon's; a test lowers them to split a small account."""

    cap: int = SEARCH_CAP
    target: int = WINDOW_TARGET


SEARCH_WINDOWS = SearchWindows()

T = TypeVar("T")
#: The operation behind each evidence section.
_OPERATIONS = {
    "inventory": "getInventorySummaries",
    "restrictions": "getListingsRestrictions",
    "catalog": "searchCatalogItems",
}


@dataclass
class SyncedListing:
    """One listing as SP-API described it, with the evidence fetched for it (raw JSON)."""

    sku: str
    item: dict[str, Any]  # the listings Item
    inventory: dict[str, Any] | None = None  # its InventorySummary (FBA only)
    restrictions: list[dict[str, Any]] | None = None  # getListingsRestrictions' list
    catalog: dict[str, Any] | None = None  # the catalog Item 2022-04-01
    catalog_not_found: bool = False  # the catalog has no item with its ASIN here
    #: Evidence asked for and not had: "inventory" | "restrictions" | "catalog" → (the SP-API
    #: operation, why it failed after its retries). Its field above stays None.
    gaps: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Restrictions and catalog answers -> when their call was made (this sync's, or an
    #: earlier one's: see ``reused``).
    fetched: dict[str, datetime] = field(default_factory=dict)
    reused: set[str] = field(default_factory=set)  # sections answered from KnownAnswers
    #: The (ASIN, condition) its restrictions were asked for, if they were.
    restrictions_key: tuple[str, str | None] | None = None
    catalog_key: str | None = None  # the ASIN its catalog item was asked for, if it was

    def missed(self, section: str, error: SpApiError) -> None:
        """An evidence call gave up: note it (refused credentials end the sync)."""
        if isinstance(error, AuthError):
            raise error
        self.gaps[section] = (error.operation or _OPERATIONS[section], str(error))


@dataclass(frozen=True)
class KnownAnswers:
    """Evidence answers earlier syncs fetched that this sync uses instead of calling again
    (the caller decides which are fresh enough): restrictions by (ASIN, condition), catalog
    items by ASIN (None: the catalog had no item), each with when it was fetched."""

    restrictions: Mapping[tuple[str, str | None], tuple[list[dict[str, Any]], datetime]] = field(
        default_factory=dict
    )
    catalog: Mapping[str, tuple[dict[str, Any] | None, datetime]] = field(default_factory=dict)


@dataclass(frozen=True)
class SyncProgress:
    phase: str  # report | search | listings | inventory | restrictions | catalog | product types
    done: int
    total: int | None
    message: str
    waiting: bool = False  # throttled / waiting for Amazon


#: Takes each listing once its evidence is fetched, with its product type and that type's
#: (definition, schema) when this sync fetched it, so it can be stored on the way.
ListingSink = Callable[
    [SyncedListing, str | None, tuple[dict[str, Any], dict[str, Any]] | None], Awaitable[None]
]


@dataclass
class SyncResult:
    listings: list[SyncedListing]  # by SKU; empty when an ``on_listing`` sink took them
    product_types: dict[str, tuple[dict[str, Any], dict[str, Any]]]  # (definition, schema)
    failed: dict[str, str]  # SKU (or "search: <query>", "product type X", ACCOUNT_HEALTH) → reason
    calls: Counter[str]
    complete: bool  # every listing in scope was fetched (the account health may have failed)
    include_all: bool
    started_at: datetime
    finished_at: datetime
    account_health: dict[str, Any] | None = None  # the Account Health report document
    pending_health: ReportRequest | None = None  # an Account Health report Amazon is preparing
    #: The failed keys that cost listings (a search window, a SKU not fetched) → at most how
    #: many listings are missing for it (None: unknown, the query's first page never came).
    missing: dict[str, int | None] = field(default_factory=dict)
    #: Cached listings a full sync's report left out that Amazon says it does not know (404):
    #: dropped with their history even when the sync is incomplete.
    gone: list[str] = field(default_factory=list)


def listings_complete(failed: Iterable[str]) -> bool:
    """Whether a sync with these ``failed`` keys fetched every listing in its scope."""
    return all(key == ACCOUNT_HEALTH for key in failed)


ProgressCallback = Callable[[SyncProgress], None]
