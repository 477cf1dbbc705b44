"""The local listing cache: one SQLite file per profile and marketplace (stdlib sqlite3).

What it keeps, so the next start paints instantly and the detail screen works offline:
- ``listings``: the flattened ``ListingRecord`` columns (for painting the list) and the raw
  SP-API evidence JSON per SKU (item, FBA inventory summary, restrictions, catalog item);
- ``product_types``: product type definitions and their JSON schemas;
- ``sync``: metadata of the last sync (when, how wide, complete or not, what failed);
- ``account_health``: the last Account Health report document (GET_V2_SELLER_PERFORMANCE_REPORT)
  a sync fetched, and when (a sync that could not fetch it keeps the one before);
  ``account_health_request``: the report id of one Amazon is still preparing, and when it was
  requested (the next sync looks at it instead of waiting for it);
- ``history``: every state change per SKU, so "inactive since" is the first sync that saw the
  SKU in its current state;
- ``last_quantity``: the last merchant-fulfilled quantity above 0 seen per SKU, and when (the
  bulk wizard and the wizard's Stock step suggest it for a listing now out of stock).

The store is deliberately dumb: it returns raw JSON and never parses SP-API bodies (that is
``AccountService``'s job). A corrupt, unreadable or foreign-version file is moved aside and
rebuilt empty, with a warning in :attr:`ListingCache.warning`, never a traceback.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from asin_tui.domain import codes
from asin_tui.domain.csvline import CSV_LINE_FORMAT, csv_line, csv_line_parts, csv_since
from asin_tui.domain.models import Category, Finding, ListingRecord, Severity, State, WizardStep
from asin_tui.domain.moments import age
from asin_tui.store import paths
from asin_tui.store.atomic import (
    PRIVATE_FILE,
    NotRegularFile,
    check_own_file,
    ensure_private_dir,
    file_identity,
    make_private_files,
)

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE listings (
    sku TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    state_rank INTEGER NOT NULL,
    needs_attention INTEGER NOT NULL,  -- needs attention or at risk: the default view
    asin TEXT,
    title TEXT NOT NULL,
    marketplace_id TEXT NOT NULL,
    buyable INTEGER NOT NULL,
    discoverable INTEGER NOT NULL,
    main_cause TEXT NOT NULL,
    severity TEXT,
    product_type TEXT,
    condition_type TEXT,
    fulfillment_channel TEXT,
    quantity INTEGER,
    inbound INTEGER,
    price TEXT,
    currency TEXT,
    inactive_since TEXT,
    findings TEXT NOT NULL,
    synced_at TEXT NOT NULL
);
CREATE TABLE evidence (
    sku TEXT PRIMARY KEY,
    item TEXT NOT NULL,
    inventory TEXT,
    restrictions TEXT,
    catalog TEXT,
    catalog_not_found INTEGER NOT NULL
);
CREATE INDEX listings_order ON listings (state_rank, sku);
CREATE INDEX listings_attention ON listings (needs_attention, state_rank, sku);
CREATE TABLE product_types (
    product_type TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    schema TEXT NOT NULL
);
CREATE TABLE sync (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    include_all INTEGER NOT NULL,
    complete INTEGER NOT NULL,
    failed TEXT NOT NULL,
    listings INTEGER NOT NULL
);
CREATE TABLE history (
    sku TEXT NOT NULL,
    state TEXT NOT NULL,
    since TEXT NOT NULL,
    PRIMARY KEY (sku, since)
) WITHOUT ROWID;
"""
#: Tables added since schema version 1 was released: created in old files as they are opened.
_ADDED_TABLES = """
CREATE TABLE IF NOT EXISTS account_health (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    fetched_at TEXT NOT NULL,
    document TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS lookups (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    body TEXT,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS account_health_request (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    report_id TEXT NOT NULL,
    requested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (  -- what `watch` found (asin_tui/store/events.py)
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    sku TEXT,
    created_at TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_sku ON events (sku, created_at);
CREATE TABLE IF NOT EXISTS stock_cover (  -- domain/cover.py StockCover per SKU, as JSON
    sku TEXT PRIMARY KEY,
    payload TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS last_quantity (  -- the last MFN quantity > 0 a sync saw
    sku TEXT PRIMARY KEY,
    quantity INTEGER NOT NULL,
    seen_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS event_deliveries (  -- one row per event and alert channel
    event_id INTEGER NOT NULL,
    channel TEXT NOT NULL,
    sent_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    PRIMARY KEY (event_id, channel)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS csv_lines (  -- each listing's finished line of report --format csv
    sku TEXT PRIMARY KEY,
    format INTEGER NOT NULL,  -- domain.csvline.CSV_LINE_FORMAT it was written in
    line TEXT NOT NULL,
    attention INTEGER NOT NULL  -- the listing needs attention (the report's exit status)
) WITHOUT ROWID;
-- A listing's line goes whenever its row is written by anyone (this program writes the line
-- again after the row): no write can leave a line that is not its row's. The one exception:
-- a sync noting the listings it found unchanged (synced_at only), which says so in meta for
-- that moment of its own transaction (_KEEP_LINES: no other connection ever sees it).
CREATE TRIGGER IF NOT EXISTS csv_lines_inserted AFTER INSERT ON listings BEGIN
    DELETE FROM csv_lines WHERE sku = NEW.sku;
END;
CREATE TRIGGER IF NOT EXISTS csv_lines_updated AFTER UPDATE ON listings
WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = 'csv_lines_kept') BEGIN
    DELETE FROM csv_lines WHERE sku = OLD.sku OR sku = NEW.sku;
END;
CREATE TRIGGER IF NOT EXISTS csv_lines_deleted AFTER DELETE ON listings BEGIN
    DELETE FROM csv_lines WHERE sku = OLD.sku;
END;
CREATE TABLE IF NOT EXISTS watch_seen (  -- the listings as `watch` last compared them
    sku TEXT PRIMARY KEY, asin, title, marketplace_id, state, buyable, discoverable, findings,
    product_type, condition_type, fulfillment_channel, quantity, inbound, price, currency,
    inactive_since, amazon_status  -- _RECORD_COLUMNS: keep the two lists alike
) WITHOUT ROWID;
"""

#: The triggers that drop a listing's stored CSV line when its row is written (_ADDED_TABLES).
CSV_LINE_TRIGGERS = ("csv_lines_inserted", "csv_lines_updated", "csv_lines_deleted")
#: The meta row under which an UPDATE of listings leaves their lines (csv_lines_updated).
_KEEP_LINES = "csv_lines_kept"

#: Columns added since schema version 1 was released: (table, column, type), added to old files
#: as they are opened (at the end of the table, where a new file has them too).
_ADDED_COLUMNS = (
    ("sync", "missing", "TEXT"),  # failed key -> at most how many listings it lost (JSON)
    ("evidence", "gaps", "TEXT"),  # evidence a failed call left out or stale (JSON)
    ("listings", "amazon_status", "TEXT"),  # Amazon's own summaries[].status (JSON; null: none)
    ("evidence", "fetched", "TEXT"),  # section -> when an answer kept from earlier was fetched
    ("evidence", "digest", "TEXT"),  # of what its diagnosis was made from (see RawEvidence)
    ("history", "cause", "TEXT"),  # the main cause the listing had when it entered the state
)

_RECORD_COLUMNS = (
    "sku, asin, title, marketplace_id, state, buyable, discoverable, findings, product_type,"
    " condition_type, fulfillment_channel, quantity, inbound, price, currency, inactive_since,"
    " amazon_status"
)

#: `watch`'s snapshot (store/events.py writes it with its events; meta WATCH_SEEN_KEY says
#: when): what the next round or notification compares with, so a change the cache took in
#: while `watch` was stopped (a signal after the sync's commit, the TUI's own sync) is still
#: told.
WATCH_SEEN_TABLE = "watch_seen"
WATCH_SEEN_KEY = "watch_seen_at"

_EVIDENCE_COLUMNS = (
    "sku, item, inventory, restrictions, catalog, catalog_not_found, gaps, fetched, digest"
)
_LISTING_PARAMS = ", ".join("?" * 22)  # the listings table's columns
_EVIDENCE_PARAMS = ", ".join("?" * 9)

_T = TypeVar("_T")


class CacheError(Exception):
    """The cache file cannot be used even after moving it aside (e.g. a read-only folder)."""


class CacheUnavailable(CacheError):
    """The cache cannot be written (or read) right now: the disk is full, the file or its
    folder is read-only, another process holds it. Nothing is wrong with the file itself,
    so it is left exactly as it is (never set aside as corrupt); the message is one line
    with the path and the free space."""


@dataclass(frozen=True, slots=True)
class RawEvidence:
    """What SP-API said about one SKU, as raw JSON (parsed by the service, not here)."""

    sku: str
    item: dict[str, Any]
    inventory: dict[str, Any] | None = None  # one FBA InventorySummary object
    restrictions: list[dict[str, Any]] | None = None  # getListingsRestrictions `restrictions`
    catalog: dict[str, Any] | None = None  # Catalog Items 2022-04-01 Item
    catalog_not_found: bool = False  # the catalog has no item for the ASIN in this marketplace
    #: Evidence the sync asked for and could not get: section ("inventory", "restrictions",
    #: "catalog") -> {"call", "error", "as_of"}; "as_of" (ISO) when the section above is the
    #: last good answer from an earlier sync, None when it is not there at all.
    gaps: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: Restrictions and catalog answers -> when their call was made (ISO): by this sync, or
    #: by an earlier one and still fresh enough by policy (not a gap).
    fetched: Mapping[str, str] = field(default_factory=dict)
    #: A digest of everything its stored diagnosis was made from (the service's): a later
    #: sync that finds the same need not diagnose or write the listing again.
    digest: str | None = None


