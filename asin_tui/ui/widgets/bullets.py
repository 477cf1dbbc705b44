"""A point of a list ("• text") whose wrapped lines go on under its text, not under the
bullet (a hanging indent): the send confirmation's changes, the wizard's "What to do"."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
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
