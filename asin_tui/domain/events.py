"""What changed between two looks at an account: the events `asin-tui watch` emits.

Pure: no Textual, no network, no files. The watch reads the cache before and after a sync and
hands the records here; each event carries what a seller acts on — the state before and after,
the main cause, the findings and the fix — and a ``key`` that names it once (an event with a
key already stored is not emitted again, so an exemption about to end alerts once, not every
round).

Events: BECAME_INACTIVE (live → not live), NEW_ISSUE (a new ERROR finding on a listing),
RECOVERED (back on sale), AT_RISK (an exemption ending within N days, MFN quantity at or below a
threshold), ACCOUNT_HEALTH (a metric crossing Amazon's published target, or the account health
rating's status changing), WAIT_OVERDUE (a wizard case waiting on Amazon past its re-check
date). Amazon's targets: Seller Central help "Account Health" (G200205250) — order defect rate
under 1 %, late shipment rate under 4 %, pre-fulfilment cancellation rate under 2.5 %, valid
tracking rate over 95 %; docs/WATCH.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from asin_tui.domain import codes
from asin_tui.domain.cover import MFN, StockCover, days_text
from asin_tui.domain.models import AccountHealth, ListingRecord, Severity, State


class EventKind(StrEnum):
    BECAME_INACTIVE = "BECAME_INACTIVE"
    NEW_ISSUE = "NEW_ISSUE"
    RECOVERED = "RECOVERED"
    AT_RISK = "AT_RISK"
    ACCOUNT_HEALTH = "ACCOUNT_HEALTH"
    WAIT_OVERDUE = "WAIT_OVERDUE"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a live listing is at risk (a profile's ``[alerts]`` may change them)."""

    exemption_days: int = 14  # an exemption ending within this many days
    mfn_quantity: int = 2  # merchant-fulfilled quantity at or below this
    cover_days: int = 14  # stock lasting fewer days than this at its pace (0: not watched)


DEFAULT_THRESHOLDS = Thresholds()

#: Amazon's published targets: metric -> (words, target, the metric is bad when above it?).
HEALTH_TARGETS: dict[str, tuple[str, float, bool]] = {
    "order_defect_rate": ("Order defect rate", 0.01, True),
    "late_shipment_rate": ("Late shipment rate", 0.04, True),
    "pre_fulfillment_cancellation_rate": ("Pre-fulfilment cancellation rate", 0.025, True),
    "valid_tracking_rate": ("Valid tracking rate", 0.95, False),
}


@dataclass(frozen=True, slots=True)
class Event:
    """One thing a seller should hear about. ``key`` identifies it across rounds."""

    kind: EventKind
    time: datetime
    marketplace_id: str
    key: str
    sku: str | None = None
    asin: str | None = None
    title: str = ""
    state_before: str | None = None
    state_after: str | None = None
    main_cause: str = ""
    findings: tuple[str, ...] = ()
    fix: str = ""
    detail: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self, profile: str) -> dict[str, Any]:
        """The JSON line `watch` prints (account-level events carry no sku/asin)."""
        out: dict[str, Any] = {
            "time": self.time.isoformat(),
            "profile": profile,
            "marketplace_id": self.marketplace_id,
            "event": self.kind.value,
        }
        if self.sku is not None:
            out |= {"sku": self.sku, "asin": self.asin, "title": self.title}
        out |= {
            "state_before": self.state_before,
            "state_after": self.state_after,
            "main_cause": self.main_cause,
            "findings": list(self.findings),
            "fix": self.fix,
        }
        if self.detail:
            out["detail"] = self.detail
        out.update(self.extra)
        return out


def _live(record: ListingRecord | None) -> bool:
    """On sale (or not known to be off sale: absent from the needs-attention cache)."""
    return record is None or not record.needs_attention or record.state is State.VARIATION_PARENT


def _error_codes(record: ListingRecord | None) -> set[str]:
    if record is None:
        return set()
    return {f.code for f in record.findings if f.severity is Severity.ERROR}


def _listing_event(
    kind: EventKind,
    now: datetime,
    before: ListingRecord | None,
    after: ListingRecord | None,
    key: str,
    **more: Any,
) -> Event:
    record = after or before
    assert record is not None
    main = after.findings[0] if after is not None and after.findings else None
    return Event(
        kind=kind,
        time=now,
        marketplace_id=record.marketplace_id,
        key=key,
        sku=record.sku,
        asin=record.asin,
        title=record.title,
        state_before=before.state.value if before is not None else State.ACTIVE.value,
        state_after=after.state.value if after is not None else State.ACTIVE.value,
        main_cause=main.title if main else "",
        findings=tuple(f.title for f in after.findings) if after is not None else (),
        fix=main.fix if main else "",
        **more,
    )