@dataclass(frozen=True, slots=True)
class SyncInfo:
    """Metadata of the last sync written to the cache."""

    started_at: datetime
    finished_at: datetime
    include_all: bool
    complete: bool
    failed: Mapping[str, str] = field(default_factory=dict)  # SKU or query -> reason
    listings: int = 0  # listings the sync fetched
    #: The failed keys that cost listings (a search window, a SKU) -> at most how many
    #: listings are missing for it (None: unknown). Empty: the listing set is complete.
    missing: Mapping[str, int | None] = field(default_factory=dict)

    def age_seconds(self, now: datetime | None = None) -> float:
        """How long ago the sync finished (older than anything when it finished "later"
        than now: the clock was set back since; domain.moments)."""
        return age(self.finished_at, now or datetime.now(UTC)).total_seconds()

    @property
    def listings_incomplete(self) -> bool:
        """Some listings in the sync's scope could not be fetched at all."""
        return bool(self.missing)

    def missing_text(self) -> str:
        """How many listings at most are missing, in words: 'up to 21 listings',
        'up to 21 listings and an unknown number more', 'an unknown number of listings'."""
        known = sum(n for n in self.missing.values() if n is not None)
        unknown = any(n is None for n in self.missing.values())
        plural = "s" if known != 1 else ""
        if not known:
            return "an unknown number of listings" if unknown else "no listings"
        return f"up to {known} listing{plural}" + (" and an unknown number more" if unknown else "")

    def gap_names_by_key(self) -> dict[str, str]:
        """Each failed key named for people: 'search "not buyable" (created … to …)',
        'SKU ABC-1', 'product type SHIRT', 'account health'."""
        return {key: _gap_name(key) for key in self.failed}


def _gap_name(key: str) -> str:
    if key.startswith("search: "):
        label, _, window = key.removeprefix("search: ").partition(", ")
        return f'search "{label}"' + (f" ({window})" if window else "")
    if key.startswith(("product type ", "listings ", "account health")):
        return key
    return f"SKU {key}"


def cache_path(profile: str, marketplace_id: str) -> Path:
    return paths.cache_dir() / f"{profile}-{marketplace_id}.sqlite3"


