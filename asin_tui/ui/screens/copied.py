"""What `c`/`C` copied, and how: asin-tui cannot know whether the clipboard got it.

Textual's ``App.copy_to_clipboard`` sends the text to the terminal as an OSC 52 escape
sequence; the terminal may put it on the system clipboard or ignore it (tmux does by default,
as do some terminals and most SSH set-ups without it enabled). So the dialog says how the text
was sent, never "Copied", and shows the text itself where it can be selected with the mouse.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from asin_tui.ui.safe_text import data
from asin_tui.ui.screens.base import DismissOnce, SizeKept

HOW = "Sent to the terminal's clipboard (OSC 52)"
IF_NOT = (
    "If pasting gives nothing, your terminal does not take OSC 52 (in tmux: "
    "set -g set-clipboard on): select the text above instead (shift+drag in most terminals)."
)


class CopiedScreen(SizeKept, DismissOnce, ModalScreen[None]):
    """``what`` (e.g. "the SKU") sent to the clipboard; ``text`` shown to select."""

    BINDINGS = [Binding("escape,enter", "close", "Close", id="copied.close")]

    def __init__(self, what: str, text: str) -> None:
        super().__init__()
        self.what = what
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="copied-dialog", classes="dialog"):
            yield Label(data(f"{HOW}: {self.what}"), classes="dialog-title")
            yield Static(data(self.text), id="copied-text")
            yield Static(IF_NOT, classes="hint", markup=False)
            yield Label("Enter or Escape closes", classes="hint")

    def action_close(self) -> None:
        self.dismiss()
