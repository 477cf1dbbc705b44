"""``report --format json|csv`` read from the cache with its text built by SQLite: the same
bytes as :func:`asin_tui.render.stream_json` / :func:`~asin_tui.render.stream_csv` give from
decoded records, without a ListingRecord or a Python string per listing (100,000 listings:
decoding the records took ~0.4 s and rendering them as long again).

- A batch of rows (keyset pages over the order index, as ``ListingCache.record_batches``
  reads them) is one query; each row's text is one SQL printf (one string built a row,
  where ``||`` builds one a piece), the batch's rows joined by ``group_concat`` and handed
  over as UTF-8 bytes, which are written as they are (never
  decoded into a Python string and encoded again). ``json_quote`` writes a string exactly
  as json.dumps does (checked on the connection first: an SQLite that differs gets the
  records path).
- What takes Python's rules (the findings, Amazon's status, the inactive-since time) is
  rendered by render.py once per distinct stored value, into temporary tables the rows join.
- A batch holding a row this cannot render exactly as the records path would (a value of an
  unexpected type, a price or a time not in the form asin-tui writes, a NUL character in
  CSV's text (printf writes a text up to its NUL), text that is not UTF-8, a stored value that does not decode) is decoded and rendered
  the records way instead: the same bytes, and a row that cannot be decoded is left out and
  named, as there.
- Terminal safety as render.py's: only a batch that is not all ASCII is searched (its
  non-ASCII characters only) for characters a terminal must not get raw (DEL anywhere).
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from asin_tui.domain.csvline import (
    CSV_LINE_FORMAT,
    FORMULA_STARTS,
    csv_cell,
    csv_codes,
    spreadsheet_text,
)
from asin_tui.domain.models import ListingRecord, Severity, State
from asin_tui.domain.text import is_unsafe_char, json_for_terminal
from asin_tui.render import Rendered, json_findings, json_price, json_status, json_time
from asin_tui.store.cache import (
    DECODE_ERRORS,
    RECORD_COLUMNS,
    ListingCache,
    decode_findings,
    decode_moment,
    decode_price,
    decode_status,
    has_line_triggers,
)

BATCH = 5000

#: A stored value -> (text a, text b, needs attention) for its temporary table.
_Memo = Callable[[Any], tuple[str, str, int]]
#: Each memo table's name and rows (stored value, a, b, needs attention).
_Memos = list[tuple[str, list[Any]]]


def report_batches(
    cache: ListingCache, fmt: str, *, needs_attention_only: bool, size: int = BATCH
) -> Iterator[Sequence[ListingRecord] | Rendered]:
    """The listings of ``report --format fmt`` (json or csv), in report order (most severe
    state first, then SKU), a batch at a time: each a :class:`Rendered` text, or the decoded
    records of a batch SQLite could not render exactly (render.py renders those). CSV writes
    the lines the cache stored with the listings (:func:`_stored_lines`) where each of a
    batch's listings has one; a batch where one has none is rendered."""
    scope = "l.needs_attention = 1 AND " if needs_attention_only else ""
    # the lines are their rows' while the triggers that drop a written row's line are there
    lines = fmt == "csv" and cache.read(has_line_triggers, False)
    json_strings = cache.read(_builds_json_strings, False)
    if not lines and not json_strings:
        yield from cache.record_batches(needs_attention_only=needs_attention_only, size=size)
        return
    set_aside = cache.set_aside  # the file found corrupt and rebuilt: no rows, no memos
    lines_sql = _LINES_SQL.replace("/*scope*/", scope)
    text: _SqlText | None = None  # made when a batch first needs it
    try:
        for bounds in _batch_bounds(cache, scope, size):
            if cache.set_aside != set_aside:  # the report says it is incomplete
                return
            if lines:
                stored = _stored_lines(cache, lines_sql, bounds, size)
                if stored is None or stored[0] is not None:  # no row, or every line
                    yield from _batch(cache, stored, "", "", bounds, size)
                    continue
            if not json_strings:  # (CSV lines only) this batch as records
                yield from _batch(
                    cache, (None, 0, False), _records_sql(scope), _UNTIL, bounds, size
                )
                continue
            if text is None:
                text = _SqlText(cache, fmt, scope, size)
            yield from text.batch(bounds)
    finally:
        if text is not None:
            cache.read(_drop_memos, None)


