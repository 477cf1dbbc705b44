"""Messages that carry worker results back to the screens (workers never touch widgets)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from textual.message import Message

from asin_tui.domain.account import AccountCause
from asin_tui.domain.models import (
    AccountHealth,
    Diagnosis,
    Finding,
    ListingRecord,
    State,
)
from asin_tui.domain.redact import redact
from asin_tui.ui.service import CaseLabels

if TYPE_CHECKING:
    from asin_tui.domain.cover import StockCover
    from asin_tui.domain.evidence import Evidence  # not loaded by the start
    from asin_tui.domain.looks import SinceLastLook, TimelineEntry
    from asin_tui.service import CoverRefresh, HealthRefresh, SyncInfo, SyncProgress, SyncSummary
    from asin_tui.ui.listing_view import RowIndex


@dataclass
class CacheLoaded(Message):
    """The cached rows, the wizard's case labels, the last sync and the account's health, read
    off the UI thread."""

    records: list[ListingRecord]
    case_labels: CaseLabels
    last_sync: SyncInfo | None
    show_all: bool
    account: AccountHealth | None = None
    health_pending: bool = False  # Amazon is still preparing an Account Health report
    #: False: only the first screenful (painted at once); every row follows in another message
    complete: bool = True
    index: RowIndex | None = None  # of the records, built off the UI thread
    orders: dict[str, list[int]] = field(default_factory=dict)  # sort orders, built so too
    cache_warning: str | None = None  # the cache was unreadable and set aside
    #: The scope's true count per state, with the first screenful (its rows count only
    #: themselves); None once every row is in.
    state_counts: Mapping[State, int] | None = None
    #: Causes many listings show together (holiday mode), found off the UI thread
    account_causes: tuple[AccountCause, ...] = ()
    last_full_sync: datetime | None = None  # when every listing was last fetched
    #: set once these rows are on screen (the worker reads every row only then)
    painted: threading.Event | None = None
    #: every row of the scope (needs attention, or every listing), not a narrower view's: the
    #: list keeps it to show again when `a` comes back to this scope
    whole_scope: bool = False


@dataclass
class LookReady(Message):
    """What changed since the previous session (None: the first one, or nothing to say)
    and the listings at risk now, read off the UI thread."""

    since: SinceLastLook | None
    at_risk: tuple[str, ...]


@dataclass
class SyncProgressed(Message):
    progress: SyncProgress


@dataclass
class SyncFinished(Message):
    summary: SyncSummary


@dataclass
class SyncFailed(Message):
    """The sync raised (service.NothingFetched, an SpApiError…): why, in one line.
    ``retry_helps``: False when r cannot help (a credential missing: set, then restart)."""

    reason: str
    retry_helps: bool = True

    @classmethod
    def of(cls, exc: BaseException) -> SyncFailed:
        from asin_tui.service import CredentialsMissing  # only when a sync failed

        return cls(describe_error(exc), retry_helps=not isinstance(exc, CredentialsMissing))


@dataclass
class HealthLooked(Message):
    """One look at the pending Account Health report."""

    result: HealthRefresh


@dataclass
class DetailLoaded(Message):
    evidence: Evidence
    diagnosis: Diagnosis
    account: AccountHealth | None = None


@dataclass
class TimelineLoaded(Message):
    """A listing's timeline, newest first (state changes, events, fixes sent, outcome)."""

    timeline: tuple[TimelineEntry, ...]


@dataclass
class CoverRefreshed(Message):
    """The stock cover reports were looked at (refresh_stock_cover); ``result`` None: the
    look failed, ``failure`` says why (one line)."""

    result: CoverRefresh | None
    failure: str | None = None


@dataclass
class CoverLoaded(Message):
    """A listing's stock cover (None: not checked) and when the reports were read."""

    cover: StockCover | None
    at: datetime | None = None


@dataclass
class OpenWizard(Message):
    """A screen asks for the reactivation wizard on ``sku`` (the app opens it); ``risk``: the
    At risk line of a live listing whose stock runs out (domain.looks.stock_risk), so the
    wizard offers its Stock step although Amazon finds nothing wrong yet."""

    sku: str
    risk: Finding | None = None


@dataclass
class ListingChanged(Message):
    """The wizard may have changed ``sku``: a screen showing it reads it again."""

    bubble = False  # posted to each screen; the app has nothing to do with it
    sku: str


@dataclass
class ExportWritten(Message):
    path: str
    rows: int


def describe_error(exc: BaseException | None) -> str:
    """One line for a person: the error's own message, or its kind when it has none (a
    failed worker's ``error``, None only if Textual never set it: "unknown error")."""
    if exc is None:
        return "unknown error"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return redact(text) or type(exc).__name__  # an LWA token, whatever raised it
