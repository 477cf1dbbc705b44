"""The events between two looks at an account (domain/events.py): what a seller is told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from asin_tui.domain import codes
from asin_tui.domain.events import (
    EventKind,
    Thresholds,
    WaitingCase,
    account_events,
    listing_events,
    overdue_events,
)
from asin_tui.domain.models import (
    AccountHealth,
    Category,
    Finding,
    ListingRecord,
    Severity,
    State,
)

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
MP = "ATVPDKIKX0DER"


def finding(code: str, severity: Severity = Severity.ERROR, title: str = "") -> Finding:
    return Finding(
        Category.STOCK, severity, code, title or f"{code} title", "detail", f"fix {code}"
    )


def record(state: State = State.ACTIVE, *findings: Finding, **more) -> ListingRecord:
    live = state is State.ACTIVE
    values = dict(
        sku="SKU-1",
        asin="B000000001",
        title="Mug",
        marketplace_id=MP,
        state=state,
        buyable=live,
        discoverable=live,
        findings=findings,
        fulfillment_channel="MFN",
        quantity=5,
    )
    values.update(more)
    return ListingRecord(**values)


def kinds(events) -> list[EventKind]:
    return [e.kind for e in events]


def test_a_live_listing_going_out_of_stock_becomes_inactive_with_its_cause_and_fix():
    out = record(State.INACTIVE, finding(codes.OUT_OF_STOCK_MFN, title="Out of stock"), quantity=0)
    [event] = listing_events(None, out, now=NOW)
    assert event.kind is EventKind.BECAME_INACTIVE
    line = event.to_dict("main")
    assert line["state_before"] == "ACTIVE" and line["state_after"] == "INACTIVE"
    assert line["main_cause"] == "Out of stock" and line["fix"] == f"fix {codes.OUT_OF_STOCK_MFN}"
    assert line["sku"] == "SKU-1" and line["asin"] == "B000000001" and line["title"] == "Mug"
    assert line["findings"] == ["Out of stock"] and line["profile"] == "main"
    assert set(line) >= {"time", "marketplace_id", "event"}


def test_an_inactive_listing_no_longer_cached_has_recovered():
    before = record(State.INACTIVE, finding(codes.OUT_OF_STOCK_MFN))
    [event] = listing_events(before, None, now=NOW)
    assert event.kind is EventKind.RECOVERED
    assert (event.state_before, event.state_after) == ("INACTIVE", "ACTIVE")


def test_a_new_error_on_a_listing_already_off_sale_is_a_new_issue_and_old_ones_are_not():
    old = finding(codes.OUT_OF_STOCK_MFN)
    new = finding(codes.MISSING_PRICE, title="No price")
    before = record(State.INACTIVE, old)
    assert listing_events(before, before, now=NOW) == []
    [event] = listing_events(before, record(State.INACTIVE, old, new), now=NOW)
    assert event.kind is EventKind.NEW_ISSUE and event.detail == "No price"


def test_a_changed_off_sale_state_is_told_once_as_becoming_that_state():
    before = record(State.INACTIVE, finding(codes.OUT_OF_STOCK_MFN))
    after = record(State.SUPPRESSED, finding("LISTING_SUPPRESSED"))
    assert kinds(listing_events(before, after, now=NOW)) == [EventKind.BECAME_INACTIVE]


def test_an_exemption_ending_within_the_window_is_at_risk_once_per_date():
    warn = finding(codes.EXEMPTION_EXPIRING, Severity.WARNING, "At risk: exemption ends")
    live = record(State.ACTIVE, warn)
    soon = NOW + timedelta(days=5)
    [event] = listing_events(live, live, now=NOW, exemption_ends=soon)
    assert event.kind is EventKind.AT_RISK and event.main_cause == "At risk: exemption ends"
    assert event.to_dict("p")["deadline"] == soon.isoformat()
    later = listing_events(live, live, now=NOW + timedelta(hours=1), exemption_ends=soon)
    assert later[0].key == event.key  # the store says it once
    far = NOW + timedelta(days=40)
    assert listing_events(live, live, now=NOW, exemption_ends=far) == []
    wide = Thresholds(exemption_days=60)
    assert kinds(listing_events(live, live, now=NOW, thresholds=wide, exemption_ends=far)) == [
        EventKind.AT_RISK
    ]


def test_low_merchant_quantity_is_at_risk_at_or_below_the_threshold():
    assert listing_events(None, record(quantity=3), now=NOW) == []
    [event] = listing_events(None, record(quantity=2), now=NOW)
    assert event.kind is EventKind.AT_RISK and event.main_cause == "Low stock: 2 left"
    fba = record(quantity=1, fulfillment_channel="FBA")
    assert listing_events(None, fba, now=NOW) == []


def health(status="NORMAL", rating="GREAT", **rates) -> AccountHealth:
    base = {
        "order_defect_rate": 0.002,
        "late_shipment_rate": 0.01,
        "pre_fulfillment_cancellation_rate": 0.0,
        "valid_tracking_rate": 0.99,
    }
    return AccountHealth(MP, status, rates=base | rates, rating=rating)


def test_a_metric_crossing_amazons_target_is_an_account_health_event_either_way():
    assert account_events(health(), health(), now=NOW) == []
    [bad] = account_events(health(), health(order_defect_rate=0.01), now=NOW)
    assert bad.kind is EventKind.ACCOUNT_HEALTH and bad.sku is None
    assert "Order defect rate 1.00%" in bad.main_cause and bad.fix
    assert "sku" not in bad.to_dict("p") and bad.to_dict("p")["metric"] == "order_defect_rate"
    [tracking] = account_events(health(), health(valid_tracking_rate=0.949), now=NOW)
    assert "Valid tracking rate" in tracking.main_cause
    [back] = account_events(health(late_shipment_rate=0.05), health(), now=NOW)
    assert "back within" in back.main_cause and back.fix == ""
    assert account_events(None, health(order_defect_rate=0.5), now=NOW) == []


def test_the_account_status_and_rating_changing_are_account_health_events():
    events = account_events(health(), health(status="AT_RISK", rating="AT_RISK"), now=NOW)
    assert [e.main_cause for e in events] == [
        "Account status NORMAL → AT_RISK",
        "Account health rating GREAT → AT_RISK",
    ]


def test_a_wait_past_its_recheck_date_is_overdue_while_the_listing_is_still_off_sale():
    off = record(State.INACTIVE, finding(codes.OUT_OF_STOCK_MFN))
    case = WaitingCase("SKU-1", "inbound stock", NOW - timedelta(hours=1))
    [event] = overdue_events([case], {"SKU-1": off}, now=NOW, marketplace_id=MP)
    assert event.kind is EventKind.WAIT_OVERDUE and "inbound stock" in event.fix
    not_due = WaitingCase("SKU-1", "inbound stock", NOW + timedelta(hours=1))
    assert overdue_events([not_due], {"SKU-1": off}, now=NOW, marketplace_id=MP) == []
    assert overdue_events([case], {}, now=NOW, marketplace_id=MP) == []  # back on sale
