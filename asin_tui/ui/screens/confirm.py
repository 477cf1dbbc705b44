"""Confirmations: a question whose answer is No unless the user deliberately says otherwise.

:class:`SendConfirmScreen` comes before anything is written to the seller's account (a patch, a
deletion, a bulk fix): it names the SKU, the marketplace and each change in words (a batch:
each distinct change once with how many listings it is made to, then every listing's line,
drawn only as it is scrolled into view: :class:`ListingLines`), and answers
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

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Button, Label, Static

from asin_tui.ui.safe_text import data, plain
from asin_tui.ui.screens.base import DismissOnce, SizeKept
from asin_tui.ui.widgets.bullets import BulletLine

CONFIRM_KEY = "ctrl+s"
#: Terminals shorter than this show a batch's confirmation without blank lines between its
#: parts (SendConfirmScreen._tighten)
TIGHT_BELOW = 32


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
    changes: Sequence[str]  # one sentence each: "Set quantity to 12 (was 0)"; a batch's grouped
    action: str = "Send"  # the verb on the confirm button: "Send", "Delete the offer"
    warning: str = ""  # said above the keys, e.g. "Amazon's preview said INVALID"
    sku_label: str = "SKU"  # "SKUs" for a batch (``sku`` then names them)
    #: a batch: one line per listing ("SKU-1: Set quantity to 12 (was 0)"), listed under the
    #: changes; read only when scrolled into view (a lazy sequence costs the dialog nothing)
    listings: Sequence[str] = ()


class ConfirmButton(Button, can_focus=False):
    """The confirm button: clicked with the mouse, never reached with Tab (so Tab, Enter or
    Space typed by mistake cannot press it); the keyboard confirms with ctrl+s."""


class ChangesView(VerticalScroll, can_focus=False):
    """The list of changes (and a batch's listings); scrolled with the dialog's keys, never
    focused."""


class ListingLines(Widget):
    """A batch's listings under its changes, one line each ("SKU-1: Set quantity to 12 (was
    0)"), after a title line. Only the lines scrolled into view are drawn (Textual's line
    API: the dialog's scroll asks for the visible ones), each read from ``listings`` when
    drawn: a batch of 20,000 listings costs the dialog what one of 20 does (every listing's
    change was drawn into one Static before: thousands of lines rendered, laid out, and
    freed as the dialog closed). A line wider than the dialog is cut, with an ellipsis."""

    DEFAULT_CSS = """
    ListingLines {
        height: auto;
        margin-top: 1;
    }
    """

    def __init__(self, listings: Sequence[str]) -> None:
        super().__init__(id="send-listings")
        self.listings = listings
        self.heading = f"Each listing ({len(listings)}; ↑ ↓ PageUp PageDown Home End scroll):"

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1 + len(self.listings)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            text = self.heading
        elif y <= len(self.listings):
            text = "  " + plain(self.listings[y - 1])
        else:
            text = ""
        if cell_len(text) > width:
            text = set_cell_size(text, max(0, width - 1)) + "…"
        style = self.rich_style
        return Strip([Segment(text, style)]).adjust_cell_length(width, style)


class SendConfirmScreen(SizeKept, DismissOnce, ModalScreen[bool]):
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
        Binding("up", "scroll(-1)", "Scroll up", show=False, id="confirm.scroll_up"),
        Binding("down", "scroll(1)", "Scroll down", show=False, id="confirm.scroll_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="confirm.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="confirm.page_down"),
        Binding("home", "ends(False)", "Top", show=False, id="confirm.top"),
        Binding("end", "ends(True)", "Bottom", show=False, id="confirm.bottom"),
    ]

    def __init__(self, confirmation: Confirmation) -> None:
        super().__init__()
        self.confirmation = confirmation

    def compose(self) -> ComposeResult:
        c, key = self.confirmation, confirm_key(self.app)
        with Vertical(id="send-dialog", classes="dialog"):
            yield Label(data(c.title), classes="dialog-title")
            # name, then value; a value's wrapped lines stay under the value (a batch's SKUs
            # wrapped to the dialog's left edge, under "SKUs:")
            for name, value, id_ in (
                (c.sku_label, c.sku, "send-sku"),
                ("Marketplace", c.marketplace, "send-marketplace"),
            ):
                with Horizontal(id=id_, classes="dialog-field"):
                    yield Static(data(f"{name}:"), classes="field-name")
                    yield Static(data(value), classes="field-value")
            with ChangesView(id="send-changes"):
                # a bullet each; a change's wrapped lines go on under its text, not under
                # the bullet (the continuation of a batch's grouped change read as a line
                # of its own)
                for change in c.changes:
                    yield BulletLine(change)
                if c.listings:
                    yield ListingLines(c.listings)
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
        self._tighten()
        self.call_after_refresh(self._fit)

    def on_resize(self, event: events.Resize) -> None:  # SizeKept's runs after it
        self.query_one(ChangesView).styles.max_height = None  # the stylesheet's, then fitted
        self._tighten()
        self.call_after_refresh(self._fit)

    def _tighten(self) -> None:
        """A batch on a short terminal: no blank lines between the dialog's parts. At 80x24
        its SKUs, changes, warning, keys and buttons left the list of listings no line to
        show one listing in (only its heading); the blank lines go to the list instead."""
        short = self.app.size.height < TIGHT_BELOW
        self.query_one("#send-dialog").set_class(
            short and bool(self.confirmation.listings), "-tight"
        )

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

    def action_page(self, pages: int) -> None:
        view = self.query_one(ChangesView)
        view.scroll_relative(
            y=pages * max(1, view.scrollable_content_region.height - 1), animate=False
        )

    def action_ends(self, bottom: bool) -> None:
        view = self.query_one(ChangesView)
        view.scroll_to(y=view.max_scroll_y if bottom else 0, animate=False)

    @on(Button.Pressed, "#send-yes")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#send-no")
    def action_cancel(self) -> None:
        self.dismiss(False)


class ConfirmScreen(SizeKept, DismissOnce, ModalScreen[bool]):
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
