"""The counts per state above the list. Each count is also a key (0 all, 1..7 one state)
and clickable; the selected one is marked with brackets, so it reads without colour too."""

from __future__ import annotations

from collections.abc import Mapping

from textual.content import Content
from textual.widgets import Static

from asin_tui.domain.models import State
from asin_tui.ui.presentation import STATE_LOOKS

STATE_KEYS: dict[str, State | None] = {"0": None} | {
    str(number): state for number, state in enumerate(State, start=1)
}


class StateCounts(Static):
    """``Needs attention  [0 All 120]  1 ✖ Suppressed 12  4 ○ Inactive 90 …``"""

    def show(self, counts: Mapping[State, int], selected: State | None, show_all: bool) -> None:
        scope = "All listings" if show_all else "Needs attention"
        parts = [Content.styled(scope, "bold")]
        total = sum(counts.values())
        for key, state in STATE_KEYS.items():
            count = total if state is None else counts.get(state, 0)
            if state is not None and not count and state is not selected:
                continue
            label = "All" if state is None else STATE_LOOKS[state].text
            text = f"{key} {label} {count}".replace(" ", "\N{NO-BREAK SPACE}")  # wrap between
            if state is selected:
                text = f"[{text}]"
            style = "reverse bold" if state is selected else ""
            parts.append(Content.styled(text, style).stylize(f"@click=screen.show_state({key})"))
        self.update(Content("  ").join(parts))
