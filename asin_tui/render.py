"""Report renderers, headless: the ``report --format table|json|csv`` text of listing
records, used by the ``report`` command and by the app's export (the same bytes either way).

Every value from SP-API is made terminal-safe (:mod:`asin_tui.domain.text`), and CSV cells a
spreadsheet would run as a formula are neutralised (:func:`spreadsheet_text`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from asin_tui.domain.account import AccountCause, account_causes
from asin_tui.domain.csvline import CSV_COLUMNS as CSV_COLUMNS  # its names here too
from asin_tui.domain.csvline import FORMULA_STARTS as FORMULA_STARTS
from asin_tui.domain.csvline import csv_cell as csv_cell
from asin_tui.domain.csvline import csv_codes as csv_codes
from asin_tui.domain.csvline import csv_line, csv_row
from asin_tui.domain.csvline import spreadsheet_text as spreadsheet_text
from asin_tui.domain.csvline import spreadsheet_value as spreadsheet_value
from asin_tui.domain.models import AccountHealth, Finding, ListingRecord, State
from asin_tui.domain.text import json_for_terminal, visible
from asin_tui.store.cache import SyncInfo

FORMATS = ("table", "json", "csv")


def render(
    fmt: str,
    records: Sequence[ListingRecord],
    *,
    profile: str,
    marketplace_id: str,
    last_sync: SyncInfo | None,
    account: AccountHealth | None = None,
    width: int = 120,
) -> str:
    if fmt == "json":
        return render_json(records, profile, marketplace_id, last_sync, account)
    if fmt == "csv":
        return render_csv(records)
    return render_table(records, last_sync, width, account)


def render_json(
    records: Sequence[ListingRecord],
    profile: str,
    marketplace_id: str,
    last_sync: SyncInfo | None,
    account: AccountHealth | None = None,
) -> str:
    """The whole ``report --format json`` document of ``records`` (see :func:`stream_json`)."""
    return joined(
        stream_json(
            [records],
            profile=profile,
            marketplace_id=marketplace_id,
            last_sync=last_sync,
            account=account,
            counts=_counts(records),
            causes=account_causes(records),
        )
    )


class Rendered:
    """A batch of listings already rendered (asin_tui.render_sql): ``data`` is what
    :func:`stream_json` or :func:`stream_csv` writes for them (the JSON objects joined by
    ",", or the CSV lines) as UTF-8, ``listings`` how many, ``needs_attention`` whether any
    does."""

    __slots__ = ("data", "listings", "needs_attention")

    def __init__(self, data: bytes, listings: int, needs_attention: bool) -> None:
        self.data = data
        self.listings = listings
        self.needs_attention = needs_attention


def joined(chunks: Iterable[str | bytes]) -> str:
    """The text of :func:`stream_json`'s or :func:`stream_csv`'s pieces (a rendered batch's
    are UTF-8 bytes, written as they are)."""
    return "".join(c if isinstance(c, str) else c.decode() for c in chunks)


def stream_json(
    batches: Iterable[Sequence[ListingRecord] | Rendered],
    *,
    profile: str,
    marketplace_id: str,
    last_sync: SyncInfo | None,
    account: AccountHealth | None,
    counts: Mapping[str, int],
    causes: Sequence[AccountCause],
    seen: Tally | None = None,
) -> Iterator[str | bytes]:
    """The ``report --format json`` document in pieces, a batch of listings at a time: the
    text ``json.dumps(document, indent=2, ensure_ascii=False)`` gives, key for key, without
    ever holding the whole document (100,000 listings: ~60 MB of text). ``counts`` and
    ``causes`` come before the listings in the document, so the caller works them out first
    (from the cache's index); ``seen`` counts what went out. C1, DEL and bidi/format
    characters are written as \\uXXXX (json.dumps escapes only C0): the same data."""
    head: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(),
        "profile": profile,
        "marketplace_id": marketplace_id,
        "account_health": None if account is None else _account_dict(account),
        "account_causes": [cause.to_dict() for cause in causes],
        "counts": dict(counts),
    }
    text = json.dumps(head, indent=2, ensure_ascii=False)
    yield json_for_terminal(text[: -len("\n}")] + ',\n  "listings": [')
    memo: dict[Any, str] = {}
    first = True
    for batch in batches:
        chunk: str | bytes
        if isinstance(batch, Rendered):
            if not batch.listings:
                continue
            chunk = batch.data
        elif not batch:
            continue
        else:
            chunk = ",".join([_listing_json(r, memo) for r in batch])
        if not first:
            yield ","
        yield chunk  # each value made terminal-safe
        first = False
        if seen is not None:
            seen.add(batch)
    sync = None if last_sync is None else _sync_dict(last_sync)
    tail = "]" if first else "\n  ]"
    yield f'{tail},\n  "last_sync": {_nested(sync, 1)}\n}}\n'


class Tally:
    """What a streamed report wrote: how many listings, and whether any needs attention."""

    def __init__(self) -> None:
        self.listings = 0
        self.needs_attention = False

    def add(self, batch: Sequence[ListingRecord] | Rendered) -> None:
        if isinstance(batch, Rendered):
            self.listings += batch.listings
            self.needs_attention = self.needs_attention or batch.needs_attention
            return
        self.listings += len(batch)
        self.needs_attention = self.needs_attention or any(r.needs_attention for r in batch)


def _sync_dict(last_sync: SyncInfo) -> dict[str, Any]:
    return {
        "finished_at": last_sync.finished_at.isoformat(),
        "include_all": last_sync.include_all,
        "complete": last_sync.complete,
        "listings_complete": not last_sync.listings_incomplete,
        "failed": dict(last_sync.failed),
        "missing": dict(last_sync.missing),
    }


_encode = json.encoder.encode_basestring  # C, ensure_ascii=False


def _str(value: str) -> str:
    """A JSON string, terminal-safe: checked in full only when it is not ASCII (an O(1)
    flag); DEL, the one unsafe ASCII character json.dumps leaves raw, by a fast search."""
    if value.isascii() and "\x7f" not in value:
        return _encode(value)
    return json_for_terminal(_encode(value))


def _nested(value: Any, level: int) -> str:
    """``value`` as json.dumps(indent=2) writes it ``level`` levels deep in a document."""
    text = json_for_terminal(json.dumps(value, indent=2, ensure_ascii=False))
    return text.replace("\n", "\n" + "  " * level) if "\n" in text else text


def json_findings(findings: Sequence[Finding]) -> str:
    """A listing's "findings" value as it stands in the document (three levels deep)."""
    return _nested([f.to_dict() for f in findings], 3)


def json_status(status: Sequence[str]) -> str:
    """A listing's "amazon_status" value (not null) as it stands in the document."""
    return _nested(list(status), 3)


def json_price(price: Decimal) -> str:
    """A price as a JSON string of the document."""
    return _str(str(price))


def json_time(moment: datetime) -> str:
    """A time as a JSON string of the document ("inactive_since")."""
    return _str(moment.isoformat())


def _listing_json(r: ListingRecord, memo: dict[Any, str]) -> str:
    """One listing object (:meth:`ListingRecord.to_report_dict`) as it stands in the
    document's "listings" list: built from its values (json.dumps with an indent is pure
    Python, ~30 µs a listing); the findings and statuses many listings share, once."""
    findings = memo.get(r.findings)
    if findings is None:
        findings = memo[r.findings] = json_findings(r.findings)
    status = r.amazon_status
    if status is not None:
        status_text = memo.get(status)
        if status_text is None:
            status_text = memo[status] = json_status(status)
    else:
        status_text = "null"
    since = r.inactive_since
    return (
        '\n    {\n      "sku": ' + _str(r.sku)
        + ',\n      "asin": ' + (_str(r.asin) if r.asin is not None else "null")
        + ',\n      "title": ' + _str(r.title)
        + ',\n      "state": "' + r.state.value
        + '",\n      "buyable": ' + ("true" if r.buyable else "false")
        + ',\n      "discoverable": ' + ("true" if r.discoverable else "false")
        + ',\n      "amazon_status": ' + status_text
        + ',\n      "fulfillment_channel": '
        + (_str(r.fulfillment_channel) if r.fulfillment_channel is not None else "null")
        + ',\n      "quantity": ' + (int.__repr__(r.quantity) if r.quantity is not None else "null")
        + ',\n      "price": ' + (json_price(r.price) if r.price is not None else "null")
        + ',\n      "currency": ' + (_str(r.currency) if r.currency is not None else "null")
        + ',\n      "inactive_since": ' + (json_time(since) if since else "null")
        + ',\n      "findings": ' + findings
        + "\n    }"
    )  # fmt: skip


def _account_dict(account: AccountHealth) -> dict[str, Any]:
    return {
        "status": account.status,
        "policy_counters": dict(account.policy_counters),
        "as_of": account.as_of.isoformat() if account.as_of else None,
    }


def render_csv(records: Sequence[ListingRecord]) -> str:
    """The CSV of ``report --format csv`` and of the app's export (see :func:`stream_csv`)."""
    return joined(stream_csv([records]))


def stream_csv(
    batches: Iterable[Sequence[ListingRecord] | Rendered], seen: Tally | None = None
) -> Iterator[str | bytes]:
    """The CSV in pieces, a batch of listings at a time, each listing's line by
    :func:`asin_tui.domain.csvline.csv_line` (the line the cache stores with it)."""
    yield csv_row(CSV_COLUMNS)
    codes: dict[tuple[Finding, ...], str] = {}
    for batch in batches:
        if isinstance(batch, Rendered):
            if seen is not None:
                seen.add(batch)
            yield batch.data
            continue
        lines = [csv_line(r, codes) for r in batch]
        if seen is not None:
            seen.add(batch)
        yield "".join(lines)


# The table's columns: (header, width; 0: as wide as the longest value, SKU up to _SKU_MAX;
# None: one of the two flexible ones). The cause is what a triage reads first: optional
# columns go (in _DROP_ORDER) until CAUSE gets _CAUSE_MIN cells and TITLE _FLEX_MIN; CAUSE
# then takes up to _CAUSE_MAX, TITLE the rest. Where even that does not fit (80 columns and
# a SEARCH_SUPPRESSED state) TITLE goes too, and CAUSE takes all the room.
_TABLE_COLUMNS: tuple[tuple[str, int | None], ...] = (
    ("STATE", 0),
    ("SKU", 0),
    ("ASIN", 10),
    ("TITLE", None),
    ("CAUSE", None),
    ("STOCK", 0),
    ("PRICE", 10),
    ("SINCE", 10),
)
_DROP_ORDER = ("SINCE", "ASIN", "PRICE", "TITLE")
_SKU_MAX = 30
_FLEX_MIN = 16
_CAUSE_MIN = 30
_CAUSE_MAX = 40
_GAP = 2


#: The widest table drawn, whatever $COLUMNS says: every column whole with room to spare (a
#: title is 200 characters at most). Rich pads each line to the width: COLUMNS=99999999999
#: ended in MemoryError (an internal error), 2**31 ran for minutes.
MAX_TABLE_WIDTH = 1000


def render_table(
    records: Sequence[ListingRecord],
    last_sync: SyncInfo | None,
    width: int = 120,
    account: AccountHealth | None = None,
) -> str:
    """``report --format table``: a plain table for people (Rich's Table, no colour, no
    borders), one row per listing, then the counts and what the account shows."""
    import textwrap  # the table's only: not at the start of report --format json|csv

    width = min(width, MAX_TABLE_WIDTH)
    columns = _table_layout(width, records)
    cause_width = dict(columns)["CAUSE"]
    lines = _table_lines(columns, [_table_cells(r, cause_width) for r in records], width)
    if any(r.inbound and r.fulfillment_channel == "FBA" for r in records):
        lines += textwrap.wrap(INBOUND_LEGEND, width)
    lines.append("")
    lines += _table_footer(records, last_sync, width)
    if account is not None and account.status != "NORMAL":
        lines += textwrap.wrap(visible(_account_line(account)), width)
    for cause in account_causes(records):  # one account-level cause, not one per listing
        lines += textwrap.wrap(f"ACCOUNT: {cause.detail} Fix: {cause.fix}.", width)
    return "\n".join(lines) + "\n"


#: Up to this many rows a table is laid out by Rich's Table; more are written line by line
#: the way Rich lays them out (_plain_table_lines; 5,000 rows: Rich took 3 s).
RICH_TABLE_ROWS = 200


def _table_lines(
    columns: Sequence[tuple[str, int]], rows: Sequence[dict[str, str]], width: int
) -> list[str]:
    """The header and one line a row: each cell cut to its column with "…", never wrapped.
    Every value is made visible first (control characters spelled out) and given to Rich as
    a Text, so nothing in it is read as markup or reaches the terminal raw."""
    fits = sum(w for _, w in columns) + _GAP * (len(columns) - 1) <= width
    if len(rows) > RICH_TABLE_ROWS and fits:
        return _plain_table_lines(columns, rows)
    return _rich_table_lines(columns, rows, width)


def _cell_text(value: str) -> str:
    return " ".join(visible(value).split())


def _plain_table_lines(
    columns: Sequence[tuple[str, int]], rows: Sequence[dict[str, str]]
) -> list[str]:
    """What _rich_table_lines gives when every column keeps its width (they fit): each cell
    cut to its width in terminal cells with "…" (Text.truncate's rule) or padded, the
    columns _GAP apart, the line's trailing spaces dropped — without Rich's per-cell
    rendering (a test keeps the two equal)."""
    from rich.cells import cell_len, set_cell_size

    def fit(text: str, cells_wide: int) -> str:
        used = len(text) if text.isascii() else cell_len(text)
        if used > cells_wide:
            return set_cell_size(text, cells_wide - 1) + "…"
        return text + " " * (cells_wide - used)

    gap = " " * _GAP
    header = [fit(h, w) for h, w in columns]
    lines = [gap.join(header).rstrip()]
    for row in rows:
        lines.append(gap.join([fit(_cell_text(row[h]), w) for h, w in columns]).rstrip())
    return lines


def _rich_table_lines(
    columns: Sequence[tuple[str, int]], rows: Sequence[dict[str, str]], width: int
) -> list[str]:
    import io

    from rich.console import Console  # imported when a table is printed, not at start
    from rich.table import Table
    from rich.text import Text

    # no borders; half a gap each side of a cell, none at the edges: _GAP between columns
    table = Table(box=None, pad_edge=False, padding=(0, _GAP // 2), show_edge=False)
    for header, cells_wide in columns:
        table.add_column(header, width=cells_wide, no_wrap=True, overflow="ellipsis")
    for row in rows:
        table.add_row(*(Text(_cell_text(row[h])) for h, _ in columns))
    out = io.StringIO()
    console = Console(
        file=out, width=width, color_system=None, force_terminal=False, highlight=False,
        emoji=False, markup=False, legacy_windows=False, soft_wrap=False,
    )  # fmt: skip
    console.print(table)
    return [line.rstrip() for line in out.getvalue().splitlines()]


def _table_layout(width: int, records: Sequence[ListingRecord]) -> list[tuple[str, int]]:
    """Column widths for a terminal `width` wide (optional columns dropped if needed)."""
    fitted = {
        "STATE": max((len(r.state.value) for r in records), default=0),
        "SKU": min(_SKU_MAX, max((len(visible(r.sku)) for r in records), default=0)),
        "STOCK": max((len(_stock(r)) for r in records), default=0),
    }
    columns = [(h, max(len(h), fitted[h]) if w == 0 else w) for h, w in _TABLE_COLUMNS]
    while True:
        fixed = sum(w or 0 for _, w in columns) + _GAP * (len(columns) - 1)
        room = width - fixed
        titled = any(h == "TITLE" for h, _ in columns)
        droppable = [name for name in _DROP_ORDER if any(h == name for h, _ in columns)]
        if room >= _CAUSE_MIN + (_FLEX_MIN if titled else 0) or not droppable:
            break
        columns = [c for c in columns if c[0] != droppable[0]]
    if titled:
        room = max(room, 2 * _FLEX_MIN)
        cause = min(_CAUSE_MAX, room - _FLEX_MIN)
        flex = {"TITLE": room - cause, "CAUSE": cause}
    else:
        flex = {"CAUSE": max(room, _FLEX_MIN)}
    return [(h, w if w is not None else flex[h]) for h, w in columns]


def _table_cells(r: ListingRecord, cause_width: int) -> dict[str, str]:
    return {
        "STATE": r.state.value,
        "SKU": r.sku,
        "ASIN": r.asin or "-",
        "TITLE": r.title,
        "CAUSE": _cause(r, cause_width),
        "STOCK": _stock(r),
        "PRICE": f"{r.price} {r.currency or ''}".strip() if r.price is not None else "-",
        "SINCE": r.inactive_since.date().isoformat() if r.inactive_since else "-",
    }


def _cause(r: ListingRecord, cells_wide: int) -> str:
    """The main cause in full when the column holds it, else its short form, essential
    thing first, as the app's list shows it ("Missing: bullet_point", where the full
    "Missing required attribute: bullet_point" cut to the column would lose the attribute)."""
    full = r.main_cause
    if not full:
        return "-"
    shown = _cell_text(full)
    used = len(shown) if shown.isascii() else _cells(shown)
    return full if used <= cells_wide else (r.main_brief or full)


def _cells(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def _stock(r: ListingRecord) -> str:
    """Units for sale: merchant-fulfilled "12"; Amazon-fulfilled "256 FBA", or with units on
    their way to Amazon's warehouses "256 +48" (the line under the table says so)."""
    if r.quantity is None:
        return "-"
    if r.fulfillment_channel == "FBA":
        return f"{r.quantity} +{r.inbound}" if r.inbound else f"{r.quantity} FBA"
    return str(r.quantity)


#: Under a table with a "256 +48" stock: what the +48 is.
INBOUND_LEGEND = (
    "STOCK +N: N more units on their way to Amazon's warehouses (FBA inbound), not for sale yet."
)


def _table_footer(
    records: Sequence[ListingRecord], last_sync: SyncInfo | None, width: int
) -> list[str]:
    """Counts and sync facts: one line when it fits, else one line per fact."""
    attention = sum(r.needs_attention for r in records)
    at_risk = sum(r.at_risk and not r.needs_attention for r in records)
    counts = ", ".join(f"{state} {n}" for state, n in _counts(records).items() if n)
    parts = [
        f"{len(records)} listings, {attention} need attention"
        + (f", {at_risk} at risk" if at_risk else "")
        + (f" ({counts})" if counts else "")
    ]
    if last_sync is not None:
        scope = "all listings" if last_sync.include_all else "listings needing attention"
        parts.append(f"synced {last_sync.finished_at:%Y-%m-%d %H:%M} UTC ({scope})")
        if last_sync.listings_incomplete:
            parts.append(
                f"INCOMPLETE: {last_sync.missing_text()} could not be fetched "
                f"({', '.join(last_sync.gap_names_by_key()[k] for k in last_sync.missing)})"
            )
        elif not last_sync.complete:
            parts.append(f"{len(last_sync.failed)} could not be fetched (see stderr)")
    line = " · ".join(parts)
    if len(line) <= width:
        return [line]
    import textwrap

    return [wrapped for part in parts for wrapped in textwrap.wrap(part, width)]


def _account_line(account: AccountHealth) -> str:
    """The account-level gate, said once under the table (docs/INACTIVE_CAUSES.md row 15)."""
    counters = account.counters_text()
    parts = [
        f"ACCOUNT {account.status}: resolve it in Seller Central → Account Health "
        "before fixing listings" + (f" (BAD: {counters})" if counters else "")
    ]
    if account.as_of:
        parts.append(f"Account Health report of {account.as_of:%Y-%m-%d %H:%M} UTC")
    return " · ".join(parts)


def _counts(records: Sequence[ListingRecord]) -> dict[str, int]:
    counts = {state.value: 0 for state in State}
    for r in records:
        counts[r.state.value] += 1
    return counts


def render_removal_csv(rows: Iterable[Sequence[object]], columns: Sequence[str]) -> str:
    """The removal-order list (domain.causes.removal_rows) as CSV: text cells defused as in
    ``report --format csv``, numbers as they are."""
    text = spreadsheet_text
    lines = [csv_row(columns)]
    lines += [csv_row([text(c) if isinstance(c, str) else c for c in row]) for row in rows]
    return "".join(lines)
