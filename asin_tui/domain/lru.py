"""A dict that keeps only its most recently used entries: every in-memory cache of a process
that runs for weeks (`asin-tui watch`, the app left open) has a documented bound."""

from __future__ import annotations

from collections import OrderedDict
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Lru(OrderedDict[K, V]):
    """At most ``size`` entries; reading one (``[]``) or setting one makes it the newest, and
    setting one past the bound drops the oldest. ``in``, ``get`` and ``pop`` are a dict's."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"an LRU keeps at least one entry, not {size}")
        super().__init__()
        self.size = size

    def __getitem__(self, key: K) -> V:
        value = super().__getitem__(key)
        self.move_to_end(key)
        return value

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)
