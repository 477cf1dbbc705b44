"""What the UI needs from the account service (``asin_tui.service.AccountService``).

A Protocol, so the app runs against the real service and tests inject a small fake. The
UI calls the synchronous methods (local cache reads) from thread workers and awaits the
asynchronous ones (network) in async workers; it never touches SP-API or JSON itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, ParamSpec, Protocol, TypeVar

from asin_tui.domain.models import (
    AccountHealth,
    Diagnosis,
    ListingRecord,
    State,
)

_R = TypeVar("_R")
_P = ParamSpec("_P")

if TYPE_CHECKING:  # types only: the UI reaches the service through this protocol
    from asin_tui.domain.cover import StockCover
    from asin_tui.domain.evidence import Evidence, LastQuantity  # not loaded by the start
    from asin_tui.domain.looks import SinceLastLook, TimelineEntry
    from asin_tui.domain.patches import JsonValue
    from asin_tui.service import (
        AccountService,
        CoverRefresh,
        HealthRefresh,
        ReportRequest,
        SubmissionResult,
        SyncInfo,
        SyncProgress,
        SyncSummary,
    )


class ListingService(Protocol):
    profile_name: str
    marketplace_id: str
    seller_id: str
    notices: list[str]  # one-line messages about how the account was opened (show once)

    @property
    def cache_warning(self) -> str | None:
        """Set when the cache file was unreadable and set aside to be rebuilt (show once)."""
        ...

    def cached_records(
        self, *, all_listings: bool, limit: int | None = None
    ) -> list[ListingRecord]:
        """Report order (models.sort_key); ``limit``: the first so many only."""
        ...

    def cached_record_batches(
        self, *, all_listings: bool, size: int = 5000
    ) -> Iterator[list[ListingRecord]]:
        """What cached_records returns, in the same order, ``size`` rows at a time (a reader
        can stop between batches, and others read the cache in between)."""
        ...

    def cached_state_counts(self, *, all_listings: bool) -> Mapping[State, int]:
        """How many rows cached_records would return in each state, without reading them."""
        ...

    def last_sync(self) -> SyncInfo | None: ...

    def last_full_sync(self) -> datetime | None:
        """When every listing was last fetched; None: "all listings" is only what the
        needs-attention syncs brought."""
        ...

    async def connect(self) -> None:
        """Open the SP-API client (in a thread: never on the event loop); what opening it
        found to tell is added to ``notices``."""
        ...

    async def count_listings(self) -> int:
        """How many listings the account has (one cheap SP-API call)."""
        ...

    async def sync(
        self, *, include_all: bool, progress: Callable[[SyncProgress], None] | None = None
    ) -> SyncSummary:
        """Fetch from SP-API into the cache; ``progress`` gets SyncProgress updates."""
        ...

    def account_health(self) -> AccountHealth | None:
        """The account-level gate from the last Account Health report (None: never fetched)."""
        ...

    def account_health_pending(self) -> ReportRequest | None:
        """The report Amazon was still preparing at the last look (a ReportRequest), or None."""
        ...

    async def refresh_account_health(self) -> HealthRefresh:
        """One look at the pending report: HealthRefresh(pending, updated, problem). When
        ``updated``, the report is stored and every cached listing diagnosed again with it."""
        ...

    def at_risk_records(self) -> list[ListingRecord]:
        """Live listings that will not stay so, their risk (and its date) said first."""
        ...

    def stock_cover_of(self, sku: str) -> StockCover | None:
        """The listing's stock cover from the last sales reports (None: not checked)."""
        ...

    def stock_cover_at(self) -> datetime | None:
        """When the sales reports stock cover comes from were read (None: never)."""
        ...

    def stock_cover_due(self) -> bool:
        """The stored stock cover is older than its freshness (or was never read), or a
        report is pending: refresh_stock_cover would ask Amazon."""
        ...

    async def refresh_stock_cover(self, *, force: bool = False) -> CoverRefresh:
        """Read Amazon's sales reports again when due, and store the cover."""
        ...

    def since_last_look(self, at_risk_now: Iterable[str]) -> SinceLastLook | None:
        """What changed since the previous session (None: the very first one)."""
        ...

    def remember_look(self, at_risk: Iterable[str], now: datetime | None = None) -> None:
        """Note this session's look (and what is at risk now) for the next session."""
        ...

    def timeline(self, sku: str) -> list[TimelineEntry]:
        """The listing's state changes, events, fixes sent and outcome, newest first."""
        ...

    def evidence(self, sku: str) -> Evidence: ...

    def diagnosis(self, sku: str) -> Diagnosis: ...

    def last_quantity(self, sku: str) -> LastQuantity | None:
        """The last MFN quantity above 0 a sync saw (a suggestion for one out of stock)."""
        ...

    async def refresh(self, sku: str) -> ListingRecord:
        """Fetch one listing again (wizard Verify), re-diagnose it and store it."""
        ...

    async def patch(
        self,
        sku: str,
        patches: Sequence[Mapping[str, JsonValue]],
        *,
        preview: bool,
        on_send: Callable[[], Awaitable[None]] | None = None,
    ) -> SubmissionResult:
        """patchListingsItem (``preview``: VALIDATION_PREVIEW, nothing changes): ``patches``
        are JSON Patch operations, JSON values only; ``on_send`` awaited as the request is
        about to leave (the bulk engine saves its submit then)."""
        ...

    async def in_background(
        self, work: Callable[_P, Awaitable[_R]], /, *args: _P.args, **kwargs: _P.kwargs
    ) -> _R:
        """``work`` run on the service's own loop (a batch of calls: never the UI's loop)."""
        ...

    async def reread(self, sku: str) -> tuple[Evidence, Diagnosis]:
        """Read one cached listing again (one getListingsItem) and diagnose it (bulk verify)."""
        ...

    async def delete(self, sku: str) -> SubmissionResult:
        """deleteListingsItem (retire the listing)."""
        ...

    async def aclose(self) -> None: ...


if TYPE_CHECKING:

    def _satisfies(service: AccountService) -> ListingService:
        return service  # mypy checks here that the real service is a ListingService


ServiceFactory = Callable[[], ListingService]


@dataclass(frozen=True, slots=True)
class CaseLabels:
    """What the list shows of saved wizard work: SKU -> step label, and anything to tell."""

    labels: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


CaseLabelLoader = Callable[[ListingService], CaseLabels]


def no_case_labels(service: ListingService) -> CaseLabels:
    return CaseLabels()
