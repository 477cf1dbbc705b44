"""Reads the wizard's saved cases for the list's "Wizard" column (a local SQLite file)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from asin_tui.store import paths
from asin_tui.ui.service import CaseLabels, ListingService

if TYPE_CHECKING:  # the case store loads when there are cases to read
    from asin_tui.store.cases import CaseRecord

#: The Wizard column's word for each settled outcome (10 cells at most), by Outcome value.
OUTCOME_LABELS = {
    "waiting": "Waiting",
    "at_risk": "At risk",
    "escalated": "Escalated",
    "retired": "Retired",
    "resolved": "Resolved",
}


def step_label(case: CaseRecord) -> str:
    """The Wizard column: the step an open case was left at ('Reopened' when a resolved
    listing needs attention again), else its outcome ('Overdue' for a wait past its date)."""
    from asin_tui.store.cases import Outcome

    if case.outcome is Outcome.OPEN:
        return "Reopened" if case.resolved_state else case.current_step.short_label
    if case.overdue():
        return "Overdue"
    return OUTCOME_LABELS[case.outcome.value]


def saved_case_labels(service: ListingService) -> CaseLabels:
    """Every SKU's wizard step; a broken file is reported (and set aside by the store).
    No case file yet (most starts): none, without loading the case store (~4 ms)."""
    if not paths.has_cases(service.profile_name, service.marketplace_id):
        return CaseLabels()
    from asin_tui.store.cases import CaseStore, CaseStoreError

    try:
        store = CaseStore(service.profile_name, service.marketplace_id)
        items = store.load_headers()  # the step and outcome of each: no steps, no patches
    except (CaseStoreError, ValueError) as exc:
        return CaseLabels(warnings=(f"Wizard progress not shown: {exc}",))
    return CaseLabels(
        labels={sku: step_label(item) for sku, item in items.items()},
        warnings=tuple(str(w) for w in store.take_warnings()),
    )
