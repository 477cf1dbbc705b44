"""Issue 14 in the TUI, on the real demo account: "since you last looked", the At risk view
and a listing's timeline. Two sessions are two app runs over the same saved demo account and
cache; between them the demo seller changes listings through the sandbox, as Amazon would."""

from __future__ import annotations

import httpx
import pytest

from asin_tui.domain import codes
from asin_tui.domain.models import State
from asin_tui.sandbox.transport import SandboxTransport, demo_app
from asin_tui.ui.screens.detail import DetailScreen
from asin_tui.ui.screens.list_screen import ListScreen
from asin_tui.ui.widgets.since_banner import SinceBanner
from asin_tui.ui.widgets.state_counts import StateCounts
from tests.sandbox.test_http_transport import AMAZON, TOKEN_FORM
from tests.ui.conftest import settle
from tests.ui.test_wizard_demo import (
    SIZE,
    apply_and_verify,
    demo_sku,
    demo_truth,
    open_wizard,
    press,
    type_into,
)
from tests.ui.test_wizard_demo import (
    demo_app as demo_tui,
)


def set_quantity(sku: str, quantity: int, app=None) -> None:
    """The seller changes an MFN quantity outside asin-tui (Seller Central), for real (through
    ``app``, the demo's Amazon: by default one that applies it at once)."""
    app = app or demo_app(patch_delay=0)
    account = app.account
    product_type = account.item(sku, ["summaries"])["summaries"][0]["productType"]
    patch = {
        "op": "replace",
        "path": "/attributes/fulfillment_availability",
        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
    }
    with httpx.Client(transport=SandboxTransport(app), base_url=AMAZON) as client:
        token = client.post("/auth/o2/token", data=TOKEN_FORM).json()["access_token"]
        answer = client.patch(
            f"/listings/2021-08-01/items/{account.seller_id}/{sku}",
            params={"marketplaceIds": account.marketplace.marketplace_id},
            json={"productType": product_type, "patches": [patch]},
            headers={"x-amz-access-token": token},
        )
    assert answer.json()["status"] == "ACCEPTED"


def live_mfn_sku() -> str:
    """A demo listing on sale, merchant-fulfilled, with nothing wrong."""
    account = demo_truth()
    for sku in account.search(sort_by="sku", sort_order="ASC"):
        if account.intended_causes(sku):
            continue
        offers = account.item(sku, ["fulfillmentAvailability"]).get("fulfillmentAvailability")
        if offers and offers[0].get("fulfillmentChannelCode") == "DEFAULT":
            return sku
    raise AssertionError("the demo has no live MFN listing")


def covered_days(brief: str) -> int:
    """The whole days of cover an At risk line says ("less than a day": 0)."""
    said = brief.removeprefix("At risk: ").split(" of cover")[0]
    return 0 if said == "less than a day" else int(said.split()[0])


async def session(pilot) -> ListScreen:
    """Open: the start-up sync, its reload and the look at what changed."""
    await settle(pilot)
    await settle(pilot)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ListScreen)
    return screen


def shown_lines(section) -> list[str]:
    """The lines a detail section shows, in order (a Static holds a run of lines drawn alike)."""
    return [line for static in section.children for line in str(static.render()).splitlines()]


def banner_text(screen: ListScreen) -> str:
    banner = screen.query_one(SinceBanner)
    return str(banner.render()) if banner.display else ""


