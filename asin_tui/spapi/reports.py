"""Amazon's tab-separated report documents (flat files) → rows stock cover uses
(domain/cover.py). docs/STOCK_COVER.md names the reports, their columns and their sources.

Flat files are untidy, and this reads them as sellers meet them: a byte order mark or none,
CRLF or LF, header names in mixed styles and case (matched case-insensitively, spaces,
underscores and hyphens alike), a trailing tab (an empty last column), rows shorter than the
header (missing cells are blank), blank or "N/A" numbers, thousands separators. Cells are not
quoted in Amazon's flat files, so quotes are kept as text (a title that opens with one never
swallows the rows after it, as the csv module's quoting would), and a line ends at LF only. A document without the columns a
report must have raises UnreadableBody with one line saying which.

Pure: no network, no Textual.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from asin_tui.domain.cover import WINDOWS, OrderLine, PlanningRow
from asin_tui.spapi.parse import UnreadableBody

FBA_PLANNING_REPORT = "GET_FBA_INVENTORY_PLANNING_DATA"
ORDERS_REPORT = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"

_BLANK = frozenset({"", "-", "n/a", "na", "null", "none"})


def _key(name: str) -> str:
    return name.strip().lstrip("\ufeff").strip().lower().replace("_", "-").replace(" ", "-")


def records(text: str) -> Iterator[str]:
    """The document's lines one at a time, never all of them at once (an orders report of a
    busy account is tens of MB, and a list of its lines as much again): split at LF (CRLF or
    LF end them), the byte order mark dropped. Only there: ``str.splitlines`` would also split
    a title at a form feed, U+0085 or U+2028, and the rest of its row would read as a row of
    its own."""
    start = 1 if text.startswith("\ufeff") else 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        yield text[start:end].removesuffix("\r")
        start = end + 1


def table(text: str, what: str, required: Sequence[str]) -> Iterator[dict[str, str]]:
    """The document's rows as {normalised header: cell}; UnreadableBody when a ``required``
    column (normalised) is missing."""
    lines = records(text)
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise UnreadableBody(f"the {what} is empty (no header row)")
    header = [_key(h) for h in first.split("\t")]
    missing = [c for c in required if c not in header]
    if missing:
        raise UnreadableBody(f"the {what} has no {', '.join(missing)} column")
    for line in lines:
        if not line.strip():
            continue
        cells = line.split("\t")
        yield {
            name: cells[i].strip() if i < len(cells) else ""
            for i, name in enumerate(header)
            if name
        }


def number(cell: str | None) -> float | None:
    """A report's number cell: None when blank or not a number."""
    if cell is None or cell.strip().lower() in _BLANK:
        return None
    try:
        value = float(cell.strip().replace(",", ""))
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _count(cell: str | None) -> int | None:
    value = number(cell)
    return int(value) if value is not None else None


def moment(cell: str | None) -> datetime | None:
    """A report's date cell (ISO 8601, "2026-12-01 10:00:00 UTC", or a bare date) in UTC."""
    if not cell or not cell.strip():
        return None
    text = cell.strip().replace(" UTC", "+00:00").replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def planning_rows(text: str) -> list[PlanningRow]:
    """GET_FBA_INVENTORY_PLANNING_DATA → one PlanningRow per SKU (the last row of a SKU listed
    twice, e.g. in two conditions, adds its units to the first)."""
    rows: dict[str, PlanningRow] = {}
    what = "FBA inventory planning report"
    for row in table(text, what, ("sku", "available")):
        sku = row.get("sku", "")
        if not sku:
            continue
        shipped = {
            w: n for w in WINDOWS if (n := _count(row.get(f"units-shipped-t{w}"))) is not None
        }
        found = PlanningRow(
            sku=sku,
            asin=row.get("asin", ""),
            title=row.get("product-name", ""),
            available=_count(row.get("available")),
            shipped=shipped,
            days_of_supply=number(row.get("days-of-supply")),
            snapshot=moment(row.get("snapshot-date")),
        )
        old = rows.get(sku)
        if old is not None:
            found = _merged(old, found)
        rows[sku] = found
    return list(rows.values())


def _merged(a: PlanningRow, b: PlanningRow) -> PlanningRow:
    def add(x: int | None, y: int | None) -> int | None:
        return None if x is None and y is None else (x or 0) + (y or 0)

    windows = a.shipped.keys() | b.shipped.keys()
    return PlanningRow(
        sku=a.sku,
        asin=a.asin or b.asin,
        title=a.title or b.title,
        available=add(a.available, b.available),
        shipped={w: a.shipped.get(w, 0) + b.shipped.get(w, 0) for w in windows},
        days_of_supply=None,  # Amazon's figure is per row: recomputed from the sums
        snapshot=a.snapshot or b.snapshot,
    )


def order_lines(text: str) -> list[OrderLine]:
    """GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL → one OrderLine per order item
    (rows without a SKU or a readable purchase date are skipped)."""
    lines = []
    what = "orders report"
    required = ("amazon-order-id", "purchase-date", "sku", "quantity")
    for row in table(text, what, required):
        sku = row.get("sku", "")
        purchased = moment(row.get("purchase-date"))
        if not sku or purchased is None:
            continue
        channel = row.get("fulfillment-channel", "").lower()
        lines.append(
            OrderLine(
                sku=sku,
                purchased=purchased,
                quantity=_count(row.get("quantity")) or 0,
                status=row.get("order-status", ""),
                item_status=row.get("item-status", ""),
                merchant=channel not in ("amazon", "afn"),
                asin=row.get("asin", ""),
                title=row.get("product-name", ""),
            )
        )
    return lines


def listing_quantities(text: str) -> dict[str, tuple[int | None, str, str]]:
    """GET_MERCHANT_LISTINGS_ALL_DATA → SKU -> (quantity for sale, ASIN, title) of the
    listings the seller fulfils (fulfillment-channel DEFAULT)."""
    found = {}
    for norm in table(text, "listings report", ("seller-sku", "quantity")):
        sku = norm.get("seller-sku", "")
        channel = norm.get("fulfillment-channel", "DEFAULT").strip().upper() or "DEFAULT"
        if not sku or channel != "DEFAULT":
            continue
        asin = norm.get("asin1", "") or norm.get("product-id", "")
        found[sku] = (_count(norm.get("quantity")), asin, norm.get("item-name", ""))
    return found
