"""Pilot tests of the reactivation wizard against an in-test account (fast, deterministic)."""

from __future__ import annotations

import inspect
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from textual.app import App
from textual.widgets import Checkbox, Input, OptionList, Select

from asin_tui.domain import codes
from asin_tui.domain.diagnosis import diagnose
from asin_tui.domain.models import (
    AttributeSpec,
    Category,
    Diagnosis,
    Enforcement,
    Evidence,
    Finding,
    FulfillmentAvailability,
    Issue,
    Listing,
    Offer,
    ProductTypeRequirements,
    Severity,
    State,
    WizardStep,
)
from asin_tui.domain.outcomes import OutcomeKind
from asin_tui.service import SubmissionResult
from asin_tui.store.cases import CaseStore, Outcome
from asin_tui.ui.app import AsinTuiApp
from asin_tui.ui.screens.wizard import WizardScreen
from tests.ui.conftest import run_checks, settle, wait_until, workers_done

US = "ATVPDKIKX0DER"


class FakeAccount:
    """Out of stock MFN mug; a real patch of the quantity makes it buyable on refresh."""

    profile_name = "test"
    marketplace_id = US

    def __init__(self, fixable: bool = True) -> None:
        self.listing = Listing(
            sku="MUG-1",
            marketplace_id=US,
            asin="B0MUG00001",
            item_name="Blue mug",
            product_type="MUG",
            status=frozenset({"DISCOVERABLE"}),
            offers=(Offer(US, "B2C", Decimal("9.99"), "USD"),),
            fulfillment=(FulfillmentAvailability("DEFAULT", 0),),
            attributes={
                "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}]
            },
        )
        self.sent: list[tuple[list, bool]] = []
        self.fixable = fixable
        self.applied = False

    def evidence(self, sku):
        return Evidence(self.listing)

    def diagnosis(self, sku):
        if self.listing.buyable:
            return Diagnosis(sku, self.listing.asin, US, State.ACTIVE, True, True)
        oos = Finding(
            Category.STOCK,
            Severity.ERROR,
            codes.OUT_OF_STOCK_MFN,
            "Out of stock",
            "0 units",
            "restock",
            step=WizardStep.STOCK,
        )
        return Diagnosis(sku, self.listing.asin, US, State.INACTIVE, False, True, (oos,))

    async def patch(self, sku, patches, *, preview, on_send=None):
        if on_send is not None:
            await on_send()  # as the client does, right before the request leaves
        self.sent.append((patches, preview))
        if not preview:
            self.applied = True
        return SubmissionResult(
            sku, "VALID" if preview else "ACCEPTED", None if preview else "sub-1", preview=preview
        )

    async def refresh(self, sku):
        """Amazon has processed the accepted patch by the re-read (lastUpdatedDate moves);
        unless ``fixable`` the listing stays unbuyable for another reason."""
        if self.applied:
            self.listing = replace(self.listing, last_updated_date=datetime.now(UTC))
        if self.applied and self.fixable:
            self.listing = replace(self.listing, status=frozenset({"BUYABLE", "DISCOVERABLE"}))


def _suppressed_issue(code: str, message: str, *names: str, category: str = "") -> Issue:
    return Issue(
        code,
        message,
        "ERROR",
        attribute_names=names,
        categories=(category,) if category else (),
        enforcement=Enforcement(("LISTING_SUPPRESSED",), "NOT_EXEMPT"),
    )


