"""The bulk wizard's grid: a virtual table that draws only the rows in view.

Like the ASIN list (listing_table.py: both are a virtual_table.VirtualTable, a ScrollView
with ``render_line`` and an LRU of rendered lines), it keeps no cell objects of its own: each cell's text is asked of the
screen (``source(row, column key)``) when its line is drawn, and only the lines drawn lately
are kept. Textual's DataTable kept a rendered Text, its segments and a cached Strip for
every cell of every row drawn — tens of thousands of objects for 500 rows that every full
pass of the garbage collector walked, a pause a keystroke waited for while a batch ran.

The SKU (and, when some row has one, the ``!`` column: blocked by another cause too) are
pinned; the value columns, each after the listing's current value (``now``), follow, and the
Answer column takes the width left (cut with ``…``: the screen shows the cursor row's whole
answer under the grid). Columns that do not fit scroll with the cursor (the header marks
them ``←``/``→``). The cursor moves between the value columns only: the others are there to
read, and Enter on any cell edits one.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.message import Message
from textual.strip import Strip

from asin_tui.domain.text import visible
from asin_tui.ui.widgets.listing_table import fit_cell as fit
from asin_tui.ui.widgets.virtual_table import VirtualTable

#: Column kinds. KEY and FLAG are pinned at the left; NOW and ANSWER are read only.
KEY, FLAG, NOW, VALUE, ANSWER = "key", "flag", "now", "value", "answer"
#: Widest a column is drawn (longer values are cut with …; the editor and the line under
#: the grid show them whole); the Answer column takes what is left of the width.
MAX_WIDTH = {KEY: 40, FLAG: 1, NOW: 20, VALUE: 30}
#: The most cells a heading widens its column to: a heading is an attribute's name, which
#: Amazon's issue gives (a 10,000-character name made a column wider than any terminal)
LABEL_WIDTH = 40
ANSWER_MIN = 12  # fewer cells left than this: the Answer column scrolls (→) instead
GAP = 2  # cells between columns
#: What a cell's text is drawn as: "" plain, DIM (a current value), HINT (a suggestion).
DIM, HINT = "dim", "hint"

#: ``source(row, column key)`` → (text, kind): the cell's text and how it is drawn.
CellSource = Callable[[int, str], tuple[str, str]]


@dataclass(frozen=True, slots=True)
class GridColumn:
    key: str
    label: str
    kind: str = VALUE

    @property
    def editable(self) -> bool:
        return self.kind == VALUE


@dataclass(frozen=True, slots=True)
class _Layout:
    shown: tuple[tuple[int, int], ...]  # (column index, width) in display order
    pinned: int  # how many of ``shown`` are pinned
    hidden_left: bool
    hidden_right: bool

    @property
    def shown_columns(self) -> tuple[int, ...]:
        return tuple(index for index, _ in self.shown)


@dataclass
class _CellMessage(Message):
    """A message about the cell at ``coordinate`` of ``grid``."""

    grid: BulkGrid
    coordinate: Coordinate

    @property
    def control(self) -> BulkGrid:
        return self.grid


class BulkGrid(VirtualTable, can_focus=True, inherit_bindings=False):
    """Rows of cells drawn from ``source``; Enter posts :class:`BulkGrid.CellSelected`, a
    cursor move :class:`BulkGrid.CellHighlighted`."""

    HELP_TITLE = "In the grid"

    BINDINGS = [
        Binding("up", "cursor(-1, 0)", "Up", show=False, id="bulk_grid.up"),
        Binding("down", "cursor(1, 0)", "Down", show=False, id="bulk_grid.down"),
        Binding(
            "left",
            "cursor(0, -1)",
            "Previous value",
            show=False,
            tooltip="The value column to the left (SKU, now and Answer are there to read)",
            id="bulk_grid.left",
        ),
        Binding(
            "right",
            "cursor(0, 1)",
            "Next value",
            show=False,
            tooltip="The value column to the right",
            id="bulk_grid.right",
        ),
        Binding("home", "first", "First row", show=False, id="bulk_grid.first"),
        Binding("end", "last", "Last row", show=False, id="bulk_grid.last"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="bulk_grid.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="bulk_grid.page_down"),
        Binding(
            "enter",
            "select",
            "Edit",
            show=False,
            tooltip="Edit this cell",
            id="bulk_grid.edit",
        ),
    ]

    COMPONENT_CLASSES = {
        "bulk-grid--header",
        "bulk-grid--cursor",
        "bulk-grid--cursor-row",
        "bulk-grid--dim",
        "bulk-grid--hint",
    }

    DEFAULT_CSS = """
    BulkGrid {
        & > .bulk-grid--header { text-style: bold; background: $panel; }
        & > .bulk-grid--cursor { background: $block-cursor-background;
                                 color: $block-cursor-foreground; text-style: bold reverse; }
        &:blur > .bulk-grid--cursor { background: $block-cursor-blurred-background;
                                      color: $foreground; text-style: underline; }
        & > .bulk-grid--cursor-row { text-style: bold; }
        & > .bulk-grid--dim { color: $text-muted; }
        & > .bulk-grid--hint { color: $text-muted; text-style: italic; }
    }
    """

    class CellHighlighted(_CellMessage):
        """The cursor moved (another row or column)."""

    class CellSelected(_CellMessage):
        """Enter (or a double click) on a cell."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns: dict[str, GridColumn] = {}
        self.row_count = 0
        self._source: CellSource = lambda row, key: ("", "")
        self._labels: list[str] = []  # per column: its heading as drawn (visible)
        self._widths: list[int] = []  # per column: its label's and widest value's cells
        self._row = 0
        self._column = 0
        self._offset = 0  # scrolling columns scrolled off to the left
        self._lines: LRUCache[int, Strip] = LRUCache(128)  # rows away from the cursor
        self._styles: dict[str, Style] = {}
        self._layout: tuple[tuple[int, int, int], _Layout] | None = None

    # ------------------------------------------------------------------ data
    def set_rows(self, columns: Sequence[GridColumn], row_count: int, source: CellSource) -> None:
        """The grid's columns (display order) and rows (cells from ``source``)."""
        self.columns = {c.key: c for c in columns}
        self.row_count = row_count
        self._source = source
        # a heading is drawn terminal-safe (an attribute's name is Amazon's data), cut to
        # LABEL_WIDTH cells
        self._labels = [visible(c.label) for c in columns]
        self._widths = [min(cell_len(label), LABEL_WIDTH) for label in self._labels]
        self._measure(range(row_count))
        self._row = 0
        self._column = self._editable_from(0, 1)
        self._forget()
        self._size_rows()

    def rows_changed(self, rows: Sequence[int], columns: Collection[str] | None = None) -> None:
        """Rows whose cells changed (in ``columns``, by key; None: any): drawn again (their
        columns widen to fit, never narrow: a grid whose columns jump while values are typed
        is hard to read). Only the changed columns are measured: an answer for each of
        2,000 rows asks for 2,000 cells, not 2,000 times every column's."""
        if self._measure(rows, columns):
            self._forget()
        else:
            for row in rows:
                self._lines.discard(row)
        self.refresh()

    def _measure(self, rows: Sequence[int] | range, keys: Collection[str] | None = None) -> bool:
        """Widen the columns (those of ``keys``; None: all) to the cells of ``rows``;
        whether any column widened."""
        widened = False
        for index, column in enumerate(self.columns.values()):
            if keys is not None and column.key not in keys:
                continue
            if column.kind == FLAG:
                width = 1
            else:
                cap = MAX_WIDTH.get(column.kind)
                width = self._widths[index]
                for row in rows:
                    width = max(width, cell_len(visible(self._source(row, column.key)[0])))
                    if cap is not None and width >= cap:
                        width = cap
                        break
            if width > self._widths[index]:
                self._widths[index] = width
                widened = True
        return widened

    def get_row_at(self, row: int) -> list[str]:
        """Row ``row``'s cells as text (what is drawn, uncut)."""
        return [self._source(row, key)[0] for key in self.columns]

    # ------------------------------------------------------------------ cursor
    @property
    def cursor_coordinate(self) -> Coordinate:
        return Coordinate(self._row, self._column)

    @property
    def cursor_key(self) -> str | None:
        """The key of the column under the cursor (None: no editable column)."""
        keys = list(self.columns)
        return keys[self._column] if 0 <= self._column < len(keys) else None

    def move_cursor(self, *, row: int | None = None, column: int | None = None) -> None:
        """Put the cursor on ``row`` / ``column`` (an index into :attr:`columns`; a column
        that is read only: the nearest value column to its right, else to its left)."""
        row = self._row if row is None else max(0, min(row, self.row_count - 1))
        if column is None:
            column = self._column
        else:
            nearest = self._editable_from(column, 1)
            column = nearest if nearest >= 0 else self._editable_from(column, -1)
        self._place(row, column)

    def _editable_from(self, start: int, step: int) -> int:
        """The first value column at or after ``start`` going ``step``; -1 when none."""
        kinds = [c.kind for c in self.columns.values()]
        index = start
        while 0 <= index < len(kinds):
            if kinds[index] == VALUE:
                return index
            index += step
        return -1

    def _place(self, row: int, column: int) -> None:
        if row < 0 or column < 0:
            return
        moved = (row, column) != (self._row, self._column)
        old = self._row
        self._row, self._column = row, column
        self._lines.discard(old)
        self._lines.discard(row)
        top, offset = round(self.scroll_y), self._offset
        in_view = top <= row < top + self._page
        self._scroll_to_cursor()  # (a vertical scroll is done after the next refresh)
        if in_view and self._offset == offset:
            self._refresh_rows((old, row))  # the two rows the cursor left and reached
        else:
            self.refresh()  # scrolled: every line moves
        if moved:
            self.post_message(self.CellHighlighted(self, self.cursor_coordinate))

    def _scroll_to_cursor(self) -> None:
        self._scroll_to_row(self._row)
        width = self.scrollable_content_region.width
        if width <= 0:
            return
        scrolling = self._scrolling()
        if self._column not in scrolling:
            return
        at = scrolling.index(self._column)
        # the value with its current value (the column before it) in view
        first = at - 1 if at > 0 and self._kind(scrolling[at - 1]) == NOW else at
        offset = min(self._offset, first)
        while offset < at and self._column not in self._plan(width, offset).shown_columns:
            offset += 1
        # on the last value column, the columns left of its current value give way to the
        # Answer (at 80 columns "quantity now", "handling_time now" and their values leave
        # it no room): each row's answer is then in view beside the value it is about
        answer = scrolling[-1]
        if self._kind(answer) == ANSWER and self._editable_from(self._column + 1, 1) < 0:
            wider = offset
            while wider < first and answer not in self._plan(width, wider).shown_columns:
                wider += 1
            if answer in self._plan(width, wider).shown_columns:
                offset = wider
        if offset != self._offset:
            self._offset = offset
            self._forget()

    def action_cursor(self, rows: int, columns: int) -> None:
        column = self._column
        if columns:
            found = self._editable_from(self._column + columns, columns)
            column = found if found >= 0 else self._column
        self._place(max(0, min(self._row + rows, self.row_count - 1)), column)

    def action_first(self) -> None:
        self._place(0, self._column)

    def action_last(self) -> None:
        self._place(max(0, self.row_count - 1), self._column)

    def action_page(self, pages: int) -> None:
        self.action_cursor(pages * self._page, 0)

    def action_select(self) -> None:
        if self.row_count and self._column >= 0:
            self.post_message(self.CellSelected(self, self.cursor_coordinate))

    def on_click(self, event: events.Click) -> None:
        row = self._row_at(event.y)
        if row is None:
            return
        x, column = 1, self._column
        for index, width in self._current_layout().shown:
            if x <= event.x < x + width + GAP and self._kind(index) == VALUE:
                column = index
            x += width + GAP
        self._place(row, column)
        if event.chain >= 2:
            self.action_select()

    # ------------------------------------------------------------------ layout
    def _kind(self, index: int) -> str:
        return list(self.columns.values())[index].kind

    def _scrolling(self) -> list[int]:
        return [i for i, c in enumerate(self.columns.values()) if c.kind not in (KEY, FLAG)]

    def _current_layout(self) -> _Layout:
        width = self.scrollable_content_region.width
        key = (width, self._offset, sum(self._widths))
        if self._layout is None or self._layout[0] != key:
            self._layout = (key, self._plan(width, self._offset))
        return self._layout[1]

    def _plan(self, width: int, offset: int) -> _Layout:
        """The columns shown in ``width`` cells with ``offset`` scrolling columns off to the
        left: the pinned ones, then the others while they fit; the Answer column gets the
        rest (at least ANSWER_MIN cells, else it waits to the right)."""
        kinds = [c.kind for c in self.columns.values()]
        pinned = [i for i, k in enumerate(kinds) if k in (KEY, FLAG)]
        shown = [(i, self._widths[i]) for i in pinned]
        room = width - 1 - sum(w + GAP for _, w in shown)
        scrolling = self._scrolling()
        offset = max(0, min(offset, len(scrolling) - 1))
        hidden_right = False
        for index in scrolling[offset:]:
            natural = self._widths[index]
            if kinds[index] == ANSWER and room >= min(ANSWER_MIN, natural):
                shown.append((index, max(natural, room - GAP) if room > natural else room))
                room = 0
                continue
            if natural > room:
                hidden_right = True
                break
            shown.append((index, natural))
            room -= natural + GAP
        return _Layout(tuple(shown), len(pinned), offset > 0, hidden_right)

    # ------------------------------------------------------------------ drawing
    def _row_total(self) -> int:
        return self.row_count

    def _resized(self) -> None:
        self._forget()
        self._scroll_to_cursor()

    def _forget(self) -> None:
        self._lines.clear()
        self._styles.clear()
        self._layout = None
        self.refresh()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            base = self.rich_style
            style = base if not name else base + self.get_component_rich_style(name)
            self._styles[name] = style
        return style

    def _draw_row(self, row: int, width: int) -> Strip:
        if row == self._row:
            return self._draw(row, width, cursor=True)
        strip = self._lines.get(row)
        if strip is None:
            strip = self._lines[row] = self._draw(row, width, cursor=False)
        return strip

    def _header(self, width: int) -> Strip:
        style = self._style("bulk-grid--header")
        layout = self._current_layout()
        labels = self._labels
        # the gaps unbolded (they look the same): an SVG of the screen then places each
        # label at its cell (one long run of bold text drifts left in some SVG renderers)
        gap = style + Style(bold=False)
        segments = [Segment(" ", gap)]
        for number, (index, col_width) in enumerate(layout.shown, start=1):
            left = layout.hidden_left and number == layout.pinned
            label = fit(labels[index], col_width).rstrip()
            segments.append(Segment(label, style))
            pad = col_width - cell_len(label)
            segments.append(Segment(" " * pad + ("← " if left else " " * GAP), gap))
        strip = Strip(segments).adjust_cell_length(width, style)
        if layout.hidden_right:
            strip = Strip.join([strip.crop(0, width - 1), Strip([Segment("→", style)])])
        return strip

    def _draw(self, row: int, width: int, *, cursor: bool) -> Strip:
        base = self._style("bulk-grid--cursor-row" if cursor else "")
        styles = {
            "": base,
            DIM: base + self._style("bulk-grid--dim"),
            HINT: base + self._style("bulk-grid--hint"),
        }
        keys = list(self.columns)
        segments = [Segment(" ", base)]
        for index, col_width in self._current_layout().shown:
            text, kind = self._source(row, keys[index])
            cell = fit(visible(text), col_width)  # Amazon's text and the seller's: safe
            if cursor and index == self._column:
                segments.append(Segment(cell, self._style("bulk-grid--cursor")))
                segments.append(Segment(" " * GAP, base))
            else:
                segments.append(Segment(cell + " " * GAP, styles.get(kind, base)))
        return Strip(segments).adjust_cell_length(width, base)
