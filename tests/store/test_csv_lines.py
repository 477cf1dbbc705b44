"""Each listing's finished `report --format csv` line, stored by the cache when it writes the
listing (csv_lines), is the line render.py renders from the record read back, byte for byte,
on hostile text; every way a row is written (a sync, a sync that keeps unchanged listings, a
fix's verify, a re-diagnosis, another tool's UPDATE/INSERT/DELETE, a changed schema) leaves no
line that is not its row's; a cache from before the lines still reports and gets them."""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
from datetime import timedelta

import pytest

import asin_tui.render_sql as render_sql
from asin_tui.domain.csvline import CSV_LINE_FORMAT, csv_line
from asin_tui.domain.models import ListingRecord, State
from asin_tui.render import Rendered, joined, stream_csv
from asin_tui.render_sql import report_batches
from asin_tui.store.cache import CSV_LINE_TRIGGERS, ListingCache, RawEvidence, SyncInfo
from tests.cli.test_report_sql import NOW, _records

#: Beyond test_report_sql's strings: a NUL, C0/C1 controls, each formula start alone and
#: before text, a quote at the start, CRLF, a lone surrogate's neighbours (4-byte UTF-8).
HOSTILE = (
    "NUL \x00 inside",
    "\x00",
    "\x01\x02\x1f ctrl \x7f \x9b[31m",
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "=1+1",
    "-2,5",
    "@cmd\r\n",
    "\uff1dfull",
    "\uff0bfull",
    "\uff0dfull",
    "\uff20full",
    '"quoted at the start',
    'a "b" c, d',
    "line\r\nbreak",
    "\U0001f600\U00010348 astral",
    "'=already quoted",
)


def _hostile_records() -> list[ListingRecord]:
    records = _records(157)
    extra = []
    for i, text in enumerate(HOSTILE):
        base = records[i % len(records)]
        extra.append(
            dataclasses.replace(
                base,
                sku=f"{text}-{i}",
                asin=text,
                title=f"{text} title {text}",
                fulfillment_channel=text or None,
                currency=text,
                amazon_status=(text, "BUYABLE"),
                state=State.INACTIVE,  # in the default scope too
                buyable=False,
            )
        )
    return records + extra


def _info(records: list[ListingRecord], *, complete: bool = False) -> SyncInfo:
    return SyncInfo(NOW, NOW, include_all=True, complete=complete, listings=len(records))


def _entries(records):
    return [(r, RawEvidence(sku=r.sku, item={"sku": r.sku})) for r in records]


@pytest.fixture
def cache(tmp_path):
    cache = ListingCache(tmp_path / "c.sqlite3")
    cache.write_sync(_entries(_hostile_records()), product_types={}, info=_info([]))
    yield cache
    cache.close()


def _conn(cache: ListingCache):
    return contextlib.closing(sqlite3.connect(cache.path))


def _lines(cache: ListingCache) -> dict[str, tuple[int, str, int]]:
    with _conn(cache) as conn:
        return {sku: (f, line, a) for sku, f, line, a in conn.execute("SELECT * FROM csv_lines")}


def _assert_every_line_is_its_rows(cache: ListingCache, missing: set[str] = frozenset()) -> None:
    """Each listing's stored line is the line render.py renders from it as read back (and its
    attention flag the record's), but ``missing``'s, which have none."""
    records = cache.load_records(needs_attention_only=False)
    lines = _lines(cache)
    assert set(lines) == {r.sku for r in records} - missing
    for r in records:
        if r.sku not in missing:
            assert lines[r.sku] == (CSV_LINE_FORMAT, csv_line(r), int(r.needs_attention)), r.sku


def _stored_path_only(monkeypatch) -> None:
    """Fail on any batch that is not written from the stored lines."""

    def rendered(*args, **kwargs):
        raise AssertionError("a batch was rendered, not written from its stored lines")

    monkeypatch.setattr(render_sql, "_SqlText", rendered)


