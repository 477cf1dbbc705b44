"""Command palette (ctrl+p): every action of the current screen, by name.

Built from the same bindings the footer and help show, plus the screen's extra commands
(``palette_commands()``, e.g. one sort per column), so the palette never drifts from the keys.
"""

from __future__ import annotations

from collections.abc import Iterator

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.markup import escape

from asin_tui.ui.safe_text import plain

Command = tuple[str, str, str, object]  # name, help, action, namespace node


class ActionCommands(Provider):
    def _commands(self) -> Iterator[Command]:
        screen = self.screen
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.system or binding.action in seen:
                continue
            seen.add(binding.action)
            keys = self.app.get_key_display(binding)
            help_text = f"{binding.tooltip or binding.description} ({keys})"  # keys: remappable
            yield binding.description, escape(plain(help_text)), binding.action, active.node
        extra = getattr(screen, "palette_commands", None)
        for name, help_text, action in extra() if extra else ():
            yield name, escape(plain(help_text)), action, screen

    def _run(self, action: str, node: DOMNode) -> None:
        self.app.call_later(self.app.run_action, action, node)

    async def discover(self) -> Hits:
        for name, help_text, action, node in self._commands():
            yield DiscoveryHit(name, lambda a=action, n=node: self._run(a, n), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, action, node in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(name),
                    lambda a=action, n=node: self._run(a, n),
                    text=name,
                    help=help_text,
                )
