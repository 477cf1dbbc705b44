"""One line above the list while "All listings" shows only part of the account (no full
sync yet): how many it shows, how many the account has, and the key that fetches them all."""

from __future__ import annotations

from textual.widgets import Static

from asin_tui.ui.presentation import partial_scope_text


class ScopeNotice(Static):
    def show(self, shown: int | None, total: int | None, *, fetching: bool) -> None:
        """``shown`` None: the view is complete (or not "all"): hidden."""
        self.display = shown is not None
        if shown is not None:
            self.update(partial_scope_text(shown, total, fetching=fetching))
