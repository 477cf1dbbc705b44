"""Pilot tests of the wizard's smaller audit fixes: one description per field, Escape from a
drop-down, the stepper's legend, wrapped checklist items, each approval link once, the price
headed once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Label, Select

import asin_tui.ui.app
from asin_tui.domain import codes
from asin_tui.domain.models import (
    AttributeSpec,
    Category,
    Diagnosis,
    Evidence,
    Finding,
    FulfillmentAvailability,
    InventorySummary,
    Restriction,
    RestrictionLink,
    RestrictionReason,
    Severity,
    State,
    WizardStep,
)
from asin_tui.ui.app import make_app
from asin_tui.ui.screens.confirm import SendConfirmScreen
from asin_tui.ui.screens.copied import CopiedScreen
from asin_tui.ui.screens.help import HelpScreen
from asin_tui.ui.screens.wizard import WizardScreen
from asin_tui.ui.widgets.wizard_fields import TypedField
from asin_tui.ui.widgets.wizard_stepper import LEGEND
from asin_tui.ui.widgets.wizard_steps import ChecklistBox
from tests.ui.conftest import wait_until
from tests.ui.fakes import FakeService
from tests.ui.test_wizard import (
    US,
    FakeAccount,
    SuppressedAccount,
    WizardApp,
    check_the_wizard,
    settle,
)
from tests.ui.test_wizard_demo import demo_app, demo_sku, open_wizard, press
from tests.ui.test_wizard_inputs import (
    FbaAccount,
    fba_listing_shows_mfn_inputs_only_when_switching_and_needs_a_unit,
)

APPROVAL_URL = (
    "https://sellercentral.amazon.com/hz/approvalrequest/restrictions/approve?asin=B0MUG00001"
)


class Fields(App):
    def __init__(self, *fields: TypedField) -> None:
        super().__init__()
        self.fields = fields

    def compose(self) -> ComposeResult:
        yield from self.fields


async def test_a_field_says_its_description_once_and_never_shows_a_raw_key():
    described = AttributeSpec("material", "Material", description="What the mug is made of")
    bare = AttributeSpec("item_weight", value_type="number")
    app = Fields(
        TypedField(described, "", hint=described.description, id="described"),
        TypedField(bare, "", id="bare"),
    )
    async with app.run_test() as pilot:
        await pilot.pause()
        shown = [str(label.render()) for label in app.query(Label)]
        placeholders = [i.placeholder for i in app.query(Input)]
        assert shown.count("What the mug is made of") == 1
        assert "What the mug is made of" not in placeholders
        assert "Item weight" in shown
        assert placeholders == ["", "a number, e.g. 12.50"]
        assert not any("item_weight" in text for text in shown + placeholders)


async def escape_on_a_drop_down_leaves_the_drop_down_not_the_wizard(pilot) -> None:
    """At the FBA mug's Stock step."""
    screen = pilot.app.screen
    action = screen.query_one("#stock-action", Select)
    pilot.app.set_focus(action)
    await pilot.press("escape")
    await settle(pilot)
    assert pilot.app.screen is screen and not action.has_focus, "the first Escape"
    await pilot.press("escape")
    await settle(pilot)
    assert pilot.app.screen is not screen, "the second Escape leaves the wizard"


async def test_help_on_the_wizard_explains_the_stepper_marks():
    service = FakeService()
    app = make_app(lambda: service)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, WizardScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        notes = str(app.screen.query_one("#help-notes").render())
        assert notes == LEGEND.replace("\u00a0", " ")  # its units' NBSPs shown as spaces
        for words in ("✓ passed", "! needs action", "– not applicable", "· pending"):
            assert words in notes
        descriptions = {row[2] for row in app.screen.rows}
        assert "Copy selected text" not in descriptions and "Focus Next" not in descriptions


