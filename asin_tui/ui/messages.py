"""Messages that carry worker results back to the screens (workers never touch widgets)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from asin_tui.domain.models import Diagnosis, Evidence, ListingRecord
from asin_tui.ui.service import WizardProgress


@dataclass
class CacheLoaded(Message):
    """The cached rows, the wizard progress and the last sync, read off the UI thread."""

    records: list[ListingRecord]
    progress: WizardProgress
    last_sync: Any  # SyncInfo | None
    show_all: bool


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
class DetailLoaded(Message):
    evidence: Evidence
    diagnosis: Diagnosis


@dataclass
class ExportWritten(Message):
    path: str
    rows: int


def describe_error(exc: BaseException) -> str:
    """One line for a person: the error's own message, or its kind when it has none."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return text or type(exc).__name__
