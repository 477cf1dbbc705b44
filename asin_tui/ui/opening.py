"""The account named on the command line, opened before the app starts.

``asin-tui`` knows which account it opens as soon as its command line and config are read,
before Textual and the screens are loaded. :class:`Opening` opens the account's service
and reads its first screenful of cached rows (with their counts, wizard progress, last
sync and account health) right then — a few milliseconds of local reads, no network — so
the list paints them with its very first frame instead of asking a worker for them once it
is mounted (a second frame, and a thread whose every SQLite step waits for the GIL while
the UI thread builds the screen). Nothing here imports Textual.

What opening fails with (a cache it cannot open) is raised where the app asks for the
service, exactly as the factory would have raised it there; a first screenful that cannot
be read is read again by the list's worker, which says why.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from asin_tui.domain.models import AccountHealth, ListingRecord, State
from asin_tui.ui.service import CaseLabelLoader, CaseLabels, ListingService, ServiceFactory
from asin_tui.ui.timing import UI_TIMING

if TYPE_CHECKING:
    from asin_tui.service import SyncInfo


@dataclass(frozen=True, slots=True)
class Screenful:
    """The first rows of a scope with what the list shows beside them."""

    records: list[ListingRecord]
    case_labels: CaseLabels
    last_sync: SyncInfo | None
    show_all: bool
    account: AccountHealth | None
    health_pending: bool
    cache_warning: str | None
    last_full_sync: datetime | None
    #: these are all the scope's rows (else only the first ``limit``)
    complete: bool = True
    limit: int = UI_TIMING.first_rows
    #: the scope's true counts per state when these are not all its rows (else None)
    state_counts: Mapping[State, int] | None = None


def read_screenful(
    service: ListingService, case_labels: CaseLabelLoader, *, show_all: bool, limit: int
) -> Screenful:
    """The first ``limit`` rows of the scope (local reads: call it off the UI thread)."""
    records = service.cached_records(all_listings=show_all, limit=limit)
    complete = len(records) < limit
    counts = None if complete else service.cached_state_counts(all_listings=show_all)
    return screenful_of(service, case_labels, records, show_all, complete, limit, counts)


def screenful_of(
    service: ListingService,
    case_labels: CaseLabelLoader,
    records: list[ListingRecord],
    show_all: bool,
    complete: bool = True,
    limit: int = UI_TIMING.first_rows,
    state_counts: Mapping[State, int] | None = None,
) -> Screenful:
    """``records`` with the progress, last sync and account health (off the UI thread)."""
    return Screenful(
        records,
        case_labels(service),
        service.last_sync(),
        show_all,
        service.account_health(),
        service.account_health_pending() is not None,
        service.cache_warning,  # known once the cache was read
        service.last_full_sync(),
        complete,
        limit,
        state_counts,
    )


class Opening:
    """Opens ``factory``'s account and reads its first screenful (needs attention) at once,
    before Textual loads. :meth:`service` is the app's factory for it."""

    def __init__(
        self,
        factory: ServiceFactory,
        case_labels: CaseLabelLoader,
        first_rows: int = UI_TIMING.first_rows,  # the list's (ui/timing.py)
    ) -> None:
        self._factory = factory
        self._taken = False
        self._error: Exception | None = None
        self._service: ListingService | None = None
        self._first: Screenful | None = None
        try:
            self._service = factory()
        except Exception as exc:  # told where the app asks for the service
            self._error = exc
            return
        with contextlib.suppress(Exception):  # the list reads again, and says why it cannot
            self._first = read_screenful(
                self._service, case_labels, show_all=False, limit=first_rows
            )

    def service(self) -> ListingService:
        """The opened service the first time (or what opening it raised), a newly opened
        one after that (the account opened again)."""
        if self._taken:
            return self._factory()
        self._taken = True
        if self._error is not None:
            raise self._error
        assert self._service is not None
        return self._service

    def first_screenful(self, service: ListingService) -> Screenful | None:
        """The first screenful of ``service`` if it is the one opened here (taken once)."""
        if service is not self._service:
            return None
        first, self._first = self._first, None
        return first
