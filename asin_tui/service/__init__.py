"""The account service: the one object the UI and the commands talk to.

It joins the layers for one seller account in one marketplace: SP-API (fetch), parsing
(raw JSON → domain objects), the diagnosis engine, and the local cache (records, raw
evidence, state history). No Textual here, and no widgets ever see raw JSON.

Reads (`cached_records`, `evidence`, `diagnosis`, `last_sync`, `account_health`) are local
and quick; the network calls (`sync`, `refresh`, `refresh_account_health`, `patch`) are async
and meant for workers. A failed sync raises and keeps the cached data as it was.

The Account Health report never holds up the listings: a sync requests it when the stored
one is stale and returns while Amazon is still preparing it; the next sync, or
`refresh_account_health` a while later, picks it up.

Beside it in this package: ``staging`` (a sync's listings diagnosed and staged in the cache as
they come, and the evidence rows they are made of), ``child_jobs`` (a sync, or the storing of
an Account Health report, as a child process runs them) and ``profile_client`` (a configured
profile's SP-API client: its settings, its shared rate buckets, ``config check``).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import json
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from asin_tui.background import BackgroundLoop, relay
from asin_tui.cached import DEMO_MARKETPLACE_ID as DEMO_MARKETPLACE_ID  # the demo's identity
from asin_tui.cached import DEMO_PROFILE as DEMO_PROFILE
from asin_tui.cached import DEMO_SELLER_ID as DEMO_SELLER_ID
from asin_tui.cached import CachedAccount
from asin_tui.cached import demo_profile as demo_profile
from asin_tui.cached import parse_account as _parse_account
from asin_tui.domain import codes
from asin_tui.domain.account import AccountCause
from asin_tui.domain.lru import Lru
from asin_tui.domain.models import (
    AccountHealth,
    Diagnosis,
    ListingRecord,
    State,
    WizardStep,
)
from asin_tui.domain.moments import age
from asin_tui.service import stock_cover as cover_store
from asin_tui.service.child_jobs import (
    ChildHealth,
    ChildSync,
    HealthFound,
    child_env,
    child_health_main,
    child_sync_main,
)
from asin_tui.service.notification_setup import (
    LISTINGS_NOTIFICATIONS,
    NotificationSetup,
    find_or_make,
)
from asin_tui.service.profile_client import (
    check_access,
    client_settings,
    open_client_for,
    rates_path,
)
from asin_tui.service.staging import (
    SyncStore,
    evidence_gaps,
    gate,
    moment_of,
    raw_evidence,
    with_last_good,
)
from asin_tui.service.stock_cover import STOCK_COVER_AT_KEY as STOCK_COVER_AT_KEY
from asin_tui.service.stock_cover import STOCK_COVER_PENDING_KEY as STOCK_COVER_PENDING_KEY
from asin_tui.service.stock_cover import STOCK_COVER_TRIED_KEY as STOCK_COVER_TRIED_KEY
from asin_tui.service.stock_cover import CoverRefresh
from asin_tui.spapi.errors import (
    AuthError,
    CredentialsMissing,
    MalformedResponse,
    NotFound,
    SpApiError,
)
from asin_tui.store import paths
from asin_tui.store.cache import CacheError, ListingCache, RawEvidence, SyncInfo
from asin_tui.store.config import Profile

if TYPE_CHECKING:
    # The client module (sp_api, httpx) is imported when a client is opened; the sync engine,
    # the rules, the reports' readers and the client's settings when a sync, a refresh or a
    # re-diagnosis first runs — not by every start of the app, which only reads the cache.
    # What SP-API said about a listing (domain.evidence) and the parser of its answers
    # (spapi.parse) when a listing is read whole, refreshed or synced: the list's start
    # reads only the cache's rows.
    from asin_tui.domain.cover import StockCover
    from asin_tui.domain.events import Thresholds
    from asin_tui.domain.evidence import (
        Evidence,
        Issue,
        LastQuantity,
        ProductTypeRequirements,
    )
    from asin_tui.domain.looks import SinceLastLook, TimelineEntry
    from asin_tui.domain.outcomes import Recheck
    from asin_tui.spapi.calls import ReportRequest
    from asin_tui.spapi.client import SpApi
    from asin_tui.spapi.parse import (
        UnreadableBody,
        error_body,
        is_listing_collection,
        parse_inventory_summaries,
        parse_listing_bodies,
        parse_restrictions,
        unwrap_body,
    )
    from asin_tui.spapi.sync import (
        KnownAnswers,
        SyncProgress,
        SyncResult,
    )
    from asin_tui.spapi.sync.stock_cover import StockCoverWatch
    from asin_tui.store.cases import CaseRecord

#: The cache's meta key of the last session's look (when, and what was at risk then).
LAST_LOOK_KEY = "last_look"


#: How old a stored Account Health report may be before a sync fetches it again.
ACCOUNT_HEALTH_MAX_AGE = timedelta(hours=6)
#: How long a requested Account Health report is looked for; an older request is dropped and
#: a new one made (Amazon does not keep reports forever).
ACCOUNT_HEALTH_REQUEST_MAX_AGE = timedelta(hours=1)

#: How old stored stock cover may be before `refresh_stock_cover` fetches its reports again:
#: Amazon refreshes the FBA planning report daily (twice a day sees a new one the same day).
STOCK_COVER_MAX_AGE = timedelta(hours=12)
#: After a look at the reports that gave no cover at all (a missing SP-API role, Amazon
#: unable to produce them), the next look waits this long: not every round.
STOCK_COVER_RETRY = timedelta(hours=1)

#: How long a sync uses a getListingsRestrictions or searchCatalogItems answer an earlier
#: sync fetched (same ASIN and condition) instead of calling again. Restrictions change rarely;
#: one that changed on Amazon is caught by the first sync after this age at the latest.
ANSWER_MAX_AGE = timedelta(hours=24)
#: Besides, each sync fetches again the oldest 1/REFRESH_SHARE of the kept answers older than
#: ANSWER_MIN_AGE, in the sync's own calls (paced beside the searches): so with syncs an hour
#: or more apart an answer is at most REFRESH_SHARE syncs old, whichever comes first.
REFRESH_SHARE = 8
ANSWER_MIN_AGE = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Freshness:
    """How old what a sync kept may be before it is fetched again (``AccountService(freshness=…)``;
    the defaults are the ages above, a test passes its own)."""

    answer_max_age: timedelta = ANSWER_MAX_AGE
    account_health_max_age: timedelta = ACCOUNT_HEALTH_MAX_AGE
    account_health_request_max_age: timedelta = ACCOUNT_HEALTH_REQUEST_MAX_AGE
    stock_cover_max_age: timedelta = STOCK_COVER_MAX_AGE
    stock_cover_retry: timedelta = STOCK_COVER_RETRY

    def scaled(self, time_scale: float) -> Freshness:
        """The same ages on a clock that runs ``time_scale`` times faster than Amazon's (the
        demo's simulated Amazon at a time scale): twice a day of its time is twice a day."""
        return Freshness(
            **{f.name: getattr(self, f.name) / time_scale for f in dataclasses.fields(self)}
        )


