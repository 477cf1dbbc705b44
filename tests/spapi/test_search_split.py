"""Splitting a search Amazon counts more than it pages through into created-date windows
(spapi/sync/windows._split): the count is Amazon's numberOfResults, a number a proxy or a bad
answer can make anything."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from asin_tui.spapi.sync.windows import MAX_SPLIT, _split

FIRST_PAGE = [{"summaries": [{"createdDate": "2016-01-01T00:00:00Z"}]}]
AFTER = datetime(2015, 6, 1, tzinfo=UTC)
BEFORE = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.mark.parametrize("total", [10**8, 10**15, 10**400])
def test_a_count_no_account_has_is_split_a_bounded_number_of_ways(total):
    """numberOfResults of 10**8 was split at once into 125,000 windows (1.5 s of CPU, then
    125,000 searches gathered at once); 10**12 into 1.25e9 (minutes, gigabytes). At most
    MAX_SPLIT windows at once, still covering the whole span edge to edge: a window that
    still holds more than the cap is split again when it is searched."""
    windows = _split(FIRST_PAGE, total, AFTER, BEFORE, 800)
    assert 2 <= len(windows) <= MAX_SPLIT
    assert windows[0][0] == AFTER and windows[-1][1] == BEFORE
    assert all(a[1] == b[0] for a, b in itertools.pairwise(windows))
    assert all(start < end for start, end in windows[1:-1])


def test_an_honest_count_is_split_as_before():
    windows = _split(FIRST_PAGE, 4_000, AFTER, BEFORE, 800)
    assert len(windows) == 5
