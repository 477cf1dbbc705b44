"""Report documents (stock cover's flat files) are read a line at a time: an orders report of a
busy account is tens of MB, and all its lines at once as much again (the one-off memory peak
the bulk benchmark met during a batch was the stock cover refresh reading them)."""

from __future__ import annotations

import tracemalloc

from asin_tui.spapi.reports import table


def test_a_large_report_is_read_without_holding_all_its_lines():
    text = "\ufeffsku\tavailable\r\n" + "".join(f"SKU-{n:06d}\t{n % 7}\r\n" for n in range(200_000))
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        rows = 0
        last = None
        for row in table(text, "report", ("sku", "available")):
            rows += 1
            last = row
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert rows == 200_000 and last == {"sku": "SKU-199999", "available": "2"}
    assert peak < len(text) // 10, f"{peak} bytes at the peak for a {len(text)}-character text"


def test_lines_are_lf_or_crlf_and_blank_lines_before_the_header_are_skipped():
    text = "\n\r\n  \nsku\tavailable\r\nA\t1\n\nB\t2"
    assert list(table(text, "report", ("sku",))) == [
        {"sku": "A", "available": "1"},
        {"sku": "B", "available": "2"},
    ]
