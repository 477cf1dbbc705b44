"""`watch`'s event store shares the account's cache file. When the cache finds that file
corrupt mid-run (a disk fault) it sets it aside and starts a new one; the event store must
follow it to the new file. It kept its connection to the file set aside instead: every later
round of a running `watch` failed ("the event store … cannot be written: database disk image
is malformed") until it was restarted, and events it could still write went into the file
set aside, where neither the app nor a later `watch` reads them."""

from __future__ import annotations

import sqlite3

from asin_tui.domain.events import Event, EventKind
from asin_tui.domain.models import State
from asin_tui.store.cache import ListingCache
from asin_tui.store.events import EventStore
from tests.store.test_cache import MP, T0, record, sync

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
