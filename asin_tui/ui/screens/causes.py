"""The cause view (`v` in the list): the causes across the listings in scope, with how many
listings each blocks, most first. Enter shows the list narrowed to one cause; `b` opens the
bulk wizard for its listings when a patch fixes it, else its bulk action (approval links,
one case draft, a removal-order list). The counts come from domain.causes.count_causes,
computed by the list off the UI thread."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from asin_tui.domain.causes import CauseCount, bulk_action, bulk_columns
from asin_tui.domain.change_words import counted, listings
from asin_tui.domain.text import shortened
from asin_tui.ui.safe_text import data
from asin_tui.ui.screens.base import DismissOnce, SizeKept

FILTER, BULK = "filter", "bulk"
#: The most characters of a cause's words a line of the view shows (then "…")
LABEL_CHARS = 120


@dataclass(frozen=True, slots=True)
class CauseChosen:
    """What the seller asked for: FILTER the list to ``cause``, or its BULK fix/action."""

    what: str
    cause: CauseCount


def cause_line(cause: CauseCount) -> Content:
    """'Missing: brand — 13  (b: bulk fix)': the cause's words, how many listings it blocks,
    and what `b` does for it."""
    if bulk_columns(cause.key):
        does = "b: bulk fix"
    elif (action := bulk_action(cause.key)) is not None:
        does = f"b: {action}"
    else:
        does = ""
    # the words may quote Amazon (an attribute's name): any length, cut to two lines' worth
    line = data(f"{shortened(cause.label, LABEL_CHARS)} — {cause.count}")
    return Content.assemble(line, (f"  ({does})", "$text-muted")) if does else line


def causes_title(causes: Sequence[CauseCount], scope: str) -> str:
    """'Causes — every listing: 32 causes, found on 94 listings': how many listings have a
    cause (the list's own count holds the ones with none: Active, Parent), each counted once
    however many of the causes it has."""
    total = len({i for c in causes for i in c.rows})
    return f"Causes — {scope}: {counted(len(causes), 'cause')}, found on {listings(total)}"


class CauseList(OptionList):
    HELP_TITLE = "Causes"


class CauseScreen(SizeKept, DismissOnce, ModalScreen[CauseChosen | None]):
    HELP_TITLE = "Causes"
    BINDINGS = [
        Binding("escape,v", "close", "Close", tooltip="Back to the list", id="causes.close"),
        Binding(
            "b",
            "bulk",
            "Bulk",
            tooltip="Fix this cause's listings together (bulk wizard), or its bulk action",
            id="causes.bulk",
        ),
    ]

    def __init__(self, causes: Sequence[CauseCount], scope: str) -> None:
        super().__init__()
        self.causes = list(causes)
        self.scope = scope

    def compose(self) -> ComposeResult:
        with Vertical(id="causes-dialog", classes="dialog"):
            yield Label(data(causes_title(self.causes, self.scope)), classes="dialog-title")
            options = [Option(cause_line(c), id=str(n)) for n, c in enumerate(self.causes)]
            if not options:
                options = [Option("No cause: nothing in scope needs attention", disabled=True)]
            yield CauseList(*options, id="causes")
            yield Label(
                "Enter: show its listings · b: fix them together · Escape: back", classes="hint"
            )

    def on_mount(self) -> None:
        self.query_one(CauseList).focus()

    def _current(self) -> CauseCount | None:
        index = self.query_one(CauseList).highlighted
        if index is None or not self.causes:
            return None
        return self.causes[index]

    @on(OptionList.OptionSelected)
    def _selected(self) -> None:
        if (cause := self._current()) is not None:
            self.dismiss(CauseChosen(FILTER, cause))

    def action_bulk(self) -> None:
        if (cause := self._current()) is None:
            return
        if not bulk_columns(cause.key) and bulk_action(cause.key) is None:
            self.notify(
                f"{cause.label}: no bulk fix; open a listing's wizard (w) from the list",
                timeout=5,
            )
            return
        self.dismiss(CauseChosen(BULK, cause))

    def action_close(self) -> None:
        self.dismiss(None)
