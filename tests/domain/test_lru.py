"""The bound every long-lived in-memory cache uses (asin_tui.domain.lru)."""

from __future__ import annotations

import pytest

from asin_tui.domain.lru import Lru


def test_the_least_recently_used_entry_goes_first():
    cache: Lru[str, int] = Lru(2)
    cache["a"], cache["b"] = 1, 2
    assert cache["a"] == 1  # read: now the newest
    cache["c"] = 3
    assert list(cache) == ["a", "c"]  # b was the oldest
    cache["a"] = 4  # set again: newest, still two
    cache["d"] = 5
    assert dict(cache) == {"a": 4, "d": 5}
    assert "c" not in cache and cache.get("c") is None


def test_a_bound_below_one_is_refused():
    with pytest.raises(ValueError):
        Lru(0)


def test_the_service_keeps_a_bounded_number_of_product_types():
    from asin_tui import service

    bound = service.PRODUCT_TYPES_KEPT
    kept = service._requirements_cache()
    for n in range(bound + 7):
        kept[f"TYPE_{n}"] = None
    assert list(kept) == [f"TYPE_{n}" for n in range(7, bound + 7)]
