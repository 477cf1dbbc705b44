"""How domain values read on screen: state symbols and labels, stock, price, dates.

Pure (no Textual): every label carries its meaning in text or a symbol, so a listing's state
and cause stay readable without colour (NO_COLOR, 16-colour terminals, screen readers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from asin_tui.domain.models import AccountHealth, ListingRecord, Severity, State

#: Account Health statuses that hold every listing back (docs/INACTIVE_CAUSES.md, the account gate).
BLOCKING_ACCOUNT_STATUSES = frozenset({"AT_RISK", "DEACTIVATED"})


@dataclass(frozen=True, slots=True)
class StateLook:
    symbol: str
    label: str  # short, for the table and the counts bar
    meaning: str  # one line, for the detail header and help

    @property
    def text(self) -> str:
        return f"{self.symbol} {self.label}"


STATE_LOOKS: dict[State, StateLook] = {
    State.SUPPRESSED: StateLook("✖", "Suppressed", "suppressed by Amazon: not buyable"),
    State.CATALOG_REMOVED: StateLook("⊘", "Removed", "catalog item removed: the ASIN is gone"),
    State.INCOMPLETE: StateLook("◌", "Incomplete", "incomplete: the SKU is not in the catalog"),
    State.INACTIVE: StateLook("○", "Inactive", "inactive: not buyable"),
    State.SEARCH_SUPPRESSED: StateLook("◐", "No search", "buyable but hidden from search"),
    State.VARIATION_PARENT: StateLook("◇", "Parent", "variation parent: never buyable by design"),
    State.ACTIVE: StateLook("●", "Active", "active: buyable and discoverable"),
}

SEVERITY_MARKS: dict[Severity, str] = {
    Severity.ERROR: "✖ ERROR",
    Severity.WARNING: "▲ WARNING",
    Severity.INFO: "ℹ INFO",
}


def state_class(state: State) -> str:
    """CSS-friendly name of a state, e.g. ``search-suppressed``."""
    return state.value.lower().replace("_", "-")


def stock_text(record: ListingRecord) -> str:
    """MFN quantity, or FBA fulfillable with inbound units after a plus: ``0+12``."""
    if record.quantity is None:
        return "—"
    if record.fulfillment_channel == "FBA" and record.inbound:
        return f"{record.quantity}+{record.inbound}"
    return str(record.quantity)


def channel_stock_text(record: ListingRecord) -> str:
    """Stock with its channel, for exports and the detail header: ``FBA 0 (+12 inbound)``."""
    channel = record.fulfillment_channel or "no channel"
    if record.quantity is None:
        return channel
    inbound = f" (+{record.inbound} inbound)" if record.inbound else ""
    return f"{channel} {record.quantity}{inbound}"


def price_text(
    price: Decimal | None, currency: str | None = None, *, with_currency: bool = False
) -> str:
    if price is None:
        return "—"
    amount = f"{price:,.2f}"
    return f"{amount} {currency}" if with_currency and currency else amount


def date_text(moment: datetime | None) -> str:
    """Calendar date, the same for every viewer: ``2026-11-03``."""
    return moment.strftime("%Y-%m-%d") if moment else "—"


def short_date_text(moment: datetime | None, this_year: int) -> str:
    """Narrow-column date: ``Nov 03`` in ``this_year`` (UTC, like the dates themselves),
    ``Nov 2025`` in another (its year matters more than its day)."""
    if moment is None:
        return "—"
    return moment.strftime("%b %d" if moment.year == this_year else "%b %Y")


def datetime_text(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip() if moment else "—"


def account_banner_text(health: AccountHealth | None, market_code: str) -> str | None:
    """The one-line account warning, or None when the account is not at risk:
    ``⚠ Account AT RISK in US — resolve Account Health in Seller Central first: …``.
    The counters come last, so a narrow screen cuts those and keeps what to do."""
    if health is None or health.status not in BLOCKING_ACCOUNT_STATUSES:
        return None
    text = (
        f"⚠ Account {health.status.replace('_', ' ')} in {market_code} — "
        "resolve Account Health in Seller Central first"
    )
    counters = health.counters_text()
    return f"{text}: {counters}" if counters else text


def age_text(seconds: float) -> str:
    """How old something is, in words a glance takes in: "under a minute", "12 min",
    "3 h", "2 days"."""
    if seconds < 60:
        return "under a minute"
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds < 2 * 86400:
        return f"{int(seconds // 3600)} h"
    return f"{int(seconds // 86400)} days"


def cover_age_text(at: datetime | None, now: datetime, *, reading: bool) -> str:
    """The At risk view's line on its days of cover: how long ago Amazon's sales reports they
    come from were read (the detail names each report's date), and whether newer ones are
    being read."""
    if at is None:
        if reading:
            return "Days of cover: reading Amazon's sales reports…"
        return "Days of cover: Amazon's sales reports not read yet"
    age = age_text(max(0.0, (now - at).total_seconds()))
    text = f"Days of cover from Amazon's sales reports read {age} ago"
    return f"{text} · reading newer ones…" if reading else text


def partial_scope_text(shown: int, total: int | None, *, fetching: bool = False) -> str:
    """What "all listings" is before any full sync: the listings the needs-attention syncs
    brought, not the account (whose other listings were never fetched). ``total``: the
    account's count when known; ``fetching``: a full sync is running."""
    synced = f"Showing the {shown:,} listing{'s' if shown != 1 else ''} synced so far"
    every = f"all {total:,}" if total is not None else "every listing"
    if fetching:
        return f"{synced}; the full sync is fetching {every}…"
    return f"{synced}; a full sync fetches {every} — press F"
