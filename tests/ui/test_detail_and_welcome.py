"""Pilot tests of the detail diagnostics screen and the welcome screen."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from textual.widgets import Static

from asin_tui.domain.models import State
from asin_tui.store import paths
from asin_tui.store.config import display_path
from asin_tui.ui import evidence_text
from asin_tui.ui.app import make_app
from asin_tui.ui.messages import ListingChanged
from asin_tui.ui.screens.copied import CopiedScreen
from asin_tui.ui.screens.detail import DetailScreen, seller_central_link
from asin_tui.ui.screens.help import HelpScreen
from asin_tui.ui.screens.list_screen import ListScreen
from asin_tui.ui.screens.welcome import WelcomeScreen
from asin_tui.ui.widgets.filter_input import FilterInput
from tests.ui.conftest import run_checks, settle
from tests.ui.fakes import FakeService, make_records, progress_of


def screen_text(app) -> str:
    """Every Static/Label on the screen, as plain text."""
    return "\n".join(str(w.render()) for w in app.screen.query("Static, Label"))


async def open_detail(pilot, *keys: str) -> DetailScreen:
    await settle(pilot)
    await pilot.press(*keys, "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, DetailScreen)
    return pilot.app.screen


async def detail_shows_header_findings_and_every_evidence_section(pilot) -> None:
    app = pilot.app
    screen = await open_detail(pilot)
    text = screen_text(app)
    record = screen.record
    for expected in (
        record.title,
        f"SKU {record.sku}",
        f"ASIN {record.asin}",
        "Type HOME",
        "Condition New",
        "Marketplace US (ATVPDKIKX0DER)",
        "✖ Suppressed",
        "since 2026-10-01",
        "✖ ERROR  Missing required attribute",
        "Fix: Do the thing that fixes missing required attribute.",
        # SP-API issue with enforcement and exemption date
        "90220  ERROR",
        "LISTING_SUPPRESSED; exemption EXEMPT_UNTIL_EXPIRY_DATE until 2026-12-31",
        "Attributes: brand",
        # FBA stock breakdown (SKU-0000 is FBA in the fake)
        "FBA fulfillable 0",
        "working 2 · shipped 3 · receiving 1",
        "Unfulfillable 5 (customerDamagedQuantity 5)",
        "Researching 1",
        # restriction with its approval link
        "APPROVAL_REQUIRED (New)",
        "Request approval: https://sellercentral.amazon.com/hz/approvalrequest",
        # required attributes present / missing
        "✔ present  item_name",
        "✖ missing  brand",
        # price and band
        "Allowed band 60.00 – 90.00 USD",
        "price 10.00 USD is below the minimum 60.00 USD",
    ):
        assert expected in text, expected
    assert "color" not in text  # optional attributes are not listed as required
    await back_to_the_list(pilot)


async def detail_stock_of_an_mfn_listing(pilot) -> None:
    app = pilot.app
    await pilot.press("slash")
    app.screen.query_one(FilterInput).value = "SKU-0001"  # as if typed: Input.Changed filters
    await pilot.pause()
    await pilot.press("enter")
    screen = await open_detail(pilot)
    assert screen.record.fulfillment_channel == "MFN"
    assert "MFN quantity 1" in screen_text(app)
    await back_to_the_list(pilot)
    await pilot.press("slash", "escape")  # the filter cleared again


async def c_copies_the_seller_central_link_and_shift_c_the_sku(pilot) -> None:
    """At 120x40."""
    app = pilot.app
    await pilot.resize_terminal(120, 40)
    screen = await open_detail(pilot, "j")
    await pilot.press("c")
    link = (
        "https://sellercentral.amazon.com/myinventory/inventory"
        f"?searchField=all&searchTerm={screen.record.sku}"
    )
    assert app.clipboard == link
    await pilot.pause()
    # no "Copied": it says how the text was sent, and shows it to select
    assert isinstance(app.screen, CopiedScreen)
    shown = screen_text(app)
    assert "Sent to the terminal's clipboard (OSC 52): the Seller Central link" in shown
    assert link in "".join(shown.split())  # the URL may wrap
    assert "set-clipboard on" in shown
    assert not any("Copied" in str(n.message) for n in app._notifications)
    await pilot.press("escape")
    await pilot.pause()
    assert app.screen is screen
    await pilot.press("C")
    assert app.clipboard == screen.record.sku
    await pilot.pause()
    assert screen.record.sku in screen_text(app)
    await pilot.press("enter")
    await pilot.pause()
    assert app.screen is screen
    await back_to_the_list(pilot)


async def the_header_follows_the_listing_the_wizard_changed(pilot) -> None:
    """The wizard changed the condition and the title, and the listing is back on sale: the
    header says the listing as read again, not the row the detail was opened from."""
    app = pilot.app
    screen = await open_detail(pilot)
    assert "Condition New" in screen_text(app) and "  since 2026-10-" in screen_text(app)
    service, evidence, diagnosis = app.service, app.service.evidence, app.service.diagnosis

    def changed(sku):
        read = evidence(sku)
        listing = dataclasses.replace(
            read.listing, condition_type="used_good", item_name="Retitled Board"
        )
        return dataclasses.replace(read, listing=listing)

    def back_on_sale(sku):
        return dataclasses.replace(
            diagnosis(sku), state=State.ACTIVE, buyable=True, discoverable=True, findings=()
        )

    service.evidence, service.diagnosis = changed, back_on_sale
    try:
        screen.post_message(ListingChanged(screen.record.sku))
        await settle(pilot)
        header = str(screen.query_one("#detail-header", Static).render())
    finally:
        del service.evidence, service.diagnosis
    assert "Retitled Board" in header and "Condition Used – Good" in header, header
    assert "Active" in header and "since" not in header, header
    await back_to_the_list(pilot)


async def back_to_the_list(pilot) -> None:
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ListScreen)


async def test_the_detail_shows_every_section_mfn_stock_and_copies_link_and_sku(app):
    """The detail of three rows of the fake account, each opened from the list of one app
    and closed again (run_checks): what each check asserts is its name."""
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot)
        await run_checks(
            pilot,
            detail_shows_header_findings_and_every_evidence_section,
            detail_stock_of_an_mfn_listing,
            c_copies_the_seller_central_link_and_shift_c_the_sku,
            the_header_follows_the_listing_the_wizard_changed,
        )


def test_seller_central_link_escapes_the_sku():
    from tests.ui.fakes import make_records

    record = make_records()[0]
    record = record.__class__(
        **{**{n: getattr(record, n) for n in record.__slots__}, "sku": "A B&C"}
    )
    assert seller_central_link(record).endswith("searchTerm=A%20B%26C")


async def test_no_profile_shows_welcome_its_help_and_d_opens_the_demo():
    """The welcome screen's text, its help (at 80x24: only the app's own keys, not the
    scrolling keys of the welcome text's container, named "VerticalScroll"), then d."""
    demo = FakeService()
    app = make_app(None, demo_factory=lambda: demo, case_labels_loader=progress_of)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        text = screen_text(app)
        assert "asin-tui config init" in text
        # the concrete path to credentials, not only variable names
        assert "Develop Apps" in text and "Authorize app" in text
        assert "asin-tui config check" in text and "docs/CREDENTIALS.md" in text
        assert "Press d to open the demo" in text
        # where `config init` will write, so the user knows which file to edit
        assert display_path(paths.config_file()) in text
        await pilot.resize_terminal(80, 24)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = {(group, description) for group, _, description, _ in app.screen.rows}
        assert ("On this screen", "Open the demo") in rows
        assert ("Everywhere", "Quit") in rows
        assert {group for group, _ in rows} == {"On this screen", "Everywhere"}
        help_text = str(app.screen.query_one("#help-keys").render())
        assert "VerticalScroll" not in help_text and "Scroll" not in help_text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ListScreen)
        assert app.screen.service is demo
    assert demo.closed  # the account is closed when the app exits


