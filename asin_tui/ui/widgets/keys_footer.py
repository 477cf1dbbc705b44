"""The footer every screen shows: Textual's ``Footer`` whose keys are styled once, not twice.

Textual rebuilds the footer's keys whenever the screen's bindings change (every focus change,
every screen pushed). Each new ``FooterKey`` starts with ``compact`` True and takes the footer's
value from a data binding; both land through a watcher that adds or removes the ``-compact``
class after the key is mounted, which restyles the key a second time (about a tenth of the
CPU a screen spends on a key press that moves focus). Here each key is given the value those
watchers would set (the footer's ``compact``; True for the command palette's key, which Textual
does not bind) and its class before it is mounted, so they find nothing to change. What is
shown is the same (the snapshot tests compare it cell for cell).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeysFooter(Footer):
    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                compact = self.compact or widget.has_class("-command-palette")
                widget.set_reactive(FooterKey.compact, compact)
                widget.set_class(compact, "-compact", update=False)
            yield widget
