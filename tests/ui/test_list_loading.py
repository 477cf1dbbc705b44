"""The list at size: the first screenful paints before the rest is read, and the work that
grows with the rows (reading them, indexing, a first sort) happens off the UI thread."""

from __future__ import annotations

import gc
import threading
import time
from collections import Counter
from dataclasses import replace
from functools import partial

from asin_tui.ui import listing_view
from asin_tui.ui.app import make_app
from asin_tui.ui.listing_view import ListingView
from asin_tui.ui.screens import list_screen
from asin_tui.ui.screens.list_screen import ListScreen
from asin_tui.ui.timing import UiTiming
from asin_tui.ui.widgets.listing_table import ListingTable
from tests.ui.conftest import run_checks, settle, wait_until
from tests.ui.fakes import FakeService, make_records, progress_of


class SlowCache(FakeService):
    """Reading every row waits until the test lets it go (the first screenful does not)."""

    def __init__(self) -> None:
        super().__init__(make_records(60))
        self.every_row = threading.Event()
        self.limits: list[int | None] = []

    def cached_records(self, *, all_listings: bool, limit: int | None = None):
        self.limits.append(limit)
        if limit is None:  # held until the test lets it go: 10 s let the rows go by themselves
            self.every_row.wait(timeout=60)  # on a loaded machine (a full suite at load 16)
        return super().cached_records(all_listings=all_listings, limit=limit)


def five_first(service: FakeService):
    """The app on ``service``, no start-up sync, a first screenful of five rows."""
    return make_app(
        lambda: service,
        case_labels_loader=progress_of,
        sync_on_start=False,
        timing=UiTiming(first_rows=5),
    )


def table(app) -> ListingTable:
    return app.screen.query_one(ListingTable)


def counts_text(app) -> str:
    return str(app.screen.query_one("#counts").render())


async def test_the_first_screenful_paints_before_every_row_is_read_with_the_true_counts():
    """The first five rows painted while the rest is read, checked in turn on one app
    (run_checks): the counts per state on that first paint, the rows and keys then, and
    once every row is in, the counts unchanged."""
    service = SlowCache()
    app = five_first(service)
    first_paint: dict[str, str] = {}
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: service.limits == [5, None])  # the rest is being read
        await pilot.pause()
        try:
            await run_checks(
                pilot,
                partial(the_first_screenful_shows_the_true_counts_per_state, service, first_paint),
                partial(the_first_screenful_paints_before_every_row_is_read, service),
                partial(the_counts_stay_once_every_row_is_in, first_paint),
            )
        finally:
            service.every_row.set()  # a check that failed first: the app is not held 60 s


async def the_first_screenful_shows_the_true_counts_per_state(service, first_paint, pilot) -> None:
    app = pilot.app
    every = FakeService.cached_records(service, all_listings=False)
    first = Counter(r.state for r in every[:5])
    assert first != Counter(r.state for r in every)  # the first rows alone would count wrong
    assert not app.screen.rows_complete
    first_paint["counts"] = on_first_paint = counts_text(app)
    assert f"All states {len(every)}]" in on_first_paint


async def the_first_screenful_paints_before_every_row_is_read(service, pilot) -> None:
    app = pilot.app
    every = [r.sku for r in FakeService.cached_records(service, all_listings=False)]
    assert [r.sku for r in table(app).view.shown()] == every[:5]
    assert every[0] in table(app).render_line(1).text
    await pilot.press("down", "down")
    await pilot.press("e")  # not yet: it would export five rows
    assert not app.screen.rows_complete and isinstance(app.screen, ListScreen)

    service.every_row.set()
    await settle(pilot)
    assert [r.sku for r in table(app).view.shown()] == every
    assert table(app).current.sku == every[2]  # the cursor stayed on its listing
    assert service.limits == [5, None]
    assert app.screen.rows_complete


async def the_counts_stay_once_every_row_is_in(first_paint, pilot) -> None:
    app = pilot.app
    assert app.screen.rows_complete
    assert counts_text(app) == first_paint["counts"]