def listing_events(
    before: ListingRecord | None,
    after: ListingRecord | None,
    *,
    now: datetime,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    exemption_ends: datetime | None = None,
) -> list[Event]:
    """The events of one listing between two looks. ``None`` before: not in the cache (live,
    or new); ``None`` after: a complete sync no longer found it needing attention (on sale).
    ``exemption_ends``: the earliest end of an exemption the listing relies on now."""
    either = after if after is not None else before
    if either is None:
        return []
    sku = either.sku
    stamp = now.isoformat()
    events: list[Event] = []
    was_live, is_live = _live(before), _live(after)
    if was_live and not is_live:
        events.append(
            _listing_event(EventKind.BECAME_INACTIVE, now, before, after, f"{sku}|{stamp}")
        )
    elif not was_live and is_live:
        events.append(_listing_event(EventKind.RECOVERED, now, before, after, f"{sku}|{stamp}"))
    elif after is not None and not is_live and before is not None and after.state != before.state:
        # off sale both times, but differently (suppressed → inactive): said as a new state
        events.append(
            _listing_event(EventKind.BECAME_INACTIVE, now, before, after, f"{sku}|{stamp}")
        )
    new_errors = _error_codes(after) - _error_codes(before)
    if new_errors and not (events and events[0].kind is EventKind.BECAME_INACTIVE):
        assert after is not None
        new = [f for f in after.findings if f.code in new_errors]
        events.append(
            _listing_event(
                EventKind.NEW_ISSUE,
                now,
                before,
                after,
                f"{sku}|{'+'.join(sorted(new_errors))}|{stamp}",
                detail="; ".join(f.title for f in new),
            )
        )
    if after is not None and is_live:
        events.extend(_risk_events(after, now, thresholds, exemption_ends))
    return events


def _risk_events(
    record: ListingRecord, now: datetime, thresholds: Thresholds, exemption_ends: datetime | None
) -> list[Event]:
    """AT_RISK events of a live listing; their keys name the risk, so each alerts once."""
    events = []
    if exemption_ends is not None and exemption_ends - now <= timedelta(
        days=thresholds.exemption_days
    ):
        days = max(0, (exemption_ends - now).days)
        finding = next((f for f in record.findings if f.code == codes.EXEMPTION_EXPIRING), None)
        events.append(
            _listing_event(
                EventKind.AT_RISK,
                now,
                record,
                record,
                f"{record.sku}|exemption|{exemption_ends.date().isoformat()}",
                detail=f"exemption ends {exemption_ends:%Y-%m-%d} (in {days} days)",
                extra={"risk": "exemption", "deadline": exemption_ends.isoformat()},
            )
        )
        if finding is not None:  # the exemption's own words are the cause
            events[-1] = _with_cause(events[-1], finding.title, finding.fix)
    quantity = record.quantity
    if (
        record.fulfillment_channel == "MFN"
        and quantity is not None
        and 0 < quantity <= thresholds.mfn_quantity
    ):
        events.append(
            _listing_event(
                EventKind.AT_RISK,
                now,
                record,
                record,
                f"{record.sku}|mfn-quantity|{quantity}",
                detail=f"only {quantity} left (merchant-fulfilled)",
                extra={"risk": "quantity", "quantity": quantity},
            )
        )
        events[-1] = _with_cause(
            events[-1],
            f"Low stock: {quantity} left",
            "add stock (quantity in fulfillment_availability) before it sells out",
        )
    return events


#: What to do about stock that runs out soon, by channel.
COVER_FIX = {
    "FBA": "send more units to Amazon (an FBA shipment) before these sell out",
    MFN: "add stock (quantity in fulfillment_availability) before it sells out",
}


def cover_events(
    covers: Iterable[StockCover],
    records: Mapping[str, ListingRecord],
    *,
    now: datetime,
    marketplace_id: str,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    newly_short: Iterable[str] | None = None,
) -> list[Event]:
    """AT_RISK for stock that runs out soon: each of ``covers`` short of
    ``thresholds.cover_days`` — of those, only the SKUs in ``newly_short`` when given
    (cover.newly_short: told when it becomes short) — and a merchant-fulfilled quantity at or
    below ``thresholds.mfn_quantity`` of a listing the cache does not hold (live ones a
    needs-attention sync leaves out; a cached one is told by listing_events, with the same
    key). ``records``: the cached listings; one off sale is not "at risk" (it is told as
    inactive)."""
    events = []
    newly = None if newly_short is None else set(newly_short)
    for cover in covers:
        record = records.get(cover.sku)
        if record is not None and not _live(record):
            continue
        short = cover.short(thresholds.cover_days) and (newly is None or cover.sku in newly)
        low = (
            record is None
            and cover.channel == MFN
            and cover.available is not None
            and 0 < cover.available <= thresholds.mfn_quantity
        )
        if not (short or low):
            continue
        state = record.state.value if record is not None else State.ACTIVE.value
        common: dict[str, Any] = {
            "kind": EventKind.AT_RISK,
            "time": now,
            "marketplace_id": marketplace_id,
            "sku": cover.sku,
            "asin": (record.asin if record is not None else None) or cover.asin or None,
            "title": (record.title if record is not None else "") or cover.title,
            "state_before": state,
            "state_after": state,
            "findings": tuple(f.title for f in record.findings) if record is not None else (),
            "fix": COVER_FIX.get(cover.channel, COVER_FIX[MFN]),
        }
        if short:
            assert cover.days is not None
            day = (cover.as_of or now).date().isoformat()
            events.append(
                Event(
                    key=f"{cover.sku}|cover|{day}",
                    main_cause=f"Low stock cover: {days_text(cover.days)} left",
                    detail=cover.words(),
                    extra={
                        "risk": "cover",
                        "days_of_cover": round(cover.days, 1),
                        "available": cover.available,
                        "daily_velocity": round(cover.daily, 2) if cover.daily else None,
                        "channel": cover.channel,
                    },
                    **common,
                )
            )
        if low:
            events.append(
                Event(
                    key=f"{cover.sku}|mfn-quantity|{cover.available}",
                    main_cause=f"Low stock: {cover.available} left",
                    detail=f"only {cover.available} left (merchant-fulfilled)",
                    extra={"risk": "quantity", "quantity": cover.available},
                    **common,
                )
            )
    return events


