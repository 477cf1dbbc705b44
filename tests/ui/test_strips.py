"""ui.strips: Strip.divide gives what Textual's gives, without a strip that holds itself."""

from __future__ import annotations

import sys

from rich.segment import Segment
from textual.strip import Strip

from asin_tui.ui import strips


def test_the_same_pieces_as_textuals_divide():
    strips.install()
    line = Strip([Segment("abcdef"), Segment("ghij")])
    assert strips._textual_divide(line, [10]) == [line]
    for cuts in ([10], [4, 10], [2, 6, 10], [3], [12], []):
        assert [s.text for s in line.divide(cuts)] == [
            s.text for s in strips._textual_divide(Strip(list(line), 10), cuts)
        ]
    assert line.divide([10])[0] is line


def test_a_line_divided_whole_is_not_held_by_its_own_cache():
    """Textual's own divide keeps [self] in the strip's cache: a reference from the strip
    to itself, freed only by a full collection; this one keeps none."""
    strips.install()
    line = Strip([Segment("a line drawn whole")])
    before = sys.getrefcount(line)
    pieces = line.divide([line.cell_length])
    assert pieces == [line]
    del pieces
    assert sys.getrefcount(line) == before  # nothing kept it
    old = Strip([Segment("the old way")])
    before = sys.getrefcount(old)
    strips._textual_divide(old, [old.cell_length])
    assert sys.getrefcount(old) == before + 1  # what the change is for: held by itself
