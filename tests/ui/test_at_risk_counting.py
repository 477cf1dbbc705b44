"""The at-risk count right after start (session 8's walk: "R At risk" went from 8 to 24 a
few seconds in, with no word why). The count from the cache comes first; the listings short
of stock cover come from Amazon's sales reports, read in the background after the first
sync. While they are read the count says it is a count so far, and why."""

from __future__ import annotations

import asyncio

from asin_tui.domain.cover import MFN, StockCover
from asin_tui.ui.app import make_app
from asin_tui.ui.screens.list_screen import ListScreen
from asin_tui.ui.widgets.filter_input import FilterInput
from asin_tui.ui.widgets.state_counts import StateCounts
from tests.ui.conftest import settle, wait_until
from tests.ui.fakes import NOW, FakeService, progress_of


def counts(app) -> str:
    return " ".join(str(app.screen.query_one(StateCounts).render()).split())


async def test_the_at_risk_count_says_so_far_while_the_sales_reports_are_read():
    service = FakeService()
    service.cover_due = True  # never read: read after the first sync
    service.cover_gate = asyncio.Event()  # Amazon takes its time
    app = make_app(lambda: service, case_labels_loader=progress_of)
    async with app.run_test(size=(120, 40)) as pilot:
        try:
            await reading_then_read(pilot, service)
        finally:
            service.cover_gate.set()  # never left waiting (the app could not close)


async def reading_then_read(pilot, service) -> None:
    app = pilot.app
    await wait_until(pilot, lambda: service.cover_reads == 1)
    screen = app.screen
    assert isinstance(screen, ListScreen)
    # (no settle while the reports are read: the app is not at rest until they are)
    await wait_until(pilot, lambda: "so far" in counts(app))
    at_risk = len(screen.at_risk_skus)  # from the cache: none of its listings
    told = f"R At risk {at_risk} so far (reading the sales reports…)"
    assert told in counts(app)
    # the reports find a live listing with 3 days of cover: one more at risk
    service.covers = {
        "MUG-LIVE-01": StockCover(
            "MUG-LIVE-01", MFN, 6, 2.0, 3.0, "orders of the last 30 days", NOW, "B0MUG", "Mug"
        )
    }
    service.cover_gate.set()
    await wait_until(pilot, lambda: "so far" not in counts(app))
    await settle(pilot)
    assert len(screen.at_risk_skus) == at_risk + 1
    assert f"R At risk {at_risk + 1}" in counts(app) and "reading" not in counts(app)
    # a filter narrows the counts; the listing at risk is not a row of this view (its
    # cover's row is the At risk view's): its count is said to be the whole account's
    typed = screen.query_one(FilterInput)
    await type_filter(pilot, typed, "mug")
    assert f"R At risk {at_risk + 1} account-wide" in counts(app)
    await type_filter(pilot, typed, "")
    assert "account-wide" not in counts(app)
    # in the At risk view the listings at risk are its rows: the filter's count, as shown
    await pilot.press("R")
    rows = lambda: [r.sku for r in screen.table.view.records]  # noqa: E731
    await wait_until(pilot, lambda: screen.narrow == "risk" and rows() == ["MUG-LIVE-01"])
    await type_filter(pilot, typed, "mug")
    assert [r.sku for r in screen.table.view.shown()] == ["MUG-LIVE-01"]
    assert f"R At risk {at_risk + 1}" in counts(app) and "account-wide" not in counts(app)
    await type_filter(pilot, typed, "mux")  # no listing at risk is kept
    assert not screen.table.view.shown() and "R At risk" not in counts(app)


async def type_filter(pilot, typed, text: str) -> None:
    """The filter as typed (its value set: a key press each costs ~0.1 s in a test)."""
    typed.value = text
    await wait_until(pilot, lambda: pilot.app.screen.table.view.query == text)
