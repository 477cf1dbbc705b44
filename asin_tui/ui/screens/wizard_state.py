"""The wizard's working state for one SKU, and its mapping to the saved progress.

No widgets here: the screen and the step widgets read and change a :class:`WizardState`; every
change lands in ``state.progress`` (a ``SkuProgress``) which the screen saves after each step
change and action.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asin_tui.domain.casedraft import ChecklistEntry, Submission, build_case_draft, case_filename
from asin_tui.domain.models import Diagnosis, Issue, WizardStep
from asin_tui.domain.patches import Patch
from asin_tui.domain.wizard import (
    Draft,
    PolicyCase,
    Status,
    VerifyResult,
    WizardPlan,
    draft_patches,
    verify,
)
from asin_tui.store import paths
from asin_tui.store.atomic import atomic_write_text, ensure_private_dir
from asin_tui.store.progress import (
    ChecklistItem,
    Outcome,
    PatchMode,
    PatchRecord,
    SkuProgress,
    StepStatus,
)


def checklist_label(case: PolicyCase, text: str) -> str:
    """How a checklist item is stored: unique across cases, readable in the TOML file."""
    return f"[{case.key}] {text}"


@dataclass
class WizardState:
    plan: WizardPlan
    progress: SkuProgress
    draft: Draft = field(default_factory=Draft)
    preview: Any = None  # SubmissionResult of the last VALIDATION_PREVIEW
    previewed: list[Patch] | None = None  # the patches that preview was for
    verification: VerifyResult | None = None
    case_path: Path | None = None
    case_text: str = ""

    # ------------------------------------------------------------------ navigation

    @classmethod
    def start(cls, plan: WizardPlan, saved: SkuProgress | None, case_text: str = "") -> WizardState:
        """Resume ``saved`` progress (``case_text``: its saved case draft, if any), or begin at
        the Overview; steps not touched yet take their status from the plan."""
        progress = saved or SkuProgress(sku=plan.diagnosis.sku)
        for step_plan in plan.steps:
            step = progress.steps[step_plan.step]
            if step.updated_at is None:
                step.status = StepStatus(step_plan.status.value)
        if progress.current_step not in plan.applicable:
            progress.current_step = WizardStep.OVERVIEW
        state = cls(plan, progress, case_text=case_text)
        if progress.case_draft_path:
            state.case_path = Path(progress.case_draft_path)
        state._sync_checklist()
        return state

    @property
    def step(self) -> WizardStep:
        return self.progress.current_step

    def go(self, step: WizardStep) -> None:
        self.progress.current_step = step
        self.progress.touch()

    def set_status(self, step: WizardStep, status: Status) -> None:
        entry = self.progress.steps[step]
        entry.status = StepStatus(status.value)
        entry.updated_at = datetime.now(UTC)
        self.progress.touch()

    def status(self, step: WizardStep) -> Status:
        return Status(self.progress.steps[step].status.value)

    # ------------------------------------------------------------------ notes and checklist

    def _sync_checklist(self) -> None:
        """Make sure every policy checklist item has a saved entry (keeps ticks and notes)."""
        saved = self.progress.steps[WizardStep.POLICY].checklist
        known = {item.item for item in saved}
        for case in self.plan.policy_cases:
            for item in case.items:
                label = checklist_label(case, item.text)
                if label not in known:
                    saved.append(ChecklistItem(label))

    def checklist_item(self, case: PolicyCase, text: str) -> ChecklistItem:
        label = checklist_label(case, text)
        return next(i for i in self.progress.steps[WizardStep.POLICY].checklist if i.item == label)

    def note(self, step: WizardStep, text: str) -> None:
        self.progress.steps[step].notes = text
        self.progress.steps[step].updated_at = datetime.now(UTC)
        self.progress.touch()

    def policy_done(self) -> bool:
        items = [self.checklist_item(c, i.text) for c in self.plan.policy_cases for i in c.items]
        return bool(items) and all(i.done for i in items)

    # ------------------------------------------------------------------ apply

    def patches(self) -> list[Patch]:
        return draft_patches(self.plan, self.draft) if self.draft.has_changes else []

    @property
    def preview_valid(self) -> bool:
        return (
            self.preview is not None
            and self.preview.status == "VALID"
            and self.previewed == self.patches()
        )

    def record(self, result: Any, patches: list[Patch], *, preview: bool) -> None:
        """Keep Amazon's answer to a patch (preview or real) in the progress."""
        self.progress.patches.append(
            PatchRecord(
                submitted_at=datetime.now(UTC),
                mode=PatchMode.VALIDATION_PREVIEW if preview else PatchMode.REAL,
                patches=patches,
                status=result.status,
                submission_id=result.submission_id,
                issues=[_issue_dict(i) for i in result.issues],
            )
        )
        if preview:
            self.preview, self.previewed = result, patches
        self.set_status(WizardStep.APPLY, Status.PASSED if result.ok else Status.NEEDS_ACTION)

    # ------------------------------------------------------------------ verify / wrap up

    def verified(self, after: Diagnosis) -> VerifyResult:
        result = self.verification = verify(self.plan.diagnosis, after)
        failing = result.failing_step
        for step in (WizardStep.STOCK, WizardStep.POLICY, WizardStep.FIELDS):
            if step in self.plan.applicable:
                self.set_status(step, Status.NEEDS_ACTION if step is failing else Status.PASSED)
        outcome = Status.PASSED if result.resolved else Status.NEEDS_ACTION
        self.set_status(WizardStep.OVERVIEW, outcome)  # its check is the listing's state
        self.set_status(WizardStep.VERIFY, outcome)
        return result

    @property
    def resolved(self) -> bool:
        if self.verification is not None:
            return self.verification.resolved
        return not self.plan.diagnosis.needs_attention

    def finish(self, now: datetime) -> None:
        """Wrap up: resolved, or escalated with the case draft written (0600) and kept."""
        if self.resolved:
            self.progress.outcome = Outcome.RESOLVED
        else:
            self.case_text = build_case_draft(
                self.plan,
                checklist=self._checklist_entries(),
                step_notes={s: p.notes for s, p in self.progress.steps.items()},
                submissions=[_submission(p) for p in self.progress.patches],
                after=self.verification.after if self.verification else None,
                now=now,
            )
            folder = ensure_private_dir(paths.config_dir() / "cases")
            self.case_path = folder / case_filename(self.plan.diagnosis.sku, now)
            atomic_write_text(self.case_path, self.case_text)
            self.progress.outcome = Outcome.ESCALATED
            self.progress.case_draft_path = str(self.case_path)
        self.set_status(WizardStep.WRAP_UP, Status.PASSED)

    def _checklist_entries(self) -> dict[str, ChecklistEntry]:
        entries = {}
        for case in self.plan.policy_cases:
            for item in case.items:
                saved = self.checklist_item(case, item.text)
                entries[item.key] = ChecklistEntry(saved.done, saved.note)
        return entries


def _issue_dict(issue: Issue) -> dict[str, Any]:
    return {
        "code": issue.code,
        "message": issue.message,
        "severity": issue.severity,
        "attributeNames": list(issue.attribute_names),
    }


def _submission(record: PatchRecord) -> Submission:
    return Submission(
        submitted_at=record.submitted_at,
        mode=record.mode.value,
        patches=record.patches,
        status=record.status,
        submission_id=record.submission_id,
        issues=tuple(f"{i.get('code')}: {i.get('message')}" for i in record.issues),
    )
