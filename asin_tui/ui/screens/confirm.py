"""Confirmations: a question whose answer is No unless the user deliberately says otherwise.

:class:`SendConfirmScreen` comes before anything is written to the seller's account (a patch, a
deletion, a bulk fix): it names the SKU, the marketplace and each change in words, and answers
``True`` only for ctrl+s (or a click on the send button). Focus starts on "No", so Enter, Space
and Escape all cancel, and no letter confirms: a seller who goes on typing after a stray
keystroke opened it cannot send anything. Build a :class:`Confirmation` and push
``SendConfirmScreen(confirmation)`` with a callback that acts only on ``True``.

:class:`ConfirmScreen` asks a local yes/no question (replace a file): No has the focus, Enter
on it, Escape and `n` answer No; only the named button or `y` (inside this dialog only) answer
yes. Both dismiss with True (yes) or False.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from asin_tui.ui.safe_text import data
from asin_tui.ui.screens.base import DismissOnce

CONFIRM_KEY = "ctrl+s"


def confirm_key(app: object) -> str:
    """The key that confirms, as remapped in the config's [keymap] (ctrl+s by default)."""
    keymap = getattr(app, "user_keymap", None) or {}
    return str(keymap.get("confirm.send", CONFIRM_KEY)).split(",")[0]


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What a write will do, in words (every text is shown as plain text, never markup)."""

    title: str  # "Send these changes to Amazon?"
    sku: str
    marketplace: str  # "Germany (DE, A1PA6795UKMFR9)"
    changes: Sequence[str]  # one sentence each: "Set quantity to 12 (was 0)"
    action: str = "Send"  # the verb on the confirm button: "Send", "Delete the offer"
    warning: str = ""  # said above the keys, e.g. "Amazon's preview said INVALID"
    sku_label: str = "SKU"  # "SKUs" for a batch (``sku`` then names them)


class ConfirmButton(Button, can_focus=False):
    """The confirm button: clicked with the mouse, never reached with Tab (so Tab, Enter or
    Space typed by mistake cannot press it); the keyboard confirms with ctrl+s."""


class ChangesView(VerticalScroll, can_focus=False):
    """The list of changes; scrolled with the dialog's arrow keys, never focused."""


class SendConfirmScreen(DismissOnce, ModalScreen[bool]):
    HELP_TITLE = "Confirm the changes"
    BINDINGS = [
        Binding(
            CONFIRM_KEY,
            "confirm",
            "Confirm",
            tooltip="Do it: write the changes to the seller account",
            id="confirm.send",  # the keymap refuses a key that typing can produce
        ),
        Binding("escape,n", "cancel", "No", tooltip="Do nothing", id="confirm.cancel"),
        Binding("up,pageup", "scroll(-5)", "Scroll up", show=False, id="confirm.scroll_up"),
        Binding("down,pagedown", "scroll(5)", "Scroll down", show=False, id="confirm.scroll_down"),
    ]

    def __init__(self, confirmation: Confirmation) -> None:
        super().__init__()
        self.confirmation = confirmation

    def compose(self) -> ComposeResult:
        c, key = self.confirmation, confirm_key(self.app)
        with Vertical(id="send-dialog", classes="dialog"):
            yield Label(data(c.title), classes="dialog-title")
            yield Static(data(f"{c.sku_label + ':':<14}{c.sku}"), id="send-sku")
            yield Static(data(f"Marketplace:  {c.marketplace}"), id="send-marketplace")
            with ChangesView(id="send-changes"):
                changes = "\n".join(f"• {change}" for change in c.changes)
                yield Static(data(changes, multiline=True))
            if c.warning:
                yield Static(data(c.warning), id="send-warning", classes="warning")
            yield Static(
                data(f"{key}: {c.action.lower()} · Enter, Escape or n: no, change nothing"),
                classes="hint",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("No, change nothing", id="send-no")
                yield ConfirmButton(f"{c.action} ({key})", variant="warning", id="send-yes")

    def on_mount(self) -> None:
        self.query_one("#send-no", Button).focus()
        self.call_after_refresh(self._fit)

    def on_resize(self) -> None:
        self.query_one(ChangesView).styles.max_height = None  # the stylesheet's, then fitted
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        """The keys line and the buttons stay inside the dialog on a short terminal (at 80x24
        a batch's SKUs, its changes and its warning need more lines than the dialog has): the
        list of changes, which scrolls (↑ ↓), gives up the lines the rest needs (one kept)."""
        dialog, changes = self.query_one("#send-dialog"), self.query_one(ChangesView)
        last = dialog.children[-1]
        overflow = last.region.bottom + last.styles.margin.bottom - dialog.content_region.bottom
        if overflow > 0 and changes.region.height > 1:
            changes.styles.max_height = max(1, changes.region.height - overflow)

    def action_scroll(self, lines: int) -> None:
        self.query_one(ChangesView).scroll_relative(y=lines, animate=False)

    @on(Button.Pressed, "#send-yes")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#send-no")
    def action_cancel(self) -> None:
        self.dismiss(False)


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
            yield Label(data(self.title_text), classes="dialog-title")
            yield Static(data(self.detail), id="confirm-detail")
            with Horizontal(classes="dialog-buttons"):
                yield Button("No", variant="primary", id="confirm-no")
                yield Button(data(f"{self.yes_label} (y)"), variant="error", id="confirm-yes")
            # in words too: with NO_COLOR the focused button does not stand out
            yield Label(
                data(f"Enter, n or Escape: No (the default) · y: {self.yes_label}"), classes="hint"
            )

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
