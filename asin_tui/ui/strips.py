"""Textual's Strip.divide without the cycle it makes of every line drawn whole.

Textual (8.x) caches what ``Strip.divide(cuts)`` returns in the strip's own ``_divide_cache``;
when the cut is the whole line — the compositor's usual case, a widget's line not split by
another widget over it — that value is ``[self]``: the strip holds a list that holds the
strip. Reference counting never frees such a cycle; only the collector does, in its full
passes, which hold every thread while they free it. Moving the bulk grid's cursor 30 times
left 2,202 objects of this garbage (132 strips, 924 FIFOCache, 760 segments…) for the next
full pass to free; with :func:`install`, 180. (A pass that frees ~1,100 such objects took
~20 ms, one with none 2.4 ms: benchmarks/bench_bulk_tui.py BENCH_GCTYPES=1.)

:func:`install` (called when the app is made) answers a whole-line cut with a new ``[self]``
each time instead of a cached one; every other cut goes to Textual's own divide, cached as
before. The result is the same list of the same strip.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.strip import Strip

_textual_divide = Strip.divide


def _divide(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    length = self.cell_length
    cuts = [cut for cut in cuts if cut <= length]
    if cuts == [length]:
        return [self]  # not cached: a strip caching a list of itself is a cycle
    return _textual_divide(self, cuts)


def install() -> None:
    """Use :func:`_divide` for every Strip (once; calling again changes nothing)."""
    Strip.divide = _divide  # type: ignore[method-assign]
