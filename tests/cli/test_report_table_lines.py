"""`report --format table` of many rows is written line by line (render._plain_table_lines),
not through Rich's Table: the lines are the ones Rich lays out, so a long table looks like a
short one."""

from __future__ import annotations

import pytest

from asin_tui import render
from tests.cli.test_report_sql import STRINGS, _records

WIDE = (
    "日本語のタイトル、とても長い名前の商品です",
    "e\u0301\u0301 combining",
    "😀" * 30,
    "x" * 200,
)


@pytest.mark.parametrize("width", [100, 120, 157, 240])
def test_the_plain_lines_are_rich_tables_lines(width):
    records = _records(60)
    columns = render._table_layout(width, records)
    rows = [render._table_cells(r, dict(columns)["CAUSE"]) for r in records]
    for i, text in enumerate((*STRINGS, *WIDE)):
        rows[i] = {**rows[i], "TITLE": text, "CAUSE": text[::-1], "SKU": text[:40]}
    plain = render._plain_table_lines(columns, rows)
    assert plain == render._rich_table_lines(columns, rows, width)
    assert any("…" in line for line in plain)  # cut, not wrapped


def test_a_long_table_is_written_without_rich(monkeypatch):
    records = _records(render.RICH_TABLE_ROWS + 1)
    monkeypatch.setattr(render, "_rich_table_lines", None)  # would fail if called
    text = render.render_table(records, None, 120)
    assert text.splitlines()[0].startswith("STATE")
    assert len(text.splitlines()) > render.RICH_TABLE_ROWS
