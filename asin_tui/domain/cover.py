"""Stock cover: how many days a listing's stock lasts at the pace it sells.

Pure: no Textual, no network, no files. The rows come from two of Amazon's reports
(docs/STOCK_COVER.md): the FBA Inventory report (GET_FBA_INVENTORY_PLANNING_DATA: units
available, units shipped in the last 7/30/60/90 days, Amazon's own days of supply) for
Amazon-fulfilled listings, and the orders report (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_
GENERAL: every order item) with the merchant-fulfilled quantity for the seller's own.

- FBA: Amazon's ``days-of-supply`` when the report has it (its projection of demand is better
  than ours); else the units available over the faster of the last 7 and the last 30 days'
  pace (a listing that has just picked up is not judged on last month), else the 60 or 90
  days'.
- MFN: the quantity for sale over the units ordered in the last 30 days (cancelled orders do
  not count) a day.

A listing no report covers has no cover: "not checked", never a cause. No sales in the
window means no pace to run out at: the cover is unknown, not short.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

FBA = "FBA"
MFN = "MFN"
#: The days of orders the merchant-fulfilled pace is measured over.
MFN_WINDOW_DAYS = 30
#: The windows of the planning report, shortest first.
WINDOWS = (7, 30, 60, 90)
#: Order statuses that are not a sale (the flat file's and the Orders API's spellings).
CANCELLED = frozenset({"cancelled", "canceled"})


@dataclass(frozen=True, slots=True)
class PlanningRow:
    """One row of the FBA Inventory report (the columns stock cover uses)."""

    sku: str
    asin: str = ""
    title: str = ""
    available: int | None = None
    shipped: Mapping[int, int] = field(default_factory=dict)  # window days -> units shipped
    days_of_supply: float | None = None  # Amazon's; None when the cell is blank
    snapshot: datetime | None = None


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One order item of the orders report (the columns stock cover uses)."""

    sku: str
    purchased: datetime
    quantity: int
    status: str = ""  # order-status
    item_status: str = ""
    merchant: bool = True  # fulfillment-channel is the seller ("Merchant"/MFN), not Amazon
    asin: str = ""
    title: str = ""

    @property
    def cancelled(self) -> bool:
        return self.status.lower() in CANCELLED or self.item_status.lower() in CANCELLED


