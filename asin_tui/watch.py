"""The headless monitor behind `asin-tui watch`: one round syncs an account, compares the cache
before and after (domain/events.py), stores the new events in the cache (store/events.py) and
only then hands them to the alert channels (asin_tui/alerts.py).

No Textual here. A round holds the records of two looks at the cache and drops them when it
ends, so memory stays flat over weeks of rounds.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from asin_tui.domain import codes
from asin_tui.domain.cover import newly_short
from asin_tui.domain.events import (
    DEFAULT_THRESHOLDS,
    Event,
    Thresholds,
    WaitingCase,
    account_events,
    cover_events,
    listing_events,
    overdue_events,
)
from asin_tui.domain.looks import exemption_end
from asin_tui.domain.models import ListingRecord
from asin_tui.domain.redact import redact
from asin_tui.domain.text import json_for_terminal, visible
from asin_tui.service import (
    AccountService,
    AuthError,
    CoverRefresh,
    MalformedResponse,
    NotFound,
    SpApiError,
    UnknownSku,
)
from asin_tui.store.cases import CaseStore, CaseStoreError, Outcome
from asin_tui.store.events import EventStore, StoredEvent

#: Tries of one channel for one event within a round, and the pause before each retry
#: (seconds, doubled each time); an event still unsent waits for the next round.
SEND_TRIES = 3
SEND_BACKOFF = 1.0


class Channel:
    """An alert channel: ``send`` raises on failure (with a one-line message)."""

    name = "channel"

    async def send(self, payload: Mapping[str, object], text: str) -> None:  # pragma: no cover
        raise NotImplementedError


@dataclass
class RoundResult:
    """What one round did."""

    events: list[StoredEvent] = field(default_factory=list)  # new this round
    #: the first look at the account: nothing to compare with, only risks are told
    baseline: bool = False
    problems: list[str] = field(default_factory=list)  # channel failures, one line each
    complete: bool = True
    #: a notification's re-check: the SKUs that could not be read again (left to the rounds)
    unchecked: list[str] = field(default_factory=list)


class Watcher:
    """One profile's account, watched round after round."""

    def __init__(
        self,
        service: AccountService,
        store: EventStore,
        *,
        channels: Sequence[Channel] = (),
        thresholds: Thresholds = DEFAULT_THRESHOLDS,
        include_all: bool = False,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.service = service
        self.store = store
        self.channels = list(channels)
        self.thresholds = thresholds
        self.include_all = include_all
        self._now = now
        self._sleep = sleep
        #: one look at a time: a notification's re-check waits for a round under way, so the
        #: two never judge the same change twice
        self._busy = asyncio.Lock()
        self._cache_warned: str | None = None  # the cache's warning last told

    @property
    def profile(self) -> str:
        return self.service.profile_name

    async def round(self) -> RoundResult:
        """Sync, compare, store the new events; then send what every channel has unsent
        (this round's and any an earlier round could not send). Raises what the sync
        raises (SpApiError, CacheError): the cache and the event store are left as they were.

        "Before" is `watch`'s snapshot, stored with the last round's events (else, on the
        first round, the cache as it is now): a change the cache took in after it (a sync
        whose round a signal stopped, the TUI's own sync) is told this round."""
        async with self._busy:
            return await self._round()

    async def _round(self) -> RoundResult:
        service = self.service
        first = service.last_sync() is None
        seen = service.seen_records()
        before = _by_sku(seen if seen is not None else service.cached_records(all_listings=True))
        del seen
        health_before = service.account_health()
        summary = await service.sync(include_all=self.include_all)
        cover = await self._stock_cover()
        # from here to the store's commit nothing awaits: a signal cannot cut it in half
        now = self._now()
        after = _by_sku(service.cached_records(all_listings=True))
        result = RoundResult(baseline=first, complete=summary.complete)
        if (warning := service.cache_warning) and warning != self._cache_warned:
            self._cache_warned = warning  # a file set aside (its events with it): said once
            result.problems.append(f"{self.profile}: {warning}")
        events: list[Event] = []
        if first:  # nothing to compare with: only what is at risk now (deadlines, low stock)
            events += self._listing_events(after, after, now, complete=summary.complete)
        else:
            events += self._listing_events(before, after, now, complete=summary.complete)
            events += account_events(health_before, service.account_health(), now=now)
        events += self._overdue(after, now)
        if cover is not None:
            short = newly_short(cover.before, cover.after, self.thresholds.cover_days)
            # uncached live listings' low MFN quantity too, once a new report is read
            low = [c for c in cover.after.values() if c.sku not in after] if cover.updated else []
            events += cover_events(
                {c.sku: c for c in [*short, *low]}.values(),
                after,
                now=now,
                marketplace_id=service.marketplace_id,
                thresholds=self.thresholds,
                newly_short=[c.sku for c in short],
            )
            if cover.problem:
                result.problems.append(f"{self.profile}: stock cover: {cover.problem}")
        channels = [c.name for c in self.channels]
        result.events = self.store.add(events, self.profile, channels, seen="all", now=now)
        before.clear()
        after.clear()
        self.store.prune(now)
        result.problems += await self.deliver()
        return result

    async def _stock_cover(self) -> CoverRefresh | None:
        """The stock cover reports, fetched twice a day (service.refresh_stock_cover); None
        when cover is not watched (cover_days 0) or could not be had (said as a problem by
        the caller through ``problem``). Refused credentials raise, as the sync's do."""
        if self.thresholds.cover_days <= 0:
            return None
        try:
            return await self.service.refresh_stock_cover()
        except AuthError:
            raise
        except SpApiError as exc:
            return CoverRefresh(problem=str(exc))

    async def recheck(self, skus: Iterable[str]) -> RoundResult:
        """The fast path: listings an SP-API notification named, read again now with one
        getListingsItem each (a listing not cached yet: with its evidence), compared with
        `watch`'s snapshot; the new events are stored (with the snapshot of those SKUs) and
        sent. A SKU that cannot be read is in ``unchecked`` with a line in ``problems``
        (the next round reads it anyway); a deleted one is left to the round."""
        async with self._busy:
            service = self.service
            result = RoundResult()
            events: list[Event] = []
            checked: list[str] = []
            for sku in dict.fromkeys(skus):
                known, before = service.seen_record(sku)
                cached = service.cached_record(sku)
                if not known:
                    before = cached
                try:
                    if cached is None:
                        await service.refresh(sku)
                    else:
                        await service.reread(sku)
                except NotFound:
                    checked.append(sku)  # deleted: the next round tells what it finds
                    continue
                except (SpApiError, MalformedResponse, UnknownSku) as exc:
                    result.unchecked.append(sku)
                    result.problems.append(
                        f"{self.profile}: re-check of {sku} failed ({_one_line(exc)}); the next "
                        "round reads it"
                    )
                    continue
                after = service.cached_record(sku)
                checked.append(sku)
                events += listing_events(
                    before,
                    after,
                    now=self._now(),
                    thresholds=self.thresholds,
                    exemption_ends=self._exemption_ends(after),
                )
            channels = [c.name for c in self.channels]
            result.events = self.store.add(
                events, self.profile, channels, seen=checked, now=self._now()
            )
            result.problems += await self.deliver()
            return result

    def _listing_events(
        self,
        before: dict[str, ListingRecord],
        after: dict[str, ListingRecord],
        now: datetime,
        *,
        complete: bool,
    ) -> list[Event]:
        events = []
        for sku in sorted(before.keys() | after.keys()):
            old, new = before.get(sku), after.get(sku)
            if new is None and not complete:
                continue  # not fetched this time: nothing is known of it
            events += listing_events(
                old,
                new,
                now=now,
                thresholds=self.thresholds,
                exemption_ends=self._exemption_ends(new),
            )
        return events

    def _exemption_ends(self, record: ListingRecord | None) -> datetime | None:
        """The earliest end of a dated exemption the listing relies on (from its evidence)."""
        if record is None or not any(f.code == codes.EXEMPTION_EXPIRING for f in record.findings):
            return None
        try:
            listing = self.service.evidence(record.sku).listing
        except (UnknownSku, MalformedResponse):
            return None
        return exemption_end(listing)

    def _overdue(self, after: Mapping[str, ListingRecord], now: datetime) -> list[Event]:
        store = CaseStore(self.profile, self.service.marketplace_id)
        try:
            items = store.load_headers()  # what each waits for and until when
        except (CaseStoreError, ValueError):
            return []  # the sync's own re-check has said why
        cases = [
            WaitingCase(sku, item.waiting_for, item.recheck_at)
            for sku, item in items.items()
            if item.outcome is Outcome.WAITING and item.recheck_at is not None
        ]
        return overdue_events(cases, after, now=now, marketplace_id=self.service.marketplace_id)

    async def deliver(self) -> list[str]:
        """Send every channel's unsent events, oldest first, each tried SEND_TRIES times with
        backoff; a channel that still fails is reported (one line) and tried again next round
        from the same event, so the order is kept and nothing is lost."""
        problems = []
        for channel in self.channels:
            for delivery in self.store.unsent(channel.name):
                error = await self._send(channel, delivery.event.payload)
                self.store.mark(delivery, error=error, now=self._now())
                if error is not None:
                    problems.append(f"{self.profile}: alert channel {channel.name}: {error}")
                    break  # the rest wait for the next round, in order
        return problems

    async def _send(self, channel: Channel, payload: Mapping[str, object]) -> str | None:
        text = _text(payload)
        pause = SEND_BACKOFF
        error = None
        for attempt in range(SEND_TRIES):
            if attempt:
                await self._sleep(pause)
                pause *= 2
            try:
                await channel.send(payload, text)
                return None
            except Exception as exc:  # any failure of a channel is reported, never fatal
                error = redact(" ".join(str(exc).split()) or type(exc).__name__)
        return error


def _one_line(exc: BaseException) -> str:
    return redact(" ".join(str(exc).split()) or type(exc).__name__)


def _by_sku(records: Iterable[ListingRecord]) -> dict[str, ListingRecord]:
    return {r.sku: r for r in records}


def event_json(payload: Mapping[str, object], *, indent: int | None = None) -> str:
    """An event's JSON as `watch` prints and sends it (stdout, the e-mail, the webhook, the
    command's stdin): the same data, with every character a terminal would act on (C1, bidi
    overrides, DEL, …; json.dumps escapes C0 itself) written as a ``\\uXXXX`` escape, so the
    line is safe read in a terminal, a mail reader or a log and parses back to the exact SKU."""
    return json_for_terminal(json.dumps(payload, ensure_ascii=False, indent=indent))


def _text(payload: Mapping[str, object]) -> str:
    """The one line a chat shows (Slack's ``text``, the e-mail's subject) for a stored
    event's JSON: terminal-safe (domain.text.visible: a SKU's ESC shows as ``\\x1b``)."""
    profile = payload.get("profile", "")
    event = payload.get("event", "")
    words = {
        "BECAME_INACTIVE": "went off sale",
        "NEW_ISSUE": "has a new issue",
        "RECOVERED": "is back on sale",
        "AT_RISK": "is at risk",
        "ACCOUNT_HEALTH": "account health",
        "WAIT_OVERDUE": "is overdue (waiting on Amazon)",
    }.get(str(event), str(event))
    sku = payload.get("sku")
    subject = f"{sku} ({payload.get('asin') or 'no ASIN'}) " if sku is not None else ""
    line = f"[{profile}] {subject}{words}"
    cause = payload.get("main_cause") or payload.get("detail")
    if cause:
        line += f": {cause}"
    if payload.get("fix"):
        line += f" — fix: {payload['fix']}"
    return visible(line)
