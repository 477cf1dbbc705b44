"""The ASIN list: every listing that needs attention (or all), filtered, sorted, synced."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import queue
import re
import sys
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Header, Input
from textual.worker import Worker, WorkerState, get_current_worker

from asin_tui.domain.account import account_causes
from asin_tui.domain.models import ListingRecord, State
from asin_tui.store.keymap import state_binding_id
from asin_tui.ui.listing_view import (
    COLUMNS,
    CaseLabelMap,
    ListingView,
    column,
    index_rows,
    share_records,
    sort_order,
)
from asin_tui.ui.messages import (
    CacheLoaded,
    CoverRefreshed,
    ExportWritten,
    HealthLooked,
    ListingChanged,
    LookReady,
    OpenWizard,
    SyncFailed,
    SyncFinished,
    SyncProgressed,
    describe_error,
)
from asin_tui.ui.opening import Screenful, read_screenful, screenful_of
from asin_tui.ui.presentation import STATE_LOOKS, cover_age_text, datetime_text
from asin_tui.ui.safe_text import plain
from asin_tui.ui.screens.base import WorkerScreen
from asin_tui.ui.service import CaseLabelLoader, ListingService
from asin_tui.ui.timing import UI_TIMING, UiTiming
from asin_tui.ui.widgets.account_banner import AccountBanner
from asin_tui.ui.widgets.filter_input import FilterInput
from asin_tui.ui.widgets.keys_footer import KeysFooter
from asin_tui.ui.widgets.listing_table import ListingTable
from asin_tui.ui.widgets.scope_notice import ScopeNotice
from asin_tui.ui.widgets.since_banner import SinceBanner
from asin_tui.ui.widgets.state_counts import STATE_KEYS, StateCounts
from asin_tui.ui.widgets.sync_status import SyncStatus

if TYPE_CHECKING:
    from textual.notifications import Notification

    from asin_tui.domain.causes import CauseCount, CauseKey
    from asin_tui.domain.looks import SinceLastLook
    from asin_tui.service import SyncInfo, SyncProgress
    from asin_tui.ui.export import ExportRequest
    from asin_tui.ui.screens.causes import CauseChosen

#: After a sync that failed for a missing credential, instead of "Press r to retry" (the
#: credentials are read at the start: r cannot help until they are set and the app restarted)
SET_CREDENTIALS = (
    "Set them (asin-tui config check says what is missing), then start asin-tui again."
)


class ListScreen(WorkerScreen):
    """Paints from the cache at once, then syncs in the background (unless told not to).

    A sync does not wait for the Account Health report; when Amazon is still preparing it,
    the screen looks again every ``timing.health_look_seconds`` (at most ``health_looks``
    times) and, once it is in, reloads the rows (diagnosed again with it) and the account
    banner. It reads ``timing.first_rows`` rows first, to paint at once (ui/timing.py)."""

    #: Rows of the cache read at a time for every row of a scope (~10 ms each at 100,000):
    #: a load a key replaced stops within one batch.
    READ_BATCH = 1000

    BINDINGS = [
        Binding(
            "slash",
            "filter",
            "Filter",
            tooltip="Narrow the list by SKU, ASIN, title or cause",
            id="list.filter",
            # Acted on as the key arrives, before the keys queued behind it are routed:
            # "/lego" pasted in one burst must land in the box, not reach `e` (Export).
            priority=True,
        ),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="list.clear_filter"),
        Binding(
            "a",
            "toggle_scope",
            "All",
            tooltip="Needs attention ↔ every listing",
            id="list.toggle_scope",
        ),
        Binding(
            "R",
            "toggle_at_risk",
            "At risk",
            # the counts bar offers it ("R At risk 6") whenever a listing is at risk; in the
            # footer it pushed "? Help" off an 80-column terminal
            show=False,
            tooltip="Listings live now that will not stay so (a date, stock running out)",
            id="list.at_risk",
        ),
        Binding(
            "n",
            "toggle_since",
            "Since last look",
            show=False,  # offered by the banner when something changed
            tooltip="The listings that changed since you last looked",
            id="list.since_last_look",
        ),
        *(
            Binding(
                key,
                f"show_state({key})",
                # the counts bar's words ("Only No search"), not the enum's
                "All states" if state is None else f"Only {STATE_LOOKS[state].label}",
                show=False,
                tooltip="" if state is None else STATE_LOOKS[state].meaning,
                id=state_binding_id(state),
            )
            for key, state in STATE_KEYS.items()
        ),
        Binding("s", "cycle_sort", "Sort", tooltip="Sort by the next column", id="list.sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False, id="list.reverse_sort"),
        Binding(
            "w",
            "wizard",
            "Wizard",
            tooltip="Reactivation wizard for this listing",
            id="list.wizard",
        ),
        Binding(
            "e",
            "export",
            "Export",
            tooltip="Write the rows shown to a CSV or JSON file",
            id="list.export",
        ),
        Binding("r", "sync", "Sync", tooltip="Fetch fresh data from Amazon", id="list.sync"),
        Binding(
            "space",
            "mark",
            "Mark",
            show=False,  # the counts line says how many are marked, and `b`
            tooltip="Mark or unmark this listing (then b fixes the marked ones together)",
            id="list.mark",
        ),
        Binding(
            "asterisk,ctrl+a",
            "mark_shown",
            "Mark all",
            key_display="*",
            show=False,
            tooltip="Mark every listing shown (after a filter: the ones it matches)",
            id="list.mark_shown",
        ),
        Binding(
            "u",
            "clear_marks",
            "Unmark all",
            show=False,
            tooltip="Clear every mark",
            id="list.clear_marks",
        ),
        Binding(
            "v",
            "causes",
            "Causes",
            show=False,  # the footer is full at 80 columns: ? and the palette list it
            tooltip="The causes across these listings, with how many each blocks",
            id="list.causes",
        ),
        Binding(
            "b",
            "bulk",
            "Bulk fix",
            show=False,  # said beside the count of marked listings
            tooltip="Fix the marked listings together (they share a cause a patch fixes)",
            id="list.bulk",
        ),
        Binding(
            "F",
            "full_sync",
            "Full sync",
            show=False,  # offered by the notice above "All listings" while it is partial
            tooltip="Fetch every listing on the account (report --all's sync), not only "
            "those that need attention",
            id="list.full_sync",
        ),
    ]

    def __init__(
        self,
        service: ListingService,
        case_labels_loader: CaseLabelLoader,
        *,
        sync_on_start: bool,
        timing: UiTiming = UI_TIMING,
        first_screenful: Screenful | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        self.timing = timing
        #: the first rows, read when the account was opened (ui.opening)
        self._first_screenful = first_screenful
        self.case_labels_loader = case_labels_loader
        self.sync_on_start = sync_on_start
        self.view = ListingView(clock=timing.clock)
        self._cause: CauseKey | None = None  # the one cause shown (the cause view's Enter)
        self.show_all = False
        self.syncing = False
        self.sync_error: str | None = None  # the last sync's failure, until the next sync
        self.sync_retry_helps = True  # False: r cannot mend it (a credential missing)
        self._sort_notice: Notification | None = None  # the last "Sorted by …", replaced
        self.last_sync: SyncInfo | None = None  # of the cache
        self._health_timer: Timer | None = None
        self._health_looks = 0
        self._health_look: Worker | None = None
        self._after_sync = False  # the next cache load follows a sync
        self._cache_warned: str | None = None  # the cache warning already told
        self._gaps_told: object = None  # finished_at of the sync whose gaps were told
        self._notices_told: set[str] = set()  # the service's notices already shown
        self.rows_complete = False  # every row of the scope is in (not only the first ones)
        #: the scope's true counts per state while only the first rows are in
        self._scope_counts: Mapping[State, int] | None = None
        self._pending_sort: tuple[str, bool] | None = None  # being sorted in a worker
        #: when every listing was last fetched (None: "all listings" is only a part)
        self.full_sync_at: datetime | None = None
        self.account_total: int | None = None  # listings on the account, once counted
        self.syncing_all = False  # the sync running fetches every listing
        #: the first rows from the cache are on screen (or the cache could not be read): the
        #: client is opened, and the start-up sync starts, only then
        self._painted = asyncio.Event()
        self._painted_now = threading.Event()  # the same, for the cache worker's thread
        self._paint_asked = False  # _mark_painted is waiting for the frame
        #: a load of every row of the scope came in (or the cache could not be read): the
        #: client is built, and the start-up sync starts, only then — never beside that load
        self._settled = asyncio.Event()
        #: a narrower view than the scope: "risk" (At risk) or "since" (since you last looked)
        self.narrow: str | None = None
        self.since: SinceLastLook | None = None  # what changed since the previous session
        self.at_risk_skus: tuple[str, ...] | None = None  # None: not looked yet
        self._looked_back = False  # "since you last looked" worked out (once a session)
        #: the stock cover (At risk view's days of cover): when its reports were read (None:
        #: never), whether they are being read now, and the timer that looks whether due
        self.cover_at: datetime | None = None
        self.cover_reading = False
        #: the at-risk count may still grow: the sales reports are read (or were, and the
        #: count from them is not in yet)
        self.at_risk_counting = False
        self._cover_timer: Timer | None = None
        #: every row of each scope as last read (show_all -> the message that brought them,
        #: with their index and sort orders): `a` shows the other scope again without reading
        #: and decoding its rows (37,000 at 100,000 listings: ~0.4 s of a worker holding the
        #: GIL against the UI's thread, then their predecessors freed on it). Forgotten
        #: whenever the cache changes under them (_reload); checked against the cache's last
        #: sync and account health before each use (another process may have synced).
        self._kept: dict[bool, CacheLoaded] = {}

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield Header()
        yield AccountBanner(id="account")
        yield SinceBanner(id="since")
        yield StateCounts(id="counts")
        yield ScopeNotice(id="scope-notice")
        yield FilterInput(id="filter")
        yield ListingTable(self.view, id="listings")
        yield SyncStatus(id="sync")
        yield KeysFooter(compact=True)

    @property
    def table(self) -> ListingTable:
        return self.query_one(ListingTable)

    def on_mount(self) -> None:
        self.title = "asin-tui"
        self.sub_title = plain(f"{self.service.profile_name} · {self.service.marketplace_id}")
        self.query_one(SyncStatus).idle("Reading the local cache…")
        self.table.focus()
        first = self._preloaded()
        if first is not None:  # read while the app started: painted with the first frame
            self.on_cache_loaded(_loaded(first, complete=False))
        self.load_cache(first)
        self.connect()
        if self.sync_on_start:
            self.action_sync()
        else:
            self.look()
            self.refresh_cover()
        if self.timing.cover_check_seconds > 0:
            self._cover_timer = self.set_interval(self.timing.cover_check_seconds, self._cover_tick)

    def _refresh_rows(self, keep_sku: str | None = None) -> None:
        self.table.empty_text = self._empty_text()
        self.table.rows_changed(keep_sku=keep_sku)
        self._show_counts()
        self._show_scope_notice()

    def _show_counts(self) -> None:
        cause = self.view.cause.label if self.view.cause else None
        at_risk, unfiltered = self._at_risk_count()
        self.query_one(StateCounts).show(
            self._state_counts(),
            self.view.state,
            self.show_all,
            marked=self.view.marked_count(),
            cause=cause,
            scope=_NARROW_NAMES.get(self.narrow or ""),
            at_risk=at_risk,
            at_risk_counting=self.at_risk_counting,
            at_risk_unfiltered=unfiltered,
        )

    def _at_risk_count(self) -> tuple[int | None, bool]:
        """(the count beside R, whether it is the whole account's under a filter). With a
        filter on, the counts are the filter's: so is R's when the listings at risk are
        among the rows (the At risk view, All listings), else it is said to be the whole
        account's (the walk: "R At risk 27" under a filter that kept 3 rows)."""
        skus = self.at_risk_skus
        if skus is None:
            return None, False
        if not (self.view.query or self.view.cause):
            return len(skus), False
        matched = self.view.matched_of(skus)
        return (len(skus), True) if matched is None else (matched, False)

    @property
    def partial(self) -> bool:
        """ "All listings" shows only what the syncs so far brought, not the account."""
        return self.show_all and self.full_sync_at is None and self.narrow is None

    def _show_scope_notice(self) -> None:
        """While "All listings" is partial: how many it shows (all the scope's rows, whatever
        the filter), of how many, and F. In the At risk view: how old its days of cover are."""
        if self.narrow == "risk":
            now = self.timing.clock()
            text = cover_age_text(self.cover_at, now, reading=self.cover_reading)
            self.query_one(ScopeNotice).say(text)
            return
        counts = self._scope_counts
        shown = sum(counts.values()) if counts is not None else len(self.view.records)
        self.query_one(ScopeNotice).show(
            shown if self.partial and shown else None,
            self.account_total,
            fetching=self.syncing_all,
        )

    def _state_counts(self) -> Mapping[State, int]:
        """The view's counts; the store's while only the first rows are in (they would count
        just themselves), unless a filter narrows the rows to what they match."""
        if self._scope_counts is None or self.view.query or self.view.cause:
            return self.view.counts
        return self._scope_counts

    def _empty_text(self) -> str:
        """Why the list is empty, in words (never "nothing needs attention" when nothing
        was ever fetched)."""
        if self.view.records:
            return self._no_match_text()
        if self.narrow == "risk":
            return "No listing is at risk: every live listing is set to stay so. R goes back."
        if self.narrow == "since":
            return "None of the listings that changed since you last looked is cached. n goes back."
        if self.syncing:
            return "Nothing cached yet: fetching your listings from Amazon…"
        if self.last_sync is None:
            if self.sync_error:
                then = "Press r to retry." if self.sync_retry_helps else SET_CREDENTIALS
                return f"Nothing fetched yet: the sync failed — {self.sync_error}. {then}"
            return "Nothing fetched yet. Press r to fetch your listings from Amazon."
        if self.show_all:
            return "No listings cached. Press r to sync."
        return "No listing needs attention. Press a to see all listings."

    def _no_match_text(self) -> str:
        """What narrows the list to nothing (the filter as typed, the one cause, the state)
        and the key that undoes each: 'No listing matches the filter "mug" and has the cause
        Out of stock. Escape clears the filter and the cause.'"""
        typed = self.query_one(FilterInput).value.strip() if self.view.query else ""
        cause = self.view.cause.label if self.view.cause else ""
        said = [f'matches the filter "{typed}"'] if typed else []
        said += [f"has the cause {cause}"] if cause else []
        if self.view.state is not None:
            said.append(f"is {STATE_LOOKS[self.view.state].label}")
        cleared = " and ".join(n for n, on in (("the filter", typed), ("the cause", cause)) if on)
        keys = [f"Escape clears {cleared}"] if cleared else []
        keys += ["0 shows every state"] if self.view.state is not None else []
        text = f"No listing {' and '.join(said) or 'to show'}."
        return f"{text} {'; '.join(keys)}." if keys else text

    # ------------------------------------------------------------------ cache
    @work(
        thread=True,
        exclusive=True,
        group="cache",
        exit_on_error=False,
        description="read the local cache",
    )
    def load_cache(self, shown: Screenful | None = None, kept: CacheLoaded | None = None) -> None:
        """Read the cached rows (SQLite) and the wizard's case labels (TOML) off the UI thread: the
        first screenful first, to paint at once, then — once it is painted — every row, a
        batch at a time, with what the filter and the current sort need (built here, so the
        UI thread only swaps them in). ``shown``: the first screenful, already shown.
        ``kept``: the scope's every row as read before; shown again as it is (with the
        current sort's order, built here if it has none) while the cache's last sync and
        account health are still those it was read with, else read afresh."""
        show_all, worker = self.show_all, get_current_worker()
        if self.narrow is not None:
            self._load_narrow(self.narrow)
            return
        if kept is not None and self._still_current(kept):
            sort_column = self.view.sort_column
            orders = kept.orders
            if sort_column != "state" and sort_column not in orders:
                order = sort_order(kept.records, sort_column, kept.case_labels.labels)
                orders = {**orders, sort_column: order}
            if not worker.is_cancelled:
                self.post_message(dataclasses.replace(kept, orders=orders))
            return
        first = shown or read_screenful(
            self.service, self.case_labels_loader, show_all=show_all, limit=self.timing.first_rows
        )
        # the other scope, if kept: its record objects (and search keys) are taken for the
        # same listings here, one decoded record per SKU for both; only where equal to the
        # one read (a kept scope older than the cache shares nothing that changed since)
        other = self._kept.get(not show_all)
        shared = (
            (other.records, other.index) if other is not None and other.index is not None else None
        )
        told = shown is not None or not first.complete  # its warnings are told already
        painted = self._painted_now if shown is not None else threading.Event()
        if shown is None and not first.complete and not worker.is_cancelled:
            self.post_message(dataclasses.replace(_loaded(first, complete=False), painted=painted))
        records = first.records
        if not first.complete:
            # every row only once the first ones are on screen, then a batch at a time: a
            # key typed meanwhile (this load cancelled) is not kept waiting for the rest
            while not painted.wait(0.05):
                if worker.is_cancelled:
                    return
            records = []
            with _NO_FULL_PASSES:
                for batch in self.service.cached_record_batches(
                    all_listings=show_all, size=self.READ_BATCH
                ):
                    if worker.is_cancelled:
                        return
                    records += share_records(batch, *shared) if shared else batch
        elif shared:
            records = share_records(list(records), *shared)
        if worker.is_cancelled:
            return
        sort_column, labels = self.view.sort_column, first.case_labels.labels
        orders = (
            {}
            if sort_column == "state"
            else {sort_column: sort_order(records, sort_column, labels)}
        )
        if not worker.is_cancelled:
            labels_told = (
                dataclasses.replace(first.case_labels, warnings=()) if told else first.case_labels
            )
            self.post_message(
                dataclasses.replace(
                    _loaded(first, complete=True),
                    records=records,
                    case_labels=labels_told,
                    cache_warning=self.service.cache_warning,  # rows left out of every row too
                    index=index_rows(records, shared),
                    orders=orders,
                    account_causes=account_causes(records),
                    whole_scope=True,
                )
            )

    def _still_current(self, kept: CacheLoaded) -> bool:
        """Whether rows read before are still what the cache holds, as far as a sync or an
        Account Health report tells (this app's own ones forget them: _reload; this checks
        for another process's, e.g. `report` syncing in another terminal)."""
        try:
            return (
                self.service.last_sync() == kept.last_sync
                and self.service.account_health() == kept.account
            )
        except Exception:  # cannot tell: read them again (which says why if it fails)
            return False

    def _load(self) -> None:
        """Show the scope (or narrower view) chosen: its kept rows when it has some."""
        self.load_cache(kept=self._kept.get(self.show_all) if self.narrow is None else None)

    def _reload(self) -> None:
        """The cache changed (a sync, a report diagnosed in, a fix): read the rows again, and
        forget every scope's kept ones."""
        for kept in self._kept.values():
            _DISPOSAL.drop(kept.records)
        self._kept.clear()
        self.load_cache()

    def _preloaded(self) -> Screenful | None:
        """The first screenful read when the account was opened, if it is what this screen
        reads first (taken once)."""
        first, self._first_screenful = self._first_screenful, None
        usable = first is not None and first.limit == self.timing.first_rows
        return first if usable and not self.show_all and self.narrow is None else None

    def _load_narrow(self, narrow: str) -> None:
        """The At risk view (the service's, each risk with its date), or the listings that
        changed since the last look; few rows: read in one go."""
        from asin_tui.domain.looks import back_on_sale

        if narrow == "risk":
            records = self.service.at_risk_records()
        else:
            skus = self.since.skus if self.since else frozenset()
            risky = {r.sku: r for r in self.service.at_risk_records() if r.sku in skus}
            records = [
                risky.get(r.sku, r)
                for r in self.service.cached_records(all_listings=True)
                if r.sku in skus
            ]
            cached = {r.sku for r in records}
            if self.since is not None:  # back on sale and no longer cached: said so
                records += [
                    back_on_sale(sku, self.service.marketplace_id, self.since.since)
                    for sku in self.since.recovered
                    if sku not in cached
                ]
        loaded = _loaded(
            screenful_of(self.service, self.case_labels_loader, records, self.show_all),
            complete=True,
        )
        sort_column, labels = self.view.sort_column, loaded.case_labels.labels
        orders = (
            {}
            if sort_column == "state"
            else {sort_column: sort_order(records, sort_column, labels)}
        )
        if not get_current_worker().is_cancelled:
            self.post_message(
                dataclasses.replace(
                    loaded,
                    index=index_rows(records),
                    orders=orders,
                    account_causes=account_causes(records),
                )
            )

    # ------------------------------------------------------------------ since you last looked
    @work(
        thread=True,
        exclusive=True,
        group="look",
        exit_on_error=False,
        description="see what changed since you last looked",
    )
    def look(self) -> None:
        """What is at risk now; once a session (after the first sync), what changed since
        the previous session, and this session's look noted for the next one."""
        at_risk = tuple(r.sku for r in self.service.at_risk_records())
        since = None
        if not self._looked_back:
            self._looked_back = True
            since = self.service.since_last_look(at_risk)
            self.service.remember_look(at_risk)
        self.post_message(LookReady(since, at_risk))

    def on_look_ready(self, message: LookReady) -> None:
        self.at_risk_skus = message.at_risk
        self.at_risk_counting = self.cover_reading
        if message.since is not None:
            self.since = message.since
            self.query_one(SinceBanner).show(message.since)
        self._refresh_rows()

    def _remember_look(self) -> None:
        """Closing: this session's look is the one the next session compares with."""
        if self.at_risk_skus is None:
            return  # never looked (the first sync did not end): the last look stands
        with contextlib.suppress(Exception):  # closing never fails on a cache it cannot write
            self.service.remember_look(self.at_risk_skus)

    def on_cache_loaded(self, message: CacheLoaded) -> None:
        current = self.table.current
        shown_before = self.view.records
        # The service returns rows in report order (models.sort_key): no sort needed.
        self.view.set_records(
            message.records,
            message.case_labels.labels,
            in_report_order=True,
            index=message.index,
            orders=message.orders,
        )
        _DISPOSAL.drop(shown_before)  # the view's own list: freed off this thread
        del shown_before
        if message.whole_scope and message.complete:
            self._kept[message.show_all] = message
        self.rows_complete = message.complete
        self._scope_counts = message.state_counts
        if self._cause is not None and message.complete:
            self.count_causes(self.view.records, then=self._refilter_cause)
        self.last_sync = message.last_sync
        self.full_sync_at = message.last_full_sync
        if self.partial and self.account_total is None:
            self.count_listings()
        for warning in message.case_labels.warnings:
            self.notify(warning, title="Wizard progress", severity="warning", timeout=10)
        if message.cache_warning and message.cache_warning != self._cache_warned:
            self._cache_warned = message.cache_warning  # every later load carries it too
            self.notify(message.cache_warning, title="Cache", severity="warning", timeout=30)
        self._refresh_rows(keep_sku=current.sku if current else None)
        self.query_one(AccountBanner).show(
            message.account, self.service.marketplace_id, message.account_causes
        )
        if not self._paint_asked:
            self._paint_asked = True
            self._after_paint(self._mark_painted)
        if message.painted is not None:
            self.call_after_refresh(message.painted.set)
        if not message.complete:
            return
        self._settled.set()
        # The rows live until the next load: keep them out of the collector's full passes,
        # which take a visible ~0.3 s over 100,000 rows (refcounting still frees them).
        gc.freeze()
        self._show_sync_state()
        self._tell_gaps(message.last_sync)
        if self._after_sync:
            self._after_sync = False
            if message.health_pending:
                self._watch_health()

    def _show_sync_state(self) -> None:
        """The status line when no sync runs: its failure, else when the data is from."""
        if self.syncing:
            return
        status = self.query_one(SyncStatus)
        if self.sync_error:
            kept = " — showing cached data" if self.view.records else ""
            status.idle(f"Sync failed: {self.sync_error}{kept}", error=True)
        else:
            status.idle(self._last_sync_text(self.last_sync))

    @staticmethod
    def _last_sync_text(info: SyncInfo | None) -> str:
        if info is None:
            return "Never synced: press r to fetch your listings from Amazon"
        text = f"Last sync {datetime_text(info.finished_at)} · {info.listings} listings fetched"
        if info.listings_incomplete:
            text += f" · INCOMPLETE: {info.missing_text()} not fetched (r to retry)"
        elif not info.complete:
            text += f" · {len(info.failed)} could not be fetched (r to retry)"
        return text

    #: How many failures the after-sync notice names before "and N more".
    NAMED_GAPS = 6

    def _tell_gaps(self, info: SyncInfo | None) -> None:
        """After a sync that could not fetch everything (this one, or the last one when the
        app opens): name what; the status line only has room for how much."""
        if info is None or not info.failed or info.finished_at == self._gaps_told:
            return
        self._gaps_told = info.finished_at  # once per sync (every later load carries it)
        lines = gap_lines(info)
        more = len(lines) - self.NAMED_GAPS
        text = "\n".join(lines[: self.NAMED_GAPS]) + (f"\n…and {more} more" if more > 0 else "")
        if info.listings_incomplete:
            title = f"Incomplete: {info.missing_text()} not fetched"
            text += "\nPress r to sync again."
        else:
            title = "Not everything could be fetched"
        self.notify(
            plain(text, multiline=True), title=title, severity="warning", markup=False, timeout=30
        )

    # ------------------------------------------------------------------ sync
    def action_sync(self, include_all: bool | None = None) -> None:
        """Sync what is shown (``r``): every listing in "All listings", else what needs
        attention; ``include_all`` True: every listing whatever is shown (``F``)."""
        include_all = self.show_all if include_all is None else include_all
        self._stop_health_watch()  # the sync itself picks a pending report up
        self.syncing = True
        self.syncing_all = include_all
        self.sync_error = None
        self.query_one(SyncStatus).working(
            "Starting a full sync (every listing)…" if include_all else "Starting sync…"
        )
        self._show_scope_notice()
        self.run_sync(include_all)

    def action_full_sync(self) -> None:
        if self.syncing and self.syncing_all:
            return  # already fetching every listing
        self.action_sync(include_all=True)

    @work(
        exclusive=True,
        group="count",
        exit_on_error=False,
        description="count the listings on the account",
    )
    async def count_listings(self) -> None:
        """How many listings the account has, for the partial "All listings" notice; when
        Amazon cannot say (offline, no permission), the notice says "every listing"."""
        try:
            total = await self.service.count_listings()
        except Exception:  # the count only adds a number to the notice: never an error
            return
        self.account_total = total
        self._show_scope_notice()

    #: The sync's latest progress not yet shown, and whether a message to show it is queued.
    _progress_latest: SyncProgress | None = None
    _progress_queued = False

    def _progressed(self, progress: SyncProgress) -> None:
        """The sync's progress callback (called in the worker, hundreds of times a second
        in a large sync): tell the screen, at most one message queued at a time carrying
        the latest (batched: the screen repaints the line once per turn, not per call)."""
        self._progress_latest = progress
        if not self._progress_queued:
            self._progress_queued = True
            self.post_message(SyncProgressed(progress))

    @work(group="connect", exit_on_error=False, description="open the account")
    async def connect(self) -> None:
        """Open the SP-API client (for the demo, its simulated account) once the first rows
        are on screen and every row is in: the service builds it in a thread, so keys keep
        working meanwhile.
        Then tell what opening the account found (e.g. the demo's fixes won't be kept)."""
        await self._painted.wait()
        await self._settled.wait()
        # e.g. unusable credentials: the sync says so, in its own words
        with contextlib.suppress(Exception):
            await self.service.connect()
        self._tell_notices()

    def _tell_notices(self) -> None:
        """Show each of the service's notices once (the demo adds one when a fix it accepted
        cannot be kept on disk)."""
        for notice in list(self.service.notices):
            if notice not in self._notices_told:
                self._notices_told.add(notice)
                self.notify(notice, title="Account", severity="warning", timeout=15)

    def _after_paint(self, callback: Callable[[], object]) -> None:
        """``callback`` once the rows just set are on their way to the terminal: after the
        next frame of this screen, repainted whole, has been written — not merely rendered
        (ui.app.AsinTuiApp.after_frame: the frames rendered while the app mounts are
        dropped, and the first one written came only with whatever refreshed next). The
        client's build and the start-up sync (the demo's runs in this process) then never
        compete with that frame for the interpreter. At the latest after
        ``timing.paint_wait``, whatever happens to the frame."""
        after_frame = getattr(self.app, "after_frame", None)  # asin-tui's app (ui.app)
        if after_frame is None:
            self.call_after_refresh(callback)
            return
        after_frame(self, callback)
        self.set_timer(self.timing.paint_wait, callback, name="painted at the latest")

    def _mark_painted(self) -> None:
        self._painted.set()
        self._painted_now.set()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "cache" and event.state is WorkerState.ERROR:
            self._mark_painted()  # nothing to paint from: open the account anyway
            self._settled.set()

    @work(exclusive=True, group="sync", exit_on_error=False, description="sync")
    async def run_sync(self, include_all: bool) -> None:
        # the cached rows first, all of them and on screen; the sync opens the client
        await self._painted.wait()
        await self._settled.wait()
        try:
            summary = await self.service.sync(include_all=include_all, progress=self._progressed)
        except Exception as exc:  # any failure: say so, keep the cached rows
            self.post_message(SyncFailed.of(exc))
        else:
            self.post_message(SyncFinished(summary))

    def on_sync_progressed(self, message: SyncProgressed) -> None:
        self._progress_queued = False
        progress = self._progress_latest or message.progress
        self.query_one(SyncStatus).working(
            progress.message, progress.done, progress.total, waiting=progress.waiting
        )

    def on_sync_finished(self, message: SyncFinished) -> None:
        self.syncing = self.syncing_all = False
        self._after_sync = True
        # the finished state at once, not the sync's last progress until the rows reload
        info = getattr(message.summary, "info", None)
        if info is not None:
            self.last_sync = info  # what the reload reads back from the cache
        self._show_sync_state()
        self._reload()
        self.look()
        self.refresh_cover()  # on opening (after the first sync), and after each
        rechecked = getattr(message.summary, "rechecked", ())
        if rechecked:
            shown = "\n".join(rechecked[:5]) + (
                f"\n… and {len(rechecked) - 5} more (asin-tui progress)"
                if len(rechecked) > 5
                else ""
            )
            self.notify(
                plain(shown, multiline=True),
                title="Wizard outcomes re-checked",
                timeout=15,
                markup=False,
            )

    def on_sync_failed(self, message: SyncFailed) -> None:
        self.syncing = self.syncing_all = False
        self.sync_error = message.reason
        self.sync_retry_helps = message.retry_helps
        self._show_sync_state()
        self._refresh_rows()
        self.look()
        self.refresh_cover()
        # long enough to read a cause that the status line cuts at the screen's edge
        self.notify(message.reason, title="Sync failed", severity="error", timeout=30)

    # ------------------------------------------------------------------ account health
    def _watch_health(self) -> None:
        self._stop_health_watch()
        self._health_looks = 0
        self._health_timer = self.set_interval(
            self.timing.health_look_seconds, self._look_at_health
        )

    def _stop_health_watch(self) -> None:
        if self._health_timer is not None:
            self._health_timer.stop()
            self._health_timer = None

    def _look_at_health(self) -> None:
        last = self._health_look
        if last is not None and not last.is_finished:
            return  # the last look has not answered yet
        if last is not None and last.state is WorkerState.ERROR:
            self._stop_health_watch()  # e.g. the credentials stopped working: do not insist
            return
        self._health_looks += 1
        if self._health_looks >= self.timing.health_looks:
            self._stop_health_watch()
        self._health_look = self.look_at_health()

    @work(
        exclusive=True,
        group="health",
        exit_on_error=False,
        description="look at the Account Health report",
    )
    async def look_at_health(self) -> None:
        self.post_message(HealthLooked(await self.service.refresh_account_health()))

    def on_health_looked(self, message: HealthLooked) -> None:
        result = message.result
        if result.problem:
            self.notify(result.problem, title="Account Health", severity="warning", timeout=8)
        if result.updated:
            self._reload()  # rows diagnosed again with it, and the banner
        if not result.pending:
            self._stop_health_watch()

    def on_unmount(self) -> None:
        self._stop_health_watch()
        if self._cover_timer is not None:
            self._cover_timer.stop()
        self._remember_look()

    # ------------------------------------------------------------------ filter
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """In the filter box, `/` is a character to type, not the Filter key."""
        return not (action == "filter" and isinstance(self.focused, FilterInput))

    def action_filter(self) -> None:
        """Open the filter box and focus it now, not on the next idle: keys already
        queued behind `/` are routed to whatever has focus when their turn comes."""
        box = self.query_one(FilterInput)
        box.add_class("open")
        self.set_focus(box)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.view.set_query(event.value)
        self._refresh_rows()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.table.focus()

    @on(FilterInput.Cleared)
    def action_clear_filter(self) -> None:
        box = self.query_one(FilterInput)
        box.value = ""
        box.remove_class("open")
        self.table.focus()
        if self._cause is not None:  # Escape also leaves the one cause shown
            self._cause = None
            self.view.set_cause(None)
            self._refresh_rows(keep_sku=self.table.current.sku if self.table.current else None)

    # ------------------------------------------------------------------ scope, state, sort
    def action_toggle_scope(self) -> None:
        """Needs attention ↔ every listing; from At risk or Since last look: back to the scope."""
        if self.narrow is None:
            self.show_all = not self.show_all
        self.narrow = None
        self.rows_complete = False
        self._load()

    def action_toggle_at_risk(self) -> None:
        self._narrow_to(None if self.narrow == "risk" else "risk")
        if self.narrow == "risk" and not self.syncing:
            self.refresh_cover()

    # ------------------------------------------------------------------ stock cover
    def _cover_tick(self) -> None:
        if not self.syncing:  # a sync's end looks anyway
            self.refresh_cover()

    @work(
        thread=True,
        exclusive=True,
        group="cover-due",
        exit_on_error=False,
        description="see whether the stock cover is due",
    )
    def refresh_cover(self, *, read: bool = True) -> None:
        """The At risk view's days of cover come from Amazon's sales reports. Looked at when
        the app opens (after its first sync), after each sync, on R and every
        ``timing.cover_check_seconds``: when the stored ones are older than their freshness
        (twice a day) or a report is pending, they are read again in the background, through
        the service's own loop and its rate limits (the view shows what is stored
        meanwhile, with its age)."""
        at = self.service.stock_cover_at()
        due = read and self.service.stock_cover_due()
        self.app.call_from_thread(self._cover_looked, at, due)

    def _cover_looked(self, at: datetime | None, due: bool) -> None:
        self.cover_at = at
        if due and not self.cover_reading:
            self.cover_reading = True
            self.read_cover_reports()
            self.at_risk_counting = True  # the count "so far": the reports may add to it
            self._show_counts()
        self._show_scope_notice()

    @work(group="cover", exit_on_error=False, description="read the sales reports")
    async def read_cover_reports(self) -> None:
        try:
            result = await self.service.refresh_stock_cover()
        except Exception as exc:  # e.g. refused credentials: said once, the view stays
            self.post_message(CoverRefreshed(None, describe_error(exc)))
        else:
            self.post_message(CoverRefreshed(result))

    def on_cover_refreshed(self, message: CoverRefreshed) -> None:
        result = message.result
        self.cover_reading = False
        problem = result.problem if result is not None else message.failure
        if problem and problem != self.sync_error:  # the sync's own failure is told already
            self.notify(problem, title="Stock cover", severity="warning", timeout=8)
        if result is not None and result.updated:
            self.look()  # the at-risk count (no longer "so far" once it is in)
            if self.narrow == "risk":
                self._reload()
        else:
            self.at_risk_counting = False
            self._show_counts()
        self.refresh_cover(read=False)  # its age (pending ones: looked at again later)

    def action_toggle_since(self) -> None:
        if not self.since and self.narrow != "since":
            self.notify("Nothing changed since you last looked.", timeout=5)
            return
        self._narrow_to(None if self.narrow == "since" else "since")

    def _narrow_to(self, narrow: str | None) -> None:
        self.narrow = narrow
        self.rows_complete = False
        self._load()

    def action_show_state(self, key: str | int) -> None:
        self.view.set_state(STATE_KEYS[str(key)])
        self._refresh_rows()

    def action_cycle_sort(self) -> None:
        pending = self._pending_sort[0] if self._pending_sort else None
        self._sort(self.view.next_column(pending), reverse=False)

    def action_reverse_sort(self) -> None:
        key, reverse = self._pending_sort or (self.view.sort_column, self.view.reverse)
        self._sort(key, reverse=not reverse)

    def action_sort_by(self, key: str) -> None:
        self._sort(key, reverse=False)

    def _sort(self, key: str, *, reverse: bool) -> None:
        """Sort now if the column's order is known, else build it in a worker and then sort
        (a first sort of 100,000 rows takes up to 0.3 s: never on the UI thread)."""
        if self.view.has_order(key):
            self._pending_sort = None
            self._apply_sort(key, reverse)
            return
        self._pending_sort = (key, reverse)
        self.sort_rows(self.view.records, self.view.case_labels, key)

    @work(
        thread=True,
        exclusive=True,
        group="sort",
        exit_on_error=False,
        description="sort the rows",  # never repr() 100k records
    )
    def sort_rows(self, records: list[ListingRecord], labels: CaseLabelMap, key: str) -> None:
        order = sort_order(records, key, labels)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._sort_ready, records, labels, key, order)

    def _sort_ready(
        self, records: list[ListingRecord], labels: CaseLabelMap, key: str, order: list[int]
    ) -> None:
        pending = self._pending_sort
        if pending is None or pending[0] != key:
            return  # another sort was asked for meanwhile
        self.view.adopt_order(records, labels, key, order)  # not if new rows came meanwhile
        self._sort(key, reverse=pending[1])  # now, or in a worker again for the new rows

    def _apply_sort(self, key: str, reverse: bool) -> None:
        current = self.table.current
        self.view.set_sort(key, reverse)
        self._refresh_rows(keep_sku=current.sku if current else None)
        self._tell_sort()

    def _tell_sort(self) -> None:
        """One "Sorted by …" notice, replaced by the next sort's (each s added one: three
        quick presses stacked three over the rows). The header's arrow marks the column too;
        the notice names it whole where the header cuts it."""
        from textual.notifications import Notification, Notify

        if self._sort_notice is not None:
            self.app._unnotify(self._sort_notice)  # gone already (timed out): a no-op
        text = f"Sorted by {column(self.view.sort_column).header}"
        if self.view.reverse:  # S: the same column the other way (it read the same as s)
            text += ", reversed"
        self._sort_notice = Notification(text, timeout=2, markup=False)
        self.app.post_message(Notify(self._sort_notice))

    def palette_commands(self) -> list[tuple[str, str, str]]:
        """Extra command palette entries: (name, help, action) — one sort per column."""
        return [
            (f"Sort by {c.header}", f"Order the list by {c.header.lower()}", f"sort_by('{c.key}')")
            for c in COLUMNS
        ]

    # ------------------------------------------------------------------ rows
    @on(ListingTable.Selected)
    def _open_detail(self, event: ListingTable.Selected) -> None:
        from asin_tui.ui.screens.detail import DetailScreen

        self.app.push_screen(DetailScreen(self.service, event.record))

    def on_listing_changed(self, message: ListingChanged) -> None:
        """A listing changed elsewhere (the wizard): re-read rows and case labels; tell
        what the change found to tell (the demo: the fix could not be kept on disk)."""
        self._reload()
        self._tell_notices()

    # ------------------------------------------------------------------ marks
    def action_mark(self) -> None:
        """Space: mark or unmark the listing under the cursor, then go to the next one."""
        if self.table.current is None:
            return
        self.view.toggle_mark(self.table.cursor_row)
        self.table.marks_changed()
        self.table.action_cursor_down()
        self._show_counts()

    def action_mark_shown(self) -> None:
        added = self.view.mark_shown()
        self.table.marks_changed()
        self._show_counts()
        self.notify(f"Marked {added} more: {self.view.marked_count()} marked", timeout=3)

    def action_clear_marks(self) -> None:
        self.view.marked.clear()
        self.table.marks_changed()
        self._show_counts()

    # ------------------------------------------------------------------ causes
    def action_causes(self) -> None:
        if not self.rows_complete:
            self.notify("Still reading the local cache: the causes in a moment", timeout=3)
            return
        self.count_causes(self.view.records, then=self._show_causes)

    @work(
        thread=True,
        exclusive=True,
        group="causes",
        exit_on_error=False,
        description="count the causes",
    )
    def count_causes(
        self,
        records: list[ListingRecord],
        then: Callable[[list[ListingRecord], list[CauseCount]], None],
    ) -> None:
        """domain.causes.count_causes off the UI thread (100,000 rows: a fraction of a s)."""
        from asin_tui.domain.causes import count_causes  # with the cause view, not at start

        counted = count_causes(records)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(then, records, counted)

    def _show_causes(self, records: list[ListingRecord], counted: list[CauseCount]) -> None:
        if records is not self.view.records or self.app.screen is not self:
            return  # new rows came meanwhile, or keys typed ahead opened another screen
        from asin_tui.ui.screens.causes import CauseScreen

        scope = "every listing" if self.show_all else "listings needing attention"
        self.app.push_screen(CauseScreen(counted, scope), self._cause_chosen)

    def _cause_chosen(self, chosen: CauseChosen | None) -> None:
        from asin_tui.ui.screens.causes import FILTER

        if chosen is None:
            return
        if chosen.what == FILTER:
            self._cause = chosen.cause.key
            self.view.set_cause(chosen.cause.key, chosen.cause.rows)
            self._refresh_rows()
            self.table.action_first()
            return
        records = [self.view.records[i] for i in chosen.cause.rows]
        self.open_bulk(chosen.cause.key, records)

    def _refilter_cause(self, records: list[ListingRecord], counted: list[CauseCount]) -> None:
        """After a reload: the cause shown again over the new rows (gone: every row)."""
        if records is not self.view.records or self._cause is None:
            return
        found = next((c for c in counted if c.key == self._cause), None)
        self.view.set_cause(self._cause, found.rows if found else ())
        self._refresh_rows(keep_sku=self.table.current.sku if self.table.current else None)

    # ------------------------------------------------------------------ bulk
    def action_bulk(self) -> None:
        """`b`: the bulk wizard for the marked listings (the one under the cursor if none
        is marked), for the cause they all share that a patch fixes."""
        records = self.view.marked_records()
        if not records and self.table.current is not None:
            records = [self.table.current]
        if not records:
            return
        from asin_tui.domain.causes import bulk_action, bulk_columns, shared_causes
        from asin_tui.domain.change_words import counted

        shared = shared_causes(records)
        fixable = [k for k in shared if bulk_columns(k) or bulk_action(k)]
        if self._cause is not None and self._cause in fixable:
            fixable = [self._cause]
        if not fixable:
            whose = (
                f"The {counted(len(records), 'marked listing')} share"
                if len(records) > 1
                else "This listing has"
            )
            self.notify(
                # "mark listings with one cause" read as any one cause at all
                f"{whose} no cause a bulk fix or action covers: mark listings that share one "
                "such cause (v lists the causes)",
                severity="warning",
                timeout=6,
            )
            return
        self.open_bulk(fixable[0], records)

    def open_bulk(self, cause: CauseKey, records: list[ListingRecord]) -> None:
        """The bulk screen of ``cause`` for ``records``; once it closes the list reads its
        rows again (the batch changed listings)."""
        from asin_tui.ui.screens.bulk import bulk_screen

        screen = bulk_screen(self.service, cause, records)
        if screen is not None:
            sku = records[0].sku

            def closed(_: object) -> None:
                self.post_message(ListingChanged(sku))

            self.app.push_screen(screen, closed)

    def action_wizard(self) -> None:
        if (record := self.table.current) is not None:
            from asin_tui.domain.looks import stock_risk

            risk = stock_risk(record) if self.narrow == "risk" else None
            self.post_message(OpenWizard(record.sku, risk))

    # ------------------------------------------------------------------ export
    def action_export(self) -> None:
        if not self.rows_complete:
            self.notify("Still reading the local cache: export in a moment", timeout=3)
            return
        scope = {"risk": "at-risk", "since": "since-last-look"}.get(
            self.narrow or "", "all" if self.show_all else "attention"
        )
        from asin_tui.ui.screens.export import ExportScreen

        self.app.push_screen(ExportScreen(f"asin-tui-{scope}.csv"), self._export_chosen)

    def _export_chosen(self, request: ExportRequest | None) -> None:
        if request is not None:
            self.write_export(request)

    @work(
        thread=True,
        exclusive=True,
        group="export",
        exit_on_error=False,
        description="write the export",
    )
    def write_export(self, request: ExportRequest) -> None:
        from asin_tui.ui.export import render_export  # the report's renderers: when exporting

        records = self.view.shown()
        try:
            request.write(render_export(records, request.fmt, self.service, self.last_sync))
        except FileExistsError:
            self.app.call_from_thread(
                self.notify, f"{request.path} exists: choose another name", severity="error"
            )
        except OSError as exc:
            self.app.call_from_thread(
                self.notify, f"Could not write {request.path}: {exc.strerror}", severity="error"
            )
        else:
            self.post_message(ExportWritten(str(request.path), len(records)))

    def on_export_written(self, message: ExportWritten) -> None:
        self.notify(f"Wrote {message.rows} rows to {message.path}", title="Exported")


