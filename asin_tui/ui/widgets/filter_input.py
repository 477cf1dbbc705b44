"""The `/` filter box: narrows the list as you type; Escape clears it."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input


class FilterInput(Input):
    HELP_TITLE = "In the filter box"
    BINDINGS = [
        Binding(
            "escape",
            "clear_filter",
            "Clear filter",
            tooltip="Empty the filter, show all rows",
            id="filter.clear",
        ),
    ]

    class Cleared(Message):
        """Escape in the filter box."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(placeholder="Filter by SKU, ASIN, title or cause", **kwargs)
        self.cursor_blink = False

    def action_clear_filter(self) -> None:
        self.value = ""
        self.post_message(self.Cleared())