async def test_a_first_sort_is_built_off_the_ui_thread_and_keeps_the_cursor(monkeypatch):
    threads: list[threading.Thread] = []

    def sort_order(records, key, progress):
        threads.append(threading.current_thread())
        return listing_view.sort_order(records, key, progress)

    monkeypatch.setattr(list_screen, "sort_order", sort_order)
    service = FakeService()
    app = make_app(lambda: service, case_labels_loader=progress_of, sync_on_start=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("G")  # the last row
        sku = table(app).current.sku
        await pilot.press("s")
        await settle(pilot)
        view = table(app).view
        assert view.sort_column == "sku"
        assert [r.sku for r in view.shown()] == sorted(r.sku for r in view.records)
        assert table(app).current.sku == sku
        assert threads and threading.main_thread() not in threads

        await pilot.press("S")  # the order is known: reversed at once, no worker
        assert [r.sku for r in view.shown()] == sorted((r.sku for r in view.records), reverse=True)
        assert len(threads) == 1


def test_row_of_finds_a_shown_sku_and_none_for_one_filtered_out():
    records = make_records(30)
    view = ListingView(records)
    target = records[17]
    assert view.record(view.row_of(target.sku)).sku == target.sku
    view.set_query(target.sku)
    assert view.row_of(target.sku) == 0
    assert view.row_of(records[3].sku) is None
    assert view.row_of("NO-SUCH-SKU") is None


def test_the_collector_is_off_while_rows_are_decoded_and_on_once_the_last_reload_ends():
    """Its full passes over the records being built held the UI's thread 50-200 ms each at
    36,956 rows; what the reloads made is frozen (out of its passes) when it is on again."""
    from asin_tui.ui.screens.list_screen import _NoFullPasses

    pause, frozen = _NoFullPasses(), gc.get_freeze_count()
    try:
        assert gc.isenabled()
        with pause:
            assert not gc.isenabled()
            with pause:  # a newer reload starts before the cancelled one has ended
                made = [[i] for i in range(1000)]
            assert not gc.isenabled()  # one still decodes
        assert gc.isenabled() and gc.get_freeze_count() >= frozen + len(made)
        gc.disable()  # the app's start (cli): off until the app turns it on
        with pause:
            pass
        assert not gc.isenabled()  # left to the app
    finally:
        gc.enable()
        gc.unfreeze()


class CountingCache(FakeService):
    """Counts the reads of every row of a scope (what `a` cost before: 37,000 records decoded)."""

    def __init__(self) -> None:
        super().__init__(make_records(60))
        self.whole_reads: list[bool] = []  # all_listings of each read of every row

    def cached_record_batches(self, *, all_listings: bool, size: int = 25):
        self.whole_reads.append(all_listings)
        return super().cached_record_batches(all_listings=all_listings, size=size)


def shown_skus(app) -> list[str]:
    return [r.sku for r in table(app).view.shown()]


async def test_a_shows_a_scope_read_before_again_without_reading_it_until_the_cache_changes():
    service = CountingCache()
    app = five_first(service)
    attention = [r.sku for r in FakeService.cached_records(service, all_listings=False)]
    every = [r.sku for r in FakeService.cached_records(service, all_listings=True)]
    assert attention != every
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert shown_skus(app) == every and service.whole_reads == [False, True]
        for _ in range(2):  # back and forth: each scope as it was read, not read again
            await pilot.press("a")
            await settle(pilot)
            assert shown_skus(app) == attention and app.screen.rows_complete
            assert "Needs attention" in counts_text(app)
            await pilot.press("a")
            await settle(pilot)
            assert shown_skus(app) == every and "All listings" in counts_text(app)
        assert service.whole_reads == [False, True]

        await pilot.press("s")  # a sort the kept rows have no order for: built, not read
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert shown_skus(app) == sorted(attention)
        assert service.whole_reads == [False, True]

        # another process synced meanwhile (e.g. `report` in another terminal): read again
        gone = service.records.pop()
        service._last_sync = replace(service._last_sync, listings=len(service.records))
        await pilot.press("a")
        await settle(pilot)
        assert gone.sku not in shown_skus(app) and service.whole_reads == [False, True, True]

        # this app's sync: every scope read again (the other one too, when `a` shows it)
        service.records.append(gone)
        await pilot.press("r")
        await settle(pilot)
        assert gone.sku in shown_skus(app)
        await pilot.press("a")
        await settle(pilot)
        assert service.whole_reads == [False, True, True, True, False]
        assert (gone.sku in shown_skus(app)) == gone.needs_attention


def test_rows_let_go_of_are_freed_in_slices_off_the_ui_thread_once_nothing_reads_them():
    from asin_tui.ui.screens.list_screen import _Disposal

    disposal = _Disposal()
    freed: list[str] = []  # the thread each record was freed on

    class Row:
        def __del__(self) -> None:
            freed.append(threading.current_thread().name)

    alone = [Row() for _ in range(1000)]
    disposal.drop(alone)
    del alone
    read_elsewhere = [Row() for _ in range(10)]
    disposal.drop(read_elsewhere)  # a worker still sorts it: left whole
    deadline = time.monotonic() + 5
    while len(freed) < 1000 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(freed) == 1000 and set(freed) == {"asin-tui-free-rows"}
    assert len(read_elsewhere) == 10
    del read_elsewhere  # the worker is done with it: the disposal frees it
    while len(freed) < 1010 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(freed) == 1010 and set(freed) == {"asin-tui-free-rows"}


class DecodingCache(CountingCache):
    """Every read gives new record objects, as decoding the cache's rows does."""

    def cached_record_batches(self, *, all_listings: bool, size: int = 25):
        for batch in super().cached_record_batches(all_listings=all_listings, size=size):
            yield [replace(r) for r in batch]


async def test_both_scopes_kept_hold_one_record_per_listing_and_never_an_outdated_one():
    service = DecodingCache()
    app = five_first(service)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        attention = screen._kept[False]
        changed = attention.records[0]  # changed in the cache since (no sync says so)
        at = next(i for i, r in enumerate(service.records) if r.sku == changed.sku)
        service.records[at] = replace(changed, title="A new title")
        await pilot.press("a")
        await settle(pilot)
        every = screen._kept[True]
        assert [r.sku for r in every.records] == [r.sku for r in service.records]
        by_sku = {r.sku: (i, r) for i, r in enumerate(every.records)}
        for j, record in enumerate(attention.records[1:], start=1):
            i, same = by_sku[record.sku]
            assert same is record  # one object for both scopes
            assert every.index.keys[i] is attention.index.keys[j]
        now = by_sku[changed.sku][1]
        assert now.title == "A new title" and now is not changed
        assert "a new title" in every.index.keys[by_sku[changed.sku][0]]
        shared = {id(r) for r in every.records} & {id(r) for r in attention.records}
        assert len(shared) == len(attention.records) - 1
