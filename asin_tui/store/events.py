"""The event store: what `asin-tui watch` found, kept in the account's cache file.

One row per event (``events``: its key, kind, SKU, time and the JSON line it is), and one row
per event and alert channel (``event_deliveries``: sent or not, attempts, the last error). An
event is written, with a delivery row for each channel, in one transaction BEFORE anything
is sent; a channel that fails leaves its row unsent, and the next round sends it again. The
TUI reads the same table ("since you last looked", a listing's timeline).

Events older than KEEP_DAYS are pruned, so the file stays bounded over weeks of rounds.

In the same transaction as a round's (or a notification's) events, the listings they were
judged from are copied to `watch`'s snapshot (store/cache.py WATCH_SEEN_TABLE): the next look
compares with it, so nothing the cache took in is lost between looks, whatever stops `watch`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from asin_tui.domain.events import Event
from asin_tui.store.atomic import file_identity
from asin_tui.store.cache import (
    _RECORD_COLUMNS,
    WATCH_SEEN_KEY,
    WATCH_SEEN_TABLE,
    CacheError,
    connect_cache,
)

KEEP_DAYS = 90


@dataclass(frozen=True, slots=True)
class StoredEvent:
    id: int
    kind: str
    sku: str | None
    created_at: datetime
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Delivery:
    """An event a channel has not sent yet."""

    event: StoredEvent
    channel: str
    attempts: int


class EventStore:
    """The events of one profile+marketplace cache file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn, self._file = self._open()

    def _open(self) -> tuple[sqlite3.Connection, tuple[int, int] | None]:
        """A connection to the file at ``path`` and which file that is."""
        try:
            conn = connect_cache(self.path)
        except sqlite3.Error as exc:
            raise CacheError(f"the event store {self.path} cannot be opened: {exc}") from None
        return conn, file_identity(self.path)

    def _current(self) -> sqlite3.Connection:
        """The connection, to the file now at ``path`` (call with the lock held): the cache
        (this process's, or another asin-tui's) may have set a corrupt file aside and
        started a new one since: events go to the new one, never to the file set aside."""
        now = file_identity(self.path)
        if now is not None and now != self._file:
            conn, self._file = self._open()
            self._conn.close()
            self._conn = conn
        return self._conn

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def add(
        self,
        events: Iterable[Event],
        profile: str,
        channels: Sequence[str],
        *,
        seen: Literal["all"] | Sequence[str] = (),
        now: datetime | None = None,
    ) -> list[StoredEvent]:
        """Store the events not stored before (by key) with an unsent delivery for each
        channel, all in one transaction; returns the new ones, oldest first. ``seen``: the
        listings these events were judged from, whose cached rows become `watch`'s snapshot
        in the same transaction: "all" (a round), or some SKUs (a notification's re-check;
        only once a round has made the snapshot)."""
        added: list[StoredEvent] = []
        with self._lock, self._write() as conn:
            _snapshot(conn, seen, now or datetime.now(UTC))
            for event in events:
                key = f"{event.kind.value}|{event.key}"
                payload = event.to_dict(profile)
                created = event.time.astimezone(UTC)
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO events (key, kind, sku, created_at, payload)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (key, event.kind.value, event.sku, created.isoformat(), json.dumps(payload)),
                )
                if cursor.rowcount != 1:
                    continue  # said before
                event_id = cursor.lastrowid
                assert event_id is not None
                conn.executemany(
                    "INSERT INTO event_deliveries (event_id, channel) VALUES (?, ?)",
                    [(event_id, channel) for channel in channels],
                )
                added.append(StoredEvent(event_id, event.kind.value, event.sku, created, payload))
        return added

    def unsent(self, channel: str, limit: int = 200) -> list[Delivery]:
        """The channel's unsent events, oldest first (at most ``limit`` a round)."""
        rows = self._read(
            "SELECT e.id, e.kind, e.sku, e.created_at, e.payload, d.attempts"
            " FROM event_deliveries d JOIN events e ON e.id = d.event_id"
            " WHERE d.channel = ? AND d.sent_at IS NULL ORDER BY e.id LIMIT ?",
            (channel, limit),
        )
        return [
            Delivery(event, channel, row[5] if isinstance(row[5], int) else 0)
            for row in rows
            if (event := _stored(row)) is not None
        ]

    def mark(self, delivery: Delivery, *, error: str | None, now: datetime) -> None:
        """Note one attempt: sent (``error`` None) or failed with ``error`` (one line)."""
        with self._lock, self._write() as conn:
            conn.execute(
                "UPDATE event_deliveries SET attempts = attempts + 1, error = ?, sent_at = ?"
                " WHERE event_id = ? AND channel = ?",
                (
                    error,
                    None if error else now.astimezone(UTC).isoformat(),
                    delivery.event.id,
                    delivery.channel,
                ),
            )

    def since(self, moment: datetime, sku: str | None = None) -> list[StoredEvent]:
        """Events stored after ``moment`` (one SKU's, or all), oldest first."""
        query = "SELECT id, kind, sku, created_at, payload FROM events WHERE created_at > ?"
        params: list[Any] = [moment.astimezone(UTC).isoformat()]
        if sku is not None:
            query += " AND sku = ?"
            params.append(sku)
        rows = self._read(query + " ORDER BY id", params)
        return [event for row in rows if (event := _stored(row)) is not None]

    def _read(self, query: str, params: Sequence[Any]) -> list[Any]:
        try:
            with self._lock:
                return self._current().execute(query, params).fetchall()
        except sqlite3.Error as exc:
            raise CacheError(f"the event store {self.path} cannot be read: {exc}") from None

    def prune(self, now: datetime, keep: timedelta = timedelta(days=KEEP_DAYS)) -> None:
        cutoff = (now - keep).astimezone(UTC).isoformat()
        with self._lock, self._write() as conn:
            old = "SELECT id FROM events WHERE created_at < ?"
            conn.execute(f"DELETE FROM event_deliveries WHERE event_id IN ({old})", (cutoff,))
            conn.execute("DELETE FROM events WHERE created_at < ?", (cutoff,))

    def _write(self) -> _Transaction:
        """A write transaction (call with the lock held)."""
        return _Transaction(self._current(), self.path)