FRESHNESS = Freshness()

ProgressCallback = Callable[["SyncProgress"], None]
#: How much lower than the caller's thread (the UI's) the OS schedules the service's network
#: work and its threads (parsing, diagnosing, staging): when the CPU is short, keys first.
BACKGROUND_NICE = 5
_R = TypeVar("_R")
_P = ParamSpec("_P")
#: Listings a sync diagnoses and stages in the cache at a time (AccountService(sync_batch=…)).
SYNC_BATCH = 500
#: Product types whose requirements (parsed from their definition and JSON Schema, tens of KB
#: each) the service keeps in memory, the most recently used, so a process that runs for weeks
#: holds a bounded number. One dropped is parsed again from the cache's stored definition (as
#: the last committed sync stored it) when a listing of that type is diagnosed; sellers' accounts
#: use far fewer types than this.
PRODUCT_TYPES_KEPT = 128


def _requirements_cache() -> Lru[str, ProductTypeRequirements | None]:
    return Lru(PRODUCT_TYPES_KEPT)


#: The service's API; with it, the SP-API layer's names its callers use, so that the commands
#: and the UI need not import that layer (import-linter contract in pyproject.toml): the
#: errors the service lets through, its progress type, and the parser of SP-API answers
#: saved to files (asin-tui diagnose reads them offline).
__all__ = [
    "FRESHNESS",
    "LISTINGS_NOTIFICATIONS",
    "AccountService",
    "AuthError",
    "CoverRefresh",
    "CredentialsMissing",
    "Freshness",
    "HealthRefresh",
    "MalformedResponse",
    "NotFound",
    "NothingFetched",
    "NotificationSetup",
    "ReportRequest",
    "SpApiError",
    "SubmissionResult",
    "SyncInfo",
    "SyncLost",
    "SyncProgress",
    "SyncSummary",
    "UnknownSku",
    "UnreadableBody",
    "check_access",
    "client_settings",
    "error_body",
    "is_listing_collection",
    "open_client_for",
    "parse_inventory_summaries",
    "parse_listing_bodies",
    "parse_restrictions",
    "remove_cache",
    "unwrap_body",
]

#: What the service re-exports from modules it imports only when a sync or a refresh runs
#: (see the TYPE_CHECKING imports above): loaded when a caller first asks for the name.
_LAZY_EXPORTS = {
    "UnreadableBody": "asin_tui.spapi.parse",
    "error_body": "asin_tui.spapi.parse",
    "is_listing_collection": "asin_tui.spapi.parse",
    "parse_inventory_summaries": "asin_tui.spapi.parse",
    "parse_listing_bodies": "asin_tui.spapi.parse",
    "parse_restrictions": "asin_tui.spapi.parse",
    "unwrap_body": "asin_tui.spapi.parse",
    "ReportRequest": "asin_tui.spapi.calls",
    "SyncProgress": "asin_tui.spapi.sync",
    "ACCOUNT_HEALTH": "asin_tui.spapi.sync",
    "parse": "asin_tui.spapi.parse",  # the module itself (imported where used, as here)
}


def __getattr__(name: str) -> Any:
    module = _LAZY_EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    loaded = importlib.import_module(module)
    value = loaded if module.endswith(f".{name}") else getattr(loaded, name)
    globals()[name] = value
    return value


class NothingFetched(SpApiError):
    """The sync fetched nothing at all (every query failed): the cache is left as it was.
    It reads as the cause of the first failure, e.g. 'searchListingsItems: SP-API is
    unavailable: connection failed (…) [gave up after 6 tries]': what the seller can act on,
    not which internal query it was (callers say "sync failed" in their own words)."""

    summary = "nothing could be fetched"

    def __str__(self) -> str:
        return self.message


class SyncLost(RuntimeError):
    """A sync's child process ended without an answer (killed, crashed): the cache is as it
    was before the sync."""


class UnknownSku(KeyError):
    """The SKU is not in the local cache (sync first)."""

    def __str__(self) -> str:
        return f"SKU {self.args[0]!r} is not in the local cache; sync the account first"


@dataclass(frozen=True, slots=True)
class SyncSummary:
    """What one sync did. `failed` names every SKU (or query) it could not fetch, and why."""

    started_at: datetime
    finished_at: datetime
    include_all: bool
    complete: bool
    listings: int  # listings fetched and diagnosed
    counts: Mapping[State, int] = field(default_factory=dict)  # of the fetched listings
    needs_attention: int = 0
    failed: Mapping[str, str] = field(default_factory=dict)
    calls: Mapping[str, int] = field(default_factory=dict)  # SP-API requests per operation
    #: The failed keys that cost listings -> at most how many (None: unknown); see SyncInfo.
    missing: Mapping[str, int | None] = field(default_factory=dict)
    #: what the re-check of saved wizard outcomes found (resolved, overdue, reopened), one line
    #: each, for the user to read once
    rechecked: tuple[str, ...] = ()

    @property
    def seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def info(self) -> SyncInfo:
        """The last sync as the cache now has it (what ``last_sync()`` reads back)."""
        return SyncInfo(
            started_at=self.started_at,
            finished_at=self.finished_at,
            include_all=self.include_all,
            complete=self.complete,
            failed=self.failed,
            listings=self.listings,
            missing=self.missing,
        )


@dataclass(frozen=True, slots=True)
class HealthRefresh:
    """What one look at a pending Account Health report (`refresh_account_health`) found."""

    pending: bool  # Amazon is still preparing it: look again later
    updated: bool = False  # a new report was stored and the cached listings diagnosed with it
    problem: str | None = None  # why it could not be had (the last readable one stays)


@dataclass(frozen=True, slots=True)
class SubmissionResult:
    """A patchListingsItem answer: ACCEPTED / INVALID (real) or VALID / INVALID (preview)."""

    sku: str
    status: str
    submission_id: str | None
    issues: tuple[Issue, ...] = ()
    preview: bool = False

    @property
    def ok(self) -> bool:
        return self.status in ("ACCEPTED", "VALID")