async def long_checklist_items_wrap_at_80_columns(pilot) -> None:
    """At the suppressed pillowcase's Policy step at 80x24 (one of the checks of
    test_wizard_safety's run at that size)."""
    screen = pilot.app.screen
    assert screen.body.state.step is WizardStep.POLICY
    (case,) = screen.body.state.plan.policy_cases
    long_item = next(i.text for i in case.items if len(i.text) > 70)
    box = next(b for b in screen.query("ChecklistBox") if str(b.label) == long_item)
    assert box.region.height >= 2, "the text wraps onto a second line"
    lines = "".join(box.render_line(y).text for y in range(box.region.height))
    assert " ".join(lines.split()).endswith(long_item.split()[-1])


async def the_price_fields_heading_and_labels_each_say_price_once(pilot) -> None:
    """The price section was headed "Price (allowed …)" and its first field "Price" again, one
    under the other (session 8's walk). At the suppressed pillowcase's Fields step at 80x24
    (one of the checks of test_wizard_safety's run at that size)."""
    screen = pilot.app.screen
    assert screen.body.state.step is WizardStep.FIELDS
    assert screen.query("#price-our_price"), "the Fields step asks for a price"
    headings = [str(label.render()) for label in screen.query(".section-title, .field-label")]
    names = [h.split(" (")[0].removesuffix(" *") for h in headings]
    assert names.count("Price") == 1, headings
    assert len(names) == len(set(names)), headings
    assert any(h.startswith("Price (allowed ") for h in headings), headings


class ApprovalAccount(FakeAccount):
    """A mug that needs approval in its condition: the link in the finding and the restriction."""

    def evidence(self, sku):
        link = RestrictionLink("Request approval", APPROVAL_URL)
        reason = RestrictionReason("You cannot list the product.", "APPROVAL_REQUIRED", (link,))
        return Evidence(self.listing, restrictions=(Restriction(US, "new_new", (reason,)),))

    def diagnosis(self, sku):
        approval = Finding(
            Category.RESTRICTION,
            Severity.ERROR,
            codes.APPROVAL_REQUIRED,
            "Approval required",
            f"You cannot list the product. Approval link: {APPROVAL_URL}",
            "apply",
            step=WizardStep.POLICY,
        )
        return Diagnosis(sku, self.listing.asin, US, State.INACTIVE, False, True, (approval,))


async def test_the_approval_link_is_shown_once_on_policy():
    async with WizardApp(ApprovalAccount(), None).run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        screen = pilot.app.screen
        assert screen.body.state.step is WizardStep.POLICY
        shot = pilot.app.export_screenshot()
        assert shot.count("approvalrequest") == 1
        assert "(c copies the link whole; in a note, Escape first)" in shot.replace("&#160;", " ")
        # as the detail's c: the link whole, to paste in a browser. The step lands on its
        # first checklist item, which takes no text: c copies from there (it did nothing)
        assert isinstance(pilot.app.focused, ChecklistBox)
        copied = lambda: isinstance(pilot.app.screen, CopiedScreen)  # noqa: E731
        await pilot.press("c")
        await wait_until(pilot, copied)
        assert pilot.app.clipboard == APPROVAL_URL
        pilot.app.pop_screen()  # (closed as Escape closes it: one key press less)
        await wait_until(pilot, lambda: pilot.app.screen is screen)
        # in a note, c is a letter of the note, never the copy key; Escape first, then c
        pilot.app.set_focus(screen.query_one("#note-0-0", Input))
        pilot.app.copy_to_clipboard("")
        await pilot.press("c")
        assert screen.query_one("#note-0-0", Input).value == "c"
        assert pilot.app.screen is screen and pilot.app.clipboard == ""
        await pilot.press("escape", "c")
        await wait_until(pilot, copied)
        assert pilot.app.clipboard == APPROVAL_URL


async def a_resolved_wrap_up_says_what_was_sent_and_how_to_leave(pilot) -> None:
    """At the mug's Apply step, its quantity of 12 accepted by Amazon (run by
    test_wizard_safety's test of the stepper's marks, which sends it)."""
    screen = pilot.app.screen
    assert [p.status for p in screen.body.state.case_record.patches][-1:] == ["ACCEPTED"]
    for key in ("n", "n"):
        await pilot.press(key)
        await settle(pilot)
    assert screen.body.state.step is WizardStep.WRAP_UP
    shot = pilot.app.export_screenshot().replace("&#160;", " ")
    assert "Sent to Amazon:" in shot
    assert "fulfillment_availability: ACCEPTED, submission id sub-1" in shot
    assert "Press Escape to go back to the list." in shot


