"""The app on the real demo service when the disk fills up (issue 8 item 5): the sync says
why in one line, the list keeps what it shows, the app keeps running, the cache is untouched."""

from __future__ import annotations

from asin_tui.demo import DemoSettings, open_demo_service
from asin_tui.service import AccountService
from asin_tui.ui.app import make_app
from asin_tui.ui.case_labels import saved_case_labels
from asin_tui.ui.widgets.listing_table import ListingTable
from tests.full_disk import FullDisk
from tests.ui.conftest import settle


async def test_a_full_disk_fails_the_sync_in_one_line_and_keeps_the_list():
    services: list[AccountService] = []
    disk = FullDisk()

    def demo():
        # its Amazon 100x faster (the syncs take ms), its cache on a disk that fills up
        settings = DemoSettings(drift=0.0, time_scale=100.0, cache_connect=disk.connect)
        services.append(open_demo_service(reset=True, settings=settings))
        return services[-1]

    app = make_app(demo, case_labels_loader=saved_case_labels)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await settle(pilot)
        table = app.screen.query_one(ListingTable)
        shown = [r.sku for r in table.view.shown()]
        assert shown
        path = services[0]._cache.path
        disk.fill()
        await pilot.press("r")
        await settle(pilot)
        await settle(pilot)
        status = str(app.screen.query_one("#sync-text").render())
        assert status.startswith(
            f"Sync failed: the listing cache {path} cannot be written: the disk is full"
        )
        assert status.endswith("— showing cached data")
        assert [r.sku for r in table.view.shown()] == shown  # still there
        assert app.is_running
        assert not list(path.parent.glob(f"{path.name}.corrupt-*"))
        assert [r.sku for r in services[0].cached_records(all_listings=False)] == shown
