"""The needs-attention scope: three disjoint searches, each split into created-date windows
until every window fits under Amazon's 1,000-result cap."""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from asin_tui.spapi import parse
from asin_tui.spapi.errors import (
    BadRequest,
    MalformedResponse,
    PagesLoop,
    SpApiError,
    next_page,
)
from asin_tui.spapi.sync.model import PAGE_SIZE
from asin_tui.spapi.sync.run import _Gap, _Run
from asin_tui.spapi.sync.util import _all, _int, _iso

if TYPE_CHECKING:  # sp_api and httpx load only when a client is opened
    pass


# --------------------------------------------------------------------------- needs attention

#: Disjoint searches whose union is every listing that needs attention.
NEEDS_ATTENTION_QUERIES: dict[str, dict[str, Any]] = {
    "not buyable": {"withoutStatus": ["BUYABLE"]},
    "hidden from search": {"withStatus": ["BUYABLE"], "withoutStatus": ["DISCOVERABLE"]},
    "live with issues": {
        "withStatus": ["BUYABLE", "DISCOVERABLE"],
        "withIssueSeverity": ["ERROR", "WARNING"],
    },
}


async def _search_needs_attention(run: _Run) -> None:
    run.tally.emit("search", "Searching listings that need attention")
    await _all(_search(run, label, filters) for label, filters in NEEDS_ATTENTION_QUERIES.items())


async def _search(
    run: _Run,
    label: str,
    filters: dict[str, Any],
    after: datetime | None = None,
    before: datetime | None = None,
    at_most: int | None = None,
) -> None:
    """Every listing matching ``filters`` created in [after, before], splitting the window
    while it holds more than Amazon will page through (``at_most``: what the window can hold,
    known from the wider search it was split from)."""
    window = {
        **filters,
        "createdAfter": _iso(after) if after else None,
        "createdBefore": _iso(before) if before else None,
        "sortBy": "createdDate",
        "sortOrder": "ASC",
    }
    key = f"search: {_describe(label, after, before)}"
    try:
        first = await run.api.search_listings(**window)
    except SpApiError as exc:
        run.later(
            _Gap(key, exc, lambda: _search(run, label, filters, after, before, at_most), at_most)
        )
        return
    total = _int(first.get("numberOfResults"), default=len(first["items"]))
    cap = run.windows.cap
    windows = (
        _split(first["items"], total, after, before, run.windows.target) if total > cap else []
    )
    # this page, plus the pages still to come (a split window counts its own)
    pages = math.ceil(min(total, cap) / PAGE_SIZE)
    run.tally.pages_expected += 1 if windows else max(1, pages)
    run.tally.page()
    await run.accept(first["items"])
    if windows:
        await _all(_search(run, label, filters, a, b, total) for a, b in windows)
        return
    if total > cap:
        key = f"search: {_describe(label, after, before)}"
        run.failed[key] = (
            f"{total} listings were created within one second; Amazon returns only {cap} of them"
        )
        run.missing[key] = total - cap
    search = _Pages(run, label, filters, window, after, before, min(total, cap))
    await search.follow(first, len(first["items"]))