def _stored(row: Sequence[Any]) -> StoredEvent | None:
    """One stored event; None for a row damaged on disk or by another tool (left out: one
    bad row never stops `watch` nor hides the others)."""
    event_id, kind, sku, at, payload = row[:5]
    try:
        value = json.loads(payload)
        created = datetime.fromisoformat(at)
    except (TypeError, ValueError, RecursionError):
        return None
    if not isinstance(event_id, int) or not isinstance(kind, str) or not isinstance(value, dict):
        return None
    if created.tzinfo is None or not (sku is None or isinstance(sku, str)):
        return None
    return StoredEvent(event_id, kind, sku, created, value)


def _snapshot(
    conn: sqlite3.Connection, seen: Literal["all"] | Sequence[str], now: datetime
) -> None:
    table, columns = WATCH_SEEN_TABLE, _RECORD_COLUMNS
    if seen == "all":
        conn.execute(f"DELETE FROM {table}")
        conn.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM listings")
    elif seen:
        known = conn.execute("SELECT 1 FROM meta WHERE key = ?", (WATCH_SEEN_KEY,)).fetchone()
        if known is None:
            return  # no round yet: a partial snapshot would make every other listing "new"
        for sku in seen:
            conn.execute(f"DELETE FROM {table} WHERE sku = ?", (sku,))
            conn.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM listings WHERE sku = ?",
                (sku,),
            )
    else:
        return
    conn.execute(
        "INSERT OR REPLACE INTO meta VALUES (?, ?)",
        (WATCH_SEEN_KEY, now.astimezone(UTC).isoformat()),
    )


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error (a full disk: CacheError)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn, self._path = conn, path

    def __enter__(self) -> sqlite3.Connection:
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise CacheError(f"the event store {self._path} cannot be written: {exc}") from None
        return self._conn

    def __exit__(self, kind, exc, tb) -> Literal[False]:
        if kind is None:
            try:
                self._conn.execute("COMMIT")
                return False
            except sqlite3.Error as error:
                exc = error
        self._conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise CacheError(f"the event store {self._path} cannot be written: {exc}") from None
        return False
