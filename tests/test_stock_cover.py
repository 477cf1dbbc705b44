"""Stock cover (issue 14): the sandbox's sales reports, reading them as Amazon serves them, the
cover computed from the sandbox's own sales history, and `watch`'s AT_RISK for a short cover."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from asin_tui.domain.cover import (
    FBA,
    MFN,
    OrderLine,
    PlanningRow,
    StockCover,
    days_text,
    fba_cover,
    mfn_cover,
    newly_short,
)
from asin_tui.domain.events import Thresholds, cover_events
from asin_tui.sandbox import sales
from asin_tui.sandbox.account import ReportSnapshot, SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from asin_tui.sandbox.drift import mfn_quantity
from asin_tui.spapi.parse import UnreadableBody
from asin_tui.spapi.reports import listing_quantities, order_lines, planning_rows
from tests.test_service import TIME_SCALE, make_service
from tests.test_watch import make_watcher

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _account(**kwargs) -> SandboxAccount:
    return SandboxAccount(seed=11, listings=80, **kwargs)


def _live_mfn(account: SandboxAccount):
    return [
        r
        for r in account.records()
        if not r.fba
        and not r.is_parent
        and account._state(r).buyable
        and (mfn_quantity(account, r) or 0) > 5
        and account.sales.rate(r) > 0.3
    ]


# ---------------------------------------------------------------------------- the sandbox


def test_the_planning_report_has_amazons_columns_and_parses_back():
    account = _account()
    text = account.inventory_planning_report()
    assert text.startswith("\ufeff")  # a byte order mark, as Amazon's flat files have
    header = text.lstrip("\ufeff").splitlines()[0].split("\t")
    assert header == list(sales.PLANNING_COLUMNS)
    for column in ("snapshot-date", "available", "units-shipped-t7", "days-of-supply"):
        assert column in header
    rows = planning_rows(text)
    fba = {r.sku: r for r in account.records() if r.fba and not r.is_parent}
    assert {r.sku for r in rows} == set(fba)
    for row in rows:
        record = fba[row.sku]
        assert row.available == record.stock.fulfillable
        assert row.asin == record.asin and row.title
        assert row.shipped[7] <= row.shipped[30] <= row.shipped[60] <= row.shipped[90]
        if row.shipped[90] == 0:
            assert row.days_of_supply is None  # Amazon projects no demand: a blank cell


def test_the_orders_report_is_cp1252_with_documented_columns():
    """(Served as text/plain; charset=Cp1252: tests/sandbox/test_contract.py.)"""
    account = _account()
    text = account.orders_report(NOW - timedelta(days=30), NOW)
    body = text.encode(sales.ORDERS_ENCODING, errors="replace")
    text = body.decode("cp1252")
    assert text.splitlines()[0].split("\t") == list(sales.ORDER_COLUMNS)
    assert {len(line.split("\t")) for line in text.splitlines()} == {len(sales.ORDER_COLUMNS)}
    lines = order_lines(text)
    skus = {r.sku for r in account.records()}
    assert lines and {line.sku for line in lines} <= skus
    assert all(NOW - timedelta(days=31) < line.purchased <= NOW for line in lines)
    assert any(line.cancelled for line in lines if line.merchant)
    assert not any(line.cancelled for line in lines if not line.merchant)
    assert {line.merchant for line in lines} == {True, False}


def test_a_sale_leaves_the_stock_and_shows_in_the_reports():
    account = _account(now=NOW)
    record = _live_mfn(account)[0]
    before = mfn_quantity(account, record)
    shipped_before = account.sales.shipped(record, NOW + timedelta(minutes=1), 7, on_sale=True)
    account.sell(record, 4)
    assert mfn_quantity(account, record) == before - 4
    after = account.sales.shipped(record, NOW + timedelta(minutes=1), 7, on_sale=True)
    assert after == shipped_before + 4


def test_sales_forget_bursts_older_than_any_report_reads():
    """A drifting account that runs for weeks (the demo under watch) keeps a bounded list."""
    account = _account(now=NOW)
    record = _live_mfn(account)[0]
    old = NOW - timedelta(days=sales.HISTORY_DAYS + 2)
    account.sales.sell(record, 1, old)
    account.sales.sell(record, 2, NOW)
    window = (NOW - timedelta(days=400), NOW + timedelta(minutes=1))
    bursts = [o for o in account.sales.orders(record, *window, on_sale=False, fba=False)]
    assert [o.quantity for o in bursts if o.purchased in (old, NOW)] == [2]


def test_a_report_snapshot_is_not_moved_by_later_sales():
    account = _account(now=NOW)
    record = _live_mfn(account)[0]
    snapshot = account.report_snapshot()
    before = snapshot.orders_report(NOW - timedelta(days=30), NOW + timedelta(minutes=1))
    account.sell(record, 3)
    assert snapshot.orders_report(NOW - timedelta(days=30), NOW + timedelta(minutes=1)) == before
    after = account.orders_report(NOW - timedelta(days=30), NOW + timedelta(minutes=1))
    assert after.count(record.sku) > before.count(record.sku)


def test_the_drift_sells():
    account = _account()
    clock = [0.0]
    account.start_drift(3600.0, lambda: clock[0])  # a change a sandbox second
    clock[0] = 200.0
    account.settle()
    sold = [sku for _, kind, sku in account.drift.log if kind == "sell"]
    assert sold
    assert any(account.sales._bursts.get(sku) for sku in sold)


# ---------------------------------------------------------------------------- reading


def test_untidy_flat_files_are_read():
    text = (
        "\ufeffSKU\tAvailable\tunits_shipped_t7\tUnits-Shipped-T30\tdays-of-supply\tproduct-name\t\r\n"
        'A-1\t1,200\t7\t30\t\tA "quoted" name\t\r\n'
        "B-2\t3\tN/A\r\n"
        "\r\n"
    )
    a, b = planning_rows(text)
    assert (a.sku, a.available, a.shipped, a.days_of_supply) == ("A-1", 1200, {7: 7, 30: 30}, None)
    assert a.title == 'A "quoted" name'
    assert (b.sku, b.available, b.shipped) == ("B-2", 3, {})


def test_a_date_past_the_calendars_range_is_no_date_not_a_crash():
    # "9999-12-31T23:59:59-23:59" in UTC is year 10000: OverflowError escaped the report's
    # reading, and the stock cover refresh with it
    from asin_tui.spapi.reports import order_totals

    planning = (
        "sku\tavailable\tsnapshot-date\nA-1\t5\t9999-12-31T23:59:59-23:59\n"
        "B-2\t3\t0001-01-01T00:00:00+23:59\n"
    )
    a, b = planning_rows(planning)
    assert (a.sku, a.available, a.snapshot, b.snapshot) == ("A-1", 5, None, None)
    orders = (
        "amazon-order-id\tpurchase-date\tsku\tquantity\tfulfillment-channel\n"
        "1\t9999-12-31T23:59:59-23:59\tA-1\t2\tMerchant\n"
        f"2\t{(NOW - timedelta(days=1)).isoformat()}\tA-1\t3\tMerchant\n"
    )
    assert [line.quantity for line in order_lines(orders)] == [3]
    assert set(order_totals(orders, NOW)) == {"A-1"}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("sku\tfnsku\nA\tX\n", "no available column"),
        ("<html>Access Denied</html>", "no sku, available column"),
    ],
)
def test_a_malformed_report_says_what_is_wrong_in_one_line(text, words):
    with pytest.raises(UnreadableBody) as caught:
        planning_rows(text)
    assert words in str(caught.value) and "\n" not in str(caught.value)


def test_listing_quantities_are_the_merchant_fulfilled_ones():
    text = (
        "item-name\tseller-sku\tquantity\tasin1\tfulfillment-channel\n"
        "Mug\tM-1\t4\tB01\tDEFAULT\n"
        "Pan\tF-1\t\tB02\tAMAZON_NA\n"
        "Parent\tP-1\t\tB03\tDEFAULT\n"
    )
    assert listing_quantities(text) == {"M-1": (4, "B01", "Mug"), "P-1": (None, "B03", "Parent")}


# ---------------------------------------------------------------------------- the domain


def test_fba_cover_takes_amazons_days_of_supply_else_the_faster_pace():
    row = PlanningRow("A", available=30, shipped={7: 14, 30: 30, 90: 60}, days_of_supply=12.0)
    cover = fba_cover(row, NOW)
    assert (cover.days, cover.daily, cover.source) == (12.0, 2.0, "Amazon's days of supply")
    blank = fba_cover(PlanningRow("A", available=30, shipped={7: 14, 30: 30}), NOW)
    assert (blank.days, blank.daily) == (15.0, 2.0)  # 14 a week beats 30 a month
    slow = fba_cover(PlanningRow("A", available=30, shipped={7: 0, 30: 0, 60: 0, 90: 45}), NOW)
    assert (slow.days, slow.source) == (60.0, "last 90 days")
    idle = fba_cover(PlanningRow("A", available=30, shipped={7: 0, 30: 0, 90: 0}), NOW)
    assert idle.days is None and not idle.short(14)  # no pace: unknown, never short


def test_mfn_cover_counts_the_last_30_days_without_cancelled_orders():
    orders = [
        OrderLine("M", NOW - timedelta(days=2), 6, "Shipped", "Shipped"),
        OrderLine("M", NOW - timedelta(days=20), 6, "Pending", "Unshipped"),
        OrderLine("M", NOW - timedelta(days=5), 9, "Cancelled", "Cancelled"),
        OrderLine("M", NOW - timedelta(days=40), 30, "Shipped", "Shipped"),
    ]
    cover = mfn_cover("M", 4, orders, NOW)
    assert cover.daily == pytest.approx(12 / 30)
    assert cover.days == pytest.approx(10.0)
    assert cover.short(14) and not cover.short(10) and not cover.short(0)
    assert "10 days of cover (4 units, 0.4 a day" in cover.words()


def test_a_cover_of_thousands_of_days_or_units_is_grouped_as_amounts_are():
    """The demo's detail said '26699 days of cover (178 units…'; amounts read '1,200'."""
    slow = StockCover("S", FBA, 17800, 0.5, 35600.0, "x")
    assert slow.words().startswith("35,600 days of cover (17,800 units, 0.5 a day")
    assert StockCover("I", FBA, 1200, None, None, "x").words().startswith("1,200 units, no sales")
    assert days_text(1) == "1 day" and days_text(999.9) == "999 days"
    # the demo's At risk detail: '1 day of cover (1 units, 0.73 a day…'
    assert StockCover("O", MFN, 1, 0.73, 1.4, "x").words().startswith("1 day of cover (1 unit,")


def test_a_listing_no_report_covers_is_not_checked_and_newly_short_is_told_once():
    short = StockCover("S", FBA, 3, 1.0, 3.0, "x")
    fine = StockCover("F", FBA, 300, 1.0, 300.0, "x")
    assert [c.sku for c in newly_short(None, {"S": short, "F": fine}, 14)] == ["S"]
    assert newly_short({"S": short}, {"S": short}, 14) == []
    unknown = StockCover("U", MFN, None, None, None, "quantity not known")
    assert not unknown.short(14) and "not checked" in unknown.words()
    assert StockCover.from_dict(short.as_dict()) == short


def test_cover_events_carry_the_days_and_skip_listings_off_sale():
    short = StockCover("S", MFN, 2, 1.0, 2.0, "orders of the last 30 days", NOW, "B0S", "Mug")
    [cover, low] = cover_events([short], {}, now=NOW, marketplace_id="M1")
    assert cover.kind == "AT_RISK" and cover.main_cause == "Low stock cover: 2 days left"
    data = cover.to_dict("p")
    assert data["days_of_cover"] == 2.0 and data["daily_velocity"] == 1.0
    assert data["sku"] == "S" and data["asin"] == "B0S" and data["title"] == "Mug"
    assert low.key == "S|mfn-quantity|2"  # the key listing_events uses: told once
    [only_low] = cover_events([short], {}, now=NOW, marketplace_id="M1", newly_short=())
    assert only_low.key == low.key  # short before too: the cover is not told again
    assert cover_events([short], {}, now=NOW, marketplace_id="M1", thresholds=Thresholds(cover_days=0, mfn_quantity=0)) == []  # fmt: skip


# ---------------------------------------------------------------------------- service + watch


async def test_cover_from_the_sandboxs_own_sales_history():
    account = _account()
    app = SandboxApp(account, time_scale=TIME_SCALE)
    service = make_service(app)
    try:
        refresh = await service.refresh_stock_cover()
        assert refresh.updated and not refresh.pending and refresh.problem is None
        covers = service.stock_cover()
        now = datetime.now(UTC)
        record = _live_mfn(account)[0]
        expected = sum(
            o.quantity
            for o in account.sales.orders(
                record, now - timedelta(days=30), now, on_sale=True, fba=False
            )
            if not o.cancelled
        )
        cover = covers[record.sku]
        assert cover.channel == MFN
        assert cover.available == mfn_quantity(account, record)
        assert cover.daily == pytest.approx(expected / 30, abs=0.1)
        fba = next(r for r in account.records() if r.fba and not r.is_parent)
        assert covers[fba.sku].channel == FBA
        assert covers[fba.sku].available == fba.stock.fulfillable
        again = await service.refresh_stock_cover()  # fresh: no report asked again
        assert not again.updated and again.after == covers
    finally:
        await service.aclose()


async def test_what_is_stored_is_read_off_the_callers_loop_fresh_or_not(monkeypatch):
    """The app's list asks for the cover on its own (the UI's) loop: the stored cover and its
    age are read on the service's background loop, where a read waiting for the cache's read
    lock (a worker reading every row) holds no key up; also when nothing is due."""
    import threading

    service = make_service(SandboxApp(_account(), time_scale=TIME_SCALE))
    read_on: list[str] = []
    stored = type(service).stock_cover

    def stock_cover(self):
        read_on.append(threading.current_thread().name)
        return stored(self)

    monkeypatch.setattr(type(service), "stock_cover", stock_cover)
    try:
        assert (await service.refresh_stock_cover()).updated  # due: read, stored
        assert not (await service.refresh_stock_cover()).updated  # fresh: nothing asked
        here = threading.current_thread().name
        assert len(read_on) == 2 and here not in read_on, (here, read_on)
    finally:
        await service.aclose()


async def test_a_malformed_report_is_one_line_and_the_rest_still_counts(monkeypatch):
    account = _account()
    # the document createReport builds from its snapshot of the account
    monkeypatch.setattr(
        ReportSnapshot, "inventory_planning_report", lambda _self: "garbage without columns\n"
    )
    app = SandboxApp(account, time_scale=TIME_SCALE)
    service = make_service(app)
    try:
        refresh = await service.refresh_stock_cover()
        assert refresh.problem and "planning report has no" in refresh.problem
        assert "\n" not in refresh.problem
        assert refresh.updated and {c.channel for c in refresh.after.values()} == {MFN}
    finally:
        await service.aclose()


async def test_watch_tells_a_short_cover_as_at_risk():
    account = _account()
    record = _live_mfn(account)[0]
    app = SandboxApp(account, time_scale=TIME_SCALE)
    account.sell(record, (mfn_quantity(account, record) or 0) - 3)  # a run on it: 3 left
    watcher = make_watcher(app, thresholds=Thresholds(cover_days=14, mfn_quantity=2))
    try:
        first = await watcher.round()
        mine = [e for e in first.events if e.sku == record.sku]
        assert [e.payload["risk"] for e in mine] == ["cover"]
        payload = mine[0].payload
        assert payload["event"] == "AT_RISK" and payload["available"] == 3
        assert payload["days_of_cover"] < 14 and payload["fix"]
        assert set(payload) >= {"time", "profile", "marketplace_id", "sku", "asin", "title"}
        assert not any(e.sku == record.sku for e in (await watcher.round()).events)
    finally:
        await watcher.service.aclose()
        watcher.store.close()


async def test_the_drifting_sandbox_moves_cover_and_watch_tells_it():
    """`sandbox serve --drift` sells bursts: with the reports read every round, a listing
    whose stock a burst took is told as AT_RISK with its new, short cover."""
    from dataclasses import replace

    from asin_tui.service import FRESHNESS

    account = _account()
    clock = [0.0]
    account.start_drift(60.0, lambda: clock[0])  # a change a sandbox minute
    app = SandboxApp(account, time_scale=TIME_SCALE)
    watcher = make_watcher(app, thresholds=Thresholds(cover_days=14, mfn_quantity=0))
    watcher.service.freshness = replace(FRESHNESS, stock_cover_max_age=timedelta(0))
    try:
        await watcher.round()
        clock[0] = 60.0 * 90
        second = await watcher.round()
        sold = {sku for _, kind, sku in account.drift.log if kind == "sell"}
        touched = {sku for _, _, sku in account.drift.log}
        told = {e.sku for e in second.events if e.payload.get("risk") == "cover"}
        assert told & sold, (told, sold)
        assert told <= touched  # nothing else moved: the same sales history, the same cover
    finally:
        await watcher.service.aclose()
        watcher.store.close()


async def test_reports_the_application_may_not_read_are_one_line_and_not_asked_every_round():
    """An application without the roles these reports need gets 403 from createReport: one
    line saying so, the watch round goes on, and the reports are not asked for again within
    the hour (then twice a day, as ever)."""
    import json

    import httpx

    from asin_tui.sandbox.transport import SandboxTransport

    class NoSalesRole(SandboxTransport):
        asked = 0

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "POST" and request.url.path.endswith("/reports"):
                NoSalesRole.asked += 1
                body = {"errors": [{"code": "Unauthorized", "message": "Access denied"}]}
                return httpx.Response(403, json=body)
            return await super().handle_async_request(request)

    app = SandboxApp(_account(), time_scale=TIME_SCALE)
    service = make_service(app, NoSalesRole(app))
    try:
        refresh = await service.refresh_stock_cover()
        assert not refresh.updated and refresh.problem and "\n" not in refresh.problem
        assert "not authorised" in refresh.problem
        asked = NoSalesRole.asked
        assert asked >= 3 and not service.stock_cover_due()
        again = await service.refresh_stock_cover()
        assert NoSalesRole.asked == asked and again.problem is None and not again.updated
        assert json.dumps(service.stock_cover()) == "{}"  # nothing: not checked, not a cause
    finally:
        await service.aclose()


# ---------------------------------------------------------------------------- time scale


async def test_the_demo_reads_the_cover_again_on_its_own_clock():
    """The demo's simulated Amazon at a time scale: "twice a day" is twice a day of its time
    (as its rates and report times are), so a cover read a minute ago by the wall clock is
    due again at time scale 1,000 (43 s), and fresh at Amazon's pace."""
    from asin_tui.demo import DemoSettings, open_demo_service
    from asin_tui.service import STOCK_COVER_AT_KEY, STOCK_COVER_MAX_AGE

    read = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    for scale, due in ((1000.0, True), (1.0, False)):
        service = open_demo_service(reset=True, settings=DemoSettings(drift=0.0, time_scale=scale))
        try:
            freshness = service.freshness
            assert freshness.stock_cover_max_age == STOCK_COVER_MAX_AGE / scale
            assert freshness.stock_cover_retry == timedelta(hours=1) / scale
            assert freshness.account_health_max_age == timedelta(hours=6) / scale
            service._cache.write_meta(STOCK_COVER_AT_KEY, read)
            assert service.stock_cover_due() is due
        finally:
            await service.aclose()


def test_the_pace_reads_the_same_in_the_cover_line_and_the_sales_velocity():
    """The detail said "0.1 a day" then "Sales velocity: 0.13 units a day" for one listing."""
    from asin_tui.domain.cover import pace_text

    cover = StockCover("S", MFN, 228, 0.1333, 1710.0, "orders of the last 30 days")
    assert "(228 units, 0.13 a day;" in cover.words()
    assert [pace_text(d) for d in (2.44, 12.0, 0.4, 0.1333, 0.0)] == [
        "2.4",
        "12.0",
        "0.4",
        "0.13",
        "0",
    ]
