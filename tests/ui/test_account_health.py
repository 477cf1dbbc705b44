"""Pilot tests of the account banner and of the look for a pending Account Health report."""

from __future__ import annotations

import asyncio
from functools import partial

import pytest

from asin_tui.service import HealthRefresh
from asin_tui.spapi.errors import AuthError
from asin_tui.ui.app import make_app
from asin_tui.ui.screens.detail import DetailScreen
from asin_tui.ui.screens.list_screen import ListScreen
from asin_tui.ui.timing import UiTiming
from asin_tui.ui.widgets.account_banner import AccountBanner
from asin_tui.ui.widgets.listing_table import ListingTable
from tests.ui.conftest import run_checks, settle, wait_until
from tests.ui.fakes import FakeService, at_risk, progress_of


def banner_text(app) -> str | None:
    """What the banner shows on the current screen, or None when it is hidden."""
    banner = app.screen.query_one(AccountBanner)
    return str(banner.render()) if banner.display else None


def notifications(app) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


#: a look at a pending Account Health report every 50 ms, four at most
QUICK_LOOKS = UiTiming(health_look_seconds=0.05, health_looks=4)


@pytest.mark.parametrize("status", [None, "NORMAL"])
async def test_no_banner_and_no_look_while_the_account_is_healthy_or_unknown(status):
    """No Account Health report pending (the fake's default): no banner on the list or the
    detail, and no look for a report (run_checks, one app; the looks are quick ones)."""
    service = FakeService()
    service.account = None if status is None else at_risk(status)
    app = make_app(lambda: service, case_labels_loader=progress_of, timing=QUICK_LOOKS)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await run_checks(
            pilot,
            partial(no_look_without_a_pending_report, service),
            no_banner_on_the_list_or_the_detail,
        )


async def no_banner_on_the_list_or_the_detail(pilot) -> None:
    app = pilot.app
    assert banner_text(app) is None
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, DetailScreen)
    assert banner_text(app) is None


async def no_look_without_a_pending_report(service, pilot) -> None:
    app = pilot.app
    assert app.screen._health_timer is None  # nothing to look for: no watch
    await settle(pilot)
    assert service.looked == 0


@pytest.mark.parametrize(
    ("status", "words"), [("AT_RISK", "AT RISK"), ("DEACTIVATED", "DEACTIVATED")]
)
async def test_banner_on_the_list_and_the_detail_when_the_account_is_blocked(status, words):
    service = FakeService()
    service.account = at_risk(status, listingPolicyViolations=3)
    app = make_app(lambda: service, case_labels_loader=progress_of)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        expected = (
            f"⚠ Account {words} in US — resolve Account Health in Seller Central first: "
            "listing policy violations: 3"
        )
        assert banner_text(app) == expected
        banner = app.screen.query_one(AccountBanner)
        assert banner.region.y < app.screen.query_one("#counts").region.y  # above the counts
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert banner_text(app) == expected


async def test_banner_fits_80_columns_cutting_the_counters():
    service = FakeService()
    service.account = at_risk()  # two long counter names
    app = make_app(lambda: service, case_labels_loader=progress_of)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        banner = app.screen.query_one(AccountBanner)
        assert banner.region.height == 1
        line = banner.render_line(0).text.rstrip()
        assert line.startswith("⚠ Account AT RISK in US — resolve Account Health")
        assert line.endswith("…") and len(line) <= 80