async def in_a_text_box_enter_starts_a_new_line_and_the_hint_says_so(pilot) -> None:
    """Bullet points and the description are text boxes: Enter starts a new line there, so
    the hint must not promise that Enter goes to the next step. At the suppressed
    pillowcase's Fields step (one of the checks of test_wizard_safety's walk of its steps)."""
    screen = pilot.app.screen
    assert screen.body.state.step is WizardStep.FIELDS
    areas = list(screen.query("#wizard-body TextArea"))
    assert areas, "the detail-page policy names the bullet points / description"
    (hint,) = [str(s.render()) for s in screen.query("#wizard-body .hint")]
    assert "in a text box: a new line" in hint
    pilot.app.set_focus(areas[0])
    await pilot.press("end", "enter")
    await settle(pilot)
    assert screen.body.state.step is WizardStep.FIELDS  # Enter stayed in the text box


async def without_a_text_box_the_hint_says_enter_goes_on(pilot) -> None:
    """Where a step has no text box the hint says Enter goes on. At the FBA mug's Stock."""
    screen = pilot.app.screen
    assert screen.body.state.step is WizardStep.STOCK
    assert not list(screen.query("#wizard-body TextArea"))
    (hint,) = [str(s.render()) for s in screen.query("#wizard-body .hint")]
    assert hint.startswith("In a field: Enter goes to the next step, Tab")


async def test_the_fba_mugs_stock_step_asks_for_mfn_units_when_switching_says_enter_goes_on_and_escape_leaves_a_drop_down_first():
    """The FBA mug's Stock step, its behaviours checked in turn (run_checks): what each
    asserts is its name."""
    await check_the_wizard(
        FbaAccount(),
        (100, 30),
        ("n",),
        fba_listing_shows_mfn_inputs_only_when_switching_and_needs_a_unit,
        without_a_text_box_the_hint_says_enter_goes_on,
        escape_on_a_drop_down_leaves_the_drop_down_not_the_wizard,
    )


class ChecklistHost(App):
    """A Policy step's checklist item in the wizard's body as the app styles it, with enough
    below it for the body to scroll (its scrollbar takes two of the 80 columns)."""

    CSS_PATH = str(Path(asin_tui.ui.app.__file__).with_name("app.tcss"))

    def __init__(self, item: str) -> None:
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="wizard-body"):
            yield ChecklistBox(self.item, compact=True)
            for n in range(30):
                yield Label(f"line {n}")


async def test_a_checklist_item_that_just_fits_is_shown_whole_never_cut():
    """The demo's approval case at 80x24: "[ ] Apply and note the request id; or change the
    condition to an allowed one" is exactly as wide as the body; its height was measured
    without the label's trailing pad and its line drawn with it, so it ended "allowed on…"."""
    width = 80 - 2 - 2  # the body's padding and its scrollbar
    item = "Apply and note the request id; or change the condition to an allowed one"
    assert len(f"[ ] {item}") == width
    async with ChecklistHost(item).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        box = pilot.app.query_one(ChecklistBox)
        assert box.content_region.width == width
        lines = [box.render_line(y).text for y in range(box.region.height)]
        assert "…" not in "".join(lines), lines
        assert " ".join("".join(lines).split()) == f"[ ] {item}", lines


async def test_enter_on_a_drop_down_goes_to_the_next_step_as_the_hint_says():
    """The Fields step says "In a field: Enter goes to the next step" (README too). On a
    drop-down, Enter opened its list again instead: a seller who picked a value (a letter,
    then Enter) and pressed Enter to go on got the list back. A letter still opens it."""
    await check_the_wizard(
        SuppressedAccount(), (80, 24), ("n", "enter"), enter_on_a_picked_choice_goes_on
    )