def _with_cause(event: Event, cause: str, fix: str) -> Event:
    from dataclasses import replace

    return replace(event, main_cause=cause, fix=fix)


def account_events(
    before: AccountHealth | None, after: AccountHealth | None, *, now: datetime
) -> list[Event]:
    """ACCOUNT_HEALTH events: a metric that crossed Amazon's target (either way), the account
    status or the account health rating's status changing. Nothing when either look is
    missing (no report yet is not a change)."""
    if before is None or after is None:
        return []
    events = []
    mp = after.marketplace_id
    stamp = now.isoformat()
    for name, (words, target, bad_above) in HEALTH_TARGETS.items():
        old, new = before.rates.get(name), after.rates.get(name)
        if old is None or new is None:
            continue
        was_bad, is_bad = _misses(old, target, bad_above), _misses(new, target, bad_above)
        if was_bad == is_bad:
            continue
        sign = "≥" if bad_above else "<"
        events.append(
            Event(
                kind=EventKind.ACCOUNT_HEALTH,
                time=now,
                marketplace_id=mp,
                key=f"{name}|{stamp}",
                state_before=f"{old:.2%}",
                state_after=f"{new:.2%}",
                main_cause=(
                    f"{words} {new:.2%} {sign} Amazon's target {target:.1%}"
                    if is_bad
                    else f"{words} {new:.2%} back within Amazon's target {target:.1%}"
                ),
                fix=_HEALTH_FIX[name] if is_bad else "",
                extra={"metric": name, "target": target},
            )
        )
    for what, old_s, new_s in (
        ("Account status", before.status, after.status),
        ("Account health rating", before.rating, after.rating),
    ):
        if old_s and new_s and old_s != new_s:
            events.append(
                Event(
                    kind=EventKind.ACCOUNT_HEALTH,
                    time=now,
                    marketplace_id=mp,
                    key=f"{what}|{stamp}",
                    state_before=old_s,
                    state_after=new_s,
                    main_cause=f"{what} {old_s} → {new_s}",
                    fix="open Seller Central → Performance → Account Health",
                    extra={"metric": what.lower().replace(" ", "_")},
                )
            )
    return events


def _misses(value: float, target: float, bad_above: bool) -> bool:
    return value >= target if bad_above else value < target


_HEALTH_FIX = {
    "order_defect_rate": "answer A-to-z claims and negative feedback; Account Health shows the orders",
    "late_shipment_rate": "confirm shipment before the expected ship date; check handling times",
    "pre_fulfillment_cancellation_rate": "keep stock quantities true so orders are not cancelled",
    "valid_tracking_rate": "confirm every shipment with a valid tracking number",
}


@dataclass(frozen=True, slots=True)
class WaitingCase:
    """A wizard case waiting on Amazon (the case store's outcome)."""

    sku: str
    waiting_for: str
    recheck_at: datetime


def overdue_events(
    cases: Iterable[WaitingCase],
    records: Mapping[str, ListingRecord],
    *,
    now: datetime,
    marketplace_id: str,
) -> list[Event]:
    """WAIT_OVERDUE: a case waiting on Amazon past its re-check date whose listing still
    needs attention (one event per case and re-check date)."""
    events = []
    for case in cases:
        if now <= case.recheck_at:
            continue
        record = records.get(case.sku)
        if record is None or not record.needs_attention:
            continue  # back on sale: the re-check resolves it, nothing is overdue
        main = record.findings[0] if record.findings else None
        events.append(
            Event(
                kind=EventKind.WAIT_OVERDUE,
                time=now,
                marketplace_id=marketplace_id,
                key=f"{case.sku}|{case.recheck_at.isoformat()}",
                sku=case.sku,
                asin=record.asin,
                title=record.title,
                state_before=record.state.value,
                state_after=record.state.value,
                main_cause=main.title if main else "",
                findings=tuple(f.title for f in record.findings),
                fix=(
                    f"waited for {case.waiting_for} since before "
                    f"{case.recheck_at:%Y-%m-%d}: contact Selling Partner Support"
                ),
                detail=f"re-check was due {case.recheck_at:%Y-%m-%d %H:%M} UTC",
            )
        )
    return events
