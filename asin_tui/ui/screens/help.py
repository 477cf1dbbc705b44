"""`?`: the keys of the screen you were on, read from its real bindings (never a
hand-written table), grouped by where they act: the focused widget, the screen, the app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.geometry import Size
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Label, Static

from asin_tui.ui.safe_text import data, template
from asin_tui.ui.screens.base import DismissOnce, SizeKept
from asin_tui.ui.widgets.bullets import HangingLines

#: Textual's own screen keys that a seller can use, in words: moving between fields, listed
#: only where the screen has more than one to move between.
FOCUS_MOVES = {"app.focus_next": "Next field", "app.focus_previous": "Previous field"}


def binding_rows(
    app: App[Any], bindings: Iterable[ActiveBinding], *, fields: int = 0
) -> list[tuple[str, str, str, str]]:
    """(group, keys, description, tooltip) per action, several keys of one action merged.

    asin-tui's own keys only (each has an ``id``, the keymap's name for it), the app's, the
    screen's and its widgets': Textual's built-ins (its ctrl+q quit, "Copy selected text",
    the keys its containers and inputs bring — a VerticalScroll's scrolling, an Input's
    editing keys) are not what the screen offers, and would show their class names
    ("VerticalScroll") as a heading. Tab / shift+tab are listed, as "Next field" /
    "Previous field", when the screen has ``fields`` (focusable widgets) to move between."""

    merged: dict[tuple[int, str], list] = {}
    for active in bindings:
        binding: Binding = active.binding
        if not binding.description or binding.system:
            continue
        description = binding.description
        if not binding.id:
            if binding.action not in FOCUS_MOVES or fields < 2:
                continue
            description = FOCUS_MOVES[binding.action]
        group = _group_title(active.node)
        key = (id(active.node), binding.action)
        if key not in merged:
            merged[key] = [group, [], description, active.tooltip or binding.tooltip]
        display = app.get_key_display(binding)
        if display not in merged[key][1]:
            merged[key][1].append(display)
    return [(g, " ".join(keys), d, t) for g, keys, d, t in merged.values()]


def _group_title(node: DOMNode) -> str:
    if isinstance(node, App):
        return "Everywhere"
    if isinstance(node, Screen):
        return "On this screen"
    return getattr(node, "HELP_TITLE", type(node).__name__)


class HelpScreen(SizeKept, DismissOnce, ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close help", id="help.close")]

    def __init__(self, rows: list[tuple[str, str, str, str]], about: str, notes: str = "") -> None:
        """``notes``: what else the screen shows needs explaining (its ``HELP_NOTES``)."""
        super().__init__()
        self.rows = rows
        self.about = about
        self.notes = notes

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog", classes="dialog"):
            yield Label(template("Keys — $about", about=self.about), classes="dialog-title")
            yield KeyTable(self.rows, id="help-keys")
            if self.notes:
                # a unit joined with NBSP (the stepper's "! needs action") is never broken
                lines = data(self.notes, multiline=True).split("\n")
                yield Static(HangingLines(lines), id="help-notes")
            yield Label("Escape closes · ctrl+p searches every action by name", classes="hint")


class KeyTable(Widget):
    """The keys and what each does, grouped: a description too long for the line wraps under
    itself, never under the keys (at 80 columns several did, the key column lost)."""

    DEFAULT_CSS = "KeyTable { height: auto; }"

    def __init__(self, rows: list[tuple[str, str, str, str]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows = rows
        self._tables: dict[int, Content] = {}

    def table(self, width: int) -> Content:
        """The table as it is drawn ``width`` cells wide (its continuation lines indented)."""
        if width not in self._tables:
            self._tables[width] = self._table(width)
        return self._tables[width]

    def _table(self, width: int) -> Content:
        key_width = max((len(keys) for _, keys, _, _ in self.rows), default=4) + 2
        indent = 2 + key_width
        room = width - indent  # too little room (or none known yet): Textual wraps as it can
        lines: list[Content] = []
        group = None
        for row_group, keys, description, tooltip in self.rows:
            if row_group != group:
                group = row_group
                lines.append(Content.styled(f"{group}", "bold $text-accent"))
            hint = f" — {tooltip}" if tooltip else ""
            said = Content.assemble(description, (hint, "$text-muted"))
            first, *more = said.wrap(room) if room >= 20 else [said]
            lines.append(Content.assemble((f"  {keys:<{key_width}}", "bold"), first))
            lines += [Content(" " * indent) + line for line in more]
        return Content("\n").join(lines)

    def render(self) -> Content:
        return self.table(self.size.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.table(width).get_height(self.styles, width)  # type: ignore[arg-type]  # RenderStyles reads as the RulesMap annotated
