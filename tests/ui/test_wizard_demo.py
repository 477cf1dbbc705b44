"""The reactivation wizard end to end on the demo account, the way a seller uses it.

The real app (``make_app`` with ``open_demo_service``, as ``asin-tui --demo`` builds it)
syncs the in-process sandbox, the SKU is found with ``/`` and opened with ``w``, and every step
is walked with keys. The SKUs are picked by the sandbox's ground truth
(``SandboxAccount.intended_causes``), so the tests follow the generator, not hard-coded names;
the same ground truth, re-read from the saved demo account, says whether a fix really landed.
The autouse fixture gives every test fresh XDG dirs: a fresh demo account and progress file.
"""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

import pytest
from textual.widgets import Checkbox, Input, TextArea

from asin_tui.demo import DemoSettings, open_demo_service
from asin_tui.domain import codes
from asin_tui.domain.models import State, WizardStep
from asin_tui.domain.outcomes import OutcomeKind
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.transport import demo_account_path
from asin_tui.service import DEMO_PROFILE
from asin_tui.store import paths
from asin_tui.store.cases import CaseStore, Outcome, PatchMode
from asin_tui.ui.app import make_app
from asin_tui.ui.case_labels import saved_case_labels
from asin_tui.ui.screens.list_screen import ListScreen
from asin_tui.ui.screens.wizard import WizardScreen
from asin_tui.ui.widgets.filter_input import FilterInput
from tests.ui.conftest import settle
from tests.ui.test_wizard import pick_outcome

# end to end on the demo account (seconds each): `pytest -m 'not slow'` leaves them out
pytestmark = pytest.mark.slow

SIZE = (100, 30)
TIME_SCALE = 100.0  # the sandbox clock (rates, report waits) runs 100x faster


#: the demo for these tests: its clock runs fast (the start-up sync waits for the Account
#: Health report like a real one, in a fraction of the time) and patches apply at once
QUICK_DEMO = DemoSettings(drift=0.0, patch_delay=0.0, time_scale=TIME_SCALE)


def demo_truth() -> SandboxAccount:
    """The demo account as saved on disk now (generated + the fixes replayed)."""
    return SandboxAccount.load_or_create(demo_account_path())


def demo_sku(*causes: str) -> str:
    """The first demo SKU whose only intended causes are ``causes``."""
    account = demo_truth()
    wanted = frozenset(causes)
    skus = account.search(sort_by="sku", sort_order="ASC")
    return next(s for s in skus if account.intended_causes(s) == wanted)


def demo_app(settings: DemoSettings = QUICK_DEMO, *, reset: bool = False):
    """The app as `asin-tui --demo` builds it, on the demo run as ``settings`` say."""
    service = partial(open_demo_service, reset=reset, settings=settings)
    return make_app(service, case_labels_loader=saved_case_labels)


async def open_wizard(pilot, sku: str) -> WizardScreen:
    """Wait for the start-up sync, filter the list to ``sku`` and press w."""
    await settle(pilot)
    await settle(pilot)  # the sync's CacheLoaded → the rows
    assert isinstance(pilot.app.screen, ListScreen)
    await pilot.press("slash")
    pilot.app.screen.query_one(FilterInput).value = sku  # as if typed: Input.Changed filters
    await pilot.press("enter")
    await settle(pilot)
    assert pilot.app.screen.table.current.sku == sku
    await pilot.press("w")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, WizardScreen) and screen.body is not None
    return screen


async def press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def type_into(pilot, field: Input, text: str) -> None:
    """Focus ``field``, replace its text by typing, like a user."""
    pilot.app.set_focus(field)
    await pilot.pause()
    field.action_select_all()
    await pilot.press("backspace", *text)
    await pilot.pause()


async def apply_and_verify(pilot, screen: WizardScreen) -> None:
    """At Apply: the preview must answer VALID, then submit for real and Verify."""
    assert screen.body.state.step is WizardStep.APPLY
    assert screen.body.state.preview is not None and screen.body.state.preview.status == "VALID", (
        screen.body.state.preview
    )
    await press(pilot, "s", "ctrl+s")  # s reviews the changes, ctrl+s sends them
    real = screen.body.state.case_record.patches[-1]
    assert (real.mode, real.status) == (PatchMode.REAL, "ACCEPTED"), real
    assert real.submission_id
    title = str(screen.query_one("#apply-patches-title").render())
    assert title == "JSON Patches sent (patchListingsItem)", "sent, no longer 'to send'"
    await press(pilot, "n")
    assert screen.body.state.step is WizardStep.VERIFY
    assert screen.body.state.verification is not None


