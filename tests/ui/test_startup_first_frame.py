"""Start-up order: the account named on the command line is opened, and its first rows read,
before the app starts (ui.opening), so the list paints them with its first frame; every row
follows once they are on screen, a batch at a time, and a load a key replaced stops reading;
the client is built and the start-up sync starts only once every row is in."""

from __future__ import annotations

import gc
import sys
import threading

from textual.app import App

from asin_tui import cli
from asin_tui.store.cache import CacheError
from asin_tui.ui.app import make_app
from asin_tui.ui.opening import Opening
from asin_tui.ui.screens.list_screen import ListScreen
from asin_tui.ui.timing import UiTiming
from asin_tui.ui.widgets.listing_table import ListingTable
from tests.ui.conftest import settle, wait_until
from tests.ui.fakes import FakeService, make_records, progress_of

FIRST = 5
TIMING = UiTiming(first_rows=FIRST)
#: the list waits for its frame however long it takes: a loaded machine wrote it after the
#: 0.5 s fallback (paint_wait) had started the reads anyway, and a test of the frame's turn
#: read no frame before them (tests/ui under load 20, 19:05-19:14 UTC)
FRAME_FIRST = UiTiming(first_rows=FIRST, paint_wait=60.0)


class HeldCache(FakeService):
    """Notes every read (its thread, its limit); reading every row waits for ``every_row``,
    a batch at a time after the first; notes whether the client was opened."""

    def __init__(self) -> None:
        super().__init__(make_records(120))
        self.reads: list[tuple[bool, int | None]] = []
        self.every_row = threading.Event()
        self.batches: dict[bool, int] = {False: 0, True: 0}  # per scope (all_listings)
        self.connected = False

    def cached_records(self, *, all_listings: bool, limit: int | None = None):
        on_main = threading.current_thread() is threading.main_thread()
        self.reads.append((on_main, limit))
        return super().cached_records(all_listings=all_listings, limit=limit)

    def cached_record_batches(self, *, all_listings: bool, size: int = 0):
        records = FakeService.cached_records(self, all_listings=all_listings)
        for start in range(0, len(records), 10):
            if start and not self.every_row.wait(10):
                raise TimeoutError("the test never let every row be read")
            self.batches[all_listings] += 1
            yield records[start : start + 10]

    async def connect(self) -> None:
        self.connected = True


def app_for(account: Opening, *, sync_on_start: bool = False, timing: UiTiming = TIMING):
    return make_app(
        account.service,
        case_labels_loader=progress_of,
        sync_on_start=sync_on_start,
        first_screenful=account.first_screenful,
        timing=timing,
    )


def shown(app) -> list[str]:
    return [r.sku for r in app.screen.query_one(ListingTable).view.shown()]


async def test_the_first_rows_are_read_before_the_app_and_painted_with_its_first_frame():
    service = HeldCache()
    account = Opening(lambda: service, progress_of, FIRST)
    assert service.reads == [(True, FIRST)]  # read at once, before Textual is even loaded
    attention = [r.sku for r in FakeService.cached_records(service, all_listings=False)]
    app = app_for(account)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(ListingTable)
        assert shown(app) == attention[:FIRST]
        assert attention[0] in table.render_line(1).text
        assert f"All states {len(attention)}]" in str(app.screen.query_one("#counts").render())
        service.every_row.set()
        await settle(pilot)
        assert shown(app) == attention
        assert app.screen.rows_complete
        # the list never asked again for the rows it was given
        assert service.reads == [(True, FIRST)]


async def test_an_account_that_cannot_be_opened_is_told_in_the_app():
    def broken():
        raise CacheError("cannot create the listing cache /nowhere/x.sqlite3: disk I/O error")

    account = Opening(broken, progress_of, FIRST)  # raises nothing yet: the app tells it
    app = app_for(account)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        (note,) = [n for n in app._notifications if "disk I/O error" in n.message]
        assert note.title == "Cannot open the account"
        assert not isinstance(app.screen, ListScreen)


async def test_a_cache_unreadable_at_opening_is_read_again_and_reported():
    class BrokenCache(FakeService):
        def cached_records(self, *, all_listings: bool, limit: int | None = None):
            raise OSError("database disk image is malformed")

    account = Opening(BrokenCache, progress_of, FIRST)
    app = app_for(account)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ListScreen)
        (note,) = [n for n in app._notifications if "malformed" in n.message]
        assert note.title == "Could not read the local cache"


async def test_the_client_and_the_start_up_sync_wait_until_every_row_is_in():
    service = HeldCache()
    app = app_for(Opening(lambda: service, progress_of, FIRST), sync_on_start=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: service.batches[False] == 1)  # every row: held
        await pilot.pause()
        assert not service.connected and service.synced == 0
        service.every_row.set()
        await settle(pilot)
        await settle(pilot)  # the sync's reload
        assert service.connected and service.synced == 1


