"""`report --format json|csv` text built by SQLite (asin_tui.render_sql) is byte for byte the
text render.py makes from decoded records, whatever the cache holds: hostile and non-ASCII
strings, missing fields, prices in every form Decimal writes, an account-level cause, an
incomplete sync, rows another tool wrote badly (those batches take the records path)."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from asin_tui.domain.models import Category, Finding, ListingRecord, Severity, State, WizardStep
from asin_tui.render import Rendered, joined, stream_csv, stream_json
from asin_tui.render_sql import report_batches
from asin_tui.store.cache import ListingCache, RawEvidence, SyncInfo

MP = "ATVPDKIKX0DER"
NOW = datetime(2026, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)
STRINGS = (
    "Mug 12",
    '=HYPERLINK("x") \x1b[31m\u202e évêque \x85 \U0001f600 "q", \\ \n line',
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "\uff1d fullwidth",
    "-3 \r bare return",
    "tab\tinside, comma",
    "DEL \x7f here",
    "soft\xadhyphen and \u200b zero width and \ufeff BOM",
    "日本語のタイトル — 12 cm ° £",
    "",
)
PRICES = (
    Decimal("12.50"),
    None,
    Decimal("1E+2"),
    Decimal("-3"),
    Decimal("0.0000001"),
    Decimal("7"),
)


def _finding(code: str, title: str, severity: Severity, issue: str | None = None) -> Finding:
    return Finding(
        Category.LISTING_FIELDS, severity, code, title, f"detail: {title}", f"fix {code}",
        ("brand", title[:5]), WizardStep.STOCK if severity is Severity.ERROR else None, issue,
        "brief",
    )  # fmt: skip


def _records(n: int = 157) -> list[ListingRecord]:
    states = list(State)
    records = []
    for i in range(n):
        text = STRINGS[i % len(STRINGS)]
        state = states[i % len(states)]
        findings = (
            (),
            (_finding("LISTING_CLOSED", "Closed, no reason given", Severity.ERROR),),
            (_finding("MISSING_ATTRIBUTE", text, Severity.ERROR, "90220"),
             _finding("EXPIRING", "Exemption ends", Severity.WARNING)),
            (_finding("EXPIRING", text or "x", Severity.WARNING),),
            (_finding("INFO_ONLY", "Note", Severity.INFO),),
        )[i % 5]  # fmt: skip
        if i % 7 == 0:  # enough in-stock MFN listings closed with no reason: holiday mode
            state, findings = (
                State.INACTIVE,
                (_finding("LISTING_CLOSED", "Closed", Severity.ERROR),),
            )
        records.append(
            ListingRecord(
                sku=f"SKU-{i:04d}" if i % 4 else f"{text}-{i}",
                asin=f"B0{i:08d}" if i % 3 else (None if i % 2 else text),
                title=text if i % 2 else f"Mug {i}",
                marketplace_id=MP,
                state=state,
                buyable=i % 3 == 0,
                discoverable=i % 5 != 1,
                findings=findings,
                product_type="MUG" if i % 2 else None,
                condition_type="new_new",
                fulfillment_channel="MFN" if i % 7 == 0 else ("FBA", None, "MFN")[i % 3],
                quantity=10 if i % 7 == 0 else (7, 0, None, -3)[i % 4],
                inbound=None,
                price=PRICES[i % len(PRICES)],
                currency=("USD", None, text)[i % 3],
                inactive_since=None if i % 4 == 0 else NOW - timedelta(days=i % 3),
                amazon_status=(("BUYABLE",), None, (), ("DISCOVERABLE", text))[i % 4],
            )
        )
    return records


@pytest.fixture(scope="session")
def built_caches(tmp_path_factory):
    """Each kind of cache of _records, built once per test process (a file to copy)."""
    built: dict[str, Path] = {}

    def path(kind: str) -> Path:
        if kind not in built:
            folder = tmp_path_factory.mktemp("report-sql-cache")
            cache = ListingCache(folder / "c.sqlite3")
            records = _records()
            info = SyncInfo(
                NOW, NOW, include_all=True, complete=False,
                failed={"search: not buyable": "throttled"}, listings=len(records),
                missing={"search: not buyable": 20},
            )  # fmt: skip
            entries = [(r, RawEvidence(sku=r.sku, item={"sku": r.sku})) for r in records]
            cache.write_sync(entries, product_types={}, info=info)
            if kind == "lines dropped":
                with contextlib.closing(sqlite3.connect(cache.path)) as conn, conn:
                    conn.execute("DELETE FROM csv_lines")
            cache.close()  # the last connection: its WAL is checkpointed into the file
            assert not Path(f"{cache.path}-wal").exists()
            built[kind] = cache.path
        return built[kind]

    return path


@pytest.fixture(params=["lines stored", "lines dropped"])
def cache(tmp_path, request, built_caches):
    """The cache of _records; CSV written from the lines the sync stored with them, or
    (lines dropped, as in a cache from before them) built by SQLite from the rows. Each test
    gets its own copy of a file built once per process (building it took ~17 ms of CPU)."""
    path = tmp_path / "c.sqlite3"
    shutil.copy(built_caches(request.param), path)
    cache = ListingCache(path)
    yield cache
    cache.close()


def _json(batches, cache: ListingCache) -> str:
    text = joined(
        stream_json(
            batches, profile="p", marketplace_id=MP, last_sync=cache.last_sync(), account=None,
            counts={"INACTIVE": 1}, causes=(),
        )
    )  # fmt: skip
    return text[text.index('"profile"') :]  # after generated_at (the clock)


def _both(cache: ListingCache, fmt: str, attention_only: bool, size: int) -> tuple[str, str, list]:
    fast = list(report_batches(cache, fmt, needs_attention_only=attention_only, size=size))
    slow = cache.record_batches(needs_attention_only=attention_only, size=size)
    if fmt == "json":
        return _json(fast, cache), _json(slow, cache), fast
    return joined(stream_csv(fast)), joined(stream_csv(slow)), fast


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("attention_only", [True, False])
@pytest.mark.parametrize("size", [1, 7, 5000])
def test_sql_text_is_the_records_text_byte_for_byte(cache, fmt, attention_only, size):
    fast, slow, batches = _both(cache, fmt, attention_only, size)
    assert fast == slow
    assert any(isinstance(b, Rendered) for b in batches)  # SQLite rendered it
    if fmt == "json":  # every unsafe character written as an escape, none raw
        assert not any(c in fast for c in "\x1b\x85\u202e\x7f\xad\u200b\ufeff")


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_rows_another_tool_wrote_badly_are_rendered_the_records_way(cache, fmt):
    with sqlite3.connect(cache.path) as conn:
        conn.execute("UPDATE listings SET price = 'NaN' WHERE sku = 'SKU-0001'")
        conn.execute("UPDATE listings SET quantity = 'lots' WHERE sku = 'SKU-0002'")
        conn.execute("UPDATE listings SET findings = '[[1]]' WHERE sku = 'SKU-0003'")
        conn.execute("UPDATE listings SET inactive_since = '2026-03-04' WHERE sku = 'SKU-0005'")
        conn.execute("UPDATE listings SET price = ' 012.50' WHERE sku = 'SKU-0006'")
        conn.execute("UPDATE listings SET amazon_status = '{}' WHERE sku = 'SKU-0007'")
    fast, slow, batches = _both(cache, fmt, False, 10)
    assert fast == slow
    assert any(isinstance(b, Rendered) for b in batches)
    assert any(not isinstance(b, Rendered) for b in batches)  # those batches: records
    assert "SKU-0001" not in fast and "SKU-0009" in fast  # a bad row is left out, as there
    assert "SKU-0001" in (cache.row_warning or "")


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_nul_character_is_written_as_the_records_path_writes_it(cache, fmt):
    with sqlite3.connect(cache.path) as conn:
        conn.execute("UPDATE listings SET title = ? WHERE sku = 'SKU-0009'", ("NUL \x00 here",))
    fast, slow, batches = _both(cache, fmt, False, 10)
    assert fast == slow and "NUL " in fast
    assert any(isinstance(b, Rendered) for b in batches)
    if fmt == "csv":  # SQLite's text functions are not relied on with a NUL: records
        assert any(not isinstance(b, Rendered) for b in batches)
    else:  # json_quote writes it as json.dumps does (the connection's probe checks it)
        assert "NUL \\u0000 here" in fast


@pytest.mark.parametrize("column", ["sku", "asin", "fulfillment_channel", "currency"])
@pytest.mark.parametrize("size", [1, 10])
def test_a_nul_in_a_short_csv_text_is_written_as_the_records_path_writes_it(cache, column, size):
    """The short texts' NUL checks are made once a batch (render_sql._CSV_SHORTS): a NUL in
    one, beside NULL texts, still sends its batch to the records path, the NUL kept."""
    nulls = [c for c in ("asin", "fulfillment_channel") if c != column]  # NULL beside it
    sets = ", ".join([f"{column} = 'NUL ' || char(0) || ' here'", *(f"{c} = NULL" for c in nulls)])
    with sqlite3.connect(cache.path) as conn:
        conn.execute(f"UPDATE listings SET {sets} WHERE sku = 'SKU-0009'")
    fast, slow, batches = _both(cache, "csv", False, size)
    assert fast == slow and "NUL \x00 here" in fast
    assert any(isinstance(b, Rendered) for b in batches)
    assert any(not isinstance(b, Rendered) for b in batches)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_nul_in_a_finding_or_a_status_is_written_as_the_records_path_writes_it(cache, fmt):
    """SQLite's printf writes a text only up to a NUL: a row whose rendered finding or status
    holds one is rendered the records way (the same bytes, the NUL kept or escaped)."""
    with sqlite3.connect(cache.path) as conn:  # JSON's escape: the stored text is valid
        conn.execute(
            "UPDATE listings SET findings = replace(findings, '\"Note\"', ?)"
            " WHERE sku = 'SKU-0009'",
            ('"cause \\u0000 hidden"',),
        )
        conn.execute(
            "UPDATE listings SET amazon_status = ? WHERE sku = 'SKU-0010'",
            ('["BUYABLE", "nul \\u0000 status"]',),
        )
    fast, slow, batches = _both(cache, fmt, False, 10)
    assert fast == slow
    assert ("cause \\u0000 hidden" if fmt == "json" else "cause \x00 hidden") in fast
    assert ("nul \\u0000 status" if fmt == "json" else "nul \x00 status") in fast
    assert any(isinstance(b, Rendered) for b in batches)
    if fmt == "csv":
        assert any(not isinstance(b, Rendered) for b in batches)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_values_of_a_type_asin_tui_never_writes_are_caught_and_named(cache, fmt):
    """Blobs in text columns, reals or texts in integer columns (another tool wrote them):
    left out and named as the records path does, never rendered by SQLite nor a crash."""
    bad = {
        "SKU-0001": "asin = x'4230303031'",
        "SKU-0002": "title = x''",
        "SKU-0003": "currency = x'00'",
        "SKU-0005": "quantity = 2.5",
        "SKU-0006": "buyable = 'yes'",
        "SKU-0007": "marketplace_id = x'41'",
        "SKU-0009": "fulfillment_channel = zeroblob(3)",
        "SKU-0010": "discoverable = 1.5",
        "SKU-0011": "inbound = x'01'",
        "SKU-0014": "quantity = 1e19",  # a real no integer holds
        "SKU-0015": "inbound = '12 units'",  # a text an INTEGER column keeps as text
    }
    with sqlite3.connect(cache.path) as conn:
        for sku, change in bad.items():
            conn.execute(f"UPDATE listings SET {change} WHERE sku = ?", (sku,))
    fast, slow, batches = _both(cache, fmt, False, 10)
    assert fast == slow
    assert any(isinstance(b, Rendered) for b in batches)
    assert not any(sku in fast for sku in bad) and "SKU-0013" in fast
    assert f"{len(bad)} cached rows" in (cache.row_warning or "")  # named (the first five)


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("price", [" 012.50", "NaN", "1e2"])
@pytest.mark.parametrize("all_plain", [False, True])
def test_a_row_another_connection_changes_during_the_report_is_still_rendered_exactly(
    cache, fmt, price, all_plain
):
    """The batches trust what the memo scan saw (a price with no memo row is plain) only
    while no other connection has committed; a price written after the scan is checked on
    its own again: rendered as the records path does, or left out when it does not decode.
    ``all_plain``: every price plain at the scan (the price memo, and its join, left out)."""
    with sqlite3.connect(cache.path) as conn:
        if all_plain:
            conn.execute("UPDATE listings SET price = '12.50' WHERE price IS NOT NULL")
        (last,) = conn.execute(
            "SELECT sku FROM listings WHERE price IS NOT NULL"
            " ORDER BY state_rank DESC, sku DESC LIMIT 1"
        ).fetchone()
    batches = report_batches(cache, fmt, needs_attention_only=False, size=10)
    fast = [next(batches)]  # the memo scan has run
    with sqlite3.connect(cache.path) as conn:
        conn.execute("UPDATE listings SET price = ? WHERE sku = ?", (price, last))
    fast += list(batches)
    slow = list(cache.record_batches(needs_attention_only=False, size=10))
    if fmt == "json":
        assert _json(fast, cache) == _json(slow, cache)
    else:
        assert joined(stream_csv(fast)) == joined(stream_csv(slow))
    assert any(isinstance(b, Rendered) for b in fast)
    written = joined(stream_csv(fast)) if fmt == "csv" else _json(fast, cache)
    assert price not in written  # never written as stored: 12.50, 1E+2, or left out


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_text_column_not_declared_text_is_checked_for_numbers_too(cache, fmt):
    """The short text checks (below the least blob) hold only where SQLite turns numbers into
    text (TEXT affinity); a file whose asin column has none keeps a number as a number: that
    row is left out and named, as the records path does, never written as "asin": 123."""
    with sqlite3.connect(cache.path) as conn:
        conn.execute("ALTER TABLE listings RENAME COLUMN asin TO asin_before")
        conn.execute("ALTER TABLE listings ADD COLUMN asin")  # no declared type
        conn.execute("UPDATE listings SET asin = asin_before")
        conn.execute("UPDATE listings SET asin = 123 WHERE sku = 'SKU-0001'")
    fast, slow, batches = _both(cache, fmt, False, 10)
    assert fast == slow
    assert any(isinstance(b, Rendered) for b in batches)
    assert "SKU-0001" not in fast and "SKU-0001" in (cache.row_warning or "")


#: Texts at the edges of the CSV cells' shortcut (render_sql._csv_text: a text from "A" up to
#: U+FF00 needs no formula check) and of its quoting (printf's %w).
EDGE_TEXTS = (
    "A",
    "@SUM(1)",  # "@" is just below "A"
    'Zed 12" tall, blue',  # a letter first, a quote and a comma: quoted, the quote doubled
    'Mug "q"',  # a quote only
    "Mug\nbreak",
    "Mug\rreturn",
    "0 first, a digit",
    " space first",
    "\uff00 first of the fullwidth block",
    "\uff0bcmd",  # fullwidth plus: a formula start
    "\uff20x, comma",
    "\uff5e tilde",
    "\ufeff BOM first",
    'é, "accent"',
    "-",
    "=",
)


@pytest.mark.parametrize("size", [1, 5000])
def test_csv_text_cells_at_the_edges_of_the_sql_shortcuts_are_the_records_text(tmp_path, size):
    """Each text alone in its batch (size 1: a line break the only reason a batch's short
    texts are quoted) and all together."""
    records = [
        ListingRecord(
            sku=f"{text}{i}", asin=text, title=text, marketplace_id=MP, state=State.INACTIVE,
            buyable=False, discoverable=True, findings=(), product_type=None,
            condition_type=None, fulfillment_channel=text, quantity=1, inbound=None,
            price=Decimal("1.50"), currency=text, inactive_since=None, amazon_status=None,
        )
        for i, text in enumerate(EDGE_TEXTS)
    ]  # fmt: skip
    cache = ListingCache(tmp_path / "c.sqlite3")
    info = SyncInfo(NOW, NOW, include_all=True, complete=True, failed={}, listings=len(records))
    entries = [(r, RawEvidence(sku=r.sku, item={})) for r in records]
    cache.write_sync(entries, product_types={}, info=info)
    try:
        fast, slow, batches = _both(cache, "csv", False, size)
    finally:
        cache.close()
    assert fast == slow
    assert all(isinstance(b, Rendered) for b in batches)  # SQLite rendered every row
    assert '"Zed 12"" tall, blue"' in fast and "'@SUM(1)" in fast and "'\uff0bcmd" in fast


def test_the_tally_of_sql_batches_is_the_records_tally(cache):
    from asin_tui.render import Tally

    for attention_only in (True, False):
        fast, slow = Tally(), Tally()
        list(stream_csv(report_batches(cache, "csv", needs_attention_only=attention_only), fast))
        list(stream_csv(cache.record_batches(needs_attention_only=attention_only), slow))
        assert (fast.listings, fast.needs_attention) == (slow.listings, slow.needs_attention)
        assert fast.listings > 0


def test_an_sqlite_whose_json_quote_differs_gets_the_records_path(cache, monkeypatch):
    import asin_tui.render_sql as render_sql

    monkeypatch.setattr(render_sql, "_PROBE", "\x7f")  # json_quote leaves DEL raw; so does json
    monkeypatch.setattr(render_sql.json.encoder, "encode_basestring", lambda s: '"other"')
    batches = list(report_batches(cache, "json", needs_attention_only=False))
    assert batches and not any(isinstance(b, Rendered) for b in batches)


HOSTILE_ROWS = (
    'quote " and "" doubled, comma',
    "line\nbreak and \r\n and bare \r return",
    "\x1b]0;title\x07 OSC \x1b[2J clear \x08 backspace \x7f DEL",
    "back\\slash \\u0041 \\n not escapes",
    "é, ü, 中文, 🙂, \u0301 combining, \u2028 line sep, \u200f RLM, \x85 NEL",
)


def _hostile_cache(path) -> ListingCache:
    records = []
    for i, text in enumerate(HOSTILE_ROWS * 3):
        records.append(
            ListingRecord(
                sku=f"{text[:8]}-{i}", asin=text if i % 2 else f"B0{i:08d}", title=text,
                marketplace_id=MP, state=State.INACTIVE, buyable=False, discoverable=True,
                findings=(_finding("MISSING_ATTRIBUTE", text, Severity.ERROR),),
                product_type="MUG", condition_type="new_new", fulfillment_channel=text,
                quantity=i, inbound=None, price=Decimal("9.99"), currency=text,
                inactive_since=NOW, amazon_status=("DISCOVERABLE", text),
            )
        )  # fmt: skip
    cache = ListingCache(path)
    info = SyncInfo(NOW, NOW, include_all=True, complete=True, failed={}, listings=len(records))
    entries = [(r, RawEvidence(sku=r.sku, item={})) for r in records]
    cache.write_sync(entries, product_types={}, info=info)
    return cache


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_report_cached_writes_hostile_text_exactly_as_the_records_path_to_a_pipe_and_a_file(
    capsysbinary, monkeypatch, tmp_path, fmt
):
    """The command end to end: stdout (not a terminal) gets the UTF-8 bytes the records path
    makes, and --output the same bytes; JSON never carries a raw control or bidi character,
    CSV keeps the data (quotes doubled, line breaks quoted)."""
    from asin_tui.cli import main
    from asin_tui.store import paths
    from asin_tui.store.cache import cache_path

    config = paths.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[profiles.h]\nmarketplace = "US"\nseller_id = "A2HOSTILE"\n')
    config.chmod(0o600)
    for key, value in (("LWA_APP_ID", "amzn1.application-oa2-client.x"),
                       ("LWA_CLIENT_SECRET", "s"), ("SP_API_REFRESH_TOKEN", "Atzr|x")):  # fmt: skip
        monkeypatch.setenv(key, value)
    path = cache_path("h", MP)
    path.parent.mkdir(parents=True, exist_ok=True)
    cache = _hostile_cache(path)
    slow = cache.record_batches(needs_attention_only=False, size=5000)
    expected = (_json(slow, cache) if fmt == "json" else joined(stream_csv(slow))).encode()
    cache.close()

    argv = ["report", "--profile", "h", "--cached", "--max-age", "1e9", "--all"]
    assert main([*argv, "--format", fmt]) == 1
    out = capsysbinary.readouterr().out
    target = tmp_path / f"out.{fmt}"
    assert main([*argv, "--format", fmt, "--output", str(target)]) == 1
    written = target.read_bytes()
    if fmt == "json":  # after generated_at (the clock)
        out, written = out[out.index(b'"profile"') :], written[written.index(b'"profile"') :]
        expected = expected.replace(b'"profile": "p"', b'"profile": "h"')
        expected = expected[: expected.index(b'"account_health"')]
        assert out.startswith(expected)  # the head up to the counts, then the listings:
        listings = out[out.index(b'"listings"') :]
        assert listings == written[written.index(b'"listings"') :]
        assert not any(c in listings.decode() for c in "\x1b\x07\x08\x7f\x85\u2028\u200f")
        assert b"\\u007f DEL" in listings and b"\\u001b]0;title\\u0007" in listings
    else:
        assert out == expected == written
        assert b"\x1b]0;title\x07" in out  # CSV keeps the data (a terminal gets it escaped)
        assert b'"quote "" and """" doubled, comma"' in out
        assert b'"line\nbreak and \r\n and bare \r return"' in out