def _reports(cache: ListingCache, attention_only: bool, size: int) -> tuple[str, str, list]:
    """(the report from report_batches, the report render.py writes from the records read,
    report_batches' batches)."""
    fast = list(report_batches(cache, "csv", needs_attention_only=attention_only, size=size))
    slow = cache.record_batches(needs_attention_only=attention_only, size=size)
    return joined(stream_csv(fast)), joined(stream_csv(slow)), fast


@pytest.mark.parametrize("attention_only", [True, False])
@pytest.mark.parametrize("size", [1, 7, 5000])
def test_the_stored_lines_are_the_rendered_report_byte_for_byte(
    cache, monkeypatch, attention_only, size
):
    _assert_every_line_is_its_rows(cache)
    _stored_path_only(monkeypatch)
    fast, slow, batches = _reports(cache, attention_only, size)
    assert fast == slow
    assert all(isinstance(b, Rendered) for b in batches)
    assert "NUL \x00 inside" in fast and "'=1+1" in fast and "'\uff20full" in fast
    monkeypatch.undo()
    with _conn(cache) as conn, conn:
        conn.execute("DELETE FROM csv_lines")  # the text SQLite builds from the rows
    built = report_batches(cache, "csv", needs_attention_only=attention_only, size=size)
    assert joined(stream_csv(built)) == fast


def test_the_exit_status_is_the_records_one(cache, monkeypatch):
    _stored_path_only(monkeypatch)
    for attention_only in (True, False):
        batches = list(report_batches(cache, "csv", needs_attention_only=attention_only, size=7))
        flags = [b.needs_attention for b in batches if isinstance(b, Rendered)]
        records = cache.load_records(needs_attention_only=attention_only)
        assert any(flags) == any(r.needs_attention for r in records)
        assert sum(b.listings for b in batches) == len(records)
    with _conn(cache) as conn, conn:  # only listings that need no attention in a batch
        conn.execute("UPDATE csv_lines SET attention = 0")
    batches = list(report_batches(cache, "csv", needs_attention_only=False, size=7))
    assert not any(b.needs_attention for b in batches if isinstance(b, Rendered))


def test_every_write_of_the_program_stores_the_lines_of_what_it_wrote(cache):
    records = {r.sku: r for r in cache.load_records(needs_attention_only=False)}
    victim = sorted(records)[3]
    # a fix's verify: one listing, now in another state
    later = NOW + timedelta(hours=1)
    moved = dataclasses.replace(records[victim], state=State.SUPPRESSED, title='Now, "new"')
    cache.write_listing(moved, RawEvidence(sku=victim, item={}), observed_at=later)
    _assert_every_line_is_its_rows(cache)
    assert '"Now, ""new"""' in _lines(cache)[victim][1]
    # a re-diagnosis, and the account health look's
    again = [dataclasses.replace(records[s], title=f"again {s}") for s in sorted(records)[:9]]
    cache.write_listings(_entries(again), observed_at=later)
    _assert_every_line_is_its_rows(cache)
    cache.write_account_health(
        None, fetched_at=later, request=None,
        entries=_entries([dataclasses.replace(again[0], title="=health")]),
    )  # fmt: skip
    _assert_every_line_is_its_rows(cache)
    assert "'=health" in _lines(cache)[again[0].sku][1]
    # a sync that finds most listings unchanged: their rows and lines stay, the rest written
    staged = cache.stage_sync()
    skus = sorted(records)
    staged.keep(skus[10:])
    staged.add(_entries([dataclasses.replace(records[s], quantity=99) for s in skus[:10]]))
    kept_before = {s: line for s, line in _lines(cache).items() if s in skus[10:]}
    staged.commit(product_types={}, info=_info(list(records.values()), complete=True))
    _assert_every_line_is_its_rows(cache)
    assert {s: line for s, line in _lines(cache).items() if s in skus[10:]} == kept_before
    with _conn(cache) as conn, conn:  # the keep's exception ended with its commit
        conn.execute("UPDATE listings SET title = 'by hand' WHERE sku = ?", (skus[12],))
    assert skus[12] not in _lines(cache)
    staged = cache.stage_sync()
    staged.commit(product_types={}, info=_info([]))  # (its line back)
    # a complete sync that no longer sees a listing drops it and its line
    rest = [r for r in cache.load_records(needs_attention_only=False) if r.sku != skus[0]]
    cache.write_sync(_entries(rest), product_types={}, info=_info(rest, complete=True))
    _assert_every_line_is_its_rows(cache)
    assert skus[0] not in _lines(cache)
    cache.forget(skus[5])
    _assert_every_line_is_its_rows(cache)
    assert skus[5] not in _lines(cache)


