"""Reads the saved wizard progress for the list's "Wizard" column (a local TOML file)."""

from __future__ import annotations

from asin_tui.store.progress import Outcome, ProgressError, ProgressStore, SkuProgress
from asin_tui.ui.service import ListingService, WizardProgress

#: The Wizard column's word for each settled outcome (10 cells at most).
OUTCOME_LABELS = {
    Outcome.WAITING: "Waiting",
    Outcome.AT_RISK: "At risk",
    Outcome.ESCALATED: "Escalated",
    Outcome.RETIRED: "Retired",
    Outcome.RESOLVED: "Resolved",
}


def step_label(progress: SkuProgress) -> str:
    """The Wizard column: the step an open case was left at ('Reopened' when a resolved
    listing needs attention again), else its outcome ('Overdue' for a wait past its date)."""
    if progress.outcome is Outcome.OPEN:
        return "Reopened" if progress.resolved_state else progress.current_step.short_label
    if progress.overdue():
        return "Overdue"
    return OUTCOME_LABELS[progress.outcome]


def saved_progress(service: ListingService) -> WizardProgress:
    """Every SKU's wizard step; a broken file is reported (and set aside by the store)."""
    try:
        store = ProgressStore(service.profile_name, service.marketplace_id)
        items = store.load()
    except (ProgressError, ValueError) as exc:
        return WizardProgress(warnings=(f"Wizard progress not shown: {exc}",))
    return WizardProgress(
        labels={sku: step_label(item) for sku, item in items.items()},
        warnings=tuple(str(w) for w in store.take_warnings()),
    )