class _NoFullPasses:
    """While every row of a scope is decoded (36,956 records at 100,000 listings: hundreds
    of thousands of objects), the collector is off: its passes over the records being built
    held the GIL 50-200 ms each, the UI's thread waiting, several times a reload. When the
    last reload in flight ends, what was made is moved out of its passes (gc.freeze, as the
    list does once the rows are in: they live until the next load) and it is on again.
    Refcounting frees everything as before; only cycles wait, as they do for frozen rows."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reloads = 0
        self._was_enabled = False

    def __enter__(self) -> None:
        with self._lock:
            if self._reloads == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._reloads += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._reloads -= 1
            if self._reloads == 0 and self._was_enabled:
                gc.freeze()
                gc.enable()


_NO_FULL_PASSES = _NoFullPasses()


class _Disposal:
    """Frees the lists of rows the list lets go of in a thread of its own, a few hundred
    rows at a time. Freeing 37,000 records is one C call (~30 ms at 100,000 listings) that
    holds the GIL throughout, wherever the last reference goes: on the UI's thread, a key
    typed then waits as long. Here the GIL can pass to the UI's thread between two slices.
    A list is only cut up once nothing else holds it (a sort or cause count may still be
    reading it in a worker): until then it is looked at again later; nothing else changes."""

    SLICE = 256
    RETRY_SECONDS = 0.1

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[list[ListingRecord]] = queue.SimpleQueue()
        self._started = False
        self._lock = threading.Lock()

    def drop(self, rows: list[ListingRecord]) -> None:
        """Take ``rows`` over (the caller lets go of its reference)."""
        if not rows:
            return
        self._queue.put(rows)
        with self._lock:
            if not self._started:
                self._started = True
                threading.Thread(target=self._run, name="asin-tui-free-rows", daemon=True).start()

    def _run(self) -> None:
        held: list[list[ListingRecord]] = []  # still read elsewhere: looked at again later
        while True:
            try:
                rows = self._queue.get(timeout=self.RETRY_SECONDS if held else None)
                held.append(rows)
                del rows
            except queue.Empty:
                pass
            still = []
            while held:
                rows = held.pop()
                # two references: this name and the argument: nothing else holds it
                if sys.getrefcount(rows) <= 2:
                    while rows:
                        del rows[-self.SLICE :]
                else:
                    still.append(rows)
                del rows
            held = still


_DISPOSAL = _Disposal()


def _loaded(first: Screenful, *, complete: bool) -> CacheLoaded:
    """The message that shows ``first`` (``complete``: and it is every row of its scope)."""
    return CacheLoaded(
        first.records,
        first.case_labels,
        first.last_sync,
        first.show_all,
        first.account,
        first.health_pending,
        complete=complete,
        cache_warning=first.cache_warning,
        state_counts=None if complete else first.state_counts,
        last_full_sync=first.last_full_sync,
    )


_EVIDENCE = "evidence incomplete: "
_OPERATION = re.compile(r"\b(?:get|search)[A-Z]\w+")


#: The counts bar's name of each narrower view.
_NARROW_NAMES = {"risk": "At risk", "since": "Since you last looked"}


def gap_lines(info: SyncInfo) -> list[str]:
    """What a sync could not fetch, one short line each (the full answers are in `report`'s
    JSON and stderr): the listings missing per search or SKU with how many at most, the
    listings whose evidence is incomplete together, then the rest."""
    names = info.gap_names_by_key()
    lines = []
    for key in info.missing:
        at_most = info.missing[key]
        count = "an unknown number of listings" if at_most is None else f"up to {at_most}"
        lines.append(f"{names[key]}: {count} not fetched ({_short(info.failed.get(key, ''))})")
    evidence = [key for key, why in info.failed.items() if why.startswith(_EVIDENCE)]
    if evidence:
        calls = sorted({op for key in evidence for op in _OPERATION.findall(info.failed[key])})
        shown = ", ".join(evidence[:3]) + (", …" if len(evidence) > 3 else "")
        plural = "s" if len(evidence) != 1 else ""
        lines.append(
            f"{len(evidence)} listing{plural} diagnosed without some evidence "
            f"({', '.join(calls) or 'calls failed'}): {shown}"
        )
    for key, why in info.failed.items():
        if key not in info.missing and key not in evidence:
            lines.append(f"{names[key]}: {_short(why)}")
    return lines


def _short(reason: str) -> str:
    """'searchListingsItems: SP-API is unavailable: HTTP 503 … (request id …) [gave up…]'
    → 'searchListingsItems: SP-API is unavailable'."""
    parts = reason.split(": ")
    return ": ".join(parts[:2]) if len(parts) > 2 else reason