def test_a_price_is_written_as_stored_only_when_that_is_the_text_render_py_writes():
    """render_sql._PLAIN_PRICE (a price SQLite writes as stored) holds only for a text that
    str(Decimal(text)) gives back unchanged; every other goes through render.py."""
    import itertools
    from decimal import InvalidOperation

    from asin_tui.render_sql import _PLAIN_PRICE

    alphabet = "0159.-E+ "
    texts = {"".join(p) for n in range(1, 6) for p in itertools.product(alphabet, repeat=n)}
    texts |= {"0.000001", "0.0000001", "-0.000001", "0.1234567", "12.50", "1E+2", "NaN",
              "Infinity", "١٢", "１２", "0.000000", "100.0000001", "+5", "5."}  # fmt: skip
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE l (price)")
    conn.executemany("INSERT INTO l VALUES (?)", [(t,) for t in texts] + [(12.5,), (7,)])
    plain = {p for (p,) in conn.execute(f"SELECT price FROM l WHERE {_PLAIN_PRICE}")}

    def writes_itself(text: object) -> bool:
        try:
            return isinstance(text, str) and str(Decimal(text)) == text
        except InvalidOperation:
            return False

    assert plain and all(writes_itself(text) for text in plain)
    assert {"0", "-0", "5", "-5", "10", "9.5", "0.5", "-0.15", "0.000001", "12.50"} <= plain


def test_a_batch_is_found_utf8_exactly_when_it_decodes():
    """render_sql checks a batch a piece at a time: a character across two pieces is valid,
    a cut or a bad byte anywhere is not, as bytes.decode finds."""
    from asin_tui.render_sql import _DECODED, _valid_utf8

    euro = "€".encode()  # three bytes
    cases = [b"", b"plain", euro * 100_000]
    for cut in range(1, 4):  # the piece boundary inside a character, or just after it
        cases.append(b"a" * (_DECODED - cut) + euro + b"tail")
    cases += [
        b"a" * _DECODED + b"\xff" + b"b" * 10,  # a bad byte in the second piece
        b"a" * (_DECODED - 1) + euro[:2],  # a character cut at the very end
        b"a" * (_DECODED - 1) + euro[:2] + b"a",  # cut across the boundary, then ASCII
        b"\xed\xa0\x80",  # an encoded surrogate
        euro[:1] + b"a" * _DECODED,
    ]
    for data in cases:
        try:
            data.decode()
            decodes = True
        except UnicodeDecodeError:
            decodes = False
        assert _valid_utf8(data) is decodes, data[-8:]
