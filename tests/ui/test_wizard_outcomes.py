"""How a case ends, on the demo account as a seller drives it (issue 9 item 3, issue 10).

Amazon applies an accepted patch later: the demo sandbox here holds every accepted patch for
an hour of sandbox time, on a clock the test winds forward (``SandboxClock``), so "Amazon has
processed it" happens exactly when the test says. Verify must say Amazon is processing (no
verdict), re-check by itself (its timer's callback is awaited here, not slept for), and the
next sync re-checks a case left waiting: resolved once the change lands, overdue past its date.
Retiring deletes the listing only after ctrl+s in the confirmation; an at-risk listing is
recorded with its deadline.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from asin_tui.cli import main
from asin_tui.demo import DemoSettings
from asin_tui.domain import codes
from asin_tui.domain.models import WizardStep
from asin_tui.domain.outcomes import OutcomeKind
from asin_tui.service import DEMO_PROFILE
from asin_tui.store.cases import CaseStore, Outcome, PatchMode
from asin_tui.ui.screens.confirm import SendConfirmScreen
from asin_tui.ui.screens.list_screen import ListScreen
from asin_tui.ui.screens.wizard import WizardScreen
from asin_tui.ui.widgets.filter_input import FilterInput
from asin_tui.ui.widgets.wizard_stepper import WizardStepper
from tests.ui.test_wizard import pick_outcome
from tests.ui.test_wizard_demo import (
    SIZE,
    TIME_SCALE,
    demo_app,
    demo_sku,
    demo_truth,
    open_wizard,
    press,
    settle,
    type_into,
)

# end to end on the demo account (seconds each): `pytest -m 'not slow'` leaves them out
pytestmark = pytest.mark.slow

PATCH_DELAY = 3600.0  # sandbox seconds Amazon takes to apply an accepted patch here


class SandboxClock:
    """The demo sandbox's monotonic clock, wound forward by the test."""

    def __init__(self) -> None:
        self.offset = 0.0
        #: the demo on this clock, taking PATCH_DELAY to apply a patch
        self.demo = DemoSettings(
            drift=0.0, patch_delay=PATCH_DELAY, time_scale=TIME_SCALE, clock=self
        )

    def __call__(self) -> float:
        return time.monotonic() + self.offset

    def process_patches(self) -> None:
        """Let Amazon's processing delay pass (sandbox seconds are real ones x TIME_SCALE)."""
        self.offset += PATCH_DELAY / TIME_SCALE + 1


@pytest.fixture
def clock() -> SandboxClock:
    return SandboxClock()


def saved(screen: WizardScreen, sku: str):
    return CaseStore(DEMO_PROFILE, screen.service.marketplace_id).get(sku)


async def restock_and_submit(pilot, screen: WizardScreen) -> None:
    """Stock → a quantity → Apply (VALID) → ctrl+s in the confirmation → Verify."""
    await press(pilot, "n")
    assert screen.body.state.step is WizardStep.STOCK
    await type_into(pilot, screen.query_one("#stock-quantity Input"), "25")
    await press(pilot, "enter")
    assert screen.body.state.step is WizardStep.APPLY
    assert screen.body.state.preview.status == "VALID"
    await press(pilot, "s")
    assert isinstance(pilot.app.screen, SendConfirmScreen)
    await press(pilot, "ctrl+s")
    real = screen.body.state.case_record.patches[-1]
    assert (real.mode, real.status) == (PatchMode.REAL, "ACCEPTED")
    pilot.app.set_focus(None)
    await press(pilot, "n")
    assert screen.body.state.step is WizardStep.VERIFY


def verify_text(screen: WizardScreen) -> str:
    return str(screen.query_one("#verify-result").render())


async def test_verify_waits_while_amazon_processes_and_rechecks_by_itself(clock):
    sku = demo_sku(codes.OUT_OF_STOCK_MFN)
    async with demo_app(clock.demo).run_test(size=SIZE) as pilot:
        screen = await open_wizard(pilot, sku)
        await restock_and_submit(pilot, screen)
        submitted = screen.body.state.case_record.patches[-1]
        pending = screen.body.state.pending
        assert pending is not None and pending.submission_id == submitted.submission_id
        shown = verify_text(screen)
        assert (
            f"Amazon is processing your change (submitted {submitted.submitted_at:%H:%M}" in shown
        )
        assert submitted.submission_id in shown
        assert "Still failing" not in shown, "no verdict before Amazon has processed it"
        assert screen.body.state.verification.failing_step is WizardStep.STOCK  # what it read
        # the stepper: the restock was sent (done), the verdict waits; nothing reads failed
        stepper = str(screen.query_one(WizardStepper).render())
        assert "1· Overview" in stepper and "2✓ Stock" in stepper and "5✓ Apply" in stepper
        assert "!" not in stepper, stepper
        assert not screen.check_action("fix_failing", ()), "f is not offered meanwhile"
        assert screen.body._recheck_timer is not None, "it re-checks by itself"
        kept = saved(screen, sku)  # left now, the next sync would re-check it too
        assert kept.outcome is Outcome.WAITING
        assert kept.waiting_for.startswith("Amazon to process your change (submitted ")

        clock.process_patches()
        screen.body.auto_recheck()  # what the timer calls: the re-read, awaited
        await settle(pilot)
        assert screen.body.state.pending is None
        assert screen.body.state.verification.resolved
        assert "back on sale" in verify_text(screen)
        assert screen.body._recheck_timer is None
        await press(pilot, "n")
        assert screen.body.state.step is WizardStep.WRAP_UP
        assert saved(screen, sku).outcome is Outcome.RESOLVED