@pytest.mark.parametrize(
    "change",
    [
        "title = 'Changed'",
        "price = '1.00'",
        "quantity = 5",
        "findings = '[]'",
        "inactive_since = NULL",
        "state = 'ACTIVE'",
        "buyable = 1 - buyable",
        "amazon_status = NULL",
        "currency = 'EUR'",
        "product_type = 'OTHER'",  # not in the line: still dropped (any write)
        "synced_at = 'x'",  # another tool's: dropped (only a sync's own keep leaves it)
    ],
)
def test_another_tools_update_drops_the_rows_line_and_the_report_renders_it(cache, change):
    sku = sorted(_lines(cache))[11]
    with _conn(cache) as conn, conn:
        conn.execute(f"UPDATE listings SET {change} WHERE sku = ?", (sku,))
    lines = _lines(cache)
    assert sku not in lines and len(lines) == cache.count() - 1
    fast, slow, batches = _reports(cache, False, 7)
    assert fast == slow
    assert any(isinstance(b, Rendered) for b in batches)


def test_another_tools_insert_or_delete_drops_the_line(cache):
    skus = sorted(_lines(cache))
    with _conn(cache) as conn, conn:
        conn.execute(
            "INSERT OR REPLACE INTO listings SELECT * FROM listings WHERE sku = ?", (skus[0],)
        )
        conn.execute("DELETE FROM listings WHERE sku = ?", (skus[1],))
    assert skus[0] not in _lines(cache) and skus[1] not in _lines(cache)
    fast, slow, _ = _reports(cache, False, 7)
    assert fast == slow


def test_a_schema_change_of_another_tool_cannot_leave_a_stale_line(cache):
    """A column renamed and added anew (the trigger names no column: any update drops)."""
    sku = sorted(_lines(cache))[4]
    with _conn(cache) as conn, conn:
        conn.execute("ALTER TABLE listings RENAME COLUMN title TO title_before")
        conn.execute("ALTER TABLE listings ADD COLUMN title TEXT")
        conn.execute("UPDATE listings SET title = 'Renamed ' || title_before")
    assert _lines(cache) == {}
    with _conn(cache) as conn, conn:  # its line written back: still not used once its row is
        conn.execute("UPDATE listings SET title = 'x' WHERE sku = ?", (sku,))
    fast, slow, _ = _reports(cache, False, 7)
    assert fast == slow and "Renamed" in fast


def test_lines_are_never_trusted_without_their_triggers(tmp_path, monkeypatch):
    """Another tool drops a trigger, writes a row, leaves: its line is stale. Opened again,
    the cache drops every line (then restores the triggers); read only, the report does not
    use them."""
    path = tmp_path / "c.sqlite3"
    cache = ListingCache(path)
    cache.write_sync(_entries(_records(40)), product_types={}, info=_info([]))
    cache.close()
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("DROP TRIGGER csv_lines_updated")
        conn.execute("UPDATE listings SET title = 'Stale line below'")
    lines = [line for _, _, line, _ in _lines_of(path)]
    assert lines and not any("Stale line below" in line for line in lines)  # stale
    # read only (no trigger made): the rows are rendered, not the stale lines written
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert not render_sql.has_line_triggers(conn)
    cache = ListingCache(path)  # opened: the triggers back, every line dropped
    try:
        with contextlib.closing(sqlite3.connect(path)) as conn:
            names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
        assert set(CSV_LINE_TRIGGERS) <= names and _lines(cache) == {}
        fast, slow, _ = _reports(cache, False, 7)
        assert fast == slow and "Stale line below" in fast
    finally:
        cache.close()


