"""The line under the list: what the sync is doing (with a progress bar) or when it last ran."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Label, ProgressBar

from asin_tui.ui.safe_text import data


class SyncStatus(Horizontal):
    """Progress bar + one line of text. ``busy`` shows the bar."""

    def compose(self) -> ComposeResult:
        yield ProgressBar(show_eta=False, show_percentage=False, id="sync-bar")
        yield Label(id="sync-text")

    def working(
        self, text: str, done: int | None = None, total: int | None = None, *, waiting: bool = False
    ) -> None:
        """A sync step; ``waiting`` marks a pause for Amazon's rate limits."""
        self.add_class("busy")
        self.set_class(waiting, "waiting")
        bar = self.query_one(ProgressBar)
        bar.update(total=total if total else None, progress=done or 0)
        self._say(data(text))  # may quote Amazon's text

    def idle(self, text: str, *, error: bool = False) -> None:
        self.remove_class("busy", "waiting")
        self.set_class(error, "failed")
        self._say(data(text))

    def _say(self, text: Content) -> None:
        """The text, on one line (``data`` shows a line break as an escape) of a width that
        does not follow it (1fr): once laid out, a new text is a repaint, not a layout of
        the whole screen (the status changes with every page of a sync)."""
        label = self.query_one("#sync-text", Label)
        label.update(text, layout=label.size.height != 1)
