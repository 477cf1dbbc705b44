"""The bulk wizard: many listings sharing one cause fixed together, from one grid.

One row per listing, one column per value the fix needs (domain.causes.bulk_columns: the
quantity and handling time, the price, a missing or invalid attribute), pre-filled where the
evidence offers a value and with hints shown, never applied unasked (domain.causes.grid_cell:
the nearest allowed price, the last quantity the cache saw on sale).
Enter edits a cell (checked at once against the schema, as the single wizard's inputs; an
attribute with allowed values is picked from the wizard's drop-down, letters search it), `d`
fills the column down from the cursor, `a` gives every row the cursor's value, `h` takes each
row's own hint, `l` loads the values from a CSV (``asin-tui fix``'s format and reader).

Then the batch engine (asin_tui.bulk.BulkFix, in a worker: the UI stays responsive) validates
every row with VALIDATION_PREVIEW, with a progress bar, counts and an ETA; each row shows
Amazon's answer; `s` asks the ONE confirmation (SendConfirmScreen: how many listings, which
SKUs, each distinct change once with its count, every listing's line below it; only ctrl+s
sends) and submits only the VALID rows, re-reads
each listing and re-checks those Amazon is still processing, and the summary says what was
fixed, is waiting on Amazon, was invalid (why) or failed. A batch cut short (a crash, a lost
SSH session) is resumed with `R` (or by validating and sending again): what Amazon already
accepted is not sent twice (BulkFix's records in the case store).
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Header, Input, ProgressBar, Select, Static
from textual.worker import Worker

from asin_tui.domain.bulk import HANDLING_TIME, PRICE, QUANTITY, RowOutcome
from asin_tui.domain.causes import CauseKey, Cell, bulk_columns, grid_cell, other_blockers
from asin_tui.domain.change_words import (
    SAME_VALUES,
    all_unchanged,
    counted,
    grouped_changes,
    listings,
    marketplace_text,
    named_skus,
    rows_left_out,
    split_was,
)
from asin_tui.domain.marketplaces import marketplace_by_id
from asin_tui.domain.patches import parse_amount
from asin_tui.domain.text import shortened
from asin_tui.ui.frames import PromptFrames
from asin_tui.ui.messages import describe_error
from asin_tui.ui.safe_text import data, plain
from asin_tui.ui.screens.base import WorkerScreen
from asin_tui.ui.screens.confirm import Confirmation, SendConfirmScreen
from asin_tui.ui.service import ListingService
from asin_tui.ui.widgets.bulk_grid import (
    ANSWER,
    DIM,
    FLAG,
    HINT,
    KEY,
    LABEL_WIDTH,
    NOW,
    BulkGrid,
    GridColumn,
)
from asin_tui.ui.widgets.controls import Choice
from asin_tui.ui.widgets.keys_footer import KeysFooter

if TYPE_CHECKING:
    from asin_tui.bulk import BulkFix, BulkProgress, BulkRow, CsvTable, RowResult
    from asin_tui.domain.models import ListingRecord

#: How long the screen re-checks listings Amazon is still processing after a submit (it
#: applies a patch within minutes; the demo after 4 s). Those left are waiting on Amazon.
RECHECK_WAIT = 30.0
#: Seconds between repaints of the progress bar and the status line while a batch runs: its
#: rows finish many times a second, a seller reads a few updates a second (each repaint
#: costs the UI time a keystroke would wait for).
PROGRESS_EVERY = 0.25
#: A loaded CSV's columns the batch does not use are named in its notice: at most this many,
#: each cut as a column heading is (a header may be any length, with any number of columns).
SHOWN_IGNORED = 5
BLOCKED = "!"  # the grid's mark of a listing that another cause keeps off sale too
_ALONE = "this fix alone will not put it back on sale"
#: A sent row's current value when the listing could not be re-read after the send: what
#: Amazon holds is not known (the cached value is the one from before the send)
NOT_CHECKED = "not checked"
#: A row whose values are the listing's own (a value typed again after a send)
EARLIER = "the change an earlier batch sent"  # a resumed row's, told before it is re-read

_ANSWER_WORDS = {
    RowOutcome.VALID: "VALID",
    RowOutcome.INVALID: "invalid",
    RowOutcome.FAILED: "failed",
    RowOutcome.HELD: "held",
    RowOutcome.FIXED: "fixed",
    RowOutcome.WAITING: "waiting on Amazon",
    RowOutcome.NOT_FIXED: "not fixed",
}


def bulk_screen(
    service: ListingService, cause: CauseKey, records: Sequence[ListingRecord]
) -> WorkerScreen | None:
    """The bulk screen for ``records`` and their shared ``cause``: the grid when a patch
    fixes it, else the cause's bulk action (None: no records)."""
    if not records:
        return None
    skus = [r.sku for r in records]
    if bulk_columns(cause):
        blockers = {r.sku: other_blockers(r.findings, cause) for r in records}
        return BulkScreen(service, cause, skus, blockers=blockers)
    from asin_tui.ui.screens.bulk_actions import BulkActionScreen

    return BulkActionScreen(service, cause, skus)


@dataclass(slots=True)
class GridRow:
    sku: str
    cells: dict[str, Cell]
    values: dict[str, str]
    answer: str = ""  # what the local check or Amazon said about the row
    result: RowResult | None = None  # of the last phase
    #: other causes that keep the listing off sale once this fix is applied (in words)
    blockers: tuple[str, ...] = ()
    #: column -> what Amazon held when the listing was re-read after this batch sent it
    #: (NOT_CHECKED: sent, but not re-read); None: not sent, ``cells``' ``now`` holds
    after: dict[str, str] | None = None


@dataclass
class GridLoaded(Message):
    rows: list[GridRow]
    unfinished: list[RowResult]  # rebuilt from submits an earlier batch left unsettled
    problems: list[str]


@dataclass
class RowsChecked(Message):
    answers: list[tuple[int, dict[str, str], str]]  # (row index, the values checked, answer)