async def assert_buyable_and_wrap_up(pilot, screen: WizardScreen, sku: str) -> None:
    after = screen.body.state.verification.after
    assert (after.state, after.buyable) == (State.ACTIVE, True), after
    assert screen.body.state.verification.resolved
    await press(pilot, "n")
    assert screen.body.state.step is WizardStep.WRAP_UP
    await press(pilot, "escape")
    listed = pilot.app.screen
    assert isinstance(listed, ListScreen)
    await settle(pilot)
    assert sku not in {r.sku for r in listed.view.records}, "fixed: off the needs-attention list"
    assert listed.view.case_labels[sku] == "Resolved"


async def assert_fixed_for_good(sku: str) -> None:
    """The saved demo account keeps the fix: its ground truth, and a new run's re-read."""
    assert demo_truth().intended_causes(sku) == frozenset()
    service = open_demo_service(settings=QUICK_DEMO)  # no reset: what the next --demo sees
    try:
        record = await service.refresh(sku)
    finally:
        await service.aclose()
    assert (record.state, record.buyable) == (State.ACTIVE, True)
    saved = CaseStore(DEMO_PROFILE, record.marketplace_id).get(sku)
    assert saved.outcome is Outcome.RESOLVED
    assert [(p.mode, p.status) for p in saved.patches] == [
        (PatchMode.VALIDATION_PREVIEW, "VALID"),
        (PatchMode.REAL, "ACCEPTED"),
    ]


async def test_out_of_stock_mfn_listing_is_buyable_after_restocking():
    sku = demo_sku(codes.OUT_OF_STOCK_MFN)
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_wizard(pilot, sku)
        assert [f.code for f in screen.body.state.plan.diagnosis.findings] == [
            codes.OUT_OF_STOCK_MFN
        ]
        await press(pilot, "n")
        assert screen.body.state.step is WizardStep.STOCK
        await type_into(pilot, screen.query_one("#stock-quantity Input", Input), "25")
        await press(pilot, "enter")  # Enter in the field: next step
        assert screen.body.state.step is WizardStep.APPLY
        sent = screen.body.state.case_record.patches[0].patches
        assert sent[0]["path"] == "/attributes/fulfillment_availability"
        assert sent[0]["value"][0]["quantity"] == 25
        await apply_and_verify(pilot, screen)
        verified = str(screen.query_one("#verify-result").render())
        # the fixed cause by its name, not its old "…quantity is 0" sentence (read as still so)
        assert "✓ Fixed: Out of stock\n" in verified and "is 0" not in verified, verified
        await assert_buyable_and_wrap_up(pilot, screen, sku)
    await assert_fixed_for_good(sku)


async def test_missing_required_attribute_is_supplied_and_the_listing_is_buyable():
    sku = demo_sku(codes.MISSING_ATTRIBUTE)
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_wizard(pilot, sku)
        await press(pilot, "n")
        assert screen.body.state.step is WizardStep.FIELDS
        (missing,) = screen.body.state.plan.fields
        assert missing.problem == "missing" and missing.spec.required
        if missing.multi_value:  # bullet points: a text area, one value a line
            area = screen.query_one(f"#attr-{missing.name} TextArea", TextArea)
            pilot.app.set_focus(area)
            await pilot.press("x", "backspace")
            await pilot.pause()
            message = screen.query_one(f"#attr-{missing.name} .field-message").render()
            assert "required" in str(message)
            await pilot.press(*"Solid oak", "enter", *"Food safe")
            await press(pilot, "escape", "n")  # out of the text area (Enter is a new line)
            assert screen.body.state.draft.attributes[missing.name] == ["Solid oak", "Food safe"]
        else:
            field = screen.query_one(f"#attr-{missing.name} Input", Input)
            await type_into(pilot, field, "x")
            await pilot.press("backspace")
            message = screen.query_one(f"#attr-{missing.name} .field-message").render()
            assert "required" in str(message)
            await type_into(pilot, field, "Solid oak")
            await press(pilot, "enter")
        await apply_and_verify(pilot, screen)
        assert any(f.code == codes.MISSING_ATTRIBUTE for f in screen.body.state.verification.fixed)
        await assert_buyable_and_wrap_up(pilot, screen, sku)
    await assert_fixed_for_good(sku)


async def test_price_conflict_is_fixed_by_a_price_inside_the_band():
    sku = demo_sku(codes.PRICE_CONFLICT)
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_wizard(pilot, sku)
        await press(pilot, "n")
        assert screen.body.state.step is WizardStep.FIELDS
        band = screen.body.state.plan.price
        assert screen.body.state.plan.price_needs_action and band.conflict
        inside = ((band.minimum + band.maximum) / 2).quantize(Decimal("0.01"), ROUND_HALF_UP)
        await type_into(pilot, screen.query_one("#price-our_price Input", Input), str(inside))
        await press(pilot, "enter")
        await apply_and_verify(pilot, screen)
        await assert_buyable_and_wrap_up(pilot, screen, sku)
    await assert_fixed_for_good(sku)


