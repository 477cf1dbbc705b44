"""What the TUI tells a seller who comes back: what changed since the last look, what is live
but at risk, and one listing's timeline.

Pure: no Textual, no files. The events are `asin-tui watch`'s (domain/events.py) and the
thresholds its own (``[profiles.NAME.alerts]``); the state changes come from the cache's history
(the first sync that saw each state), the fixes and outcomes from the wizard's cases.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from asin_tui.domain import codes
from asin_tui.domain.cover import StockCover, days_text
from asin_tui.domain.events import COVER_FIX, DEFAULT_THRESHOLDS, EventKind, Thresholds
from asin_tui.domain.models import Category, Finding, Listing, ListingRecord, Severity, State

#: The code of the low-stock line the at-risk view shows (not a diagnosis finding).
LOW_STOCK_MFN = "LOW_STOCK_MFN"
#: The code of the line of a listing back on sale and no longer cached (not a diagnosis).
BACK_ON_SALE = "BACK_ON_SALE"
#: The code of the short-stock-cover line the at-risk view shows (domain/cover.py).
LOW_COVER = "LOW_COVER"
#: The code of the line of a live listing known only from the stock cover reports (a
#: needs-attention sync does not cache live listings): no evidence to read.
NOT_CACHED = "NOT_CACHED"

# ---------------------------------------------------------------------------- at risk


def exemption_end(listing: Listing) -> datetime | None:
    """The earliest end of a dated exemption (EXEMPT_UNTIL_EXPIRY_DATE) the listing relies
    on: Amazon enforces the issue from that date."""
    ends = [
        issue.enforcement.exemption_expiry
        for issue in listing.issues_here()
        if issue.enforcement is not None
        and issue.enforcement.exemption_status == "EXEMPT_UNTIL_EXPIRY_DATE"
        and issue.enforcement.exemption_expiry is not None
    ]
    return min(ends, default=None)


def low_mfn_stock(record: ListingRecord, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> bool:
    """Merchant-fulfilled with a few units left (at or below the alert threshold)."""
    quantity = record.quantity
    return (
        record.fulfillment_channel == "MFN"
        and quantity is not None
        and 0 < quantity <= thresholds.mfn_quantity
    )


def is_at_risk(
    record: ListingRecord,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    cover: StockCover | None = None,
) -> bool:
    """Live now but will not stay so: a WARNING finding (an exemption that ends, a warning
    Amazon will enforce), low merchant-fulfilled stock, or stock that runs out within
    ``thresholds.cover_days`` at the pace it sells (``cover``: its stock cover, None: not
    checked). A listing that needs attention already is not "at risk": it is off sale or has
    an error."""
    if record.needs_attention or record.state is State.VARIATION_PARENT:
        return False
    short = cover is not None and cover.short(thresholds.cover_days)
    return record.at_risk or low_mfn_stock(record, thresholds) or short


def stock_risk(record: ListingRecord) -> Finding | None:
    """The At risk line of a live listing whose stock runs out (days of cover, or few
    merchant-fulfilled units left), when it leads the row; None otherwise. Amazon finds
    nothing wrong with such a listing yet: the wizard offers its Stock step for it."""
    first = record.findings[0] if record.findings else None
    if first is not None and first.code in (LOW_COVER, LOW_STOCK_MFN):
        return first
    return None


def cover_finding(cover: StockCover) -> Finding:
    """The at-risk line of a short stock cover: "At risk: 5 days of cover (FBA)"."""
    days = days_text(cover.days) if cover.days is not None else "few days"
    title = f"At risk: {days} of cover ({cover.channel})"
    return Finding(
        category=Category.STOCK,
        severity=Severity.WARNING,
        code=LOW_COVER,
        title=title,
        detail=cover.words(),
        fix=COVER_FIX.get(cover.channel, COVER_FIX["MFN"]),
        brief=title,
    )


def cover_row(cover: StockCover, marketplace_id: str) -> ListingRecord:
    """The row of a live listing with a short cover that the cache does not hold (a sync of
    what needs attention keeps only those): what the reports say of it."""
    return ListingRecord(
        sku=cover.sku,
        asin=cover.asin or None,
        title=cover.title,
        marketplace_id=marketplace_id,
        state=State.ACTIVE,
        buyable=True,
        discoverable=True,
        findings=(
            cover_finding(cover),
            Finding(
                category=Category.OTHER,
                severity=Severity.INFO,
                code=NOT_CACHED,
                title="On sale; known from Amazon's sales reports (not cached)",
                detail="A sync of what needs attention keeps only listings that need it.",
                fix="",
                brief="On sale (not cached)",
            ),
        ),
        fulfillment_channel=cover.channel,
        quantity=cover.available,
    )


def not_cached(record: ListingRecord) -> bool:
    """A row the cache does not hold (no evidence to read): back on sale and gone from it,
    or known only from the stock cover reports."""
    return record.main_code == BACK_ON_SALE or any(f.code == NOT_CACHED for f in record.findings)


def with_risk_cause(
    record: ListingRecord,
    ends: datetime | None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    cover: StockCover | None = None,
) -> ListingRecord:
    """The record with its risk said first, with the date or the stock left, so the list's
    cause column reads "At risk until 2026-12-20: Missing: brand" (the date first, so a narrow
    column keeps it; the title says "At risk: … until 2026-12-20") or "At risk: only 2 left
    (MFN)" or "At risk: 5 days of cover (FBA)". ``ends``: exemption_end of its listing (None:
    no dated exemption); ``cover``: its stock cover (None: not checked)."""
    findings = list(record.findings)
    risky = True
    main = next((f for f in findings if f.code == codes.EXEMPTION_EXPIRING), None)
    if main is None:
        main = next((f for f in findings if f.severity is Severity.WARNING), None)
    if main is not None:
        short = main.short_title
        if not short.startswith("At risk"):
            short = f"At risk: {short}"
        title = main.title if main.title.startswith("At risk") else f"At risk: {main.title}"
        if main.code == codes.EXEMPTION_EXPIRING and ends is not None:
            # the date first in the narrow column, so a cut keeps it
            rest = short.removeprefix("At risk: ")
            short = f"At risk until {ends:%Y-%m-%d}: {rest}"
            title = f"{title} until {ends:%Y-%m-%d}"
        findings.remove(main)
        findings.insert(0, replace(main, brief=short, title=title))
    elif low_mfn_stock(record, thresholds):
        left = f"At risk: only {record.quantity} left (MFN)"
        findings.insert(
            0,
            Finding(
                category=Category.STOCK,
                severity=Severity.WARNING,
                code=LOW_STOCK_MFN,
                title=left,
                detail=f"{record.quantity} units left to sell (merchant-fulfilled).",
                fix="add stock (quantity in fulfillment_availability) before it sells out",
            ),
        )
    else:
        risky = False
    if cover is not None and cover.short(thresholds.cover_days):
        # a dated exemption, Amazon's warning or the stock left stays first; the cover next
        findings.insert(1 if risky else 0, cover_finding(cover))
    return replace(record, findings=tuple(findings))


def urgency(
    record: ListingRecord,
    ends: datetime | None,
    now: datetime,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    cover: StockCover | None = None,
) -> tuple[float, float]:
    """How soon an at-risk listing goes off sale, to sort the At risk view by (smallest
    first): its days left — to the end of its exemption (``ends``), or of its stock cover at
    the pace it sells, whichever comes first — and the units left. A merchant-fulfilled
    listing with a few units left and no pace known can sell out with the next order: 0 days,
    the fewest units first. A risk with no date (a warning Amazon gave no end for) comes last."""
    days = float("inf")
    if ends is not None:
        days = (ends - now).total_seconds() / 86_400
    if cover is not None and cover.short(thresholds.cover_days) and cover.days is not None:
        days = min(days, cover.days)
    units = float("inf")
    if low_mfn_stock(record, thresholds) and record.quantity is not None:
        units = float(record.quantity)
        if days == float("inf"):
            days = 0.0
    return days, units


# ---------------------------------------------------------------------------- since you last looked


@dataclass(frozen=True, slots=True)
class SinceLastLook:
    """What changed since ``since`` (the previous session), SKUs sorted."""

    since: datetime
    went_inactive: tuple[str, ...] = ()
    recovered: tuple[str, ...] = ()
    at_risk: tuple[str, ...] = ()

    @property
    def skus(self) -> frozenset[str]:
        return frozenset((*self.went_inactive, *self.recovered, *self.at_risk))

    def __bool__(self) -> bool:
        return bool(self.went_inactive or self.recovered or self.at_risk)


def _off_sale(state: State | None) -> bool:
    return state is not None and state not in (State.ACTIVE, State.VARIATION_PARENT)


def since_last_look(
    since: datetime,
    changes: Mapping[str, tuple[State | None, State]],
    *,
    at_risk_then: Iterable[str],
    at_risk_now: Iterable[str],
    risk_events: Iterable[str] = (),
) -> SinceLastLook:
    """``changes``: SKU -> (its state at ``since`` — None: not seen before —, its state now),
    for the SKUs whose state changed after ``since`` (the cache's history). A listing counts
    by where it ended: off sale then on sale again is "recovered", on sale then off is
    "went inactive", off sale both times in another state is not new. ``at_risk_then``: the
    SKUs at risk at the last look; ``risk_events``: SKUs `watch` found at risk since."""
    inactive, recovered = [], []
    for sku, (before, after) in changes.items():
        if _off_sale(after) and not _off_sale(before):
            inactive.append(sku)
        elif after is State.ACTIVE and _off_sale(before):
            recovered.append(sku)
    now = set(at_risk_now)
    new_risk = (now - set(at_risk_then)) | (now & set(risk_events))
    new_risk -= set(inactive)
    return SinceLastLook(
        since, tuple(sorted(inactive)), tuple(sorted(recovered)), tuple(sorted(new_risk))
    )


def back_on_sale(sku: str, marketplace_id: str, since: datetime) -> ListingRecord:
    """A listing that recovered and left the cache (a sync of what needs attention keeps only
    those): a row that says so, for the "since you last looked" view."""
    return ListingRecord(
        sku=sku,
        asin=None,
        title="",
        marketplace_id=marketplace_id,
        state=State.ACTIVE,
        buyable=True,
        discoverable=True,
        findings=(
            Finding(
                category=Category.OTHER,
                severity=Severity.INFO,
                code=BACK_ON_SALE,
                title=f"Back on sale since your last look ({since:%Y-%m-%d})",
                detail="A sync found it no longer needs attention.",
                fix="",
                brief="Back on sale",
            ),
        ),
    )


# ---------------------------------------------------------------------------- timeline


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of a listing's timeline: when, what, and the words after it."""

    time: datetime
    what: str  # "Inactive", "Fix sent", "Waiting on Amazon", …
    detail: str = ""


#: The watch's event kinds in the words of the timeline.
_EVENT_WORDS = {
    EventKind.BECAME_INACTIVE: "Went off sale",
    EventKind.NEW_ISSUE: "New issue",
    EventKind.RECOVERED: "Back on sale",
    EventKind.AT_RISK: "At risk",
    EventKind.WAIT_OVERDUE: "Wait overdue",
}


@dataclass(frozen=True, slots=True)
class Submission:
    """A patch the wizard sent (the case store's record)."""

    time: datetime
    real: bool  # False: a validation preview only
    status: str
    submission_id: str | None
    operations: int


@dataclass(frozen=True, slots=True)
class OutcomeMark:
    """The wizard case's outcome and when it was set or last re-checked."""

    outcome: str  # open | waiting | at_risk | escalated | retired | resolved
    time: datetime | None
    waiting_for: str = ""
    recheck_at: datetime | None = None
    reason: str = ""
    checked_at: datetime | None = None
    check_note: str = ""


_OUTCOME_WORDS = {
    "waiting": "Waiting on Amazon",
    "at_risk": "At risk",
    "escalated": "Escalated",
    "retired": "Retired",
    "resolved": "Resolved",
}


def timeline(
    states: Iterable[tuple[State, datetime, str]],
    *,
    current: ListingRecord | None = None,
    events: Iterable[tuple[datetime, str, Mapping[str, object]]] = (),
    submissions: Iterable[Submission] = (),
    outcome: OutcomeMark | None = None,
) -> list[TimelineEntry]:
    """Newest first: the states the listing was seen in (with the main cause the cache noted
    when it entered the state, else the cause `watch` noted when it saw the change, else — for
    the state it is in now — the current main cause), the events `watch` found, the fixes the
    wizard sent and the case's outcome."""
    entries: list[TimelineEntry] = []
    states = list(states)
    causes: dict[str, list[tuple[datetime, str]]] = {}
    for time, kind, payload in events:
        cause = str(payload.get("main_cause") or "")
        after = payload.get("state_after")
        if kind in (EventKind.BECAME_INACTIVE, EventKind.RECOVERED) and isinstance(after, str):
            causes.setdefault(after, []).append((time, cause))
        if kind in (EventKind.BECAME_INACTIVE, EventKind.RECOVERED):
            continue  # said by the state change itself
        words = _EVENT_WORDS.get(EventKind(kind)) if kind in EventKind.__members__ else None
        detail = str(payload.get("detail") or cause)
        entries.append(TimelineEntry(time, words or kind, detail))
    for index, (state, since, noted) in enumerate(states):
        cause = noted or _nearest(causes.get(state.value, ()), since)
        last = index == len(states) - 1
        if not cause and last and current is not None and state is current.state:
            cause = current.main_cause
        if state is State.ACTIVE:
            words = "Back on sale" if index else "On sale"
        else:
            words = state.value.replace("_", " ").capitalize()
        entries.append(TimelineEntry(since, words, cause))
    for sent in submissions:
        what = "Fix sent" if sent.real else "Fix checked (preview)"
        detail = f"{sent.operations} change{'s' if sent.operations != 1 else ''}: {sent.status}"
        if sent.submission_id:
            detail += f", submission {sent.submission_id}"
        entries.append(TimelineEntry(sent.time, what, detail))
    if outcome is not None and outcome.outcome in _OUTCOME_WORDS and outcome.time is not None:
        detail = outcome.waiting_for or outcome.reason
        if outcome.recheck_at is not None:
            when = "until" if outcome.outcome == "at_risk" else "re-check"
            detail = f"{detail} ({when} {outcome.recheck_at:%Y-%m-%d})".strip()
        entries.append(TimelineEntry(outcome.time, _OUTCOME_WORDS[outcome.outcome], detail))
        if outcome.checked_at is not None and outcome.check_note:
            entries.append(TimelineEntry(outcome.checked_at, "Re-checked", outcome.check_note))
    entries.sort(key=lambda e: e.time, reverse=True)
    return entries


def _nearest(causes: Iterable[tuple[datetime, str]], since: datetime) -> str:
    """The cause of the event noted closest to (and not long before) the state change."""
    best = min(
        ((abs((time - since).total_seconds()), cause) for time, cause in causes if cause),
        default=None,
    )
    return best[1] if best is not None and best[0] <= 3600 else ""