@dataclass
class AfterRead(Message):
    after: list[tuple[int, dict[str, str]]]  # (row index, column -> what Amazon holds)


@dataclass
class CsvRead(Message):
    path: str  # as typed
    table: CsvTable


@dataclass
class BatchProgressed(Message):
    progress: BulkProgress


@dataclass
class BatchDone(Message):
    phase: str  # "validate" | "apply"
    results: list[RowResult]  # one per row sent to the engine


class CellEditor(Input):
    """The line where a cell (or the CSV path) is typed; Enter keeps it, Escape drops it. A
    paste of several lines (a column copied from a spreadsheet) fills the rows from the one
    edited down, a line each (posted as :class:`CellEditor.PastedLines`)."""

    @dataclass
    class PastedLines(Message):
        lines: list[str]

    def _on_paste(self, event: events.Paste) -> None:
        lines = event.text.splitlines()
        while lines and not lines[-1].strip():
            lines.pop()  # a spreadsheet's copy ends in a line break
        if len(lines) > 1:
            event.stop()
            self.post_message(self.PastedLines(lines))
            return
        super()._on_paste(event)


class CellChoice(Choice):
    """The editor of a cell the schema gives allowed values for (an enum): the wizard's
    drop-down, opened on the cell. Letters search it (never a command); Enter takes the
    highlighted value, Escape leaves the cell as it was; either way
    :class:`CellChoice.Closed` is posted. A paste is taken as typed text (several lines: the
    rows below, as in :class:`CellEditor`), checked like any value."""

    @dataclass
    class Closed(Message):
        pass

    @dataclass
    class Typed(Message):
        text: str

    def watch_expanded(self, expanded: bool) -> None:
        if not expanded and self.display:
            self.post_message(self.Closed())

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        lines = event.text.splitlines()
        while lines and not lines[-1].strip():
            lines.pop()
        if len(lines) > 1:
            self.post_message(CellEditor.PastedLines(lines))
        elif lines:
            self.post_message(self.Typed(lines[0]))


