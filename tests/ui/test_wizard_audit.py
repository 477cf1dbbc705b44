"""Pilot tests of the wizard's audit fixes: waiting for Amazon, submits that outlive the
screen, typed values kept across steps and restarts, saving off the UI thread, fresh evidence
for "Fix step", a new round for a listing that broke again."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from datetime import UTC, datetime

from textual.widgets import Input

from asin_tui.domain.models import FulfillmentAvailability, WizardStep
from asin_tui.domain.outcomes import OutcomeKind
from asin_tui.service import SubmissionResult
from asin_tui.store import paths
from asin_tui.store.cases import (
    SUBMITTING,
    CaseRecord,
    CaseStore,
    CaseStoreError,
    Outcome,
    PatchMode,
    PatchRecord,
    StepStatus,
)
from asin_tui.ui.screens.wizard import WizardScreen
from tests.ui.conftest import wait_until
from tests.ui.test_wizard import (
    US,
    FakeAccount,
    SuppressedAccount,
    WizardApp,
    check_the_wizard,
    pick_outcome,
    settle,
)


class HeldAccount(FakeAccount):
    """Amazon answers only when the test lets it (``release``)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.gate = asyncio.Event()
        self.gate.set()

    def hold(self) -> None:
        self.gate.clear()

    def release(self) -> None:
        self.gate.set()

    async def patch(self, sku, patches, *, preview, on_send=None):
        await self.gate.wait()
        return await super().patch(sku, patches, preview=preview, on_send=on_send)


async def at_stock_with_quantity(pilot, quantity: str) -> WizardScreen:
    await settle(pilot)
    await pilot.press("n")
    await settle(pilot)
    return await with_quantity(pilot, quantity)


async def with_quantity(pilot, quantity: str) -> WizardScreen:
    """At the Stock step: ``quantity`` in its field, the focus out of it."""
    screen = pilot.app.screen
    assert screen.body.state.step is WizardStep.STOCK
    screen.query_one("#stock-quantity Input", Input).value = quantity
    await pilot.pause()
    pilot.app.set_focus(None)
    return screen


def saved(sku: str = "MUG-1") -> CaseRecord | None:
    return CaseStore("test", US).get(sku)


async def test_next_back_and_leaving_wait_for_amazon_and_its_answer_is_recorded():
    """The mug's Stock step with Amazon answering only when let (100x30), its behaviours
    checked in turn (run_checks): what each asserts is its name. The last leaves the wizard;
    what it saved is read once the app has closed."""
    await check_the_wizard(
        HeldAccount(),
        (100, 30),
        ("n",),
        next_and_back_wait_while_amazon_answers,
        leaving_during_a_submit_still_records_amazons_answer,
        store=CaseStore("test", US),
    )
    real = [p for p in saved().patches if p.mode is PatchMode.REAL]
    assert [(p.status, p.submission_id) for p in real] == [("ACCEPTED", "sub-1")]
    assert saved().steps[WizardStep.APPLY].status is StepStatus.PASSED


async def next_and_back_wait_while_amazon_answers(pilot) -> None:
    """At the Stock step; back there after, 12 units validated."""
    account = pilot.app.account
    screen = await with_quantity(pilot, "12")
    account.hold()
    await pilot.press("n")  # Apply: the preview goes out and waits
    await pilot.pause()
    assert screen.body.state.step is WizardStep.APPLY and screen.body.waiting
    assert screen.check_action("back", ()) is None  # shown greyed out
    for key in ("b", "n", "s", "b"):
        await pilot.press(key)
        await pilot.pause()
    assert screen.body.state.step is WizardStep.APPLY
    account.release()
    await settle(pilot)
    assert not screen.body.waiting and screen.body.state.preview.status == "VALID"
    # the mark follows: + (validated, not sent), never ✓ before Amazon accepted a submit
    assert "5+" in str(screen.query_one("#wizard-stepper").render())
    await pilot.press("b")
    await settle(pilot)
    assert screen.body.state.step is WizardStep.STOCK


