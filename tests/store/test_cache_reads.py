"""The cache's reads never wait for its writes (the list's rows while a sync stages batches
or commits): they go through a second connection that sees the last commit (WAL)."""

from __future__ import annotations

import threading

from asin_tui.domain.models import State
from tests.store.test_cache import record, sync
from tests.store.test_cache_disk import T0, filled


def test_a_read_does_not_wait_for_a_write_in_progress_and_sees_the_last_commit():
    cache = filled()
    writing, release = threading.Event(), threading.Event()

    def long_commit(conn) -> None:  # a sync's final commit holding the writer a long time
        conn.execute("DELETE FROM listings")
        writing.set()
        release.wait(10)

    writer = threading.Thread(target=cache._transaction, args=(long_commit,))
    writer.start()
    try:
        assert writing.wait(10)
        read: list = []
        reader = threading.Thread(
            target=lambda: read.append(cache.load_records(needs_attention_only=False))
        )
        reader.start()
        reader.join(5)
        assert read, "the read waited for the write"
        assert len(read[0]) == 5, "the read saw a transaction not yet committed"
    finally:
        release.set()
        writer.join(10)
    assert cache.load_records(needs_attention_only=False) == [], "the commit is seen after it"
    sync(cache, T0, [record("NEW", State.SUPPRESSED)])
    assert [r.sku for r in cache.load_records(needs_attention_only=False)] == ["NEW"]
    cache.close()
