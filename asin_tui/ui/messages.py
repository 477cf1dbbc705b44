"""Messages that carry worker results back to the screens (workers never touch widgets)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from textual.message import Message

from asin_tui.domain.models import AccountHealth, Diagnosis, Evidence, ListingRecord, State
from asin_tui.domain.redact import redact
from asin_tui.ui.service import WizardProgress


@dataclass
class CacheLoaded(Message):
    """The cached rows, the wizard progress, the last sync and the account's health, read
    off the UI thread."""

    records: list[ListingRecord]
    progress: WizardProgress
    last_sync: Any  # SyncInfo | None
    show_all: bool
    account: AccountHealth | None = None
    health_pending: bool = False  # Amazon is still preparing an Account Health report
    #: False: only the first screenful (painted at once); every row follows in another message
    complete: bool = True
    index: Any = None  # listing_view.RowIndex of the records, built off the UI thread
    orders: dict[str, list[int]] = field(default_factory=dict)  # sort orders, built so too
    cache_warning: str | None = None  # the cache was unreadable and set aside
    #: The scope's true count per state, with the first screenful (its rows count only
    #: themselves); None once every row is in.
    state_counts: Mapping[State, int] | None = None
    #: Causes many listings show together (holiday mode), found off the UI thread
    account_causes: tuple[Any, ...] = ()
    last_full_sync: Any = None  # datetime | None: when every listing was last fetched


@dataclass
class SyncProgressed(Message):
    progress: Any  # SyncProgress(phase, done, total, message, waiting)


@dataclass
class SyncFinished(Message):
    summary: Any  # SyncSummary


@dataclass
class SyncFailed(Message):
    reason: str


@dataclass
class HealthLooked(Message):
    """One look at the pending Account Health report."""

    result: Any  # HealthRefresh(pending, updated, problem)


@dataclass
class DetailLoaded(Message):
    evidence: Evidence
    diagnosis: Diagnosis
    account: AccountHealth | None = None


@dataclass
class ExportWritten(Message):
    path: str
    rows: int


def describe_error(exc: BaseException) -> str:
    """One line for a person: the error's own message, or its kind when it has none."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return redact(text) or type(exc).__name__  # an LWA token, whatever raised it
