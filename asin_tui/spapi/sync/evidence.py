"""The evidence fetched alongside the listings: FBA inventory in batches, restrictions per ASIN
and condition, catalog items, product type definitions, each call made once per key."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Hashable, Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from asin_tui.domain.fetch_policy import (
    catalog_removed,
    flags_missing_attributes,
    unexplained,
    wants_inventory,
)
from asin_tui.domain.models import InventorySummary, Listing, requirements_for_key
from asin_tui.spapi import parse
from asin_tui.spapi.calls import CATALOG_SEARCH_MAX
from asin_tui.spapi.errors import (
    MalformedResponse,
    SpApiError,
)
from asin_tui.spapi.sync.model import INVENTORY_BATCH, KnownAnswers, SyncedListing
from asin_tui.spapi.sync.progress import _Tally
from asin_tui.spapi.sync.util import _later_tries, _parsed

if TYPE_CHECKING:  # sp_api and httpx load only when a client is opened
    from asin_tui.spapi.client import SpApi


# --------------------------------------------------------------------------- shared fetches

T = TypeVar("T")


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
        if not listing.asin or catalog_removed(listing, datetime.now(UTC)):
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
        now = datetime.now(UTC)
        if listing.asin and unexplained(listing, inventory, now):  # restrictions are per ASIN
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