async def test_pending_report_is_looked_at_after_the_sync_and_reloads_the_rows():
    service = FakeService()
    service.health_pending = True
    service.health_report = at_risk()
    service.health_looks = [
        HealthRefresh(pending=True),
        HealthRefresh(pending=False, updated=True),
    ]
    service.health_gate = asyncio.Event()  # the first look waits until the list is set up
    app = make_app(lambda: service, case_labels_loader=progress_of, timing=QUICK_LOOKS)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, lambda: service.looked == 1)
        await pilot.press("slash", *"mug", "enter", "j")
        table = app.screen.query_one(ListingTable)
        shown = [r.sku for r in table.view.shown()]
        cursor_sku = table.current.sku
        assert len(shown) > 1 and cursor_sku == shown[1]
        assert banner_text(app) is None
        service.health_gate.set()

        await wait_until(pilot, lambda: service.looked == 2 and banner_text(app) is not None)
        await settle(pilot)
        assert banner_text(app).startswith("⚠ Account AT RISK in US")
        assert [r.sku for r in table.view.shown()] == shown  # the filter stays
        assert table.current.sku == cursor_sku  # and the cursor
        assert table.current.main_cause == "Account at risk"  # rows diagnosed again
        assert app.screen._health_timer is None  # no look once the report is in
        await settle(pilot)
        assert service.looked == 2


async def test_looks_stop_after_health_looks_tries():
    service = FakeService()
    service.health_pending = True  # Amazon never finishes it
    app = make_app(lambda: service, case_labels_loader=progress_of, timing=QUICK_LOOKS)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: service.looked == QUICK_LOOKS.health_looks)
        await wait_until(pilot, lambda: app.screen._health_timer is None)  # no more looks
        await settle(pilot)
        assert service.looked == QUICK_LOOKS.health_looks


async def test_a_problem_is_told_in_one_line_and_the_looks_go_on():
    service = FakeService()
    service.health_pending = True
    service.health_report = at_risk()
    service.health_looks = [
        HealthRefresh(pending=True, problem="Reports API: 503 Service Unavailable"),
        HealthRefresh(pending=False, updated=True),
    ]
    app = make_app(lambda: service, case_labels_loader=progress_of, timing=QUICK_LOOKS)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: banner_text(app) is not None)
        assert "Account Health: Reports API: 503 Service Unavailable" in notifications(app)
        assert app.is_running


async def test_a_failed_look_is_told_without_a_traceback_and_stops_the_looks():
    service = FakeService()
    service.health_pending = True
    service.health_looks = [AuthError("the refresh token was revoked")]
    app = make_app(lambda: service, case_labels_loader=progress_of, timing=QUICK_LOOKS)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: service.looked == 1)
        await wait_until(pilot, lambda: app.screen._health_timer is None)  # it stopped
        await settle(pilot)
        assert service.looked == 1
        assert notifications(app) == [
            "Could not look at the Account Health report: "
            "Amazon refused the credentials: the refresh token was revoked"
        ]
        assert app.is_running and isinstance(app.screen, ListScreen)


async def test_the_looks_stop_when_the_list_is_unmounted():
    service = FakeService()
    service.health_pending = True
    app = make_app(lambda: service, case_labels_loader=progress_of, timing=QUICK_LOOKS)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: service.looked >= 1)
        screen = app.screen
        await app.pop_screen()
        await settle(pilot)
        looked = service.looked
        assert screen._health_timer is None  # the watch stopped with the screen
        await settle(pilot)
        assert service.looked == looked


async def test_holiday_mode_is_one_banner_not_a_cause_per_row():
    """Issue 10: many in-stock MFN listings unbuyable with no issue show one account banner."""
    from dataclasses import replace

    from asin_tui.domain.models import Category, Finding, Severity, State

    closed = Finding(
        Category.OTHER,
        Severity.ERROR,
        "LISTING_CLOSED",
        "Not buyable, no reason given by Amazon",
        "Amazon marks the offer not buyable although it has stock and a price.",
        "Look in Seller Central.",
    )
    service = FakeService()
    held = [
        replace(
            r,
            sku=f"HOLIDAY-{i:03d}",
            state=State.INACTIVE,
            buyable=False,
            fulfillment_channel="MFN",
            quantity=7,
            findings=(closed,),
        )
        for i, r in enumerate(service.records[:12])
    ]
    service.records = held + service.records[12:]
    app = make_app(lambda: service, case_labels_loader=progress_of)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = banner_text(app)
        assert text is not None and "holiday mode" in text and "12 in-stock MFN listings" in text