class ListingCache:
    """One profile+marketplace cache file. Thread-safe: writes go through one connection
    behind a lock; reads through a second one behind its own lock (WAL: a read sees the last
    commit and never waits for a write, so the list's reads never wait for a sync's batches
    or its final commit)."""

    def __init__(
        self, path: Path, *, connect: Callable[[Path], sqlite3.Connection] | None = None
    ) -> None:
        """``connect`` opens the file for reading and writing (``connect_cache``: WAL, the
        schema created or checked); a test passes one that fails as a full or read-only
        disk would."""
        self.path = path
        self._connect = connect or connect_cache
        self.warning: str | None = None  # set when a bad file was moved aside
        self.set_aside = 0  # how many times it was (a report that read rows compares)
        self._bad_rows: set[str] = set()  # rows left out of reads: see row_warning
        self._damaged_text = False  # a text read was not UTF-8: see row_warning
        self._lock = threading.RLock()
        self._read_only = False  # opened read-only (see _open_read_only)
        self._conn = self._open()
        self._file = file_identity(path)  # the file _conn writes (see _follow)
        self._read_lock = threading.RLock()
        self._reader: sqlite3.Connection | None = None  # opened on the first read
        self._reader_file: tuple[int, int] | None = None  # the file _reader reads

    @classmethod
    def for_account(cls, profile: str, marketplace_id: str) -> ListingCache:
        return cls(cache_path(profile, marketplace_id))

    def close(self) -> None:
        self._drop_reader()
        with self._lock:
            self._conn.close()

    # ------------------------------------------------------------------ reading

    def load_records(
        self, *, needs_attention_only: bool, limit: int | None = None
    ) -> list[ListingRecord]:
        """Every cached row (or only those of the default view: needing attention or at
        risk), most severe state first, then SKU; ``limit``: only the first so many (a
        screenful to paint at once, from the index)."""
        where = "WHERE needs_attention = 1 " if needs_attention_only else ""
        query = f"SELECT {_RECORD_COLUMNS} FROM listings {where}ORDER BY state_rank, sku"
        params = () if limit is None else (limit,)
        if limit is not None:
            query += " LIMIT ?"
        return self._guarded(lambda conn: self._records(conn.execute(query, params)), [])

    def record_batches(
        self, *, needs_attention_only: bool, size: int = 5000
    ) -> Iterator[list[ListingRecord]]:
        """What :meth:`load_records` returns, ``size`` rows at a time in the same order, read
        from the order index batch by batch (a report streams 100,000 rows without holding
        them all; the lock is not held between batches)."""
        where = "needs_attention = 1 AND " if needs_attention_only else ""
        query = (
            f"SELECT state_rank, {_RECORD_COLUMNS} FROM listings"
            f" WHERE {where}(state_rank, sku) > (?, ?) ORDER BY state_rank, sku LIMIT ?"
        )
        after: tuple[int, str] = (-1, "")
        while True:
            rows: list[Any] = self._guarded(
                functools.partial(_fetch_all, query=query, params=(*after, size)), []
            )
            if not rows:
                return
            after = (rows[-1][0], rows[-1][1])
            records = self._records(row[1:] for row in rows)
            if records:
                yield records
            if len(rows) < size:
                return

    def read(self, read: Callable[[sqlite3.Connection], _T], empty: _T) -> _T:
        """A read of the caller's own on the cache's connection, under its lock (the
        report's SQL-built text, asin_tui.render_sql); a file that turns out corrupt is set
        aside and rebuilt, and ``empty`` returned, as for every read here."""
        return self._guarded(read, empty)

    def decoded_records(self, rows: Iterable[tuple[Any, ...]]) -> list[ListingRecord]:
        """Rows of :data:`RECORD_COLUMNS` as records, as every read here decodes them (a row
        that cannot be decoded is left out and named in :attr:`row_warning`)."""
        return self._records(rows)

    def records_where_unexplained_mfn(self, *, needs_attention_only: bool) -> list[ListingRecord]:
        """The rows that may count toward an account-level cause (domain.account: inactive,
        merchant-fulfilled, with stock, a finding naming LISTING_CLOSED), in report order: a
        handful, read from the cache without reading every row."""
        scope = "needs_attention = 1 AND " if needs_attention_only else ""
        query = (  # the state's rows from the order index (as state_counts counts them)
            f"SELECT {_RECORD_COLUMNS} FROM listings WHERE {scope}state_rank = ? AND state = ?"
            " AND fulfillment_channel = 'MFN' AND quantity > 0 AND instr(findings, ?) > 0"
            " ORDER BY state_rank, sku"
        )  # only rows whose findings name the code (checked exactly once decoded)
        inactive = State.INACTIVE
        params = (inactive.rank, inactive.value, json.dumps(codes.LISTING_CLOSED))
        return self._guarded(lambda conn: self._records(conn.execute(query, params)), [])

    def at_risk_candidates(self, mfn_quantity: int) -> list[ListingRecord]:
        """The rows that can be at risk (domain.looks.is_at_risk), in report order: buyable and
        discoverable, and listed by default (a WARNING finding) or merchant-fulfilled with at
        most ``mfn_quantity`` units. A SQL filter, so the At risk view does not read every
        row of a 100,000-listing cache; the caller still applies is_at_risk."""
        query = (
            f"SELECT {_RECORD_COLUMNS} FROM listings WHERE buyable = 1 AND discoverable = 1"
            " AND (needs_attention = 1 OR (fulfillment_channel = 'MFN' AND quantity > 0"
            " AND quantity <= ?)) ORDER BY state_rank, sku"
        )
        return self._guarded(lambda conn: self._records(conn.execute(query, (mfn_quantity,))), [])

    def state_counts(self, *, needs_attention_only: bool) -> dict[State, int]:
        """How many cached rows there are in each state (in load_records' scope), from the
        order index alone: a few ms at 100,000 rows, where reading the rows takes a second."""
        where = "WHERE needs_attention = 1 " if needs_attention_only else ""
        query = f"SELECT state_rank, count(*) FROM listings {where}GROUP BY state_rank"
        rows: list[Any] = self._guarded(lambda conn: conn.execute(query).fetchall(), [])
        return {_STATE_BY_RANK[rank]: count for rank, count in rows if rank in _STATE_BY_RANK}

    def record(self, sku: str) -> ListingRecord | None:
        query = f"SELECT {_RECORD_COLUMNS} FROM listings WHERE sku = ?"
        records: list[ListingRecord] = self._guarded(
            lambda conn: self._records(conn.execute(query, (sku,))), []
        )
        return records[0] if records else None

    def raw_evidence(self, sku: str) -> RawEvidence | None:
        query = f"SELECT {_EVIDENCE_COLUMNS} FROM evidence WHERE sku = ?"
        row = self._guarded(lambda conn: conn.execute(query, (sku,)).fetchone(), None)
        return self._decoded(row, _raw_from_row, "evidence") if row else None

    def last_good(self, sku: str) -> tuple[RawEvidence, datetime] | None:
        """The cached evidence of ``sku`` and when the sync that wrote it finished (None: not
        cached): what stands in for evidence a later call could not fetch."""
        query = (
            f"SELECT {', '.join('e.' + c for c in _EVIDENCE_COLUMNS.split(', '))}, l.synced_at"
            " FROM evidence e JOIN listings l ON l.sku = e.sku WHERE e.sku = ?"
        )
        row = self._guarded(lambda conn: conn.execute(query, (sku,)).fetchone(), None)
        if row is None:
            return None
        return self._decoded(row, lambda r: (_raw_from_row(r[:-1]), _moment(r[-1])), "evidence")

    def all_raw_evidence(self) -> list[RawEvidence]:
        """What SP-API said about every cached SKU (to diagnose them all again)."""
        query = f"SELECT {_EVIDENCE_COLUMNS} FROM evidence ORDER BY sku"
        rows: list[Any] = self._guarded(lambda conn: conn.execute(query).fetchall(), [])
        return self._decoded_rows(rows, _raw_from_row, "evidence")

    def stored_digests(self, skus: Sequence[str]) -> dict[str, tuple[str, ListingRecord]]:
        """SKU -> (the digest its stored diagnosis was made from, its record), for the SKUs
        that have both (see RawEvidence.digest)."""
        if not skus:
            return {}
        columns = ", ".join("l." + c for c in _RECORD_COLUMNS.split(", "))
        query = (
            f"SELECT e.digest, {columns} FROM evidence e JOIN listings l ON l.sku = e.sku"
            f" WHERE e.digest IS NOT NULL AND e.sku IN ({', '.join('?' * len(skus))})"
        )
        rows: list[tuple[Any, ...]] = self._guarded(
            lambda conn: conn.execute(query, list(skus)).fetchall(), []
        )
        if self._damaged_text:  # a row shown with U+FFFD is diagnosed and written again
            rows = [row for row in rows if not any(_replaced(value) for value in row)]
        digests = {row[1]: row[0] for row in rows}
        return {
            record.sku: (digests[record.sku], record)
            for record in self._records(row[1:] for row in rows)
            if isinstance(digests.get(record.sku), str)
        }

    def raw_evidence_batches(self, size: int = 500) -> Iterator[list[RawEvidence]]:
        """What all_raw_evidence returns, ``size`` SKUs at a time (never all at once)."""
        query = f"SELECT {_EVIDENCE_COLUMNS} FROM evidence WHERE sku > ? ORDER BY sku LIMIT ?"
        after = ""
        while True:
            rows: list[Any] = self._guarded(
                functools.partial(_fetch_all, query=query, params=(after, size)), []
            )
            if not rows:
                return
            after = rows[-1][0]
            yield self._decoded_rows(rows, _raw_from_row, "evidence")
            if len(rows) < size:
                return

    def product_type(self, product_type: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """(definition, schema) of a product type, or None if never fetched."""
        query = "SELECT definition, schema FROM product_types WHERE product_type = ?"
        row = self._guarded(lambda conn: conn.execute(query, (product_type,)).fetchone(), None)
        if row is None:
            return None  # a bad row is as good as none: the next sync fetches the type again
        return self._decoded(row, lambda r: (_object(r[0]), _object(r[1])), "product type")

    def last_sync(self) -> SyncInfo | None:
        query = (
            "SELECT started_at, finished_at, include_all, complete, failed, listings, missing"
            " FROM sync"
        )
        row = self._guarded(lambda conn: conn.execute(query).fetchone(), None)
        # unreadable: as if never synced (``report --cached`` syncs rather than trust it)
        return self._decoded(row, _sync_from_row, "sync") if row else None

    def last_full_sync(self) -> datetime | None:
        """When a complete sync of every listing (``include_all``) last finished: None when
        the cache has only ever held what needed attention (and what a search happened to
        bring), so "all listings" from it would be a part only."""
        query = "SELECT value FROM meta WHERE key = 'full_sync_at'"
        row = self._guarded(lambda conn: conn.execute(query).fetchone(), None)
        return self._decoded(row, lambda r: _moment(r[0]), "full sync") if row else None

    def lookups(self, kind: str) -> dict[str, tuple[Any, datetime]]:
        """Answers kept from earlier syncs' evidence calls of one ``kind`` ("restrictions":
        key "ASIN\\tcondition"; "catalog": key ASIN, None when the catalog had no item):
        key -> (the decoded answer, when it was fetched). A row that cannot be read is left
        out: its call is made again."""
        query = "SELECT key, body, fetched_at FROM lookups WHERE kind = ?"
        rows: list[Any] = self._guarded(lambda conn: conn.execute(query, (kind,)).fetchall(), [])
        found = {}
        for key, body, fetched_at in rows:
            with contextlib.suppress(*_BAD_ROW):
                found[_text(key)] = (_loads(body), _moment(fetched_at))
        return found

    def write_lookups(self, kind: str, answers: Iterable[tuple[str, Any, datetime]]) -> None:
        """Keep answers of one ``kind`` of evidence call: (key, answer, when it was fetched)
        (see :meth:`lookups`)."""
        rows = [(kind, key, _utc_text(when), _dumps_opt(body)) for key, body, when in answers]
        if rows:
            self._transaction(
                lambda conn: conn.executemany(
                    "INSERT OR REPLACE INTO lookups VALUES (?, ?, ?, ?)", rows
                )
            )

    def forget_lookups(self, before: datetime) -> None:
        """Drop kept answers fetched before ``before`` (no sync uses them any more: ASINs
        gone from the account would stay for ever)."""
        stamp = _utc_text(before)
        self._transaction(
            lambda conn: conn.execute("DELETE FROM lookups WHERE fetched_at < ?", (stamp,))
        )

    def account_health(self) -> tuple[dict[str, Any], datetime] | None:
        """(document, fetched_at) of the last Account Health report, or None if never fetched."""
        query = "SELECT document, fetched_at FROM account_health"
        row = self._guarded(lambda conn: conn.execute(query).fetchone(), None)
        if row is None:
            return None
        return self._decoded(row, lambda r: (_object(r[0]), _moment(r[1])), "account health")

    def account_health_request(self) -> tuple[str, datetime] | None:
        """(report_id, requested_at) of an Account Health report Amazon was still preparing at
        the last look, or None."""
        query = "SELECT report_id, requested_at FROM account_health_request"
        row = self._guarded(lambda conn: conn.execute(query).fetchone(), None)
        if row is None:
            return None
        return self._decoded(row, lambda r: (_text(r[0]), _moment(r[1])), "account health")

    def history(self, sku: str) -> list[tuple[State, datetime, str]]:
        """Every state the SKU was seen in, oldest first, with when it entered it and the
        main cause it had then ("" when not noted: rows from before causes were kept)."""
        query = "SELECT state, since, cause FROM history WHERE sku = ? ORDER BY since"
        rows: list[Any] = self._guarded(lambda conn: conn.execute(query, (sku,)).fetchall(), [])
        return self._decoded_rows(
            rows, lambda r: (_STATES[r[0]], _moment(r[1]), r[2] or ""), "history"
        )

    def seen_records(self) -> list[ListingRecord] | None:
        """`watch`'s snapshot of the listings (WATCH_SEEN_TABLE); None before its first."""
        if self.meta_value(WATCH_SEEN_KEY) is None:
            return None
        query = f"SELECT {_RECORD_COLUMNS} FROM {WATCH_SEEN_TABLE}"
        empty: list[ListingRecord] = []
        return self._guarded(lambda conn: self._records(conn.execute(query)), empty)

    def seen_record(self, sku: str) -> tuple[bool, ListingRecord | None]:
        """(a snapshot exists, the SKU's row in it or None)."""
        if self.meta_value(WATCH_SEEN_KEY) is None:
            return False, None
        query = f"SELECT {_RECORD_COLUMNS} FROM {WATCH_SEEN_TABLE} WHERE sku = ?"
        records: list[ListingRecord] = self._guarded(
            lambda conn: self._records(conn.execute(query, (sku,))), []
        )
        return True, records[0] if records else None

    def state_changes_since(self, moment: datetime) -> dict[str, tuple[State | None, State]]:
        """SKU -> (its state at ``moment``, None when not seen before; its state now) for
        every SKU whose state changed after ``moment`` ("since you last looked")."""
        query = (
            "SELECT c.sku,"
            " (SELECT b.state FROM history b WHERE b.sku = c.sku AND b.since <= ?"
            "  ORDER BY b.since DESC LIMIT 1),"
            " (SELECT n.state FROM history n WHERE n.sku = c.sku ORDER BY n.since DESC LIMIT 1)"
            " FROM (SELECT DISTINCT sku FROM history WHERE since > ?) c"
        )
        stamp = _utc_text(moment)
        rows: list[tuple[Any, ...]] = self._guarded(
            lambda conn: conn.execute(query, (stamp, stamp)).fetchall(), []
        )
        changes = {}
        for sku, before, after in rows:
            with contextlib.suppress(*_BAD_ROW):
                changes[_text(sku)] = (_STATES[before] if before else None, _STATES[after])
        return changes

    def stock_cover(self) -> list[dict[str, Any]]:
        """The stored stock cover rows (domain/cover.py StockCover.as_dict), by SKU."""
        query = "SELECT payload FROM stock_cover ORDER BY sku"
        rows: list[Any] = self._guarded(lambda conn: conn.execute(query).fetchall(), [])
        return self._decoded_rows(rows, lambda r: _object(r[0]), "stock cover")

    def stock_cover_of(self, sku: str) -> dict[str, Any] | None:
        """One SKU's stored stock cover row, or None."""
        query = "SELECT payload FROM stock_cover WHERE sku = ?"
        row = self._guarded(lambda conn: conn.execute(query, (sku,)).fetchone(), None)
        return None if row is None else self._decoded(row, lambda r: _object(r[0]), "stock cover")

    def write_stock_cover(
        self,
        covers: Iterable[Mapping[str, Any]] | None,
        meta: Mapping[str, str | None],
    ) -> None:
        """In one transaction: the stock cover rows (None keeps the stored ones; else they
        replace them all) and meta values (None deletes the key)."""

        def write(conn: sqlite3.Connection) -> None:
            if covers is not None:
                conn.execute("DELETE FROM stock_cover")
                conn.executemany(
                    "INSERT OR REPLACE INTO stock_cover VALUES (?, ?)",
                    ((str(c["sku"]), _dumps(c)) for c in covers),
                )
            for key, value in meta.items():
                if value is None:
                    conn.execute("DELETE FROM meta WHERE key = ?", (key,))
                else:
                    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

        self._transaction(write)

    def last_quantity(self, sku: str) -> tuple[int, datetime] | None:
        """The last merchant-fulfilled quantity above 0 stored for ``sku`` and when it was
        seen (None: never seen above 0 since this cache kept it)."""
        query = "SELECT quantity, seen_at FROM last_quantity WHERE sku = ?"
        row = self._guarded(lambda conn: conn.execute(query, (sku,)).fetchone(), None)
        if row is None:
            return None
        return self._decoded(row, lambda r: (_int(r[0]), _moment(r[1])), "last quantity")

    def meta_value(self, key: str) -> str | None:
        """A value the app keeps in the cache file (e.g. when the seller last looked)."""
        query = "SELECT value FROM meta WHERE key = ?"
        row = self._guarded(lambda conn: conn.execute(query, (key,)).fetchone(), None)
        return row[0] if row and isinstance(row[0], str) else None

    def write_meta(self, key: str, value: str) -> None:
        self._transaction(
            lambda conn: conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
        )

    def count_not_synced_at(self, moment: datetime, *, needs_attention_only: bool) -> int:
        """Rows (in load_records' scope) that a sync finishing at ``moment`` did not write."""
        where = " AND needs_attention = 1" if needs_attention_only else ""
        query = f"SELECT count(*) FROM listings WHERE synced_at != ?{where}"
        return self._guarded(
            lambda conn: conn.execute(query, (_utc_text(moment),)).fetchone()[0], 0
        )

    def count(self) -> int:
        return self._guarded(
            lambda conn: conn.execute("SELECT count(*) FROM listings").fetchone()[0], 0
        )

    # ------------------------------------------------------------------ writing

    def write_sync(
        self,
        entries: Iterable[tuple[ListingRecord, RawEvidence]],
        *,
        product_types: Mapping[str, tuple[dict[str, Any], dict[str, Any]]],
        info: SyncInfo,
        account_health: Mapping[str, Any] | None = None,
        account_health_request: tuple[str, datetime] | None = None,
    ) -> None:
        """Store one sync's results in one transaction.

        ``account_health`` (the Account Health report document the sync fetched) replaces
        the stored one, as of ``info.finished_at``; None keeps the stored one.
        ``account_health_request`` (report_id, requested_at) is the report Amazon is still
        preparing after the sync; None: there is none.

        Each record's ``inactive_since`` is worked out from the history (the record's own value
        is ignored). When the sync was complete, cached SKUs it did not return are dropped:
        after an ``include_all`` sync they no longer exist; after a needs-attention sync they
        no longer need attention (their history notes them ACTIVE). An incomplete sync only
        adds and updates: what it could not fetch stays as cached.
        """
        staged = self.stage_sync()
        staged.add(entries)
        staged.commit(
            product_types=product_types,
            info=info,
            account_health=account_health,
            account_health_request=account_health_request,
        )

    def stage_sync(self) -> StagedSync:
        """Start writing a sync's listings as they come (see :class:`StagedSync`)."""
        return StagedSync(self)

    def _commit_sync(
        self,
        tables: _Staging,
        *,
        product_types: Mapping[str, tuple[dict[str, Any], dict[str, Any]]],
        info: SyncInfo,
        account_health: Mapping[str, Any] | None,
        account_health_request: tuple[str, datetime] | None,
        gone: Collection[str] = (),
    ) -> None:
        observed = info.finished_at

        def write(conn: sqlite3.Connection) -> None:
            seen = tables.move_in(conn, observed)
            _forget(conn, [sku for sku in gone if sku not in seen])
            _upsert_product_types(conn, product_types)
            _write_account_health(conn, account_health, observed, account_health_request)
            if info.complete:
                _drop_unseen(conn, seen, observed, forget=info.include_all)
            _fill_csv_lines(conn)  # listings kept from before the lines, or left without
            if info.complete and info.include_all:  # the cache now holds every listing
                conn.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('full_sync_at', ?)", (_utc_text(observed),)
                )
            conn.execute(
                "INSERT OR REPLACE INTO sync (id, started_at, finished_at, include_all, complete,"
                " failed, listings, missing) VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
                (
                    _utc_text(info.started_at),
                    _utc_text(info.finished_at),
                    int(info.include_all),
                    int(info.complete),
                    _dumps(dict(info.failed)),
                    info.listings,
                    _dumps(dict(info.missing)),
                ),
            )

        self._transaction(write)

    def write_product_types(
        self, product_types: Mapping[str, tuple[dict[str, Any], dict[str, Any]]]
    ) -> None:
        """Store product type (definition, schema) pairs outside a sync (e.g. on refresh)."""
        self._transaction(lambda conn: _upsert_product_types(conn, product_types))

    def write_account_health(
        self,
        document: Mapping[str, Any] | None,
        *,
        fetched_at: datetime,
        request: tuple[str, datetime] | None,
        entries: Sequence[tuple[ListingRecord, RawEvidence]] = (),
    ) -> None:
        """Outside a sync, in one transaction: the Account Health ``document`` (None keeps the
        stored one) as of ``fetched_at``, the ``request`` still pending (None: none), and the
        listings diagnosed again with it (``entries``)."""

        def write(conn: sqlite3.Connection) -> None:
            if entries:
                _upsert_listings(conn, entries, fetched_at)
            _write_account_health(conn, document, fetched_at, request)

        self._transaction(write)

    def write_listings(
        self, entries: Sequence[tuple[ListingRecord, RawEvidence]], *, observed_at: datetime
    ) -> None:
        """Store listings diagnosed again outside a sync (one transaction per call)."""
        if entries:
            self._transaction(lambda conn: _upsert_listings(conn, entries, observed_at))

    def write_listing(
        self, record: ListingRecord, raw: RawEvidence, *, observed_at: datetime
    ) -> ListingRecord:
        """Store one freshly fetched listing (wizard Verify); returns it with ``inactive_since``."""
        self._transaction(lambda conn: _upsert_listings(conn, [(record, raw)], observed_at))
        stored = self.record(record.sku)
        if stored is None:  # pragma: no cover - the cache was swapped under us
            raise CacheError(f"{self.path}: the listing {record.sku!r} was not stored")
        return stored

    def forget(self, sku: str) -> None:
        """Drop a listing the seller deleted (rows, evidence and state history)."""
        self._transaction(lambda conn: _forget(conn, [sku]))

    def skus(self) -> set[str]:
        """Every cached listing's SKU."""
        return self._guarded(
            lambda conn: {sku for (sku,) in conn.execute("SELECT sku FROM listings")}, set()
        )

    # ------------------------------------------------------------------ decoding rows

    @property
    def row_warning(self) -> str | None:
        """Set when rows that could not be decoded (tampered with, or written by a broken
        tool: wrong types, bad JSON, NULLs) were left out of what was read, or text read was
        not UTF-8 and is shown with U+FFFD in place of its bad bytes; one line."""
        damaged = (
            f"text in {self.path.name} is not valid UTF-8 (another tool or a disk fault wrote "
            "it) and is shown with \N{REPLACEMENT CHARACTER} in place of each bad byte; "
            "the next sync writes the listing again"
            if self._damaged_text
            else None
        )
        if not self._bad_rows:
            return damaged and damaged[0].upper() + damaged[1:]
        names = sorted(self._bad_rows)
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        left_out = (
            f"{len(names)} cached row{'s' if len(names) != 1 else ''} of {self.path.name} could "
            f"not be read and {'were' if len(names) != 1 else 'was'} left out ({shown}); "
            f"the next sync writes {'them' if len(names) != 1 else 'it'} again"
        )
        return f"{left_out}; {damaged}" if damaged else left_out

    def _records(self, rows: Iterable[tuple[Any, ...]]) -> list[ListingRecord]:
        records, bad = _records_from_rows(rows)
        self._bad_rows.update(f"listing {sku}" for sku in bad)
        return records

    def _decoded(self, row: tuple[Any, ...], decode: Callable[[tuple[Any, ...]], _T], what: str):
        """``decode(row)``, or None (the row named in :attr:`row_warning`) when it fails."""
        try:
            return decode(row)
        except _BAD_ROW:
            key = row[0] if isinstance(row[0], str) and what in ("evidence", "history") else ""
            self._bad_rows.add(f"{what} {key}".strip())
            return None

    def _decoded_rows(
        self, rows: Iterable[tuple[Any, ...]], decode: Callable[[tuple[Any, ...]], _T], what: str
    ) -> list[_T]:
        decoded = (self._decoded(row, decode, what) for row in rows)
        return [value for value in decoded if value is not None]

    # ------------------------------------------------------------------ plumbing

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect(self.path)
        except sqlite3.DatabaseError as exc:
            if _kind(exc) in _NOT_WRITABLE:
                return self._open_read_only(exc)
            return self._set_aside_or_raise(exc)

    def _open_read_only(self, exc: sqlite3.DatabaseError) -> sqlite3.Connection:
        """A cache that cannot be written (a read-only file or folder): read what it holds,
        and say that a sync cannot be saved; writes raise CacheUnavailable."""
        try:
            conn = _connect_read_only(self.path)
        except (sqlite3.DatabaseError, OSError):
            raise self._unavailable(exc) from None
        self.warning = f"{self._unavailable(exc)}: showing what it holds"
        self._read_only = True
        return conn

    def _set_aside_or_raise(self, exc: sqlite3.DatabaseError) -> sqlite3.Connection:
        self._raise_unless_corrupt(exc)
        return self._rebuild(exc)

    def _raise_unless_corrupt(self, exc: sqlite3.DatabaseError) -> None:
        """Only a file that really is corrupt (not a database, or SQLite's quick_check
        fails) may be set aside: a full disk, a read-only file or a busy one raise
        CacheUnavailable and leave it untouched."""
        kind = _kind(exc)
        if kind in _NOT_CORRUPTION:
            raise self._unavailable(exc) from None
        if kind not in _CORRUPTION and _sqlite_error(exc) and _passes_quick_check(self.path):
            raise self._unavailable(exc) from None

    def _unavailable(self, exc: sqlite3.DatabaseError) -> CacheUnavailable:
        reason = _REASONS.get(_kind(exc) or "", str(exc))
        return CacheUnavailable(
            f"the listing cache {self.path} cannot be written: {reason} "
            f"({_free_space(self.path)} free on its disk); it was left as it is"
        )

    def _rebuild(self, exc: Exception) -> sqlite3.Connection:
        """Move the unusable file aside and start an empty cache."""
        moved = _move_aside(self.path)
        self.set_aside += 1
        self.warning = (
            f"The listing cache {self.path} could not be read ({exc}); it was moved to "
            f"{moved.name} and will be rebuilt by the next sync."
        )
        try:
            return self._connect(self.path)
        except (sqlite3.DatabaseError, OSError) as again:
            raise CacheError(f"cannot create the listing cache {self.path}: {again}") from None

    def _recover(self, exc: sqlite3.DatabaseError) -> None:
        with self._lock:
            if self._follow():  # another asin-tui set it aside already: nothing to set aside
                return
            self._raise_unless_corrupt(exc)
            self._drop_reader()  # it reads the file being set aside
            self._conn.close()
            self._conn = self._rebuild(exc)
            self._file = file_identity(self.path)

    def _follow(self) -> bool:
        """Go on with the file now at ``path`` when it is not the one written so far (call
        with _lock held): another asin-tui on this account (the app and `watch`) set a
        corrupt file aside and started a new one. Writing on into the file set aside would
        lose the writes; taking a read error of it for this file's would set the new, sound
        file aside too. A sync staged in the old file is lost (its commit says so)."""
        now = file_identity(self.path)
        if now is None or self._file is None or now == self._file:
            return False
        conn = self._open()
        self._drop_reader()
        self._conn.close()
        self._conn, self._file = conn, now
        return True

    def _drop_reader(self) -> None:
        with self._read_lock:
            reader, self._reader = self._reader, None
            if reader is not None:
                reader.close()

    def _reading(self) -> sqlite3.Connection:
        """The read connection (call with _read_lock held): the last commit, never the
        writer's temporary tables nor a transaction it has not committed; of the file now
        at ``path`` (see _follow: a reader of a file set aside is opened again)."""
        now = file_identity(self.path)
        if self._reader is not None and now is not None and now != self._reader_file:
            self._drop_reader()
        if self._reader is None:
            self._reader_file = now
            if self._read_only:
                self._reader = _connect_read_only(self.path)
            else:
                reader = sqlite3.connect(
                    self.path, check_same_thread=False, isolation_level=None, timeout=10
                )
                reader.execute("PRAGMA query_only=1")
                self._reader = reader
        return self._reader

    def _guarded(self, read: Callable[[sqlite3.Connection], _T], empty: _T) -> _T:
        """Run a read; if the file turns out to be corrupt, rebuild it and return `empty`
        (CacheUnavailable when it is not corrupt but cannot be read now). Text that is not
        UTF-8 is no corruption: the read runs again with it replaced (see _tolerate)."""
        try:
            with self._read_lock:
                conn = self._reading()
                try:
                    return read(conn)
                except sqlite3.OperationalError as exc:
                    if not self._tolerate(conn, exc):
                        raise
                return read(conn)
        except sqlite3.DatabaseError as exc:
            if _kind(exc) == "SQLITE_BUSY":
                raise CacheError(f"the listing cache {self.path} is busy: {exc}") from None
            self._recover(exc)
            return empty

    def _tolerate(self, conn: sqlite3.Connection, exc: sqlite3.OperationalError) -> bool:
        """Whether ``exc`` is a stored text that is not UTF-8 (another tool, or a disk fault,
        wrote it) read by ``conn`` as a str: then ``conn`` reads every text from now on with
        U+FFFD for each bad byte (the damage shows, as text; the row is kept) and the read
        can run again. The reader starts with Python's own decoding, which costs nothing per
        value; connect_cache's connections decode so from the start."""
        if conn.text_factory is _replacing or not _undecodable(exc):
            return False
        conn.text_factory = _replacing
        self._damaged_text = True
        return True

    def _transaction(self, write: Callable[[sqlite3.Connection], object]) -> None:
        try:
            with self._lock:
                self._follow()
                with _immediate(self._conn) as conn:
                    write(conn)
        except sqlite3.DatabaseError as exc:
            if _kind(exc) == "SQLITE_BUSY":
                raise CacheError(f"the listing cache {self.path} is busy: {exc}") from None
            self._recover(exc)
            with self._lock, _immediate(self._conn) as conn:
                write(conn)