class AccountService:
    """One seller account in one marketplace: cache, SP-API client (opened on first use)."""

    def __init__(
        self,
        *,
        profile_name: str,
        marketplace_id: str,
        seller_id: str,
        client_factory: Callable[[], SpApi],
        cache: ListingCache | None = None,
        api: SpApi | None = None,
        sync_batch: int = SYNC_BATCH,
        freshness: Freshness = FRESHNESS,
        child_client: Callable[[], SpApi] | None = None,
        sync_account: Callable[..., Awaitable[SyncResult]] | None = None,
    ) -> None:
        """``child_client``: how a child process builds this account's client, to sync there
        (picklable: a module-level function or a partial of one; see ``sync``); None: syncs
        run on the background loop, in this process (the demo's simulated account lives
        here, and a client given as ``api`` cannot cross). ``sync_account``: what fetches
        the account in a sync run here (``asin_tui.spapi.sync.sync_account``, imported when
        the first sync runs, if None; a test wraps it to see when it returns)."""
        self.profile_name = profile_name
        self.marketplace_id = marketplace_id
        self.seller_id = seller_id
        self._client_factory = client_factory
        self._api: SpApi | None = api  # an open client, else opened on first use
        #: listings a sync diagnoses and stages at a time (never more raw answers held)
        self.sync_batch = sync_batch
        #: how old kept answers and Account Health reports may be before they are asked again
        self.freshness = freshness
        self._opening = asyncio.Lock()  # one client build at a time (see _open_api)
        #: Where the network methods run, the client with them: its own event loop in a thread,
        #: so none of their work (python-amazon-sp-api's, parsing, the demo's in-process
        #: account) ever holds the caller's loop, the UI's (see asin_tui.background).
        self._background = BackgroundLoop(f"asin-tui {profile_name}", nice=BACKGROUND_NICE)
        self._child_client = child_client
        self._sync_account = sync_account
        self._cache = cache or ListingCache.for_account(profile_name, marketplace_id)
        #: the cache's reads (report --cached reads the same way without this service)
        self._local = CachedAccount(
            self._cache, profile_name=profile_name, marketplace_id=marketplace_id
        )
        #: product type -> its requirements (None: unreadable), fetched by this sync; an LRU
        #: of PRODUCT_TYPES_KEPT, so a process that runs for weeks holds a bounded number
        self._requirements: Lru[str, ProductTypeRequirements | None] = _requirements_cache()
        self._requirements_lock = threading.Lock()  # one parse per type at a time (single flight)
        self._account: AccountHealth | None = None
        self._account_loaded = False
        #: One-line messages about how the account was opened, for the user to read once
        #: (the demo's: fixes that won't be kept, a state file that had to be set aside).
        self.notices: list[str] = []
        #: when a live listing counts as at risk (the profile's [alerts], as `watch` uses);
        #: None: the defaults (domain.events, loaded when first asked: not at start-up)
        self._thresholds: Thresholds | None = None

    @property
    def thresholds(self) -> Thresholds:
        """When a live listing counts as at risk: the profile's [alerts], else the defaults."""
        if self._thresholds is None:
            from asin_tui.domain.events import DEFAULT_THRESHOLDS

            return DEFAULT_THRESHOLDS
        return self._thresholds

    @thresholds.setter
    def thresholds(self, thresholds: Thresholds) -> None:
        self._thresholds = thresholds

    @classmethod
    def for_profile(
        cls, profile: Profile, *, sync_in_child: bool = False, time_scale: float = 1.0
    ) -> AccountService:
        """A configured account. Credentials are checked when the network is first used.
        ``sync_in_child``: its syncs run in a child process (the app: see ``sync``).
        ``time_scale``: the client's clock against a faster sandbox (``open_client_for``).
        Its clients, in this process and in a sync's child, pace the seller's calls on one
        set of buckets (``rates_path``): together they keep to Amazon's rates."""
        client = functools.partial(
            open_client_for, profile, time_scale=time_scale, rates=rates_path(profile)
        )
        service = cls(
            profile_name=profile.name,
            marketplace_id=profile.marketplace.marketplace_id,
            seller_id=profile.seller_id,
            client_factory=client,
            child_client=client if sync_in_child else None,
        )
        if profile.alerts is not None:
            service.thresholds = profile.alerts.thresholds
        return service

    # ------------------------------------------------------------------ local reads

    @property
    def cache_warning(self) -> str | None:
        """Set when the cache file was unreadable and had to be rebuilt, or rows read so far
        could not be decoded and were left out (show it once)."""
        return self._local.cache_warning

    def cached_records(
        self, *, all_listings: bool, limit: int | None = None
    ) -> list[ListingRecord]:
        """The cached rows, most severe state first then SKU (models.sort_key's order);
        ``limit``: only the first so many (a screenful, at once)."""
        return self._local.cached_records(all_listings=all_listings, limit=limit)

    def cached_record(self, sku: str) -> ListingRecord | None:
        """One cached row (None: not cached)."""
        return self._cache.record(sku)

    def seen_records(self) -> list[ListingRecord] | None:
        """The listings as `watch` last compared them (None before its first round)."""
        return self._cache.seen_records()

    def seen_record(self, sku: str) -> tuple[bool, ListingRecord | None]:
        """(`watch` has a snapshot, the SKU's row in it or None)."""
        return self._cache.seen_record(sku)

    def cached_state_counts(self, *, all_listings: bool) -> dict[State, int]:
        """How many cached rows cached_records would return in each state, without reading
        them (a few ms): the true counts while only the first screenful is shown."""
        return self._local.cached_state_counts(all_listings=all_listings)

    def cached_record_batches(
        self, *, all_listings: bool, size: int = 5000
    ) -> Iterator[list[ListingRecord]]:
        """What cached_records returns, in the same order, ``size`` rows at a time (a report
        streams them to its output without holding 100,000 records)."""
        return self._local.cached_record_batches(all_listings=all_listings, size=size)

    @property
    def cached(self) -> CachedAccount:
        """The cache's reads, as ``report --cached`` makes them without this service."""
        return self._local

    def cached_account_causes(self, *, all_listings: bool) -> tuple[AccountCause, ...]:
        """domain.account's account-level causes of the rows cached_records returns, from
        the few rows that can count toward one (without reading every row)."""
        return self._local.cached_account_causes(all_listings=all_listings)

    def last_sync(self) -> SyncInfo | None:
        return self._cache.last_sync()

    def last_full_sync(self) -> datetime | None:
        """When every listing was last fetched (None: never; "all listings" is a part)."""
        return self._cache.last_full_sync()

    def cached_not_from_last_sync(self, *, all_listings: bool) -> int:
        """How many of the rows cached_records returns the last sync did not fetch (kept
        from an earlier one): what an incomplete sync shows of what it missed."""
        info = self.last_sync()
        if info is None:
            return self._cache.count()
        return self._cache.count_not_synced_at(
            info.finished_at, needs_attention_only=not all_listings
        )

    def account_health(self) -> AccountHealth | None:
        """The account-level gate for this marketplace, from the last Account Health report a
        sync fetched (``as_of`` says when); None if none was ever fetched or it was unreadable."""
        if not self._account_loaded:
            stored = self._cache.account_health()
            self._account = _parse_account(*stored, self.marketplace_id)[0] if stored else None
            self._account_loaded = True
        return self._account

    def account_health_pending(self) -> ReportRequest | None:
        """The Account Health report a sync requested and Amazon was still preparing at the
        last look; None when there is none, or it was requested too long ago to be looked for."""
        stored = self._cache.account_health_request()
        if stored is None:
            return None
        from asin_tui.spapi.calls import ReportRequest

        request = ReportRequest(*stored)
        too_old = self.freshness.account_health_request_max_age
        if age(request.requested_at, datetime.now(UTC)) > too_old:
            return None
        return request

    def _account_health_stale(self) -> bool:
        """Amazon refreshes Account Health about daily and createReport allows one call a
        minute: fetch it again only when the stored report is older than its max age
        (``freshness.account_health_max_age``, ACCOUNT_HEALTH_MAX_AGE by default)."""
        health = self.account_health()
        if health is None or health.as_of is None:
            return True
        return age(health.as_of, datetime.now(UTC)) > self.freshness.account_health_max_age

    # ------------------------------------------------------------------ stock cover

    def stock_cover(self) -> dict[str, StockCover]:
        """SKU -> stock cover from the last reports `refresh_stock_cover` read (empty: never;
        a SKU not in it is "not checked")."""
        return cover_store.stored(self._cache)

    def stock_cover_of(self, sku: str) -> StockCover | None:
        """The listing's stock cover (None: not checked: no report covered it)."""
        return cover_store.stored_of(self._cache, sku)

    def stock_cover_at(self) -> datetime | None:
        """When the stored stock cover was computed (None: never)."""
        return cover_store.computed_at(self._cache)

    def stock_cover_due(self) -> bool:
        """The stored stock cover is older than ``freshness.stock_cover_max_age`` (or was
        never read), or a report is pending: refresh_stock_cover would ask Amazon."""
        if self._cover_pending():
            return True
        now = datetime.now(UTC)
        tried = cover_store.last_empty_look(self._cache)
        if tried is not None and age(tried, now) < self.freshness.stock_cover_retry:
            return False  # the last look gave nothing: not again so soon
        at = self.stock_cover_at()
        return at is None or age(at, now) >= self.freshness.stock_cover_max_age

    def _cover_pending(self) -> dict[str, ReportRequest]:
        return cover_store.pending(self._cache, self.freshness.account_health_request_max_age)

    async def notification_setup(
        self, account_id: str, region: str, *, create: bool, name: str = "asin-tui"
    ) -> NotificationSetup:
        """The Notifications API side of watch's fast path: the application's EventBridge
        destination for ``account_id``/``region`` (getDestinations, grantless) and the
        seller's subscriptions to LISTINGS_NOTIFICATIONS (getSubscription). ``create``: what
        is missing is made (createDestination, createSubscription); an existing destination
        or subscription is reused, never changed (a subscription to another destination is
        only told). Only with ``create`` is anything written."""
        return await self._background.run(
            self._notification_setup, account_id, region, create, name
        )

    async def _notification_setup(
        self, account_id: str, region: str, create: bool, name: str
    ) -> NotificationSetup:
        return await find_or_make(await self._open_api(), account_id, region, create, name)

    async def refresh_stock_cover(self, *, force: bool = False) -> CoverRefresh:
        """Fetch the stock cover reports (docs/STOCK_COVER.md) when the stored cover is older
        than ``freshness.stock_cover_max_age`` (or ``force``) or reports are pending, and store the cover computed
        from them. Never raises for a report Amazon cannot produce (``problem`` says why, one
        line); AuthError and CacheError only. Everything, the reads of what is stored
        included, runs on the background loop: on the app's loop those reads waited for the
        cache's read lock while a worker read the rows (a loop stall in the 100k late-report
        window, bench_stalls --where)."""
        return await self._background.run(self._stock_cover_refresh, force)

    async def _stock_cover_refresh(self, force: bool) -> CoverRefresh:
        before = self.stock_cover()
        pending = self._cover_pending()
        at = self.stock_cover_at()
        if not (force or self.stock_cover_due()):
            return CoverRefresh(before=before, after=before)
        return await self._refresh_stock_cover(pending, before if at else None)

    async def _refresh_stock_cover(
        self, pending: dict[str, ReportRequest], before: dict[str, StockCover] | None
    ) -> CoverRefresh:
        from asin_tui.spapi.sync.stock_cover import StockCoverWatch

        watch = StockCoverWatch(await self._open_api(), pending)
        await watch.watch()
        return await asyncio.to_thread(self._store_stock_cover, watch, before)

    def _store_stock_cover(
        self, watch: StockCoverWatch, before: dict[str, StockCover] | None
    ) -> CoverRefresh:
        return cover_store.store(self._cache, watch, before)

    def evidence(self, sku: str) -> Evidence:
        raw = self._cache.raw_evidence(sku)
        if raw is None:
            raise UnknownSku(sku)
        return self._evidence(raw)

    def diagnosis(self, sku: str) -> Diagnosis:
        from asin_tui.domain.diagnosis import diagnose

        return diagnose(self.evidence(sku))

    def last_quantity(self, sku: str) -> LastQuantity | None:
        """The last MFN quantity above 0 a sync saw for ``sku`` (None: none seen)."""
        from asin_tui.domain.evidence import LastQuantity

        stored = self._cache.last_quantity(sku)
        return LastQuantity(*stored) if stored is not None else None

    # ------------------------------------------------------------------ since you last looked

    def at_risk_records(self, now: datetime | None = None) -> list[ListingRecord]:
        """The cached listings that are live but will not stay so (domain.looks.is_at_risk),
        and the live listings with a short stock cover the cache does not hold (a row from
        the sales reports), each with its risk said first in its cause: the date an
        exemption ends, the stock left, or its days of cover. The most urgent first
        (domain.looks.urgency: the fewest days left as of ``now``, a few merchant-fulfilled
        units with no pace known first of all); ties keep report order."""
        from asin_tui.domain.looks import cover_row, is_at_risk, urgency, with_risk_cause

        now = now or datetime.now(UTC)
        covers = self.stock_cover()
        short = {sku for sku, c in covers.items() if c.short(self.thresholds.cover_days)}
        candidates = self._cache.at_risk_candidates(self.thresholds.mfn_quantity)
        seen = {r.sku for r in candidates}
        cached = {sku: self._cache.record(sku) for sku in sorted(short - seen)}
        candidates += [r for r in cached.values() if r is not None]
        found = [r for r in candidates if is_at_risk(r, self.thresholds, covers.get(r.sku))]
        ranked: list[tuple[tuple[float, float], ListingRecord]] = []
        for record in found:
            ends, cover = self._exemption_end(record), covers.get(record.sku)
            row = with_risk_cause(record, ends, self.thresholds, cover)
            ranked.append((urgency(record, ends, now, self.thresholds, cover), row))
        # live listings a needs-attention sync does not cache, known from the sales reports
        for sku, kept in cached.items():
            if kept is None:
                row = cover_row(covers[sku], self.marketplace_id)
                ranked.append((urgency(row, None, now, self.thresholds, covers[sku]), row))
        ranked.sort(key=lambda pair: pair[0])  # stable: ties keep report order
        return [row for _, row in ranked]

    def _exemption_end(self, record: ListingRecord) -> datetime | None:
        from asin_tui.spapi.parse import UnreadableBody

        if not any(f.code == codes.EXEMPTION_EXPIRING for f in record.findings):
            return None
        from asin_tui.domain.looks import exemption_end

        try:
            return exemption_end(self.evidence(record.sku).listing)
        except (UnknownSku, UnreadableBody, MalformedResponse):
            return None  # its date is not known: the cause says "at risk" without it

    def since_last_look(self, at_risk_now: Iterable[str]) -> SinceLastLook | None:
        """What went inactive, recovered or became at risk since the previous session
        (remember_look); None on the very first session. ``at_risk_now``: the SKUs of
        at_risk_records."""
        from asin_tui.domain.events import EventKind
        from asin_tui.domain.looks import since_last_look

        stored = self._cache.meta_value(LAST_LOOK_KEY)
        if stored is None:
            return None
        try:
            look = json.loads(stored)
            since = moment_of(look["at"])
            then = [str(sku) for sku in look.get("at_risk", [])]
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return None  # unreadable: as if never looked (the next look is remembered)
        if since is None:
            return None
        risk_events = [
            event.sku
            for event in self._events_since(since)
            if event.kind == EventKind.AT_RISK and event.sku is not None
        ]
        return since_last_look(
            since,
            self._cache.state_changes_since(since),
            at_risk_then=then,
            at_risk_now=at_risk_now,
            risk_events=risk_events,
        )

    def remember_look(self, at_risk: Iterable[str], now: datetime | None = None) -> None:
        """This session's look, for the next session's "since you last looked"."""
        look = {"at": (now or datetime.now(UTC)).isoformat(), "at_risk": sorted(set(at_risk))}
        self._cache.write_meta(LAST_LOOK_KEY, json.dumps(look))

    def timeline(self, sku: str) -> list[TimelineEntry]:
        """The listing's timeline, newest first: the states it was seen in (the cache's
        history) with their causes, what `watch` found, the fixes the wizard sent and the
        case's outcome (the case store)."""
        from asin_tui.domain.looks import OutcomeMark, Submission, timeline

        history = self._cache.history(sku)
        events = [
            (e.created_at, e.kind, e.payload)
            for e in self._events_since(datetime.min.replace(tzinfo=UTC), sku)
        ]
        submissions: list[Submission] = []
        outcome = None
        from asin_tui.store.cases import CaseStore, CaseStoreError

        try:
            case = CaseStore(self.profile_name, self.marketplace_id, read_only=True).get(sku)
        except (CaseStoreError, ValueError, OSError):
            case = None
        if case is not None:
            submissions = [
                Submission(
                    p.submitted_at,
                    p.mode.value == "REAL",
                    p.status,
                    p.submission_id,
                    len(p.patches),
                )
                for p in case.patches
            ]
            outcome = OutcomeMark(
                case.outcome.value,
                case.outcome_at,
                case.waiting_for,
                case.recheck_at,
                case.outcome_reason,
                case.checked_at,
                case.check_note,
            )
        return timeline(
            history,
            current=self._cache.record(sku),
            events=events,
            submissions=submissions,
            outcome=outcome,
        )

    def _events_since(self, since: datetime, sku: str | None = None) -> list:
        """`watch`'s events in this cache file (none when it cannot be read)."""
        from asin_tui.store.events import EventStore

        try:
            store = EventStore(self._cache.path)
        except CacheError:
            return []
        try:
            return store.since(since, sku)
        except (sqlite3.Error, ValueError):
            return []
        finally:
            store.close()

    # ------------------------------------------------------------------ network

    async def sync(
        self, *, include_all: bool, progress: ProgressCallback | None = None
    ) -> SyncSummary:
        """Fetch the account (needs attention, or every listing), diagnose, store.

        Raises SpApiError when the sync cannot run at all (credentials, network); SKUs that
        could not be fetched or read are listed in the summary and keep their cached rows.
        It runs on the service's background loop; ``progress`` is called on the caller's
        loop, with the latest SyncProgress (calls coalesced: never more than one pending).
        Cancelled, it discards what it staged before the cancellation goes on.

        With a ``child_client``, the sync itself (its calls, parsing, diagnosis, staging, the
        commit) runs in a child process (asin_tui.child) with a client, a token and rate
        limits of its own, writing the same cache file; its garbage collector's full passes
        never hold this process's interpreter (the UI's). Progress and the summary come back
        over a pipe; its errors are raised here as they were raised there. A child that dies
        raises SyncLost (the cache is as it was: nothing is committed until the sync ends).
        """
        if self._child_client is not None:
            return await self._background.run(
                self._sync_in_child, include_all=include_all, progress=relay(progress)
            )
        return await self._background.run(
            self._sync, include_all=include_all, progress=relay(progress)
        )

    async def _sync_in_child(
        self, *, include_all: bool, progress: ProgressCallback | None
    ) -> SyncSummary:
        assert self._child_client is not None
        job = ChildSync(
            **self._child_account(),
            freshness=self.freshness,
            include_all=include_all,
            # this process's LWA token, if it holds one still good: the child needs none of
            # its own (over the child's stdin, as the credentials: never argv, env or a file)
            access=self._api.access_token() if self._api is not None else None,
        )
        from asin_tui.child import ChildLost, run_in_child

        try:
            return await run_in_child(
                child_sync_main, job, on_message=progress, nice=BACKGROUND_NICE, env=child_env()
            )
        except ChildLost as exc:
            raise SyncLost(f"{exc} before the sync finished; the cache is as it was") from None
        finally:  # the child wrote the cache: what this process kept of it is read again
            self._requirements = _requirements_cache()
            self._account_loaded = False

    async def _sync(self, *, include_all: bool, progress: ProgressCallback | None) -> SyncSummary:
        pending = self.account_health_pending()
        self._requirements = _requirements_cache()  # this sync fetches them again
        known = await asyncio.to_thread(self._known_answers, datetime.now(UTC))
        # a full sync looks for the cached listings its report leaves out before they go
        cached = await asyncio.to_thread(self._cache.skus) if include_all else ()
        store = SyncStore(self)
        if self._sync_account is not None:
            fetch = self._sync_account
        else:
            from asin_tui.spapi.sync import sync_account as fetch

        try:
            result = await fetch(
                await self._open_api(),
                include_all=include_all,
                progress=progress,
                account_health=pending is not None or self._account_health_stale(),
                pending_health=pending,
                on_listing=store.add,
                known=known,
                cached=cached,
            )
            await store.flush()
            if result.missing and not store.received:  # not one listing could be had
                raise NothingFetched(result.failed[next(iter(result.missing))])
        except BaseException:
            with contextlib.suppress(CacheError):  # a full disk must not hide why it failed
                store.discard()  # the cache stays as it was
            raise
        summary = await asyncio.to_thread(self._store_sync, result, store)
        notes = await asyncio.to_thread(self.recheck_cases, complete=summary.complete)
        return dataclasses.replace(summary, rechecked=tuple(notes))

    def _known_answers(self, now: datetime) -> KnownAnswers:
        """The restrictions and catalog answers kept from earlier syncs that this one may use
        (see ANSWER_MAX_AGE, REFRESH_SHARE)."""
        from asin_tui.spapi.sync import KnownAnswers

        max_age = self.freshness.answer_max_age
        self._cache.forget_lookups(now - max_age)  # too old to be used: asked again
        restrictions = _reusable(self._cache.lookups("restrictions"), now, max_age)
        catalog = _reusable(self._cache.lookups("catalog"), now, max_age)
        return KnownAnswers(
            restrictions={
                (asin, condition or None): answer
                for key, answer in restrictions.items()
                for asin, _, condition in [key.partition("\t")]
                if isinstance(answer[0], list)
            },
            catalog={
                asin: answer
                for asin, answer in catalog.items()
                if answer[0] is None or isinstance(answer[0], dict)
            },
        )

    def recheck_cases(self, *, complete: bool, now: datetime | None = None) -> list[str]:
        """Re-check the saved wizard outcomes against the cache a sync just wrote: a case
        waiting on Amazon, at risk or escalated whose listing is back on sale is resolved; a
        wait past its re-check date is overdue; a resolved listing that needs attention again
        is reopened. A listing the cache no longer holds is on sale only when the sync was
        complete (else it is left as it was). Returns what changed, one line each."""
        if not paths.has_cases(self.profile_name, self.marketplace_id):
            return []  # no case saved: nothing to re-check, and no empty case file made
        # the outcome rules (and the wizard's plans they use): loaded after a sync, not at start
        from asin_tui.domain.outcomes import WATCHED, recheck
        from asin_tui.store.cases import CaseStore, CaseStoreError, Outcome, PatchMode

        now = now or datetime.now(UTC)
        store = CaseStore(self.profile_name, self.marketplace_id)
        try:
            items = store.load()
        except (CaseStoreError, ValueError) as exc:
            return [f"Wizard outcomes not re-checked: {exc}"]
        notes: list[str] = []
        for sku, item in items.items():
            sent = item.outcome is Outcome.OPEN and any(
                p.mode is PatchMode.REAL and p.status == "ACCEPTED" for p in item.patches
            )
            watched = item.outcome.value in WATCHED or item.outcome is Outcome.RESOLVED
            if not (watched or sent):
                continue
            record = self._cache.record(sku)
            if record is None and not complete:
                continue
            current = record.diagnosis if record is not None else None
            found = recheck(item.outcome.value, item.recheck_at, current, now=now, sent=sent)
            change = _recheck_change(found, item, current, now)
            if change is None:
                continue
            try:
                store.update(sku, change)
            except CaseStoreError as exc:
                return [*notes, f"Wizard outcomes not all re-checked: {exc}"]
            saved = store.get(sku)
            notes.append(f"{sku}: {saved.check_note if saved else ''}")
        return notes

    async def count_listings(self) -> int:
        """How many listings the account has in this marketplace: one searchListingsItems of
        page size 1 (its ``numberOfResults``), without fetching them."""
        return await self._background.run(self._count_listings)

    async def _count_listings(self) -> int:
        api = await self._open_api()
        body = await api.search_listings(included_data=("summaries",), page_size=1)
        count = body.get("numberOfResults")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise MalformedResponse(
                "'numberOfResults' is not a count", operation="searchListingsItems"
            )
        return count

    async def refresh_account_health(self) -> HealthRefresh:
        """Look once at the Account Health report the last sync left pending (meant for a
        worker, a while after the sync). When Amazon is done with it, it is stored and, when
        it changes what a diagnosis acts on, every cached listing is diagnosed again with it:
        with a ``child_client`` (the app's profiles) in a child process, as a sync (at 100,000
        listings that is seconds of CPU and garbage that must not hold the UI's interpreter).
        Raises AuthError only; anything else that goes wrong is in the answer's ``problem``."""
        return await self._background.run(self._refresh_account_health)

    async def _refresh_account_health(self) -> HealthRefresh:
        pending = self.account_health_pending()
        if pending is None:
            return HealthRefresh(pending=False)
        from asin_tui.spapi.sync import AccountHealthWatch

        watch = AccountHealthWatch(await self._open_api(), pending, request=False, checks=1)
        await watch.watch()
        found = HealthFound(
            document=watch.document,
            fetched_at=datetime.now(UTC),
            pending=watch.pending,
            error=watch.error,
        )
        if self._child_client is not None and self._health_gate_changes(found):
            return await self._store_account_health_in_child(found)
        return await asyncio.to_thread(self._store_account_health, found)

    def _health_gate_changes(self, found: HealthFound) -> bool:
        """Whether the report found changes what a diagnosis acts on (so every cached
        listing is to be diagnosed again): this process's memo is left as it was."""
        if found.document is None:
            return False
        health, problem = _parse_account(found.document, found.fetched_at, self.marketplace_id)
        return not problem and gate(health) != gate(self.account_health())

    def _child_account(self) -> dict[str, Any]:
        """What a child process needs to open this account (``ChildJob``'s fields)."""
        assert self._child_client is not None
        return {
            "profile_name": self.profile_name,
            "marketplace_id": self.marketplace_id,
            "seller_id": self.seller_id,
            "client_factory": self._child_client,
            "cache_path": self._cache.path,
            "sync_batch": self.sync_batch,
        }

    async def _store_account_health_in_child(self, found: HealthFound) -> HealthRefresh:
        job = ChildHealth(**self._child_account(), found=found)
        from asin_tui.child import ChildLost, run_in_child

        try:
            return await run_in_child(child_health_main, job, nice=BACKGROUND_NICE, env=child_env())
        except ChildLost as exc:  # nothing stored: the report is still pending, looked at again
            return HealthRefresh(
                pending=True,
                problem=f"Account Health report not stored: {exc} before the listings were"
                " diagnosed with it; the next look tries again",
            )
        finally:  # the child wrote the cache: the account health is read from it again
            self._account_loaded = False

    def _store_account_health(
        self, found: HealthFound, stop: threading.Event | None = None
    ) -> HealthRefresh:
        """Store what a look found; when the report's gate changes what a diagnosis acts on,
        every cached listing is diagnosed again first, a batch at a time (the report is stored
        last: cut off half way — ``stop`` set between two batches, or the process killed —
        the report stays pending and the next look does it again)."""
        now = found.fetched_at
        before = gate(self.account_health())
        document, problem = self._take_account_health(found.document, now)
        if document is not None and gate(self.account_health()) != before:
            for raws in self._cache.raw_evidence_batches(self.sync_batch):
                if stop is not None and stop.is_set():
                    self._account_loaded = False  # the cache's report, not the one not stored
                    raise asyncio.CancelledError
                self._cache.write_listings(self._diagnosed(raws, {}), observed_at=now)
        self._cache.write_account_health(
            document, fetched_at=now, request=_request_row(found.pending)
        )
        return HealthRefresh(
            pending=found.pending is not None,
            updated=document is not None,
            problem=found.error or problem,
        )

    def _take_account_health(
        self, document: Mapping[str, Any] | None, fetched_at: datetime
    ) -> tuple[Mapping[str, Any] | None, str | None]:
        """Use a freshly fetched Account Health document from now on: (it, None) to store,
        or (None, what is wrong with it) when unreadable (the last readable one stays)."""
        if document is None:
            return None, None
        health, problem = _parse_account(document, fetched_at, self.marketplace_id)
        if problem:
            return None, problem
        self._account, self._account_loaded = health, True
        return document, None

    async def refresh(self, sku: str) -> ListingRecord:
        """Fetch one listing again (wizard Verify), re-diagnose it and store it."""
        return await self._background.run(self._refresh, sku)

    async def _refresh(self, sku: str) -> ListingRecord:
        from asin_tui.domain.diagnosis import diagnose
        from asin_tui.domain.evidence import requirements_for_key
        from asin_tui.spapi import parse
        from asin_tui.spapi.sync import fetch_listing

        api = await self._open_api()
        synced = await fetch_listing(api, sku)
        listing = _parse_or_raise(
            lambda: parse.parse_listing(
                synced.item, self.marketplace_id, asked=parse.DIAGNOSIS_SECTIONS
            )
        )
        key = listing.requirements_key  # offer-only listings: LISTING_OFFER_ONLY requirements
        if key and self._cache.product_type(key) is None:
            definition = await api.product_type(*requirements_for_key(key))
            self._cache.write_product_types({key: definition})
            self._requirements.pop(key, None)
        raw = with_last_good(raw_evidence(synced), self._cache)
        evidence = _parse_or_raise(lambda: self._evidence(raw))
        record = ListingRecord.build(evidence, diagnose(evidence))
        return self._cache.write_listing(record, raw, observed_at=datetime.now(UTC))

    async def reread(self, sku: str) -> tuple[Evidence, Diagnosis]:
        """Read one cached listing again with a single getListingsItem (a batch's verify: one
        call a listing, no evidence calls), diagnose it with the rest of its cached evidence
        (inventory, restrictions, catalog) and store it. UnknownSku when it is not cached."""
        return await self._background.run(self._reread, sku)

    async def _reread(self, sku: str) -> tuple[Evidence, Diagnosis]:
        old = self._cache.raw_evidence(sku)
        if old is None:
            raise UnknownSku(sku)
        from asin_tui.domain.diagnosis import diagnose

        api = await self._open_api()
        item = await api.get_listing(sku)
        raw = dataclasses.replace(old, item=item)
        evidence = _parse_or_raise(lambda: self._evidence(raw))
        record = ListingRecord.build(evidence, diagnose(evidence))
        await asyncio.to_thread(
            self._cache.write_listing, record, raw, observed_at=datetime.now(UTC)
        )
        return evidence, record.diagnosis

    async def in_background(
        self, work: Callable[_P, Awaitable[_R]], /, *args: _P.args, **kwargs: _P.kwargs
    ) -> _R:
        """``work(*args, **kwargs)`` run on the service's own event loop (its thread), where
        its calls to the service's network methods just await: a batch of hundreds of calls
        (the bulk wizard's) then never holds the caller's loop (the UI's) between them.
        Callbacks it makes from there must go through ``background.relay``."""
        return await self._background.run(work, *args, **kwargs)

    async def patch(
        self,
        sku: str,
        patches: Sequence[Mapping[str, Any]],
        *,
        preview: bool,
        on_send: Callable[[], Awaitable[None]] | None = None,
    ) -> SubmissionResult:
        """patchListingsItem for a cached listing (its product type is taken from the cache).
        ``on_send``: awaited on the background loop when the request is about to leave."""
        return await self._background.run(
            self._patch, sku, patches, preview=preview, on_send=on_send
        )

    async def _patch(
        self,
        sku: str,
        patches: Sequence[Mapping[str, Any]],
        *,
        preview: bool,
        on_send: Callable[[], Awaitable[None]] | None = None,
    ) -> SubmissionResult:
        product_type = self.evidence(sku).listing.product_type
        if not product_type:
            raise SpApiError(
                f"SKU {sku!r} has no product type; it cannot be patched",
                operation="patchListingsItem",
            )
        api = await self._open_api()
        response = await api.patch_listing(
            sku, product_type, patches, preview=preview, on_send=on_send
        )
        return _submission(sku, response, self.marketplace_id, preview=preview)

    async def delete(self, sku: str) -> SubmissionResult:
        """deleteListingsItem for a cached listing (retire it); once ACCEPTED the cached row
        goes too, so the list no longer shows it."""
        return await self._background.run(self._delete, sku)

    async def _delete(self, sku: str) -> SubmissionResult:
        self.evidence(sku)  # UnknownSku before anything is sent
        api = await self._open_api()
        response = await api.delete_listing(sku)
        result = _submission(sku, response, self.marketplace_id, preview=False)
        if result.ok:
            await asyncio.to_thread(self._cache.forget, sku)
        return result

    async def aclose(self) -> None:
        """Stop what still runs (a sync winds down: nothing it staged is kept), close the
        client on the loop it was used on, stop that loop, close the cache."""
        await self._background.aclose(then=self._close_api)
        await self._close_api()  # a client given but never used
        self._opening = asyncio.Lock()  # a later call opens the client on a new loop
        self._cache.close()

    async def _close_api(self) -> None:
        if self._api is not None:
            api, self._api = self._api, None
            await api.aclose()

    # ------------------------------------------------------------------ internals

    def _client(self) -> SpApi:
        if self._api is None:
            self._api = self._client_factory()
        return self._api

    async def _open_api(self) -> SpApi:
        """The client, built in a thread the first time: importing python-amazon-sp-api, yaml
        and httpx and building the client (for the demo, its simulated account too) takes
        0.2-0.4 s, which must never hold the event loop (the list's first keys wait on it).
        Only on the background loop: the client's connections and locks belong to it."""
        assert self._background.on_loop(), "the client is used on the background loop only"
        async with self._opening:  # the start-up sync and connect() ask at the same time
            if self._api is None:
                self._api = await asyncio.to_thread(self._client_factory)
        return self._api

    async def connect(self) -> None:
        """Open the SP-API client now, off the event loop (the app calls it once the list
        has painted from the cache). What opening it found to tell (the demo's: fixes that
        won't be kept) is added to ``notices``."""
        await self._background.run(self._open_api)

    def _store_sync(self, result: SyncResult, store: SyncStore) -> SyncSummary:
        """Commit the listings ``store`` staged, with the rest of what the sync fetched."""
        from asin_tui.spapi.sync import ACCOUNT_HEALTH, listings_complete

        failed = {**result.failed, **store.failed}
        used = self.account_health()  # what the listings were diagnosed with
        fetched, problem = self._take_account_health(result.account_health, result.finished_at)
        if problem:
            failed[ACCOUNT_HEALTH] = problem
        if fetched is not None and gate(self.account_health()) != gate(used):
            store.diagnose_again()  # the account-level gate changed during the sync
        complete = result.complete and listings_complete(failed)
        summary = SyncSummary(
            started_at=result.started_at,
            finished_at=result.finished_at,
            include_all=result.include_all,
            complete=complete,
            listings=store.listings,
            counts=dict(store.counts),
            needs_attention=store.needs_attention,
            failed=failed,
            calls=dict(result.calls),
            missing=dict(result.missing),
        )
        store.staged.commit(
            product_types=result.product_types,
            info=summary.info,
            account_health=fetched,
            account_health_request=_request_row(result.pending_health),
            gone=result.gone,
        )
        return summary

    def _read_product_type(
        self, product_type: str, definition: tuple[dict, dict], failed: dict[str, str]
    ) -> None:
        """Use a freshly fetched product type definition (an unreadable one is named)."""
        from asin_tui.spapi import parse

        try:
            self._requirements[product_type] = parse.parse_product_type(*definition)
        except parse.UnreadableBody as exc:
            self._requirements[product_type] = None
            failed[f"product type {product_type}"] = f"unreadable definition: {exc}"

    def _diagnosed(
        self, raws: Iterable[RawEvidence], failed: dict[str, str]
    ) -> list[tuple[ListingRecord, RawEvidence]]:
        """Each listing's record, diagnosed; an unreadable one is named in ``failed``."""
        from asin_tui.domain.diagnosis import diagnose
        from asin_tui.spapi import parse

        entries = []
        for raw in raws:
            try:
                evidence = self._evidence(raw)
            except parse.UnreadableBody as exc:
                failed[raw.sku] = f"unreadable answer from SP-API: {exc}"
                continue
            entries.append((ListingRecord.build(evidence, diagnose(evidence)), raw))
        return entries

    def _evidence(self, raw: RawEvidence) -> Evidence:
        """Raw cached JSON → domain Evidence (raises parse.UnreadableBody)."""
        from asin_tui.domain.evidence import CatalogItem, Evidence
        from asin_tui.spapi import parse

        mp = self.marketplace_id
        listing = parse.parse_listing(raw.item, mp, asked=parse.DIAGNOSIS_SECTIONS)
        inventory = parse.parse_inventory_summaries([raw.inventory]) if raw.inventory else []
        catalog = parse.parse_catalog_item(raw.catalog, mp) if raw.catalog else None
        if catalog is None and raw.catalog_not_found and listing.asin:
            catalog = CatalogItem(asin=listing.asin, found=False)
        return Evidence(
            listing=listing,
            inventory=inventory[0] if inventory else None,
            restrictions=tuple(parse.parse_restrictions(raw.restrictions, mp))
            if raw.restrictions
            else (),
            requirements=self._product_type_requirements(listing.requirements_key),
            catalog=catalog,
            account=self.account_health(),
            gaps=evidence_gaps(raw),
            fetched={
                section: moment
                for section, text in raw.fetched.items()
                if (moment := moment_of(text)) is not None
            },
        )

    def _product_type_requirements(
        self, product_type: str | None
    ) -> ProductTypeRequirements | None:
        """Parsed once per product type (thousands of listings share a handful of them),
        however many threads ask for it at once (the bulk wizard's grid, its checks and its
        batch read listings of the same types together): one reads and parses its stored
        definition and schema (megabytes of JSON), the others wait for that one."""
        from asin_tui.spapi import parse

        if not product_type:
            return None
        with self._requirements_lock:
            known = self._requirements  # a sync may put a new one in its place meanwhile
            if product_type not in known:
                stored = self._cache.product_type(product_type)
                try:
                    requirements = parse.parse_product_type(*stored) if stored else None
                except parse.UnreadableBody:
                    requirements = None  # diagnose without the schema rather than not at all
                known[product_type] = requirements
            return known[product_type]


