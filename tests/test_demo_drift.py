"""One demo account for every process: `watch --demo` and `asin-tui --demo` see the same
drifting account (sandbox/drift.py, counted from midnight UTC), and a fix the seller made
keeps its place among the drift's changes when another process replays the journal."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, datetime

import pytest

from asin_tui import cli
from asin_tui.commands.tui import open_demo
from asin_tui.demo import DemoSettings
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.drift import Schedule, mfn_quantity
from asin_tui.sandbox.transport import demo_app
from asin_tui.service import DEMO_MARKETPLACE_ID
from asin_tui.store.cache import cache_path
from tests.ui.test_since_last_look import set_quantity

MIDNIGHT = datetime(2026, 12, 4, tzinfo=UTC).timestamp()
HOUR = 3600.0


def history_rows() -> set[tuple[str, str, str]]:
    """Every (sku, state, since) row of the demo cache's state history."""
    path = cache_path("demo", DEMO_MARKETPLACE_ID)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return set(conn.execute("SELECT sku, state, since FROM history"))


def latest_states() -> dict[str, str]:
    latest: dict[str, tuple[str, str]] = {}
    for sku, state, since in history_rows():
        if sku not in latest or since > latest[sku][1]:
            latest[sku] = (state, since)
    return {sku: state for sku, (state, _) in latest.items()}


@pytest.mark.slow  # two watch rounds and a full sync of the drifting demo
def test_the_apps_demo_sees_what_watch_saw_and_its_history_does_not_flap(capsys):
    wall = [MIDNIGHT + 2 * HOUR]
    # the demo as it runs (4 changes an hour from midnight UTC), Amazon's rates 100x faster
    demo = DemoSettings(drift=4.0, wall=lambda: wall[0], time_scale=100.0)
    cli.main(["watch", "--demo", "--once"], demo=demo)  # the first look, at 02:00
    capsys.readouterr()
    wall[0] = MIDNIGHT + 9 * HOUR  # 28 changes later
    assert cli.main(["watch", "--demo", "--once"], demo=demo) == 1
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    changed = {e["sku"] for e in events if e["event"] in ("BECAME_INACTIVE", "RECOVERED")}
    assert changed, f"the drift moved listings on or off sale: {events}"
    seen = history_rows()
    states = latest_states()

    async def app_sync() -> None:  # the app's demo, as `asin-tui --demo` opens it, later on
        wall[0] += 60.0  # a minute on: no change due
        service = open_demo(settings=demo)
        try:
            await service.sync(include_all=True)
        finally:
            await service.aclose()

    asyncio.run(app_sync())
    known = {sku for sku, _, _ in seen}  # watch looked at these (it does not keep every one)
    flaps = {row for row in history_rows() - seen if row[0] in known}
    assert not flaps, "the app's sync put back what watch saw change"
    assert {sku: state for sku, state in latest_states().items() if sku in known} == states


def listings(account: SandboxAccount) -> list:
    data = ("summaries", "attributes", "issues", "fulfillmentAvailability")
    return [account.item(sku, data) for sku in account.search(sort_by="sku")]


def test_a_fix_made_mid_drift_is_replayed_in_its_place_by_the_next_process():
    wall = [MIDNIGHT + 5 * HOUR]
    live = demo_app(reset=True, patch_delay=0, drift=4.0, wall=lambda: wall[0])
    account = live.account
    sold_out = [r.sku for r in account.records() if mfn_quantity(account, r) == 0]
    set_quantity(sold_out[0], 30, live)  # restocked at 05:00, after 20 changes
    wall[0] = MIDNIGHT + 11 * HOUR
    account.settle()  # 24 more changes, over the restocked listing
    assert account.drift.applied == 44
    later = demo_app(patch_delay=0, drift=4.0, wall=lambda: wall[0]).account
    assert later.drift.applied == 44
    assert later.drift.log == account.drift.log
    assert listings(later) == listings(account)


def test_a_fix_saved_on_an_earlier_day_comes_before_the_days_drift(tmp_path):
    path = tmp_path / "journal.json"
    clock = [HOUR]
    yesterday = SandboxAccount.load_or_create(
        path, drift=Schedule(4.0, lambda: clock[0], "2026-12-03"), listings=60
    )
    sku = next(r.sku for r in yesterday.records() if mfn_quantity(yesterday, r) == 0)
    body = {
        "productType": yesterday.item(sku, ["summaries"])["summaries"][0]["productType"],
        "patches": [
            {
                "op": "replace",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 9}],
            }
        ],
    }
    assert yesterday.patch(sku, body, preview=False)["status"] == "ACCEPTED"
    yesterday.save(path)
    today = SandboxAccount.load_or_create(
        path, drift=Schedule(4.0, lambda: 0.0, "2026-12-04"), listings=60
    )
    assert today.drift.applied == 0  # a new day's drift starts over
    (record,) = [r for r in today.records() if r.sku == sku]
    assert mfn_quantity(today, record) == 9  # the fix is kept


def test_a_fix_made_in_one_process_shows_in_another_already_open():
    """The app and a running `watch --demo` are open at once: the restock the seller sends
    from the app is what watch's next round reads (it did not: watch told the listing
    inactive again and the cache's history flapped)."""
    wall = [MIDNIGHT + 7 * HOUR]
    app = demo_app(reset=True, patch_delay=0, drift=4.0, wall=lambda: wall[0])
    watch = demo_app(patch_delay=0, drift=4.0, wall=lambda: wall[0])
    sku = next(r.sku for r in app.account.records() if mfn_quantity(app.account, r) == 0)
    set_quantity(sku, 30, app)
    wall[0] += 16 * 60  # a drift change later
    watch.account.settle()  # what the HTTP app does before each answer
    app.account.settle()
    (record,) = [r for r in watch.account.records() if r.sku == sku]
    assert mfn_quantity(watch.account, record) == 30
    assert listings(watch.account) == listings(app.account)


def test_a_process_open_across_midnight_starts_the_new_day_as_a_new_process_does():
    """A `watch --demo` running overnight went on with the day's drift after midnight UTC
    while an app started after it began the new day: the two told opposite states of every
    listing the day's drift had changed. At midnight the open one renews itself."""
    wall = [MIDNIGHT + 23 * HOUR + 50 * 60]
    open_all_night = demo_app(reset=True, patch_delay=0, drift=4.0, wall=lambda: wall[0])
    account = open_all_night.account
    assert account.drift.applied == 95
    sold_out = next(r.sku for r in account.records() if mfn_quantity(account, r) == 0)
    set_quantity(sold_out, 30, open_all_night)  # a fix late in the day
    wall[0] = MIDNIGHT + 24 * HOUR + 20 * 60  # 00:20 the next day
    account.settle()  # what the HTTP app does before each answer
    assert account.drift.origin == "2026-12-05" and account.drift.applied == 1
    started_now = demo_app(patch_delay=0, drift=4.0, wall=lambda: wall[0]).account
    assert listings(account) == listings(started_now)
    (record,) = [r for r in account.records() if r.sku == sold_out]
    assert mfn_quantity(account, record) == 30, "the fix is kept"