# ---------------------------------------------------------------------- what went wrong

#: SQLite result codes (their primary names) that say nothing is wrong with the file itself.
_NOT_WRITABLE = frozenset({"SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH"})
_NOT_CORRUPTION = _NOT_WRITABLE | {
    "SQLITE_FULL",
    "SQLITE_IOERR",
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_NOMEM",
    "SQLITE_INTERRUPT",
}
_CORRUPTION = frozenset({"SQLITE_CORRUPT", "SQLITE_NOTADB"})
_REASONS = {
    "SQLITE_FULL": "the disk is full",
    "SQLITE_IOERR": "the disk refused the write (full, or a file size limit)",
    "SQLITE_READONLY": "it is read-only",
    "SQLITE_CANTOPEN": "it cannot be opened for writing (check the permissions of it and its folder)",
    "SQLITE_PERM": "permission denied",
    "SQLITE_AUTH": "permission denied",
    "SQLITE_BUSY": "another process is using it",
    "SQLITE_LOCKED": "another process is using it",
    "SQLITE_NOMEM": "out of memory",
}
#: For errors that carry no result code (raised without one, or by an older sqlite3 module).
_BY_MESSAGE = (
    ("database or disk is full", "SQLITE_FULL"),
    ("readonly database", "SQLITE_READONLY"),
    ("unable to open database file", "SQLITE_CANTOPEN"),
    ("disk i/o error", "SQLITE_IOERR"),
    ("database is locked", "SQLITE_BUSY"),
    ("malformed", "SQLITE_CORRUPT"),
    ("file is not a database", "SQLITE_NOTADB"),
)