class BulkScreen(PromptFrames, WorkerScreen):
    HELP_TITLE = "Bulk fix"
    #: The footer shows the keys of the path through the grid (fill, validate, submit, leave)
    #: and the app's q / ? whole at 80 columns; a, l, h (and x, R) are in help and the palette.
    BINDINGS = [
        Binding(
            "p",
            "validate",
            "Validate",
            tooltip="Validate every row with Amazon (VALIDATION_PREVIEW); nothing is written",
            id="bulk.validate",
        ),
        Binding(
            "s",
            "submit",
            "Submit",
            tooltip="Review and send the VALID rows (confirm with ctrl+s)",
            id="bulk.submit",
        ),
        Binding(
            "d",
            "fill_down",
            "Fill down",
            tooltip="Copy this cell's value to every row below it",
            id="bulk.fill_down",
        ),
        Binding(
            "a",
            "same_for_all",
            "Same for all",
            show=False,
            tooltip="Give every row this cell's value",
            id="bulk.same_for_all",
        ),
        Binding(
            "l",
            "load_csv",
            "Load CSV",
            show=False,
            tooltip="Values from a CSV (asin-tui fix's format)",
            id="bulk.load_csv",
        ),
        Binding(
            "h",
            "use_hints",
            "Use hints",
            show=False,
            tooltip=(
                "Fill this column's empty cells with each row's hint (the nearest allowed "
                "price, the last known quantity)"
            ),
            id="bulk.use_hints",
        ),
        Binding(
            "delete,x",
            "clear_cell",
            "Clear",
            show=False,
            tooltip="Empty this cell",
            id="bulk.clear_cell",
        ),
        Binding(
            "R",
            "resume",
            "Resume",
            show=False,
            tooltip="Finish the batch an earlier run left unsettled (nothing is sent twice)",
            id="bulk.resume",
        ),
        Binding("escape", "leave", "Leave", tooltip="Back to the list", id="bulk.leave"),
    ]

    def __init__(
        self,
        service: ListingService,
        cause: CauseKey,
        skus: Sequence[str],
        *,
        blockers: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        self.cause = cause
        self.skus = list(skus)
        #: SKU -> the other causes keeping it off sale (domain.causes.other_blockers), from
        #: the list's records; None: worked out from each listing's diagnosis when loading
        self.blockers = blockers
        self.columns = bulk_columns(cause)
        market = marketplace_by_id(service.marketplace_id)
        #: the marketplace writes 12,50 for twelve and a half (amounts typed are read so)
        self.decimal_comma = market is not None and market.decimal_comma
        self.rows: list[GridRow] = []
        self.unfinished: list[RowResult] = []
        self.busy = ""  # the phase running ("validate", "apply"), "" when idle
        self._leave_told = 0  # the unvalidated rows the last Escape warned of (0: none)
        self._rows_given: set[int] = set()  # rows the seller gave a value (_set)
        self.editing: tuple[int, str] | None = None  # (row, column) or (-1, "csv")
        self._stale: set[int] = set()  # rows whose cells are to be drawn again (_redraw_later)
        self._stale_columns: set[str] | None = None  # the columns changed in them (None: any)
        self._progress: BulkProgress | None = None  # the latest, not painted yet
        self._painted_at = 0.0  # when the progress was last painted (monotonic)

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            data(
                # an attribute's name is Amazon's: any length (cut, the grid's headings too)
                f"{shortened(self.cause.label)} — {listings(len(self.skus))} · values: "
                + ", ".join(shortened(column, LABEL_WIDTH) for column in self.columns)
            ),
            id="bulk-title",
        )
        yield Static("", id="bulk-notice")
        yield BulkGrid(id="bulk-grid")
        yield Static("", id="bulk-row")
        yield CellEditor(id="bulk-editor")
        yield CellChoice([], prompt="Choose…", id="bulk-choice", compact=True)
        yield ProgressBar(id="bulk-progress", show_eta=False)
        yield Static("Reading the listings…", id="bulk-status")
        yield KeysFooter(compact=True)

    @property
    def grid(self) -> BulkGrid:
        return self.query_one("#bulk-grid", BulkGrid)

    def on_mount(self) -> None:
        self.title = "asin-tui"
        self.sub_title = "bulk fix"
        self.query_one("#bulk-editor").display = False
        self.query_one("#bulk-notice").display = False
        self.query_one("#bulk-choice").display = False
        self.query_one("#bulk-progress").display = False
        self.load()

    # ------------------------------------------------------------------ loading
    @work(
        thread=True,
        exclusive=True,
        group="bulk-load",
        exit_on_error=False,
        description="read the listings",
    )
    def load(self) -> None:
        """Each listing's evidence from the cache (current values, prefills, hints) and any
        submit an earlier batch left without Amazon's answer."""
        from asin_tui.bulk import RowResult
        from asin_tui.domain.diagnosis import diagnose
        from asin_tui.store.cases import NO_ANSWER, SUBMITTING, CaseStore, PatchMode

        rows, problems, unfinished = [], [], []
        # Rows alike share what they hold alike (read only): a column's cells (most listings
        # of a cause have the same current value and no hint), a row's cells together, the
        # other causes in words. A row then holds its own SKU, values and answer, not a copy
        # of what thousands of rows say the same.
        same_cells: dict[tuple[Cell, ...], dict[str, Cell]] = {}
        same: dict[Any, Any] = {}  # a Cell, a text, a tuple of texts: the first one seen
        for sku in self.skus:
            try:
                evidence = self.service.evidence(sku)
                last = self.service.last_quantity(sku) if QUANTITY in self.columns else None
            except Exception as exc:  # not cached any more, unreadable: said, row kept out
                problems.append(f"{plain(sku)}: {describe_error(exc)}")
                continue
            made = (grid_cell(evidence, column, last) for column in self.columns)
            own = tuple(same.setdefault(cell, cell) for cell in made)
            cells = same_cells.get(own)
            if cells is None:
                cells = same_cells[own] = dict(zip(self.columns, own, strict=True))
            if self.blockers is not None:
                others = self.blockers.get(sku, [])
            else:
                others = other_blockers(diagnose(evidence).findings, self.cause)
            blockers = tuple(same.setdefault(text, text) for text in others)
            values = {c: cell.value for c, cell in cells.items()}
            rows.append(GridRow(sku, cells, values, blockers=same.setdefault(blockers, blockers)))
        try:
            store = CaseStore(self.service.profile_name, self.service.marketplace_id)
            for row in rows:
                saved = store.get(row.sku)
                open_ = [
                    r
                    for r in (saved.patches if saved else [])
                    if r.mode is PatchMode.REAL and r.status in (SUBMITTING, NO_ANSWER)
                ]
                if open_:
                    unfinished.append(
                        RowResult(
                            row.sku,
                            patches=list(open_[-1].patches),
                            preview="VALID",
                            outcome=RowOutcome.VALID,
                        )
                    )
        except Exception as exc:  # the case file: told, the grid still works
            problems.append(f"saved progress not read: {describe_error(exc)}")
        self.post_message(GridLoaded(rows, unfinished, problems))

    def on_grid_loaded(self, message: GridLoaded) -> None:
        self.rows = message.rows
        self.unfinished = message.unfinished
        for problem in message.problems:
            self.notify(problem, title="Bulk fix", severity="warning", timeout=10)
        columns = [GridColumn("sku", "SKU", KEY)]
        if any(r.blockers for r in self.rows):
            columns.append(GridColumn("blocked", BLOCKED, FLAG))
        for column in self.columns:
            # "quantity now", "handling_time now": two columns both headed "now" were
            # told apart by position only
            now = GridColumn(f"now:{column}", f"{column} now", NOW)
            columns += [now, GridColumn(column, column)]
        columns.append(GridColumn("answer", "Answer", ANSWER))
        grid = self.grid
        grid.set_rows(columns, len(self.rows), self._cell)
        grid.focus()
        _out_of_full_passes()
        self._tell_unfinished()
        self._status(self._idle_text())
        self._show_row()

    def _cell(self, index: int, key: str) -> tuple[str, str]:
        """The grid's cell ``key`` of row ``index``: its text and how it is drawn (a current
        value dim; a hint dim, in brackets: it reads as one without colour too, and is never
        taken as the value)."""
        row = self.rows[index]
        if key == "sku":
            return row.sku, ""
        if key == "answer":
            return row.answer, ""
        if key == "blocked":
            return (BLOCKED if row.blockers else ""), ""
        if key.startswith("now:"):
            if row.after is not None:  # sent: what the re-read found
                return row.after.get(key[4:]) or "—", DIM
            return row.cells[key[4:]].now or "—", DIM
        value = row.values.get(key, "")
        if value:
            return value, ""
        cell = row.cells[key]
        return (f"({cell.hint_label} {cell.hint})", HINT) if cell.hint else ("", "")

    def _redraw_later(self, index: int, *columns: str) -> None:
        """Row ``index`` changed (in ``columns``; none named: any): drawn again on the next
        refresh, with the others that changed meanwhile (one pass for an answer to every
        row, a value filled down)."""
        if not self._stale:
            self.call_after_refresh(self._redraw_stale)
            self._stale_columns = set()
        self._stale.add(index)
        if not columns:
            self._stale_columns = None
        elif self._stale_columns is not None:
            self._stale_columns.update(columns)

    def _redraw_stale(self) -> None:
        stale, self._stale = self._stale, set()
        if not stale or not self.is_mounted:
            return
        rows = [i for i in stale if i < len(self.rows)]
        self.grid.rows_changed(rows, self._stale_columns)
        if self.grid.cursor_coordinate.row in stale:
            self._show_row()

    @work(thread=True, group="bulk-after", exit_on_error=False, description="read back")
    def read_after(self, rows: list[tuple[int, bool]]) -> None:
        """The current value of each sent row (row index, whether the batch re-read it) as
        the re-read left it in the cache; NOT_CHECKED where the listing was not re-read."""
        after, grid = [], self.rows
        for index, reread in rows:
            if index >= len(grid):
                return  # the screen was left meanwhile
            row = grid[index]
            values = dict.fromkeys(self.columns, NOT_CHECKED)
            if reread:
                try:
                    evidence = self.service.evidence(row.sku)
                except Exception:  # not cached any more, unreadable: not known
                    pass
                else:
                    values = {c: grid_cell(evidence, c).now for c in self.columns}
            after.append((index, values))
        self.post_message(AfterRead(after))

    def on_after_read(self, message: AfterRead) -> None:
        rows = self.rows
        for index, values in message.after:
            if index < len(rows):
                rows[index].after = values
                self._redraw_later(index, *(f"now:{c}" for c in self.columns))

    def _tell_unfinished(self) -> None:
        notice = self.query_one("#bulk-notice", Static)
        if self.unfinished:
            notice.update(
                data(
                    f"An earlier batch left {len(self.unfinished)} of these listings sent "
                    "without Amazon's answer recorded: R resumes it (each is re-read first; "
                    "nothing Amazon already has is sent again)."
                )
            )
        else:
            notice.update("")
        notice.display = bool(self.unfinished)  # no blank line above the grid otherwise

    def _idle_text(self) -> str:
        """What the grid holds: the rows whose values change something (a value filled in
        from the listing as it is now — its handling time — changes nothing), and how many
        listings another cause keeps off sale whatever is sent."""
        changing = sum(1 for r in self.rows if _changes(r, self.decimal_comma))
        blocked = sum(1 for r in self.rows if r.blockers)
        also = f"{blocked} also blocked by another cause ({BLOCKED}) · " if blocked else ""
        if not changing:
            return (
                f"No row changes a value yet: Enter edits the cell under the cursor, d fills "
                f"it down, l loads a CSV{' · ' + also.removesuffix(' · ') if also else ''}"
            )
        return (
            f"{changing} of {len(self.rows)} rows change a value · {also}p: validate them "
            "with Amazon"
        )

    def _blocked(self, skus: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """Of ``skus``, those another cause keeps off sale too, with those causes."""
        by_sku = {r.sku: r.blockers for r in self.rows if r.blockers}
        return {sku: by_sku[sku] for sku in skus if sku in by_sku}

    def _status(self, text: str) -> None:
        self._put("#bulk-status", text)

    def _put(self, selector: str, text: str) -> None:
        """A line under the grid says ``text``. The screen is laid out again only when the
        line needs another height (the text wraps differently): a layout pass arranges every
        widget, and the cursor's row and the status change many times a second."""
        static = self.query_one(selector, Static)
        static.update(data(text), layout=False)
        if not static.size.width:
            static.refresh(layout=True)  # not laid out yet
            return
        styles = static.styles
        height = static.get_content_height(static.size, self.app.size, static.content_size.width)
        if styles.max_height is not None and styles.max_height.cells is not None:
            height = min(height, styles.max_height.cells)
        if height != static.content_size.height:
            static.refresh(layout=True)

    @on(BulkGrid.CellHighlighted, "#bulk-grid")
    def _show_row(self) -> None:
        """The cursor row's answer in full under the grid (the column is cut at 80), and
        what else keeps the listing off sale."""
        index = self.grid.cursor_coordinate.row
        if not 0 <= index < len(self.rows):
            return
        row = self.rows[index]
        at = self._cursor()
        cell = row.cells[at[1]] if at is not None else None
        told = ""
        if cell is not None and cell.hint and not row.values.get(at[1] if at else ""):
            note = f", {cell.hint_note}" if cell.hint_note else ""
            told = f" · {cell.hint_label} {cell.hint}{note} (h takes it)"
        if row.blockers:
            told += f" · {BLOCKED} also blocked by {'; '.join(row.blockers)}"
            if row.result is None or not row.result.submitted:
                told += f": {_ALONE}"  # sent, the answer says what it did (not fixed)
        self._put("#bulk-row", f"{row.sku}: {row.answer or 'no answer yet'}{told}")

    # ------------------------------------------------------------------ editing
    def _cursor(self) -> tuple[int, str] | None:
        """(row index, value column) under the cursor; None on the SKU, now or answer
        columns."""
        if not self.rows:
            return None
        key = self.grid.cursor_key
        if key not in self.columns:
            return None
        return self.grid.cursor_coordinate.row, str(key)

    def _editable(self) -> tuple[int, str] | None:
        if self.busy:
            self.notify(f"Wait: {self.busy} is running", timeout=3)
            return None
        at = self._cursor()
        if at is None:
            self.notify("Move to a value column (← →) first", timeout=3)
        return at

    @on(BulkGrid.CellSelected, "#bulk-grid")
    def _edit(self) -> None:
        at = self._editable()
        if at is None:
            return
        index, column = at
        self.editing = at
        row = self.rows[index]
        cell = row.cells[column]
        if cell.choices:
            self._open_choice(cell, row.values.get(column, ""))
            return
        self._open_editor(
            row.values.get(column, ""),
            f"{column} for {plain(row.sku)}"
            + (f" ({cell.hint_label} {cell.hint})" if cell.hint else "")
            # bullet points: what is typed here is one ("a; b" too)
            + (
                ": one value (several, one a line: the wizard or a fix CSV)" if cell.several else ""
            ),
        )

    def _open_choice(self, cell: Cell, value: str) -> None:
        """The schema's allowed values in the wizard's drop-down, opened, on the cell's value
        (the schema's name beside each value where it gives one)."""
        options = []
        for i, choice in enumerate(cell.choices):
            name = cell.names[i] if i < len(cell.names) else ""
            label = f"{name} ({choice})" if name and name != choice else choice
            options.append((data(label), choice))
        picker = self.query_one(CellChoice)
        picker.set_options(options)
        picker.value = value if value in cell.choices else Select.NULL
        picker.display = True
        picker.focus()
        self.call_after_refresh(picker.action_show_overlay)

    @on(CellChoice.Closed)
    def _chosen(self) -> None:
        picker = self.query_one(CellChoice)
        at, value = self.editing, picker.value
        self._close_editor()
        if at is None or at[0] < 0 or not isinstance(value, str):
            return  # Escape, or nothing picked: the cell stays as it was
        index, column = at
        if value != self.rows[index].values.get(column, ""):
            self._set(index, column, value)
            self._check_rows([index])

    @on(CellChoice.Typed)
    def _typed_into_choice(self, event: CellChoice.Typed) -> None:
        """A value pasted on the drop-down: taken as typed (the check says if it is allowed)."""
        at = self.editing
        self._close_editor()
        if at is None or at[0] < 0:
            return
        self._set(*at, event.text.strip())
        self._check_rows([at[0]])

    def _open_editor(self, value: str, placeholder: str) -> None:
        editor = self.query_one(CellEditor)
        editor.placeholder = plain(placeholder)
        editor.value = value
        editor.display = True
        editor.focus()

    def _close_editor(self) -> None:
        editor = self.query_one(CellEditor)
        editor.display = False
        picker = self.query_one(CellChoice)
        picker.display = False  # hidden first: its collapse is not a choice (watch_expanded)
        picker.expanded = False
        self.editing = None
        self.grid.focus()

    @on(Input.Submitted, "#bulk-editor")
    def _edited(self, event: Input.Submitted) -> None:
        at, text = self.editing, event.value
        self._close_editor()
        if at is None:
            return
        index, column = at
        if column == "csv" and index < 0:
            self._load_csv(text.strip())
            return
        self._set(index, column, text.strip())
        self._check_rows([index])

    @on(CellEditor.PastedLines)
    def _pasted(self, event: CellEditor.PastedLines) -> None:
        """Lines pasted into a cell: that row and the ones below, a line each (a cell of a
        tab-separated line: its first)."""
        at = self.editing
        self._close_editor()
        if at is None or at[0] < 0:
            return
        index, column = at
        filled = list(range(index, min(len(self.rows), index + len(event.lines))))
        for row, line in zip(filled, event.lines, strict=False):
            self._set(row, column, line.split("\t")[0].strip())
        self._check_rows(filled)
        left = len(event.lines) - len(filled)
        more = f"; {left} lines left over (no row below)" if left > 0 else ""
        self._status(f"{column}: {len(filled)} rows pasted{more}")

    def _set(self, index: int, column: str, value: str) -> None:
        row = self.rows[index]
        row.values[column] = value
        row.result = None
        self._rows_given.add(index)
        row.answer = ""
        self._redraw_later(index, column, "answer")

    def _check_rows(self, indexes: Sequence[int]) -> None:
        """The local check of edited rows (the schema, the wizard's rules), no call: the
        answer column says what is wrong before Amazon is asked. In a thread worker: filling
        hundreds of rows down reads each listing's cached evidence."""
        self._status(self._idle_text())
        if indexes:
            self.check_rows([(i, self.rows[i].sku, dict(self.rows[i].values)) for i in indexes])

    @work(thread=True, group="bulk-check", exit_on_error=False, description="check the values")
    def check_rows(self, rows: list[tuple[int, str, dict[str, str]]]) -> None:
        from asin_tui.bulk import BulkFix, BulkRow

        engine = BulkFix(self.service)
        answers = []
        for index, sku, values in rows:
            if not any(values.values()):
                answers.append((index, values, ""))
                continue
            try:
                drafted = engine.check(BulkRow(sku, values))
            except Exception as exc:  # not cached any more, unreadable: said on the row
                answers.append((index, values, f"not checked: {describe_error(exc)}"))
                continue
            wrong = [f"{c}: {why}" for c, why in drafted.rejected.items()]
            wrong += list(drafted.problems)
            ok = "ok: " + "; ".join(drafted.changes)
            if all_unchanged(drafted.changes):
                ok = f"no change: {SAME_VALUES}"  # not "ok: Set quantity to 9 (was 9)"
            answers.append((index, values, ("✗ " + "; ".join(wrong)) if wrong else ok))
        # Textual's thread workers run in an executor thread whose context keeps the last
        # worker (its ``active_worker``), and with it this list, until another worker runs
        # there: emptied, it does not keep a tuple and a copy of the values per row
        rows.clear()
        self.post_message(RowsChecked(answers))

    def on_rows_checked(self, message: RowsChecked) -> None:
        for index, values, answer in message.answers:
            row = self.rows[index]
            if row.values != values or row.result is not None:
                continue  # edited again (its own check follows) or answered by Amazon since
            row.answer = answer
            self._redraw_later(index, "answer")

    def action_fill_down(self) -> None:
        at = self._editable()
        if at is None:
            return
        index, column = at
        value = self.rows[index].values.get(column, "")
        below = list(range(index + 1, len(self.rows)))
        for other in below:
            self._set(other, column, value)
        self._check_rows(below)
        self._status(f"{column}: {value or '(empty)'} copied to the {len(below)} rows below")

    def action_same_for_all(self) -> None:
        at = self._editable()
        if at is None:
            return
        index, column = at
        value = self.rows[index].values.get(column, "")
        everyone = list(range(len(self.rows)))
        for other in everyone:
            self._set(other, column, value)
        self._check_rows(everyone)
        self._status(f"{column}: {value or '(empty)'} for all {len(everyone)} rows")

    def action_use_hints(self) -> None:
        at = self._editable()
        if at is None:
            return
        _, column = at
        taken = [
            i for i, r in enumerate(self.rows) if not r.values.get(column) and r.cells[column].hint
        ]
        for index in taken:
            self._set(index, column, self.rows[index].cells[column].hint)
        self._check_rows(taken)
        label = self.rows[taken[0]].cells[column].hint_label if taken else "hint"
        self._status(f"{column}: the {label} value taken in {len(taken)} empty cells")

    def action_clear_cell(self) -> None:
        at = self._editable()
        if at is not None:
            self._set(*at, "")
            self._check_rows([at[0]])

    def action_load_csv(self) -> None:
        if self.busy:
            return
        self.editing = (-1, "csv")
        self._open_editor("", "CSV file to load: sku," + ",".join(self.columns) + " (Enter)")

    def _load_csv(self, path: str) -> None:
        """Take the values of the rows' SKUs from a CSV read by ``asin-tui fix``'s reader;
        the file's other SKUs and columns are named, not used. Read in a thread (a file on a
        slow disk, tens of MB: the keys go on), and only a regular file of at most
        bulk.MAX_CSV_BYTES (a FIFO, /dev/zero or a log file: one line, never a hang)."""
        if path:
            self.read_values_csv(path)

    @work(thread=True, group="bulk-csv", exclusive=True, exit_on_error=False)
    def read_values_csv(self, path: str) -> None:
        from asin_tui.bulk import BadCsv, read_csv

        try:
            table = read_csv(Path(path).expanduser())
        except (BadCsv, OSError) as exc:
            self.app.call_from_thread(
                self.notify,
                describe_error(exc),
                title="CSV not loaded",
                severity="error",
                timeout=10,
            )
            return
        self.post_message(CsvRead(path, table))

    def on_csv_read(self, message: CsvRead) -> None:
        path, table = message.path, message.table
        if self.busy:  # a batch started while the file was read: its values stay as sent
            self.notify(
                f"{plain(path)} was not loaded: a batch is running; load it again after it",
                title="CSV not loaded",
                severity="warning",
                timeout=10,
            )
            return
        by_sku = {r.sku: i for i, r in enumerate(self.rows)}
        used = [c for c in table.columns if c in self.columns]
        ignored = [c for c in table.columns if c not in self.columns]
        changed, strangers = [], 0
        for csv_row in table.rows:
            index = by_sku.get(csv_row.sku)
            if index is None:
                strangers += 1
                continue
            for column in used:
                if csv_row.values.get(column, "").strip():
                    self._set(index, column, csv_row.values[column].strip())
            changed.append(index)
        self._check_rows(changed)
        notes = [f"{counted(len(changed), 'row')} filled from {plain(path)}"]
        if strangers:
            verb = "is" if strangers == 1 else "are"
            notes.append(f"{counted(strangers, 'SKU')} of the file {verb} not in this batch")
        if ignored:  # a header may be any length and have any number of columns: cut both
            named = ", ".join(shortened(c, LABEL_WIDTH) for c in ignored[:SHOWN_IGNORED])
            more = len(ignored) - SHOWN_IGNORED
            notes.append(
                f"columns not used here: {named}" + (f" and {more} more" if more > 0 else "")
            )
        self.notify("; ".join(notes), title="CSV loaded", timeout=10)

    # ------------------------------------------------------------------ the batch
    def _engine(self) -> BulkFix:
        """The batch engine; it runs on the service's own loop (service.in_background), so
        hundreds of calls never hold the UI's: its progress comes back through ``relay``
        (on this loop, coalesced). Call it from a worker on the UI's loop."""
        from asin_tui.background import relay
        from asin_tui.bulk import BulkFix

        return BulkFix(self.service, progress=relay(self._progressed))

    def _progressed(self, progress: BulkProgress) -> None:
        """The engine's progress (relayed to the UI's loop): tell the screen."""
        self.post_message(BatchProgressed(progress))

    def action_validate(self) -> None:
        from asin_tui.bulk import BulkRow

        if self.busy:
            return
        rows = [
            BulkRow(r.sku, dict(r.values), line=i + 1)
            for i, r in enumerate(self.rows)
            if any(v.strip() for v in r.values.values())
        ]
        if not rows:
            self.notify("No row has a value yet: type some (Enter) or load a CSV (l)", timeout=5)
            return
        self._start("validate", len(rows))
        self.run_validate(rows)

    @work(exclusive=True, group="bulk", exit_on_error=False, description="validate the batch")
    async def run_validate(self, rows: list[BulkRow]) -> None:
        try:
            results = await self.service.in_background(self._engine().validate, rows)
        finally:
            self.busy = ""
        self.post_message(BatchDone("validate", results))

    def action_submit(self) -> None:
        if self.busy:
            return
        results = [r.result for r in self.rows if r.result is not None]
        valid, same, not_valid = send_split(results)
        if same:
            self.notify(f"{counted(same, 'VALID row')} not sent: {SAME_VALUES}", timeout=6)
            if not valid:
                return
        if not valid:
            sent = sum(1 for r in results if r.submitted)
            self.notify(
                f"Nothing left to send: {sent} sent already; change a value and validate (p) to send more"
                if sent
                else "Nothing to send: validate first (p); only rows Amazon found VALID are sent",
                timeout=5,
            )
            return
        self._confirm(valid, not_valid)

    def action_resume(self) -> None:
        if self.busy or not self.unfinished:
            return
        self._confirm(list(self.unfinished), 0, resume=True)

    def _confirm(self, valid: list[RowResult], left: int, *, resume: bool = False) -> None:
        confirmation = batch_confirmation(
            valid,
            left,
            marketplace_id=self.service.marketplace_id,
            blocked=self._blocked([r.sku for r in valid]),
            resume=resume,
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._start("apply", len(valid))
                self.run_apply(valid)

        self.app.push_screen(SendConfirmScreen(confirmation), answered)

    @work(exclusive=True, group="bulk", exit_on_error=False, description="send the batch")
    async def run_apply(self, valid: list[RowResult]) -> None:
        engine = self._engine()

        async def batch() -> list[RowResult]:
            results = await engine.apply(valid)
            return await engine.recheck(results, wait=RECHECK_WAIT)

        try:
            results = await self.service.in_background(batch)
        finally:
            self.busy = ""
        self.post_message(BatchDone("apply", results))

    def _start(self, phase: str, total: int) -> None:
        self.busy = {"validate": "validation", "apply": "the submit"}[phase]
        self._progress = None
        bar = self.query_one("#bulk-progress", ProgressBar)
        bar.update(total=total, progress=0)
        bar.display = True
        self._status(f"{'Validating' if phase == 'validate' else 'Submitting'} {total} rows…")

    def on_batch_progressed(self, message: BatchProgressed) -> None:
        """The engine's progress: painted at most every PROGRESS_EVERY seconds (the latest
        when the time comes), so hundreds of rows a minute cost a few repaints a second."""
        pending = self._progress is not None
        self._progress = message.progress
        if pending:
            return  # a paint is scheduled: it takes this one
        wait = self._painted_at + PROGRESS_EVERY - time.monotonic()
        if wait <= 0:
            self._paint_progress()
        else:
            self.set_timer(wait, self._paint_progress)

    def _paint_progress(self) -> None:
        progress, self._progress = self._progress, None
        if progress is None or not self.busy:
            return  # the batch ended meanwhile: its summary is on the screen
        self._painted_at = time.monotonic()
        bar = self.query_one("#bulk-progress", ProgressBar)
        bar.update(total=max(progress.total, 1), progress=progress.done)
        self._status(progress.message)

    def on_batch_done(self, message: BatchDone) -> None:
        self.query_one("#bulk-progress", ProgressBar).display = False
        by_sku = {r.sku: i for i, r in enumerate(self.rows)}
        for result in message.results:
            index = by_sku.get(result.sku)
            if index is None:
                continue
            row = self.rows[index]
            row.result = result
            row.answer = answer_text(result)
            self._redraw_later(index, "answer")
        if message.phase == "apply":
            sent = {r.sku for r in message.results}
            self.unfinished = [r for r in self.unfinished if r.sku not in sent]
            self._tell_unfinished()
            # the "now" columns of the rows sent: what Amazon holds now (the re-read), not
            # the value before the send next to "fixed"
            reread = [
                (by_sku[r.sku], r.state_after is not None)
                for r in message.results
                if (r.submitted or r.resumed) and r.sku in by_sku
            ]
            if reread:
                self.read_after(reread)
        # the whole batch: the rows sent, and those validation kept back (invalid, failed)
        batch = [r.result for r in self.rows if r.result is not None]
        blocked = self._blocked([r.sku for r in batch])
        self._status(summary_text(message.phase, batch, blocked=set(blocked)))
        _out_of_full_passes()  # the answers now kept with the rows

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        from textual.worker import WorkerState

        if event.state is WorkerState.ERROR and event.worker.group == "bulk":
            self.busy = ""
            self.query_one("#bulk-progress", ProgressBar).display = False
            self._status(f"Stopped: {describe_error(event.worker.error)} — p / R to try again")
        super().on_worker_state_changed(event)

    # ------------------------------------------------------------------ leaving
    def on_unmount(self) -> None:
        # The rows were frozen (_out_of_full_passes): let go of them here, so refcounting
        # frees them even if the screen itself is left in a cycle the collector never sees.
        self.rows = []
        self.unfinished = []

    def action_leave(self) -> None:
        if self.editing is not None:
            self._close_editor()
            return
        if self.busy == "the submit":
            self.notify(
                "Sending: wait for Amazon's answers (a batch cut short resumes with R)",
                timeout=5,
            )
            return
        # values the seller typed (or loaded, filled, pasted: not the grid's own prefill) and
        # not yet validated are lost on leaving: the first Escape says so, a second leaves (it
        # left at once: a double Escape out of a cell editor dropped them without a word)
        rows = self.rows
        unchecked = sum(
            1
            for i in self._rows_given
            if i < len(rows) and rows[i].result is None and _changes(rows[i], self.decimal_comma)
        )
        if unchecked and self._leave_told != unchecked:
            self._leave_told = unchecked
            self.notify(
                f"{unchecked} of {len(self.rows)} rows {'has' if unchecked == 1 else 'have'} "
                "values not validated or sent: "
                "Escape again leaves and drops them",
                timeout=5,
            )
            return
        self.dismiss(None)


def _out_of_full_passes() -> None:
    """The grid's rows (a few objects each) and their answers live as long as the screen:
    kept out of the collector's full passes (gc.freeze, as the list does for its records).
    A batch of 2,000 rows runs ~20 full passes, every thread waiting: the longest went
    24 -> 9 ms (bench_bulk_tui, README Performance). The young garbage is collected first
    (cheap), so little cyclic garbage is frozen with them; refcounting still frees the rows
    when the screen lets go of them."""
    gc.collect(1)
    gc.freeze()


def send_split(results: Sequence[RowResult]) -> tuple[list[RowResult], int, int]:
    """What ``s`` does with the rows validated: the ones it sends (Amazon found them VALID,
    not sent yet, and they change a value), how many VALID rows it leaves out because they
    set each value to the one the listing holds (typed again after a send: sending them
    would change nothing), and how many Amazon did not find valid: the confirmation's "not
    valid" rows, never the rows sent already nor the ones that change nothing (it had said
    "8 other rows are not valid" of rows it had sent a minute before)."""
    ready = [r for r in results if r.valid and r.outcome is RowOutcome.VALID]
    send = [r for r in ready if not r.unchanged]
    return send, len(ready) - len(send), sum(1 for r in results if not r.valid)


def batch_confirmation(
    valid: Sequence[RowResult],
    left: int,
    *,
    marketplace_id: str,
    blocked: Mapping[str, Sequence[str]] | None = None,
    resume: bool = False,
) -> Confirmation:
    """The ONE confirmation of a batch: how many listings, which SKUs (the first named, each
    listed below), what changes — each distinct change once, with how many listings it is
    made to (domain.change_words.grouped_changes) — and, as a warning, the rows left out and
    the listings another cause keeps off sale too. As long for 2,000 rows as for 20: only the
    listing lines scrolled into view are drawn (EachListing, ListingLines)."""
    skus = [plain(r.sku) for r in valid]
    named = named_skus(skus)
    changes = grouped_changes((r.sku, r.changes or (EARLIER,)) for r in valid)
    made = Counter(split_was(c)[0] for r in valid for c in dict.fromkeys(r.changes or (EARLIER,)))
    if len(valid) > 1 and all(n == 1 for n in made.values()):
        # every change made to one listing only (five prices): each grouped line said what
        # its listing's line under it says again, the whole batch twice at 80x24
        changes = [f"{counted(len(made), 'change')}, each made to one listing: listed below"]
    warning = rows_left_out(left) if left else ""
    if blocked:
        causes = sorted({c for skus in blocked.values() for c in skus})
        warning = (
            f"{len(blocked)} of these listings {'is' if len(blocked) == 1 else 'are'} also "
            f"blocked by another cause ({'; '.join(causes)}; marked {BLOCKED} in the grid): "
            f"this change alone will not put {'it' if len(blocked) == 1 else 'them'} back on "
            f"sale. {warning}"
        ).strip()
    if resume:
        warning = (
            "Resuming: each listing is re-read first; a change Amazon already has is not "
            "sent again."
        )
    return Confirmation(
        title=f"Send these changes to Amazon? {listings(len(valid))}",
        sku=named,
        marketplace=marketplace_text(marketplace_id),
        changes=changes,
        action=f"Send {len(valid)}",
        warning=warning,
        sku_label="SKUs",
        listings=EachListing(valid),
    )


class EachListing(Sequence[str]):
    """Each listing's line in the batch's confirmation ("SKU-1: Set quantity to 12 (was 0)"),
    made when the dialog draws it: the batch's results are the only thing held."""

    def __init__(self, results: Sequence[RowResult]) -> None:
        self.results = results

    def __len__(self) -> int:
        return len(self.results)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return EachListing(self.results[index])
        result = self.results[index]
        return f"{result.sku}: " + "; ".join(result.changes or (EARLIER,))


def _changes(row: GridRow, decimal_comma: bool = False) -> bool:
    """Whether a value of ``row`` differs from the listing's current one: after a send, the
    one read back (what the "now" column shows; one not read back is not known, so any value
    counts), not the one from before the send. An amount is compared as a number: '12,50'
    typed is the 12.50 read back, '1,250' the 1250.00 (``decimal_comma``: the marketplace
    writes 12,50 for twelve and a half)."""
    return any(
        v.strip() and not _same(c, v.strip(), _current(row, c), decimal_comma)
        for c, v in row.values.items()
    )


#: The grid's columns whose values are numbers (quantity, handling time, price)
_AMOUNTS = frozenset({QUANTITY, HANDLING_TIME, PRICE})


def _same(column: str, typed: str, current: str | None, decimal_comma: bool) -> bool:
    if current is None:
        return False  # not known: any value may change it
    if typed == current:
        return True
    if column not in _AMOUNTS:
        return False
    amount = parse_amount(typed, decimal_comma=decimal_comma)
    return amount is not None and amount == parse_amount(current)  # drawn '1250.00'


def _current(row: GridRow, column: str) -> str | None:
    """The listing's value in ``column`` as far as the grid knows: read back after this
    screen's send (None: sent, not read back), else as it was when the grid opened."""
    if row.after is None:
        return row.cells[column].now
    value = row.after.get(column, NOT_CHECKED)
    return None if value == NOT_CHECKED else value


def answer_text(result: RowResult) -> str:
    """One row's answer in the grid: 'VALID: Set quantity to 12 (was 0)', 'invalid:
    <Amazon's first error>', 'fixed', 'waiting on Amazon', 'failed: why'."""
    word = _ANSWER_WORDS.get(result.outcome, str(result.outcome))
    if result.outcome is RowOutcome.VALID:
        return f"{word}: " + "; ".join(result.changes)
    if result.outcome is RowOutcome.INVALID:
        errors = [i for i in result.issues if i.get("severity") == "ERROR"] or result.issues
        first = errors[0].get("message", "") if errors else result.reason
        return f"{word}: {first}" if first else word
    return f"{word}: {result.reason}" if result.reason else word


def summary_text(
    phase: str, results: Sequence[RowResult], *, blocked: Set[str] = frozenset()
) -> str:
    """'12 rows validated: 10 VALID, 2 invalid — s sends the valid ones' / '10 sent: 8 fixed,
    2 waiting on Amazon; 2 invalid; 0 failed'. ``blocked``: the SKUs another cause keeps off
    sale too (counted among the VALID ones, and the not fixed ones)."""
    counts = Counter(r.outcome for r in results)

    def also(outcome: RowOutcome) -> str:
        count = sum(1 for r in results if r.outcome is outcome and r.sku in blocked)
        return f" ({count} also blocked by another cause: {BLOCKED})" if count else ""

    if phase == "validate":
        # VALID rows that set each value to the one the listing holds: s leaves them out
        # (send_split), so they are not among 'the VALID ones' it sends (`fix`'s words)
        same = sum(1 for r in results if r.outcome is RowOutcome.VALID and r.unchanged)
        text = (
            f"{counted(len(results), 'row')} validated: {counts[RowOutcome.VALID]} VALID"
            f"{also(RowOutcome.VALID)}"
            + (
                f" ({same} of them change{'s' if same == 1 else ''} nothing: not sent)"
                if same
                else ""
            )
            + f", {counts[RowOutcome.INVALID]} invalid"
        )
        if counts[RowOutcome.FAILED]:
            text += f", {counts[RowOutcome.FAILED]} failed (no answer)"
        return text + (" — s sends the VALID ones" if counts[RowOutcome.VALID] > same else "")
    parts = [
        f"{counts[o]} {_ANSWER_WORDS[o]}" + (also(o) if o is RowOutcome.NOT_FIXED else "")
        for o in (
            RowOutcome.FIXED,
            RowOutcome.WAITING,
            RowOutcome.NOT_FIXED,
            RowOutcome.INVALID,
            RowOutcome.FAILED,
            RowOutcome.HELD,
        )
        if counts[o] or o in (RowOutcome.FIXED, RowOutcome.WAITING, RowOutcome.FAILED)
    ]
    sent = sum(1 for r in results if r.submitted)
    return f"Done: {sent} sent — " + ", ".join(parts)
