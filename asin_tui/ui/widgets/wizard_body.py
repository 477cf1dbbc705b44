"""The reactivation wizard's body: the stepper and the step shown, for a listing whose
evidence and saved case are read (:class:`WizardBody`, built with its :class:`WizardState`;
the screen, ``ui/screens/wizard.py``, reads them and owns the keys).

Slow work runs in workers: the VALIDATION_PREVIEW and the Verify re-read (async, network;
Next, Back and Submit wait for them). The real submit runs as an app-level worker: it is
saved as SUBMITTING as its request is about to leave (the client's ``on_send``; a save that
fails sends nothing) and settles with Amazon's answer even when the wizard was left meanwhile. The case (with what was typed) is saved after every step change and
action, from a thread worker (typing is saved once it pauses); Escape leaves with it kept.
While Amazon has not applied an accepted patch yet, Verify says so and re-reads the listing by
itself (a timer, every RECHECK_SECONDS) instead of a verdict. Wrap up records the outcome the
seller picks; deleting the listing asks first and runs in a worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widget import AwaitMount
from textual.widgets import Input
from textual.worker import get_current_worker

from asin_tui.domain.change_words import describe_patches, marketplace_text, value_names
from asin_tui.domain.models import Diagnosis, Evidence, WizardStep
from asin_tui.domain.outcomes import OutcomeKind
from asin_tui.domain.wizard import attribute_specs, build_plan
from asin_tui.store.case_drafts import write_case_draft
from asin_tui.store.cases import (
    CaseRecord,
    CaseStore,
    CaseStoreError,
    ClaimedElsewhere,
    PatchRecord,
    claim_of,
    masked_texts,
    same_record,
)
from asin_tui.ui.messages import describe_error
from asin_tui.ui.screens.confirm import Confirmation, SendConfirmScreen
from asin_tui.ui.screens.copied import CopiedScreen
from asin_tui.ui.service import ListingService
from asin_tui.ui.timing import UI_TIMING
from asin_tui.ui.widgets.wizard_stepper import WizardStepper
from asin_tui.ui.widgets.wizard_steps import (
    STEP_BODIES,
    WRAP_REASON,
    ApplyStep,
    DraftChanged,
    OutcomeChosen,
    StepBody,
    VerifyStep,
    policy_link,
)
from asin_tui.ui.wizard_session import WizardState

if TYPE_CHECKING:
    from asin_tui.service import SubmissionResult

#: Said when a note typed (or pasted) holds an LWA token or secret: the progress file keeps
#: it masked (store.cases.saved_text), never as typed.
SECRET_MASKED = (
    "A token or secret in your notes is saved as [redacted]: asin-tui never writes "
    "secrets to its files. Keep it in your password manager."
)

#: Actions that wait while Amazon answers (a step change would drop its answer's view, a
#: second send would race the first).
_WAIT_FOR_ANSWER = frozenset(
    {"next", "back", "preview", "submit", "override", "recheck", "fix_failing"}
)  # (and every Wrap up choice: a deletion on its way)

ACCEPTED_ALREADY = "Amazon accepted these patches already: press n to re-check."

#: The actions of one step only (hidden on the others).
STEP_ACTIONS = {
    "preview": WizardStep.APPLY,
    "submit": WizardStep.APPLY,
    "override": WizardStep.APPLY,
    "recheck": WizardStep.VERIFY,
    "fix_failing": WizardStep.VERIFY,
    "copy_case": WizardStep.WRAP_UP,
    "copy_link": WizardStep.POLICY,
}


@dataclass
class PatchAnswered(Message):
    """Amazon answered a preview or a submit (already recorded in the state and saved)."""

    result: SubmissionResult | None  # None when the call failed
    preview: bool


@dataclass
class Rechecked(Message):
    evidence: Evidence
    diagnosis: Diagnosis


@dataclass
class Deleted(Message):
    """Amazon answered the deleteListingsItem (retire)."""

    result: SubmissionResult


@dataclass
class WizardFailed(Message):
    what: str
    reason: str


class StepScroll(VerticalScroll, can_focus=False):
    """The step's body. Never focused itself (Tab goes from field to field, focus is always
    on something the seller sees); the screen's arrow and page keys scroll it."""