def _sqlite_error(exc: BaseException) -> bool:
    """Raised by SQLite itself (not one of this module's own checks)."""
    return getattr(exc, "sqlite_errorcode", None) is not None


def _fetch_all(conn: sqlite3.Connection, *, query: str, params: tuple[Any, ...]) -> list[Any]:
    return conn.execute(query, params).fetchall()


def _replacing(data: bytes) -> str:
    """A stored text as a str, each byte that is not UTF-8 replaced by U+FFFD (a
    connection's text_factory: sqlite3's own raises for the whole read)."""
    return data.decode("utf-8", "replace")


def _replaced(value: Any) -> bool:
    """A stored text that may have been read with U+FFFD for bytes that are not UTF-8."""
    return isinstance(value, str) and "\ufffd" in value


def _undecodable(exc: BaseException) -> bool:
    """sqlite3's error for a stored text that is not UTF-8 (Python's, not SQLite's: it
    names no SQLite error code)."""
    return not _sqlite_error(exc) and str(exc).startswith("Could not decode to UTF-8")


def _kind(exc: BaseException) -> str | None:
    """The primary SQLite result code name of an error ("SQLITE_IOERR" for
    "SQLITE_IOERR_WRITE"), or None when it names none."""
    name = getattr(exc, "sqlite_errorname", None)
    if isinstance(name, str) and name.startswith("SQLITE_"):
        return "_".join(name.split("_")[:2])
    text = str(exc).lower()
    return next((kind for words, kind in _BY_MESSAGE if words in text), None)


def _passes_quick_check(path: Path) -> bool:
    """Whether SQLite finds the file sound (PRAGMA quick_check, read-only)."""
    try:
        conn = _connect_read_only(path)
    except (sqlite3.DatabaseError, OSError):
        return False
    try:
        problems = [row[0] for row in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()
    # SQLite 3.40 reports every row of a WITHOUT ROWID table (history) as "NULL value in
    # history.state" although none is: a content check gone wrong, not a damaged file.
    return all(p == "ok" or p.startswith("NULL value in ") for p in problems)


def _free_space(path: Path) -> str:
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        free: float = shutil.disk_usage(folder).free
    except OSError:
        return "unknown space"
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if free < 1024 or unit == "TB":
            return f"{free} {unit}" if unit == "bytes" else f"{free:.1f} {unit}"
        free /= 1024
    return f"{free:.1f} TB"  # pragma: no cover


class StagedSync:
    """One sync's listings, written as they come without changing the cache until
    :meth:`commit`: batches go to temporary tables of the cache's connection (on disk, not
    in memory), and the commit moves them in and stores the rest of the sync in one
    transaction, exactly as :meth:`ListingCache.write_sync` describes. Until then readers
    see the cache as it was; :meth:`discard` (or a sync that never commits) leaves it so.
    """

    _serial = itertools.count(1)

    def __init__(self, cache: ListingCache) -> None:
        self._cache = cache
        self.count = 0  # listings staged
        # Its own tables: a sync still finishing must not touch the next one's.
        self._tables = _Staging(next(self._serial))
        self._discarded = False
        self._codes: dict[tuple[Finding, ...], str] = {}  # CSV finding codes cells made
        cache._transaction(self._tables.create)
        self._conn = cache._conn

    def add(self, entries: Iterable[tuple[ListingRecord, RawEvidence]]) -> None:
        """Stage a batch (a listing staged again replaces its earlier version)."""
        rows, evidence, lines = [], [], []
        for record, raw in entries:
            rows.append(_record_row(record, None, ""))
            evidence.append(_evidence_row(raw))
            head, tail = csv_line_parts(record, self._codes)
            lines.append((record.sku, head, tail, int(record.needs_attention)))
        self._write(lambda conn: self._tables.insert(conn, rows, evidence, lines))
        self.count += len(rows)

    def keep(self, skus: Iterable[str]) -> None:
        """These listings were found as they are stored: the commit leaves their rows as
        they are (only noting that this sync saw them)."""
        rows = [(sku,) for sku in skus]
        if rows:
            insert = f"INSERT OR REPLACE INTO {self._tables.kept} VALUES (?)"
            self._write(lambda conn: conn.executemany(insert, rows))

    def kept_raw_batches(self, size: int) -> Iterator[list[RawEvidence]]:
        """The stored evidence of the listings kept (to diagnose them again after all)."""
        yield from self._evidence_batches(
            f"SELECT {_EVIDENCE_COLUMNS} FROM evidence WHERE sku IN"
            f" (SELECT sku FROM {self._tables.kept} WHERE sku > ? ORDER BY sku LIMIT ?)"
            " ORDER BY sku",
            size,
        )

    def commit(
        self,
        *,
        product_types: Mapping[str, tuple[dict[str, Any], dict[str, Any]]],
        info: SyncInfo,
        account_health: Mapping[str, Any] | None = None,
        account_health_request: tuple[str, datetime] | None = None,
        gone: Collection[str] = (),
    ) -> None:
        """Store the staged listings and the sync's metadata in one transaction. ``gone``:
        listings Amazon says it does not know (404), dropped with their history even from
        an incomplete sync."""
        with self._cache._lock:
            self._check()
            self._discarded = True  # moved in: nothing left to stage or drop
            self._cache._commit_sync(
                self._tables,
                product_types=product_types,
                info=info,
                account_health=account_health,
                account_health_request=account_health_request,
                gone=gone,
            )

    def raw_batches(self, size: int) -> Iterator[list[RawEvidence]]:
        """What was staged, ``size`` listings at a time, in SKU order (to diagnose it again)."""
        yield from self._evidence_batches(
            f"SELECT {_EVIDENCE_COLUMNS} FROM {self._tables.evidence}"
            " WHERE sku > ? ORDER BY sku LIMIT ?",
            size,
        )

    def _evidence_batches(self, query: str, size: int) -> Iterator[list[RawEvidence]]:
        """Keyset pages of evidence rows: ``query`` takes (after SKU, limit), SKU first."""
        after = ""
        while True:
            with self._cache._lock:
                self._check()
                rows = self._conn.execute(query, (after, size)).fetchall()
            if not rows:
                return
            after = rows[-1][0]
            yield self._cache._decoded_rows(rows, _raw_from_row, "evidence")

    def discard(self) -> None:
        """Forget what was staged (a batch still being written is dropped too)."""
        with self._cache._lock:
            if self._cache._conn is self._conn and not self._discarded:
                self._cache._transaction(self._tables.drop)
            self._discarded = True

    def _write(self, write: Callable[[sqlite3.Connection], object]) -> None:
        with self._cache._lock:
            if self._discarded:
                return
            self._check()
            self._cache._transaction(write)

    def _check(self) -> None:
        """(with the cache's _lock held) The staging tables are still there."""
        self._cache._follow()  # another asin-tui started the file afresh: staging is gone
        if self._cache._conn is not self._conn:  # moved aside and rebuilt: staging is gone
            raise CacheError(
                f"the listing cache {self._cache.path} was rebuilt during the sync; sync again"
            )


# ---------------------------------------------------------------------- connection


def enable_wal(conn: sqlite3.Connection, timeout: float) -> None:
    """Put the file in write-ahead-log mode, waiting up to ``timeout`` seconds for another
    process that holds a lock on it. SQLite answers SQLITE_BUSY at once to the switch, without
    calling the busy handler that ``connect(timeout=)`` sets, while another asin-tui is making
    or writing the same new file; this retries it, as the busy handler would."""
    deadline = time.monotonic() + timeout
    pause = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if _kind(exc) not in ("SQLITE_BUSY", "SQLITE_LOCKED") or time.monotonic() > deadline:
                raise
        time.sleep(pause)  # no event to wait on: another process holds SQLite's file lock
        pause = min(pause * 2, 0.1)


def connect_cache(path: Path) -> sqlite3.Connection:
    """A read-write connection to the cache file at ``path`` (made private, WAL, its schema
    created or checked): ListingCache's, and the event store's (the same file)."""
    _make_private(path)
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
    conn.text_factory = _replacing  # a row another tool wrote badly is no corrupt file
    try:
        enable_wal(conn, 10)
        conn.execute("PRAGMA synchronous=NORMAL")
        version = _schema_version(conn)
        if version is None:
            with _immediate(conn):
                if _schema_version(conn) is None:  # another process may have won the race
                    for statement in _SCHEMA.split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    conn.execute(
                        "INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
                    )
        elif version != SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"cache schema version {version}, this asin-tui uses {SCHEMA_VERSION}"
            )
        had_last_quantity = _has_table(conn, "last_quantity")
        had_line_triggers = has_line_triggers(conn)
        conn.executescript(_ADDED_TABLES)
        if not had_line_triggers:  # a file from before them, or whose triggers were dropped:
            with _immediate(conn):  # a line stored meanwhile may not be its row's
                conn.execute("DELETE FROM csv_lines")
        _add_columns(conn)
        if not had_last_quantity:  # a file from before it: start it from what is cached
            with _immediate(conn):
                conn.execute(
                    "INSERT OR IGNORE INTO last_quantity SELECT sku, quantity, synced_at"
                    f" FROM listings WHERE {_ON_SALE_MFN}"
                )
    except BaseException:
        conn.close()
        raise
    return conn