@pytest.mark.slow  # a demo app walk
async def test_a_change_between_two_sessions_is_in_the_banner_and_its_key_shows_it():
    out_of_stock = demo_sku(codes.OUT_OF_STOCK_MFN)
    live = live_mfn_sku()
    async with demo_tui().run_test(size=SIZE) as pilot:
        first = await session(pilot)
        assert banner_text(first) == "", "the very first session has nothing to compare with"
    async with demo_tui().run_test(size=SIZE) as pilot:
        again = await session(pilot)
        assert banner_text(again) == "", "nothing changed between the two sessions"
    set_quantity(out_of_stock, 40)  # restocked: back on sale
    set_quantity(live, 0)  # sold out: off sale
    async with demo_tui().run_test(size=SIZE) as pilot:
        screen = await session(pilot)
        text = banner_text(screen)
        assert text.startswith("Since you last looked ("), text
        assert "1 went inactive · 1 recovered" in text and "n shows them" in text
        assert screen.since.went_inactive == (live,) and screen.since.recovered == (out_of_stock,)
        await press(pilot, "n")
        shown = {r.sku: r for r in screen.view.shown()}
        assert set(shown) == {live, out_of_stock}
        assert shown[live].state is not State.ACTIVE and shown[out_of_stock].state is State.ACTIVE
        assert "Since you last looked" in str(screen.query_one(StateCounts).render())
        # back on sale and no longer cached: its detail says so, with its timeline, no error
        pilot.app.push_screen(DetailScreen(screen.service, shown[out_of_stock]))
        await settle(pilot)
        detail = pilot.app.screen
        findings = shown_lines(detail.query_one("#findings"))
        assert findings[0].startswith("Back on sale since your last look"), findings
        timeline = shown_lines(detail.query_one("#timeline"))
        assert "Back on sale" in timeline[0] and "Inactive" in timeline[1], timeline
        assert not [n for n in pilot.app._notifications if n.severity == "error"]
        await press(pilot, "escape")
        await press(pilot, "n")  # back to what needs attention
        assert screen.narrow is None and out_of_stock not in {r.sku for r in screen.view.shown()}
    async with demo_tui().run_test(size=SIZE) as pilot:
        later = await session(pilot)
        assert banner_text(later) == "", "told once: the next session starts from this one"


@pytest.mark.slow  # a demo app walk
async def test_at_risk_scope_shows_live_listings_at_risk_with_their_dates():
    async with demo_tui().run_test(size=SIZE) as pilot:
        screen = await session(pilot)
        counts = str(screen.query_one(StateCounts).render())
        assert f"R At risk {len(screen.at_risk_skus)}" in counts
        await press(pilot, "R")
        shown = screen.view.shown()
        assert shown and {r.sku for r in shown} == set(screen.at_risk_skus)
        assert all(not r.needs_attention for r in shown), "at risk: live now"
        exempt = [r for r in shown if r.findings[0].code == codes.EXEMPTION_EXPIRING]
        assert exempt, "the demo has an exemption that ends"
        for record in exempt:
            brief = record.main_brief
            assert brief.startswith("At risk until 20"), brief
            assert record.main_cause.startswith("At risk:") and " until 20" in record.main_cause
        assert str(screen.query_one(StateCounts).render()).startswith("At risk")
        # the most urgent first: a few units left, then the soonest dates and fewest days
        briefs = [r.main_brief for r in shown]
        few = [i for i, b in enumerate(briefs) if b.startswith("At risk: only ")]
        assert few == list(range(len(few))), briefs
        dates = [b[len("At risk until ") :][:10] for b in briefs if b.startswith("At risk until")]
        assert dates == sorted(dates), briefs
        covers = [covered_days(b) for b in briefs if " of cover " in b]
        assert covers == sorted(covers), briefs
        await press(pilot, "a")  # a goes back to the scope it came from
        assert screen.narrow is None and not screen.show_all


@pytest.mark.slow  # a demo app walk
async def test_timeline_lists_a_state_change_and_the_fix_submitted_in_the_wizard():
    sku = demo_sku(codes.OUT_OF_STOCK_MFN)
    async with demo_tui().run_test(size=SIZE) as pilot:
        wizard = await open_wizard(pilot, sku)
        await press(pilot, "n")
        await type_into(pilot, wizard.query_one("#stock-quantity Input"), "25")
        await press(pilot, "enter")
        await apply_and_verify(pilot, wizard)
        submitted = wizard.body.state.case_record.patches[-1].submission_id
        await press(pilot, "escape")
        listed = pilot.app.screen
        assert isinstance(listed, ListScreen)
        await press(pilot, "a")  # every listing: the fixed one is on sale now
        await settle(pilot)
        row = next(r for r in listed.view.shown() if r.sku == sku)
        pilot.app.push_screen(DetailScreen(listed.service, row))
        await settle(pilot)
        lines = shown_lines(pilot.app.screen.query_one("#timeline"))
    text = "\n".join(lines)
    assert any("Back on sale" in line for line in lines), text
    assert any("Inactive" in line or "Out of stock" in line for line in lines), text
    fix = next(line for line in lines if line.split("  ", 1)[-1].startswith("Fix sent"))
    assert f"submission {submitted}" in fix and "ACCEPTED" in fix
    assert any("Fix checked (preview)" in line and "VALID" in line for line in lines), text
    # newest first: the state it is back in above the fix that got it there
    assert text.index("Back on sale") < text.index("Fix sent") < text.index("Inactive")