@dataclass(frozen=True, slots=True)
class StockCover:
    """A listing's stock cover as of ``as_of``."""

    sku: str
    channel: str  # FBA | MFN
    available: int | None  # units for sale now (None: not known)
    daily: float | None  # units sold a day (None: not known)
    days: float | None  # days the stock lasts at that pace (None: no pace, or not known)
    source: str  # how ``days`` was found, in words
    as_of: datetime | None = None
    asin: str = ""
    title: str = ""

    def short(self, days: float) -> bool:
        """Stock for sale that runs out within ``days`` days at its pace (0 disables)."""
        return (
            days > 0
            and self.days is not None
            and self.available is not None
            and self.available > 0
            and self.days < days
        )

    def words(self) -> str:
        """One line: "5 days of cover (12 units, 2.4 a day; Amazon's days of supply)"."""
        if self.available is None:
            return f"Stock cover: not checked ({self.source})"
        if self.available <= 0:
            return "No stock to cover (0 units for sale)"
        if self.days is None:
            return f"{units_text(self.available)}, no sales to measure a pace ({self.source})"
        pace = f"{pace_text(self.daily)} a day" if self.daily is not None else "pace not known"
        units = units_text(self.available)
        return f"{days_text(self.days)} of cover ({units}, {pace}; {self.source})"

    def as_dict(self) -> dict[str, object]:
        return {
            "sku": self.sku,
            "channel": self.channel,
            "available": self.available,
            "daily": self.daily,
            "days": self.days,
            "source": self.source,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "asin": self.asin,
            "title": self.title,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> StockCover:
        as_of = data.get("as_of")
        return cls(
            sku=str(data["sku"]),
            channel=str(data.get("channel") or FBA),
            available=_int(data.get("available")),
            daily=_float(data.get("daily")),
            days=_float(data.get("days")),
            source=str(data.get("source") or ""),
            as_of=datetime.fromisoformat(as_of) if isinstance(as_of, str) else None,
            asin=str(data.get("asin") or ""),
            title=str(data.get("title") or ""),
        )


def pace_text(daily: float) -> str:
    """Units a day as a seller reads them, the same wherever shown: "2.4", "0.13" (two
    decimals below one unit a day: 0.13 is not rounded to 0.1), "0.4"."""
    if daily >= 1:
        return f"{daily:.1f}"
    return f"{daily:.2f}".rstrip("0").rstrip(".") or "0"


def units_text(units: int) -> str:
    """'1 unit', '17,800 units': grouped as amounts are ('2,850 days', not '2850')."""
    return f"{units:,} unit" + ("" if units == 1 else "s")


def days_text(days: float) -> str:
    whole = int(days)
    if whole < 1:
        return "less than a day"
    return f"{whole:,} day" + ("" if whole == 1 else "s")


def fba_cover(row: PlanningRow, as_of: datetime | None = None) -> StockCover:
    """An Amazon-fulfilled listing's cover from its planning report row."""
    shipped = row.shipped
    paces = [shipped[w] / w for w in (7, 30) if w in shipped]
    daily = max(paces) if paces and max(paces) > 0 else None
    source = "last 7/30 days"
    if daily is None:
        for window in (60, 90):
            if shipped.get(window):
                daily, source = shipped[window] / window, f"last {window} days"
                break
    when = row.snapshot or as_of

    def cover(available: int | None, days: float | None, source: str) -> StockCover:
        return StockCover(row.sku, FBA, available, daily, days, source, when, row.asin, row.title)

    if row.days_of_supply is not None:
        return cover(row.available, row.days_of_supply, "Amazon's days of supply")
    if row.available is None:
        return cover(None, None, "no units available in the report")
    if daily is None:
        return cover(row.available, None, "no units shipped in 90 days")
    return cover(row.available, row.available / daily, source)


@dataclass(slots=True)
class OrderTotals:
    """What stock cover uses of one merchant-fulfilled SKU's order lines: the units ordered
    in the last MFN_WINDOW_DAYS days (not cancelled), and the first title they give."""

    units: int = 0
    title: str = ""


def add_order(totals: dict[str, OrderTotals], line: OrderLine, now: datetime) -> None:
    """Count ``line`` in ``totals`` (SKU -> OrderTotals) as of ``now``: an orders report is
    summed as it is read, never held (a busy account's is hundreds of thousands of lines)."""
    if not line.merchant:
        return
    found = totals.get(line.sku)
    if found is None:
        found = totals[line.sku] = OrderTotals()
    if not found.title:
        found.title = line.title
    if line.purchased >= now - timedelta(days=MFN_WINDOW_DAYS) and not line.cancelled:
        found.units += line.quantity


def mfn_cover(
    sku: str,
    quantity: int | None,
    orders: Iterable[OrderLine] | OrderTotals,
    now: datetime,
    *,
    asin: str = "",
    title: str = "",
) -> StockCover:
    """A merchant-fulfilled listing's cover: ``quantity`` for sale over the units ordered in
    the last MFN_WINDOW_DAYS days (not cancelled) a day (``orders``: its order lines, or
    their totals as of ``now``)."""
    if isinstance(orders, OrderTotals):
        units = orders.units
    else:
        since = now - timedelta(days=MFN_WINDOW_DAYS)
        units = sum(o.quantity for o in orders if o.purchased >= since and not o.cancelled)
    daily = units / MFN_WINDOW_DAYS if units else None
    if quantity is None:
        return StockCover(sku, MFN, None, daily, None, "quantity not known", now, asin, title)
    if daily is None:
        return StockCover(
            sku, MFN, quantity, None, None, f"no orders in {MFN_WINDOW_DAYS} days", now, asin, title
        )
    return StockCover(
        sku, MFN, quantity, daily, quantity / daily, f"orders of the last {MFN_WINDOW_DAYS} days",
        now, asin, title,
    )  # fmt: skip


def stock_cover(
    planning: Iterable[PlanningRow] | None,
    orders: Iterable[OrderLine] | Mapping[str, OrderTotals] | None,
    mfn_quantities: Mapping[str, tuple[int | None, str, str]],
    now: datetime,
) -> dict[str, StockCover]:
    """SKU -> cover for every listing a report covers: FBA rows from ``planning`` (None: the
    report could not be had), merchant-fulfilled ones from ``orders`` (the order lines, or
    their totals as of ``now``: add_order) and ``mfn_quantities`` (SKU -> (quantity for
    sale, ASIN, title): the listings the seller fulfils). A SKU neither covers is left out:
    not checked."""
    covers: dict[str, StockCover] = {}
    if planning is not None:
        for row in planning:
            covers[row.sku] = fba_cover(row, now)
    if orders is not None:
        if isinstance(orders, Mapping):
            totals = orders
        else:
            totals = {}
            for line in orders:
                add_order(totals, line, now)
        none = OrderTotals()
        for sku, (quantity, asin, title) in mfn_quantities.items():
            if sku in covers:
                continue
            found = totals.get(sku, none)
            title = title or found.title
            covers[sku] = mfn_cover(sku, quantity, found, now, asin=asin, title=title)
    return covers


def newly_short(
    before: Mapping[str, StockCover] | None,
    after: Mapping[str, StockCover],
    days: float,
) -> list[StockCover]:
    """The covers short now that were not short before (every short one when there was no
    before), by SKU."""
    found = []
    for sku in sorted(after):
        cover = after[sku]
        if not cover.short(days):
            continue
        old = before.get(sku) if before is not None else None
        if old is not None and old.short(days):
            continue
        found.append(cover)
    return found


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
