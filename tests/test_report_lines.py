"""Report documents (stock cover's flat files) are read a line at a time: an orders report of a
busy account is tens of MB, and all its lines at once as much again (the one-off memory peak
the bulk benchmark met during a batch was the stock cover refresh reading them). As
downloaded, a document is read from its bytes (GZIP or not) without its text, and the orders
report summed per SKU as it is read, with the same cover as before."""

from __future__ import annotations

import functools
import gzip
import sys
import tracemalloc
from datetime import UTC, datetime, timedelta

import pytest

from asin_tui.domain.cover import stock_cover
from asin_tui.spapi.client import _report_text
from asin_tui.spapi.parse import UnreadableBody
from asin_tui.spapi.reports import (
    CHUNK,
    BadDocument,
    DocumentTooBig,
    ReportDocument,
    blank,
    lines_of,
    order_lines,
    order_totals,
    records,
    table,
)


def _peak(read):
    """``read()``'s result and the most memory it held at once (bytes; tracemalloc runs
    only while it reads). tracemalloc counts what every thread allocates meanwhile: a thread
    an earlier test of this worker left running (a server answering, a loop ticking) once
    added 100 KB to a 28 KB bound. The read (Python code, no I/O) keeps the interpreter's
    lock while it runs, so no other thread runs Python code in between."""
    switch = sys.getswitchinterval()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        sys.setswitchinterval(60.0)
        try:
            result = read()
        finally:
            sys.setswitchinterval(switch)
        return result, tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def test_a_large_report_is_read_without_holding_all_its_lines():
    """Its lines held at once would be ~6 times its text; read a line at a time, the memory
    is a row's, however long the report: a report twice as long takes no more."""

    def read(text):
        rows, last = 0, None
        for row in table(text, "report", ("sku", "available")):
            rows, last = rows + 1, row
        return rows, last

    peaks = []
    for lines in (10_000, 20_000):
        text = "\ufeffsku\tavailable\r\n" + "".join(
            f"SKU-{n:06d}\t{n % 7}\r\n" for n in range(lines)
        )
        (rows, last), peak = _peak(lambda: read(text))  # noqa: B023 (called at once)
        assert rows == lines and last == {
            "sku": f"SKU-{lines - 1:06d}",
            "available": str((lines - 1) % 7),
        }
        assert peak < len(text) // 10, f"{peak} bytes at the peak for a {len(text)}-character text"
        peaks.append(peak)
    assert peaks[1] < peaks[0] * 1.2, f"{peaks}: grows with the report"


def test_lines_are_lf_or_crlf_and_blank_lines_before_the_header_are_skipped():
    text = "\n\r\n  \nsku\tavailable\r\nA\t1\n\nB\t2"
    assert list(table(text, "report", ("sku",))) == [
        {"sku": "A", "available": "1"},
        {"sku": "B", "available": "2"},
    ]


# ------------------------------------------------------------- a document as downloaded

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
#: An orders report of 10,000 lines: 1 MB, 15 of the chunks a document is read in (CHUNK),
#: every SKU with a title (from line 3,000 on)
SMALL_ORDERS = 10_000


@functools.cache  # the same texts for several tests: built once
def _orders_text(lines: int) -> str:
    """An orders report with what stock cover must count right: merchant and Amazon-fulfilled
    items, cancelled orders and items, orders older than the window, a SKU's first rows
    without a title, titles with non-ASCII letters, blank lines, CRLF, a byte order mark."""
    head = (
        "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tproduct-name"
        "\tsku\tasin\titem-status\tquantity\r\n"
    )
    rows = []
    for n in range(lines):
        sku = f"SKU-{n % 1_500:05d}"
        when = NOW - timedelta(days=n % 45, hours=n % 7)  # some outside the 30 days
        status = "Cancelled" if n % 11 == 0 else "Shipped"
        item = "Canceled" if n % 13 == 0 else "Shipped"
        channel = "Amazon" if n % 5 == 0 else "Merchant"
        title = "" if n < 3_000 else f"Tasse «{n % 1_500}» – bleu"
        quantity = str(1 + n % 3) if n % 17 else "N/A"
        rows.append(
            f"1{n:09d}\t{when.isoformat()}\t{status}\t{channel}\t{title}\t{sku}\tB0{n % 1_500:08d}"
            f"\t{item}\t{quantity}\r\n"
        )
        if n % 1_000 == 0:
            rows.append("\r\n")
    return "\ufeff" + head + "".join(rows)


def _quantities(skus: int) -> dict[str, tuple[int | None, str, str]]:
    return {f"SKU-{n:05d}": (n % 9 or None, f"B0{n:08d}", "") for n in range(skus + 20)}


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
@pytest.mark.parametrize("compression", [None, "GZIP"])
def test_a_large_orders_report_read_as_downloaded_gives_the_same_cover(
    encoding, compression, tmp_path
):
    """The stock cover refresh sums the orders report per SKU as it reads the downloaded
    file (never its text, never its order lines): the cover is the same as from the whole
    text's order lines (how it was computed before), UTF-8 or Cp1252, plain or GZIP, over
    many chunks (a line or a letter cut at a chunk's end: the next test)."""
    text = _orders_text(SMALL_ORDERS)
    if encoding == "cp1252":  # as Amazon serves flat files: no byte order mark then
        text = text.removeprefix("\ufeff")
    data = text.encode(encoding)
    if compression:
        data = gzip.compress(data)
    (tmp_path / "document").write_bytes(data)
    document = ReportDocument.read((tmp_path / "document").open("rb"), compression)
    assert document.encoding == encoding  # Cp1252's « is not UTF-8: the whole is Cp1252
    whole = _report_text(data, compression)  # the text as the client decodes it whole
    quantities = _quantities(1_500)

    before = stock_cover(None, order_lines(whole), quantities, NOW)
    after = stock_cover(None, order_totals(document, NOW), quantities, NOW)
    assert after == before
    assert sum(1 for c in after.values() if c.daily) > 1_000  # most SKUs sold in the window
    assert any("«" in c.title for c in after.values())
    assert list(lines_of(document)) == list(records(whole))  # read again from its start
    assert ReportDocument.read(data, compression) == ReportDocument(data, compression, encoding)


