"""Work for tests/test_child.py to run in a child process: importable by name there, and
light (the child imports this module, not the test module with its fixtures)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from asin_tui.spapi.errors import SpApiError


async def count_to(n: int, *, send) -> tuple[int, int]:
    """Sends 1..n as messages and returns (n, its pid) at once: the last one reaches the
    caller only if the child writes what is pending before its answer."""
    for i in range(1, n + 1):
        send(i)
        await asyncio.sleep(0)
    return n, os.getpid()


async def refuse(*, send) -> None:
    error = SpApiError("invalid_grant", operation="getAccessToken", status=400)
    error.attempts = 3
    raise error


class Unpicklable(Exception):
    def __init__(self, text: str, extra: object) -> None:
        super().__init__(text)
        self.extra = extra

    def __reduce__(self):
        raise TypeError("not this one")


async def fail_unpicklably(*, send) -> None:
    raise Unpicklable("the disk is on fire\nsecond line", lambda: None)


async def wait_forever(marker: str, *, send) -> None:
    """Says it started, then waits; cancelled, its ``finally`` writes ``marker``."""
    send(os.getpid())
    try:
        await asyncio.sleep(600)
    finally:
        Path(marker).write_text("wound down")


async def nothing(*, send) -> str:
    return "done"


async def environment(*, send) -> dict[str, str]:
    return dict(os.environ)
