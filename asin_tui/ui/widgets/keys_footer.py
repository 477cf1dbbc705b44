"""The footer every screen shows: Textual's ``Footer``, rebuilt only when its keys change, and
each key styled once.

Textual rebuilds the footer (unmounts every key, mounts new ones) whenever the screen's
bindings may have changed: every focus change, every screen pushed or dismissed, every
``refresh_bindings``. Most of those leave the keys on show as they were (focus moving from
one field to the next of a form), so here the footer is rebuilt only when what it would show
differs: the bindings shown, whether each is enabled, their tooltips and key labels, the
command palette's key.

Each new ``FooterKey`` starts with ``compact`` True and takes the footer's value from a data
binding; both land through a watcher that adds or removes the ``-compact`` class after the key
is mounted, which restyles the key a second time. Here each key is given the value those
watchers would set (the footer's ``compact``; True for the command palette's key, which
Textual does not bind) and its class before it is mounted, so they find nothing to change.

Together these were about a sixth of the CPU a screen spends on a key press that moves focus.
What is shown is the same (the snapshot tests compare it cell for cell).

The footer shows only while its screen is the one at hand: under a dialog (the cause view,
help, export, a confirmation, the command palette) the keys it would name do nothing, and the
dialog names its own. It hides itself when the app's screen changes (``screen_change_signal``)
rather than by a class on the screen under the dialog: a class on a screen restyles every
widget in it, once as the dialog opens and again as it closes, to change this one widget.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeysFooter(Footer):
    #: what the keys on show were composed from (``_keys_on_show``); None: not composed yet
    _composed_from: tuple[object, ...] | None = None

    def on_mount(self) -> None:  # Footer's own on_mount runs too (Textual calls each class's)
        self.app.screen_change_signal.subscribe(self, self._screen_changed, immediate=True)

    def on_unmount(self) -> None:
        self.app.screen_change_signal.unsubscribe(self)

    def _screen_changed(self, screen: Screen[object]) -> None:
        """Shown only while its own screen is on top (``visible``: not drawn, keeps its place)."""
        self.visible = screen is self.screen

    def _keys_on_show(self) -> tuple[object, ...]:
        """Everything ``Footer.compose`` builds the keys from, in its order."""
        if not self._bindings_ready:
            return ()
        app = self.app
        active = self.screen.active_bindings
        palette = active.get(app.COMMAND_PALETTE_BINDING)
        return (
            tuple(
                (binding, enabled, tooltip, app.get_key_display(binding))
                for _, binding, enabled, tooltip in active.values()
                if binding.show
            ),
            self.show_command_palette and app.ENABLE_COMMAND_PALETTE,
            None if palette is None else (palette[1:], app.get_key_display(palette.binding)),
        )

    async def recompose(self) -> None:
        if self.is_attached and self._keys_on_show() == self._composed_from:
            return  # the same keys: the ones mounted stay
        await super().recompose()

    def compose(self) -> ComposeResult:
        self._composed_from = self._keys_on_show()
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                compact = self.compact or widget.has_class("-command-palette")
                widget.set_reactive(FooterKey.compact, compact)
                widget.set_class(compact, "-compact", update=False)
            yield widget
