"""The cache survives a full disk and a read-only file (issue 8 item 5): only a real
corruption sets a cache aside; "database or disk is full", a file size limit or a read-only
file give CacheUnavailable, one line with the path and the free space, the cache untouched;
the CLI exits 2 with that line and no traceback."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from asin_tui.cli import main
from asin_tui.demo import DemoSettings
from asin_tui.domain.models import State
from asin_tui.store import cache as cache_module
from asin_tui.store.cache import CacheUnavailable, ListingCache, cache_path
from tests.full_disk import FullDisk
from tests.store.test_cache import MP, record, sync

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 1, tzinfo=UTC)
STILL = DemoSettings(drift=0.0)  # the demo account holds still: no change of its own


def disk_error(message: str, name: str, code: int) -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError(message)
    exc.sqlite_errorname, exc.sqlite_errorcode = name, code
    return exc


FULL = ("database or disk is full", "SQLITE_FULL", 13)
READ_ONLY = ("attempt to write a readonly database", "SQLITE_READONLY", 8)
IO_WRITE = ("disk I/O error", "SQLITE_IOERR_WRITE", 778)


def filled(n: int = 5) -> ListingCache:
    cache = ListingCache.for_account("main", MP)
    sync(cache, T0, [record(f"SKU-{i}", State.INACTIVE) for i in range(n)])
    return cache


def set_aside(path: Path) -> list[Path]:
    return list(path.parent.glob(f"{path.name}.corrupt-*"))


class FailingConnection:
    """The cache's connection, except that statements matching ``when`` raise ``error``."""

    def __init__(self, conn: sqlite3.Connection, error: Exception, when: str) -> None:
        self._conn, self._error, self._when = conn, error, when

    def execute(self, sql, *args):
        if self._when in sql:
            raise self._error
        return self._conn.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._conn, name)


@pytest.mark.parametrize("error", [FULL, READ_ONLY, IO_WRITE], ids=["full", "read-only", "io"])
def test_a_write_that_fails_leaves_the_cache_as_it_was(error):
    cache = filled()
    path = cache.path
    real = cache._conn
    cache._conn = FailingConnection(real, disk_error(*error), "INSERT OR REPLACE INTO listings")
    with pytest.raises(CacheUnavailable) as raised:
        sync(cache, T0 + timedelta(days=1), [record("NEW", State.SUPPRESSED)])
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"the listing cache {path} cannot be written: ")
    assert "free on its disk" in message and message.endswith("it was left as it is")
    if error is FULL:
        assert "the disk is full" in message
    cache._conn = real
    assert [r.sku for r in cache.load_records(needs_attention_only=False)] == [
        f"SKU-{i}" for i in range(5)
    ]
    assert set_aside(path) == [] and cache.warning is None
    cache.close()


def test_a_read_that_fails_for_lack_of_space_is_not_corruption():
    cache = filled()
    cache._reader = FailingConnection(cache._reading(), disk_error(*IO_WRITE), "SELECT")
    with pytest.raises(CacheUnavailable):
        cache.load_records(needs_attention_only=False)
    assert set_aside(cache.path) == []


def test_an_unexplained_error_on_a_sound_file_is_not_corruption():
    """An error SQLite raises with no telling code: quick_check decides, and it says ok."""
    cache = filled()
    odd = disk_error("something odd", "SQLITE_ERROR", 1)
    cache._reader = FailingConnection(cache._reading(), odd, "SELECT")
    with pytest.raises(CacheUnavailable):
        cache.load_records(needs_attention_only=False)
    assert set_aside(cache.path) == []


def test_a_really_corrupt_file_is_still_set_aside():
    cache = filled()
    path = cache.path
    cache.close()
    path.write_bytes(b"this is not a database at all" * 100)
    rebuilt = ListingCache.for_account("main", MP)
    assert rebuilt.warning and "moved to" in rebuilt.warning
    assert len(set_aside(path)) == 1
    rebuilt.close()