def has_line_triggers(conn: sqlite3.Connection) -> bool:
    """The file has its stored CSV lines' table and every trigger that keeps them their
    rows' (a file from before them has none; one whose triggers another tool dropped may
    hold lines that are not their rows')."""
    query = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?, ?)"
    (found,) = conn.execute(query, CSV_LINE_TRIGGERS).fetchone()
    return found == len(CSV_LINE_TRIGGERS) and _has_table(conn, "csv_lines")


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return conn.execute(query, (name,)).fetchone() is not None


#: The listings rows whose quantity is a merchant-fulfilled one above 0 (last_quantity).
_ON_SALE_MFN = "fulfillment_channel = 'MFN' AND quantity > 0"


def _remember_quantities(conn: sqlite3.Connection, table: str, seen_at: str) -> None:
    """Keep the MFN quantity above 0 of the rows of ``table`` as each SKU's last known."""
    conn.execute(
        f"INSERT OR REPLACE INTO last_quantity SELECT sku, quantity, ? FROM {table}"
        f" WHERE {_ON_SALE_MFN}",
        (seen_at,),
    )


def _make_private(path: Path) -> None:
    """Listings, prices and account health are nobody else's: the cache folder is 0700 and
    the file 0600, created so before SQLite opens it (its -wal, -shm and -journal files take
    the database file's mode). Files an older asin-tui left 0644, and copies set aside, are
    made private too."""
    ensure_private_dir(path.parent)
    # it exists already; or cannot be made (a read-only folder): SQLite says why, as it did
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, PRIVATE_FILE))
    try:  # a FIFO or device is no cache: never opened; a symbolic link never followed
        check_own_file(path)
    except NotRegularFile:
        raise CacheError(f"the listing cache {path} is not a regular file; move it away") from None
    make_private_files(path)


def _add_columns(conn: sqlite3.Connection) -> None:
    """Add the columns of _ADDED_COLUMNS an older file lacks (under the write lock: another
    process may be adding them too)."""

    def lacking() -> list[tuple[str, str, str]]:
        return [
            (table, column, kind)
            for table, column, kind in _ADDED_COLUMNS
            if column not in {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        ]

    if lacking():
        with _immediate(conn):
            for table, column, kind in lacking():
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """Open a cache only to read it (a read-only file or folder)."""

    def ours(conn: sqlite3.Connection) -> bool:
        if _schema_version(conn) != SCHEMA_VERSION:
            raise sqlite3.DatabaseError("not an asin-tui cache of this version")
        return True

    conn = connect_read_only(path, ours)
    assert conn is not None  # ours() never says False
    return conn


def connect_read_only(
    path: Path, usable: Callable[[sqlite3.Connection], bool]
) -> sqlite3.Connection | None:
    """Open the SQLite file ``path`` only to read it (a read-only file or folder: the cache,
    the case store): ``mode=ro``, or, when SQLite cannot even create its shared-memory
    file beside it, ``immutable=1``. ``usable(conn)`` looks at what opened: False, None is
    returned; a DatabaseError it raises tries the next way, and the last one is raised; any
    other exception is raised at once (the connection closed in both cases)."""
    last: sqlite3.DatabaseError | None = None
    for flags in ("mode=ro", "mode=ro&immutable=1"):
        uri = f"file:{quote(str(path.resolve()))}?{flags}"
        try:
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
        except sqlite3.DatabaseError as exc:
            last = exc
            continue
        try:
            if usable(conn):
                return conn
        except sqlite3.DatabaseError as exc:
            conn.close()
            last = exc
            continue
        except BaseException:
            conn.close()
            raise
        conn.close()
        return None
    assert last is not None
    raise last


def _schema_version(conn: sqlite3.Connection) -> int | None:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not tables:
        return None
    if "meta" not in tables:
        raise sqlite3.DatabaseError("not an asin-tui cache (no meta table)")
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None or not str(row[0]).isdigit():
        raise sqlite3.DatabaseError("the cache has no valid schema version")
    return int(row[0])


@contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction (BEGIN IMMEDIATE: take the write lock up front)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:  # SQLite rolls back by itself after some errors (disk full)
            with contextlib.suppress(sqlite3.DatabaseError):
                conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.DatabaseError):
                conn.execute("ROLLBACK")
        raise


