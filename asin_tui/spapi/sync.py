"""Sync: fetch what needs attention (or every listing) with all the evidence a diagnosis uses,
as fast as Amazon's usage plans allow.

Each operation has its own rate budget, so the work is a pipeline: listings stream out of
searchListingsItems while FBA inventory (50 SKUs a call), listing restrictions (per ASIN and
condition), catalog items (searchCatalogItems, 20 ASINs a call) and product type definitions
are fetched for them concurrently, each paced by its own bucket. Evidence is fetched only where it can explain something:

- FBA inventory for FBA listings and for SKUs with no live listing (stranded units);
- restrictions for a listing that is not buyable while nothing it carries explains why
  (no suppression in force, stock on hand, a price) — a gate is then the likely cause;
- the catalog item when nothing else explained the listing, restrictions included, or when
  Amazon flags missing attributes (a product type change may be why); never for an item
  Amazon already says it removed (CATALOG_ITEM_REMOVED in force);
- each product type's definition and schema once.

Needs-attention scope, as three disjoint searches (so no page is fetched twice):
not BUYABLE; BUYABLE but not DISCOVERABLE; BUYABLE and DISCOVERABLE with an ERROR or WARNING
issue (exemptions about to expire). A search with more than Amazon's 1,000-result cap is split
into created-date windows (the outer ones open-ended, so listings whose dates are not shown —
incomplete SKUs — still fall in one), recursively until each window fits.

``include_all`` reads the GET_MERCHANT_LISTINGS_ALL_DATA report for every SKU, then fetches
them 20 at a time with searchListingsItems(identifiers=...).

A sync also follows the Account Health report (GET_V2_SELLER_PERFORMANCE_REPORT, the
account gate of docs/INACTIVE_CAUSES.md) alongside the listings, and never waits for it: Amazon
takes minutes to prepare one. It looks at the report an earlier sync requested (or requests
one), at most HEALTH_CHECKS times while the listings are still being fetched; once they are
done the sync returns, and a report Amazon is still preparing is handed back as
``SyncResult.pending_health`` for the next look (:class:`AccountHealthWatch`). Its failure is
not the sync's: it is noted in ``failed`` under ``ACCOUNT_HEALTH`` and the listings are
still complete.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import math
from collections import Counter
from collections.abc import Awaitable, Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from asin_tui.domain.models import InventorySummary, Listing, requirements_for_key
from asin_tui.spapi import parse
from asin_tui.spapi.calls import CATALOG_SEARCH_MAX, ReportRequest, WaitNotice
from asin_tui.spapi.errors import (
    AuthError,
    BadRequest,
    Forbidden,
    MalformedResponse,
    NotFound,
    SpApiError,
    Throttled,
    Unavailable,
)

if TYPE_CHECKING:  # sp_api and httpx load only when a client is opened
    from asin_tui.spapi.client import SpApi

SEARCH_CAP = 1000  # Amazon pages through at most this many results of one query
WINDOW_TARGET = 800  # split so each window should hold about this many (room to spare)
PAGE_SIZE = 20
IDENTIFIERS_PER_SEARCH = 20
INVENTORY_BATCH = 50
_SUPPRESSING = frozenset({"LISTING_SUPPRESSED", "CATALOG_ITEM_REMOVED"})
ACCOUNT_HEALTH = "account health"  # its key in SyncResult.failed
#: How many times a sync looks at a pending Account Health report (getReport: 2/s, burst 15).
HEALTH_CHECKS = 3
#: How many more times, once every other page is in, a sync tries the search pages (and
#: listing batches) that failed after all their retries, pausing longer before each round.
LATER_ROUNDS = 3
#: The pause before the first of those rounds, in backoff bases (doubled each round):
#: 0.5 s × 8 = 4 s, then 8 s, 16 s at Amazon's clock.
LATER_PAUSE = 8.0

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


def listings_complete(failed: Iterable[str]) -> bool:
    """Whether a sync with these ``failed`` keys fetched every listing in its scope."""
    return all(key == ACCOUNT_HEALTH for key in failed)


ProgressCallback = Callable[[SyncProgress], None]


# --------------------------------------------------------------------------- what to fetch


def needs_attention(listing: Listing) -> bool:
    """Not buyable, hidden from search, or carrying an ERROR/WARNING issue here."""
    return (
        not listing.has_summary
        or not listing.buyable
        or not listing.discoverable
        or any(i.severity in ("ERROR", "WARNING") for i in listing.issues_here())
    )


def wants_evidence(listing: Listing) -> bool:
    """Variation parents are never buyable by design: they gain nothing from inventory,
    restrictions or catalog calls. (Incomplete SKUs still may have stock in Amazon's
    warehouses; having no ASIN, they get nothing else.)"""
    return not listing.is_variation_parent and needs_attention(listing)


def wants_inventory(listing: Listing) -> bool:
    """FBA listings, and SKUs with no live listing (no summary): their fulfillment data may
    be gone while units still sit in Amazon's warehouses (stranded). A SKU rides along in a
    batch of 50, so asking costs next to nothing."""
    return listing.is_fba or not listing.has_summary


def catalog_removed(listing: Listing) -> bool:
    return any(
        issue.enforcement is not None
        and issue.enforcement.in_force
        and "CATALOG_ITEM_REMOVED" in issue.enforcement.actions
        for issue in listing.issues_here()
    )


def flags_missing_attributes(listing: Listing) -> bool:
    """Amazon flags missing attributes here: the catalog may have reclassified the item
    (its product type now requires them: docs/INACTIVE_CAUSES.md row 14)."""
    return any("MISSING_ATTRIBUTE" in issue.categories for issue in listing.issues_here())


def unexplained(listing: Listing, inventory: InventorySummary | None) -> bool:
    """Not buyable although nothing the listing carries says why (no suppression in force,
    stock on hand, a price): what a restriction (gate) or a catalog problem explains."""
    if listing.buyable:
        return False
    for issue in listing.issues_here():
        enforcement = issue.enforcement
        if (
            enforcement is not None
            and enforcement.in_force
            and _SUPPRESSING & set(enforcement.actions)
        ):
            return False
    if not listing.fulfillment:
        return False  # closed: no channel at all
    if listing.is_fba:
        if inventory is not None and inventory.fulfillable == 0:
            return False
    elif listing.mfn_quantity == 0:
        return False
    return not (listing.has_data("offers") and listing.price is None)


# --------------------------------------------------------------------------- shared fetches


class _Once:
    """Run each keyed fetch once; everyone asking for the same key shares the answer."""

    def __init__(self) -> None:
        self._tasks: dict[Hashable, asyncio.Task[Any]] = {}

    def get(self, key: Hashable, fetch: Callable[[], Awaitable[T]]) -> asyncio.Task[T]:
        task = self._tasks.get(key)
        if task is None:
            task = self._tasks[key] = asyncio.ensure_future(fetch())
        return task


Found = Mapping[str, dict[str, Any] | None]


class _Batches:
    """Collects keys (SKUs, ASINs) into calls of up to ``size``, each key asked once.

    A batch goes out when it is full, or once nothing more can join it: the batcher is
    ``close``d (no more listings are coming) and nobody ``hold``s it (a listing that may still
    ask for a key). ``fetch`` answers a batch with what it found per key; a key it does not
    answer gets None. A key containing a comma cannot travel in a comma-joined list: it is
    asked on its own at once.
    """

    def __init__(
        self, size: int, fetch: Callable[[list[str]], Awaitable[Found]], tally: _Tally, phase: str
    ) -> None:
        self._size = size
        self._fetch = fetch
        self._tally = tally
        self._phase = phase
        self._asked: dict[str, asyncio.Future[dict[str, Any] | None]] = {}
        self._pending: dict[str, asyncio.Future[dict[str, Any] | None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._holds = 0
        self._closed = False
        self._flush_scheduled = False

    def get(self, key: str) -> asyncio.Future[dict[str, Any] | None]:
        future = self._asked.get(key)
        if future is None:
            future = self._asked[key] = asyncio.get_running_loop().create_future()
            self._tally.expect(self._phase)
            if "," in key:
                self._send({key: future})
                return future
            self._pending[key] = future
            if len(self._pending) >= self._size:
                self._send_pending()
            else:
                self._schedule_flush()
        return future

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """While held, a partial batch waits: the holder may still add to it."""
        self._holds += 1
        try:
            yield
        finally:
            self._holds -= 1
            self._schedule_flush()

    def close(self) -> None:
        self._closed = True
        self._schedule_flush()

    def cancel(self) -> None:
        """Stop the calls in flight (the sync ended early)."""
        for task in list(self._tasks):
            task.cancel()

    def _schedule_flush(self) -> None:
        """Send the partial batch at the next turn of the event loop, if nothing can still
        join it then (listings that took a hold meanwhile are waited for)."""
        if self._closed and not self._holds and self._pending and not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        if not self._holds:
            self._send_pending()

    def _send_pending(self) -> None:
        if self._pending:
            batch, self._pending = self._pending, {}
            self._send(batch)

    def _send(self, batch: dict[str, asyncio.Future[dict[str, Any] | None]]) -> None:
        task = asyncio.ensure_future(self._answer(batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(self, batch: dict[str, asyncio.Future[dict[str, Any] | None]]) -> None:
        # A future may be done already: cancelled with the listing that waited for it.
        try:
            found = await self._fetch(list(batch))
        except SpApiError as exc:
            for future in batch.values():
                if not future.done():
                    future.set_exception(exc)
            return
        for key, future in batch.items():
            if not future.done():
                future.set_result(found.get(key))
        self._tally.add(self._phase, len(batch))


class _Evidence:
    """Fetches the evidence for listings, sharing every call that can be shared: FBA
    inventory 50 SKUs a call, catalog items 20 ASINs a call, restrictions and product type
    definitions once per key."""

    def __init__(self, api: SpApi, tally: _Tally, known: KnownAnswers | None = None) -> None:
        self._api = api
        self._tally = tally
        self._known = known or KnownAnswers()
        inventory, catalog = self._inventory_by_sku, api.search_catalog_items
        self.inventory = _Batches(
            INVENTORY_BATCH, lambda keys: self._again(lambda: inventory(keys)), tally, "inventory"
        )
        self.catalog = _Batches(
            CATALOG_SEARCH_MAX, lambda keys: self._again(lambda: catalog(keys)), tally, "catalog"
        )
        self._restrictions = _Once()
        self._product_types = _Once()

    async def _again(self, call: Callable[[], Awaitable[T]]) -> T:
        """An evidence call that failed after all its retries is tried again a little later
        before its listing goes without it: a burst of throttling costs time, not evidence."""
        return await _later_tries(self._api, call)

    async def gather(self, synced: SyncedListing, listing: Listing) -> None:
        """Fill ``synced`` with what can explain ``listing``. A call that gives up leaves its
        section out and is noted in ``synced.gaps`` (the rest is still fetched); refused
        credentials raise AuthError."""
        if not listing.asin or catalog_removed(listing):
            # nothing to look up, or Amazon already said the item is gone
            await self._inventory_for(synced, listing)
            return
        with self.catalog.hold():  # until this listing knows whether its catalog item helps
            inventory = await self._inventory_for(synced, listing)
            look_up = await self._catalog_may_explain(synced, listing, inventory)
            if look_up:
                synced.catalog_key = listing.asin
            known = self._known.catalog.get(listing.asin) if look_up else None
            found = self.catalog.get(listing.asin) if look_up and known is None else None
        if known is not None:  # an earlier sync's answer, fresh enough
            synced.catalog, synced.fetched["catalog"] = known
            synced.catalog_not_found = synced.catalog is None
            synced.reused.add("catalog")
        elif found is not None:
            try:
                synced.catalog = await found
            except SpApiError as exc:
                synced.missed("catalog", exc)
                return
            synced.catalog_not_found = synced.catalog is None
            synced.fetched["catalog"] = datetime.now(UTC)

    def close(self) -> None:
        """No more listings are coming: send what the batches hold."""
        self.inventory.close()
        self.catalog.close()

    def cancel(self) -> None:
        self.inventory.cancel()
        self.catalog.cancel()

    async def _inventory_for(
        self, synced: SyncedListing, listing: Listing
    ) -> InventorySummary | None:
        if not wants_inventory(listing):
            return None
        try:
            synced.inventory = await self.inventory.get(listing.sku)
            if synced.inventory is None:
                return None
            return _parsed(parse.parse_inventory_summaries, [synced.inventory])[0]
        except SpApiError as exc:
            synced.inventory = None
            synced.missed("inventory", exc)
            return None

    async def _catalog_may_explain(
        self, synced: SyncedListing, listing: Listing, inventory: InventorySummary | None
    ) -> bool:
        """Whether the catalog item can explain the listing: Amazon flags missing attributes,
        or nothing else does, restrictions included (fetched here when it is unexplained)."""
        look_up = flags_missing_attributes(listing)
        if listing.asin and unexplained(listing, inventory):  # restrictions are per ASIN
            key = synced.restrictions_key = (listing.asin, listing.condition_type)
            known = self._known.restrictions.get(key)
            try:
                if known is not None:  # an earlier sync's answer, fresh enough
                    synced.restrictions, synced.fetched["restrictions"] = known
                    synced.reused.add("restrictions")
                else:
                    synced.restrictions = await self._restrictions_for(*key)
                    synced.fetched["restrictions"] = datetime.now(UTC)
            except SpApiError as exc:
                synced.missed("restrictions", exc)
            look_up = look_up or not synced.restrictions
        return look_up

    async def _inventory_by_sku(self, skus: list[str]) -> Found:
        payload = await self._api.inventory_summaries(skus)
        summaries = payload["inventorySummaries"]
        return {s["sellerSku"]: s for s in summaries if isinstance(s, dict) and s.get("sellerSku")}

    def _restrictions_for(self, asin: str, condition: str | None) -> Awaitable[list[Any]]:
        async def fetch() -> list[Any]:
            self._tally.expect("restrictions")
            body = await self._again(lambda: self._api.restrictions(asin, condition))
            self._tally.add("restrictions")
            restrictions = body.get("restrictions")
            if not isinstance(restrictions, list):
                raise MalformedResponse(
                    "the answer has no 'restrictions' list", operation="getListingsRestrictions"
                )
            return restrictions

        return self._restrictions.get((asin, condition), fetch)

    def product_type(self, key: str) -> asyncio.Task[tuple[dict, dict]]:
        """The definition and schema for a ``Listing.requirements_key`` (the product type,
        with LISTING_OFFER_ONLY requirements for offer-only listings), fetched once."""

        async def fetch() -> tuple[dict, dict]:
            self._tally.expect("product types")
            definition_and_schema = await self._again(
                lambda: self._api.product_type(*requirements_for_key(key))
            )
            self._tally.add("product types")
            return definition_and_schema

        return self._product_types.get(key, fetch)


# --------------------------------------------------------------------------- progress

_PHASES = {
    "searchListingsItems": "search",
    "getListingsItem": "listings",
    "getInventorySummaries": "inventory",
    "getListingsRestrictions": "restrictions",
    "searchCatalogItems": "catalog",
    "getDefinitionsProductType": "product types",
    "download": "product types",
    "createReport": "report",
    "getReport": "report",
    "getReportDocument": "report",
}


class _Tally:
    """Counts work done/expected per phase and reports it as SyncProgress."""

    _WORDS = {
        "inventory": "FBA inventory",
        "restrictions": "Listing restrictions",
        "catalog": "Catalog items",
        "product types": "Product types",
    }

    def __init__(self, progress: ProgressCallback | None) -> None:
        self._progress = progress
        self.done: Counter[str] = Counter()
        self.total: Counter[str] = Counter()
        self.pages_expected = 0

    def emit(
        self, phase: str, message: str, *, total: int | None = None, waiting: bool = False
    ) -> None:
        if self._progress is not None:
            self._progress(SyncProgress(phase, self.done[phase], total, message, waiting))

    def expect(self, phase: str, n: int = 1) -> None:
        self.total[phase] += n

    def add(self, phase: str, n: int = 1) -> None:
        self.done[phase] += n
        if phase in self._WORDS:
            total = self.total[phase]
            self.emit(phase, f"{self._WORDS[phase]} {self.done[phase]}/{total}", total=total)

    def page(self) -> None:
        self.done["search"] += 1
        total = max(self.pages_expected, self.done["search"])
        self.emit(
            "search", f"Searching listings: page {self.done['search']} of ~{total}", total=total
        )

    def waiting(self, notice: WaitNotice) -> None:
        if notice.reason == "report":
            message = (
                f"Amazon is preparing the {notice.detail}; checking again in {notice.seconds:.0f} s"
            )
            self.emit("report", message, waiting=True)
        elif notice.reason == "throttled":
            self.emit(
                _PHASES.get(notice.operation, "search"),
                f"Throttled by Amazon, waiting {notice.seconds:.1f} s",
                waiting=True,
            )
        else:
            self.emit(
                _PHASES.get(notice.operation, "search"),
                f"{notice.detail or 'Request failed'} ({notice.operation}), "
                f"retrying in {notice.seconds:.1f} s",
                waiting=True,
            )


# --------------------------------------------------------------------------- the sync


@dataclass
class _Run:
    api: SpApi
    tally: _Tally
    evidence: _Evidence
    include_all: bool
    #: Where finished listings go; None: kept in ``listings`` for the result.
    sink: ListingSink | None = None
    listings: dict[str, SyncedListing] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)  # every SKU accepted
    failed: dict[str, str] = field(default_factory=dict)
    product_types: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    seen_types: set[str] = field(default_factory=set)
    gaps: list[_Gap] = field(default_factory=list)  # failed pages, to try again later
    missing: dict[str, int | None] = field(default_factory=dict)  # see SyncResult.missing

    async def accept(self, items: Iterable[Any]) -> None:
        """Take listings from a search answer and start fetching their evidence. They are
        parsed in a thread: a page is CPU work the event loop (the UI's) should not do."""
        page = []
        for item in items:
            sku = item.get("sku") if isinstance(item, dict) else None
            if isinstance(sku, str) and sku not in self.seen:
                self.seen.add(sku)
                page.append(SyncedListing(sku, item))
        if not page:
            return
        parsed = await asyncio.to_thread(_parse_listings, page, self.api.marketplace_id)
        for synced, listing in zip(page, parsed, strict=True):
            self.tasks.append(asyncio.ensure_future(self._complete(synced, listing)))

    async def _complete(
        self, synced: SyncedListing, listing: Listing | parse.UnreadableBody
    ) -> None:
        if isinstance(listing, parse.UnreadableBody):  # named, and handed on as it is
            self.failed[synced.sku] = f"unreadable listing: {listing}"
            await self._done(synced, None)
            return
        product_type = listing.requirements_key  # offer-only: LISTING_OFFER_ONLY requirements
        if product_type and product_type not in self.seen_types:
            self.seen_types.add(product_type)
            self.tasks.append(asyncio.ensure_future(self._product_type(product_type)))
        if wants_evidence(listing):
            await self.evidence.gather(synced, listing)
            if synced.gaps:
                self.failed[synced.sku] = "evidence incomplete: " + "; ".join(
                    why for _, why in synced.gaps.values()
                )
        await self._done(synced, product_type)

    async def _done(self, synced: SyncedListing, product_type: str | None) -> None:
        """The listing is fetched: to the sink, or kept for the result."""
        if self.sink is None:
            self.listings[synced.sku] = synced
            return
        definition = None
        if product_type:  # the sink diagnoses it: with its product type's definition
            with contextlib.suppress(SpApiError):  # noted in failed by _product_type
                definition = await self.evidence.product_type(product_type)
        await self.sink(synced, product_type, definition)

    async def _product_type(self, product_type: str) -> None:
        try:
            self.product_types[product_type] = await self.evidence.product_type(product_type)
        except SpApiError as exc:
            self.fail(f"product type {product_type}", exc)

    def fail(self, key: str, error: SpApiError, prefix: str = "") -> None:
        """Note what could not be fetched, and go on; refused credentials end the sync.
        An operation the application may not use (Forbidden) fails on its own."""
        if isinstance(error, AuthError):
            raise error
        self.failed[key] = f"{prefix}{error}"

    def fail_search(self, key: str, error: SpApiError) -> None:
        """A search page could not be fetched. When Amazon forbids the search before any
        listing was read, nothing can be: that ends the sync with Amazon's answer."""
        if isinstance(error, Forbidden) and not self.seen:
            raise error
        self.fail(key, error)

    def later(self, gap: _Gap) -> None:
        """A page (or batch of listings) failed after all its retries: try it again once the
        rest is in (:func:`_fill_gaps`). One that cannot succeed later (Amazon refused it,
        not merely failed) is given up on at once."""
        if isinstance(gap.error, AuthError):
            raise gap.error
        if gap.error.retryable:
            self.gaps.append(gap)
        else:
            self.give_up(gap)

    def give_up(self, gap: _Gap) -> None:
        """Name what is missing for good: its key, why, and at most how many listings."""
        if gap.key.startswith("search: "):
            self.fail_search(gap.key, gap.error)
        else:
            self.fail(gap.key, gap.error)
        self.failed[gap.key] += gap.tail
        self.missing[gap.key] = gap.at_most

    async def finish(self) -> None:
        """No more listings are coming: wait for every evidence fetch (a task may start
        others, so loop until no new one appeared)."""
        self.evidence.close()
        done = 0
        while done < len(self.tasks):
            batch = self.tasks[done:]
            done = len(self.tasks)
            await _all(batch)

    def cancel(self) -> None:
        """Stop whatever is still running (the sync ended early)."""
        for task in self.tasks:
            task.cancel()
        self.evidence.cancel()


@dataclass
class _Gap:
    """Something the sync could not fetch yet, and how to try again."""

    key: str  # its key in ``failed`` if it stays missing
    error: SpApiError  # why the last try failed
    retry: Callable[[], Awaitable[None]]  # fetches it (a failure there adds a new gap)
    at_most: int | None  # how many listings it can hold (None: unknown)
    spot: str | None = None  # where in it (the page token; None: its start)
    rounds: int = 0  # how many later rounds tried it already

    @property
    def tail(self) -> str:
        tries = f" (tried again {self.rounds} times later in this sync)" if self.rounds else ""
        listings = (
            "an unknown number of listings"
            if self.at_most is None
            else f"up to {self.at_most} listing{'s' if self.at_most != 1 else ''}"
        )
        return f"{tries}; {listings} not fetched"


async def _fill_gaps(run: _Run) -> None:
    """Try again what failed after its retries (pages, listing batches), in rounds with a
    growing pause, so that a burst of throttling or a short outage costs time, not listings.
    Each gap is tried again up to LATER_ROUNDS times (a page that comes on its second try
    may lead to a next page that fails: that one gets its own tries); what still fails is
    named in ``failed`` with how much it can hold."""
    while run.gaps:
        spent = [gap for gap in run.gaps if gap.rounds >= LATER_ROUNDS]
        gaps = [gap for gap in run.gaps if gap.rounds < LATER_ROUNDS]
        run.gaps = []
        for gap in spent:
            run.give_up(gap)
        if not gaps:
            return
        pause = run.api.backoff.base * LATER_PAUSE * 2 ** min(gap.rounds for gap in gaps)
        run.tally.emit(
            "search",
            f"{len(gaps)} page{'s' if len(gaps) != 1 else ''} failed; trying again in "
            f"{pause:.0f} s",
            waiting=True,
        )
        await asyncio.sleep(pause)
        await _all(_retry(run, gap) for gap in gaps)


async def _retry(run: _Run, gap: _Gap) -> None:
    before = len(run.gaps)
    await gap.retry()
    for new in run.gaps[before:]:  # the same page failing again: one more round spent
        if new.key == gap.key and new.spot == gap.spot:
            new.rounds = gap.rounds + 1


async def sync_account(
    api: SpApi,
    *,
    include_all: bool = False,
    progress: ProgressCallback | None = None,
    account_health: bool = True,
    pending_health: ReportRequest | None = None,
    on_listing: ListingSink | None = None,
    known: KnownAnswers | None = None,
) -> SyncResult:
    """Fetch the listings that need attention (``include_all``: every listing) with their
    evidence (``on_listing``: handed to it as each is done, and not kept), and (``account_health``) follow the Account Health report alongside without
    waiting for it: ``pending_health`` (requested by an earlier sync) is looked at, otherwise
    a new one is requested. ``known``: restrictions and catalog answers an earlier sync
    fetched, used instead of calling again. Per-SKU failures land in ``failed``; an error that stops the whole
    sync (credentials, the listings report) raises SpApiError."""
    started = datetime.now(UTC)
    calls_before = Counter(api.calls)
    tally = _Tally(progress)
    run = _Run(api, tally, _Evidence(api, tally, known), include_all, on_listing)
    health = AccountHealthWatch(api, pending_health)
    api.listeners.append(tally.waiting)
    health_task = asyncio.ensure_future(health.watch() if account_health else _none())
    try:
        if include_all:
            await _fetch_everything(run)
        else:
            await _search_needs_attention(run)
        await _fill_gaps(run)
        await run.finish()
        if health_task.done():
            health_task.result()  # refused credentials end the sync
    finally:
        api.listeners.remove(tally.waiting)
        run.cancel()
        _discard(health_task)  # still looking: the report stays pending for the next look
    if health.error is not None:
        run.failed[ACCOUNT_HEALTH] = health.error
    calls = Counter(api.calls)
    calls.subtract(calls_before)
    return SyncResult(
        listings=sorted(run.listings.values(), key=lambda s: s.sku),
        product_types=run.product_types,
        failed=run.failed,
        calls=+calls,
        complete=listings_complete(run.failed),
        missing=run.missing,
        include_all=include_all,
        started_at=started,
        finished_at=datetime.now(UTC),
        account_health=health.document,
        pending_health=health.pending,
    )


async def _later_tries(api: SpApi, call: Callable[[], Awaitable[T]]) -> T:
    """``call``, and when it fails after all the client's retries with an error that may pass
    (throttling, Amazon unavailable, a cut-off answer), again LATER_ROUNDS times, the pause
    growing as for search pages."""
    for attempt in range(LATER_ROUNDS + 1):
        try:
            return await call()
        except SpApiError as exc:
            if not exc.retryable or attempt == LATER_ROUNDS:
                raise
        await asyncio.sleep(api.backoff.base * LATER_PAUSE * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover


async def _none() -> None:
    return None


class AccountHealthWatch:
    """Follows the Account Health report without anyone waiting for it.

    :meth:`watch` looks at ``pending`` (a report requested earlier) up to ``checks`` times,
    pausing longer each time; when there is none, or Amazon no longer knows it (reports
    expire), it requests a new one if ``request``. Its fields say where it stands at any
    moment, also after the watch was cancelled (the listings were done first):
    ``document`` (the report, when Amazon was done with it), ``pending`` (still being
    prepared: look again later) and ``error`` (why it could not be had). Refused credentials
    raise AuthError.
    """

    def __init__(
        self,
        api: SpApi,
        pending: ReportRequest | None,
        *,
        request: bool = True,
        checks: int = HEALTH_CHECKS,
    ) -> None:
        self._api = api
        self._request = request
        self._checks = checks
        self.pending = pending
        self.document: dict[str, Any] | None = None
        self.error: str | None = None

    async def watch(self) -> None:
        try:
            if self.pending is not None:
                try:
                    await self._look(self.pending)
                    return
                except NotFound:
                    self.pending = None  # expired (or never this account's): ask again
            if self._request:
                self.pending = await self._api.request_account_health()
                await self._look(self.pending)
        except SpApiError as exc:
            if isinstance(exc, AuthError):
                raise
            if not isinstance(exc, (Throttled, Unavailable)):
                self.pending = None  # Amazon will not produce it: a later sync asks again
            self.error = str(exc)

    async def _look(self, request: ReportRequest) -> None:
        check = await self._api.check_account_health(request.report_id, checks=self._checks)
        if not check.pending:
            self.pending = None
            self.document = check.document


async def fetch_listing(api: SpApi, sku: str) -> SyncedListing:
    """One listing with all its evidence (the wizard's Verify step). Raises SpApiError."""
    item = await api.get_listing(sku)
    synced = SyncedListing(sku, item)
    listing = _parsed(parse.parse_listing, item, api.marketplace_id)
    if wants_evidence(listing):
        evidence = _Evidence(api, _Tally(None))
        evidence.close()  # a single SKU: send its requests at once
        await evidence.gather(synced, listing)
    return synced


# --------------------------------------------------------------------------- needs attention

#: Disjoint searches whose union is every listing that needs attention.
NEEDS_ATTENTION_QUERIES: dict[str, dict[str, Any]] = {
    "not buyable": {"withoutStatus": ["BUYABLE"]},
    "hidden from search": {"withStatus": ["BUYABLE"], "withoutStatus": ["DISCOVERABLE"]},
    "live with issues": {
        "withStatus": ["BUYABLE", "DISCOVERABLE"],
        "withIssueSeverity": ["ERROR", "WARNING"],
    },
}


async def _search_needs_attention(run: _Run) -> None:
    run.tally.emit("search", "Searching listings that need attention")
    await _all(_search(run, label, filters) for label, filters in NEEDS_ATTENTION_QUERIES.items())


async def _search(
    run: _Run,
    label: str,
    filters: dict[str, Any],
    after: datetime | None = None,
    before: datetime | None = None,
    at_most: int | None = None,
) -> None:
    """Every listing matching ``filters`` created in [after, before], splitting the window
    while it holds more than Amazon will page through (``at_most``: what the window can hold,
    known from the wider search it was split from)."""
    window = {
        **filters,
        "createdAfter": _iso(after) if after else None,
        "createdBefore": _iso(before) if before else None,
        "sortBy": "createdDate",
        "sortOrder": "ASC",
    }
    key = f"search: {_describe(label, after, before)}"
    try:
        first = await run.api.search_listings(**window)
    except SpApiError as exc:
        run.later(
            _Gap(key, exc, lambda: _search(run, label, filters, after, before, at_most), at_most)
        )
        return
    total = _int(first.get("numberOfResults"), default=len(first["items"]))
    windows = _split(first["items"], total, after, before) if total > SEARCH_CAP else []
    # this page, plus the pages still to come (a split window counts its own)
    pages = math.ceil(min(total, SEARCH_CAP) / PAGE_SIZE)
    run.tally.pages_expected += 1 if windows else max(1, pages)
    run.tally.page()
    await run.accept(first["items"])
    if windows:
        await _all(_search(run, label, filters, a, b, total) for a, b in windows)
        return
    if total > SEARCH_CAP:
        key = f"search: {_describe(label, after, before)}"
        run.failed[key] = (
            f"{total} listings were created within one second; Amazon returns only "
            f"{SEARCH_CAP} of them"
        )
        run.missing[key] = total - SEARCH_CAP
    search = _Pages(run, label, filters, window, after, before, min(total, SEARCH_CAP))
    await search.follow(first, len(first["items"]))


@dataclass
class _Pages:
    """The pages of one search window after its first."""

    run: _Run
    label: str
    filters: dict[str, Any]
    window: dict[str, Any]
    after: datetime | None
    before: datetime | None
    total: int  # listings Amazon will page through in this window

    async def follow(self, page: dict[str, Any], fetched: int) -> None:
        """Fetch the pages after ``page`` (``fetched``: the window's listings so far)."""
        while token := page["pagination"].get("nextToken"):
            try:
                page = await self.run.api.search_listings(**self.window, pageToken=token)
            except SpApiError as exc:
                self.run.later(
                    _Gap(
                        f"search: {_describe(self.label, self.after, self.before)}",
                        exc,
                        functools.partial(self.resume, token, fetched),
                        max(0, self.total - fetched),
                        spot=token,
                    )
                )
                return
            self.run.tally.page()
            fetched += len(page["items"])
            await self.run.accept(page["items"])

    async def resume(self, token: str, fetched: int) -> None:
        """Go on from the page that failed; if Amazon no longer takes its token, search the
        window again from its start (listings already read are not read twice)."""
        try:
            page = await self.run.api.search_listings(**self.window, pageToken=token)
        except SpApiError as exc:
            if isinstance(exc, BadRequest) and not exc.retryable:  # the token expired
                await _search(
                    self.run, self.label, self.filters, self.after, self.before, self.total
                )
                return
            self.run.later(
                _Gap(
                    f"search: {_describe(self.label, self.after, self.before)}",
                    exc,
                    lambda: self.resume(token, fetched),
                    max(0, self.total - fetched),
                    spot=token,
                )
            )
            return
        self.run.tally.page()
        await self.run.accept(page["items"])
        await self.follow(page, fetched + len(page["items"]))


def _split(
    first_page: list[Any], total: int, after: datetime | None, before: datetime | None
) -> list[tuple[datetime | None, datetime | None]]:
    """Created-date windows covering [after, before] that should each hold at most
    WINDOW_TARGET listings (assuming an even spread; uneven ones are split again).
    Empty when the span cannot be split (under a second)."""
    start = _earliest_created(first_page) or after
    end = before or datetime.now(UTC) + timedelta(minutes=1)
    if start is None or (end - start).total_seconds() < 2:
        return []
    parts = max(2, math.ceil(total / WINDOW_TARGET))
    step = (end - start) / parts
    bounds = sorted({(start + step * i).replace(microsecond=0) for i in range(1, parts)})
    edges: list[datetime | None] = [after, *bounds, before]
    return list(itertools.pairwise(edges))


def _earliest_created(items: list[Any]) -> datetime | None:
    """The earliest createdDate shown on a page (incomplete SKUs show none)."""
    dates = []
    for item in items:
        summaries = item.get("summaries") if isinstance(item, dict) else None
        for summary in summaries if isinstance(summaries, list) else ():
            try:
                created = parse.parse_datetime(summary.get("createdDate"), "createdDate")
            except (parse.UnreadableBody, AttributeError):
                continue
            if created is not None:
                dates.append(created)
    return min(dates, default=None)


# --------------------------------------------------------------------------- everything


async def _fetch_everything(run: _Run) -> None:
    run.tally.emit("report", "Requesting the listings report from Amazon")
    rows = await _later_tries(run.api, run.api.merchant_listings)  # every SKU comes from it
    skus = list(dict.fromkeys(row["seller-sku"] for row in rows if row.get("seller-sku")))
    run.tally.emit("listings", f"Fetching {len(skus)} listings", total=len(skus))
    batchable = [sku for sku in skus if "," not in sku]
    batches = [
        batchable[i : i + IDENTIFIERS_PER_SEARCH]
        for i in range(0, len(batchable), IDENTIFIERS_PER_SEARCH)
    ]
    singles = [sku for sku in skus if "," in sku]  # cannot travel in a comma-joined list
    await _all(
        [
            *(_fetch_batch(run, batch, len(skus)) for batch in batches),
            *(_fetch_single(run, sku, len(skus)) for sku in singles),
        ]
    )


async def _fetch_batch(run: _Run, skus: list[str], total: int) -> None:
    try:
        page = await run.api.search_listings(
            identifiersType="SKU", identifiers=skus, page_size=IDENTIFIERS_PER_SEARCH
        )
    except SpApiError as exc:
        if not exc.retryable:
            for sku in skus:
                run.fail(sku, exc)
                run.missing[sku] = 1
            return
        # try the batch again later; each SKU alone if it fails again
        run.later(
            _Gap(
                f"listings {skus[0]}…{skus[-1]}",
                exc,
                lambda: _fetch_each(run, skus, total),
                len(skus),
            )
        )
        return
    await run.accept(page["items"])
    _listings_progress(run, len(skus), total)
    missing = [sku for sku in skus if sku not in run.seen]
    await _all(_fetch_single(run, sku, total, counted=True) for sku in missing)


async def _fetch_each(run: _Run, skus: list[str], total: int) -> None:
    """A batch that failed, tried again later: one search for it, then each SKU not in it."""
    try:
        page = await run.api.search_listings(
            identifiersType="SKU", identifiers=skus, page_size=IDENTIFIERS_PER_SEARCH
        )
        await run.accept(page["items"])
    except SpApiError:
        pass  # each SKU on its own, below
    missing = [sku for sku in skus if sku not in run.seen]
    await _all(_fetch_single(run, sku, total, counted=True) for sku in missing)


async def _fetch_single(run: _Run, sku: str, total: int, *, counted: bool = False) -> None:
    try:
        await run.accept([await run.api.get_listing(sku)])
    except NotFound:
        run.failed[sku] = "in the listings report, but SP-API does not know the SKU"
    except SpApiError as exc:
        run.later(_Gap(sku, exc, lambda: _fetch_single(run, sku, total, counted=True), 1))
    if not counted:
        _listings_progress(run, 1, total)


def _listings_progress(run: _Run, n: int, total: int) -> None:
    run.tally.done["listings"] += n
    run.tally.emit("listings", f"Listings {run.tally.done['listings']}/{total}", total=total)


# --------------------------------------------------------------------------- helpers


async def _all(aws: Iterable[Awaitable[Any]]) -> None:
    """Await them all; if one fails, cancel the others and raise its error."""
    tasks = [asyncio.ensure_future(aw) for aw in aws]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        raise


def _discard(task: asyncio.Task[Any]) -> None:
    """Stop a task whose result is no longer wanted (an error it ended with included)."""
    if task.done() and not task.cancelled():
        task.exception()
    task.cancel()


def _parse_listings(
    page: list[SyncedListing], marketplace_id: str
) -> list[Listing | parse.UnreadableBody]:
    """Each listing parsed, or why it cannot be."""
    parsed: list[Listing | parse.UnreadableBody] = []
    for synced in page:
        try:
            parsed.append(parse.parse_listing(synced.item, marketplace_id))
        except parse.UnreadableBody as exc:
            parsed.append(exc)
    return parsed


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parsed(parser: Callable[..., T], *args: Any) -> T:
    """Parse a fresh answer; a body of the wrong shape is a MalformedResponse like any other."""
    try:
        return parser(*args)
    except parse.UnreadableBody as exc:
        raise MalformedResponse(str(exc)) from None


def _int(value: Any, *, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _describe(label: str, after: datetime | None, before: datetime | None) -> str:
    if after is None and before is None:
        return label
    return f"{label}, created {_iso(after) if after else '…'} to {_iso(before) if before else '…'}"
