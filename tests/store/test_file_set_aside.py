"""The account's cache file set aside mid-run (found corrupt: a disk fault) and started
afresh: every connection to it follows it to the new file.

- `watch`'s event store (it shares the cache file) kept its connection to the file set
  aside: every later round of a running `watch` failed ("the event store … cannot be
  written: database disk image is malformed") until it was restarted.
- A second asin-tui on the account (the app and `watch`) kept writing into the file the
  first had set aside (its syncs lost to both), or took a read error of it for the new
  file's and set the first's new, sound file aside as corrupt too.
"""

from __future__ import annotations

import sqlite3

import pytest

from asin_tui.domain.events import Event, EventKind
from asin_tui.domain.models import State
from asin_tui.store.cache import CacheError, ListingCache
from asin_tui.store.events import EventStore
from tests.store.test_cache import MP, T0, raw, record, sync

PAGE = 4096


def damage_pages_after_the_first(path) -> None:
    """A disk fault: every page of the file but its header page overwritten (the tables'
    pages are garbage; the file still opens as SQLite)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the file itself
    conn.close()
    size = path.stat().st_size
    with open(path, "r+b") as file:
        file.seek(PAGE)
        file.write(b"\x7f" * (size - PAGE))


def event(sku: str) -> Event:
    return Event(EventKind.BECAME_INACTIVE, T0, MP, key=sku, sku=sku)


def test_events_go_to_the_new_cache_file_once_the_old_one_is_set_aside():
    cache = ListingCache.for_account("main", MP)
    store = EventStore(cache.path)
    try:
        sync(cache, T0, [record(f"SKU-{i}", State.INACTIVE) for i in range(200)])
        store.add([event("SKU-0")], "main", ["stdout"], seen="all", now=T0)
        damage_pages_after_the_first(cache.path)
        assert cache.load_records(needs_attention_only=False) == []  # found corrupt: aside
        assert cache.set_aside == 1
        [aside] = cache.path.parent.glob(f"{cache.path.name}.corrupt-*Z")  # not its -wal, -shm

        sync(cache, T0, [record("SKU-1", State.INACTIVE)])  # the next round's sync
        [added] = store.add([event("SKU-1")], "main", ["stdout"], seen="all", now=T0)
        assert [d.event.sku for d in store.unsent("stdout")] == ["SKU-1"]
    finally:
        store.close()
        cache.close()
    reader = EventStore(cache.path)  # the app, or the next `watch`
    try:
        assert [e.id for e in reader.since(T0.replace(year=2000))] == [added.id]
    finally:
        reader.close()
    assert aside.exists()  # what was set aside is kept as it was


def test_a_second_asin_tui_writes_to_the_file_the_first_started_afresh():
    """Two asin-tui on one account (the app and `watch`): the first finds the file corrupt,
    sets it aside and syncs into a new one. The second's next sync goes into that new file
    too: not into the file set aside (lost to both), and without setting the first's new,
    sound file aside as corrupt."""
    first = ListingCache.for_account("main", MP)
    second = ListingCache.for_account("main", MP)
    try:
        sync(first, T0, [record(f"SKU-{i}", State.INACTIVE) for i in range(200)])
        damage_pages_after_the_first(first.path)
        assert first.load_records(needs_attention_only=False) == []  # found corrupt: aside
        sync(first, T0, [record("FIRST", State.INACTIVE)])
        sync(second, T0, [record("SECOND", State.INACTIVE)], include_all=False)
    finally:
        second.close()
        first.close()
    aside = list(first.path.parent.glob(f"{first.path.name}.corrupt-*Z"))
    assert len(aside) == 1
    reader = ListingCache.for_account("main", MP)  # the next run
    try:
        skus = {r.sku for r in reader.load_records(needs_attention_only=False)}
    finally:
        reader.close()
    assert "SECOND" in skus


def test_a_sync_staged_in_a_file_another_asin_tui_set_aside_says_sync_again():
    first = ListingCache.for_account("main", MP)
    second = ListingCache.for_account("main", MP)
    try:
        sync(first, T0, [record(f"SKU-{i}", State.INACTIVE) for i in range(200)])
        staged = second.stage_sync()
        staged.add([(record("SECOND", State.INACTIVE), raw("SECOND"))])
        damage_pages_after_the_first(first.path)
        assert first.load_records(needs_attention_only=False) == []  # found corrupt: aside
        with pytest.raises(CacheError, match="rebuilt during the sync; sync again"):
            staged.add([(record("MORE", State.INACTIVE), raw("MORE"))])
        sync(second, T0, [record("SECOND", State.INACTIVE)])  # the sync run again
        assert [r.sku for r in first.load_records(needs_attention_only=False)] == ["SECOND"]
    finally:
        second.close()
        first.close()