async def test_missing_main_image_is_supplied_and_the_listing_is_buyable():
    sku = demo_sku(codes.MISSING_IMAGE)
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_wizard(pilot, sku)
        await press(pilot, "n")
        assert screen.body.state.step is WizardStep.FIELDS
        (image,) = screen.body.state.plan.fields
        assert image.problem == "image"
        field = screen.query_one(f"#attr-{image.name} Input", Input)
        await type_into(pilot, field, "img.example/oak.jpg")
        message = screen.query_one(f"#attr-{image.name} .field-message")
        assert "full web address" in str(message.render())  # checked as you type
        await type_into(pilot, field, "https://img.example/oak.jpg")
        await press(pilot, "enter")
        sent = screen.body.state.case_record.patches[0].patches
        assert sent[0]["value"] == [
            {"marketplace_id": screen.service.marketplace_id, "media_location": field.value}
        ]
        await apply_and_verify(pilot, screen)
        assert any(f.code == codes.MISSING_IMAGE for f in screen.body.state.verification.fixed)
        await assert_buyable_and_wrap_up(pilot, screen, sku)
    await assert_fixed_for_good(sku)


async def test_policy_case_ends_escalated_with_a_private_case_draft():
    sku = demo_sku(codes.POLICY_VIOLATION, codes.OUT_OF_STOCK_MFN)
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_wizard(pilot, sku)
        await press(pilot, "n")
        assert screen.body.state.step is WizardStep.STOCK  # restock what a patch can fix
        await type_into(pilot, screen.query_one("#stock-quantity Input", Input), "5")
        await press(pilot, "enter")
        assert screen.body.state.step is WizardStep.POLICY
        (case,) = screen.body.state.plan.policy_cases
        for box in screen.query(Checkbox):
            pilot.app.set_focus(box)
            await press(pilot, "space")
        notes = screen.query_one("#policy-notes", Input)
        await type_into(pilot, notes, "Appealed")
        while screen.body.state.step is not WizardStep.APPLY:  # Listing fields: nothing to edit
            pilot.app.set_focus(None)
            await press(pilot, "n")
        await apply_and_verify(pilot, screen)
        result = screen.body.state.verification
        assert any(f.code == codes.OUT_OF_STOCK_MFN for f in result.fixed)
        assert result.failing_step is WizardStep.POLICY and not result.resolved
        await press(pilot, "n")
        assert screen.body.state.step is WizardStep.WRAP_UP
        assert screen.body.state.case_path is None, "arriving at Wrap up escalates nothing"
        options = screen.body.state.options(datetime.now(UTC))
        assert options[0].kind is OutcomeKind.WAITING, "the appeal is ticked as submitted"
        await pick_outcome(pilot, screen, OutcomeKind.ESCALATE)
        path, marketplace_id = screen.body.state.case_path, screen.service.marketplace_id
    assert path.parent == paths.config_dir() / "cases" and path.name.startswith(sku)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    draft = path.read_text(encoding="utf-8")
    saved = CaseStore(DEMO_PROFILE, marketplace_id).get(sku)
    assert saved.outcome is Outcome.ESCALATED and saved.case_draft_path == str(path)
    for expected in (sku, case.key, "Appealed", saved.patches[-1].submission_id):
        assert expected in draft, expected
    for section in ("## 1. Root cause", "## 2. Actions taken", "## 3. Measures to prevent"):
        assert section in draft, section
    assert all(i.done for i in saved.steps[WizardStep.POLICY].checklist)
    assert demo_truth().intended_causes(sku) == frozenset({codes.POLICY_VIOLATION})


async def test_demo_wizard_resumes_at_the_saved_step_after_a_restart():
    sku = demo_sku(codes.OUT_OF_STOCK_MFN)
    first = demo_app()
    async with first.run_test(size=SIZE) as pilot:
        screen = await open_wizard(pilot, sku)
        await press(pilot, "n")
        assert screen.body.state.step is WizardStep.STOCK
        await press(pilot, "escape", "escape")  # the quantity field (focused), the wizard
        await settle(pilot)
        assert pilot.app.screen.view.case_labels[sku] == WizardStep.STOCK.label
        await press(pilot, "q")
    again = demo_app()
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert pilot.app.screen.view.case_labels[sku] == WizardStep.STOCK.label
        screen = await open_wizard(pilot, sku)
        assert screen.body.state.step is WizardStep.STOCK
        assert screen.query_one("#stock-quantity Input", Input).value == "0"