#: A batch's stored CSV lines (cache csv_lines, of this form), joined as one UTF-8 text;
#: how many rows, how many have a line, whether any needs attention. The order index (and
#: the attention one) holds every key it reads from listings: a row's line is one search.
_LINES_SQL = f"""SELECT CAST(group_concat(line, '') AS BLOB), count(*), count(line),
        max(attention)
    FROM (SELECT r.line, r.attention FROM listings l
          LEFT JOIN csv_lines r ON r.sku = l.sku AND r.format = {CSV_LINE_FORMAT}
          WHERE /*scope*/(l.state_rank, l.sku) > (?, ?) /*until*/
          ORDER BY l.state_rank, l.sku LIMIT ?)"""
_UNTIL = "AND (l.state_rank, l.sku) <= (?, ?)"


def _records_sql(scope: str) -> str:
    return (
        f"SELECT {RECORD_COLUMNS} FROM listings l WHERE {scope}(l.state_rank, l.sku) > (?, ?)"
        " /*until*/ ORDER BY l.state_rank, l.sku LIMIT ?"
    )


def _stored_lines(
    cache: ListingCache, sql: str, bounds: tuple[Any, ...], size: int
) -> tuple[bytes | None, int, bool] | None:
    """A batch's stored CSV lines as :func:`_batch` takes them: (their text, or None when a
    row has no line of this form or the text is not UTF-8; how many rows; whether any needs
    attention), or None when it found no row."""
    query = sql.replace("/*until*/", _UNTIL if len(bounds) == 4 else "")
    found = _one(cache, query, (*bounds, size))
    if found is None or not found[1]:
        return None
    data, rows, stored, attention = found
    return (_checked(data, _CSV) if stored == rows else None), rows, bool(attention)


class _SqlText:
    """Batches whose text SQLite builds from the rows (the memo tables filled as it is
    made: drop them with _drop_memos when done)."""

    def __init__(self, cache: ListingCache, fmt: str, scope: str, size: int) -> None:
        form = _JSON if fmt == "json" else _CSV
        self.cache, self.form, self.size = cache, form, size
        self.version = cache.read(_data_version, None)  # before the memo scan reads the rows
        seen_usable = (
            form.usable_seen_text if cache.read(_text_affinity, False) else form.usable_seen
        )
        memos: _Memos = cache.read(lambda conn: _memo_rows(conn, form, scope), [])
        cache.read(lambda conn: _fill_memos(conn, memos), None)
        row_sql = f"""
        SELECT CASE WHEN /*usable*/ THEN /*row*/ END AS text, /*shorts*/ AS shorts,
               l.state != 'VARIATION_PARENT' AND (NOT (l.buyable AND l.discoverable) OR f.c)
                   AS attention
        FROM listings l
        LEFT JOIN temp.report_findings f ON f.raw = l.findings
        LEFT JOIN temp.report_status s ON s.raw = l.amazon_status
        LEFT JOIN temp.report_since i ON i.raw = l.inactive_since
        {_PRICE_JOIN}
        WHERE {scope}(l.state_rank, l.sku) > (?, ?) /*until*/
        ORDER BY l.state_rank, l.sku LIMIT ?"""
        usable, checked_row, fast_row = form.usable, form.row, form.fast_row
        if not dict(memos).get("report_price"):  # every price plain (the common case)
            row_sql, seen_usable, usable, checked_row, fast_row = _without_price_memo(
                row_sql, seen_usable, usable, checked_row, fast_row
            )
        self.row_sql, self.seen_usable, self.usable = row_sql, seen_usable, usable
        self.checked_row, self.fast_row = checked_row, fast_row
        self.batch_sql = (  # UTF-8 bytes: never decoded into a Python string
            f"SELECT CAST(group_concat(text, '{form.separator}') AS BLOB),"
            " count(*), count(text), max(attention), CAST(group_concat(shorts, '') AS BLOB)"
            " FROM (/*rows*/)"
        )
        self.records_sql = _records_sql(scope)
        self.seen = self.version is not None  # every row read since was read by the scan too

    def batch(self, bounds: tuple[Any, ...]) -> Iterator[Sequence[ListingRecord] | Rendered]:
        """The batch of ``bounds`` (:func:`_batch_bounds`)."""
        found = None
        if self.seen:
            found = self._found(bounds, self.seen_usable)
            self.seen = self.cache.read(_data_version, None) == self.version
        if not self.seen:  # another connection committed since the scan: each row on its own
            found = self._found(bounds, self.usable)
        ready = _prepared(found, self.form)
        yield from _batch(self.cache, ready, self.records_sql, _UNTIL, bounds, self.size)

    def _found(self, bounds: tuple[Any, ...], usable: str) -> Any:
        form = self.form
        fast_usable = usable.replace(form.unchecked, "") if form.unchecked else usable
        found = self._run(bounds, fast_usable, self.fast_row, form.shorts)
        if found is not None and found[4] is not None and _quoted(found[4]):
            found = self._run(bounds, usable, self.checked_row, "NULL")  # each cell on its own
        return found

    def _run(self, bounds: tuple[Any, ...], usable: str, row: str, shorts: str) -> Any:
        cut = _UNTIL if len(bounds) == 4 else ""
        rows = self.row_sql.replace("/*until*/", cut).replace("/*usable*/", usable)
        rows = rows.replace("/*row*/", row).replace("/*shorts*/", shorts)
        query = self.batch_sql.replace("/*rows*/", rows)
        return _one(self.cache, query, (*bounds, self.size))


