"""One line above the list while "All listings" shows only part of the account (no full
sync yet): how many it shows, how many the account has, and the key that fetches them all.
In the At risk view: how old its days of cover are (``say``)."""

from __future__ import annotations

from textual.widgets import Static

from asin_tui.ui.presentation import partial_scope_text
from asin_tui.ui.safe_text import data


class ScopeNotice(Static):
    def show(self, shown: int | None, total: int | None, *, fetching: bool) -> None:
        """``shown`` None: the view is complete (or not "all"): hidden."""
        self.display = shown is not None
        self.remove_class("info")
        if shown is not None:
            self.update(partial_scope_text(shown, total, fetching=fetching))

    def say(self, text: str) -> None:
        """A line of information (not a warning) about the view shown."""
        self.display = True
        self.add_class("info")
        self.update(data(text))
