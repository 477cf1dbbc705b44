"""A listing cache holding text that is not UTF-8 (another tool, or a disk fault, wrote it):
every reader shows the damaged text with U+FFFD and says so in one line; the file is never set
aside as corrupt, no row is lost, and the next sync writes the listing again."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from asin_tui.cli import main
from asin_tui.demo import DemoSettings, open_demo_service
from asin_tui.store.cache import ListingCache, cache_path

DEMO = ("demo", "ATVPDKIKX0DER")
QUICK = DemoSettings(drift=0.0, time_scale=100.0)
#: what sqlite3 reads for the bytes ff fe 41 (two bytes no UTF-8 text starts with, then "A")
SHOWN = "\ufffd\ufffdA"
CACHED = ["report", "--demo", "--cached", "--max-age", "1e9", "--all"]


def damage(path, sku: str, column: str = "title", table: str = "listings") -> None:
    """What another tool could write: bytes that are not UTF-8, stored as TEXT."""
    conn = sqlite3.connect(path)
    update = f"UPDATE {table} SET {column} = CAST(x'fffe41' AS TEXT) WHERE sku = ?"
    # the rows it changed (rowcount: total_changes counts the row's CSV line a trigger drops)
    assert conn.execute(update, (sku,)).rowcount == 1
    conn.commit()
    conn.close()


def set_aside(path) -> list:
    return list(path.parent.glob(f"{path.name}.corrupt-*"))


@pytest.fixture
def damaged(synced_demo):
    """A synced demo cache with one listing's title not UTF-8: (its path, every SKU in report
    order, the damaged SKU)."""
    path = cache_path(*DEMO)
    cache = ListingCache(path)
    skus = [r.sku for r in cache.load_records(needs_attention_only=False)]
    cache.close()
    victim = skus[len(skus) // 2]
    damage(path, victim)
    return path, skus, victim


def test_the_cache_reads_the_damaged_row_with_replacement_characters(damaged):
    path, skus, victim = damaged
    cache = ListingCache(path)
    try:
        records = cache.load_records(needs_attention_only=False)
        assert [r.sku for r in records] == skus  # nothing left out
        assert next(r for r in records if r.sku == victim).title == SHOWN
        warning = cache.row_warning
        assert warning is not None and "\n" not in warning
        assert "not valid UTF-8" in warning and path.name in warning
        assert cache.warning is None
        batches = list(cache.record_batches(needs_attention_only=False, size=7))
        assert [r.sku for batch in batches for r in batch] == skus
    finally:
        cache.close()
    assert path.exists() and not set_aside(path)


def test_a_clean_cache_has_no_warning(damaged):
    path, skus, victim = damaged
    conn = sqlite3.connect(path)
    conn.execute("UPDATE listings SET title = 'Fine' WHERE sku = ?", (victim,))
    conn.commit()
    conn.close()
    cache = ListingCache(path)
    try:
        assert len(cache.load_records(needs_attention_only=False)) == len(skus)
        assert cache.row_warning is None
    finally:
        cache.close()


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_report_cached_shows_every_row_and_warns(damaged, capsysbinary, fmt, monkeypatch):
    path, skus, victim = damaged
    monkeypatch.setenv("COLUMNS", "120")  # the table's width: a narrower one drops TITLE
    code = main([*CACHED, "--format", fmt], demo=QUICK)
    out, err = capsysbinary.readouterr()
    text, errors = out.decode(), err.decode()
    assert code in (0, 1), errors
    assert "Traceback" not in errors
    lines = errors.splitlines()
    assert len(lines) == 1 and lines[0].startswith("asin-tui: warning: "), errors
    assert "not valid UTF-8" in lines[0] and "corrupt" not in lines[0]
    assert not set_aside(path)
    if fmt == "json":
        listings = json.loads(text)["listings"]
        assert [item["sku"] for item in listings] == skus
        assert next(i for i in listings if i["sku"] == victim)["title"] == SHOWN
    elif fmt == "csv":
        rows = text.splitlines()[1:]
        assert len(rows) == len(skus)
        assert any(row.startswith(f"{victim},") and SHOWN in row for row in rows)
    else:
        assert all(sku in text for sku in skus)
        assert "\ufffd" in text


def test_report_json_and_csv_match_an_undamaged_cache_but_for_the_title(damaged, capsysbinary):
    """The SQL path sends the damaged batch to the records path: the same bytes as if the
    title had been written with U+FFFD in the first place."""
    path, _, victim = damaged
    out = {}
    for fmt in ("json", "csv"):
        assert main([*CACHED, "--format", fmt], demo=QUICK) in (0, 1)
        out[fmt] = unstamped(capsysbinary.readouterr().out)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE listings SET title = ? WHERE sku = ?", (SHOWN, victim))
    conn.commit()
    conn.close()
    for fmt in ("json", "csv"):
        assert main([*CACHED, "--format", fmt], demo=QUICK) in (0, 1)
        assert unstamped(capsysbinary.readouterr().out) == out[fmt]


def unstamped(report: bytes) -> bytes:
    """A report without the time it was made."""
    return re.sub(rb'"generated_at": "[^"]*"', b"", report)


def test_damaged_evidence_still_diagnoses(damaged):
    path, skus, victim = damaged
    conn = sqlite3.connect(path)
    (item,) = conn.execute("SELECT item FROM evidence WHERE sku = ?", (victim,)).fetchone()
    at = item.index('"', item.index(":", item.index('"itemName"'))) + 1  # in its value
    bad = item[:at].encode() + b"\xff" + item[at:].encode()
    conn.execute("UPDATE evidence SET item = CAST(? AS TEXT) WHERE sku = ?", (bad, victim))
    conn.commit()
    conn.close()
    service = open_demo_service(settings=QUICK)
    try:
        assert [r.sku for r in service.cached_records(all_listings=True)] == skus
        diagnosis = service.diagnosis(victim)
        assert diagnosis is not None
        assert "not valid UTF-8" in (service.cache_warning or "")
    finally:
        service._cache.close()
    assert not set_aside(path)


async def test_a_sync_writes_the_damaged_listing_again(damaged):
    path, skus, victim = damaged
    service = open_demo_service(settings=QUICK)
    try:
        await service.sync(include_all=True)
    finally:
        await service.aclose()
    assert not set_aside(path)
    cache = ListingCache(path)
    try:
        records = cache.load_records(needs_attention_only=False)
        assert [r.sku for r in records] == skus
        assert "\ufffd" not in (next(r for r in records if r.sku == victim).title or "")
        assert cache.row_warning is None
    finally:
        cache.close()


def break_listings(path) -> None:
    """Real corruption, where a read of the listings finds it: their table's and indexes'
    root pages overwritten (the file still opens; its sync row still reads)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (size,) = conn.execute("PRAGMA page_size").fetchone()
    query = "SELECT rootpage FROM sqlite_master WHERE tbl_name = 'listings' AND rootpage > 0"
    roots = [r for (r,) in conn.execute(query)]  # not its triggers (no page of their own)
    conn.close()
    with open(path, "r+b") as file:
        for root in roots:
            file.seek((root - 1) * size)
            file.write(b"\xa5" * size)


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_a_report_whose_rows_turn_out_corrupt_exits_2(damaged, capsysbinary, tmp_path, fmt):
    """A really corrupt file is still set aside, but the report that could not read its rows
    says so and exits 2, never 0 as if the account had nothing to show; an --output file is
    not written."""
    path, _, _ = damaged
    break_listings(path)
    output = tmp_path / f"report.{fmt}"
    code = main([*CACHED, "--format", fmt, "--output", str(output)], demo=QUICK)
    err = capsysbinary.readouterr().err.decode()
    assert code == 2, err
    lines = err.splitlines()
    assert len(lines) == 1 and "the report is incomplete" in lines[0], err
    assert "could not be read" in lines[0] and "moved to" in lines[0]
    assert set_aside(path)
    assert not output.exists()
