"""The app with its syncs in a child process (a configured profile's, AccountService's
child_client): the list fills from the child's sync; a child killed mid-sync is one line on
the status line and the rows stay; quitting mid-sync ends the child and commits nothing."""

from __future__ import annotations

import os
import signal

import pytest

from asin_tui.ui.app import make_app
from asin_tui.ui.widgets.listing_table import ListingTable
from tests.test_child import gone
from tests.test_sync_child import child_pids as child_pids  # a fixture
from tests.test_sync_child import child_service, intact, nothing_committed
from tests.test_sync_child import served as served  # a fixture
from tests.ui.conftest import wait_until, workers_done


def status(app) -> str:
    return str(app.screen.query_one("#sync-text").render())


def shown(app) -> list[str]:
    return [r.sku for r in app.screen.query_one(ListingTable).view.shown()]


async def synced(pilot) -> None:
    """The start-up sync ended and the rows it brought are on screen."""
    await wait_until(pilot, lambda: status(pilot.app).startswith("Last sync"), 60)
    await workers_done(pilot.app)
    await wait_until(pilot, lambda: len(shown(pilot.app)) > 0, 10)


@pytest.mark.slow  # the app syncing a served sandbox through a child process, end to end
async def test_the_start_up_sync_in_the_child_fills_the_list(served, tmp_path, child_pids):
    account, _ = served
    service = child_service(served, tmp_path)
    app = make_app(lambda: service)
    async with app.run_test(size=(120, 40)) as pilot:
        await synced(pilot)
        assert set(shown(app)) <= set(account.search())
        assert len(shown(app)) == len(service.cached_records(all_listings=False))
        assert child_pids and gone(child_pids[0])


@pytest.mark.slow  # two child syncs of a served sandbox from the app, end to end
async def test_a_child_killed_mid_sync_is_one_line_and_the_rows_stay(served, tmp_path, child_pids):
    service = child_service(served, tmp_path)
    app = make_app(lambda: service)
    async with app.run_test(size=(120, 40)) as pilot:
        await synced(pilot)
        rows, before = shown(app), service.last_sync()
        await pilot.press("r")
        await wait_until(pilot, lambda: len(child_pids) == 2, 30)
        os.kill(child_pids[1], signal.SIGKILL)
        await wait_until(pilot, lambda: status(app).startswith("Sync failed"), 30)
        assert status(app) == (
            "Sync failed: its process was stopped by SIGKILL before the sync finished;"
            " the cache is as it was — showing cached data"
        )
        assert shown(app) == rows and app.is_running
        assert service.last_sync() == before
    assert intact(tmp_path / "child.sqlite3")


async def test_quitting_mid_sync_ends_the_child_and_commits_nothing(served, tmp_path, child_pids):
    # paced at a twentieth of Amazon's rates: the sync cannot end before the quit, however
    # loaded the machine (test_sync_child's close-mid-sync test says why)
    service = child_service(served, tmp_path, time_scale=0.05)
    app = make_app(lambda: service)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: bool(child_pids), 30)
        await wait_until(pilot, lambda: not status(app).startswith("Never synced"), 30)
        await pilot.press("q")
    assert gone(child_pids[0])
    assert nothing_committed(tmp_path / "child.sqlite3")
