"""A listing's line of ``report --format csv`` (and of the app's CSV export), pure: the one
renderer of CSV cells and lines. asin_tui.render writes records with it, and the cache
(asin_tui.store.cache) stores each listing's finished line with it when it writes the
listing, so ``report --format csv`` can write the stored lines as they are.

Text cells a spreadsheet would run as a formula are defused (:func:`spreadsheet_text`);
numbers stay numbers; a cell with a comma, a quote or any line break is quoted (RFC 4180).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from asin_tui.domain.models import Finding, ListingRecord

CSV_COLUMNS = (
    "sku",
    "asin",
    "title",
    "state",
    "buyable",
    "discoverable",
    "amazon_status",
    "main_cause",
    "severity",
    "fulfillment_channel",
    "quantity",
    "price",
    "currency",
    "inactive_since",
    "finding_codes",
)

#: The form of a stored line: raise it whenever what :func:`csv_line_parts` writes changes
#: (a column, a cell's rule). A stored line of another form is never written out: the report
#: renders that listing instead, and the next sync stores its line anew.
CSV_LINE_FORMAT = 1

#: What makes a spreadsheet read a cell as a formula (OWASP "CSV Injection"): = + - @ and a
#: leading tab or carriage return; the full-width forms too, which some spreadsheets fold.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_text(value: str) -> str:
    """A text cell as a spreadsheet shows it, never runs it: one that starts like a formula
    (``=HYPERLINK(...)``, ``+cmd|...``, ``@SUM(...)``) gets a leading ``'``, as OWASP
    recommends. Only for text: a numeric field (a negative price) is written as it is."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def spreadsheet_value(cell: str) -> str:
    """The text a :func:`spreadsheet_text` cell holds: ``'=HYPERLINK(...)`` → ``=HYPERLINK(...)``
    (a ``'`` before anything else is the text's own)."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def csv_cell(cell: str) -> str:
    """One cell as a CSV row holds it: quoted when it holds a comma, a quote or any line
    break — a bare carriage return too, which Python 3.11's csv module leaves unquoted, so a
    title holding one would split the row in two for every reader."""
    if "," in cell or '"' in cell or "\n" in cell or "\r" in cell:  # 4 searches: no generator
        return '"' + cell.replace('"', '""') + '"'
    return cell


def csv_row(cells: Sequence[object]) -> str:
    """One CSV row (RFC 4180 quoting, ending in a newline)."""
    return ",".join(csv_cell(str(cell)) for cell in cells) + "\n"


def csv_codes(findings: Sequence[Finding]) -> str:
    """The finding_codes cell's text (before CSV quoting)."""
    return spreadsheet_text(";".join(f.code for f in findings))


def csv_since(moment: datetime | None) -> str:
    """The inactive_since cell of a listing (empty: active)."""
    return csv_cell(moment.isoformat()) if moment else ""


def csv_line_parts(
    r: ListingRecord, codes: dict[tuple[Finding, ...], str] | None = None
) -> tuple[str, str]:
    """A listing's CSV line around its inactive_since cell: the line is ``head +
    csv_since(r.inactive_since) + tail`` (the cache works the time out as it stores the
    listing: it stores the head and tail first). ``codes``: finding codes cells already
    made, by findings (many listings share theirs)."""
    text = spreadsheet_text  # every text cell: SKUs, titles and causes come from outside
    main = r.findings[0] if r.findings else None
    if codes is None:
        finding_codes = csv_codes(r.findings)
    else:
        found = codes.get(r.findings)
        if found is None:
            found = codes[r.findings] = csv_codes(r.findings)
        finding_codes = found
    cell = csv_cell  # (a state, yes/no, a severity, a number: nothing to quote)
    head = ",".join(
        [
            cell(text(r.sku)),
            cell(text(r.asin or "")),
            cell(text(r.title)),
            r.state.value,
            "yes" if r.buyable else "no",
            "yes" if r.discoverable else "no",
            cell(text(" ".join(r.amazon_status))) if r.amazon_status is not None else "",
            cell(text(r.main_cause)),
            main.severity.value if main else "",
            cell(text(r.fulfillment_channel or "")),
            "" if r.quantity is None else str(r.quantity),  # numbers stay numbers (-3 too)
            "" if r.price is None else cell(str(r.price)),
            cell(text(r.currency or "")),
        ]
    )
    return head + ",", "," + cell(finding_codes) + "\n"


def csv_line(r: ListingRecord, codes: dict[tuple[Finding, ...], str] | None = None) -> str:
    """A listing's line of ``report --format csv`` (see :func:`csv_line_parts`)."""
    head, tail = csv_line_parts(r, codes)
    return head + csv_since(r.inactive_since) + tail
