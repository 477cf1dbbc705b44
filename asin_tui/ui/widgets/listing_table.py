"""A virtual table for the ASIN list: renders only the visible rows, so 100,000 listings
paint as fast as 100 (toolong's approach: a ScrollView with ``render_line`` and an LRU
of rendered lines; virtual_table.VirtualTable, which the bulk wizard's grid is too).

The rows come from a :class:`~asin_tui.ui.listing_view.ListingView`; the widget owns the
cursor and the column layout. State, SKU and main cause are pinned, SKU and cause as wide as
their longest value (never cut at 80 columns for SKUs up to ~20 characters), and so is the
column sorted by; the other columns follow in priority order while they fit, the title last
with the width left. Columns that do not fit are not dropped: the header marks them (``→``
more to the right, ``←`` some scrolled off) and ←/→ (h/l) scroll them into view.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from asin_tui.domain.models import ListingRecord, State
from asin_tui.domain.text import visible
from asin_tui.ui.listing_view import COLUMNS, Column, ListingView, column
from asin_tui.ui.presentation import state_class
from asin_tui.ui.widgets.virtual_table import VirtualTable

TITLE_MIN = 12
SKU_MAX = 40  # a longer SKU is cut (marked …)
CAUSE_MIN = 14
# whole at 80 columns: "Invalid: supplier_declared_dg_hz_regulation" (43), and the At risk
# view's "At risk until 2027-01-14: compliance documents required" (55; the columns after it
# scroll, marked →)
CAUSE_MAX = 56
PINNED = ("state", "sku", "cause")
MARK = "✓"  # before a marked row (space marks it), and heading the mark column
MARK_WIDTH = 2
#: The rest in the order they join the layout (and scroll): what a seller checks first.
SCROLLING = tuple(c.key for c in COLUMNS if c.key not in PINNED)
_STATE_NARROW = 2  # the symbol alone
_STATE_CLASSES = {state: f"listing-table--{state_class(state)}" for state in State}


@dataclass(frozen=True, slots=True)
class ColumnLayout:
    """Columns shown (display order) with their widths, and what is hidden either side."""

    columns: tuple[tuple[Column, int], ...]
    pinned: int  # how many of ``columns`` are pinned (the ``←`` marker goes after them)
    hidden_left: tuple[str, ...] = ()  # scrolled off (column keys)
    hidden_right: tuple[str, ...] = ()  # not fitting: scroll right to see them

    def __iter__(self) -> Iterator[tuple[Column, int]]:
        return iter(self.columns)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c, _ in self.columns)


def plan_layout(
    width: int,
    *,
    sku_width: int = 0,
    cause_width: int = 0,
    sort_key: str = "state",
    offset: int = 0,
) -> ColumnLayout:
    """The columns of a table ``width`` cells wide. ``sku_width``/``cause_width``: the
    longest values (0: the columns' default widths); the column sorted by is pinned after
    the main cause; ``offset``: how many scrolling columns are scrolled off to the left."""
    sku = min(SKU_MAX, max(3, sku_width or column("sku").width))
    cause = min(CAUSE_MAX, max(CAUSE_MIN, cause_width or column("cause").width))
    pinned = [*PINNED, *([sort_key] if sort_key in SCROLLING else [])]
    scrolling = [k for k in SCROLLING if k not in pinned]
    asked, offset = offset, max(0, min(offset, len(scrolling) - 1))
    for state_width in (column("state").width, _STATE_NARROW):
        layout = _fit(width, state_width, sku, cause, pinned, scrolling, offset)
        if not (layout.hidden_left or layout.hidden_right):
            return layout
    if offset and len(layout.columns) == layout.pinned and layout.hidden_right:
        # Not one column fits beside the whole cause (the At risk view's long causes at 80
        # columns): scrolled right, the cause gives way to the columns after it, the first
        # press showing the first of them; its end counts as scrolled off (the header's ←).
        offset = min(asked, len(scrolling))  # the last column shown alone: one more press
        first = scrolling[offset - 1]
        room = width - sum(w + 1 for _, w in layout.columns)
        shrunk = max(CAUSE_MIN, cause - (_base_width(first) + 1 - room))
        layout = _fit(width, _STATE_NARROW, sku, shrunk, pinned, scrolling, offset - 1)
        layout = dataclasses.replace(layout, hidden_left=("cause", *layout.hidden_left))
    return layout


def _base_width(key: str) -> int:
    return TITLE_MIN if key == "title" else column(key).width


def _fit(
    width: int,
    state_width: int,
    sku: int,
    cause: int,
    pinned: list[str],
    scrolling: list[str],
    offset: int,
) -> ColumnLayout:
    widths = {"state": state_width, "sku": sku, "cause": cause}
    widths |= {k: _base_width(k) for k in pinned[len(PINNED) :]}
    used = sum(widths[k] + 1 for k in pinned)  # a one-cell gap after each column
    if used > width:  # a very narrow terminal (or very long SKUs): the cause gives way
        widths["cause"] = max(3, cause - (used - width))
        used = sum(widths[k] + 1 for k in pinned)
    candidates = scrolling[offset:]

    def take(room: int) -> list[str]:
        taken, total = [], 0
        for key in candidates:
            need = _base_width(key) + 1
            if total + need > room:
                break
            taken.append(key)
            total += need
        return taken

    shown = take(width - used)  # the header's "→" takes the last column's gap
    for key in shown:
        widths[key] = _base_width(key)
    hidden_right = tuple(candidates[len(shown) :])
    extra = width - sum(w + 1 for w in widths.values())
    grow = "title" if "title" in widths else None
    if grow is not None:
        widths[grow] += max(0, extra)
    order = [*pinned, *shown]
    return ColumnLayout(
        tuple((column(k), widths[k]) for k in order),
        pinned=len(pinned),
        hidden_left=tuple(scrolling[:offset]),
        hidden_right=hidden_right,
    )


def wrap_cells(text: str, width: int) -> list[str]:
    """``text`` broken at spaces into lines of at most ``width`` cells (a longer word has a
    line of its own, cut when drawn)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and cell_len(line) + 1 + cell_len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line] if line else lines