def _move_aside(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    if path.exists():
        path.replace(target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.replace(target.with_name(target.name + suffix))
    return target


# ---------------------------------------------------------------------- writing rows


_HISTORY_INSERT = "INSERT OR REPLACE INTO history (sku, state, since, cause) VALUES (?, ?, ?, ?)"


def _upsert_listings(
    conn: sqlite3.Connection,
    entries: Iterable[tuple[ListingRecord, RawEvidence]],
    observed: datetime,
) -> set[str]:
    """Insert or replace rows, appending a history entry where the state changed."""
    entries = list(entries)
    current = _latest_states(conn, [record.sku for record, _ in entries])
    observed_text = _utc_text(observed)
    changes: list[tuple[str, str, str, str]] = []
    rows: list[tuple[Any, ...]] = []
    stored: list[tuple[ListingRecord, str | None]] = []
    for record, _ in entries:
        last = current.get(record.sku)
        last_state, _, since = last.partition("|") if last else ("", "", "")
        if last_state != record.state.value:
            since = observed_text
            changes.append((record.sku, record.state.value, since, record.main_cause))
        inactive_since = since if record.state.needs_attention else None
        rows.append(_record_row(record, inactive_since, observed_text))
        stored.append((record, inactive_since))
    conn.executemany(_HISTORY_INSERT, changes)
    conn.executemany(f"INSERT OR REPLACE INTO listings VALUES ({_LISTING_PARAMS})", rows)
    conn.executemany(_CSV_LINE_INSERT, _csv_line_rows(stored))  # after their rows (triggers)
    conn.executemany(
        f"INSERT OR REPLACE INTO evidence VALUES ({_EVIDENCE_PARAMS})",
        [_evidence_row(raw) for _, raw in entries],
    )
    conn.executemany(
        "INSERT OR REPLACE INTO last_quantity VALUES (?, ?, ?)",
        [
            (record.sku, record.quantity, observed_text)
            for record, _ in entries
            if record.fulfillment_channel == "MFN" and (record.quantity or 0) > 0
        ],
    )
    return {row[0] for row in rows}


@dataclass(frozen=True, slots=True)
class _Staging:
    """The temporary tables one StagedSync writes to: copies of the listings and evidence
    tables (same columns and keys), in the connection's temp schema."""

    serial: int

    @property
    def listings(self) -> str:
        return f"temp.staged_listings_{self.serial}"

    @property
    def evidence(self) -> str:
        return f"temp.staged_evidence_{self.serial}"

    @property
    def kept(self) -> str:
        """SKUs the sync found unchanged: their rows stay as they are."""
        return f"temp.staged_kept_{self.serial}"

    @property
    def lines(self) -> str:
        """Each staged listing's CSV line around its inactive_since cell (worked out as the
        listings move in): csv_line_parts' head and tail, and whether it needs attention."""
        return f"temp.staged_lines_{self.serial}"

    @property
    def since(self) -> str:
        """Each inactive_since text the moved-in listings hold -> its CSV cell."""
        return f"temp.staged_since_{self.serial}"

    def create(self, conn: sqlite3.Connection) -> None:
        self.drop(conn)
        conn.execute(f"CREATE TABLE {self.kept} (sku TEXT PRIMARY KEY) WITHOUT ROWID")
        conn.execute(
            f"CREATE TABLE {self.lines} (sku TEXT PRIMARY KEY, head TEXT NOT NULL,"
            " tail TEXT NOT NULL, attention INTEGER NOT NULL) WITHOUT ROWID"
        )
        for table, staged in (("listings", self.listings), ("evidence", self.evidence)):
            (ddl,) = conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
            ).fetchone()
            conn.execute(ddl.replace(f"CREATE TABLE {table}", f"CREATE TABLE {staged}", 1))

    def drop(self, conn: sqlite3.Connection) -> None:
        conn.execute(f"DROP TABLE IF EXISTS {self.listings}")
        conn.execute(f"DROP TABLE IF EXISTS {self.evidence}")
        conn.execute(f"DROP TABLE IF EXISTS {self.kept}")
        conn.execute(f"DROP TABLE IF EXISTS {self.lines}")
        conn.execute(f"DROP TABLE IF EXISTS {self.since}")

    def insert(
        self,
        conn: sqlite3.Connection,
        rows: list[tuple[Any, ...]],
        evidence: list[tuple[Any, ...]],
        lines: list[tuple[str, str, str, int]],
    ) -> None:
        conn.executemany(f"INSERT OR REPLACE INTO {self.listings} VALUES ({_LISTING_PARAMS})", rows)
        conn.executemany(f"INSERT OR REPLACE INTO {self.lines} VALUES (?, ?, ?, ?)", lines)
        conn.executemany(
            f"INSERT OR REPLACE INTO {self.evidence} VALUES ({_EVIDENCE_PARAMS})", evidence
        )

    def move_in(self, conn: sqlite3.Connection, observed: datetime) -> set[str]:
        """Move the staged listings in as of ``observed``, appending a history entry where
        the state changed and setting ``inactive_since`` from the history; returns their SKUs."""
        conn.execute(f"DELETE FROM {self.kept} WHERE sku IN (SELECT sku FROM {self.listings})")
        kept = {sku for (sku,) in conn.execute(f"SELECT sku FROM {self.kept}")}
        conn.execute("INSERT OR REPLACE INTO meta VALUES (?, '1')", (_KEEP_LINES,))
        conn.execute(  # their lines stay theirs: only when they were seen changes
            f"UPDATE listings SET synced_at = ? WHERE sku IN (SELECT sku FROM {self.kept})",
            (_utc_text(observed),),
        )
        conn.execute("DELETE FROM meta WHERE key = ?", (_KEEP_LINES,))
        staged = conn.execute(f"SELECT sku, state, main_cause FROM {self.listings}").fetchall()
        current = _latest_states(conn, [sku for sku, _, _ in staged])
        observed_text = _utc_text(observed)
        changes, since_by_sku = [], []
        for sku, state, cause in staged:
            last_state, _, since = current.get(sku, "").partition("|")
            if last_state != state:
                since = observed_text
                changes.append((sku, state, since, cause))
            if _STATES[state].needs_attention:
                since_by_sku.append((since, sku))
        conn.executemany(_HISTORY_INSERT, changes)
        conn.execute(f"UPDATE {self.listings} SET synced_at = ?", (observed_text,))
        conn.executemany(
            f"UPDATE {self.listings} SET inactive_since = ? WHERE sku = ?", since_by_sku
        )
        conn.execute(f"INSERT OR REPLACE INTO listings SELECT * FROM {self.listings}")
        self._store_lines(conn)  # after their rows (the triggers drop the lines before)
        _remember_quantities(conn, self.listings, observed_text)
        conn.execute(f"INSERT OR REPLACE INTO evidence SELECT * FROM {self.evidence}")
        self.drop(conn)
        return {sku for sku, _, _ in staged} | kept

    def _store_lines(self, conn: sqlite3.Connection) -> None:
        """The moved-in listings' CSV lines: head, the inactive_since cell of the time each
        was stored with, tail (a time that does not read back gets no line: the report
        renders that listing, as it reads it)."""
        memo: dict[str, str | None] = {}
        cells = [
            (raw, cell)
            for (raw,) in conn.execute(f"SELECT DISTINCT inactive_since FROM {self.listings}")
            if raw is not None and (cell := _since_cell(raw, memo)) is not None
        ]
        conn.execute(
            f"CREATE TABLE {self.since} (raw TEXT PRIMARY KEY, cell TEXT NOT NULL) WITHOUT ROWID"
        )
        conn.executemany(f"INSERT OR REPLACE INTO {self.since} VALUES (?, ?)", cells)
        conn.execute(
            f"INSERT OR REPLACE INTO csv_lines SELECT s.sku, {CSV_LINE_FORMAT},"
            " s.head || CASE WHEN l.inactive_since IS NULL THEN '' ELSE m.cell END || s.tail,"
            f" s.attention FROM {self.lines} s JOIN {self.listings} l ON l.sku = s.sku"
            f" LEFT JOIN {self.since} m ON m.raw = l.inactive_since"
            " WHERE l.inactive_since IS NULL OR m.cell IS NOT NULL"
        )


_CSV_LINE_INSERT = "INSERT OR REPLACE INTO csv_lines VALUES (?, ?, ?, ?)"


def _csv_line_rows(
    stored: Iterable[tuple[ListingRecord, str | None]],
) -> list[tuple[str, int, str, int]]:
    """The csv_lines rows of listings as they are stored (each with the inactive_since text
    it is stored with: a time that does not read back gets no line, the report renders it)."""
    codes: dict[tuple[Finding, ...], str] = {}
    memo: dict[str, str | None] = {}
    rows = []
    for record, since in stored:
        cell = "" if since is None else _since_cell(since, memo)
        if cell is not None:
            head, tail = csv_line_parts(record, codes)
            line = head + cell + tail
            rows.append((record.sku, CSV_LINE_FORMAT, line, int(record.needs_attention)))
    return rows


def _since_cell(text: Any, memo: dict[str, str | None]) -> str | None:
    """The inactive_since cell of a stored time as the report reads it back (None: it does
    not read back)."""
    if text in memo:
        return memo[text]
    try:
        cell: str | None = csv_since(_moment(text))
    except _BAD_ROW:
        cell = None
    if isinstance(text, str):
        memo[text] = cell
    return cell


def _fill_csv_lines(conn: sqlite3.Connection, size: int = 5000) -> None:
    """Store the CSV line of each listing that has none of this form (a cache from before
    them, a row another tool wrote since), rendered from the row as a read decodes it; a
    row that does not decode, or whose text is not UTF-8, gets none (the report renders it
    the way that names it)."""
    query = (
        f"SELECT {_RECORD_COLUMNS} FROM listings l WHERE l.sku > ? AND NOT EXISTS"
        f" (SELECT 1 FROM csv_lines r WHERE r.sku = l.sku AND r.format = {CSV_LINE_FORMAT})"
        " ORDER BY l.sku LIMIT ?"
    )
    codes: dict[tuple[Finding, ...], str] = {}
    after = ""
    while rows := conn.execute(query, (after, size)).fetchall():
        after = rows[-1][0]
        whole = [row for row in rows if not any(map(_replaced, row))]
        records, _ = _records_from_rows(whole)
        lines = [
            (r.sku, CSV_LINE_FORMAT, csv_line(r, codes), int(r.needs_attention)) for r in records
        ]
        conn.executemany(_CSV_LINE_INSERT, lines)
        if len(rows) < size:
            return


def _upsert_product_types(
    conn: sqlite3.Connection, product_types: Mapping[str, tuple[dict[str, Any], dict[str, Any]]]
) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO product_types VALUES (?, ?, ?)",
        [(pt, _dumps(d), _dumps(s)) for pt, (d, s) in product_types.items()],
    )


def _write_account_health(
    conn: sqlite3.Connection,
    document: Mapping[str, Any] | None,
    fetched_at: datetime,
    request: tuple[str, datetime] | None,
) -> None:
    if document is not None:
        conn.execute(
            "INSERT OR REPLACE INTO account_health VALUES (1, ?, ?)",
            (_utc_text(fetched_at), _dumps(document)),
        )
    conn.execute("DELETE FROM account_health_request")
    if request is not None:
        report_id, requested_at = request
        conn.execute(
            "INSERT INTO account_health_request VALUES (1, ?, ?)",
            (report_id, _utc_text(requested_at)),
        )


def _latest_states(conn: sqlite3.Connection, skus: list[str]) -> dict[str, str]:
    """SKU -> "STATE|since" of its latest history entry (the whole table for big batches)."""
    query = (
        "SELECT h.sku, h.state || '|' || h.since FROM history h"
        " JOIN (SELECT sku, max(since) AS since FROM history {where} GROUP BY sku) last"
        " ON h.sku = last.sku AND h.since = last.since"
    )
    if len(skus) == 1:
        return dict(conn.execute(query.format(where="WHERE sku = ?"), skus))
    return dict(conn.execute(query.format(where="")))


def _utc_text(moment: datetime) -> str:
    """ISO text in UTC, so history timestamps sort as text."""
    return moment.astimezone(UTC).isoformat()


def _forget(conn: sqlite3.Connection, skus: Sequence[str]) -> None:
    """Drop these listings: rows, evidence and state history."""
    params = [(sku,) for sku in skus]
    for table in ("listings", "evidence", "history", "last_quantity"):
        conn.executemany(f"DELETE FROM {table} WHERE sku = ?", params)