async def enter_on_a_picked_choice_goes_on(pilot) -> None:
    screen = pilot.app.screen
    assert screen.body.state.step is WizardStep.FIELDS
    colour = screen.query_one("#attr-color Select", Select)
    assert screen.focused is colour
    assert "Enter goes to the next step" in str(screen.query_one(".hint").render())
    for key in ("t", "enter"):  # t opens the list at Teal, Enter picks it
        await pilot.press(key)
        await settle(pilot)
    assert colour.value == "teal" and not colour.expanded
    await pilot.press("enter")
    await settle(pilot)
    assert not colour.expanded, "Enter opened the list again"
    assert screen.body.state.step is not WizardStep.FIELDS


class StrandedPillowcase(SuppressedAccount):
    """The suppressed pillowcase fulfilled by Amazon, 76 units in its warehouses: the Stock
    step's "What to do" says the stock is not the problem, in a tip that wraps at 80."""

    def __init__(self) -> None:
        super().__init__()
        self.listing = replace(
            self.listing,
            fulfillment=(FulfillmentAvailability("AMAZON_NA", None),),
            attributes={
                **self.listing.attributes,
                "fulfillment_availability": [{"fulfillment_channel_code": "AMAZON_NA"}],
            },
        )

    def evidence(self, sku):
        stock = InventorySummary(seller_sku=self.listing.sku, fulfillable=76)
        return replace(super().evidence(sku), inventory=stock)


async def test_a_stock_tip_that_wraps_goes_on_under_its_text_not_its_bullet():
    # the demo walk at 80x24: "• 76 sellable units are in Amazon's warehouses: stock is not
    # the problem. They" / "sell again once …" continued at the left edge, under the bullet
    async with WizardApp(StrandedPillowcase(), None).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert pilot.app.screen.body.state.step is WizardStep.STOCK
        rows = [
            "".join(s.text for s in strip) for strip in pilot.app.screen._compositor.render_strips()
        ]
        at = next(i for i, row in enumerate(rows) if "• 76 sellable units" in row)
        text_at = rows[at].index("76 sellable units")
        follow = rows[at + 1]
        assert follow.strip() and follow.index(follow.strip()) == text_at, rows[at : at + 2]


async def test_a_long_checklist_items_wrapped_lines_stay_under_its_text():
    """A Policy step item too long for one line (the demo's detail-page case at 80x24:
    "Find the detail-page content Amazon objects to (title, bullets, description, images)")
    went on at the body's edge, under "[ ]"; its wrapped lines now start under its text."""
    item = "Find the detail-page content Amazon objects to (title, bullets, description, images)"
    async with ChecklistHost(item).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        box = pilot.app.query_one(ChecklistBox)
        lines = [box.render_line(y).text.rstrip() for y in range(box.region.height)]
        assert len(lines) == 2 and lines[0].startswith("[ ] Find the"), lines
        assert lines[1].startswith("    ") and not lines[1].startswith("     "), lines
        assert " ".join(" ".join(lines).split()) == f"[ ] {item}"


def test_a_previews_answer_names_no_submission_id_a_real_one_does():
    # the demo walk, Apply: "VALID (validation preview), submission id e6824bfc-…": an id
    # of a preview names nothing a seller can look up (Amazon gives one all the same)
    from asin_tui.service import SubmissionResult
    from asin_tui.ui.widgets.wizard_steps import answer_text

    preview = answer_text(SubmissionResult("MUG-1", "VALID", "e6824bfc", preview=True))
    assert preview == "VALID (validation preview)"
    real = answer_text(SubmissionResult("MUG-1", "ACCEPTED", "67960af2"))
    assert real == "ACCEPTED (submission), submission id 67960af2"


@pytest.mark.slow  # a demo app walk
async def test_a_condition_picked_for_an_approval_marks_listing_fields_ready():
    """The demo's approval case: Policy asks for another condition, Listing fields offers
    Item Condition. With "New" picked (a valid fix typed, not sent) the stepper still showed
    "4· Fields" (pending) where a typed brand or quantity shows "+": the step's only check
    ("Named by the policy step") is pending, not "needs action", and only that turned ready."""
    async with demo_app().run_test(size=(80, 24)) as pilot:
        screen = await approval_fields_with_new_picked(pilot)
        stepper = str(screen.query_one("#wizard-stepper").render())
        assert "4+ Fields" in stepper, stepper


