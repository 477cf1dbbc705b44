"""The account as its cache has it, without the SP-API client: what ``report --cached`` reads
when the cache is fresh enough. Importing this brings no asyncio, no python-amazon-sp-api, no
httpx and no sync engine (asin_tui.service does: ~40 ms more before the first byte), and
AccountService reads its cache through it, so both answer alike.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from asin_tui.domain.account import AccountCause, account_causes
from asin_tui.domain.models import AccountHealth, ListingRecord, State
from asin_tui.spapi.errors import SpApiError
from asin_tui.store.cache import ListingCache, SyncInfo

__all__ = [
    "DEMO_MARKETPLACE_ID",
    "DEMO_PROFILE",
    "DEMO_SELLER_ID",
    "CachedAccount",
    "SpApiError",
    "demo_profile",
    "parse_account",
]

DEMO_PROFILE = "demo"
#: The demo seller (the simulated account's default seed, in the US): known without building
#: that account, so the app paints from the demo's cache at once and ``report --demo
#: --cached`` answers from it (a test keeps them equal).
DEMO_MARKETPLACE_ID = "ATVPDKIKX0DER"
DEMO_SELLER_ID = "A2SANDBOX00007"


def demo_profile(scenario: str = "default") -> str:
    """The profile name a demo account's cache and cases are kept under: ``demo``, or
    ``demo-<scenario>`` for another scenario's account (``--demo --scenario vacation``)."""
    return DEMO_PROFILE if scenario == "default" else f"{DEMO_PROFILE}-{scenario}"


class CachedAccount:
    """One account's cache (a profile in a marketplace), read only."""

    def __init__(self, cache: ListingCache, *, profile_name: str, marketplace_id: str) -> None:
        self.profile_name = profile_name
        self.marketplace_id = marketplace_id
        self.cache = cache

    @classmethod
    def open(cls, profile_name: str, marketplace_id: str) -> CachedAccount:
        cache = ListingCache.for_account(profile_name, marketplace_id)
        return cls(cache, profile_name=profile_name, marketplace_id=marketplace_id)

    @classmethod
    def open_demo(cls, scenario: str = "default") -> CachedAccount:
        """The cache of a demo account (``--demo --scenario``), without building it."""
        return cls.open(demo_profile(scenario), DEMO_MARKETPLACE_ID)

    def close(self) -> None:
        self.cache.close()

    @property
    def cache_warning(self) -> str | None:
        """Set when the cache file was unreadable and had to be rebuilt, or rows read so far
        could not be decoded and were left out (show it once)."""
        return " ".join(filter(None, (self.cache.warning, self.cache.row_warning))) or None

    def last_sync(self) -> SyncInfo | None:
        return self.cache.last_sync()

    def account_health(self) -> AccountHealth | None:
        """The account-level gate for this marketplace, from the last Account Health report a
        sync fetched (``as_of`` says when); None if none was ever fetched or it was unreadable."""
        stored = self.cache.account_health()
        return parse_account(*stored, self.marketplace_id)[0] if stored else None

    def cached_records(
        self, *, all_listings: bool, limit: int | None = None
    ) -> list[ListingRecord]:
        """The cached rows, most severe state first then SKU (models.sort_key's order);
        ``limit``: only the first so many (a screenful, at once)."""
        return self.cache.load_records(needs_attention_only=not all_listings, limit=limit)

    def cached_state_counts(self, *, all_listings: bool) -> dict[State, int]:
        """How many cached rows cached_records would return in each state, without reading
        them (a few ms): the true counts while only the first screenful is shown."""
        return self.cache.state_counts(needs_attention_only=not all_listings)

    def cached_record_batches(
        self, *, all_listings: bool, size: int = 5000
    ) -> Iterator[list[ListingRecord]]:
        """What cached_records returns, in the same order, ``size`` rows at a time (a report
        streams them to its output without holding 100,000 records)."""
        return self.cache.record_batches(needs_attention_only=not all_listings, size=size)

    def cached_account_causes(self, *, all_listings: bool) -> tuple[AccountCause, ...]:
        """domain.account's account-level causes of the rows cached_records returns, from
        the few rows that can count toward one (without reading every row)."""
        scope = not all_listings
        return account_causes(self.cache.records_where_unexplained_mfn(needs_attention_only=scope))


def parse_account(
    document: Mapping[str, Any], fetched_at: datetime, marketplace_id: str
) -> tuple[AccountHealth | None, str | None]:
    """(the marketplace's AccountHealth as of ``fetched_at``, None) or (None, what is wrong)."""
    from asin_tui.spapi import parse  # with the evidence classes: not for a CSV report

    try:
        health = parse.parse_account_health(document, marketplace_id)
    except parse.UnreadableBody as exc:
        return None, f"unreadable report: {exc}"
    return (dataclasses.replace(health, as_of=fetched_at) if health else None), None
