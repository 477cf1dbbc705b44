"""The counts per state above the list. Each count is also a key (0 all, 1..7 one state)
and clickable; the selected one is marked with brackets, so it reads without colour too."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.content import Content
from textual.widgets import Static

from asin_tui.domain.models import State
from asin_tui.ui.presentation import STATE_LOOKS
from asin_tui.ui.safe_text import data

#: After the at-risk count while the sales reports (days of cover) are read: it may grow
AT_RISK_COUNTING = "(reading the sales reports…)"

STATE_KEYS: dict[str, State | None] = {"0": None} | {
    str(number): state for number, state in enumerate(State, start=1)
}


class StateCounts(Static):
    """``Needs attention  [0 All states 120]  1 ✖ Suppressed 12  4 ○ Inactive 90 …``

    Lines break between items, never inside one ("3 ◌ Incomplete" on one line and its "5"
    on the next): the items are laid out here for the widget's width, again on a resize."""

    SEPARATOR = "  "

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._items: list[Content] = []

    def show(
        self,
        counts: Mapping[State, int],
        selected: State | None,
        show_all: bool,
        *,
        marked: int = 0,
        cause: str | None = None,
        scope: str | None = None,
        at_risk: int | None = None,
        at_risk_key: str = "R",
        at_risk_counting: bool = False,
        at_risk_unfiltered: bool = False,
    ) -> None:
        """``marked``: how many listings are marked (said first while any are); ``cause``:
        the one cause the list is narrowed to (the cause view's Enter); ``scope``: the name
        of a narrower view ("At risk", "Since you last looked"); ``at_risk``: how many
        listings are at risk (its key shows them), once known; ``at_risk_counting``: the
        sales reports that add the listings short of stock cover are being read, so the
        count may still grow (it went from 8 to 24 a few seconds after start, unexplained);
        ``at_risk_unfiltered``: a filter narrows the counts but cannot be judged for the
        listings at risk (they are another view's), so their count is the whole account's,
        and says so."""
        scope = scope or ("All listings" if show_all else "Needs attention")
        items = [Content.styled(scope, "bold")]
        if cause:
            items.append(data(f"cause: {cause}", "bold"))
        if marked:
            items.append(Content.styled(f"✓ {marked} marked (b: bulk fix)", "bold"))
        total = sum(counts.values())
        for key, state in STATE_KEYS.items():
            count = total if state is None else counts.get(state, 0)
            if state is not None and not count and state is not selected:
                continue
            # "0 All" beside "Needs attention" read as every listing (the footer's "a All"):
            # it is every state of the scope, as its key is called in Help
            label = "All states" if state is None else STATE_LOOKS[state].text
            text = f"{key} {label} {count}"
            if state is selected:
                text = f"[{text}]"
            style = "reverse bold" if state is selected else ""
            items.append(Content.styled(text, style).stylize(f"@click=screen.show_state({key})"))
        if at_risk or (at_risk is not None and at_risk_counting):
            text = f"{at_risk_key} At risk {at_risk}"
            if at_risk_unfiltered:
                text += " account-wide"
            if at_risk_counting:
                text += f" so far {AT_RISK_COUNTING}"
            items.append(Content(text).stylize("@click=screen.toggle_at_risk"))
        self._items = items
        self._lay_out()

    def on_resize(self) -> None:
        self._lay_out()

    def _lay_out(self) -> None:
        """As many lines as the items need: the screen is laid out again only when that
        number changes (a count going from 12 to 13 is a repaint of this widget)."""
        lines = pack_lines(self._items, self.content_size.width)
        self.update(Content("\n").join(lines), layout=len(lines) != self.content_size.height)


def pack_lines(items: list[Content], width: int) -> list[Content]:
    """The items on as few lines of ``width`` cells as they fit, two spaces between two on a
    line, a line break only between items (an item wider than a line gets one to itself).
    ``width`` 0 (not laid out yet): one line."""
    lines: list[list[Content]] = []
    used = 0
    for item in items:
        need = item.cell_length + (len(StateCounts.SEPARATOR) if lines and lines[-1] else 0)
        if not lines or (width > 0 and used + need > width):
            lines.append([item])
            used = item.cell_length
        else:
            lines[-1].append(item)
            used += need
    return [Content(StateCounts.SEPARATOR).join(line) for line in lines]
