"""A yes/no question whose answer is No unless the user deliberately says otherwise:
No has the focus, Enter on it, Escape and `n` answer No; only the named button or `y` (inside
this dialog only) answer yes. Dismisses with True (yes) or False."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from asin_tui.ui.safe_text import data
from asin_tui.ui.screens.base import DismissOnce


class ConfirmScreen(DismissOnce, ModalScreen[bool]):
    BINDINGS = [
        Binding("escape,n", "answer(False)", "No", id="confirm.no"),
        Binding("y", "answer(True)", "Yes", show=False, id="confirm.yes"),
    ]

    def __init__(self, title: str, detail: str, yes_label: str) -> None:
        """``detail`` is shown literally (it may name a file or data from Amazon)."""
        super().__init__()
        self.title_text = title
        self.detail = detail
        self.yes_label = yes_label

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog", classes="dialog"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield Static(data(self.detail), id="confirm-detail")
            with Horizontal(classes="dialog-buttons"):
                yield Button("No", variant="primary", id="confirm-no")
                yield Button(f"{self.yes_label} (y)", variant="error", id="confirm-yes")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.action_answer(False)

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.action_answer(True)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
