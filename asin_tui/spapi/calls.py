"""What the SP-API client takes and hands back besides raw JSON: plain values.

They live apart from :mod:`asin_tui.spapi.client` so that the sync and the service can name
them without importing python-amazon-sp-api and httpx (~0.2 s): the client module is imported
only when a client is first opened, not at the app's start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

CATALOG_SEARCH_MAX = 20  # identifiers (and results) per searchCatalogItems call

#: processingStatus values of a report Amazon is still preparing.
PENDING_STATUSES = ("IN_QUEUE", "IN_PROGRESS")


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """A report asked for with createReport: its id, and when (reports do not keep forever)."""

    report_id: str
    requested_at: datetime


@dataclass(frozen=True, slots=True)
class ReportCheck:
    """One look at a requested report: Amazon's ``status`` (IN_QUEUE, IN_PROGRESS, DONE,
    CANCELLED) and, when DONE, its ``document`` (None when CANCELLED: no data)."""

    report_id: str
    status: str
    document: Any = None

    @property
    def pending(self) -> bool:
        """Amazon is still preparing it: look again later."""
        return self.status in PENDING_STATUSES


@dataclass(frozen=True, slots=True)
class WaitNotice:
    """The client is about to wait: ``reason`` is "throttled" (429), "retry" (a transient
    failure; ``detail`` says which) or "report" (Amazon is still preparing a report;
    ``detail`` names it and its status, e.g. "listings report (queued)")."""

    operation: str
    seconds: float
    reason: str
    detail: str = ""


WaitListener = Callable[[WaitNotice], None]
