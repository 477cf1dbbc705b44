"""The wizard's working state for one SKU, and its mapping to the saved case.

No widgets and no files here: the wizard's body and its step widgets read and change a
:class:`WizardState`; every change lands in ``state.case_record`` (what the case store keeps),
which the wizard saves after each step change and action. Escalating builds its case draft
(``case_draft``); the wizard's body writes it (``store.case_drafts``) and records where
(``escalated``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asin_tui.domain.casedraft import ChecklistEntry, Submission, build_case_draft
from asin_tui.domain.models import Diagnosis, Evidence, LastQuantity, Listing, WizardStep
from asin_tui.domain.outcomes import (
    PROCESSING,
    OutcomeKind,
    OutcomeOption,
    PendingPatch,
    outcome_options,
    processing,
)
from asin_tui.domain.patches import Patch
from asin_tui.domain.wizard import (
    FIXING_STEPS,
    Draft,
    PolicyCase,
    StepStatus,
    VerifyResult,
    WizardPlan,
    draft_patches,
    draft_problems,
    draft_ready,
    verify,
)
from asin_tui.store.cases import (
    NO_ANSWER,
    SUBMITTING,
    CaseRecord,
    ChecklistTick,
    DraftRecord,
    Outcome,
    PatchMode,
    PatchRecord,
    issue_record,
)

if TYPE_CHECKING:  # types only: the UI reaches the service through workers
    from asin_tui.service import SubmissionResult


def checklist_label(case: PolicyCase, text: str) -> str:
    """How a checklist item is stored: unique across cases, readable in the TOML file."""
    return f"[{case.key}] {text}"


@dataclass
class WizardState:
    plan: WizardPlan
    case_record: CaseRecord  # what the case store saves for this SKU
    draft: Draft = field(default_factory=Draft)
    preview: SubmissionResult | None = None  # Amazon's answer to the last VALIDATION_PREVIEW
    previewed: list[Patch] | None = None  # the patches that preview was for
    verification: VerifyResult | None = None
    case_path: Path | None = None
    case_text: str = ""
    case_stale: bool = False  # went back after escalating: the draft is not the latest
    fresh: tuple[Evidence, Diagnosis] | None = None  # what the last re-check read
    pending: PendingPatch | None = None  # an accepted patch Amazon has not applied yet
    last_quantity: LastQuantity | None = None  # the last MFN quantity > 0 seen (a suggestion)

    # ------------------------------------------------------------------ navigation

    @classmethod
    def start(cls, plan: WizardPlan, saved: CaseRecord | None, case_text: str = "") -> WizardState:
        """Resume the ``saved`` case (``case_text``: its saved case draft, if any) with what was
        typed and not sent yet, or begin at the Overview; steps not touched yet take their
        status from the plan. A listing resolved earlier that needs attention again starts a
        new round (history kept); an escalated one waits on Seller Support at Wrap up."""
        record = saved or CaseRecord(sku=plan.diagnosis.sku)
        reopened = record.outcome is Outcome.OPEN and record.resolved_state
        if reopened or (record.outcome is Outcome.RESOLVED and plan.diagnosis.needs_attention):
            _new_round(record, plan)
            case_text = ""
        for step_plan in plan.steps:
            step = record.steps[step_plan.step]
            if step.updated_at is None:
                step.status = step_plan.status
        if record.current_step not in plan.applicable:
            record.current_step = WizardStep.OVERVIEW
        state = cls(plan, record, draft=restored_draft(plan, record.draft), case_text=case_text)
        if record.case_draft_path and record.outcome is Outcome.ESCALATED:
            state.case_path = Path(record.case_draft_path)
        state._sync_checklist()
        return state

    def replan(self, plan: WizardPlan) -> None:
        """Work from fresh evidence (after a re-check): a new plan, an empty draft, no preview."""
        self.plan = plan
        self.draft = Draft()
        self.preview = self.previewed = self.verification = None
        self._sync_checklist()

    @property
    def step(self) -> WizardStep:
        return self.case_record.current_step

    def go(self, step: WizardStep) -> None:
        if step is not WizardStep.WRAP_UP and self.case_record.outcome is Outcome.ESCALATED:
            self.case_stale = True
        self.case_record.current_step = step
        self.case_record.touch()

    def set_status(self, step: WizardStep, status: StepStatus) -> None:
        entry = self.case_record.steps[step]
        entry.status = status
        entry.updated_at = datetime.now(UTC)
        self.case_record.touch()

    def status(self, step: WizardStep) -> StepStatus:
        """The step's status as the stepper shows it: a Stock or Listing-fields step that
        needs action is READY once its fix is typed and valid (until Verify judges it); Apply is READY after a VALID
        preview of exactly these patches (PASSED only once Amazon ACCEPTED a real submit).
        While Amazon processes what was sent, the listing read is the old one: a step whose
        fix was sent is done (PASSED) and the Overview's verdict waits (PENDING), rather
        than both reading "needs action" from data the change has not reached yet."""
        saved = self.case_record.steps[step].status
        if self.pending is not None and saved is StepStatus.NEEDS_ACTION:
            if step is WizardStep.OVERVIEW:
                return StepStatus.PENDING
            if draft_ready(self.plan, self.draft, step):
                return StepStatus.PASSED
        if (
            # PENDING: a step asking only for what another step names (the condition an
            # approval case offers to change in Listing fields)
            saved in (StepStatus.NEEDS_ACTION, StepStatus.PENDING)
            and self.verification is None  # Verify's verdict on what was sent stands
            and draft_ready(self.plan, self.draft, step)
        ):
            return StepStatus.READY
        if step is WizardStep.APPLY and saved is StepStatus.READY and not self.preview_valid:
            return StepStatus.NEEDS_ACTION  # the patches changed since (or a restart): validate
        return saved

    # ------------------------------------------------------------------ notes and checklist

    def _sync_checklist(self) -> None:
        """Make sure every policy checklist item has a saved entry (keeps ticks and notes)."""
        saved = self.case_record.steps[WizardStep.POLICY].checklist
        known = {item.item for item in saved}
        for case in self.plan.policy_cases:
            for item in case.items:
                label = checklist_label(case, item.text)
                if label not in known:
                    saved.append(ChecklistTick(label))

    def checklist_item(self, case: PolicyCase, text: str) -> ChecklistTick:
        label = checklist_label(case, text)
        return next(
            i for i in self.case_record.steps[WizardStep.POLICY].checklist if i.item == label
        )

    def note(self, step: WizardStep, text: str) -> None:
        self.case_record.steps[step].notes = text
        self.case_record.steps[step].updated_at = datetime.now(UTC)
        self.case_record.touch()

    def tick(
        self, case: PolicyCase, text: str, *, done: bool | None = None, note: str | None = None
    ) -> None:
        """Tick/untick a checklist item or note it; every item ticked passes the Policy step
        (on the seller's word), unticking one makes it need action again."""
        self.checklist_item(case, text).set(done=done, note=note)
        self.case_record.touch()
        if done is not None and self.plan.policy_cases:
            self.set_status(
                WizardStep.POLICY,
                StepStatus.PASSED if self.policy_done() else StepStatus.NEEDS_ACTION,
            )

    def policy_done(self) -> bool:
        items = [self.checklist_item(c, i.text) for c in self.plan.policy_cases for i in c.items]
        return bool(items) and all(i.done for i in items)

    def keep_draft(self) -> None:
        """Put what was typed into the case record (stamped only when it changed)."""
        saved = saved_draft(self.draft)
        current = self.case_record.draft
        if current is None and saved == DraftRecord():
            return
        if current is None or replace(current, updated_at=None) != saved:
            saved.updated_at = datetime.now(UTC)
            self.case_record.draft = saved

    # ------------------------------------------------------------------ apply

    @property
    def problems(self) -> tuple[str, ...]:
        """What keeps the typed values from becoming patches (each said where it was typed)."""
        return tuple(draft_problems(self.plan, self.draft).values())

    def patches(self) -> list[Patch]:
        """The patches for what was typed; none while ``problems`` names one."""
        if not self.draft.has_changes or self.problems:
            return []
        return draft_patches(self.plan, self.draft)

    @property
    def preview_valid(self) -> bool:
        return (
            self.preview is not None
            and self.preview.status == "VALID"
            and self.previewed == self.patches()
        )

    @property
    def already_submitted(self) -> bool:
        """Amazon ACCEPTED exactly these patches already (a second submit would resend them)."""
        patches = self.patches()
        return bool(patches) and any(
            r.mode is PatchMode.REAL and r.status == "ACCEPTED" and r.patches == patches
            for r in self.case_record.patches
        )

    def record(self, result: SubmissionResult, patches: list[Patch]) -> None:
        """Keep Amazon's answer to a VALIDATION_PREVIEW in the case record."""
        self.case_record.patches.append(
            PatchRecord(
                submitted_at=datetime.now(UTC),
                mode=PatchMode.VALIDATION_PREVIEW,
                patches=patches,
                status=result.status,
                submission_id=result.submission_id,
                issues=[issue_record(i) for i in result.issues],
            )
        )
        self.preview, self.previewed = result, patches
        self.set_status(
            WizardStep.APPLY, StepStatus.READY if result.ok else StepStatus.NEEDS_ACTION
        )

    def begin_submit(self, patches: list[Patch]) -> PatchRecord:
        """A real submit is about to be sent: its SUBMITTING record, kept before the call so
        a patch that lands is never forgotten."""
        record = PatchRecord(datetime.now(UTC), PatchMode.REAL, patches, SUBMITTING)
        self.case_record.patches.append(record)
        self.case_record.touch()
        return record

    def withdraw(self, record: PatchRecord) -> None:
        """The real submit of ``record`` was not sent (its record could not be saved first)."""
        self.case_record.patches = [r for r in self.case_record.patches if r is not record]
        self.case_record.touch()

    def settle(self, record: PatchRecord, result: SubmissionResult) -> None:
        """Amazon answered the real submit of ``record``."""
        if result.status not in ("ACCEPTED", "INVALID"):  # not a submit's answer (a proxy's,
            # a broken one): Amazon may have taken it, as when no answer came
            self.settle_failed(record, "Amazon's answer has no known status")
            return
        record.status, record.submission_id = result.status, result.submission_id
        record.issues = [issue_record(i) for i in result.issues]
        self.set_status(
            WizardStep.APPLY, StepStatus.PASSED if result.ok else StepStatus.NEEDS_ACTION
        )

    def settle_failed(self, record: PatchRecord, reason: str) -> None:
        """The real submit got no answer: whether it landed is unknown (Verify tells)."""
        record.status = NO_ANSWER
        record.issues = [{"code": NO_ANSWER, "message": reason, "severity": "ERROR"}]
        self.set_status(WizardStep.APPLY, StepStatus.NEEDS_ACTION)

    # ------------------------------------------------------------------ verify / wrap up

    def accepted(self) -> list[tuple[datetime, str | None, list[Patch]]]:
        """The real patches Amazon ACCEPTED: (submitted_at, submission id, patches)."""
        return [
            (r.submitted_at, r.submission_id, r.patches)
            for r in self.case_record.patches
            if r.mode is PatchMode.REAL and r.status == "ACCEPTED"
        ]

    def verified(self, after: Diagnosis, listing: Listing | None = None) -> VerifyResult:
        """The re-read diagnosis: each fixing step needs action while a finding maps to it;
        a listing back on sale is resolved there and then. While the re-read ``listing``
        does not show an accepted patch yet, Amazon is still processing it: no verdict."""
        result = self.verification = verify(self.plan.diagnosis, after)
        now = datetime.now(UTC)
        self.pending = processing(listing, self.accepted(), now) if listing is not None else None
        if self.pending is not None and after.needs_attention:
            self.set_status(WizardStep.VERIFY, StepStatus.PENDING)
            if self.case_record.outcome is Outcome.OPEN:  # so the next sync re-checks it too
                wait = next(o.wait for o in self.options(now) if o.wait)
                self.case_record.set_outcome(
                    Outcome.WAITING, waiting_for=wait.what, recheck_at=wait.recheck_at
                )
            return result
        if self.pending is not None or self.case_record.waiting_for.startswith(PROCESSING):
            self.case_record.set_outcome(Outcome.OPEN)  # processed: the verdict below stands
        self.pending = None
        unresolved = result.steps_needing_action
        for step in FIXING_STEPS:
            if step in self.plan.applicable or step in unresolved:
                self.set_status(
                    step, StepStatus.NEEDS_ACTION if step in unresolved else StepStatus.PASSED
                )
        outcome = StepStatus.PASSED if result.resolved else StepStatus.NEEDS_ACTION
        self.set_status(WizardStep.OVERVIEW, outcome)  # its check is the listing's state
        self.set_status(WizardStep.VERIFY, outcome)
        if result.resolved and not after.at_risk:
            self.case_record.set_outcome(Outcome.RESOLVED, resolved_state=after.state.value)
        return result

    @property
    def resolved(self) -> bool:
        if self.verification is not None:
            return self.verification.resolved
        return not self.plan.diagnosis.needs_attention

    @property
    def after(self) -> Diagnosis:
        """The listing's diagnosis as last seen: the last Verify's, else the plan's."""
        return self.verification.after if self.verification else self.plan.diagnosis

    def options(self, now: datetime) -> tuple[OutcomeOption, ...]:
        """What Wrap up offers for the evidence, the best fit first (domain.outcomes)."""
        done = {
            item.key
            for case in self.plan.policy_cases
            for item in case.items
            if self.checklist_item(case, item.text).done
        }
        return outcome_options(
            self.plan,
            after=self.verification.after if self.verification else None,
            pending=self.pending,
            done=done,
            patched=bool(self.accepted()) and self.verification is not None,
            now=now,
        )

    def settle_resolved(self, now: datetime) -> bool:
        """At Wrap up: a listing back on sale (nothing else offered) is resolved there and
        then; True when it was."""
        options = self.options(now)
        if [o.kind for o in options] != [OutcomeKind.RESOLVED]:
            return False
        self.choose(options[0], now)
        return True

    def choose(self, option: OutcomeOption, now: datetime, *, reason: str = "") -> None:
        """Record the outcome the seller picked (a deletion: :meth:`deleted`, after Amazon's
        answer; escalating: :meth:`escalated`, once its case draft is written)."""
        record = self.case_record
        if option.kind is OutcomeKind.RESOLVED:
            record.set_outcome(Outcome.RESOLVED, resolved_state=self.after.state.value)
        elif option.kind is OutcomeKind.WAITING and option.wait is not None:
            record.set_outcome(
                Outcome.WAITING, waiting_for=option.wait.what, recheck_at=option.wait.recheck_at
            )
        elif option.kind is OutcomeKind.AT_RISK:
            todo = option.detail.partition(": ")[2] or option.detail
            record.set_outcome(Outcome.AT_RISK, waiting_for=todo, recheck_at=option.deadline)
        elif option.kind is OutcomeKind.LEAVE_INACTIVE:
            if not reason.strip():
                raise ValueError("Say why the listing stays inactive.")
            record.set_outcome(Outcome.RETIRED, reason=f"Left inactive: {reason.strip()}")
        elif option.kind is OutcomeKind.ESCALATE:
            raise ValueError(f"{option.title}: recorded once its case draft is written")
        else:
            raise ValueError(f"{option.title}: recorded once Amazon answers")
        self.set_status(WizardStep.WRAP_UP, StepStatus.PASSED)

    def deleted(self, result: SubmissionResult, now: datetime) -> None:
        """Amazon answered the deleteListingsItem of this SKU: kept with the patches; retired
        when it was ACCEPTED."""
        self.case_record.patches.append(
            PatchRecord(
                submitted_at=now,
                mode=PatchMode.DELETE,
                patches=[],
                status=result.status,
                submission_id=result.submission_id,
                issues=[issue_record(i) for i in result.issues],
            )
        )
        if result.ok:
            ident = f", submission id {result.submission_id}" if result.submission_id else ""
            self.case_record.set_outcome(
                Outcome.RETIRED,
                reason=f"Deleted the offer (deleteListingsItem {result.status}{ident})",
            )
            self.set_status(WizardStep.WRAP_UP, StepStatus.PASSED)
        else:
            self.case_record.touch()

    def case_draft(self, now: datetime) -> str:
        """The plan-of-action case draft, as of ``now``, for the SKU's escalation."""
        return build_case_draft(
            self.plan,
            checklist=self._checklist_entries(),
            step_notes={s: p.notes for s, p in self.case_record.steps.items()},
            submissions=[_submission(p) for p in self.case_record.patches],
            after=self.verification.after if self.verification else None,
            now=now,
        )

    def escalated(self, text: str, path: Path) -> None:
        """The case draft ``text`` was written to ``path``: the SKU is escalated."""
        self.case_text, self.case_path, self.case_stale = text, path, False
        self.case_record.set_outcome(Outcome.ESCALATED)
        self.case_record.case_draft_path = str(path)
        self.set_status(WizardStep.WRAP_UP, StepStatus.PASSED)

    def _checklist_entries(self) -> dict[str, ChecklistEntry]:
        entries = {}
        for case in self.plan.policy_cases:
            for item in case.items:
                saved = self.checklist_item(case, item.text)
                entries[item.key] = ChecklistEntry(saved.done, saved.note)
        return entries


def _new_round(record: CaseRecord, plan: WizardPlan) -> None:
    """Start over at the Overview, every step's status from the plan; notes, checklist ticks,
    the patches sent and the earlier case draft stay as history."""
    now = datetime.now(UTC)
    why = record.check_note  # a sync's 'reopened …': why this round started
    record.set_outcome(Outcome.OPEN)
    record.check_note = why
    record.current_step = WizardStep.OVERVIEW
    record.draft = DraftRecord(updated_at=now)
    for step_plan in plan.steps:
        step = record.steps[step_plan.step]
        step.status, step.updated_at = step_plan.status, now
    record.touch()


def saved_draft(draft: Draft) -> DraftRecord:
    """The draft as the case file keeps it: values as text."""
    return DraftRecord(
        stock_action=draft.stock_action.value if draft.stock_action else None,
        mfn_quantity=draft.mfn_quantity,
        handling_time=draft.handling_time,
        attributes={name: _as_text(value) for name, value in draft.attributes.items()},
        price=_decimal_text(draft.price),
        minimum=_decimal_text(draft.minimum),
        maximum=_decimal_text(draft.maximum),
    )


def restored_draft(plan: WizardPlan, saved: DraftRecord | None) -> Draft:
    """The saved draft, validated again against this plan (what no longer fits is dropped)."""
    if saved is None:
        return Draft()
    fields = {f.name: f for f in plan.fields}
    attributes = {}
    for name, text in saved.attributes.items():
        ok, _, value = fields[name].validate(text) if name in fields else (False, "", None)
        if ok and value is not None:
            attributes[name] = value
    prices = plan.price_needs_action  # the price inputs are shown: their values count
    return Draft(
        stock_action=next((a for a in plan.stock.actions if a.value == saved.stock_action), None),
        mfn_quantity=saved.mfn_quantity,
        handling_time=saved.handling_time,
        attributes=attributes,
        price=_decimal(saved.price) if prices else None,
        minimum=_decimal(saved.minimum) if prices else None,
        maximum=_decimal(saved.maximum) if prices else None,
    )


def _as_text(value: Any) -> str:
    if isinstance(value, list):  # several values (bullet points): one a line
        return "\n".join(_as_text(v) for v in value)
    return str(value).lower() if isinstance(value, bool) else str(value)


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(text: str | None) -> Decimal | None:
    try:
        return None if text is None else Decimal(text)
    except InvalidOperation:
        return None


def _submission(record: PatchRecord) -> Submission:  # a deletion too (no patches)
    return Submission(
        submitted_at=record.submitted_at,
        mode=record.mode.value,
        patches=record.patches,
        status=record.status,
        submission_id=record.submission_id,
        issues=tuple(f"{i.get('code')}: {i.get('message')}" for i in record.issues),
    )
