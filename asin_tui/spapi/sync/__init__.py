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
them 20 at a time with searchListingsItems(identifiers=...); the cached SKUs it leaves out
are looked for before they are taken for gone (``everything._look_for_absent``).

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
from collections import Counter
from collections.abc import Collection
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from asin_tui.domain.fetch_policy import wants_evidence
from asin_tui.spapi import parse
from asin_tui.spapi.calls import ReportRequest
from asin_tui.spapi.sync.account_health import AccountHealthWatch
from asin_tui.spapi.sync.everything import _fetch_everything
from asin_tui.spapi.sync.evidence import _Evidence
from asin_tui.spapi.sync.model import (
    ABSENT_LOOKUPS,
    ACCOUNT_HEALTH,
    HEALTH_CHECKS,
    IDENTIFIERS_PER_SEARCH,
    INVENTORY_BATCH,
    LATER_PAUSE,
    LATER_ROUNDS,
    NOT_IN_REPORT,
    PAGE_SIZE,
    SEARCH_CAP,
    SEARCH_WINDOWS,
    WINDOW_TARGET,
    KnownAnswers,
    ListingSink,
    ProgressCallback,
    SearchWindows,
    SyncedListing,
    SyncProgress,
    SyncResult,
    listings_complete,
)
from asin_tui.spapi.sync.progress import _Tally
from asin_tui.spapi.sync.run import _fill_gaps, _Run
from asin_tui.spapi.sync.util import _discard, _none, _parsed
from asin_tui.spapi.sync.windows import (
    NEEDS_ATTENTION_QUERIES,
    _search_needs_attention,
)

if TYPE_CHECKING:  # sp_api and httpx load only when a client is opened
    from asin_tui.spapi.client import SpApi

__all__ = [
    "ABSENT_LOOKUPS",
    "ACCOUNT_HEALTH",
    "HEALTH_CHECKS",
    "IDENTIFIERS_PER_SEARCH",
    "INVENTORY_BATCH",
    "LATER_PAUSE",
    "LATER_ROUNDS",
    "NEEDS_ATTENTION_QUERIES",
    "NOT_IN_REPORT",
    "PAGE_SIZE",
    "SEARCH_CAP",
    "SEARCH_WINDOWS",
    "WINDOW_TARGET",
    "AccountHealthWatch",
    "KnownAnswers",
    "ListingSink",
    "ProgressCallback",
    "SearchWindows",
    "SyncProgress",
    "SyncResult",
    "SyncedListing",
    "fetch_listing",
    "listings_complete",
    "sync_account",
]


async def sync_account(
    api: SpApi,
    *,
    include_all: bool = False,
    progress: ProgressCallback | None = None,
    account_health: bool = True,
    pending_health: ReportRequest | None = None,
    on_listing: ListingSink | None = None,
    known: KnownAnswers | None = None,
    windows: SearchWindows = SEARCH_WINDOWS,
    cached: Collection[str] = (),
) -> SyncResult:
    """Fetch the listings that need attention (``include_all``: every listing) with their
    evidence (``on_listing``: handed to it as each is done, and not kept), and (``account_health``) follow the Account Health report alongside without
    waiting for it: ``pending_health`` (requested by an earlier sync) is looked at, otherwise
    a new one is requested. ``known``: restrictions and catalog answers an earlier sync
    fetched, used instead of calling again. ``windows``: how a search is split under
    Amazon's result cap (its defaults are Amazon's). ``cached``: the SKUs the cache holds (a
    full sync looks for those its listings report leaves out before they are taken for gone:
    ``SyncResult.gone``). Per-SKU failures land in ``failed``; an error that stops the whole
    sync (credentials, the listings report) raises SpApiError."""
    started = datetime.now(UTC)
    calls_before = Counter(api.calls)
    tally = _Tally(progress)
    run = _Run(api, tally, _Evidence(api, tally, known), include_all, on_listing, windows)
    health = AccountHealthWatch(api, pending_health)
    api.listeners.append(tally.waiting)
    health_task = asyncio.ensure_future(health.watch() if account_health else _none())
    try:
        if include_all:
            await _fetch_everything(run, cached)
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
        gone=run.gone,
        include_all=include_all,
        started_at=started,
        finished_at=datetime.now(UTC),
        account_health=health.document,
        pending_health=health.pending,
    )


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