async def test_a_case_left_waiting_is_resolved_by_the_next_sync(clock):
    sku = demo_sku(codes.OUT_OF_STOCK_MFN)
    async with demo_app(clock.demo).run_test(size=SIZE) as pilot:
        screen = await open_wizard(pilot, sku)
        await restock_and_submit(pilot, screen)
        await press(pilot, "n")
        assert screen.body.state.step is WizardStep.WRAP_UP
        options = screen.body.state.options(datetime.now(UTC))
        assert options[0].kind is OutcomeKind.WAITING and options[0].recommended
        assert OutcomeKind.ESCALATE not in [o.kind for o in options]
        await pick_outcome(pilot, screen, OutcomeKind.WAITING)
        waiting = saved(screen, sku)
        assert waiting.outcome is Outcome.WAITING
        assert waiting.waiting_for.startswith("Amazon to process your change (submitted ")
        assert waiting.recheck_at > datetime.now(UTC)
        await press(pilot, "escape")
        listed = pilot.app.screen
        assert isinstance(listed, ListScreen)
        await settle(pilot)
        assert listed.view.case_labels[sku] == "Waiting"

        clock.process_patches()
        await press(pilot, "r")  # the next sync re-checks it
        await settle(pilot)
        resolved = saved(screen, sku)
        assert resolved.outcome is Outcome.RESOLVED
        assert "back on sale while waiting" in resolved.check_note
        assert listed.view.case_labels[sku] == "Resolved"
        told = [str(n.message) for n in pilot.app._notifications]
        assert any(sku in m and "resolved" in m for m in told), told


async def test_a_wait_past_its_date_is_overdue_in_the_list_and_in_progress(clock, capsys):
    sku = demo_sku(codes.OUT_OF_STOCK_MFN)
    async with demo_app(clock.demo).run_test(size=SIZE) as pilot:
        screen = await open_wizard(pilot, sku)
        await restock_and_submit(pilot, screen)
        await press(pilot, "n")
        await pick_outcome(pilot, screen, OutcomeKind.WAITING)
        store = CaseStore(DEMO_PROFILE, screen.service.marketplace_id)

        def a_day_later(progress) -> None:  # the wait's date has passed
            progress.recheck_at = datetime.now(UTC) - timedelta(minutes=1)

        store.update(sku, a_day_later)
        await press(pilot, "escape")
        listed = pilot.app.screen
        await press(pilot, "r")  # Amazon never applied it: still out of stock
        await settle(pilot)
        late = store.get(sku)
        assert late.outcome is Outcome.WAITING and late.overdue()
        assert late.check_note.startswith("overdue: still INACTIVE after ")
        assert listed.view.case_labels[sku] == "Overdue"
    code = main(["progress", "--demo"])
    out = capsys.readouterr().out
    assert code == 0
    assert "1 waiting SKU (on Amazon; 1 overdue)" in out.splitlines()[0]
    row = next(line for line in out.splitlines() if line.startswith(sku))
    assert "waiting, overdue" in row and "Amazon to process your change" in row


async def test_retiring_deletes_the_listing_only_after_ctrl_s(clock):
    sku = demo_sku(codes.NOT_ELIGIBLE)
    async with demo_app(clock.demo).run_test(size=SIZE) as pilot:
        screen = await open_wizard(pilot, sku)
        assert screen.body.state.plan.stock.actions == ()
        while screen.body.state.step is not WizardStep.WRAP_UP:
            pilot.app.set_focus(None)
            await press(pilot, "n")
        options = screen.body.state.options(datetime.now(UTC))
        assert [o.kind for o in options] == [OutcomeKind.DELETE, OutcomeKind.LEAVE_INACTIVE]
        assert options[0].recommended, "no appeal path: retiring fits"
        await pick_outcome(pilot, screen, OutcomeKind.DELETE)
        dialog = pilot.app.screen
        assert isinstance(dialog, SendConfirmScreen)
        assert dialog.confirmation.sku == sku
        assert any("deleteListingsItem" in c for c in dialog.confirmation.changes)
        await press(pilot, "y", "s", "d", "space")  # typing confirms nothing
        assert sku in demo_truth().search(), "not deleted without ctrl+s"
        assert saved(screen, sku).outcome is Outcome.OPEN
        if pilot.app.screen is not dialog:  # space/Enter on "No" closed it: ask again
            await pick_outcome(pilot, screen, OutcomeKind.DELETE)
        await press(pilot, "ctrl+s")
        assert sku not in demo_truth().search(), "deleted from the account"
        retired = saved(screen, sku)
        assert retired.outcome is Outcome.RETIRED
        assert retired.outcome_reason.startswith("Deleted the offer (deleteListingsItem ACCEPTED")
        assert retired.patches[-1].mode is PatchMode.DELETE
        await press(pilot, "escape")
        await settle(pilot)
        listed = pilot.app.screen
        assert sku not in {r.sku for r in listed.view.records}
        assert listed.view.case_labels[sku] == "Retired"


