"""domain.looks: what counts as changed since the last look, at risk, and a timeline's order."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from asin_tui.domain import codes
from asin_tui.domain.cover import StockCover
from asin_tui.domain.events import Thresholds
from asin_tui.domain.looks import (
    OutcomeMark,
    Submission,
    is_at_risk,
    since_last_look,
    timeline,
    urgency,
    with_risk_cause,
)
from asin_tui.domain.models import Category, Finding, ListingRecord, Severity, State

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def record(state=State.ACTIVE, findings=(), channel="MFN", quantity=10, sku="A") -> ListingRecord:
    live = state is State.ACTIVE
    return ListingRecord(
        sku=sku,
        asin="B0X",
        title="t",
        marketplace_id="ATVPDKIKX0DER",
        state=state,
        buyable=live,
        discoverable=live,
        findings=tuple(findings),
        fulfillment_channel=channel,
        quantity=quantity,
    )


def warning(code=codes.EXEMPTION_EXPIRING, title="At risk: compliance documents required"):
    return Finding(Category.POLICY, Severity.WARNING, code, title, "", "upload them")


def test_since_last_look_counts_a_listing_by_where_it_ended():
    changes = {
        "went-off": (State.ACTIVE, State.INACTIVE),
        "new-off": (None, State.SUPPRESSED),
        "back": (State.INACTIVE, State.ACTIVE),
        "off-both": (State.SUPPRESSED, State.INACTIVE),  # still off sale: not news here
        "parent": (None, State.VARIATION_PARENT),
    }
    found = since_last_look(
        T0, changes, at_risk_then=["old-risk"], at_risk_now=["old-risk", "new-risk", "went-off"]
    )
    assert found.went_inactive == ("new-off", "went-off")
    assert found.recovered == ("back",)
    assert found.at_risk == ("new-risk",), "at risk before, or off sale now, is not new"
    assert bool(found)
    assert not since_last_look(T0, {}, at_risk_then=["x"], at_risk_now=["x"])


def test_a_risk_watch_found_since_counts_even_if_it_was_at_risk_at_the_last_look():
    found = since_last_look(T0, {}, at_risk_then=["x"], at_risk_now=["x"], risk_events=["x"])
    assert found.at_risk == ("x",)


def test_at_risk_is_live_with_a_warning_or_low_mfn_stock():
    assert is_at_risk(record(findings=[warning()]))
    assert is_at_risk(record(quantity=2))
    assert not is_at_risk(record(quantity=3))
    assert is_at_risk(record(quantity=4), Thresholds(mfn_quantity=4)), "the profile's threshold"
    assert not is_at_risk(record(channel="FBA", quantity=1))
    assert not is_at_risk(record(state=State.INACTIVE, findings=[warning()])), "off sale already"


def test_the_risk_cause_says_the_date_first_in_the_column_and_after_in_the_title():
    ends = T0 + timedelta(days=19)
    shown = with_risk_cause(record(findings=[warning()]), ends)
    assert shown.main_brief == "At risk until 2026-12-20: compliance documents required"
    assert shown.main_cause == "At risk: compliance documents required until 2026-12-20"
    low = with_risk_cause(record(quantity=1), None)
    assert low.main_brief == "At risk: only 1 left (MFN)"
    other = warning(code="MISSING_RECOMMENDED", title="Missing: color")
    assert with_risk_cause(record(findings=[other]), None).main_brief == "At risk: Missing: color"


def test_timeline_newest_first_with_causes_fixes_and_the_outcome():
    current = record(state=State.INACTIVE, findings=[replace(warning(), title="Out of stock")])
    history = [(State.ACTIVE, T0, ""), (State.INACTIVE, T0 + timedelta(days=1), "")]
    sent = [
        Submission(T0 + timedelta(days=2), False, "VALID", None, 1),
        Submission(T0 + timedelta(days=2, minutes=1), True, "ACCEPTED", "sub-1", 2),
    ]
    outcome = OutcomeMark(
        "waiting", T0 + timedelta(days=2, minutes=2), "Amazon to apply it", T0 + timedelta(days=9)
    )
    lines = timeline(history, current=current, submissions=sent, outcome=outcome)
    assert [(e.what, e.detail) for e in lines] == [
        ("Waiting on Amazon", "Amazon to apply it (re-check 2026-12-10)"),
        ("Fix sent", "2 changes: ACCEPTED, submission sub-1"),
        ("Fix checked (preview)", "1 change: VALID"),
        ("Inactive", "Out of stock"),
        ("On sale", ""),
    ]


def test_timeline_takes_a_state_change_s_cause_from_watch_s_event():
    history = [(State.SUPPRESSED, T0, ""), (State.ACTIVE, T0 + timedelta(days=1), "")]
    events = [
        (
            T0 + timedelta(seconds=5),
            "BECAME_INACTIVE",
            {"state_after": "SUPPRESSED", "main_cause": "Missing: brand"},
        ),
        (T0 + timedelta(days=1), "RECOVERED", {"state_after": "ACTIVE", "main_cause": ""}),
        (T0 + timedelta(hours=3), "AT_RISK", {"detail": "only 1 left (merchant-fulfilled)"}),
    ]
    lines = timeline(history, events=events)
    assert [(e.what, e.detail) for e in lines] == [
        ("Back on sale", ""),
        ("At risk", "only 1 left (merchant-fulfilled)"),
        ("Suppressed", "Missing: brand"),
    ]


def test_timeline_says_the_cause_the_cache_kept_for_each_state():
    history = [
        (State.INACTIVE, T0, "Out of stock"),
        (State.SUPPRESSED, T0 + timedelta(days=1), "Missing: brand"),
        (State.ACTIVE, T0 + timedelta(days=2), ""),
    ]
    current = record(state=State.ACTIVE)
    lines = timeline(history, current=current)
    assert [(e.what, e.detail) for e in lines] == [
        ("Back on sale", ""),
        ("Suppressed", "Missing: brand"),
        ("Inactive", "Out of stock"),
    ]


def cover(days: float, available: int = 12) -> StockCover:
    return StockCover("A", "FBA", available, available / days, days, "test")


def test_the_most_urgent_risk_comes_first_and_ties_keep_their_order():
    rows = {
        "exempt-in-9-days": urgency(record(findings=[warning()]), T0 + timedelta(days=9), T0),
        "exempt-tomorrow": urgency(record(findings=[warning()]), T0 + timedelta(days=1), T0),
        "cover-3-days": urgency(record(channel="FBA"), None, T0, cover=cover(3.0)),
        "cover-half-a-day": urgency(record(channel="FBA"), None, T0, cover=cover(0.5)),
        "2-left": urgency(record(quantity=2), None, T0),
        "1-left": urgency(record(quantity=1), None, T0),
        "undated-warning": urgency(record(findings=[warning(code="X")]), None, T0),
        "also-undated": urgency(record(findings=[warning(code="Y")]), None, T0),
        # an exemption that ends in 9 days, but the stock is gone in 2: 2 days left
        "exempt-but-short": urgency(
            record(findings=[warning()]), T0 + timedelta(days=9), T0, cover=cover(2.0)
        ),
    }
    order = sorted(rows, key=rows.__getitem__)
    assert order == [
        "1-left",
        "2-left",
        "cover-half-a-day",
        "exempt-tomorrow",
        "exempt-but-short",
        "cover-3-days",
        "exempt-in-9-days",
        "undated-warning",
        "also-undated",
    ]
    # a cover long enough is not a risk: it does not make a dated exemption sooner
    assert urgency(record(), T0 + timedelta(days=5), T0, cover=cover(40.0))[0] == 5.0