class WizardBody(Vertical):
    """The stepper and the step shown, for a wizard whose listing is read: built with its
    :class:`WizardState`. It owns the step bodies, Amazon's calls (workers) and their
    answers, the saves and the Verify re-check timer; the screen's keys call its actions."""

    #: While Amazon processes an accepted patch, Verify re-reads the listing this often.
    RECHECK_SECONDS = 5.0

    def __init__(
        self,
        state: WizardState,
        service: ListingService,
        sku: str,
        store: CaseStore | None,
        *,
        save_delay: float = UI_TIMING.save_delay,
    ) -> None:
        super().__init__()
        self.save_delay = save_delay  # seconds of quiet typing before it is saved
        self.state = state
        self.service = service
        self.sku = sku
        self.store = store
        self.waiting = False  # a preview, submit or re-check is on its way
        self._save_timer: Timer | None = None
        self._masked: frozenset[str] = frozenset()  # the notes said to be saved masked
        self._recheck_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield WizardStepper(id="wizard-stepper")
        yield StepScroll(id="wizard-body")

    def on_mount(self) -> None:
        self.show_step(self.state.step)

    # ------------------------------------------------------------------ workers

    @work(exclusive=True, group="wizard-patch", exit_on_error=False)
    async def send_preview(self, patches: list) -> None:
        try:
            result = await self.service.patch(self.sku, patches, preview=True)
        except Exception as exc:
            self.post_message(WizardFailed("validate the patch", describe_error(exc)))
            return
        self.state.record(result, patches)
        self.save()
        self.post_message(PatchAnswered(result, preview=True))

    def submit(self, patches: list) -> None:
        """Send the real patch from an app-level worker: leaving the wizard does not cancel
        it, and its answer is recorded and saved either way."""
        record = self.state.begin_submit(patches)
        self.save()
        self.wait_for_answer()
        self.app.run_worker(
            self._submitted(self.state, record), group="wizard-submit", exit_on_error=False
        )

    async def _submitted(self, state: WizardState, record: PatchRecord) -> None:
        result = None
        store = self.store

        async def submitting() -> None:
            """The request is about to leave: its SUBMITTING record saved first (a failed
            save raises, and nothing is sent). Called on the service's loop. In the same
            transaction: another asin-tui's submit of the same change, saved since this
            wizard read the SKU's progress, raises ClaimedElsewhere (nothing sent)."""
            if store is not None:
                snapshot = copy.deepcopy(state.case_record)
                known = list(state.case_record.patches)  # this wizard's own, its new one too

                def unclaimed(stored: CaseRecord | None) -> None:
                    other = claim_of(stored, record.patches, known) if stored else None
                    if other is not None:
                        raise ClaimedElsewhere(other)

                await asyncio.to_thread(store.update, self.sku, snapshot, check=unclaimed)

        try:
            result = await self.service.patch(
                self.sku, record.patches, preview=False, on_send=submitting
            )
        except ClaimedElsewhere as exc:  # another asin-tui's send of it: this one never left
            state.withdraw(record)
            if store is not None:  # its SUBMITTING record, if a save of the wizard's kept it
                with contextlib.suppress(CaseStoreError):
                    await asyncio.to_thread(store.update, self.sku, unsent(record))
            self.app.notify(
                f"{exc.words()} while this one was on its way: it was not sent again. "
                "Re-check the listing (r) to see it land.",
                title="Sent by another asin-tui",
                severity="warning",
                timeout=10,
            )
        except CaseStoreError as exc:  # the submit could not be recorded: it was not sent
            state.withdraw(record)
            self.app.notify(
                f"{exc}: the change was not sent to Amazon.",
                title="Progress not saved",
                severity="error",
                timeout=10,
            )
        except Exception as exc:
            reason = describe_error(exc)
            state.settle_failed(record, reason)
            self.app.notify(
                f"{reason} Re-check the listing to see whether it landed.",
                title="No answer to the submit",
                severity="error",
                timeout=10,
            )
        else:
            state.settle(record, result)
        if self.store is not None:
            try:
                await asyncio.to_thread(
                    self.store.update, self.sku, copy.deepcopy(state.case_record)
                )
            except CaseStoreError as exc:
                self.app.notify(str(exc), title="Progress not saved", severity="error")
        if self.is_attached:
            self.post_message(PatchAnswered(result, preview=False))

    @work(exclusive=True, group="wizard-verify", exit_on_error=False)
    async def recheck(self) -> None:
        try:
            await self.service.refresh(self.sku)
            evidence, diagnosis = self.service.evidence(self.sku), self.service.diagnosis(self.sku)
        except Exception as exc:
            self.post_message(WizardFailed("re-read the listing", describe_error(exc)))
            return
        self.post_message(Rechecked(evidence, diagnosis))

    # ------------------------------------------------------------------ results

    def on_patch_answered(self, message: PatchAnswered) -> None:
        self.answered()
        if message.result is not None:
            for body in self.query(ApplyStep):  # the step shown may have changed meanwhile
                body.show_answer(message.result, real=not message.preview)

    def on_rechecked(self, message: Rechecked) -> None:
        state = self.state
        result = state.verified(message.diagnosis, message.evidence.listing)
        state.fresh = (message.evidence, message.diagnosis)
        self.save()
        for body in self.query(VerifyStep):
            body.show(result, state.pending)
        self.answered()
        if state.pending is not None and state.step is WizardStep.VERIFY:
            self._schedule_recheck()

    def _schedule_recheck(self) -> None:
        """Amazon is processing the change: look again by itself while Verify is open."""
        self._stop_recheck()
        self._recheck_timer = self.set_timer(self.RECHECK_SECONDS, self.auto_recheck)

    def _stop_recheck(self) -> None:
        if self._recheck_timer is not None:
            self._recheck_timer.stop()
            self._recheck_timer = None

    def auto_recheck(self) -> None:
        """The processing timer fired: re-read the listing (still on Verify, nothing on its
        way)."""
        self._recheck_timer = None
        state = self.state
        if (
            self.is_attached
            and state.step is WizardStep.VERIFY
            and state.pending is not None
            and not self.waiting
        ):
            self.action_recheck()

    def wait_for_answer(self) -> None:
        self.waiting = True
        self.refresh_bindings()  # the footer greys out what waits

    def answered(self) -> None:
        self.waiting = False
        self.update_stepper()
        self.refresh_bindings()

    def on_wizard_failed(self, message: WizardFailed) -> None:
        """An answer that did not come: the keys work again (the screen says why)."""
        self.answered()

    def on_draft_changed(self, message: DraftChanged) -> None:
        self.state.case_record.touch()
        self.update_stepper()
        self.save(debounce=message.typing)

    @on(Input.Submitted)
    def _field_submitted(self, event: Input.Submitted) -> None:
        """Enter in a field is the footer's Enter (Next): an Input would otherwise keep it,
        and n, b, p… as typed text, so a keyboard user could not leave the step. Enter in
        Wrap up's reason records 'leave it inactive'."""
        event.stop()
        if event.input.id == WRAP_REASON:
            self.choose_outcome(OutcomeKind.LEAVE_INACTIVE)
            return
        result = event.validation_result
        if result is not None and not result.is_valid:
            self.notify(result.failure_descriptions[0], title="Not valid", severity="warning")
            return
        self.action_next()

    # ------------------------------------------------------------------ steps

    def show_step(self, step: WizardStep) -> None:
        state = self.state
        state.go(step)
        self._stop_recheck()
        if step is WizardStep.WRAP_UP:
            state.settle_resolved(datetime.now(UTC))  # back on sale: nothing to choose
        self.save()
        self.update_stepper()
        body = self.query_one(StepScroll)
        body.remove_children()
        step_body = STEP_BODIES[step](state)
        self.call_later(self.focus_first_field, step_body, body.mount(step_body))
        body.scroll_home(animate=False)
        self.refresh_bindings()
        if (
            step is WizardStep.APPLY
            and state.patches()
            and not (state.preview_valid or state.already_submitted)
        ):
            self.action_preview()
        elif step is WizardStep.VERIFY and (state.verification is None or state.pending):
            self.wait_for_answer()  # the new body says it is re-reading
            self.recheck()

    async def focus_first_field(self, step_body: StepBody, mounting: AwaitMount) -> None:
        """Once the step is mounted and laid out, its first visible control gets the focus
        (none: nothing is focused, the letter keys are the footer's commands)."""
        await mounting
        self.call_after_refresh(self._focus_first, step_body)

    def _focus_first(self, step_body: StepBody) -> None:
        if not step_body.is_attached:
            return  # the step changed again meanwhile
        first = next((w for w in self.screen.focus_chain if step_body in w.ancestors), None)
        self.screen.set_focus(first, scroll_visible=False)

    # ------------------------------------------------------------------ wrap up

    def on_outcome_chosen(self, message: OutcomeChosen) -> None:
        self.choose_outcome(message.kind)

    def choose_outcome(self, kind: OutcomeKind) -> None:
        """Record the outcome picked at Wrap up: deleting asks first and waits for Amazon;
        leaving it inactive needs a reason; escalating writes the case draft."""
        state, now = self.state, datetime.now(UTC)
        option = next((o for o in state.options(now) if o.kind is kind), None)
        if option is None or self.waiting:
            return
        if kind is OutcomeKind.DELETE:
            self.confirm_delete()
            return
        reason = ""
        if kind is OutcomeKind.LEAVE_INACTIVE:
            reason = self.query_one(f"#{WRAP_REASON}", Input).value
            if not reason.strip():
                self.query_one(f"#{WRAP_REASON}", Input).focus()
                self.notify("Type why it stays inactive, then Enter.", title="A reason first")
                return
        if kind is OutcomeKind.ESCALATE:  # the case draft written (0600, never over another)
            text = state.case_draft(now)
            try:
                path = write_case_draft(state.plan.diagnosis.sku, text, now)
            except OSError as exc:
                self.notify(
                    describe_error(exc), title="Could not save the case draft", severity="error"
                )
                return
            state.escalated(text, path)
        else:
            state.choose(option, now, reason=reason)
        self.notify(option.title, title="Outcome recorded")
        self.show_step(WizardStep.WRAP_UP)

    def confirm_delete(self) -> None:
        """deleteListingsItem only after the same confirmation as a patch (ctrl+s)."""
        listing = self.state.plan.listing
        title = listing.item_name or "no title"
        confirmation = Confirmation(
            title="Delete this listing from your Amazon account?",
            sku=self.sku,
            marketplace=marketplace_text(listing.marketplace_id),
            changes=[
                f"Delete the offer of SKU {self.sku} (ASIN {listing.asin or 'none'}, "
                f"'{title}') from your listings (deleteListingsItem)",
                "It cannot be undone here: to sell it again you create the listing anew",
            ],
            action="Delete the offer",
        )

        def answered(delete: bool | None) -> None:
            if delete and self.is_attached and not self.waiting:
                self.wait_for_answer()
                self.send_delete()

        self.app.push_screen(SendConfirmScreen(confirmation), answered)

    @work(exclusive=True, group="wizard-delete", exit_on_error=False)
    async def send_delete(self) -> None:
        try:
            result = await self.service.delete(self.sku)
        except Exception as exc:
            self.post_message(WizardFailed("delete the listing", describe_error(exc)))
            return
        self.post_message(Deleted(result))

    def on_deleted(self, message: Deleted) -> None:
        self.state.deleted(message.result, datetime.now(UTC))
        self.answered()
        if message.result.ok:
            self.notify(f"Deleted {self.sku}.", title="Listing retired", markup=False)
        else:
            issues = "; ".join(f"{i.code}: {i.message}" for i in message.result.issues)
            self.notify(
                f"Amazon answered {message.result.status}. {issues}".strip(),
                title="Not deleted",
                severity="error",
                markup=False,
            )
        self.show_step(WizardStep.WRAP_UP)

    def update_stepper(self) -> None:
        state = self.state
        statuses = {step: state.status(step) for step in WizardStep}
        self.query_one(WizardStepper).show(statuses, state.step)

    def save(self, *, debounce: bool = False) -> None:
        """Save the case record (with what was typed) from a thread; ``debounce``: once typing
        pauses. Saves are coalesced: a newer one cancels a pending older one, and the store
        merges what lands late, so an older copy never undoes a newer one."""
        if self.store is None:
            return
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        if debounce:
            self._save_timer = self.set_timer(self.save_delay, self.save)
            return
        self.state.keep_draft()
        snapshot = copy.deepcopy(self.state.case_record)  # the UI goes on changing the original
        self.app.run_worker(  # app-level: a save still lands after the wizard is left
            lambda: self._write(snapshot),
            thread=True,
            exclusive=True,
            group=f"wizard-save-{self.sku}",
            exit_on_error=False,
        )

    def _write(self, snapshot: CaseRecord) -> None:
        if get_current_worker().is_cancelled or self.store is None:
            return  # a newer save is on its way
        try:
            self.store.update(self.sku, snapshot)
        except CaseStoreError as exc:
            self.app.call_from_thread(
                self.app.notify, str(exc), title="Progress not saved", severity="error"
            )
            return
        if masked := masked_texts(snapshot) - self._masked:  # said once per note
            self._masked |= masked
            self.app.call_from_thread(
                self.app.notify, SECRET_MASKED, title="Secret not saved", severity="warning"
            )

    def on_unmount(self) -> None:
        """The app closes while typing was not saved yet: save it now."""
        self._stop_recheck()
        if self._save_timer is not None and self.store is not None:
            self._save_timer.stop()
            self.state.keep_draft()
            with contextlib.suppress(CaseStoreError):  # the app closes: nowhere left to say it
                self.store.update(self.sku, self.state.case_record)

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The screen's check_action for its keys (same answers: None greyed out, False
        hidden)."""
        if self.waiting and action in _WAIT_FOR_ANSWER:
            return None  # shown, greyed out, until Amazon answers
        if action == "next":  # hidden on the last step: nothing to go to
            return self.state.plan.next_step(self.state.step) is not None
        if action == "back":  # and on the first
            return self.state.plan.previous_step(self.state.step) is not None
        step = STEP_ACTIONS.get(action)
        if step is None:
            return True
        if self.state.step is not step:
            return False
        if action == "submit":
            return True if self.state.preview_valid and not self.state.already_submitted else None
        if action == "preview":  # accepted already: a new preview would only hide that answer
            return None if self.state.already_submitted else True
        if action == "override":
            preview = self.state.preview
            return preview is not None and preview.status == "INVALID"
        if action == "fix_failing":  # never while Amazon is still processing the change
            result = self.state.verification
            return bool(result and result.failing_step and self.state.pending is None)
        if action == "copy_case":  # only an escalation has a case draft to copy
            return bool(self.state.case_text)
        if action == "copy_link":  # only a Seller Central link (the detail's rule)
            return policy_link(self.state.plan) is not None
        return True

    def action_next(self) -> None:
        if self.waiting:
            return
        nxt = self.state.plan.next_step(self.state.step)
        if nxt is None:
            self.notify("This is the last step. Press Escape to leave.")
            return
        self.show_step(nxt)

    def action_back(self) -> None:
        if self.waiting:
            return
        previous = self.state.plan.previous_step(self.state.step)
        if previous is not None:
            self.show_step(previous)

    def action_preview(self) -> None:
        if self.state.already_submitted:  # (the palette: the key is greyed out then)
            self.notify(ACCEPTED_ALREADY)
            return
        patches = self.state.patches()
        if self.state.problems:
            self.notify(" ".join(self.state.problems), title="Not ready", severity="warning")
            return
        if not patches:
            self.notify("Nothing to send: enter a change in Stock or Listing fields.")
            return
        self.wait_for_answer()
        self.send_preview(patches)

    def action_submit(self) -> None:
        if self.state.already_submitted:
            self.notify(ACCEPTED_ALREADY)
            return
        if not self.state.preview_valid:
            self.notify("Validate first (p); submit only after Amazon answers VALID.")
            return
        self.confirm_submit(self.state.patches())

    def action_override(self) -> None:
        patches, preview = self.state.patches(), self.state.preview
        if patches and preview is not None:  # check_action offers it only after an INVALID
            issues = "; ".join(f"{i.code}: {i.message}" for i in preview.issues)
            self.confirm_submit(
                patches,
                warning="Amazon's validation preview said INVALID"
                + (f" ({issues})" if issues else "")
                + ". Sending it anyway may be refused, or change the listing in ways you did not mean.",
            )

    def confirm_submit(self, patches: list, *, warning: str = "") -> None:
        """Ask before the real submit: the SKU, the marketplace and each change in words;
        only ctrl+s in that dialog sends (and only the patches it showed)."""
        listing = self.state.plan.listing
        confirmation = Confirmation(
            title="Send these changes to Amazon?",
            sku=self.sku,
            marketplace=marketplace_text(listing.marketplace_id),
            changes=describe_patches(
                listing, patches, value_names(attribute_specs(self.state.plan).values())
            ),
            action="Send",
            warning=warning,
        )

        def answered(send: bool | None) -> None:
            if send and self.is_attached and not self.waiting and self.state.patches() == patches:
                self.submit(patches)

        self.app.push_screen(SendConfirmScreen(confirmation), answered)

    def action_recheck(self) -> None:
        for body in self.query(VerifyStep):
            body.show(None)
        self.wait_for_answer()
        self.recheck()

    def action_fix_failing(self) -> None:
        """Back to the root cause's step, planned from the evidence just re-read; what was
        typed for the old plan is dropped."""
        state = self.state
        result = state.verification
        if not (result and result.failing_step and state.fresh):
            return
        state.replan(build_plan(*state.fresh))
        self.show_step(result.failing_step)

    def scroll_steps(self, lines: int) -> None:
        self.query_one(StepScroll).scroll_relative(y=lines, animate=False)

    def action_copy_link(self) -> None:
        """The Policy step's approval link, whole (drawn cut with "…" where it is longer
        than the screen), as the detail's c copies it."""
        link = policy_link(self.state.plan)
        if link is not None:
            self.app.copy_to_clipboard(link)
            self.app.push_screen(CopiedScreen("the Seller Central link to request approval", link))

    def action_copy_case(self) -> None:
        if self.state.case_text:
            self.app.copy_to_clipboard(self.state.case_text)
            # OSC 52: whether the terminal passed it on cannot be known; the file always has it
            self.notify(
                f"Sent to the terminal's clipboard (OSC 52); saved in {self.state.case_path}",
                title="Case draft",
                markup=False,
            )


def unsent(record: PatchRecord) -> Callable[[CaseRecord], None]:
    """A change for CaseStore.update: ``record`` (a submit that was never sent) taken out."""

    def change(case: CaseRecord) -> None:
        case.patches = [p for p in case.patches if not same_record(p, record)]

    return change
