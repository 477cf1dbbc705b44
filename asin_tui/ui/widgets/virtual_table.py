"""What the ASIN list (listing_table.py) and the bulk wizard's grid (bulk_grid.py) share: a
ScrollView that draws a header line and only the rows in view (``render_line``), keeps
rendered lines in an LRU of its own, and forgets them when its styles, focus or size change.

A subclass says how many rows it has (``_row_total``), draws the header (``_header``) and a
row (``_draw_row``), and forgets what it cached (``_forget``); the cursor, the page size, the
row under a click and the vertical scroll that keeps the cursor in view are the same for both.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


class VirtualTable(ScrollView):
    """A header line, then rows drawn on demand (see the module's doc)."""

    DEFAULT_CSS = """
    VirtualTable {
        height: 1fr;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
    }
    """

    def _row_total(self) -> int:
        """How many rows there are."""
        raise NotImplementedError

    def _header(self, width: int) -> Strip:
        raise NotImplementedError

    def _draw_row(self, row: int, width: int) -> Strip:
        """Row ``row`` (0-based, below the header), ``width`` cells wide."""
        raise NotImplementedError

    def _past_rows(self, row: int, width: int) -> Strip:
        """A line below the last row."""
        return Strip.blank(width, self.rich_style)

    def _forget(self) -> None:
        """Drop what was rendered (styles, lines): drawn again on demand."""

    def _resized(self) -> None:
        """After the widget's size changed (its virtual size set)."""

    # ------------------------------------------------------------------ rows in view
    @property
    def _page(self) -> int:
        """Rows in view (the header line excepted)."""
        return max(1, self.scrollable_content_region.height - 1)

    def _row_at(self, y: int) -> int | None:
        """The row at line ``y`` of the widget (a click's); None: the header, or no row."""
        if y < 1:
            return None
        row = round(self.scroll_y) + y - 1
        return row if row < self._row_total() else None

    def _scroll_to_row(self, row: int) -> None:
        """Scroll the least that puts ``row`` in view."""
        top = round(self.scroll_y)
        if row < top:
            self.scroll_to(y=row, animate=False)
        elif row >= top + self._page:
            self.scroll_to(y=row - self._page + 1, animate=False)

    def _refresh_rows(self, rows: Iterable[int]) -> None:
        """Draw again only the lines of ``rows`` that are in view (not the whole table: a
        frame then composes two lines, not every line of the widget)."""
        top, width = round(self.scroll_y), self.size.width
        for row in rows:
            line = row - top + 1
            if 1 <= line < self.size.height:
                self.refresh(Region(0, line, width, 1))

    def _size_rows(self) -> None:
        """The scrollable height: the rows and the header."""
        self.virtual_size = Size(self.size.width, self._row_total() + 1)

    # ------------------------------------------------------------------ drawing
    def on_resize(self) -> None:
        self._size_rows()
        self._resized()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._forget()

    def on_focus(self) -> None:
        self._forget()

    def on_blur(self) -> None:
        self._forget()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header(width)
        row = round(self.scroll_y) + y - 1
        if row >= self._row_total():
            return self._past_rows(row, width)
        return self._draw_row(row, width)