PILLOWCASE = Listing(
    sku="PILLOW-2",
    marketplace_id=US,
    asin="B0PILLOW02",
    item_name="Flannel pillowcase pair, Full",
    product_type="PILLOWCASE",
    status=frozenset(),
    issues=(
        _suppressed_issue(
            "99300",
            "Product Detail Page Rules Violation (Inaccurate information on product detail page).",
        ),
        _suppressed_issue(
            "90220", "'color' is required but not supplied.", "color", category="MISSING_ATTRIBUTE"
        ),
        _suppressed_issue(
            "18155",
            "The selling price (excluding shipping) is greater than the 'maximum price' for the listing.",
            "purchasable_offer",
            category="INVALID_PRICE",
        ),
    ),
    offers=(Offer(US, "B2C", Decimal("88.95"), "USD"),),
    fulfillment=(FulfillmentAvailability("DEFAULT", 40),),
    attributes={
        "item_name": [{"value": "Flannel pillowcase pair, Full", "marketplace_id": US}],
        "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 40}],
        "purchasable_offer": [
            {
                "marketplace_id": US,
                "currency": "USD",
                "our_price": [{"schedule": [{"value_with_tax": 88.95}]}],
                "minimum_seller_allowed_price": [{"schedule": [{"value_with_tax": 24.22}]}],
                "maximum_seller_allowed_price": [{"schedule": [{"value_with_tax": 72.68}]}],
            }
        ],
    },
)
PILLOWCASE_TYPE = ProductTypeRequirements(
    product_type="PILLOWCASE",
    marketplace_id=US,
    attributes={
        "item_name": AttributeSpec("item_name", "Item Name", required=True, max_length=200),
        "color": AttributeSpec(
            "color",
            "Colour",
            required=True,
            enum=("beige", "sage_green", "teal"),
            enum_names=("Beige", "Sage Green", "Teal"),
        ),
    },
)


class SuppressedAccount(FakeAccount):
    """A suppressed pillowcase: a detail-page policy violation (no patch lifts it), a missing
    required colour and a price above its band. Diagnosed by the real engine."""

    def __init__(self) -> None:
        super().__init__(fixable=False)
        self.listing = PILLOWCASE

    def evidence(self, sku):
        return Evidence(self.listing, requirements=PILLOWCASE_TYPE)

    def diagnosis(self, sku):
        return diagnose(self.evidence(sku))


class WizardApp(App):
    """The wizard alone, styled like the real app (its stylesheet)."""

    CSS_PATH = Path(inspect.getfile(AsinTuiApp)).with_name(AsinTuiApp.CSS_PATH)

    def __init__(self, account, store, save_delay: float | None = None) -> None:
        super().__init__()
        self.account, self.store, self.save_delay = account, store, save_delay

    def on_mount(self) -> None:
        delay = {} if self.save_delay is None else {"save_delay": self.save_delay}
        self.push_screen(WizardScreen(self.account, self.account.listing.sku, self.store, **delay))


async def check_the_wizard(
    account, size: tuple[int, int], keys: tuple[str, ...], *checks, store=None
) -> None:
    """The wizard alone on ``account`` at ``size`` (its progress in ``store``; none kept by
    default), ``keys`` pressed from its Overview (each settled), then ``checks`` run on it
    in turn (run_checks: each named for what it asserts, and a failure names it)."""
    async with WizardApp(account, store).run_test(size=size) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await run_checks(pilot, *checks)