@dataclass
class _Pages:
    """The pages of one search window after its first."""

    run: _Run
    label: str
    filters: dict[str, Any]
    window: dict[str, Any]
    after: datetime | None
    before: datetime | None
    total: int  # listings Amazon will page through in this window
    tokens: set[str] = field(default_factory=set)  # the page tokens followed so far

    async def follow(self, page: dict[str, Any], fetched: int) -> None:
        """Fetch the pages after ``page`` (``fetched``: the window's listings so far). A
        token Amazon gave before ends the window's walk, named as failed: its pages loop."""
        while token := page["pagination"].get("nextToken"):
            try:
                next_page(self.tokens, token, "searchListingsItems")  # PagesLoop: given up
                page = await self.run.api.search_listings(**self.window, pageToken=token)
            except SpApiError as exc:
                self.run.later(
                    _Gap(
                        f"search: {_describe(self.label, self.after, self.before)}",
                        exc,
                        functools.partial(self.resume, token, fetched),
                        # pages that looped may have counted listings twice
                        None if isinstance(exc, PagesLoop) else max(0, self.total - fetched),
                        spot=token,
                    )
                )
                return
            self.run.tally.page()
            fetched += len(page["items"])
            await self.run.accept(page["items"])
        if fetched < self.total and len(page["items"]) >= PAGE_SIZE:
            self._cut_short(fetched)

    def _cut_short(self, fetched: int) -> None:
        """The pages ended on a full page, short of what Amazon counted: its last page came
        without the next page's token (``pagination`` is optional in Amazon's model). The
        listings past it are not taken for gone: the window is searched again later, and
        named as failed if its pages still end so. (A last page that is not full ends the
        window whatever the count says: a count may include listings no page returns.)"""
        error = MalformedResponse(
            f"its pages ended after {fetched} of the {self.total} listings it counted "
            "(a full page without the next page's token)",
            operation="searchListingsItems",
        )
        self.run.later(
            _Gap(
                f"search: {_describe(self.label, self.after, self.before)}",
                error,
                functools.partial(
                    _search, self.run, self.label, self.filters, self.after, self.before
                ),
                self.total - fetched,
                spot="cut short",
            )
        )

    async def resume(self, token: str, fetched: int) -> None:
        """Go on from the page that failed; if Amazon no longer takes its token, search the
        window again from its start (listings already read are not read twice)."""
        try:
            page = await self.run.api.search_listings(**self.window, pageToken=token)
        except SpApiError as exc:
            if isinstance(exc, BadRequest) and not exc.retryable:  # the token expired
                await _search(
                    self.run, self.label, self.filters, self.after, self.before, self.total
                )
                return
            self.run.later(
                _Gap(
                    f"search: {_describe(self.label, self.after, self.before)}",
                    exc,
                    lambda: self.resume(token, fetched),
                    max(0, self.total - fetched),
                    spot=token,
                )
            )
            return
        self.run.tally.page()
        await self.run.accept(page["items"])
        await self.follow(page, fetched + len(page["items"]))


#: The most windows one search window is split into at once. Each is searched for its own
#: count and split again while it holds more than Amazon pages through, so an account of
#: millions still ends in windows of about WINDOW_TARGET (one more level of searches: ~1 %
#: more calls), and a count no account has (numberOfResults 10**12) costs no more at once.
MAX_SPLIT = 100


def _split(
    first_page: list[Any],
    total: int,
    after: datetime | None,
    before: datetime | None,
    target: int,
) -> list[tuple[datetime | None, datetime | None]]:
    """Created-date windows covering [after, before] that should each hold at most
    ``target`` listings (WINDOW_TARGET; assuming an even spread; uneven ones are split again).
    Empty when the span cannot be split (under a second)."""
    start = _earliest_created(first_page) or after
    end = before or datetime.now(UTC) + timedelta(minutes=1)
    if start is None or (end - start).total_seconds() < 2:
        return []
    # at most MAX_SPLIT at a time: a window still over the cap is split again when searched
    # (a count of 10**12 from a proxy split into 1.25e9 windows: minutes of CPU, gigabytes)
    parts = min(MAX_SPLIT, max(2, -(-total // target)))  # whole numbers: 10**400 has no float
    step = (end - start) / parts
    bounds = sorted({(start + step * i).replace(microsecond=0) for i in range(1, parts)})
    edges: list[datetime | None] = [after, *bounds, before]
    return list(itertools.pairwise(edges))


def _earliest_created(items: list[Any]) -> datetime | None:
    """The earliest createdDate shown on a page (incomplete SKUs show none)."""
    dates = []
    for item in items:
        summaries = item.get("summaries") if isinstance(item, dict) else None
        for summary in summaries if isinstance(summaries, list) else ():
            try:
                created = parse.parse_datetime(summary.get("createdDate"), "createdDate")
            except (parse.UnreadableBody, AttributeError):
                continue
            if created is not None:
                dates.append(created)
    return min(dates, default=None)


def _describe(label: str, after: datetime | None, before: datetime | None) -> str:
    if after is None and before is None:
        return label
    return f"{label}, created {_iso(after) if after else '…'} to {_iso(before) if before else '…'}"
