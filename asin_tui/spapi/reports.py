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

import codecs
import gzip
import io
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

from asin_tui.domain.cover import WINDOWS, OrderLine, OrderTotals, PlanningRow, add_order
from asin_tui.spapi.parse import UnreadableBody

FBA_PLANNING_REPORT = "GET_FBA_INVENTORY_PLANNING_DATA"
ORDERS_REPORT = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"

_BLANK = frozenset({"", "-", "n/a", "na", "null", "none"})


def _key(name: str) -> str:
    return name.strip().lstrip("\ufeff").strip().lower().replace("_", "-").replace(" ", "-")


#: Bytes decompressed / decoded at a time when a document is read as a stream.
CHUNK = 1 << 16


#: The largest document asin-tui reads, downloaded or unpacked (bytes). The biggest a seller
#: has is the listings report: a row is ~0.3-0.5 KB (2.5 KB with a 2,000-character
#: description, Amazon's limit), so 1 GiB is 400,000 listings at the very least, millions
#: as they usually are, far above the 100,000 the app is built and measured for. A GZIP
#: document unpacks 5-20 times; a "bomb" (a few MB unpacking to many GB: a tampered or
#: misdirected URL) stops here instead of taking the machine's memory.
MAX_DOCUMENT_BYTES = 1 << 30


#: The longest line a flat file is read with (characters): a row is a few KB (the listings
#: report's description is 2,000 characters at most). A longer one is no flat file (a
#: document without line ends: held whole, and re-copied as it grew, it took minutes of CPU).
MAX_LINE = 1 << 20


class LineTooLong(UnreadableBody):
    """A line over MAX_LINE: the document is no flat file."""


def _too_long() -> LineTooLong:
    return LineTooLong(
        f"the report document has a line longer than {MAX_LINE >> 20} MB: not a flat file"
    )


class BadDocument(ValueError):
    """A report document's bytes cannot be read (not valid GZIP)."""


class DocumentTooBig(BadDocument):
    """A report document that unpacks to more than its reader takes (MAX_DOCUMENT_BYTES)."""


def too_large_text(what: str, limit: int) -> str:
    return (
        f"{what} is larger than {limit >> 20} MB: not read (no report of a seller's is that large)"
    )


@dataclass(frozen=True, slots=True)
class ReportDocument:
    """A report document as downloaded (``data``: its bytes, GZIP when ``compression`` says
    so), read a line at a time without ever holding its text: an orders report of a busy
    account is tens of MB, its text as much again, its rows as objects several times that.
    ``encoding``: UTF-8, or Cp1252 when the bytes are not UTF-8 (Amazon serves flat files as
    ``text/plain; charset=Cp1252``: selling-partner-api-models #2748, #4031) — decided for the
    whole document, as decoding it whole would (:meth:`read`). ``data`` may be a file
    (the client downloads a document into a temporary one): read from its start each time."""

    data: bytes | BinaryIO
    compression: str | None = None
    encoding: str = "utf-8"
    #: the most bytes it is read to, unpacked: DocumentTooBig past them
    limit: int = MAX_DOCUMENT_BYTES

    @classmethod
    def read(
        cls, data: bytes | BinaryIO, compression: str | None, limit: int = MAX_DOCUMENT_BYTES
    ) -> ReportDocument:
        """The document of ``data``: checked (GZIP readable to its end) and its encoding found
        in one pass over it, a chunk at a time. BadDocument when the GZIP is not valid."""
        document = cls(data, compression, limit=limit)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            for chunk in document._chunks():
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return cls(data, compression, "cp1252", limit)
        return document

    def _stream(self) -> BinaryIO:
        if isinstance(self.data, bytes):
            raw: BinaryIO = io.BytesIO(self.data)
        else:
            raw = self.data
            raw.seek(0)
        if self.compression == "GZIP":
            return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
        return raw

    def _chunks(self) -> Iterator[bytes]:
        stream = self._stream()
        read = 0
        try:
            while chunk := stream.read(CHUNK):
                read += len(chunk)
                if read > self.limit:  # a GZIP bomb: never unpacked to its end
                    raise DocumentTooBig(too_large_text("the report document unpacked", self.limit))
                yield chunk
        except (OSError, EOFError, zlib.error) as exc:
            raise BadDocument(f"the report document is not valid GZIP ({exc})") from None

    def text_chunks(self) -> Iterator[str]:
        """The document's text a chunk at a time."""
        decoder = codecs.getincrementaldecoder(self.encoding)(errors="replace")
        for chunk in self._chunks():
            if text := decoder.decode(chunk):
                yield text
        if tail := decoder.decode(b"", final=True):
            yield tail

    def blank(self) -> bool:
        """No text but whitespace (or none at all): Amazon had no data for it."""
        return all(chunk.isspace() for chunk in self.text_chunks())

    def lines(self) -> Iterator[str]:
        """:func:`records` of the document's text, never holding more than a chunk of it
        (and a line: UnreadableBody for one over MAX_LINE)."""
        rest = ""
        first = True
        for chunk in self.text_chunks():
            if first:
                chunk, first = chunk.removeprefix("\ufeff"), False
            rest += chunk
            start = 0
            while (end := rest.find("\n", start)) >= 0:
                if end - start > MAX_LINE:
                    raise _too_long()
                yield rest[start:end].removesuffix("\r")
                start = end + 1
            rest = rest[start:]
            if len(rest) > MAX_LINE:
                raise _too_long()
        if rest:
            yield rest.removesuffix("\r")