_PRICE_JOIN = "LEFT JOIN temp.report_price p ON p.raw = l.price"


def _without_price_memo(*sql: str) -> tuple[str, ...]:
    """``sql`` (the rows' query, their conditions) without the price memo's join, which has
    no row: ``p.a`` and ``p.raw`` are NULL for every row (a b-tree search a row saved: 3 % of
    the batches' time)."""
    bare = [
        part.replace(_PRICE_JOIN, "")
        .replace("ifnull(p.a, l.price)", "l.price")
        .replace("ifnull(p.a, json_quote(l.price))", "json_quote(l.price)")
        .replace("p.a", "NULL")
        .replace("p.raw", "NULL")
        for part in sql
    ]
    assert not any(" p." in part or "(p." in part for part in bare)
    return tuple(bare)


def _batch_bounds(cache: ListingCache, scope: str, size: int) -> Iterator[tuple[Any, ...]]:
    """Each batch's keys: (after state_rank, sku, until state_rank, sku), the last batch's
    (after state_rank, sku) only (what is left, at most ``size`` rows)."""
    last_sql = (
        f"SELECT l.state_rank, l.sku FROM listings l WHERE {scope}(l.state_rank, l.sku) > (?, ?)"
        " ORDER BY l.state_rank, l.sku LIMIT 1 OFFSET ?"
    )
    after: tuple[Any, ...] = (-1, "")
    while True:
        last = _one(cache, last_sql, (*after, size - 1))
        if not last:
            yield after
            return
        yield (*after, *last)
        after = tuple(last)


def _quoted(texts: bytes) -> bool:
    """Whether ``texts`` (a batch's _CSV_SHORTS) hold a character a CSV cell is quoted for,
    or a NUL."""
    return any(c in texts for c in _QUOTED_FOR)


def _prepared(found: Any, form: _Form) -> tuple[bytes | None, int, bool] | None:
    """A batch query's answer: (the text to write, or None when its records must be read;
    how many rows; whether any needs attention), or None when it found no row."""
    if found is None or not found[1]:
        return None
    data, rows, rendered, attention, _ = found
    return (_checked(data, form) if rendered == rows else None), rows, bool(attention)


