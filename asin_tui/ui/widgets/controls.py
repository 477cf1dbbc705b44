"""Form controls that read as controls everywhere and keep typing as typing.

Use these instead of Textual's ``Checkbox`` and ``Select`` in every screen (``Input`` and
``TextArea`` already behave; the app stylesheet gives all four a visible frame):

- while one of them has focus, a printable key never fires a screen's or the app's letter
  binding (``check_consume_key``): a seller typing into what looks like a field never presses
  ``n`` (next), ``s`` (submit) or ``q`` (quit) by accident;
- :class:`TickBox` draws ``[x]`` / ``[ ]``: ticked and unticked differ without colour
  (``NO_COLOR``, a monochrome terminal), where Textual's ``▐X▌`` differs only by colour;
- :class:`Choice` opens its list on a typed letter and jumps to the matching option, and its
  type-ahead never picks the "Choose…" placeholder; Enter on it is the screen's, as in a field.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Checkbox, Select
from textual.widgets._select import SelectCurrent, SelectOverlay


def is_typing(character: str | None) -> bool:
    """A key that types text (a letter, a digit, punctuation, a space)."""
    return character is not None and character.isprintable()


class TickBox(Checkbox, inherit_bindings=False):
    """A checkbox drawn ``[x]`` / ``[ ]`` that keeps letters from firing bindings. Space ticks
    it; Enter is left to the screen (the wizard's Enter: the next step, as in a text field)."""

    BINDINGS = [
        Binding("space", "toggle_button", "Tick", tooltip="Tick or untick", id="checkbox.tick")
    ]

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return is_typing(character)

    @property
    def _button(self) -> Content:  # ToggleButton draws this left of the label
        style = self.get_visual_style("toggle--button")
        mark = "x" if self.value else " "
        return Content.assemble("[", (mark, style), "]")


class ChoiceOverlay(SelectOverlay):
    """The list of choices; type-ahead skips the blank "Choose…" entry."""

    def _find_search_match(self, query: str) -> int | None:
        select = self.parent
        skip_blank = isinstance(select, Select) and select._allow_blank
        best, best_at = None, None
        for index, option in enumerate(self._options):
            if skip_blank and index == 0:
                continue
            prompt = option.prompt
            text = prompt if isinstance(prompt, str) else getattr(prompt, "plain", None)
            if not isinstance(text, str):
                continue
            at = text.casefold().find(query.casefold())
            if at != -1 and (best_at is None or at < best_at):
                best, best_at = index, at
        return best


class Choice(Select, inherit_bindings=False):
    """A drop-down whose letters open it at the first match (never a command). Enter is left
    to the screen, as in a text field (the wizard's Enter: the next step, as its hint says);
    Space and the arrows open the list, and in the open list Enter picks."""

    HELP_TITLE = "In a drop-down"
    BINDINGS = [
        Binding(
            "down,space,up",
            "show_overlay",
            "Open",
            tooltip="Show the choices (a letter opens them at a match)",
            show=False,
            id="choice.open",
        )
    ]

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return is_typing(character)

    def compose(self) -> ComposeResult:
        yield SelectCurrent(self.prompt)
        yield ChoiceOverlay(type_to_search=self._type_to_search).data_bind(compact=Select.compact)

    async def _on_key(self, event: events.Key) -> None:
        if self.expanded or event.key == "space" or not is_typing(event.character):
            return
        event.stop()
        event.prevent_default()
        self.expanded = True  # focuses the list; the letter searches it
        self.query_one(ChoiceOverlay).post_message(events.Key(event.key, event.character))
