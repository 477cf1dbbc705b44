"""The list and detail on the real service over the in-process demo account (no fakes)."""

from __future__ import annotations

from functools import partial

from asin_tui.demo import open_demo_service
from asin_tui.sandbox.transport import demo_account_path
from asin_tui.ui.app import make_app
from asin_tui.ui.case_labels import saved_case_labels
from asin_tui.ui.screens.detail import DetailScreen
from asin_tui.ui.widgets.listing_table import ListingTable
from tests.ui.conftest import settle
from tests.ui.test_wizard_demo import QUICK_DEMO  # the demo's Amazon 100x faster: syncs in ms


async def test_demo_syncs_lists_report_order_and_opens_a_diagnosis():
    service_box = []

    def demo():
        service_box.append(open_demo_service(reset=True, settings=QUICK_DEMO))
        return service_box[0]

    app = make_app(demo, case_labels_loader=saved_case_labels)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await settle(pilot)  # the sync's reload of the cache
        table = app.screen.query_one(ListingTable)
        shown = table.view.shown()
        assert shown, "the first sync fills the list"
        expected = service_box[0].cached_records(all_listings=False)
        assert [r.sku for r in shown] == [r.sku for r in expected]
        # the default view: listings needing attention, and live ones at risk (a WARNING)
        assert all(r.listed_by_default for r in shown)
        assert any(r.at_risk and not r.needs_attention for r in shown)
        assert "Last sync" in str(app.screen.query_one("#sync-text").render())
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        findings = app.screen.query_one("#findings")
        assert shown[0].findings[0].title in "\n".join(str(s.render()) for s in findings.children)


async def test_demo_with_an_unusable_data_folder_opens_in_memory_and_says_so(monkeypatch, tmp_path):
    blocker = tmp_path / "data-is-a-file"
    blocker.write_text("not a folder\n")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    app = make_app(
        partial(open_demo_service, settings=QUICK_DEMO), case_labels_loader=saved_case_labels
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert app.screen.query_one(ListingTable).view.shown(), "the demo runs, in memory"
        notes = [(n.title, n.message, n.severity) for n in app._notifications]
        folder = demo_account_path().parent
        assert (
            "Account",
            f"demo fixes won't be kept: {folder}: Not a directory",
            "warning",
        ) in notes
