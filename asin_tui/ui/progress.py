"""Reads the saved wizard progress for the list's "Wizard" column (a local TOML file)."""

from __future__ import annotations

from asin_tui.store.progress import Outcome, ProgressError, ProgressStore, SkuProgress
from asin_tui.ui.service import ListingService, WizardProgress


def step_label(progress: SkuProgress) -> str:
    if progress.outcome is Outcome.OPEN:
        return progress.current_step.short_label
    return progress.outcome.value.capitalize()


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