async def test_an_account_that_cannot_open_is_reported_not_a_traceback():
    def broken():
        raise OSError("cache folder is read-only")

    app = make_app(None, demo_factory=broken)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        assert any("read-only" in n.message for n in app._notifications)


async def test_an_account_that_cannot_open_at_start_leaves_the_welcome_screen_not_a_blank_one():
    def broken():
        raise OSError("cache folder is read-only")

    app = make_app(broken, demo_factory=lambda: FakeService(), case_labels_loader=progress_of)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        assert any("read-only" in n.message for n in app._notifications)
        await pilot.press("d")  # the demo is still one key away
        await settle(pilot)
        assert isinstance(app.screen, ListScreen)


async def test_an_unreadable_cache_is_reported_and_the_app_stays_up():
    class BrokenCache(FakeService):
        def cached_records(self, *, all_listings: bool, limit: int | None = None):
            raise OSError("database disk image is malformed")

    service = BrokenCache()
    app = make_app(lambda: service, case_labels_loader=progress_of, sync_on_start=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ListScreen)
        (note,) = [n for n in app._notifications if "malformed" in n.message]
        assert note.title == "Could not read the local cache"


def test_the_detail_header_says_the_condition_in_words():
    record = dataclasses.replace(make_records(1)[0], condition_type="used_very_good")
    assert "Condition Used – Very Good" in str(evidence_text.header_lines(record))


def test_the_detail_header_breaks_between_its_facts_never_inside_one():
    """At 80 columns: "Condition Used –" / "Good", "Marketplace US" / "(ATVPDKIKX0DER)";
    Textual breaks at any space, NBSP included, so the header is drawn by HangingLines."""
    record = dataclasses.replace(make_records(1)[0], condition_type="used_good")
    facts = [
        "SKU SKU-0000",
        "ASIN B0TEST0000",
        "Type HOME",
        "Condition Used – Good",
        "Marketplace US (ATVPDKIKX0DER)",
    ]
    for width in range(32, 100):
        drawn = [line.plain.strip() for line in evidence_text.header_lines(record).wrapped(width)]
        for fact in facts:
            assert any(fact in line for line in drawn), (width, fact, drawn)


def test_the_detail_header_says_since_when_only_for_a_listing_off_sale():
    """A live listing's header read "State ● Active — active: …  since —"."""
    off = dataclasses.replace(make_records(1)[0], inactive_since=datetime(2026, 11, 2, tzinfo=UTC))
    assert "since 2026-11-02" in evidence_text.header(off).plain
    live = dataclasses.replace(off, state=State.ACTIVE, inactive_since=None)
    assert "since" not in evidence_text.header(live).plain.split("State ")[1]