async def leaving_during_a_submit_still_records_amazons_answer(pilot) -> None:
    """At the Stock step, nothing sent for real yet; it leaves the wizard while Amazon is
    answering the submit, then lets Amazon answer."""
    account = pilot.app.account
    screen = await with_quantity(pilot, "12")
    await pilot.press("n")
    await settle(pilot)
    account.hold()
    await pilot.press("s")
    await pilot.pause()
    await pilot.press("ctrl+s")
    await pilot.pause()
    await pilot.press("escape")  # leave while Amazon is answering
    await pilot.pause()
    assert not isinstance(pilot.app.screen, WizardScreen)

    def sent() -> list:  # the last patch saved, if it is the real one
        record = (saved() or CaseRecord("x")).patches[-1:]
        return record if record and record[0].mode is PatchMode.REAL else []

    # the SUBMITTING record is saved before the answer comes (off the UI thread: a 1 s
    # poll could end before a loaded machine had saved it, failing on an empty record)
    await wait_until(pilot, lambda: bool(sent()), 30)
    assert sent()[0].status == SUBMITTING
    account.release()
    await settle(pilot)
    assert screen.body.state.case_record.patches[-1].status == "ACCEPTED"


async def test_a_second_submit_is_refused_and_resolved_at_verify_is_saved_as_resolved():
    """One walk: the patches accepted, s again sends nothing; Verify finds the listing
    resolved, and leaving saves it so."""
    account = FakeAccount()
    async with WizardApp(account, CaseStore("test", US)).run_test(size=(80, 24)) as pilot:
        screen = await at_stock_with_quantity(pilot, "12")
        for key in ("n", "s", "ctrl+s"):
            await pilot.press(key)
            await settle(pilot)
        # a second submit of accepted patches is refused
        assert screen.check_action("submit", ()) is None
        await pilot.press("s")
        await settle(pilot)
        assert [preview for _, preview in account.sent] == [True, False]
        # resolved at Verify is saved as resolved
        await pilot.press("n")
        await settle(pilot)
        assert screen.body.state.verification.resolved
        await pilot.press("escape")
        await settle(pilot)
    assert [preview for _, preview in account.sent] == [True, False]
    assert saved().outcome is Outcome.RESOLVED


