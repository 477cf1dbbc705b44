"""A large sync reports progress hundreds of times a second: the list screen takes it in
batches (one message queued at a time, carrying the latest), so the UI is not flooded and the
line always shows the latest progress (issue 12)."""

from __future__ import annotations

import asyncio
import threading

from asin_tui.service import SyncSummary
from asin_tui.spapi.sync import SyncProgress
from asin_tui.ui.app import make_app
from asin_tui.ui.messages import SyncProgressed
from asin_tui.ui.screens.list_screen import ListScreen
from tests.ui.conftest import wait_until, workers_done
from tests.ui.fakes import NOW, FakeService, progress_of


class BurstService(FakeService):
    """A sync that reports 500 steps in one go, then waits."""

    def __init__(self) -> None:
        super().__init__()
        self.hold = asyncio.Event()

    async def sync(self, *, include_all: bool, progress=None):
        for n in range(1, 501):
            progress(SyncProgress("restrictions", n, 500, f"Listing restrictions {n}/500"))
        await self.hold.wait()
        return {"listings": len(self.records)}


async def test_a_burst_of_progress_reaches_the_screen_batched_and_latest(monkeypatch):
    handled = []
    shown = ListScreen.on_sync_progressed

    def counting(self, message: SyncProgressed) -> None:
        handled.append(message)
        shown(self, message)

    monkeypatch.setattr(ListScreen, "on_sync_progressed", counting)
    service = BurstService()
    app = make_app(lambda: service, case_labels_loader=progress_of)
    async with app.run_test(size=(100, 30)) as pilot:
        # the start-up sync's worker reports; two pauses end early on a loaded machine (a
        # starved process looks idle to Textual's pause), so wait for the line itself
        await wait_until(pilot, lambda: "500/500" in status(app), 10)
        assert "Listing restrictions 500/500" in status(app)
        assert 1 <= len(handled) < 10  # not one message per step
        service.hold.set()
        await workers_done(app)


class HeldReloadService(FakeService):
    """A sync that ends while the rows' reload after it is held (a large cache reading)."""

    def __init__(self) -> None:
        super().__init__()
        self.synced_event, self.release = threading.Event(), threading.Event()

    async def sync(self, *, include_all: bool, progress=None):
        progress(SyncProgress("restrictions", 9, 10, "Listing restrictions 9/10"))
        self.synced_event.set()
        return SyncSummary(
            started_at=NOW, finished_at=NOW, include_all=include_all, complete=True, listings=42
        )

    def last_sync(self):
        if self.synced_event.is_set():
            self.release.wait(10)  # the reload after the sync, held
        return super().last_sync()


async def test_the_status_line_shows_the_finished_sync_before_the_rows_reload():
    service = HeldReloadService()
    app = make_app(lambda: service)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, lambda: service.synced_event.is_set(), 10)
            await wait_until(pilot, lambda: "42 listings" in status(app), 5)
            assert status(app).startswith("Last sync") and "restrictions" not in status(app)
            assert not service.release.is_set()  # the reload still holds
            service.release.set()
            await workers_done(app)
    finally:
        service.release.set()


def status(app) -> str:
    return str(app.screen.query_one("#sync-text").render())
