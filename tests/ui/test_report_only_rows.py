"""A listing the At risk view knows from the sales reports only (live, not cached by a
needs-attention sync): `w` fetches it with getListingsItem and opens the wizard on it; one
Amazon does not know is said plainly, and the app stays up."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Static

from asin_tui.domain.cover import MFN, StockCover
from asin_tui.domain.looks import LOW_COVER
from asin_tui.domain.models import State, WizardStep
from asin_tui.domain.wizard import StockAction
from asin_tui.ui.app import make_app
from asin_tui.ui.screens.detail import DetailScreen
from asin_tui.ui.screens.list_screen import ListScreen
from asin_tui.ui.screens.wizard import WizardScreen
from tests.ui.conftest import settle, wait_until
from tests.ui.fakes import NOW, FakeService, make_records, progress_of

SIZE = (100, 30)
SKU = "MUG-LIVE-01"


def reports_only() -> FakeService:
    """The fake account, and a live MFN listing with 3 days of cover the cache does not hold."""
    fake = FakeService(make_records())
    fake.covers = {
        SKU: StockCover(
            SKU, MFN, 6, 2.0, 3.0, "orders of the last 30 days", NOW, "B0MUG00001", "Mug"
        )
    }
    fake.cover_at = NOW
    return fake


async def at_the_row(pilot) -> ListScreen:
    await settle(pilot)
    await pilot.press("R")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ListScreen)
    screen.table.cursor_row = screen.view.row_of(SKU)
    await pilot.pause()
    assert screen.table.current.sku == SKU
    return screen


async def test_w_fetches_a_listing_known_from_the_reports_and_opens_the_wizard():
    fake = reports_only()
    live = next(
        r for r in fake.records if r.state is State.ACTIVE and r.fulfillment_channel == "MFN"
    )
    fake.on_amazon[SKU] = replace(live, sku=SKU, quantity=6)
    app = make_app(lambda: fake, case_labels_loader=progress_of)
    async with app.run_test(size=SIZE) as pilot:
        await at_the_row(pilot)
        await pilot.press("w")
        await wait_until(pilot, lambda: isinstance(app.screen, WizardScreen))
        wizard = app.screen
        await wait_until(pilot, lambda: wizard.body is not None)
        assert fake.fetched == [SKU]  # one getListingsItem
        assert any(r.sku == SKU for r in fake.records)  # cached from now on
        assert not [n for n in app._notifications if n.severity == "error"]
        # Amazon finds nothing wrong with it yet: the wizard offers the Stock step for the
        # risk the row showed (3 days of cover, merchant-fulfilled: set the quantity)
        plan = wizard.body.state.plan
        stock = next(s for s in plan.steps if s.step is WizardStep.STOCK)
        assert stock.applies and stock.findings[0].code == LOW_COVER
        assert plan.stock.actions == (StockAction.SET_MFN_QUANTITY,)


async def test_such_a_rows_detail_names_w_and_one_amazon_does_not_know_is_said_plainly():
    """On one app (nothing on Amazon under that SKU): the row's detail says what w does; then
    w on the row says plainly that Amazon does not know it."""
    fake = reports_only()  # nothing on Amazon under that SKU
    app = make_app(lambda: fake, case_labels_loader=progress_of)
    async with app.run_test(size=SIZE) as pilot:
        await at_the_row(pilot)
        # the detail of such a row names w
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        text = " ".join(str(s.render()) for s in detail.query(".evidence Static").results(Static))
        assert "w fetches it from Amazon and opens the wizard" in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ListScreen) and app.screen.table.current.sku == SKU
        assert fake.fetched == [], "opening the detail fetched nothing"
        # w: one Amazon does not know is said plainly
        await pilot.press("w")
        await wait_until(pilot, lambda: isinstance(app.screen, WizardScreen))
        wizard = app.screen
        await wait_until(pilot, lambda: bool(fake.fetched))
        await settle(pilot)
        assert fake.fetched == [SKU]
        said = str(wizard.query_one("#wizard-loading", Static).render())
        assert f"Amazon has no listing {SKU} in this marketplace" in said
        assert "nothing the wizard can change" in said and "Escape goes back" in said
        assert wizard.body is None  # no wizard on a listing that is not there
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ListScreen)
