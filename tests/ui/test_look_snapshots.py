"""Snapshots of issue 14's TUI at 80×24 and 120×40: the "since you last looked" banner, the
At risk view (each risk with its date or the stock left) and a listing's timeline. One app
run gives both sizes (started at 80×24, resized to 120×40: at_both_sizes) of each state of one
account (each_at_both_sizes).
Refresh with `pytest tests/ui/test_look_snapshots.py --snapshot-update` after an intended
change, and look at the result."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from asin_tui.domain import codes
from asin_tui.domain.looks import SinceLastLook, TimelineEntry
from asin_tui.domain.models import Category, Severity, State, WizardStep
from asin_tui.ui.app import make_app
from tests.ui.conftest import each_at_both_sizes, settle
from tests.ui.fakes import AS_OF_NOW, NOW, FakeService, finding, make_records, progress_of

EXEMPT = "SKU-0099"


def service() -> FakeService:
    """The fake account, plus a live listing whose exemption ends on 2026-12-20."""
    records = make_records()
    active = next(r for r in records if r.state is State.ACTIVE)
    warning = finding(
        codes.EXEMPTION_EXPIRING,
        "At risk: compliance documents required",
        Category.POLICY,
        Severity.WARNING,
        WizardStep.POLICY,
    )
    exempt = replace(active, sku=EXEMPT, findings=(warning,), quantity=40)
    fake = FakeService([*records, exempt])
    fake.exemption_ends[EXEMPT] = NOW + timedelta(days=30)
    fake.last_look = SinceLastLook(
        NOW - timedelta(days=2),
        went_inactive=("SKU-0001", "SKU-0002"),
        recovered=("SKU-0006",),
        at_risk=(EXEMPT,),
    )
    fake.timelines[records[0].sku] = [
        TimelineEntry(
            NOW, "Waiting on Amazon", "Amazon to review the appeal (re-check 2026-11-27)"
        ),
        TimelineEntry(
            NOW - timedelta(hours=1),
            "Fix sent",
            "1 change: ACCEPTED, submission 4c2a9f0e-[bold]x[/bold]",
        ),
        TimelineEntry(
            NOW - timedelta(hours=1, minutes=2), "Fix checked (preview)", "1 change: VALID"
        ),
        TimelineEntry(NOW - timedelta(days=20), "Suppressed", "Missing required attribute"),
        TimelineEntry(NOW - timedelta(days=90), "On sale"),
    ]
    return fake


def app():
    fake = service()
    return make_app(lambda: fake, case_labels_loader=progress_of, timing=AS_OF_NOW)


def after(*keys: str, show: str | None = None):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await settle(pilot)
        for key in keys:  # each key's work done before the next (R loads its rows in a worker)
            await pilot.press(key)
            await settle(pilot)
        if show:
            pilot.app.screen.query_one(show).scroll_visible(animate=False, top=True)
            await settle(pilot)

    return run_before


async def test_the_since_you_last_looked_banner_the_at_risk_view_and_a_timeline(snap_walk):
    """On one app: the banner as the list opens; R, the At risk view; R again, then the
    first row's detail scrolled to its timeline."""
    states = each_at_both_sizes(
        ("banner", after(), ()),
        ("at_risk_view", after("R"), ("R",)),  # R again: the list as it opened
        ("timeline", after("enter", show="#timeline-title"), ()),
    )
    await snap_walk(app(), (80, 24), states)


def covered_app():
    """The fake account with stock cover from the sales reports: a cached FBA listing with
    5 days of cover and a live MFN listing the cache does not hold with 3."""
    from asin_tui.domain.cover import FBA, MFN, StockCover

    fake = service()
    fba = next(r for r in fake.records if r.state is State.ACTIVE and r.sku != EXEMPT)
    fake.covers = {
        fba.sku: StockCover(fba.sku, FBA, 12, 2.4, 5.0, "Amazon's days of supply", NOW),
    }
    fake.records = [replace(r, quantity=12) if r.sku == fba.sku else r for r in fake.records]
    fake.covers |= {
        "MUG-LIVE-01": StockCover(
            "MUG-LIVE-01", MFN, 6, 2.0, 3.0, "orders of the last 30 days", NOW, "B0MUG00001",
            "Stoneware Mug, Blue, 12 oz",
        ),
    }  # fmt: skip
    # read a little over three hours ago (the view says how old its days of cover are)
    fake.cover_at = NOW - timedelta(hours=3, minutes=5)
    return make_app(lambda: fake, case_labels_loader=progress_of, timing=AS_OF_NOW)


async def test_the_at_risk_view_shows_days_of_cover_and_the_detail_velocity(snap_walk):
    """On one app: R, the At risk view with days of cover; then its first row's detail
    scrolled to its stock cover and sales velocity."""
    states = each_at_both_sizes(
        ("at_risk_view_with_days_of_cover", after("R"), ()),
        ("detail_shows_stock_cover_and_velocity", after("enter", show="#cover-title"), ()),
    )
    await snap_walk(covered_app(), (80, 24), states)
