"""A clock set back (an NTP correction after it ran ahead, a resumed virtual machine, a dead
clock battery, a cache copied from another machine): the moments asin-tui stored while it
was ahead lie in the future. Each "older than" decision took them as younger than any
limit, for as long as the clock had been ahead: `report --cached` answered from a month-old
sync, kept restrictions and catalog answers were used without being asked again, the stock
cover was never due. A moment further ahead than domain.moments.CLOCK_SLACK is older than
anything instead."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from asin_tui.cli import main
from asin_tui.demo import DemoSettings, open_demo_service
from asin_tui.domain.moments import CLOCK_SLACK, UNKNOWN_AGE, age
from asin_tui.service import ANSWER_MAX_AGE, STOCK_COVER_AT_KEY, _reusable
from asin_tui.store.cache import cache_path

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
AHEAD = timedelta(days=30)  # how far ahead the clock ran when the moments were stored


def test_the_age_of_a_moment_from_a_clock_that_ran_ahead_is_unknown():
    assert age(NOW - timedelta(hours=2), NOW) == timedelta(hours=2)
    assert age(NOW + CLOCK_SLACK, NOW) == timedelta(0)  # two clocks, a small NTP step
    assert age(NOW + CLOCK_SLACK + timedelta(seconds=1), NOW) == UNKNOWN_AGE
    assert age(NOW + AHEAD, NOW) > timedelta(days=36_500)


def test_report_cached_syncs_again_when_its_last_sync_is_in_the_future(capsys):
    quick = DemoSettings(drift=0.0, time_scale=100.0)
    assert main(["report", "--demo"], demo=quick) == 1
    path = cache_path("demo", "ATVPDKIKX0DER")
    future = (datetime.now(UTC) + AHEAD).isoformat()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE sync SET finished_at = ?", (future,))
    conn.close()
    capsys.readouterr()
    assert main(["report", "--demo", "--cached"], demo=quick) == 1
    with sqlite3.connect(path) as conn:
        (finished,) = conn.execute("SELECT finished_at FROM sync").fetchone()
    conn.close()
    assert datetime.fromisoformat(finished) <= datetime.now(UTC)  # synced again


def test_answers_kept_from_a_clock_that_ran_ahead_are_asked_again():
    answers = {
        "young": ({"restrictions": []}, NOW - timedelta(minutes=10)),
        "from the future": ({"restrictions": []}, NOW + AHEAD),
    }
    assert set(_reusable(answers, NOW, ANSWER_MAX_AGE)) == {"young"}


async def test_a_stock_cover_read_while_the_clock_ran_ahead_is_due():
    service = open_demo_service(reset=True, settings=DemoSettings(drift=0.0))
    try:
        read = datetime.now(UTC) - timedelta(minutes=1)
        service._cache.write_meta(STOCK_COVER_AT_KEY, read.isoformat())
        assert not service.stock_cover_due()  # read a minute ago: fresh
        service._cache.write_meta(STOCK_COVER_AT_KEY, (read + AHEAD).isoformat())
        assert service.stock_cover_due()
    finally:
        await service.aclose()


def test_a_change_sent_while_the_clock_ran_ahead_is_not_processing_for_ever():
    """A change 'sent' a month from now that the listing does not show: not "Amazon is
    still processing it" until the clock gets there, but a verdict on the listing as it is."""
    from asin_tui.domain.models import Listing
    from asin_tui.domain.outcomes import processing

    patch = [{"op": "replace", "path": "/attributes/item_name", "value": [{"value": "New"}]}]
    item = Listing(
        sku="S",
        marketplace_id="ATVPDKIKX0DER",
        attributes={"item_name": [{"value": "Old"}]},
        last_updated_date=NOW - timedelta(days=3),
    )
    assert processing(item, [(NOW - timedelta(minutes=1), "sub-1", patch)], NOW) is not None
    assert processing(item, [(NOW + AHEAD, "sub-1", patch)], NOW) is None
