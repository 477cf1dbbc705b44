"""Start-up: the list paints from the cache and takes keys while the account's client (for
the demo, its simulated account) is still being built, in a thread."""

from __future__ import annotations

import asyncio
import threading

from asin_tui.commands.tui import open_demo
from asin_tui.demo import DemoSettings, open_demo_service
from asin_tui.service import DEMO_MARKETPLACE_ID, DEMO_SELLER_ID
from asin_tui.ui.app import make_app
from asin_tui.ui.case_labels import saved_case_labels
from asin_tui.ui.widgets.listing_table import ListingTable
from tests.ui.conftest import settle
from tests.ui.test_wizard_demo import QUICK_DEMO  # the demo's Amazon 100x faster: syncs in ms


async def cached_demo() -> None:
    """A demo account synced once: what the next `asin-tui --demo` paints from."""
    service = open_demo_service(reset=True, settings=QUICK_DEMO)
    try:
        await service.sync(include_all=False)
    finally:
        await service.aclose()


async def finished(app, group: str) -> None:
    for worker in [w for w in app.workers if w.group == group]:
        await worker.wait()


async def test_the_list_takes_keys_while_the_client_is_still_being_built():
    await cached_demo()
    building, release = threading.Event(), threading.Event()
    service = open_demo(settings=QUICK_DEMO)
    build = service._client_factory

    def held_build():
        building.set()
        if not release.wait(30):  # built on the event loop, no key could ever be pressed
            raise TimeoutError("the test never released the client build")
        return build()

    service._client_factory = held_build
    app = make_app(lambda: service, case_labels_loader=saved_case_labels)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await asyncio.to_thread(building.wait, 10), "the client is built after paint"
        table = app.screen.query_one(ListingTable)
        attention = [r.sku for r in table.view.shown()]
        assert attention, "the cached rows are on screen"
        await pilot.press("a")  # every listing, from the cache
        await finished(app, "cache")
        await pilot.pause()
        assert app.screen.show_all
        assert len(table.view.shown()) > len(attention)
        await pilot.press("down")
        assert table.current is not None and table.current.sku == table.view.shown()[1].sku
        assert service._api is None and app.screen.syncing  # still being built
        release.set()
        await settle(pilot)
        await settle(pilot)  # the sync's reload of the cache
        assert not app.screen.syncing and app.screen.sync_error is None
        assert "Last sync" in str(app.screen.query_one("#sync-text").render())


async def test_the_lazy_demo_is_the_account_its_client_serves():
    """The demo's seller and marketplace, known before its simulated account is built, are
    the ones it serves."""
    service = open_demo(settings=DemoSettings(drift=0.0))
    try:
        await service.connect()
        api = service._client()
        assert (api.marketplace_id, api.seller_id) == (DEMO_MARKETPLACE_ID, DEMO_SELLER_ID)
        assert (service.marketplace_id, service.seller_id) == (DEMO_MARKETPLACE_ID, DEMO_SELLER_ID)
    finally:
        await service.aclose()