class RealSubmitAnswer(FakeAccount):
    """The preview VALID; the real submit answered with ``status`` (and no submission id
    when that is not Amazon's)."""

    def __init__(self, status: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.status = status

    async def patch(self, sku, patches, *, preview, on_send=None):
        if on_send is not None:
            await on_send()
        self.sent.append((patches, preview))
        status = "VALID" if preview else self.status
        return SubmissionResult(
            sku, status, "s-2" if status != "UNKNOWN" else None, preview=preview
        )


async def test_an_invalid_submit_says_what_to_do_next():
    async with WizardApp(RealSubmitAnswer("INVALID"), None).run_test(size=(100, 30)) as pilot:
        screen = await at_stock_with_quantity(pilot, "12")
        for key in ("n", "s", "ctrl+s"):
            await pilot.press(key)
            await settle(pilot)
        answer = str(screen.query_one("#apply-answer").render())
        assert answer.startswith("INVALID (submission)") and "Go back (b)" in answer
        assert "5!" in str(screen.query_one("#wizard-stepper").render())


async def test_a_submit_answered_without_a_known_status_is_kept_as_unanswered():
    # "UNKNOWN" (a proxy's answer, a mangled one) was saved as the submit's status: Amazon
    # may have taken it, yet nothing marked it sent without an answer
    account = RealSubmitAnswer("UNKNOWN")
    async with WizardApp(account, CaseStore("test", US)).run_test(size=(100, 30)) as pilot:
        screen = await at_stock_with_quantity(pilot, "12")
        for key in ("n", "s", "ctrl+s"):
            await pilot.press(key)
            await settle(pilot)
        patches = screen.body.state.case_record.patches
    (real,) = [p for p in patches if p.mode is PatchMode.REAL]
    assert real.status == "NO_ANSWER"
    assert real.issues[0]["message"] == "Amazon's answer has no known status"


async def test_typed_values_survive_going_back_and_a_restart():
    account = SuppressedAccount()
    async with WizardApp(account, CaseStore("test", US)).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        for _ in range(2):  # Enter: the next step, also from the Policy checkbox (focused)
            await pilot.press("enter")
            await settle(pilot)
        screen.query_one("#price-our_price Input", Input).value = "69.99"
        await pilot.pause()
        pilot.app.set_focus(None)
        await pilot.press("n")
        await settle(pilot)
        assert screen.body.state.step is WizardStep.APPLY
        await pilot.press("b")
        await settle(pilot)
        assert screen.query_one("#price-our_price Input", Input).value == "69.99"
        assert str(screen.body.state.draft.price) == "69.99"
        await pilot.press("escape", "n")  # out of the focused field, then Next
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
    assert saved("PILLOW-2").draft.price == "69.99"
    again = WizardApp(SuppressedAccount(), CaseStore("test", US))
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        state = again.screen.body.state
        assert state.step is WizardStep.APPLY
        offer = next(p for p in state.patches() if p["path"].endswith("purchasable_offer"))
        assert offer["value"][0]["our_price"] == [{"schedule": [{"value_with_tax": 69.99}]}]
        assert "Nothing to send" not in str(again.screen.query_one(".patches").render())


async def test_saving_runs_off_the_ui_thread_and_typing_is_saved_once_it_pauses(monkeypatch):
    store = CaseStore("test", US)
    calls: list[tuple[str, str | None]] = []
    update = store.update
    loop = asyncio.get_running_loop()
    called = asyncio.Event()  # set on the test's loop by the thread that saves

    def recording_update(sku, change):
        calls.append((threading.current_thread().name, change.steps[WizardStep.POLICY].notes))
        loop.call_soon_threadsafe(called.set)
        return update(sku, change)

    monkeypatch.setattr(store, "update", recording_update)
    # a save waits for 2 s of quiet (the app's own 0.5 s): typing a key can take a loaded
    # machine longer than 0.5 s (a press waits up to 1 s for the app to look idle), and a
    # save then lands mid-word; the word is saved within 10 s once typing paused
    app = WizardApp(SuppressedAccount(), store, save_delay=2.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        calls.clear()
        called.clear()
        notes = pilot.app.screen.query_one("#policy-notes", Input)
        pilot.app.set_focus(notes)
        await pilot.press(*"Appealed")
        await pilot.pause()
        assert calls == []  # not on every keystroke
        await asyncio.wait_for(called.wait(), 10)  # saved once typing paused
        await settle(pilot)
        assert [note for _, note in calls] == ["Appealed"]
        assert threading.main_thread().name not in {thread for thread, _ in calls}
    assert saved("PILLOW-2").steps[WizardStep.POLICY].notes == "Appealed"


async def test_fix_step_works_from_the_evidence_read_by_the_recheck():
    class HalfFixed(FakeAccount):
        """The quantity lands but the listing stays unbuyable."""

        async def refresh(self, sku):
            await super().refresh(sku)  # Amazon processed the patch
            sent = self.sent[-1][0][0]["value"][0]["quantity"]
            self.listing = replace(
                self.listing, fulfillment=(FulfillmentAvailability("DEFAULT", sent),)
            )

    async with WizardApp(HalfFixed(fixable=False), None).run_test(size=(100, 30)) as pilot:
        screen = await at_stock_with_quantity(pilot, "4")
        for key in ("n", "s", "ctrl+s", "n"):
            await pilot.press(key)
            await settle(pilot)
        assert screen.body.state.verification.failing_step is WizardStep.STOCK
        assert screen.body.state.status(WizardStep.STOCK).value == "needs_action"
        await pilot.press("f")
        await settle(pilot)
        assert screen.body.state.step is WizardStep.STOCK
        assert (
            screen.body.state.plan.stock.mfn_quantity == 4
        )  # the re-read listing, not the old one
        assert screen.body.state.draft.stock_action is None  # the draft starts afresh
        assert screen.query_one("#stock-quantity Input", Input).value == "4"


async def test_a_resolved_listing_that_broke_again_starts_a_new_round():
    store = CaseStore("test", US)
    earlier = CaseRecord(
        "MUG-1",
        current_step=WizardStep.WRAP_UP,
        outcome=Outcome.RESOLVED,
        started_at=datetime(2025, 1, 1, tzinfo=UTC),
        updated_at=datetime(2025, 1, 2, tzinfo=UTC),
    )
    earlier.steps[WizardStep.WRAP_UP].status = StepStatus.PASSED
    earlier.steps[WizardStep.WRAP_UP].updated_at = earlier.updated_at
    earlier.steps[WizardStep.STOCK].notes = "restocked in January"
    store.update("MUG-1", earlier)
    async with WizardApp(FakeAccount(), store).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        state = pilot.app.screen.body.state
        assert state.step is WizardStep.OVERVIEW and state.case_record.outcome is Outcome.OPEN
        assert state.status(WizardStep.STOCK).value == "needs_action"
        assert state.status(WizardStep.WRAP_UP).value == "pending"
        await pilot.press("escape")
        await settle(pilot)
    again = saved()
    assert again.outcome is Outcome.OPEN
    assert again.steps[WizardStep.STOCK].notes == "restocked in January"  # history kept


async def at_wrap_up(pilot) -> WizardScreen:
    """The wizard, walked with n to its Wrap up step."""
    await settle(pilot)
    screen = pilot.app.screen
    while screen.body.state.step is not WizardStep.WRAP_UP:
        pilot.app.set_focus(None)
        await pilot.press("n")
        await settle(pilot)
    return screen


async def test_escalating_writes_a_case_draft_a_new_one_after_going_back_and_says_so_when_it_cannot():
    """The suppressed pillowcase walked to its Wrap up once (100x30), its behaviours checked
    in turn (run_checks): what each asserts is its name."""
    await check_the_wizard(
        SuppressedAccount(),
        (100, 30),
        (),
        a_case_draft_that_cannot_be_written_says_so_and_escalates_nothing,
        going_back_after_escalating_writes_a_new_case_draft,
        store=CaseStore("test", US),
    )


async def a_case_draft_that_cannot_be_written_says_so_and_escalates_nothing(pilot) -> None:
    """Nothing escalated yet; a file stands where the drafts' folder goes while it runs
    (removed after)."""
    paths.config_dir().mkdir(parents=True, exist_ok=True)
    blocked = paths.case_drafts_dir()
    blocked.write_text("a file where the drafts' folder goes")
    screen = await at_wrap_up(pilot)
    await pick_outcome(pilot, screen, OutcomeKind.ESCALATE)
    told = [(n.title, n.message) for n in pilot.app._notifications]
    assert [t for t, _ in told if t == "Could not save the case draft"], told
    assert all("Traceback" not in m and "\n" not in m for _, m in told)
    state = screen.body.state
    assert state.case_path is None and not state.case_text
    assert state.case_record.outcome is not Outcome.ESCALATED
    await settle(pilot)  # every save done
    assert (saved("PILLOW-2") or CaseRecord("x")).outcome is not Outcome.ESCALATED
    blocked.unlink()


async def going_back_after_escalating_writes_a_new_case_draft(pilot) -> None:
    """Nothing escalated yet."""
    screen = await at_wrap_up(pilot)
    await pick_outcome(pilot, screen, OutcomeKind.ESCALATE)
    first = screen.body.state.case_path
    assert saved("PILLOW-2").outcome is Outcome.ESCALATED
    a_wrapped_list_item_of_the_draft_goes_on_under_its_text(screen)
    pilot.app.set_focus(None)
    await pilot.press("b")
    await settle(pilot)
    screen.body.state.note(WizardStep.VERIFY, "Called Seller Support")
    pilot.app.set_focus(None)
    await pilot.press("n")
    await settle(pilot)
    assert screen.body.state.case_path == first, "a new draft only when asked for"
    await pick_outcome(pilot, screen, OutcomeKind.ESCALATE)
    second = screen.body.state.case_path
    assert second != first and first.exists() and second.exists()
    assert "Called Seller Support" in second.read_text()
    assert "Called Seller Support" not in first.read_text()
    assert first.name.startswith("PILLOW-2-") and len(first.stem) == len("PILLOW-2-20260301-140509")


def a_wrapped_list_item_of_the_draft_goes_on_under_its_text(screen) -> None:
    """The draft shown under the outcomes: a list item ("- **…** (ERROR) …") that wraps
    goes on under its text, not at the left edge (a paragraph after a list is preceded by a
    blank line: every other line after an item is its continuation)."""
    import re

    from textual.geometry import Region
    from textual.widgets import Static

    draft = screen.query_one(".case-draft", Static)
    drawn = [s.text.rstrip() for s in draft.render_lines(Region(0, 0, *draft.size))]
    continued, under = [], None  # (a continuation, where its item's text starts)
    for line in drawn:
        if line.lstrip().startswith(("- ", "#")) or not line.strip():
            item = re.match(r" *- (\[[ x]\] )?", line)  # "- text", "- [ ] a step"
            under = item.end() if item else None
        elif under is not None:
            continued.append((line, under))
    assert continued, drawn  # the pillowcase's issue text wraps at 100 columns
    assert all(len(line) - len(line.lstrip()) == at for line, at in continued), "\n".join(drawn)


class FullDiskStore(CaseStore):
    """A case store whose saves fail as on a full disk once ``full`` is set."""

    full = False

    def update(self, sku, change, **options):
        if self.full:
            raise CaseStoreError(f"{self.path}: cannot save: the disk is full")
        return super().update(sku, change, **options)


class RacedStore(CaseStore):
    """A case store where another asin-tui (a `fix` run of the same change) saves its own
    SUBMITTING record of the wizard's change just before the wizard's own is saved."""

    raced = False
    racing = threading.Lock()  # the wizard saves from two threads (its save, its send)

    def update(self, sku, change, **options):
        with self.racing:
            patches = change.patches if isinstance(change, CaseRecord) else []
            mine = [p for p in patches if p.mode is PatchMode.REAL]
            if not self.raced and mine and mine[-1].status == SUBMITTING:
                theirs = PatchRecord(
                    datetime.now(UTC), PatchMode.REAL, mine[-1].patches, SUBMITTING
                )
                CaseStore("test", US).update(sku, lambda case: case.patches.append(theirs))
                self.raced = True
        return super().update(sku, change, **options)


async def test_a_submit_another_asin_tui_is_sending_is_not_sent_twice():
    """The wizard's send and another asin-tui's send of the same change at once (a `fix`
    run): the wizard's SUBMITTING save finds the other's claim in its transaction and
    sends nothing, in one notice."""
    account, store = FakeAccount(), RacedStore("test", US)
    app = WizardApp(account, store)
    async with app.run_test(size=(100, 30)) as pilot:
        await at_stock_with_quantity(pilot, "12")
        await pilot.press("n")
        await settle(pilot)
        for key in ("s", "ctrl+s"):
            await pilot.press(key)
            await settle(pilot)
        assert [preview for _, preview in account.sent] == [True]  # the preview only
        told = [n.message for n in app._notifications]
        assert any("another asin-tui sent this change at" in m for m in told), told
    [theirs] = [p for p in saved().patches if p.mode is PatchMode.REAL]
    assert theirs.status == SUBMITTING  # the other run's claim, the wizard's withdrawn


async def test_a_submit_whose_record_cannot_be_saved_is_not_sent():
    # the SUBMITTING record was saved by a thread worker racing the send, and the send went
    # whether it was saved or not: a crash then left a change sent with no trace of it
    account, store = FakeAccount(), FullDiskStore("test", US)
    app = WizardApp(account, store)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_stock_with_quantity(pilot, "12")
        await pilot.press("n")
        await settle(pilot)
        store.full = True
        for key in ("s", "ctrl+s"):
            await pilot.press(key)
            await settle(pilot)
        assert [preview for _, preview in account.sent] == [True]  # the preview only
        assert not any(p.mode.value == "REAL" for p in screen.body.state.case_record.patches)
        told = [n.message for n in app._notifications]
        assert any("the disk is full: the change was not sent to Amazon" in m for m in told)
