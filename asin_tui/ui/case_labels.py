"""Reads the wizard's saved cases for the list's "Wizard" column (a local TOML file)."""

from __future__ import annotations

from asin_tui.store.cases import CaseRecord, CaseStore, CaseStoreError, Outcome
from asin_tui.ui.service import CaseLabels, ListingService

#: The Wizard column's word for each settled outcome (10 cells at most).
OUTCOME_LABELS = {
    Outcome.WAITING: "Waiting",
    Outcome.AT_RISK: "At risk",
    Outcome.ESCALATED: "Escalated",
    Outcome.RETIRED: "Retired",
    Outcome.RESOLVED: "Resolved",
}


def step_label(case: CaseRecord) -> str:
    """The Wizard column: the step an open case was left at ('Reopened' when a resolved
    listing needs attention again), else its outcome ('Overdue' for a wait past its date)."""
    if case.outcome is Outcome.OPEN:
        return "Reopened" if case.resolved_state else case.current_step.short_label
    if case.overdue():
        return "Overdue"
    return OUTCOME_LABELS[case.outcome]


def saved_case_labels(service: ListingService) -> CaseLabels:
    """Every SKU's wizard step; a broken file is reported (and set aside by the store)."""
    try:
        store = CaseStore(service.profile_name, service.marketplace_id)
        items = store.load()
    except (CaseStoreError, ValueError) as exc:
        return CaseLabels(warnings=(f"Wizard progress not shown: {exc}",))
    return CaseLabels(
        labels={sku: step_label(item) for sku, item in items.items()},
        warnings=tuple(str(w) for w in store.take_warnings()),
    )
