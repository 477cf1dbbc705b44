"""Stock cover as the service keeps it (docs/STOCK_COVER.md): read from the cache, the
reports still pending, and the cover computed from the reports a look found, stored.
``AccountService`` decides when to look (its freshness) and looks on its background loop.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from asin_tui.domain.moments import age
from asin_tui.service.staging import moment_of
from asin_tui.store.cache import ListingCache

if TYPE_CHECKING:
    from asin_tui.domain.cover import StockCover
    from asin_tui.spapi.calls import ReportRequest
    from asin_tui.spapi.reports import Document
    from asin_tui.spapi.sync.stock_cover import StockCoverWatch

_R = TypeVar("_R")

#: Meta keys of the stock cover: when it was computed, and the reports still being prepared.
STOCK_COVER_AT_KEY = "stock_cover_at"
STOCK_COVER_PENDING_KEY = "stock_cover_pending"
STOCK_COVER_TRIED_KEY = "stock_cover_tried"


@dataclass(frozen=True, slots=True)
class CoverRefresh:
    """What one `refresh_stock_cover` did."""

    updated: bool = False  # new cover computed and stored
    pending: bool = False  # a report is still being prepared: look again later
    problem: str | None = None  # why a report could not be had (one line)
    before: dict[str, StockCover] | None = None  # the cover stored before (None: none)
    after: dict[str, StockCover] = field(default_factory=dict)  # the cover now


def _report_rows(
    document: Document | None, read: Callable[[Document], _R], empty: _R, problems: list[str]
) -> _R | None:
    """A stock cover report's rows: None when it was not had or is unreadable (the reason
    added to ``problems``), ``empty`` for an empty document (Amazon had no data)."""
    from asin_tui.spapi.parse import UnreadableBody
    from asin_tui.spapi.reports import blank

    if document is None:
        return None
    if blank(document):  # no strip(): a copy of a report of megabytes
        return empty
    try:
        return read(document)
    except UnreadableBody as exc:
        problems.append(str(exc))
        return None


def stored(cache: ListingCache) -> dict[str, StockCover]:
    """SKU -> stock cover as the cache holds it (a row that cannot be read is left out)."""
    from asin_tui.domain.cover import StockCover

    covers = {}
    for row in cache.stock_cover():
        with contextlib.suppress(KeyError, TypeError, ValueError):
            cover = StockCover.from_dict(row)
            covers[cover.sku] = cover
    return covers


def stored_of(cache: ListingCache, sku: str) -> StockCover | None:
    """One listing's stored stock cover (None: not checked, or a row that cannot be read)."""
    from asin_tui.domain.cover import StockCover

    row = cache.stock_cover_of(sku)
    if row is None:
        return None
    try:
        return StockCover.from_dict(row)
    except (KeyError, TypeError, ValueError):
        return None


def computed_at(cache: ListingCache) -> datetime | None:
    """When the stored stock cover was computed (None: never)."""
    return moment_of(cache.meta_value(STOCK_COVER_AT_KEY))


def last_empty_look(cache: ListingCache) -> datetime | None:
    """When the last look at the reports gave no cover at all (None: the last one did)."""
    return moment_of(cache.meta_value(STOCK_COVER_TRIED_KEY))


def pending(cache: ListingCache, too_old: timedelta) -> dict[str, ReportRequest]:
    """The reports Amazon was still preparing at the last look, by kind (none when one was
    asked for longer ago than ``too_old``: they are asked for again)."""
    from asin_tui.spapi.calls import ReportRequest

    try:
        stored = json.loads(cache.meta_value(STOCK_COVER_PENDING_KEY) or "{}")
        requests = {
            str(kind): ReportRequest(str(report_id), moment_of(at) or datetime.now(UTC))
            for kind, (report_id, at) in stored.items()
        }
    except (ValueError, TypeError, AttributeError, RecursionError):
        return {}
    now = datetime.now(UTC)
    if any(age(r.requested_at, now) > too_old for r in requests.values()):
        return {}  # too old to be looked for: ask again
    return requests


def store(
    cache: ListingCache, watch: StockCoverWatch, before: dict[str, StockCover] | None
) -> CoverRefresh:
    """What a look at the reports (``watch``) found, stored: the reports still pending, or
    the cover computed from those it read (``before``: the cover stored before it)."""
    from asin_tui.domain.cover import OrderTotals, PlanningRow
    from asin_tui.domain.cover import stock_cover as computed_cover

    now = datetime.now(UTC)
    problems = [f"{kind}: {error}" for kind, error in watch.errors.items()]
    if watch.pending:
        requests = {
            kind: [r.report_id, r.requested_at.isoformat()] for kind, r in watch.requests.items()
        }
        cache.write_stock_cover(None, {STOCK_COVER_PENDING_KEY: json.dumps(requests)})
        return CoverRefresh(
            pending=True, problem="; ".join(problems) or None, before=before, after=before or {}
        )
    from asin_tui.spapi.reports import (
        FBA_PLANNING_REPORT,
        ORDERS_REPORT,
        listing_quantities,
        order_totals,
        planning_rows,
    )
    from asin_tui.spapi.sync.stock_cover import MERCHANT_LISTINGS_REPORT

    docs = watch.documents
    none_planned: list[PlanningRow] = []
    no_orders: dict[str, OrderTotals] = {}
    no_listings: dict[str, tuple[int | None, str, str]] = {}
    planning = _report_rows(docs.get(FBA_PLANNING_REPORT), planning_rows, none_planned, problems)
    # summed per SKU as it is read: the report's text and its lines are never held
    orders = _report_rows(
        docs.get(ORDERS_REPORT), lambda d: order_totals(d, now), no_orders, problems
    )
    listings = _report_rows(
        docs.get(MERCHANT_LISTINGS_REPORT), listing_quantities, no_listings, problems
    )
    if planning is None and (orders is None or listings is None):
        meta = {STOCK_COVER_PENDING_KEY: None, STOCK_COVER_TRIED_KEY: now.isoformat()}
        cache.write_stock_cover(None, meta)
        return CoverRefresh(
            problem="; ".join(problems) or "no stock cover report could be read",
            before=before,
            after=before or {},
        )
    covers = computed_cover(planning, orders if listings is not None else None, listings or {}, now)
    cache.write_stock_cover(
        [c.as_dict() for c in covers.values()],
        {
            STOCK_COVER_AT_KEY: now.isoformat(),
            STOCK_COVER_PENDING_KEY: None,
            STOCK_COVER_TRIED_KEY: None,
        },
    )
    return CoverRefresh(
        updated=True, problem="; ".join(problems) or None, before=before, after=covers
    )