def fit_cell(text: str, width: int, align_right: bool = False) -> str:
    """Pad or crop ``text`` to exactly ``width`` cells, marking a crop with an ellipsis."""
    length = cell_len(text)
    if length > width:
        # Narrow cells (the state symbol alone) crop clean; wider ones mark the cut.
        return set_cell_size(text, width - 1) + "…" if width > 3 else set_cell_size(text, width)
    pad = " " * (width - length)
    return pad + text if align_right else text + pad


class ListingTable(VirtualTable, can_focus=True, inherit_bindings=False):
    """The ASIN list. Enter posts :class:`ListingTable.Selected` for the record under the cursor."""

    HELP_TITLE = "In the list"

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("home,g", "first", "First row", show=False, id="table.first"),
        Binding("end,G", "last", "Last row", show=False, id="table.last"),
        Binding("pageup", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="table.page_down"),
        Binding(
            "enter",
            "select",
            "Open",
            show=False,
            tooltip="Open the diagnostics of this listing",
            id="table.open",
        ),
        Binding(
            "right,l",
            "scroll_columns(1)",
            "Columns",
            show=False,  # the header's → says there are some (the footer is full at 80)
            tooltip="Show the columns that do not fit (marked → in the header)",
            id="table.columns_right",
        ),
        Binding(
            "left,h",
            "scroll_columns(-1)",
            "Columns back",
            show=False,  # the header's ← says there are some
            tooltip="Back to the columns scrolled off (marked ← in the header)",
            id="table.columns_left",
        ),
    ]

    COMPONENT_CLASSES = {
        "listing-table--header",
        "listing-table--cursor",
        "listing-table--empty",
        *_STATE_CLASSES.values(),
    }

    DEFAULT_CSS = """
    ListingTable {
        & > .listing-table--header { text-style: bold; background: $panel; }
        & > .listing-table--cursor { background: $block-cursor-background;
                                     color: $block-cursor-foreground; text-style: bold; }
        &:blur > .listing-table--cursor { background: $block-cursor-blurred-background;
                                          color: $foreground; text-style: none; }
        & > .listing-table--empty { color: $text-muted; text-style: italic; }
        & > .listing-table--suppressed { color: $text-error; }
        & > .listing-table--catalog-removed { color: $text-error; }
        & > .listing-table--incomplete { color: $text-warning; }
        & > .listing-table--inactive { color: $text-warning; }
        & > .listing-table--search-suppressed { color: $text-accent; }
        & > .listing-table--variation-parent { color: $text-muted; }
        & > .listing-table--active { color: $text-success; }
    }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True)

    class Selected(Message):
        """Enter (or a double click) on a row."""

        def __init__(self, record: ListingRecord) -> None:
            super().__init__()
            self.record = record

    class Moved(Message):
        """The cursor moved to another row (for the status line)."""

        def __init__(self, row: int) -> None:
            super().__init__()
            self.row = row

    def __init__(
        self,
        view: ListingView,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.view = view
        self.empty_text = ""  # what the first row says when there are no rows
        self._lines: LRUCache[tuple[int, int, bool, bool, int], Strip] = LRUCache(1024)
        self._layout: tuple[tuple[object, ...], ColumnLayout] | None = None
        #: scrolling columns scrolled off to the left (←/→)
        self.column_offset = 0
        self._row_styles: dict[bool, tuple[Style, dict[State, Style]]] = {}

    # ------------------------------------------------------------------ data changes
    def rows_changed(self, *, keep_sku: str | None = None) -> None:
        """Call after the view's rows changed (filter, sort, state, new data)."""
        self._lines.clear()
        self._size_rows()
        row = self.view.row_of(keep_sku) if keep_sku else None
        self.cursor_row = row if row is not None else min(self.cursor_row, len(self.view) - 1)
        self.refresh()

    def marks_changed(self) -> None:
        """Call after rows were marked or unmarked."""
        self._lines.clear()
        self.refresh()

    @property
    def mark_width(self) -> int:
        """The mark column's cells: there only while some listing is marked."""
        return MARK_WIDTH if self.view.marked else 0  # (also marks out of scope: no jumps)

    # ------------------------------------------------------------------ columns
    @property
    def column_layout(self) -> ColumnLayout:
        """The columns at the current width."""
        return self.layout_for(self.scrollable_content_region.width - self.mark_width)

    def action_scroll_columns(self, delta: int) -> None:
        """→ while the header shows columns hidden to the right, ← while some are off."""
        layout = self.column_layout
        if (delta > 0 and not layout.hidden_right) or (delta < 0 and not layout.hidden_left):
            return
        self.column_offset = max(0, self.column_offset + delta)
        self._lines.clear()
        self.refresh()

    @property
    def current(self) -> ListingRecord | None:
        if 0 <= self.cursor_row < len(self.view):
            return self.view.record(self.cursor_row)
        return None

    # ------------------------------------------------------------------ cursor
    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self.view) - 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._lines.clear()  # cursor highlight moved; cheap: only visible lines re-render
        self._scroll_to_row(new)
        self.refresh()
        if old != new:
            self.post_message(self.Moved(new))

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = len(self.view) - 1

    def action_page_up(self) -> None:
        self.cursor_row -= self._page

    def action_page_down(self) -> None:
        self.cursor_row += self._page

    def action_select(self) -> None:
        if (record := self.current) is not None:
            self.post_message(self.Selected(record))

    def on_click(self, event: events.Click) -> None:
        row = self._row_at(event.y)
        if row is not None:
            self.cursor_row = row
            if event.chain >= 2:
                self.action_select()

    # ------------------------------------------------------------------ rendering
    def _row_total(self) -> int:
        return len(self.view)

    def _forget(self) -> None:
        self._lines.clear()
        self._row_styles.clear()

    def _styles_for(self, is_cursor: bool) -> tuple[Style, dict[State, Style]]:
        """Row base style and the state cell's style per state (resolved once per theme)."""
        styles = self._row_styles.get(is_cursor)
        if styles is None:
            base = self.rich_style
            if is_cursor:
                base += self.get_component_rich_style("listing-table--cursor")
                by_state = dict.fromkeys(State, base)
            else:
                get = self.get_component_rich_style
                by_state = {state: base + get(name) for state, name in _STATE_CLASSES.items()}
            styles = self._row_styles[is_cursor] = (base, by_state)
        return styles

    def layout_for(self, width: int) -> ColumnLayout:
        sku_width, cause_width = self.view.content_widths()
        key = (width, sku_width, cause_width, self.view.sort_column, self.column_offset)
        if self._layout is None or self._layout[0] != key:
            layout = plan_layout(
                width,
                sku_width=sku_width,
                cause_width=cause_width,
                sort_key=self.view.sort_column,
                offset=self.column_offset,
            )
            self._layout = (key, layout)
        return self._layout[1]

    def _past_rows(self, row: int, width: int) -> Strip:
        """Below the rows; with none, the empty text, on as many lines as it takes."""
        if self.empty_text and not self.view.rows:
            lines = wrap_cells(visible(self.empty_text), width)
            if row < len(lines):
                style = self.get_component_rich_style("listing-table--empty")
                return Strip([Segment(fit_cell(lines[row], width), style)])
        return super()._past_rows(row, width)

    def _draw_row(self, row: int, width: int) -> Strip:
        # (a column scroll clears the lines: the offset need not be in the key)
        key = (self.view.rows[row], width, row == self.cursor_row, self.has_focus, self.mark_width)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._lines[key] = self._row(self.view.record(row), width, key[2])
        return strip

    def _header(self, width: int) -> Strip:
        """Column names, the sort arrow, and ``←``/``→`` where columns are hidden."""
        style = self.get_component_rich_style("listing-table--header")
        arrow = " ▼" if self.view.reverse else " ▲"
        mark = self.mark_width
        layout = self.layout_for(width - mark)
        cells = [fit_cell(MARK, mark)] if mark else []
        for number, (col, col_width) in enumerate(layout.columns, start=1):
            label = col.header
            if col.key == self.view.sort_column:  # the arrow stays when the name is cut
                label = label[: max(1, col_width - len(arrow))] + arrow
                if cell_len(label) > col_width:
                    label = label[: col_width - 1] + arrow.strip()
            gap = "←" if number == layout.pinned and layout.hidden_left else " "
            cells.append(fit_cell(label, col_width, col.align_right) + gap)
        text = "".join(cells)
        if layout.hidden_right:
            text = set_cell_size(text, width - 1) + "→"
        return Strip([Segment(text, style)]).adjust_cell_length(width, style)

    def _row(self, record: ListingRecord, width: int, is_cursor: bool) -> Strip:
        base, by_state = self._styles_for(is_cursor)
        mark = self.mark_width
        cells = [
            fit_cell(visible(self.view.cell(col, record)), col_width, col.align_right)
            for col, col_width in self.layout_for(width - mark).columns  # Amazon's text: safe
        ]
        # The state cell (first) has its colour; the rest of the row is one segment.
        segments = [
            Segment(cells[0] + " ", by_state[record.state]),
            Segment(" ".join(cells[1:]) + " ", base),
        ]
        if mark:  # a character, not a colour: marked rows read with NO_COLOR too
            marked = record.sku in self.view.marked
            segments.insert(0, Segment(fit_cell(MARK if marked else "", mark), base))
        return Strip(segments).adjust_cell_length(width, base)