def _request_row(request: ReportRequest | None) -> tuple[str, datetime] | None:
    return None if request is None else (request.report_id, request.requested_at)


def _reusable(
    answers: Mapping[str, tuple[Any, datetime]], now: datetime, max_age: timedelta
) -> dict[str, tuple[Any, datetime]]:
    """The kept answers a sync at ``now`` uses: none older than ``max_age`` (ANSWER_MAX_AGE
    by default), and not the oldest 1/REFRESH_SHARE of those older than ANSWER_MIN_AGE
    (fetched again instead)."""
    young = {key: a for key, a in answers.items() if age(a[1], now) <= max_age}
    settled = sorted((a[1], key) for key, a in young.items() if age(a[1], now) > ANSWER_MIN_AGE)
    for _, key in settled[: -(-len(young) // REFRESH_SHARE)]:
        del young[key]
    return young


def _parse_or_raise(build: Callable[[], Any]) -> Any:
    """Turn a parse failure on a fresh answer into the typed SP-API error the UI shows."""
    from asin_tui.spapi import parse

    try:
        return build()
    except parse.UnreadableBody as exc:
        raise SpApiError(f"unreadable answer from SP-API: {exc}") from exc


#: The longest submission id kept (Amazon's are 32 hex digits); a longer one, or one that is
#: not text, is an answer that is not Amazon's: not saved in a case nor printed.
MAX_SUBMISSION_ID = 128


def _submission(
    sku: str, response: Mapping[str, Any], marketplace_id: str, *, preview: bool
) -> SubmissionResult:
    # A submission's issues have the listings Issue shape: parse them as a listing's issues.
    from asin_tui.spapi import parse

    issues = _parse_or_raise(
        lambda: (
            parse.parse_listing(
                {"sku": sku, "issues": response.get("issues") or []}, marketplace_id
            ).issues
        )
    )
    submission_id = response.get("submissionId")
    # Amazon's enum only: anything else (a proxy's page, a bad answer) is not an
    # acceptance, and its text is never shown as a status
    status = str(response.get("status")).upper()
    if not isinstance(submission_id, str) or len(submission_id) > MAX_SUBMISSION_ID:
        submission_id = None  # not Amazon's short id (an object, megabytes): not kept
    return SubmissionResult(
        sku=sku,
        status=status if status in parse.SUBMISSION_STATUSES else "UNKNOWN",
        submission_id=submission_id or None,
        issues=issues,
        preview=preview,
    )


def _recheck_change(
    found: Recheck, item: CaseRecord, current: Diagnosis | None, now: datetime
) -> Callable[[CaseRecord], None] | None:
    """How a re-check changes one SKU's saved case (None: nothing to record; an overdue
    wait is noted once)."""
    from asin_tui.domain.outcomes import Recheck
    from asin_tui.store.cases import Outcome

    day = f"{now:%Y-%m-%d %H:%M} UTC"
    was = item.outcome.value.replace("_", " ")
    was = "after the change sent" if item.outcome is Outcome.OPEN else f"while {was}"
    if found is Recheck.RESOLVED:

        def change(p: CaseRecord) -> None:
            p.set_outcome(Outcome.RESOLVED, resolved_state=State.ACTIVE.value)
            p.checked_at, p.check_note = now, f"resolved {day}: back on sale {was}"

        return change
    if found is Recheck.OVERDUE:
        state = current.state.value if current is not None else "not on sale"
        note = f"overdue: still {state} after {item.recheck_at:%Y-%m-%d %H:%M} UTC"
        if item.check_note == note:
            return None

        def change(p: CaseRecord) -> None:
            p.checked_at, p.check_note = now, note

        return change
    if found is Recheck.REOPENED and current is not None:
        resolved_on = f"{item.outcome_at:%Y-%m-%d}" if item.outcome_at else "earlier"

        def change(p: CaseRecord) -> None:
            resolved_state = p.resolved_state or State.ACTIVE.value
            p.set_outcome(Outcome.OPEN, resolved_state=resolved_state)
            p.current_step = WizardStep.OVERVIEW
            p.checked_at = now
            p.check_note = (
                f"reopened {day}: {current.state.value} again after it was resolved on "
                f"{resolved_on}"
            )

        return change
    return None


def remove_cache(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        candidate.unlink(missing_ok=True)