def _cut_at_chunk_ends(encoding: str) -> str:
    """A flat file whose chunks (CHUNK bytes each, as read) end inside a CRLF, inside a
    2-byte UTF-8 letter («) and inside a 3-byte one (–, after its first and its second
    byte; a Cp1252 file's letters are one byte each, and it has no byte order mark): the
    last chunk ends in the middle of its last line."""
    rows = [("\ufeff" if encoding == "utf-8" else "") + "sku\tproduct-name\r\n"]
    size = len(rows[0].encode(encoding))
    # (the row's tail, how many of its bytes fall before the chunk's end)
    cuts = [("\r\n", 1), ("«\r\n", 1), ("–\r\n", 1), ("–\r\n", 2)]
    for k, (tail, before) in enumerate(cuts, start=1):
        head = f"CUT-{k}\tTasse "
        cut_at = k * CHUNK  # where the chunk ends: the row's tail cut after `before` bytes
        fill = cut_at - size - len(head.encode(encoding)) - before
        row = head + "x" * fill + tail
        assert (size + len(row.encode(encoding)) - len(tail.encode(encoding)) + before) == cut_at
        rows.append(row)
        size += len(row.encode(encoding))
    return "".join(rows) + "LAST\tno line end"


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
@pytest.mark.parametrize("compression", [None, "GZIP"])
def test_lines_and_letters_cut_at_a_chunks_end_read_whole(encoding, compression):
    text = _cut_at_chunk_ends(encoding)
    data = text.encode(encoding)
    document = ReportDocument.read(gzip.compress(data) if compression else data, compression)
    assert document.encoding == encoding
    rows = list(table(document, "report", ("sku",)))
    assert [r["sku"] for r in rows] == ["CUT-1", "CUT-2", "CUT-3", "CUT-4", "LAST"]
    assert [r["product-name"][-1] for r in rows] == ["x", "«", "–", "–", "d"]
    assert list(lines_of(document)) == list(records(text))


def test_a_downloaded_report_is_read_without_holding_its_text_or_its_lines():
    """The memory reading an orders report takes is its totals (one per SKU) and a chunk of
    its text: a report twice as long (the same SKUs) takes no more, and less than its text
    (its text held would be as much again, its lines as objects several times that)."""
    peaks = []
    for lines in (SMALL_ORDERS, 2 * SMALL_ORDERS):
        text = _orders_text(lines)
        document = ReportDocument.read(text.encode("utf-8"), None)
        totals, peak = _peak(lambda: order_totals(document, NOW))  # noqa: B023 (called at once)
        assert len(totals) == 1_200  # the merchant-fulfilled SKUs (every fifth is Amazon's)
        assert peak < len(text), f"{peak} bytes for a {len(text)}-character text"
        peaks.append(peak)
    assert peaks[1] < peaks[0] * 1.2, f"{peaks}: grows with the document"


def test_blank_and_byte_order_mark_documents_read_as_their_text_did():
    for text in ("", "  \r\n\t\n", "\ufeff", "\ufeffsku\tquantity\r\n", "a\rb\nc\r\n\nd"):
        document = ReportDocument.read(text.encode("utf-8"), None)
        assert blank(document) == blank(text)
        assert list(lines_of(document)) == list(records(text))


def test_a_broken_gzip_document_is_one_line_at_the_download():
    data = gzip.compress(b"sku\tquantity\nA\t1\n" * 1000)[:-40]
    with pytest.raises(BadDocument, match="not valid GZIP"):
        ReportDocument.read(data, "GZIP")


def test_a_gzip_bomb_is_not_unpacked_past_the_cap():
    # 64 MB of zeros packs to 64 KB; read a chunk at a time it cost no memory, but every
    # pass (read, blank, lines) unpacked all of it: a real bomb is GBs of CPU each time
    with pytest.raises(DocumentTooBig, match="unpacked is larger than 1 MB: not read"):
        ReportDocument.read(gzip.compress(bytes(64 << 20), 9), "GZIP", limit=1 << 20)
    assert ReportDocument.read(gzip.compress(b"sku\tavailable\n" * 1000), "GZIP").blank() is False


@pytest.mark.parametrize("compression", [None, "GZIP"])
def test_a_document_without_line_ends_is_one_line_not_minutes_of_cpu(compression):
    # 8 MB with no LF (a hostile or broken document): held whole and copied as it grew; at
    # the 1 GiB a document may be, minutes of CPU and GBs before the first row
    text = "sku\tavailable\n" + "x" * (8 << 20)
    data = gzip.compress(text.encode(), 1) if compression else text.encode()
    document = ReportDocument.read(data, compression)
    for source in (document, text):
        with pytest.raises(UnreadableBody, match="has a line longer than 1 MB: not a flat file"):
            list(table(source, "FBA inventory planning report", ("sku",)))
    assert [r["sku"] for r in table("sku\tavailable\n" + "A\t" + "y" * 100_000, "r", ())] == ["A"]