async def test_out_of_stock_walkthrough_resolves_and_saves_progress():
    account, store = FakeAccount(), CaseStore("test", US)
    app = WizardApp(account, store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.body.state.step is WizardStep.OVERVIEW
        await pilot.press("n")
        await settle(pilot)
        assert screen.body.state.step is WizardStep.STOCK
        quantity = screen.query_one("#stock-quantity Input", Input)
        quantity.value = "-3"
        await pilot.pause()
        assert "must be at least 0" in str(
            screen.query_one("#stock-quantity .field-message").render()
        )
        quantity.value = "12"
        await pilot.pause()
        app.set_focus(None)
        await pilot.press("n")
        await settle(pilot)
        assert screen.body.state.step is WizardStep.APPLY
        assert account.sent[0] == (
            [
                {
                    "op": "replace",
                    "path": "/attributes/fulfillment_availability",
                    "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 12}],
                }
            ],
            True,
        ), "entering Apply validates with VALIDATION_PREVIEW first"
        await pilot.press("s")  # opens the confirmation; ctrl+s there sends
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert account.sent[1][1] is False
        await pilot.press("n")
        await settle(pilot)
        assert screen.body.state.step is WizardStep.VERIFY
        assert screen.body.state.verification.resolved
        await pilot.press("n")
        await settle(pilot)
        assert screen.body.state.step is WizardStep.WRAP_UP

    saved = CaseStore("test", US).get("MUG-1")
    assert saved.outcome is Outcome.RESOLVED
    assert saved.current_step is WizardStep.WRAP_UP
    assert [(p.mode.value, p.status, p.submission_id) for p in saved.patches] == [
        ("VALIDATION_PREVIEW", "VALID", None),
        ("REAL", "ACCEPTED", "sub-1"),
    ]
    assert saved.steps[WizardStep.STOCK].status.value == "passed"
    assert saved.steps[WizardStep.OVERVIEW].status.value == "passed", "the listing is live now"


async def submit_needs_a_valid_preview(pilot) -> None:
    """At the mug's Stock step, nothing typed or sent yet (one of the checks of
    test_wizard_inputs' run of that step); back at Stock after."""
    screen = pilot.app.screen
    assert screen.body.state.step is WizardStep.STOCK
    pilot.app.set_focus(None)  # the keys are the wizard's, not the quantity field's
    await pilot.press("n")  # Apply without any change: nothing is sent
    await settle(pilot)
    assert screen.body.state.step is WizardStep.APPLY
    await pilot.press("s", "ctrl+s")  # ctrl+s would send from a confirmation, were one open
    await settle(pilot)
    assert pilot.app.account.sent == []
    await pilot.press("b")
    await settle(pilot)


async def test_resume_after_restart_and_escape_keeps_progress():
    store = CaseStore("test", US)
    app = WizardApp(FakeAccount(), store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("escape", "escape")  # the quantity field (focused), then the wizard
        await pilot.pause()
        assert not isinstance(app.screen, WizardScreen)
    again = WizardApp(FakeAccount(), CaseStore("test", US))
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert again.screen.body.state.step is WizardStep.STOCK


async def test_corrupt_progress_file_is_reported_and_wizard_starts_fresh():
    store = CaseStore("test", US)
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text("schema_version = [broken")  # no SQLite file: set aside
    app = WizardApp(FakeAccount(), store)
    notes = []
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        notes = [n.message for n in app._notifications]
        assert app.screen.body.state.step is WizardStep.OVERVIEW
    assert any("moved" in n.lower() or "corrupt" in n.lower() for n in notes), notes


async def test_still_failing_stock_is_not_escalated_and_wont_fix_needs_a_reason():
    """Issue 9 item 3: `n` on a failing Verify no longer escalates; a stock problem has no
    appeal path, so Wrap up offers no case, and 'Won't fix' is recorded with its reason."""
    account = FakeAccount(fixable=False)
    async with WizardApp(account, CaseStore("test", US)).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        await pilot.press("n")
        await settle(pilot)
        screen.query_one("#stock-quantity Input", Input).value = "4"
        await pilot.pause()
        pilot.app.set_focus(None)
        for key in ("n", "s", "ctrl+s", "n"):
            await pilot.press(key)
            await settle(pilot)
        assert screen.body.state.pending is None, "Amazon processed it: a verdict"
        assert screen.body.state.verification.failing_step is WizardStep.STOCK
        await pilot.press("f")
        await settle(pilot)
        assert screen.body.state.step is WizardStep.STOCK
        for key in ("enter", "enter", "enter"):  # the quantity is focused: Enter goes on
            await pilot.press(key)
            await settle(pilot)
        assert screen.body.state.step is WizardStep.WRAP_UP
        assert screen.body.state.case_path is None, "nothing written by arriving at Wrap up"
        assert CaseStore("test", US).get("MUG-1").outcome is Outcome.OPEN
        kinds = [o.kind for o in screen.body.state.options(datetime.now(UTC))]
        assert OutcomeKind.ESCALATE not in kinds
        assert kinds[-2:] == [OutcomeKind.DELETE, OutcomeKind.LEAVE_INACTIVE]
        await pick_outcome(pilot, screen, OutcomeKind.LEAVE_INACTIVE)
        assert CaseStore("test", US).get("MUG-1").outcome is Outcome.OPEN, "no reason yet"
        assert screen.focused.id == "wrap-reason"
        await pilot.press(*"Discontinued", "enter")
        await settle(pilot)
    saved = CaseStore("test", US).get("MUG-1")
    assert (saved.outcome, saved.outcome_reason) == (
        Outcome.RETIRED,
        "Left inactive: Discontinued",
    )
    async with WizardApp(FakeAccount(fixable=False), CaseStore("test", US)).run_test() as pilot:
        await settle(pilot)
        resumed = pilot.app.screen
        assert resumed.body.state.step is WizardStep.WRAP_UP
        shown = " ".join(str(w.render()) for w in resumed.query(".outcome"))
        assert "Retired. Left inactive: Discontinued" in shown


async def pick_outcome(pilot, screen, kind: OutcomeKind) -> None:
    """Move the Wrap up choice to ``kind`` with the arrow keys and press Enter, as a user."""
    from textual.widgets import OptionList

    options = screen.query_one("#wrap-options", OptionList)
    options.focus()
    await pilot.pause()
    wanted = next(
        i for i in range(options.option_count) if options.get_option_at_index(i).id == kind.value
    )
    await pilot.press("home", *["down"] * wanted, "enter")
    await settle(pilot)


async def test_policy_checklist_ticks_and_notes_are_saved_and_restored():
    app = WizardApp(SuppressedAccount(), CaseStore("test", US), save_delay=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.body.state.plan.applicable == (
            WizardStep.OVERVIEW,
            WizardStep.POLICY,
            WizardStep.FIELDS,
            WizardStep.APPLY,
            WizardStep.VERIFY,
            WizardStep.WRAP_UP,
        )
        await pilot.press("n")
        await settle(pilot)
        assert screen.body.state.step is WizardStep.POLICY
        (case,) = screen.body.state.plan.policy_cases
        assert case.key == "99300" and "in force" in case.evidence
        first = screen.query(Checkbox).first()
        app.set_focus(first)
        await pilot.press("space")
        screen.query_one("#note-0-0", Input).value = "Title claims removed"
        screen.query_one("#policy-notes", Input).value = "Reinstatement asked on the 20th"
        await pilot.pause()
        # a token pasted into a note: saved masked, and the seller is told so (once)
        token = "Atzr|IwEBIPastedRefreshToken0123456789"
        screen.query_one("#note-0-2", Input).value = f"token {token}"
        told = lambda: [n for n in app._notifications if n.title == "Secret not saved"]  # noqa: E731
        await wait_until(pilot, told)
        assert "saved as [redacted]" in told()[0].message
        assert screen.query_one("#note-0-2", Input).value == f"token {token}", "as typed"
        screen.query_one("#note-0-2", Input).value = f"token {token} "  # typed on
        store = CaseStore("test", US)
        item = lambda: store.get("PILLOW-2").steps[WizardStep.POLICY].checklist[2]  # noqa: E731
        await wait_until(pilot, lambda: item().note == "token [redacted] ")
        await workers_done(app)
        assert len(told()) == 1, "told once per note, not at every save"
    saved = CaseStore("test", US).get("PILLOW-2").steps[WizardStep.POLICY]
    assert [(i.done, i.note) for i in saved.checklist] == [
        (True, "Title claims removed"),
        (False, ""),
        (False, "token [redacted] "),
    ]
    assert b"IwEBIPasted" not in CaseStore("test", US).path.read_bytes()
    assert saved.checklist[0].item.startswith("[99300] ")
    assert saved.notes == "Reinstatement asked on the 20th"
    again = WizardApp(SuppressedAccount(), CaseStore("test", US))
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = again.screen
        assert screen.body.state.step is WizardStep.POLICY
        assert [c.value for c in screen.query(Checkbox)] == [True, False, False]
        assert screen.query_one("#note-0-0", Input).value == "Title claims removed"


async def fields_are_typed_by_the_schema_and_become_patches(pilot) -> None:
    """At the suppressed pillowcase's Fields step, nothing chosen or typed yet (one of the
    checks of test_wizard_safety's walk of its steps); back at Fields after, nothing sent."""
    screen = pilot.app.screen
    account = pilot.app.account
    assert screen.body.state.step is WizardStep.FIELDS
    colour = screen.query_one("#attr-color Select", Select)
    assert colour.value is Select.NULL, "no colour yet: nothing is prefilled"
    choices = colour.query_one(OptionList)  # the drop-down's choices
    labels = [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]
    assert labels[-3:] == ["Beige", "Sage Green", "Teal"]
    price = screen.query_one("#price-our_price Input", Input)
    assert price.value == "88.95"
    price.value = "0"
    await pilot.pause()
    assert "at least 0.01" in str(screen.query_one("#price-our_price .field-message").render())
    assert screen.body.state.draft.price is None, "an invalid value is never patched"
    price.value = "69.99"
    colour.value = "sage_green"
    await pilot.pause()
    pilot.app.set_focus(None)
    await pilot.press("n")
    await settle(pilot)
    assert screen.body.state.step is WizardStep.APPLY
    patches, preview = account.sent[0]
    assert preview is True
    by_path = {p["path"]: p for p in patches}
    assert by_path["/attributes/color"]["value"][0]["value"] == "sage_green"
    offer = by_path["/attributes/purchasable_offer"]["value"][0]
    assert offer["our_price"] == [{"schedule": [{"value_with_tax": 69.99}]}]
    assert offer["maximum_seller_allowed_price"] == [{"schedule": [{"value_with_tax": 72.68}]}]
    await back_at_fields_with_nothing_sent(pilot)


async def back_at_fields_with_nothing_sent(pilot) -> None:
    """From the suppressed pillowcase's Apply step: back to Fields, its log of what was sent
    cleared (for the check after, which counts what it sends)."""
    await pilot.press("b")
    await settle(pilot)
    assert pilot.app.screen.body.state.step is WizardStep.FIELDS
    pilot.app.account.sent.clear()


def in_the_quantity_field(pilot) -> tuple[WizardScreen, Input]:
    """At the Stock step: put the cursor in its quantity field."""
    screen = pilot.app.screen
    assert screen.body.state.step is WizardStep.STOCK
    quantity = screen.query_one("#stock-quantity Input", Input)
    pilot.app.set_focus(quantity)
    return screen, quantity


async def enter_in_a_field_goes_on_only_when_the_value_is_valid(pilot) -> None:
    """At the mug's Stock step, nothing sent yet (one of the checks of test_wizard_inputs'
    run of that step); back at Stock after."""
    account = pilot.app.account
    screen, quantity = in_the_quantity_field(pilot)
    quantity.value = "-1"
    await pilot.press("enter")
    await settle(pilot)
    assert screen.body.state.step is WizardStep.STOCK
    assert any("at least 0" in n.message for n in pilot.app._notifications)
    quantity.value = "7"
    await pilot.press("enter")
    await settle(pilot)
    assert screen.body.state.step is WizardStep.APPLY, "Enter in a valid field is Next"
    assert account.sent[0][0][0]["value"][0]["quantity"] == 7
    await pilot.press("b")
    await settle(pilot)


async def escape_in_a_field_leaves_the_field_and_keeps_what_was_typed(pilot) -> None:
    """At the mug's Stock step (the last of the checks of test_wizard_inputs' run of that
    step: it leaves the wizard)."""
    screen, quantity = in_the_quantity_field(pilot)
    quantity.value = "9"
    await pilot.press("escape")
    await settle(pilot)
    assert pilot.app.screen is screen and not quantity.has_focus
    assert screen.body.state.draft.mfn_quantity == 9
    await pilot.press("n")  # the keys are the wizard's again
    await settle(pilot)
    assert screen.body.state.step is WizardStep.APPLY
    await pilot.press("escape")
    await settle(pilot)
    assert pilot.app.screen is not screen