#: A report document as text (a test's, the sandbox's) or as downloaded.
Document = str | ReportDocument


def blank(document: Document) -> bool:
    """The document has no text but whitespace: Amazon had no data for it."""
    if isinstance(document, ReportDocument):
        return document.blank()
    return not document or document.isspace()


def lines_of(document: Document) -> Iterator[str]:
    return document.lines() if isinstance(document, ReportDocument) else records(document)


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
        if end - start > MAX_LINE:
            raise _too_long()
        yield text[start:end].removesuffix("\r")
        start = end + 1


def table(document: Document, what: str, required: Sequence[str]) -> Iterator[dict[str, str]]:
    """The document's rows as {normalised header: cell}; UnreadableBody when a ``required``
    column (normalised) is missing."""
    lines = lines_of(document)
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
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):  # (year 9999 less an offset: past datetime's range)
        return None


def planning_rows(text: Document) -> list[PlanningRow]:
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


def order_lines(text: Document) -> list[OrderLine]:
    """GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL → one OrderLine per order item
    (rows without a SKU or a readable purchase date are skipped)."""
    return list(each_order_line(text))


def order_totals(document: Document, now: datetime) -> dict[str, OrderTotals]:
    """The orders report summed per merchant-fulfilled SKU as it is read (domain.cover.
    add_order: what stock cover uses of it), never holding its order lines: the same cover
    as ``order_lines`` would give. UnreadableBody as ``order_lines``."""
    totals: dict[str, OrderTotals] = {}
    for line in each_order_line(document):
        add_order(totals, line, now)
    return totals


def each_order_line(text: Document) -> Iterator[OrderLine]:
    """The OrderLines of an orders report, one at a time (see ``order_lines``)."""
    what = "orders report"
    required = ("amazon-order-id", "purchase-date", "sku", "quantity")
    for row in table(text, what, required):
        sku = row.get("sku", "")
        purchased = moment(row.get("purchase-date"))
        if not sku or purchased is None:
            continue
        channel = row.get("fulfillment-channel", "").lower()
        yield OrderLine(
            sku=sku,
            purchased=purchased,
            quantity=_count(row.get("quantity")) or 0,
            status=row.get("order-status", ""),
            item_status=row.get("item-status", ""),
            merchant=channel not in ("amazon", "afn"),
            asin=row.get("asin", ""),
            title=row.get("product-name", ""),
        )


def listing_quantities(text: Document) -> dict[str, tuple[int | None, str, str]]:
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