def _drop_unseen(
    conn: sqlite3.Connection, seen: set[str], observed: datetime, *, forget: bool
) -> None:
    """Remove cached SKUs a complete sync did not return.

    forget=True (include_all): the SKU no longer exists, its history goes too.
    forget=False (needs-attention scope): it no longer needs attention; history notes ACTIVE.
    """
    where = "" if forget else " WHERE needs_attention = 1"
    gone = [sku for (sku,) in conn.execute(f"SELECT sku FROM listings{where}") if sku not in seen]
    params = [(sku,) for sku in gone]
    conn.executemany("DELETE FROM listings WHERE sku = ?", params)
    conn.executemany("DELETE FROM evidence WHERE sku = ?", params)
    if forget:
        conn.executemany("DELETE FROM history WHERE sku = ?", params)
        conn.executemany("DELETE FROM last_quantity WHERE sku = ?", params)
    else:
        stamp = _utc_text(observed)
        conn.executemany(_HISTORY_INSERT, [(sku, State.ACTIVE.value, stamp, None) for sku in gone])


def _record_row(
    record: ListingRecord, inactive_since: str | None, synced_at: str
) -> tuple[Any, ...]:
    main = record.findings[0] if record.findings else None
    return (
        record.sku,
        record.state.value,
        record.state.rank,
        int(record.listed_by_default),
        record.asin,
        record.title,
        record.marketplace_id,
        int(record.buyable),
        int(record.discoverable),
        record.main_cause,
        main.severity.value if main else None,
        record.product_type,
        record.condition_type,
        record.fulfillment_channel,
        record.quantity,
        record.inbound,
        str(record.price) if record.price is not None else None,
        record.currency,
        inactive_since,
        _dumps([_finding_row(f) for f in record.findings]),
        synced_at,
        _dumps_opt(list(record.amazon_status) if record.amazon_status is not None else None),
    )


def _evidence_row(raw: RawEvidence) -> tuple[Any, ...]:
    return (
        raw.sku,
        _dumps(raw.item),
        _dumps_opt(raw.inventory),
        _dumps_opt(raw.restrictions),
        _dumps_opt(raw.catalog),
        int(raw.catalog_not_found),
        _dumps(dict(raw.gaps)) if raw.gaps else None,
        _dumps(dict(raw.fetched)) if raw.fetched else None,
        raw.digest,
    )


def _finding_row(f: Finding) -> list[Any]:
    step = f.step.value if f.step else None
    return [f.category.value, f.severity.value, f.code, f.title, f.detail, f.fix,
            list(f.attributes), step, f.issue_code, f.brief]  # fmt: skip


# ---------------------------------------------------------------------- reading rows


_STATES = {s.value: s for s in State}
_STATE_BY_RANK = {s.rank: s for s in State}
_CATEGORIES = {c.value: c for c in Category}
_SEVERITIES = {s.value: s for s in Severity}
_STEPS = {s.value: s for s in WizardStep}


#: What decoding a row that does not hold what asin-tui wrote raises (tampered with, or
#: written by something else): it is left out of the read, never a traceback.
_BAD_ROW = (ValueError, TypeError, KeyError, AttributeError, ArithmeticError, RecursionError)


def _records_from_rows(rows: Iterable[tuple[Any, ...]]) -> tuple[list[ListingRecord], list[str]]:
    """Rows -> (records, the SKUs of the rows that could not be decoded), fast: identical
    findings JSON (common: "[]", one cause) is decoded once."""
    findings_memo: dict[str, tuple[Finding, ...]] = {}
    statuses: dict[str, tuple[str, ...]] = {}
    dates: dict[str, datetime] = {}
    records, bad = [], []
    for row in rows:
        try:
            records.append(_record_from_row(row, findings_memo, statuses, dates))
        except _BAD_ROW:
            bad.append(row[0] if isinstance(row[0], str) else repr(row[0]))
    return records, bad


_OPTIONAL_TEXT = (str, type(None))
_OPTIONAL_INT = (int, type(None))


def _record_from_row(
    row: tuple[Any, ...],
    findings_memo: dict[str, tuple[Finding, ...]],
    statuses: dict[str, tuple[str, ...]],
    dates: dict[str, datetime],
) -> ListingRecord:
    (sku, asin, title, marketplace_id, state, buyable, discoverable, findings_json,
     product_type, condition_type, channel, quantity, inbound, price, currency, since,
     amazon_status) = row  # fmt: skip
    # what asin-tui writes, checked inline (100,000 rows are read at start)
    if not (
        type(sku) is type(title) is type(marketplace_id) is str
        and type(asin) in _OPTIONAL_TEXT
        and type(product_type) in _OPTIONAL_TEXT
        and type(condition_type) in _OPTIONAL_TEXT
        and type(channel) in _OPTIONAL_TEXT
        and type(currency) in _OPTIONAL_TEXT
        and type(quantity) in _OPTIONAL_INT
        and type(inbound) in _OPTIONAL_INT
        and type(buyable) is type(discoverable) is int
    ):
        raise TypeError("a listing column of the wrong type")
    findings = findings_memo.get(findings_json)
    if findings is None:
        findings = findings_memo[_text(findings_json)] = _findings(findings_json)
    since_dt = None
    if since is not None:
        since_dt = dates.get(since)
        if since_dt is None:
            since_dt = dates[since] = _moment(since)
    if price is not None:
        price = decode_price(price)
    return ListingRecord(
        sku,
        asin,
        title,
        marketplace_id,
        _STATES[state],
        bool(buyable),
        bool(discoverable),
        findings,
        product_type,
        condition_type,
        channel,
        quantity,
        inbound,
        price,
        currency,
        since_dt,
        _status_memo(amazon_status, statuses),
    )


#: The listing columns a record is decoded from (:meth:`ListingCache.decoded_records`).
RECORD_COLUMNS = _RECORD_COLUMNS
#: What the decode_* functions raise for a stored value asin-tui did not write.
DECODE_ERRORS = _BAD_ROW


def decode_findings(text: Any) -> tuple[Finding, ...]:
    """A listing's stored findings (JSON), as a record read from the cache has them;
    TypeError, ValueError... when it does not hold what asin-tui writes."""
    return _findings(text)


def decode_status(text: Any) -> tuple[str, ...]:
    """A listing's stored Amazon status (a JSON list of strings, not NULL), as read."""
    status = _status_memo(text, {})
    if status is None:
        raise TypeError("amazon_status: expected a JSON list of strings")
    return status


def decode_price(text: Any) -> Decimal:
    """A stored price (its decimal text, finite), as read."""
    price = Decimal(_text(text))
    if not price.is_finite():
        raise ValueError("price is not a finite number")
    return price


def decode_moment(text: Any) -> datetime:
    """A stored time (ISO text with its time zone), as read."""
    return _moment(text)


def _status_memo(text: str | None, memo: dict[str, tuple[str, ...]]) -> tuple[str, ...] | None:
    """Amazon's status as stored (a JSON list; NULL: no summary, or a row written before the
    column existed), decoded once per distinct value."""
    if text is None:
        return None
    status = memo.get(text)
    if status is None:
        decoded = json.loads(_text(text))
        if not isinstance(decoded, list) or not all(type(v) is str for v in decoded):
            raise TypeError("amazon_status: expected a JSON list of strings")
        status = memo[text] = tuple(decoded)
    return status


def _raw_from_row(row: tuple[Any, ...]) -> RawEvidence:
    sku, item, inventory, restrictions, catalog, not_found, gaps, fetched, digest = row
    restrictions = _loads(restrictions)
    if restrictions is not None and not (
        isinstance(restrictions, list) and all(isinstance(r, dict) for r in restrictions)
    ):
        raise TypeError("restrictions: expected a list of objects")
    return RawEvidence(
        sku=_text(sku),
        item=_object(item),
        inventory=_opt_object(inventory),
        restrictions=restrictions,
        catalog=_opt_object(catalog),
        catalog_not_found=_flag(not_found),
        gaps=_opt_object(gaps) or {},
        fetched=_opt_object(fetched) or {},
        digest=_opt_text(digest),
    )


def _sync_from_row(row: tuple[Any, ...]) -> SyncInfo:
    started, finished, include_all, complete, failed, listings, missing = row
    failed, missing = _object(failed), _opt_object(missing) or {}
    if not all(isinstance(v, str) for v in failed.values()) or not all(
        v is None or type(v) is int for v in missing.values()
    ):
        raise TypeError("sync: failed or missing of the wrong types")
    return SyncInfo(
        started_at=_moment(started),
        finished_at=_moment(finished),
        include_all=_flag(include_all),
        complete=_flag(complete),
        failed=failed,
        listings=_opt_int(listings) or 0,
        missing=missing,
    )


def _findings(text: str) -> tuple[Finding, ...]:
    entries = json.loads(_text(text))
    if not isinstance(entries, list):
        raise TypeError("findings: expected a list")
    findings = []
    # rows written before findings had a brief have 9 fields
    for (
        category,
        severity,
        code,
        title,
        detail,
        fix,
        attributes,
        step,
        issue_code,
        *brief,
    ) in entries:
        if not isinstance(attributes, list) or len(brief) > 1:
            raise TypeError("finding attributes: expected a list")
        findings.append(
            Finding(
                category=_CATEGORIES[category],
                severity=_SEVERITIES[severity],
                code=_text(code),
                title=_text(title),
                detail=_text(detail),
                fix=_text(fix),
                attributes=tuple(_text(a) for a in attributes),
                step=_STEPS[step] if step else None,
                issue_code=_opt_text(issue_code),
                brief=_text(brief[0]) if brief else "",
            )
        )
    return tuple(findings)


def _text(value: Any) -> str:
    if type(value) is not str:
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _opt_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _opt_int(value: Any) -> int | None:
    if value is not None and type(value) is not int:
        raise TypeError(f"expected a whole number, got {type(value).__name__}")
    return value


def _int(value: Any) -> int:
    if type(value) is not int:
        raise TypeError(f"expected a whole number, got {type(value).__name__}")
    return value


def _flag(value: Any) -> bool:
    if value not in (0, 1) or type(value) is not int:
        raise ValueError(f"expected 0 or 1, got {value!r}")
    return bool(value)


def _moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(_text(value))
    if moment.tzinfo is None:
        raise ValueError(f"a time without its time zone: {value!r}")
    return moment


def _object(text: Any) -> dict[str, Any]:
    value = json.loads(_text(text))
    if not isinstance(value, dict):
        raise TypeError("expected a JSON object")
    return value


def _opt_object(text: Any) -> dict[str, Any] | None:
    return None if text is None else _object(text)


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _dumps_opt(value: Any) -> str | None:
    return None if value is None else _dumps(value)


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)
