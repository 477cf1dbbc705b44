"""Issue 14's stock cover in the TUI on the real demo account: once the sales reports are read
(as `asin-tui watch` does), the At risk view (R) shows "N days of cover" for the listings whose
stock runs out soon — also live ones the needs-attention cache does not hold — and the detail
shows the cover with its sales velocity."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from asin_tui.domain.cover import days_text
from asin_tui.ui.screens.detail import DetailScreen
from asin_tui.ui.screens.list_screen import ListScreen
from tests.ui.conftest import settle
from tests.ui.test_since_last_look import session
from tests.ui.test_wizard_demo import QUICK_DEMO, SIZE
from tests.ui.test_wizard_demo import demo_app as demo_tui


async def test_at_risk_view_shows_days_of_cover_and_the_detail_its_velocity():
    from asin_tui.demo import open_demo_service

    service = open_demo_service(settings=QUICK_DEMO)  # its sales reports ready 100x sooner
    try:
        refresh = await service.refresh_stock_cover(force=True)
    finally:
        await service.aclose()
    assert refresh.updated
    short = {s: c for s, c in refresh.after.items() if c.short(14)}
    assert short  # the demo seller has listings that run out within two weeks
    app = demo_tui()
    async with app.run_test(size=SIZE) as pilot:
        screen = await session(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ListScreen)
        shown = {r.sku: r for r in screen.view.shown()}
        cached = {r.sku: r for r in screen.service.cached_records(all_listings=True)}
        off_sale = {s for s in short if s in cached and cached[s].needs_attention}
        short = {s: c for s, c in short.items() if s not in off_sale}  # off sale: not "at risk"
        assert short and not off_sale & shown.keys()
        assert any(s not in cached for s in short), "live listings the cache does not hold"
        for sku, cover in short.items():
            record = shown[sku]
            assert any(
                f.title.startswith(f"At risk: {days_text(cover.days)} of cover")
                for f in record.findings
            )
        sku = sorted(short)[0]
        screen.table.cursor_row = screen.view.row_of(sku)
        await pilot.press("enter")
        await settle(pilot)
        detail = pilot.app.screen
        assert isinstance(detail, DetailScreen)
        text = " ".join(str(s.render()) for s in detail.query("#cover Static").results(Static))
        assert f"{days_text(short[sku].days)} of cover" in text
        assert "Sales velocity:" in text and "a day" in text


@pytest.mark.slow
async def test_the_app_reads_the_sales_reports_on_opening_without_r():
    """Without `watch` and without R (issue 14 changes what R did: it read them only then):
    once the start-up sync is done the sales reports are read in the background (twice a
    day at most); R then shows the rows with their days of cover, and their age."""
    app = demo_tui()
    async with app.run_test(size=SIZE) as pilot:
        screen = await session(pilot)
        await settle(pilot)
        read = screen.service.stock_cover_at()
        assert read is not None
        assert not screen.service.stock_cover_due()
        await pilot.press("R")
        await settle(pilot)
        briefs = [r.main_brief for r in screen.view.shown()]
        assert any(" of cover (" in b for b in briefs), briefs
        notice = screen.query_one("#scope-notice", Static)
        assert "sales reports read under a minute ago" in str(notice.render())
        await pilot.press("R", "R")  # out and in again: fresh, not read again
        await settle(pilot)
        assert screen.service.stock_cover_at() == read
