"""The At risk view's days of cover stay current without R: the list reads Amazon's sales
reports in the background when the app opens and whenever the stored ones get older than their
freshness, never holding the keys, and the view says how old its days of cover are."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from asin_tui.spapi.errors import AuthError, CredentialsMissing
from asin_tui.ui.app import make_app
from asin_tui.ui.presentation import age_text, cover_age_text
from asin_tui.ui.screens.list_screen import ListScreen
from asin_tui.ui.timing import UiTiming
from asin_tui.ui.widgets.scope_notice import ScopeNotice
from tests.ui.conftest import settle, wait_until
from tests.ui.fakes import FakeService, progress_of

SIZE = (80, 24)


def notice(app) -> str | None:
    widget = app.screen.query_one(ScopeNotice)
    return str(widget.render()) if widget.display else None


def due_service() -> FakeService:
    service = FakeService()
    service.cover_due = True  # never read: due
    return service


async def test_the_sales_reports_are_read_when_the_app_opens_without_r():
    service = due_service()
    app = make_app(lambda: service, case_labels_loader=progress_of)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: service.cover_at is not None)  # after the sync's end
        await settle(pilot)
        assert service.cover_reads == 1
        await pilot.press("R")
        fresh = "Days of cover from Amazon's sales reports read under a minute ago"
        await wait_until(pilot, lambda: notice(app) == fresh)
        await pilot.press("R", "R")  # out and in: fresh now, not read again
        await settle(pilot)
        assert service.cover_reads == 1


async def test_the_view_says_the_reports_are_being_read_and_keys_answer_meanwhile():
    service = due_service()
    service.cover_gate = asyncio.Event()  # Amazon takes its time
    app = make_app(lambda: service, case_labels_loader=progress_of)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: service.cover_reads == 1)
        screen = app.screen
        assert isinstance(screen, ListScreen)
        await pilot.press("R")  # the keys answer while the reports are read
        await wait_until(pilot, lambda: notice(app) is not None)
        assert screen.narrow == "risk"
        assert notice(app) == "Days of cover: reading Amazon's sales reports…"
        service.cover_gate.set()
        await wait_until(pilot, lambda: not screen.cover_reading)
        await settle(pilot)
        assert notice(app) == "Days of cover from Amazon's sales reports read under a minute ago"
        assert service.cover_reads == 1


async def test_the_list_reads_them_again_once_they_are_old():
    service = FakeService()
    service.cover_at = datetime.now(UTC) - timedelta(hours=2)  # fresh enough: not read
    timing = UiTiming(cover_check_seconds=0.05)
    app = make_app(lambda: service, case_labels_loader=progress_of, timing=timing)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("R")
        two_hours = "Days of cover from Amazon's sales reports read 2 h ago"
        await wait_until(pilot, lambda: notice(app) == two_hours)
        assert service.cover_reads == 0
        service.cover_due = True  # older than their freshness now
        await wait_until(pilot, lambda: service.cover_reads == 1)
        screen = app.screen
        await wait_until(pilot, lambda: not screen.cover_reading)
        await settle(pilot)
        assert notice(app) == "Days of cover from Amazon's sales reports read under a minute ago"


async def test_a_read_that_fails_is_one_warning_and_the_view_stays():
    service = due_service()

    async def refused(*, force: bool = False):
        raise AuthError("invalid_grant")

    service.refresh_stock_cover = refused  # type: ignore[method-assign]
    app = make_app(lambda: service, case_labels_loader=progress_of)
    async with app.run_test(size=SIZE) as pilot:

        def told() -> list[str]:
            return [n.message for n in app._notifications if n.title == "Stock cover"]

        await wait_until(pilot, lambda: bool(told()))  # after the sync's end
        await settle(pilot)
        assert told() == [str(AuthError("invalid_grant"))]
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, ListScreen)
        assert notice(app) == "Days of cover: Amazon's sales reports not read yet"


async def test_a_read_that_fails_as_the_sync_did_is_not_said_twice():
    """A profile without credentials (what `config init` leaves until they are set): the
    sync's failure is told ("Sync failed", the status line, the empty list's line), and the
    sales reports' read then failed for the same reason and said it all again in a second
    toast, "Stock cover", the same long line. A read failing otherwise is still told (above)."""
    missing = CredentialsMissing("set LWA_APP_ID (or lwa_app_id in [profiles.main])")
    service = due_service()
    service.fail_sync = str(missing)  # as the real sync says it
    tried = []

    async def refused(*, force: bool = False):
        tried.append(force)
        raise missing

    service.refresh_stock_cover = refused  # type: ignore[method-assign]
    app = make_app(lambda: service, case_labels_loader=progress_of)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: bool(tried))  # after the sync's end
        await wait_until(pilot, lambda: not app.screen.cover_reading)
        await settle(pilot)
        titles = [n.title for n in app._notifications]
        assert "Sync failed" in titles
        assert "Stock cover" not in titles, [n.message for n in app._notifications]


def test_age_words():
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    assert age_text(30) == "under a minute"
    assert age_text(12 * 60 + 5) == "12 min"
    assert age_text(3 * 3600 + 600) == "3 h"
    assert age_text(3 * 86400) == "3 days"
    assert cover_age_text(now - timedelta(hours=13), now, reading=True) == (
        "Days of cover from Amazon's sales reports read 13 h ago · reading newer ones…"
    )
    assert cover_age_text(now + timedelta(seconds=5), now, reading=False).endswith(
        "read under a minute ago"
    )  # a clock a little ahead is no negative age
