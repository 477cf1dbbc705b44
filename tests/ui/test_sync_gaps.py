"""The list after a sync that could not fetch everything (issue 8 item 3, issue 9: "a partial
sync says '3 could not be fetched' without saying which"): the status line says how many
listings may be missing, a notification names each query and SKU with Amazon's answer."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from asin_tui.store.cache import SyncInfo
from asin_tui.ui.app import make_app
from tests.ui.conftest import run_checks, settle
from tests.ui.fakes import NOW, FakeService, progress_of

FAILED = {
    "search: not buyable, created 2026-01-01T00:00:00Z to …": (
        "searchListingsItems: SP-API is unavailable: HTTP 503 ServiceUnavailable: Service is "
        "temporarily unavailable. (request id 557b) [gave up after 6 tries] (tried again 3 "
        "times later in this sync); up to 40 listings not fetched"
    ),
    "search: live with issues": "searchListingsItems: throttled; an unknown number of listings",
    "SKU-\x1b]52;c;aGk=\x07": "evidence incomplete: getInventorySummaries: throttled",
}
MISSING = {
    "search: not buyable, created 2026-01-01T00:00:00Z to …": 40,
    "search: live with issues": None,
}


def status_text(app) -> str:
    return str(app.screen.query_one("#sync-text").render())


async def test_a_complete_sync_tells_nothing_an_incomplete_one_how_much_and_what():
    """Three syncs of one app, each checked in turn (run_checks): the start-up sync fetching
    everything, then `r` with Amazon's answers incomplete, then `r` with only some evidence
    missing. Each check sets what the next sync leaves (the fake's next_sync) and presses r."""
    service = FakeService()
    app = make_app(lambda: service, case_labels_loader=progress_of)
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        await run_checks(
            pilot,
            a_complete_sync_tells_nothing,
            partial(an_incomplete_sync_says_how_much_and_names_what, service),
            partial(evidence_gaps_alone_are_named_without_claiming_missing_listings, service),
        )


async def synced_again(pilot) -> None:
    await pilot.press("r")
    await settle(pilot)


async def an_incomplete_sync_says_how_much_and_names_what(service, pilot) -> None:
    app = pilot.app
    service.next_sync = SyncInfo(NOW, NOW, False, False, FAILED, 12, MISSING)
    await synced_again(pilot)
    assert status_text(app).endswith(
        "12 listings fetched · INCOMPLETE: up to 40 listings and an unknown number more "
        "not fetched (r to retry)"
    )
    (told,) = [n for n in app._notifications if n.title.startswith("Incomplete")]
    assert told.title == "Incomplete: up to 40 listings and an unknown number more not fetched"
    lines = told.message.splitlines()
    assert lines[0] == (
        'search "not buyable" (created 2026-01-01T00:00:00Z to …): up to 40 not fetched '
        "(searchListingsItems: SP-API is unavailable)"
    )
    assert lines[1] == (
        'search "live with issues": an unknown number of listings not fetched '
        "(searchListingsItems: throttled; an unknown number of listings)"
    )
    assert lines[2] == (
        "1 listing diagnosed without some evidence (getInventorySummaries): "
        "SKU-\\x1b]52;c;aGk=\\x07"
    )
    assert "\x1b" not in told.message  # a hostile SKU is shown, never sent
    assert lines[-1] == "Press r to sync again."
    assert told.timeout >= 20


async def evidence_gaps_alone_are_named_without_claiming_missing_listings(service, pilot) -> None:
    app = pilot.app
    only_evidence = {"SKU-1": "evidence incomplete: getListingsRestrictions: throttled"}
    later = NOW + timedelta(minutes=5)  # a sync after the one before (each is told once)
    service.next_sync = SyncInfo(later, later, False, False, only_evidence, 12)
    await synced_again(pilot)
    assert "INCOMPLETE" not in status_text(app)
    assert status_text(app).endswith("· 1 could not be fetched (r to retry)")
    (told,) = [n for n in app._notifications if n.title == "Not everything could be fetched"]
    assert told.message == (
        "1 listing diagnosed without some evidence (getListingsRestrictions): SKU-1"
    )


async def a_complete_sync_tells_nothing(pilot) -> None:
    app = pilot.app
    assert not [n for n in app._notifications if "fetched" in n.title]
