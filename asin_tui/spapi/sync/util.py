"""Small helpers the sync's modules share."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from asin_tui.domain.models import Listing
from asin_tui.spapi import parse
from asin_tui.spapi.errors import (
    MalformedResponse,
    SpApiError,
)
from asin_tui.spapi.sync.model import LATER_PAUSE, LATER_ROUNDS, SyncedListing

if TYPE_CHECKING:  # sp_api and httpx load only when a client is opened
    from asin_tui.spapi.client import SpApi


T = TypeVar("T")


async def _later_tries(api: SpApi, call: Callable[[], Awaitable[T]]) -> T:
    """``call``, and when it fails after all the client's retries with an error that may pass
    (throttling, Amazon unavailable, a cut-off answer), again LATER_ROUNDS times, the pause
    growing as for search pages."""
    for attempt in range(LATER_ROUNDS + 1):
        try:
            return await call()
        except SpApiError as exc:
            if not exc.retryable or attempt == LATER_ROUNDS:
                raise
        await asyncio.sleep(api.backoff.base * LATER_PAUSE * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover


async def _none() -> None:
    return None


# --------------------------------------------------------------------------- helpers


async def _all(aws: Iterable[Awaitable[Any]]) -> None:
    """Await them all; if one fails, cancel the others and raise its error."""
    tasks = [asyncio.ensure_future(aw) for aw in aws]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        raise


def _discard(task: asyncio.Task[Any]) -> None:
    """Stop a task whose result is no longer wanted (an error it ended with included)."""
    if task.done() and not task.cancelled():
        task.exception()
    task.cancel()


def _parse_listings(
    page: list[SyncedListing], marketplace_id: str
) -> list[Listing | parse.UnreadableBody]:
    """Each listing parsed, or why it cannot be."""
    parsed: list[Listing | parse.UnreadableBody] = []
    for synced in page:
        try:
            parsed.append(parse.parse_listing(synced.item, marketplace_id))
        except parse.UnreadableBody as exc:
            parsed.append(exc)
    return parsed


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parsed(parser: Callable[..., T], *args: Any) -> T:
    """Parse a fresh answer; a body of the wrong shape is a MalformedResponse like any other."""
    try:
        return parser(*args)
    except parse.UnreadableBody as exc:
        raise MalformedResponse(str(exc)) from None


def _int(value: Any, *, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default
