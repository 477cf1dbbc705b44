"""The footer every screen shows: Textual's ``Footer``, its keys updated in place only when they
change, and each key styled once.

Textual rebuilds the footer (unmounts every key, mounts new ones) whenever the screen's
bindings may have changed: every focus change, every screen pushed or dismissed, every
``refresh_bindings``. Most of those leave the keys on show as they were (focus moving from
one field to the next of a form), so here the footer is rebuilt only when what it would show
differs: the bindings shown, whether each is enabled, their tooltips and key labels, the
command palette's key. Even then the keys mounted are kept: each takes the key, words,
tooltip and classes the new one in its place would have, and only the keys beyond them are
mounted or removed (in the wizard tests, 157 keys kept this way, 64 of them showing something
else, against 51 mounted and 46 removed). A key mounted is styled with its two parts and a key removed
is unmounted; a key updated is repainted, and laid out when its words change width. Grouped keys
(Textual's KeyGroup, which no screen here has) are rebuilt as Textual rebuilds them.

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

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.compose import compose
from textual.screen import Screen
from textual.widget import Widget
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
        if not self.is_attached or self._pruning:
            return
        if self._keys_on_show() == self._composed_from:
            return  # the same keys: the ones mounted stay
        keys = compose(self)
        mounted = list(self.children)
        async with self.batch():
            if (
                _plain_keys(keys)
                and _plain_keys(mounted)
                and _has_palette(keys) == _has_palette(mounted)
            ):
                await self._show_in_place(mounted, keys)
            else:  # none yet, or grouped keys (a KeyGroup and its label): built anew
                await self.query_children("*").exclude(".-textual-system").remove()
                if self.is_attached:
                    await self.mount_all(keys)

    async def _show_in_place(self, mounted: list[Widget], keys: list[Widget]) -> None:
        """The keys mounted take what the new ones would show, in their order; the rest are
        mounted or removed (the palette's key, docked right, stays last)."""
        ordinary = [key for key in mounted if not key.has_class("-command-palette")]
        wanted = [key for key in keys if not key.has_class("-command-palette")]
        for key, new in zip(ordinary, wanted, strict=False):
            _show_as(key, new)
        for key, new in zip(_palette(mounted), _palette(keys), strict=True):
            _show_as(key, new)
        if len(ordinary) > len(wanted):
            await self.remove_children(ordinary[len(wanted) :])
        elif len(wanted) > len(ordinary):
            palette = _palette(mounted)
            await self.mount_all(wanted[len(ordinary) :], before=palette[0] if palette else None)

    def compose(self) -> ComposeResult:
        self._composed_from = self._keys_on_show()
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                compact = self.compact or widget.has_class("-command-palette")
                widget.set_reactive(FooterKey.compact, compact)
                widget.set_class(compact, "-compact", update=False)
            yield widget


def _plain_keys(widgets: list[Widget]) -> bool:
    """Only keys, none of them in a group (Textual's KeyGroup and FooterLabel)."""
    return all(type(w) is FooterKey and not w.has_class("-grouped") for w in widgets)


def _has_palette(keys: list[Widget]) -> bool:
    return bool(_palette(keys))


def _palette(keys: list[Widget]) -> list[Widget]:
    """The command palette's key, if shown (a list of none or one)."""
    return [key for key in keys if key.has_class("-command-palette")]


def _show_as(key: Widget, new: Widget) -> None:
    """The mounted key shows what the new one (never mounted) would: its key, words, whether
    it is enabled (and so dim or not), tooltip and classes."""
    assert isinstance(key, FooterKey) and isinstance(new, FooterKey)
    what = (new.key, new.key_display, new.description, new.action, new._disabled)
    if (key.key, key.key_display, key.description, key.action, key._disabled) != what:
        # its width follows its words: laid out again only when that changes
        layout = _width(key) != _width(new)
        key.key, key.key_display, key.description, key.action, key._disabled = what
        key.refresh(layout=layout)
    if key.tooltip != new.tooltip:
        key.tooltip = new.tooltip
    key.set_classes(new.classes)  # restyled only when they differ (-disabled)


def _width(key: FooterKey) -> tuple[int, int]:
    """What the key's width depends on besides its classes (the padding around each part)."""
    return cell_len(key.key_display), cell_len(key.description)
