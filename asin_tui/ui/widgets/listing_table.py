"""A virtual table for the ASIN list: renders only the visible rows, so 100,000 listings
paint as fast as 100 (toolong's approach: a ScrollView with ``render_line`` and an LRU
of rendered lines).

The rows come from a :class:`~asin_tui.ui.listing_view.ListingView`; the widget owns the
cursor and the column layout. Column widths are fixed and the title takes what is left;
when the terminal is narrow the least useful columns step aside (state shows its symbol only,
then the wizard and since columns go).
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from asin_tui.domain.models import ListingRecord, State
from asin_tui.domain.text import visible
from asin_tui.ui.listing_view import COLUMNS, Column, ListingView, column
from asin_tui.ui.presentation import state_class

TITLE_MIN = 12
CAUSE_MAX = 34
# Columns join the layout in this order while they fit; the title always gets the rest.
_PRIORITY = ("state", "sku", "cause", "stock", "asin", "price", "progress", "since")
_STATE_NARROW = 2  # the symbol alone
_STATE_CLASSES = {state: f"listing-table--{state_class(state)}" for state in State}

Layout = tuple[tuple[Column, int], ...]


def plan_layout(width: int) -> Layout:
    """Columns (in display order) and their widths for a table ``width`` cells wide."""
    for state_width in (column("state").width, _STATE_NARROW):
        chosen = _fit(width, state_width)
        if len(chosen) == len(COLUMNS) or state_width == _STATE_NARROW:
            return chosen
    raise AssertionError("unreachable")


def _fit(width: int, state_width: int) -> Layout:
    widths = {"state": state_width}
    used = state_width + 1 + TITLE_MIN + 1  # a one-cell gap after each column
    for key in _PRIORITY[1:]:
        need = column(key).width + 1
        if used + need > width:
            break
        widths[key] = column(key).width
        used += need
    extra = max(0, width - used)
    if "cause" in widths:  # a wide terminal shows more of the cause too
        grow = min(extra // 3, CAUSE_MAX - widths["cause"])
        widths["cause"] += grow
        extra -= grow
    widths["title"] = TITLE_MIN + extra
    return tuple((c, widths[c.key]) for c in COLUMNS if c.key in widths)


def fit_cell(text: str, width: int, align_right: bool = False) -> str:
    """Pad or crop ``text`` to exactly ``width`` cells, marking a crop with an ellipsis."""
    length = cell_len(text)
    if length > width:
        # Narrow cells (the state symbol alone) crop clean; wider ones mark the cut.
        return set_cell_size(text, width - 1) + "…" if width > 3 else set_cell_size(text, width)
    pad = " " * (width - length)
    return pad + text if align_right else text + pad


class ListingTable(ScrollView, can_focus=True, inherit_bindings=False):
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
    ]

    COMPONENT_CLASSES = {
        "listing-table--header",
        "listing-table--cursor",
        "listing-table--empty",
        *_STATE_CLASSES.values(),
    }

    DEFAULT_CSS = """
    ListingTable {
        height: 1fr;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
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

    def __init__(self, view: ListingView, *, name=None, id=None, classes=None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.view = view
        self.empty_text = ""  # what the first row says when there are no rows
        self._lines: LRUCache[tuple[int, int, bool, bool], Strip] = LRUCache(1024)
        self._layout: tuple[int, Layout] | None = None
        self._row_styles: dict[bool, tuple[Style, dict[State, Style]]] = {}

    # ------------------------------------------------------------------ data changes
    def rows_changed(self, *, keep_sku: str | None = None) -> None:
        """Call after the view's rows changed (filter, sort, state, new data)."""
        self._lines.clear()
        self.virtual_size = Size(self.size.width, len(self.view) + 1)
        row = self.view.row_of(keep_sku) if keep_sku else None
        self.cursor_row = row if row is not None else min(self.cursor_row, len(self.view) - 1)
        self.refresh()

    @property
    def current(self) -> ListingRecord | None:
        if 0 <= self.cursor_row < len(self.view):
            return self.view.record(self.cursor_row)
        return None

    # ------------------------------------------------------------------ cursor
    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self.view) - 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._lines.clear()  # cursor highlight moved; cheap: only visible lines re-render
        top = round(self.scroll_y)
        if new < top:
            self.scroll_to(y=new, animate=False)
        elif new >= top + self._page:
            self.scroll_to(y=new - self._page + 1, animate=False)
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
        if event.y < 1:
            return
        row = round(self.scroll_y) + event.y - 1
        if row < len(self.view):
            self.cursor_row = row
            if event.chain >= 2:
                self.action_select()

    # ------------------------------------------------------------------ rendering
    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.view) + 1)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._forget_rendering()

    def on_focus(self) -> None:
        self._forget_rendering()

    def on_blur(self) -> None:
        self._forget_rendering()

    def _forget_rendering(self) -> None:
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

    def layout_for(self, width: int) -> Layout:
        if self._layout is None or self._layout[0] != width:
            self._layout = (width, plan_layout(width))
        return self._layout[1]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header(width)
        row = round(self.scroll_y) + y - 1
        if row >= len(self.view):
            if row == 0 and self.empty_text:
                style = self.get_component_rich_style("listing-table--empty")
                return Strip([Segment(fit_cell(self.empty_text, width), style)])
            return Strip.blank(width, self.rich_style)
        key = (self.view.rows[row], width, row == self.cursor_row, self.has_focus)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._lines[key] = self._row(self.view.record(row), width, key[2])
        return strip

    def _header(self, width: int) -> Strip:
        style = self.get_component_rich_style("listing-table--header")
        arrow = " ▼" if self.view.reverse else " ▲"
        segments = []
        for col, col_width in self.layout_for(width):
            label = col.header + (arrow if col.key == self.view.sort_column else "")
            segments.append(Segment(fit_cell(label, col_width, col.align_right) + " ", style))
        return Strip(segments).adjust_cell_length(width, style)

    def _row(self, record: ListingRecord, width: int, is_cursor: bool) -> Strip:
        base, by_state = self._styles_for(is_cursor)
        cells = [
            fit_cell(visible(self.view.cell(col, record)), col_width, col.align_right)
            for col, col_width in self.layout_for(width)  # cells are Amazon's text: shown safe
        ]
        # The state cell (first) has its colour; the rest of the row is one segment.
        segments = [
            Segment(cells[0] + " ", by_state[record.state]),
            Segment(" ".join(cells[1:]) + " ", base),
        ]
        return Strip(segments).adjust_cell_length(width, base)