def noting_frames(monkeypatch) -> list[int]:
    """The rows of each frame of the list handed to the terminal (headless: that would be),
    noted as Textual writes it; a frame rendered inside a batch of updates is dropped."""
    written: list[int] = []
    display = App._display

    def noting(app, screen, renderable):
        if renderable is not None and not app._batch_count and isinstance(screen, ListScreen):
            written.append(len(screen.query_one(ListingTable).view.shown()))
        display(app, screen, renderable)

    monkeypatch.setattr(App, "_display", noting)
    return written


async def test_every_row_is_read_only_once_a_frame_with_the_first_ones_is_written(monkeypatch):
    """Textual renders the frames made while the app mounts (one batch of updates) and
    drops them: the first rows are on screen only once a later frame is written. Reading
    every row (a thread holding the GIL a batch at a time) waits for that one."""
    written = noting_frames(monkeypatch)

    class Watched(HeldCache):
        def cached_record_batches(self, *, all_listings: bool, size: int = 0):
            self.seen = list(written)
            return super().cached_record_batches(all_listings=all_listings, size=size)

    service = Watched()
    service.every_row.set()
    app = app_for(Opening(lambda: service, progress_of, FIRST), timing=FRAME_FIRST)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: hasattr(service, "seen"))
        assert FIRST in service.seen  # a frame with the first rows went out before


async def test_the_client_and_the_sync_start_only_once_a_frame_with_the_rows_is_written(
    monkeypatch,
):
    """A first screenful that holds every row (the demo's): the client opens, and the
    start-up sync starts (the demo's in this process), only once a frame of the list with
    its rows has been handed to the terminal, never beside the frame being made."""
    written = noting_frames(monkeypatch)

    class Watched(FakeService):
        def __init__(self) -> None:
            super().__init__(make_records(3))
            self.seen: dict[str, list[int]] = {}

        async def connect(self) -> None:
            self.seen.setdefault("connect", list(written))

        async def sync(self, *, include_all: bool, progress=None):
            self.seen.setdefault("sync", list(written))
            return await super().sync(include_all=include_all, progress=progress)

    service = Watched()
    attention = FakeService.cached_records(service, all_listings=False)
    assert 0 < len(attention) < FIRST  # the first screenful is every row
    opening = Opening(lambda: service, progress_of, FIRST)
    app = app_for(opening, sync_on_start=True, timing=FRAME_FIRST)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: len(service.seen) == 2)
        assert len(attention) in service.seen["connect"]
        assert len(attention) in service.seen["sync"]


async def test_a_key_that_changes_the_scope_stops_the_load_it_replaces():
    service = HeldCache()
    app = app_for(Opening(lambda: service, progress_of, FIRST))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: service.batches[False] == 1)  # held after one batch
        await pilot.press("a")  # every listing: its first rows at once
        await wait_until(pilot, lambda: app.screen.show_all and len(shown(app)) == FIRST)
        every = [r.sku for r in FakeService.cached_records(service, all_listings=True)]
        assert shown(app) == every[:FIRST]
        service.every_row.set()
        await settle(pilot)
        assert shown(app) == every
        assert (
            service.batches[False] == 2
        )  # the replaced load took the batch it waited for, no more


async def test_the_garbage_collector_paused_for_the_start_runs_again_once_the_app_is_up():
    """cli pauses it while the app starts (only long-lived objects are made then)."""
    gc.disable()
    try:
        app = make_app(
            FakeService,
            case_labels_loader=progress_of,
            sync_on_start=False,
            timing=UiTiming(started_seconds=0.05),
        )
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, gc.isenabled)
    finally:
        gc.enable()


def test_a_start_that_fails_before_the_app_leaves_the_collector_running(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert cli.main(["--profile", "nobody"]) == 2  # no config file: a usage error
    assert gc.isenabled()


def test_the_app_runs_with_a_short_gil_switch_interval_and_puts_it_back(monkeypatch):
    """A key handled while a worker thread decodes rows gets the GIL within
    GIL_SWITCH_SECONDS, not Python's 5 ms, at each of its waits; the process's own interval
    is back once the app has ended."""
    from asin_tui.commands import tui
    from asin_tui.ui import app as app_module

    seen: list[float] = []

    class Ran:
        return_code = 0
        crash_line = None  # the app's attribute since a300b11: no bug ended it

        def run(self) -> None:
            seen.append(sys.getswitchinterval())

    monkeypatch.setattr(app_module, "make_app", lambda *a, **k: Ran())
    before = sys.getswitchinterval()
    assert cli.main(["--demo"]) == 0
    assert seen == [tui.GIL_SWITCH_SECONDS] != [before]
    assert sys.getswitchinterval() == before