async def test_an_at_risk_listing_is_recorded_with_its_deadline(clock):
    sku = demo_sku(codes.EXEMPTION_EXPIRING)
    async with demo_app(clock.demo).run_test(size=SIZE) as pilot:
        screen = await open_wizard(pilot, sku)
        while screen.body.state.step is not WizardStep.WRAP_UP:
            pilot.app.set_focus(None)
            await press(pilot, "n")
        (option,) = screen.body.state.options(datetime.now(UTC))
        assert option.kind is OutcomeKind.AT_RISK and option.deadline is not None
        assert option.title == f"At risk until {option.deadline:%Y-%m-%d}"
        assert saved(screen, sku).outcome is Outcome.OPEN, "not 'resolved: came back by itself'"
        await pick_outcome(pilot, screen, OutcomeKind.AT_RISK)
        at_risk = saved(screen, sku)
        assert (at_risk.outcome, at_risk.recheck_at) == (Outcome.AT_RISK, option.deadline)
        assert at_risk.waiting_for
        shown = " ".join(str(w.render()) for w in screen.query(".outcome"))
        assert f"At risk until {option.deadline:%Y-%m-%d}" in shown
        await press(pilot, "escape")
        await settle(pilot)
        assert pilot.app.screen.view.case_labels[sku] == "At risk"


async def test_after_demo_reset_a_listing_resolved_earlier_is_reopened():
    """Issue 9 item 7: `--demo --reset` makes a fixed listing inactive again; the first sync
    notices it is no longer in the state it was resolved in and reopens it."""
    sku = demo_sku(codes.OUT_OF_STOCK_MFN)
    async with demo_app().run_test(size=SIZE) as pilot:  # patches apply at once here
        screen = await open_wizard(pilot, sku)
        await restock_and_submit(pilot, screen)
        assert screen.body.state.verification.resolved
        marketplace_id = screen.service.marketplace_id
    store = CaseStore(DEMO_PROFILE, marketplace_id)
    assert (store.get(sku).outcome, store.get(sku).resolved_state) == (Outcome.RESOLVED, "ACTIVE")
    reset = demo_app(reset=True)
    async with reset.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot)  # the start-up sync, its re-check, the rows
        listed = pilot.app.screen
        assert isinstance(listed, ListScreen)
        assert listed.view.case_labels[sku] == "Reopened"
        told = [str(n.message) for n in pilot.app._notifications]
        assert any(sku in m and "reopened" in m for m in told), told
        await pilot.press("slash")
        pilot.app.screen.query_one(FilterInput).value = sku
        await press(pilot, "enter", "w")
        wizard = pilot.app.screen
        assert isinstance(wizard, WizardScreen)
        assert wizard.body.state.step is WizardStep.OVERVIEW, "a new round"
        assert wizard.body.state.case_record.outcome is Outcome.OPEN
    reopened = store.get(sku)
    assert reopened.outcome is Outcome.OPEN
    assert "INACTIVE again after it was resolved on" in reopened.check_note


async def test_stock_held_by_another_problem_offers_no_stock_action():
    """Issue 9 item 4: sellable FBA units behind a suppression: the Stock step tells what
    holds them and offers no channel switch (nothing to pick, nothing focused)."""
    sku = demo_sku(codes.MISSING_IMAGE, codes.STRANDED_FBA)
    async with demo_app().run_test(size=SIZE) as pilot:
        screen = await open_wizard(pilot, sku)
        assert screen.body.state.plan.diagnosis.findings[0].code == codes.MISSING_IMAGE
        await press(pilot, "n")
        assert screen.body.state.step is WizardStep.STOCK
        assert screen.body.state.plan.stock.actions == ()
        assert not screen.query("#stock-action")
        tips = " ".join(screen.body.state.plan.stock.guidance)
        assert "stock is not the problem" in tips and "inbound" not in tips
        await press(pilot, "n")
        assert screen.body.state.step is WizardStep.FIELDS, "n is Next: nothing took the key"
