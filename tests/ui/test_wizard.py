"""Pilot tests of the reactivation wizard against an in-test account (fast, deterministic)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from textual.app import App
from textual.widgets import Input

from asin_tui.domain import codes
from asin_tui.domain.models import (
    Category,
    Diagnosis,
    Evidence,
    Finding,
    FulfillmentAvailability,
    Issue,
    Listing,
    Offer,
    Severity,
    State,
    WizardStep,
)
from asin_tui.store import paths
from asin_tui.store.progress import Outcome, ProgressStore
from asin_tui.ui.screens.wizard import WizardScreen

US = "ATVPDKIKX0DER"


@dataclass(frozen=True)
class Answer:
    sku: str
    status: str
    submission_id: str | None
    issues: tuple[Issue, ...] = ()
    preview: bool = False

    @property
    def ok(self) -> bool:
        return self.status in ("VALID", "ACCEPTED")


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

    async def patch(self, sku, patches, *, preview):
        self.sent.append((patches, preview))
        if not preview:
            self.applied = True
        return Answer(
            sku, "VALID" if preview else "ACCEPTED", None if preview else "sub-1", preview=preview
        )

    async def refresh(self, sku):
        if self.applied and self.fixable:
            self.listing = replace(self.listing, status=frozenset({"BUYABLE", "DISCOVERABLE"}))


class WizardApp(App):
    def __init__(self, account, store) -> None:
        super().__init__()
        self.account, self.store = account, store

    def on_mount(self) -> None:
        self.push_screen(WizardScreen(self.account, "MUG-1", self.store))


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_out_of_stock_walkthrough_resolves_and_saves_progress():
    account, store = FakeAccount(), ProgressStore("test", US)
    app = WizardApp(account, store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.state.step is WizardStep.OVERVIEW
        await pilot.press("n")
        await settle(pilot)
        assert screen.state.step is WizardStep.STOCK
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
        assert screen.state.step is WizardStep.APPLY
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
        await pilot.press("s")
        await settle(pilot)
        assert account.sent[1][1] is False
        await pilot.press("n")
        await settle(pilot)
        assert screen.state.step is WizardStep.VERIFY
        assert screen.state.verification.resolved
        await pilot.press("n")
        await settle(pilot)
        assert screen.state.step is WizardStep.WRAP_UP

    saved = ProgressStore("test", US).get("MUG-1")
    assert saved.outcome is Outcome.RESOLVED
    assert saved.current_step is WizardStep.WRAP_UP
    assert [(p.mode.value, p.status, p.submission_id) for p in saved.patches] == [
        ("VALIDATION_PREVIEW", "VALID", None),
        ("REAL", "ACCEPTED", "sub-1"),
    ]
    assert saved.steps[WizardStep.STOCK].status.value == "passed"


async def test_submit_needs_a_valid_preview():
    account = FakeAccount()
    async with WizardApp(account, None).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("n")  # Apply without any change: nothing is sent
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert account.sent == []


async def test_resume_after_restart_and_escape_keeps_progress():
    store = ProgressStore("test", US)
    app = WizardApp(FakeAccount(), store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, WizardScreen)
    again = WizardApp(FakeAccount(), ProgressStore("test", US))
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert again.screen.state.step is WizardStep.STOCK


async def test_corrupt_progress_file_is_reported_and_wizard_starts_fresh():
    store = ProgressStore("test", US)
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text("schema_version = [broken")
    app = WizardApp(FakeAccount(), store)
    notes = []
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        notes = [n.message for n in app._notifications]
        assert app.screen.state.step is WizardStep.OVERVIEW
    assert any("moved" in n.lower() or "corrupt" in n.lower() for n in notes), notes


async def test_still_failing_goes_to_wrap_up_with_a_case_draft():
    account = FakeAccount(fixable=False)
    async with WizardApp(account, ProgressStore("test", US)).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        await pilot.press("n")
        await settle(pilot)
        screen.query_one("#stock-quantity Input", Input).value = "4"
        await pilot.pause()
        pilot.app.set_focus(None)
        for key in ("n", "s", "n"):
            await pilot.press(key)
            await settle(pilot)
        assert screen.state.verification.failing_step is WizardStep.STOCK
        await pilot.press("f")
        await settle(pilot)
        assert screen.state.step is WizardStep.STOCK
        for key in ("n", "n", "n", "n"):
            await pilot.press(key)
            await settle(pilot)
        assert screen.state.step is WizardStep.WRAP_UP
        path = screen.state.case_path
    assert path.parent == paths.config_dir() / "cases"
    assert path.stat().st_mode & 0o777 == 0o600
    assert "MUG-1" in path.read_text()
    assert ProgressStore("test", US).get("MUG-1").outcome is Outcome.ESCALATED
    async with WizardApp(FakeAccount(fixable=False), ProgressStore("test", US)).run_test() as pilot:
        await settle(pilot)
        resumed = pilot.app.screen.state
        assert resumed.step is WizardStep.WRAP_UP
        assert resumed.case_path == path and "MUG-1" in resumed.case_text
