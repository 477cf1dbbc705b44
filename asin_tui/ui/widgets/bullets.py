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
ITEM = re.compile(r" *(?:[-*]|\d{1,3}\.) (?:\[[ xX]\] )?")

#: Joins words that read as one unit ("Wrap up", "Used – Good", "! needs action"): a line
#: is never broken there. Textual's own wrapping breaks at it as at any space (Textual 8,
#: textual/_wrap.py: its chunks are ``\S+\s*`` and Python's ``\s`` takes U+00A0, as it
#: takes U+2007 and U+202F), so the lines that hold one are drawn by HangingLines, which
#: keeps it (wrap_kept) and draws it as a plain space.
NBSP = "\u00a0"
_MASK = "\ue000"  # a private-use character: one cell, no space to Textual while wrapping


def nonbreaking(text: str) -> str:
    """``text`` as one unit: its spaces joined with NBSP."""
    return text.replace(" ", NBSP)


def wrap_kept(line: Content, width: int) -> list[Content]:
    """``line`` wrapped ``width`` cells wide as Textual wraps it, except at an NBSP, which
    is drawn as a space (what a terminal shows for it, and what a copy of the screen holds)."""
    if NBSP not in line.plain:
        return line.wrap(width)
    masked = Content(line.plain.replace(NBSP, _MASK), list(line.spans))
    return [
        Content(part.plain.replace(_MASK, " "), list(part.spans)) for part in masked.wrap(width)
    ]


class HangingLines(Visual):
    """Lines of text (each a Content, no line breaks) where a list item ("- text", "1. text",
    "- [x] text") wraps under its text, not at the left edge, as a BulletLine does: one
    widget for a whole run of lines (a case draft of hundreds of listings holds thousands
    of items; a BulletLine each would be thousands of widgets). Other lines wrap as they
    would in a Static; the markers stay as written (the text is copied as it is shown).
    ``items``: what starts an item (the detail's "✔ present  " too); ``hang``: every
    line's wrapped lines go on that many cells in (a Wrap up choice's "★ "). No line is
    broken at an NBSP (wrap_kept)."""

    def __init__(
        self, lines: Sequence[Content], *, items: re.Pattern[str] = ITEM, hang: int = 0
    ) -> None:
        self.lines = list(lines)
        self.items = items
        self.hang = hang
        self._wrapped: tuple[int, list[Content]] | None = None

    def __str__(self) -> str:
        """The text as shown (an NBSP drawn as a space)."""
        return "\n".join(line.plain for line in self.lines).replace(NBSP, " ")

    def wrapped(self, width: int) -> list[Content]:
        """The lines as drawn ``width`` cells wide."""
        if self._wrapped is not None and self._wrapped[0] == width:
            return self._wrapped[1]
        out: list[Content] = []
        for line in self.lines:
            item = self.items.match(line.plain)
            hang = item.end() if item else self.hang
            if not hang or width - hang < 10:  # too narrow to hang: wrapped as it is
                out.extend(wrap_kept(line, width))
                continue
            body = wrap_kept(line[hang:], width - hang)
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