def _batch(
    cache: ListingCache,
    ready: tuple[bytes | None, int, bool] | None,
    records_sql: str,
    until: str,
    bounds: tuple[Any, ...],
    size: int,
) -> Iterator[Sequence[ListingRecord] | Rendered]:
    """One batch as report_batches yields it (``ready``: :func:`_prepared`): SQLite's text,
    or its records."""
    if ready is None:
        return
    data, rows, attention = ready
    if data is None:  # a row only the records path renders exactly
        query = records_sql.replace("/*until*/", until if len(bounds) == 4 else "")
        got: list[Any] = cache.read(functools.partial(_all, query, (*bounds, size)), [])
        yield cache.decoded_records(got)
    else:
        yield Rendered(data, rows, attention)


#: Every ASCII byte: deleted from a batch, what is left is its non-ASCII characters, whole
#: (no byte of a UTF-8 sequence is ASCII).
_ASCII = bytes(range(128))


def _checked(data: bytes, form: _Form) -> bytes | None:
    """A batch's UTF-8 as it is written, or None when the records path must render it: not
    valid UTF-8 (the cache holds what asin-tui never writes). JSON is made terminal-safe as
    render.py makes it: characters no terminal may get raw can only be in strings (its
    structure is ASCII), so only a batch holding one (DEL, or one of its non-ASCII
    characters) is rewritten."""
    if data.isascii():  # the common case: an O(1) flag, nothing decoded
        if form is _JSON and b"\x7f" in data:
            return json_for_terminal(data.decode()).encode()
        return data
    if not _valid_utf8(data):
        return None
    if form is _JSON and (b"\x7f" in data or _any_unsafe(data.translate(None, _ASCII).decode())):
        return json_for_terminal(data.decode()).encode()
    return data


#: How much of a batch is decoded at a time to check it is UTF-8.
_DECODED = 1 << 16


