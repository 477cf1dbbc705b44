"""One sync's shared state (the client, the evidence, the tally, the failures) and its second
round for what failed (gaps retried after a pause)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from asin_tui.domain.fetch_policy import wants_evidence
from asin_tui.domain.models import Listing
from asin_tui.spapi import parse
from asin_tui.spapi.errors import (
    AuthError,
    Forbidden,
    SpApiError,
)
from asin_tui.spapi.sync.evidence import _Evidence
from asin_tui.spapi.sync.model import (
    LATER_PAUSE,
    LATER_ROUNDS,
    SEARCH_WINDOWS,
    ListingSink,
    SearchWindows,
    SyncedListing,
)
from asin_tui.spapi.sync.progress import _Tally
from asin_tui.spapi.sync.util import _all, _parse_listings

if TYPE_CHECKING:  # sp_api and httpx load only when a client is opened
    from asin_tui.spapi.client import SpApi


# --------------------------------------------------------------------------- the sync


@dataclass
class _Run:
    api: SpApi
    tally: _Tally
    evidence: _Evidence
    include_all: bool
    #: Where finished listings go; None: kept in ``listings`` for the result.
    sink: ListingSink | None = None
    #: how a search is split under Amazon's result cap
    windows: SearchWindows = SEARCH_WINDOWS
    listings: dict[str, SyncedListing] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)  # every SKU accepted
    failed: dict[str, str] = field(default_factory=dict)
    product_types: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    seen_types: set[str] = field(default_factory=set)
    gaps: list[_Gap] = field(default_factory=list)  # failed pages, to try again later
    missing: dict[str, int | None] = field(default_factory=dict)  # see SyncResult.missing
    gone: list[str] = field(default_factory=list)  # see SyncResult.gone

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