async def approval_fields_with_new_picked(pilot) -> WizardScreen:
    """The demo's approval case at its Listing fields step, "New" picked for Item Condition
    with keys (Enter on the Policy step's first checkbox goes on, as in a field)."""
    screen = await open_wizard(pilot, demo_sku(codes.APPROVAL_REQUIRED))
    await press(pilot, "n")
    assert screen.body.state.step is WizardStep.POLICY
    await press(pilot, "enter")
    assert screen.body.state.step is WizardStep.FIELDS
    condition = screen.query_one("#attr-condition_type Select", Select)
    assert screen.focused is condition
    await press(pilot, "N", "enter")  # opens the list at New, Enter picks it
    assert condition.value == "new_new"
    return screen


@pytest.mark.slow  # a demo app walk
async def test_the_send_confirmation_names_a_picked_value_as_the_drop_down_did():
    """The same walk on to the send confirmation: it said "Set condition_type to new_new
    (was used_acceptable)", Amazon's codes, for the "New" the seller picked."""
    async with demo_app().run_test(size=(80, 24)) as pilot:
        screen = await approval_fields_with_new_picked(pilot)
        await press(pilot, "enter")  # the next step: Apply, validated
        assert screen.body.state.step is WizardStep.APPLY
        await press(pilot, "s")
        confirm = pilot.app.screen
        assert isinstance(confirm, SendConfirmScreen)
        assert list(confirm.confirmation.changes) == [
            "Set condition_type to New (was Used - Acceptable)"
        ]
        await press(pilot, "escape")  # No: nothing sent


def test_the_price_step_suggests_the_price_the_bulk_grids_hint_would():
    # the bulk grid's hint for a price below its band is the allowed minimum; the wizard's
    # price step said only the currency, the seller worked the nearest price out alone
    from decimal import Decimal

    from asin_tui.domain.patches import PriceBand
    from asin_tui.ui.widgets.wizard_steps import price_hint

    low, high = Decimal("161.17"), Decimal("322.34")
    below = PriceBand(Decimal("124.00"), low, high, "USD")
    assert price_hint(below) == "In USD. Suggested: the allowed minimum 161.17 USD."
    above = PriceBand(Decimal("400"), low, high, "EUR")
    assert price_hint(above, decimal_comma=True) == (
        "In EUR, a decimal comma or point (79,99). Suggested: the allowed maximum 322.34 EUR."
    )
    no_price = PriceBand(None, low, high, "USD")
    assert price_hint(no_price) == (
        "In USD. Suggested: 241.76 USD, the middle of the allowed 161.17 – 322.34 USD."
    )
    assert price_hint(PriceBand(None, None, None, "USD")) == "In USD."  # no band: no suggestion


async def test_the_footer_offers_back_and_next_only_where_there_is_a_step_to_go_to():
    """On the Overview the footer offered "b Back" (nothing before it) and on Wrap up "n Next",
    which only said "This is the last step": keys that do nothing, offered as if they did."""
    await check_the_wizard(SuppressedAccount(), (100, 30), (), back_and_next_where_they_lead)


def footer_keys(screen) -> set[str]:
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    return {k.key for k in screen.query_one(Footer).query(FooterKey)}


async def back_and_next_where_they_lead(pilot) -> None:
    screen = pilot.app.screen
    assert screen.body.state.step is WizardStep.OVERVIEW
    assert "n" in footer_keys(screen) and "b" not in footer_keys(screen)
    steps = screen.body.state.plan.applicable
    for _ in steps[1:]:
        pilot.app.set_focus(None)  # a step's field would take n as text
        await pilot.press("n")
        await settle(pilot)
    assert screen.body.state.step is WizardStep.WRAP_UP == steps[-1]
    pilot.app.set_focus(None)
    await settle(pilot)
    assert "b" in footer_keys(screen) and "n" not in footer_keys(screen)
