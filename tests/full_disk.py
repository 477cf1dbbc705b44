"""A cache file on a disk that fills up: a ``connect`` for ``ListingCache(path, connect=…)``
(``DemoSettings(cache_connect=…)`` for the demo's cache) that opens the file as the app does and,
once ``fill()`` is called, fails every statement that would write to the file as SQLite does on
a full disk (SQLITE_FULL). What the statement changed is undone first; a statement that changes
nothing (an UPDATE matching no row) needs no room and goes through, as on a real disk, and so
do the temp tables a sync stages in (not the file)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

from asin_tui.store.cache import connect_cache

_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_TEMP = re.compile(r"^\s*(INSERT(\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM)\s+temp\.", re.I)


def disk_full_error() -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError("database or disk is full")
    exc.sqlite_errorname, exc.sqlite_errorcode = "SQLITE_FULL", 13
    return exc


class FullDisk:
    def __init__(self) -> None:
        self.full = False
        self.refused = 0  # statements refused for lack of room

    def fill(self) -> None:
        self.full = True

    def connect(self, path: Path) -> sqlite3.Connection:
        return _Connection(connect_cache(path), self)  # type: ignore[return-value]


class _Connection:
    """The cache's own connection, writes checked against the disk's room."""

    def __init__(self, conn: sqlite3.Connection, disk: FullDisk) -> None:
        self._conn, self._disk = conn, disk

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        return self._write(sql, lambda: self._conn.execute(sql, *args))

    def executemany(self, sql: str, *args: Any) -> sqlite3.Cursor:
        return self._write(sql, lambda: self._conn.executemany(sql, *args))

    def _write(self, sql: str, run: Any) -> sqlite3.Cursor:
        if not self._disk.full or not _WRITE.match(sql) or _TEMP.match(sql):
            return run()
        self._conn.execute("SAVEPOINT full_disk")
        before = self._conn.total_changes
        try:
            cursor = run()
            changed = self._conn.total_changes != before
        except BaseException:
            self._conn.execute("ROLLBACK TO full_disk")
            self._conn.execute("RELEASE full_disk")
            raise
        if changed:
            self._conn.execute("ROLLBACK TO full_disk")
        self._conn.execute("RELEASE full_disk")
        if changed:
            self._disk.refused += 1
            raise disk_full_error()
        return cursor

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)