def _lines_of(path):
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT * FROM csv_lines").fetchall()


def test_a_cache_from_before_the_lines_reports_and_gets_them_at_the_next_sync(tmp_path):
    path = tmp_path / "c.sqlite3"
    records = _hostile_records()
    cache = ListingCache(path)
    cache.write_sync(_entries(records), product_types={}, info=_info([]))
    before = _reports(cache, False, 50)[1]
    cache.close()
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:  # as an older asin-tui left it
        for trigger in CSV_LINE_TRIGGERS:
            conn.execute(f"DROP TRIGGER {trigger}")
        conn.execute("DROP TABLE csv_lines")
    cache = ListingCache(path)
    try:
        assert _lines(cache) == {}
        fast, slow, _ = _reports(cache, False, 50)
        assert fast == slow == before  # rendered from the rows
        # a sync that keeps every listing but one: all of them get their line
        staged = cache.stage_sync()
        staged.keep(r.sku for r in records[1:])
        staged.add(_entries(records[:1]))
        staged.commit(product_types={}, info=_info(records))
        _assert_every_line_is_its_rows(cache)
        assert _reports(cache, False, 50)[0] == before
    finally:
        cache.close()


def test_a_line_of_another_form_is_never_written_and_is_replaced(cache, monkeypatch):
    with _conn(cache) as conn, conn:
        conn.execute(
            "UPDATE csv_lines SET format = format + 1, line = 'OTHER FORM\n'"
            " WHERE sku IN (SELECT sku FROM csv_lines ORDER BY sku LIMIT 20)"
        )
    fast, slow, _ = _reports(cache, False, 7)
    assert fast == slow and "OTHER FORM" not in fast
    staged = cache.stage_sync()
    staged.commit(product_types={}, info=_info([]))  # any sync's commit fills them again
    _assert_every_line_is_its_rows(cache)


def test_a_row_that_does_not_decode_gets_no_line_and_is_named_by_the_report(cache):
    skus = sorted(_lines(cache))
    with _conn(cache) as conn, conn:
        conn.execute("UPDATE listings SET findings = '[[1]]' WHERE sku = ?", (skus[2],))
        conn.execute("UPDATE listings SET inactive_since = '2026-03-04' WHERE sku = ?", (skus[3],))
        conn.execute(
            "UPDATE listings SET title = CAST(x'fffe41' AS TEXT) WHERE sku = ?", (skus[4],)
        )
    staged = cache.stage_sync()
    staged.commit(product_types={}, info=_info([]))  # the commit's fill passes them by
    _assert_every_line_is_its_rows(cache, missing={skus[2], skus[3], skus[4]})
    fast, slow, _ = _reports(cache, False, 7)
    assert fast == slow
    assert skus[2] in (cache.row_warning or "") and "not valid UTF-8" in (cache.row_warning or "")


def test_an_inactive_since_that_does_not_read_back_gets_no_line(tmp_path):
    """A history entry another tool wrote (a time without its zone): the listing a sync
    moves in with it has no line, and the report leaves it out and names it, as it reads it."""
    path = tmp_path / "c.sqlite3"
    records = [r for r in _records(40) if r.state.needs_attention][:5]
    cache = ListingCache(path)
    try:
        cache.write_sync(_entries(records), product_types={}, info=_info([]))
        with _conn(cache) as conn, conn:
            conn.execute("UPDATE history SET since = '2026-03-04' WHERE sku = ?", (records[0].sku,))
        cache.write_sync(_entries(records), product_types={}, info=_info([]))
        assert records[0].sku not in _lines(cache)
        _assert_every_line_is_its_rows(cache, missing={records[0].sku})
        fast, slow, _ = _reports(cache, False, 2)
        assert fast == slow and records[0].sku in (cache.row_warning or "")
    finally:
        cache.close()
