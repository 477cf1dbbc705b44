"""A point of a list ("• text") whose wrapped lines go on under its text, not under the
bullet (a hanging indent): the send confirmation's changes, the wizard's "What to do"
(BulletLine); the list items of a text drawn whole, a case draft's (HangingLines)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import Static

from asin_tui.ui.safe_text import data


class BulletLine(Horizontal):
    """ "•" and ``text`` side by side (styled by ``.bullet-line`` in the app's stylesheet).
    ``text`` may quote Amazon's words: shown terminal-safe, never as markup."""

    def __init__(self, text: str) -> None:
        super().__init__(classes="bullet-line")
        self.text = text

    def compose(self) -> ComposeResult:
        yield Static("•", classes="bullet")
        yield Static(data(self.text, multiline=True), classes="bullet-text")


#: a list item of a plain or Markdown text: "- ", "* ", "1. ", "- [ ] ", "- [x] "
_ITEM = re.compile(r" *(?:[-*]|\d{1,3}\.) (?:\[[ xX]\] )?")


class HangingLines(Visual):
    """Lines of text (each a Content, no line breaks) where a list item ("- text", "1. text",
    "- [x] text") wraps under its text, not at the left edge, as a BulletLine does: one
    widget for a whole run of lines (a case draft of hundreds of listings holds thousands
    of items; a BulletLine each would be thousands of widgets). Other lines wrap as they
    would in a Static; the markers stay as written (the text is copied as it is shown)."""

    def __init__(self, lines: Sequence[Content]) -> None:
        self.lines = list(lines)
        self._wrapped: tuple[int, list[Content]] | None = None

    def __str__(self) -> str:
        return "\n".join(line.plain for line in self.lines)

    def wrapped(self, width: int) -> list[Content]:
        """The lines as drawn ``width`` cells wide."""
        if self._wrapped is not None and self._wrapped[0] == width:
            return self._wrapped[1]
        out: list[Content] = []
        for line in self.lines:
            item = _ITEM.match(line.plain)
            hang = item.end() if item else 0
            if not hang or width - hang < 10:  # too narrow to hang: wrapped as it is
                out.extend(line.wrap(width))
                continue
            body = line[hang:].wrap(width - hang)
            out.append(line[:hang] + body[0])
            out.extend(Content(" " * hang) + rest for rest in body[1:])
        self._wrapped = (width, out)
        return out

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        if not width:
            return []
        return Content("\n").join(self.wrapped(width)).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return max((line.cell_length for line in self.lines), default=0)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self.wrapped(width))