def _valid_utf8(data: bytes) -> bool:
    """``data`` is valid UTF-8 (as ``data.decode()`` would find), checked a piece at a time:
    the pieces' text stays in the CPU's cache and its memory is reused, where one decode of a
    batch writes a new string of megabytes (twice its size for a title with an em dash): a
    third of the time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(data), _DECODED):
            decoder.decode(view[start : start + _DECODED])
        decoder.decode(b"", True)  # a character cut at the end
    except UnicodeDecodeError:
        return False
    return True


def _any_unsafe(chars: str) -> bool:
    """Whether any of ``chars`` (a batch's non-ASCII characters) is one json_for_terminal
    escapes: each distinct one asked once (a batch holds a few hundred at most), with no
    regular expression to compile (text.json_unsafe's takes ~7 ms: 1.5 % of a report of
    100,000 listings)."""
    return any(map(is_unsafe_char, set(chars)))


def _one(cache: ListingCache, query: str, params: tuple[Any, ...]) -> Any:
    return cache.read(lambda conn: conn.execute(query, params).fetchone(), None)


def _all(query: str, params: tuple[Any, ...], conn: sqlite3.Connection) -> list[Any]:
    return conn.execute(query, params).fetchall()


# ---------------------------------------------------------------------- the row expressions


class _Form:
    """One format's row expression (aliases: l the listing; f, s, i, p its findings',
    status', inactive-since's and price's rendered texts a, b), the condition a row must
    meet for it (:data:`_USABLE`, and ``checks`` of the format's own), what joins the rows,
    and what renders each memo table's values (_MEMOS)."""

    def __init__(
        self,
        row: str,
        checks: str,
        separator: str,
        *memos: _Memo,
        fast: str = "",
        shorts: str = "",
        unchecked: str = "",
    ) -> None:
        self.row, self.separator, self.memos = row, separator, memos
        #: The row without some checks (``unchecked``: left out of its condition too), and
        #: the texts (SQL) a batch of it is checked for before its text is used
        #: (_CSV_FAST_ROW, _CSV_SHORTS, _SHORT_NUL_CHECKS); else the row.
        self.fast_row, self.shorts, self.unchecked = fast or row, shorts or "NULL", unchecked
        self.usable: str = _USABLE + checks
        self.usable_seen: str = _USABLE_SEEN + checks
        self.usable_seen_text: str = _USABLE_SEEN_TEXT + checks


def _lit(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _printf(pattern: str, *values: str) -> str:
    """SQL: ``pattern`` with each ``%s`` replaced by the next of ``values`` (NULL writes
    nothing), built by one printf: ``||`` makes a new string for every piece (~30 a row,
    a third of the row's time)."""
    return f"printf({_lit(pattern)}, {', '.join(values)})"


#: A listing object as render._listing_json writes it. A NULL amazon_status, price or time
#: has no memo row (a join on NULL finds none); json_quote writes NULL as null. A value that
#: is not NULL but has no memo row is not _USABLE.
_JSON_ROW = _printf(
    '\n    {\n      "sku": %s,\n      "asin": %s,\n      "title": %s,\n      "state": "%s",'
    '\n      "buyable": %s,\n      "discoverable": %s,\n      "amazon_status": %s,'
    '\n      "fulfillment_channel": %s,\n      "quantity": %s,\n      "price": %s,'
    '\n      "currency": %s,\n      "inactive_since": %s,\n      "findings": %s\n    }',
    "json_quote(l.sku)",
    "json_quote(l.asin)",
    "json_quote(l.title)",
    "l.state",
    "CASE WHEN l.buyable THEN 'true' ELSE 'false' END",
    "CASE WHEN l.discoverable THEN 'true' ELSE 'false' END",
    "ifnull(s.a, 'null')",
    "json_quote(l.fulfillment_channel)",
    "ifnull(l.quantity, 'null')",
    "ifnull(p.a, json_quote(l.price))",  # a plain price (no memo row): as stored
    "json_quote(l.currency)",
    "ifnull(i.a, 'null')",
    "f.a",
)


def _csv_text(value: str) -> str:
    """A text cell (render.spreadsheet_text, then render.csv_cell's quoting) of the SQL
    ``value`` (NULL stays NULL: an empty cell). A text from "A" up to U+FF00 (a SKU, an
    ASIN, most titles) cannot start with one of FORMULA_STARTS: two comparisons, no
    unicode(). printf's %w doubles the quote characters (the row holds no NUL: checked)."""
    starts = ", ".join(str(ord(c)) for c in FORMULA_STARTS)  # unicode(): no new string
    defused = f"CASE WHEN unicode({value}) IN ({starts}) THEN '''' || {value} ELSE {value} END"
    quoted = " OR ".join(f"instr({value}, {_lit(c)})" for c in ',"\r\n')
    plain = f"{value} >= 'A' AND {value} < '{_FULLWIDTH}'"
    wrapped = "printf('\"%w\"', {})".format
    return (
        f"CASE WHEN {plain} THEN (CASE WHEN {quoted} THEN {wrapped(value)} ELSE {value} END)"
        f" WHEN {quoted} THEN {wrapped(defused)} ELSE {defused} END"
    )


#: The fullwidth forms' first character: every formula start is below "A" or from here on
#: (UTF-8 bytes order texts as their characters).
_FULLWIDTH = "\uff00"
assert not any("A" <= start < _FULLWIDTH for start in FORMULA_STARTS)


#: The texts a CSV line holds as they are stored: a row holding a NUL in one is rendered
#: the records way (printf writes a text only up to its first NUL; json_quote escapes it).
_CSV_TEXTS = ("title", "sku", "asin", "fulfillment_channel", "currency")
#: The NUL checks of the short texts, which the batch of a fast row (_CSV_FAST_ROW) makes
#: once for all of them (_CSV_SHORTS keeps a NUL: ``||``, not printf).
_SHORT_NUL_CHECKS = "".join(f" AND instr(l.{c}, char(0)) IS NOT TRUE" for c in _CSV_TEXTS[1:])


def _csv_row(short: Callable[[str], str]) -> str:
    """A listing's CSV line as render.stream_csv writes it (a NULL cell is empty), the cells
    of the short texts (_CSV_SHORTS) by ``short``."""
    return _printf(
        ",".join(["%s"] * 14) + "\n",
        short("l.sku"),
        short("l.asin"),
        _csv_text("l.title"),
        "l.state",
        "CASE WHEN l.buyable THEN 'yes' ELSE 'no' END",
        "CASE WHEN l.discoverable THEN 'yes' ELSE 'no' END",
        "s.a",
        "f.a",  # main cause, severity
        short("l.fulfillment_channel"),
        "l.quantity",
        "ifnull(p.a, l.price)",  # a plain price (no memo row): as stored
        short("l.currency"),
        "i.a",
        "f.b",  # finding codes
    )


def _csv_short(value: str) -> str:
    """A short text's cell as it is stored when it starts from "A" up to U+FF00 (no formula
    start: :func:`_csv_text`) — right only while it holds no comma, quote or line break,
    which the batch checks for all its short texts at once (_CSV_SHORTS)."""
    return f"CASE WHEN {value} >= 'A' AND {value} < '{_FULLWIDTH}' THEN {value} ELSE {_csv_text(value)} END"


#: A listing's CSV line, each text cell checked on its own.
_CSV_ROW = _csv_row(_csv_text)
#: The same line, the short texts (SKU, ASIN, channel, currency: rarely quoted) as stored
#: unless they start below "A": a batch whose short texts (:data:`_CSV_SHORTS`, all of them
#: in one text) hold a comma, a quote or a line break is rendered again by _CSV_ROW. Four
#: instr() calls a text saved (8 % of the CSV batches' time).
_CSV_FAST_ROW = _csv_row(_csv_short)
_CSV_SHORTS = (
    "l.sku || ifnull(l.asin, '') || ifnull(l.fulfillment_channel, '') || ifnull(l.currency, '')"
)
#: What a CSV cell is quoted for (render._csv_row), and a NUL (printf would cut the text).
_QUOTED_FOR = (b",", b'"', b"\r", b"\n", b"\0")

#: A stored price written as it is stored: the text render.py writes for it is the same
#: (``str(Decimal(text)) == text``: ASCII digits, an optional minus sign and decimal point, no
#: leading zero, no exponent, not "0.000000…", which Decimal writes as 1E-7). Every other
#: (1E+2, " 012.50", NaN...) is rendered by render.py through the price memo table. The
#: common form first: a digit 1-9, digits, a point and two digits (two GLOBs, not six).
_PLAIN_PRICE = """(typeof(l.price) = 'text'
        AND (l.price GLOB '[1-9]*.[0-9][0-9]' AND NOT l.price GLOB '*[^0-9]*.??'
             OR (l.price GLOB '[1-9]*' OR l.price GLOB '0.?*' OR l.price = '0'
                 OR l.price GLOB '-[1-9]*' OR l.price GLOB '-0.?*' OR l.price = '-0')
             AND NOT l.price GLOB '?*[^0-9.]*' AND NOT l.price GLOB '*.*.*'
             AND NOT l.price GLOB '*.' AND NOT l.price GLOB '*.000000*'))"""

_OPTIONAL = ("asin", "product_type", "condition_type", "fulfillment_channel", "currency")
_STATES = ", ".join(_lit(state.value) for state in State)


_TEXTS = ("sku", "title", "marketplace_id")  # NOT NULL


def _is_text(column: str) -> str:
    """SQL: ``column`` holds a text (SQLite orders NULL, numbers, texts, blobs: it is one
    between the least text and the least blob, whatever the column's affinity); half the
    cost of typeof()."""
    return f"l.{column} >= '' AND l.{column} < x''"


def _is_text_or_null(column: str) -> str:
    return f"(l.{column} IS NULL OR {_is_text(column)})"


def _is_text_there(column: str) -> str:
    """SQL: ``column``, of TEXT affinity (SQLite stores a number written to it as a text),
    holds a text: it is below the least blob (NULL: unknown, so not)."""
    return f"l.{column} < x''"


def _is_text_or_null_there(column: str) -> str:
    """:func:`_is_text_there`, or NULL (unknown: not false)."""
    return f"(l.{column} < x'') IS NOT FALSE"


def _is_integer(column: str) -> str:
    return f"typeof(l.{column}) = 'integer'"


def _is_integer_there(column: str) -> str:
    """SQL: ``column``, of INTEGER affinity (SQLite stores a text or a real that is an
    integer written to it as an integer), holds an integer: it equals its CAST, which a real
    left a real (3.5, 1e19), a text or a blob does not (no function call: a fifth of
    typeof()'s cost)."""
    return f"l.{column} = CAST(l.{column} AS INTEGER)"


def _usable(
    plain_price: str,
    text: Callable[[str], str] = _is_text,
    text_or_null: Callable[[str], str] = _is_text_or_null,
    integer: Callable[[str], str] = _is_integer,
) -> str:
    """SQL: the row holds what asin-tui writes, in the forms this renders exactly as the
    records path (cache._record_from_row's checks; the stored texts rendered by their memo,
    a price without one ``plain_price``)."""
    return f"""{" AND ".join(text(c) for c in _TEXTS)}
        AND {" AND ".join(text_or_null(c) for c in _OPTIONAL)}
        AND (l.quantity IS NULL OR {integer("quantity")})
        AND (l.inbound IS NULL OR {integer("inbound")})
        AND {integer("buyable")} AND {integer("discoverable")}
        AND l.state IN ({_STATES})
        AND f.a IS NOT NULL
        AND (l.amazon_status IS NULL OR s.a IS NOT NULL)
        AND (l.inactive_since IS NULL OR i.a IS NOT NULL)
        AND (l.price IS NULL OR p.a IS NOT NULL OR {plain_price})"""


#: :func:`_usable` of a row on its own.
_USABLE = _usable(_PLAIN_PRICE)
#: :func:`_usable` of a row the memo scan read as it is (no other connection committed since:
#: PRAGMA data_version): every price the scan found not plain has a memo row (NULL texts when
#: it does not render), so one without is plain, and its ~10 GLOBs are not run again (a
#: tenth of the JSON rows' time).
_USABLE_SEEN = _usable("p.raw IS NULL")
#: :data:`_USABLE_SEEN` where the scan found the text columns declared TEXT and the integer
#: ones INTEGER: one comparison a column, not two or three (a twentieth of the JSON rows'
#: time), no typeof() call.
_USABLE_SEEN_TEXT = _usable(
    "p.raw IS NULL", _is_text_there, _is_text_or_null_there, _is_integer_there
)
_INTEGERS = ("quantity", "inbound", "buyable", "discoverable")


def _text_affinity(conn: sqlite3.Connection) -> bool:
    """The listings' text columns are declared TEXT and its integer columns INTEGER, as
    cache._SCHEMA creates them."""
    declared = {row[1]: str(row[2]).upper() for row in conn.execute("PRAGMA table_info(listings)")}
    return all(declared.get(column) == "TEXT" for column in (*_TEXTS, *_OPTIONAL)) and all(
        declared.get(column) == "INTEGER" for column in _INTEGERS
    )


# ---------------------------------------------------------------------- rendered once


def _json_findings(raw: Any) -> tuple[str, str, int]:
    findings = decode_findings(raw)
    error = any(f.severity is Severity.ERROR for f in findings)
    return json_findings(findings), "", int(error)


def _csv_findings(raw: Any) -> tuple[str, str, int]:
    findings = decode_findings(raw)
    main = findings[0] if findings else None
    cause = csv_cell(spreadsheet_text(main.title if main else ""))
    severity = main.severity.value if main else ""
    error = any(f.severity is Severity.ERROR for f in findings)
    return f"{cause},{severity}", csv_cell(csv_codes(findings)), int(error)


_JSON = _Form(
    _JSON_ROW,
    "",  # json_quote writes a NUL as json.dumps does (\\u0000: the probe checks it)
    ",",
    _json_findings,
    lambda raw: (json_status(decode_status(raw)), "", 0),
    lambda raw: (json_time(decode_moment(raw)), "", 0),
    lambda raw: (json_price(decode_price(raw)), "", 0),
)
_CSV = _Form(
    _CSV_ROW,
    "".join(f" AND instr(l.{c}, char(0)) IS NOT TRUE" for c in _CSV_TEXTS),
    "",
    _csv_findings,
    lambda raw: (csv_cell(spreadsheet_text(" ".join(decode_status(raw)))), "", 0),
    lambda raw: (csv_cell(decode_moment(raw).isoformat()), "", 0),
    lambda raw: (csv_cell(str(decode_price(raw))), "", 0),
    fast=_CSV_FAST_ROW,
    shorts=_CSV_SHORTS,
    unchecked=_SHORT_NUL_CHECKS,
)
assert _SHORT_NUL_CHECKS in _CSV.usable and _SHORT_NUL_CHECKS in _CSV.usable_seen_text

_MEMOS = ("report_findings", "report_status", "report_since", "report_price")


def _memo_rows(conn: sqlite3.Connection, form: _Form, scope: str) -> _Memos:
    """Each distinct findings, status, time and price (every one not plain) the rows in
    scope hold, rendered once (a value that does not render has NULL texts: its rows are
    not rendered here), for its temporary table."""
    where = f"WHERE {scope.removesuffix(' AND ')}" if scope else ""
    table = "listings l NOT INDEXED"  # one pass over the table: 2.5x faster than the index
    price = f"CASE WHEN {_PLAIN_PRICE} THEN NULL ELSE l.price END"  # plain: written as stored
    distinct = conn.execute(
        f"SELECT DISTINCT l.findings, l.amazon_status, l.inactive_since, {price}"
        f" FROM {table} {where}"
    ).fetchall()
    columns = [{row[i] for row in distinct} for i in range(4)]
    return [
        (table, list(_rendered(values - {None}, memo)))
        for table, memo, values in zip(_MEMOS, form.memos, columns, strict=True)
    ]


def _fill_memos(conn: sqlite3.Connection, memos: _Memos) -> None:
    """The memo tables of ``memos`` (:func:`_memo_rows`), temporary: ``conn``'s own."""
    conn.execute("PRAGMA temp_store = MEMORY")  # never a temporary file
    with _temp_writable(conn):
        conn.execute("BEGIN")  # one transaction, not one a row (the connection autocommits)
        try:
            _drop_memos(conn)
            for table, rows in memos:
                conn.execute(  # the row's texts in its key's b-tree: one search a join
                    f"CREATE TEMP TABLE {table} (raw PRIMARY KEY, a, b, c) WITHOUT ROWID"
                )
                conn.executemany(f"INSERT INTO temp.{table} VALUES (?, ?, ?, ?)", rows)
        finally:
            conn.execute("COMMIT")


@contextlib.contextmanager
def _temp_writable(conn: sqlite3.Connection) -> Iterator[None]:
    """The cache's read connection is query_only; its temporary tables (only those: under
    the cache's read lock, nothing else runs on it) are written with that lifted a moment."""
    (was,) = conn.execute("PRAGMA query_only").fetchone()
    conn.execute("PRAGMA query_only = 0")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA query_only = {int(was)}")


def _rendered(values: set[Any], memo: _Memo) -> Iterator[tuple[Any, str | None, str | None, int]]:
    """Each value's memo row; one that does not decode, or whose text holds a NUL (printf
    would write it only up to there), has NULL texts: its rows are rendered the records
    way."""
    for value in values:
        try:
            a, b, c = memo(value)
        except DECODE_ERRORS:
            yield value, None, None, 0
            continue
        if "\0" in a or "\0" in b:
            yield value, None, None, 0
        else:
            yield value, a, b, c


def _data_version(conn: sqlite3.Connection) -> int:
    """Changes when another connection commits to the file (SQLite's PRAGMA data_version)."""
    (version,) = conn.execute("PRAGMA data_version").fetchone()
    return int(version)


def _drop_memos(conn: sqlite3.Connection) -> None:
    with _temp_writable(conn):
        for table in _MEMOS:
            conn.execute(f"DROP TABLE IF EXISTS temp.{table}")


#: Every ASCII character and a few beyond: what json_quote must write as json.dumps does.
_PROBE = "".join(map(chr, range(128))) + "\x85\xa0é\u2028\u202e\ufeff€\U0001f600"


def _builds_json_strings(conn: sqlite3.Connection) -> bool:
    """This SQLite's json_quote writes strings as json.dumps(ensure_ascii=False) does."""
    try:
        (quoted,) = conn.execute("SELECT json_quote(?)", (_PROBE,)).fetchone()
    except sqlite3.OperationalError:  # built without JSON functions
        return False
    return bool(quoted == json.encoder.encode_basestring(_PROBE))
