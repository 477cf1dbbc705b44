"""The list over a cache holding a listing title that is not UTF-8 (another tool or a disk
fault wrote it): every row is listed, the damaged title shows U+FFFD, a one-line Cache notice
says why, and the cache file is not set aside."""

from __future__ import annotations

import pytest

from asin_tui.demo import DemoSettings, open_demo_service
from asin_tui.service import AccountService
from asin_tui.store.cache import ListingCache, cache_path
from asin_tui.ui.app import make_app
from asin_tui.ui.case_labels import saved_case_labels
from asin_tui.ui.widgets.listing_table import ListingTable
from tests.store.test_cache_utf8 import DEMO, SHOWN, damage, set_aside
from tests.ui.conftest import settle

QUICK = DemoSettings(drift=0.0, time_scale=100.0)


@pytest.fixture
def damaged_title(synced_demo):
    """A synced demo cache (a copy of the run's one demo sync) whose first listing needing
    attention has a title that is not UTF-8: (its path, the SKUs the list shows, the damaged
    one)."""
    path = cache_path(*DEMO)
    cache = ListingCache(path)
    wanted = [r.sku for r in cache.load_records(needs_attention_only=True)]
    cache.close()
    victim = wanted[0]
    damage(path, victim)
    return path, wanted, victim


async def test_the_list_shows_every_row_and_the_damaged_title(damaged_title):
    path, wanted, victim = damaged_title

    def demo() -> AccountService:
        return open_demo_service(settings=QUICK)

    app = make_app(demo, case_labels_loader=saved_case_labels, sync_on_start=False)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ListingTable)
        shown = table.view.shown()
        assert [r.sku for r in shown] == wanted
        assert next(r for r in shown if r.sku == victim).title == SHOWN
        told = [(n.title, n.message) for n in app._notifications]
        assert any(t == "Cache" and "not valid UTF-8" in m and "\n" not in m for t, m in told)
        await pilot.press("r")  # the sync writes the listing again
        await settle(pilot)
        await settle(pilot)
        assert "\ufffd" not in next(r for r in table.view.shown() if r.sku == victim).title
        assert app.is_running
    assert not set_aside(path)