def test_report_says_one_line_and_exits_2_when_the_disk_is_full(capsys):
    disk = FullDisk()
    # Amazon's rates, 100x faster: a full sync in ms
    quick = DemoSettings(drift=0.0, time_scale=100.0, cache_connect=disk.connect)
    assert main(["report", "--demo", "--format", "json"], demo=quick) == 1  # a good cache first
    capsys.readouterr()
    path = cache_path("demo", MP)
    before = sqlite3.connect(path).execute("SELECT sku, state FROM listings").fetchall()

    disk.fill()
    code = main(["report", "--demo", "--all", "--format", "json"], demo=quick)
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    (line,) = err.splitlines()
    assert line.startswith(
        f"asin-tui: the listing cache {path} cannot be written: the disk is full"
    )
    assert "Traceback" not in err
    after = sqlite3.connect(path).execute("SELECT sku, state FROM listings").fetchall()
    assert after == before and set_aside(path) == []


FILE_SIZE_LIMIT = """
import resource, signal, sys
from datetime import datetime, timedelta, UTC
sys.path.insert(0, {root!r})
from tests.store.test_cache import record, sync, MP
from asin_tui.domain.models import State
from asin_tui.store.cache import ListingCache, CacheUnavailable

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
cache = ListingCache.for_account("main", MP)
limit = {limit}
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
big = [record(f"BIG-{{i:05}}", State.SUPPRESSED, title="x" * 2000) for i in range(2000)]
try:
    sync(cache, datetime(2026, 11, 2, tzinfo=UTC), big)
except CacheUnavailable as exc:
    print(exc)
"""


def test_a_file_size_limit_during_a_sync_leaves_the_cache_untouched(tmp_path):
    """A real write failure (RLIMIT_FSIZE in a child process: the disk 'full' at a few
    hundred KB), not an injected one."""
    cache = filled(50)
    path = cache.path
    cache.close()
    sizes = sum(p.stat().st_size for p in path.parent.glob(f"{path.name}*"))
    script = FILE_SIZE_LIMIT.format(root=str(ROOT), limit=sizes + 256 * 1024)
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert "Traceback" not in run.stderr, run.stderr
    assert run.stdout.startswith(f"the listing cache {path} cannot be written: "), run.stdout
    assert "free on its disk" in run.stdout
    reopened = ListingCache.for_account("main", MP)
    assert reopened.warning is None and set_aside(path) == []
    assert len(reopened.load_records(needs_attention_only=False)) == 50
    reopened.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file permissions")
def test_a_chmod_read_only_cache_is_one_line_exit_2_and_untouched(capsys):
    """A cache file and folder the user made read-only."""
    assert main(["report", "--demo", "--format", "json"], demo=STILL) == 1
    capsys.readouterr()
    path = cache_path("demo", MP)
    before = sqlite3.connect(path).execute("SELECT sku, state FROM listings").fetchall()
    for side in path.parent.iterdir():
        side.chmod(0o444)
    path.parent.chmod(0o555)
    try:
        code = main(["report", "--demo", "--format", "json"], demo=STILL)
        out, err = capsys.readouterr()
    finally:
        path.parent.chmod(0o700)
    assert (code, out) == (2, "")
    assert err.splitlines()[-1].startswith(
        f"asin-tui: the listing cache {path} cannot be written: "
    )
    assert "Traceback" not in err
    after = sqlite3.connect(path).execute("SELECT sku, state FROM listings").fetchall()
    assert after == before and set_aside(path) == []


def test_a_cache_only_readable_shows_what_it_holds_and_refuses_writes():
    """Opening for writing fails as on a read-only file (what root cannot be made to see
    with chmod): the cache opens read-only for real (SQLite mode=ro), its rows are there,
    it says why, and a write fails with SQLite's own read-only error, the file untouched."""
    filled().close()
    path = cache_path("main", MP)

    def read_only_file(at):
        raise disk_error(*READ_ONLY)

    cache = ListingCache(path, connect=read_only_file)
    assert cache.warning == (
        f"the listing cache {path} cannot be written: it is read-only "
        f"({cache_module._free_space(path)} free on its disk); it was left as it is: "
        "showing what it holds"
    )
    assert len(cache.load_records(needs_attention_only=False)) == 5
    with pytest.raises(CacheUnavailable, match="cannot be written: it is read-only"):
        sync(cache, T0 + timedelta(days=1), [record("NEW", State.SUPPRESSED)])
    assert len(cache.load_records(needs_attention_only=False)) == 5
    assert set_aside(path) == []
    cache.close()
