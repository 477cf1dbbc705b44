"""The reports stock cover is computed from (docs/STOCK_COVER.md): request them, look at them a
few times, hand the ones Amazon is still preparing to the next look — as the Account Health
report is followed (account_health.py), never holding anything else up.

- GET_FBA_INVENTORY_PLANNING_DATA (FBA units available, shipped, days of supply);
- GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL for the last 30 days (MFN sales);
- GET_MERCHANT_LISTINGS_ALL_DATA (the MFN quantities for sale: live listings are not in a
  needs-attention cache).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from asin_tui.domain.cover import MFN_WINDOW_DAYS
from asin_tui.spapi.calls import ReportRequest
from asin_tui.spapi.errors import AuthError, NotFound, SpApiError, Throttled, Unavailable
from asin_tui.spapi.reports import FBA_PLANNING_REPORT, ORDERS_REPORT, Document

if TYPE_CHECKING:  # sp_api and httpx load only when a client is opened
    from asin_tui.spapi.client import SpApi

MERCHANT_LISTINGS_REPORT = "GET_MERCHANT_LISTINGS_ALL_DATA"
COVER_REPORTS = (FBA_PLANNING_REPORT, ORDERS_REPORT, MERCHANT_LISTINGS_REPORT)
#: Looks at each report within one refresh before it is left for the next.
COVER_CHECKS = 4


class StockCoverWatch:
    """Follows the three reports. After :meth:`watch`: ``documents`` (report type → the
    document as downloaded, reports.ReportDocument: read a line at a time; "" when Amazon had
    no data), for the reports Amazon was done with), ``pending`` (report type → request still being
    prepared), ``errors`` (report type → why it could not be had). Refused credentials raise
    AuthError."""

    def __init__(
        self,
        api: SpApi,
        pending: dict[str, ReportRequest],
        *,
        checks: int = COVER_CHECKS,
        now: datetime | None = None,
    ) -> None:
        self._api = api
        self._checks = checks
        self._now = now
        self.pending = dict(pending)
        #: every report looked at (pending or done), to look at again while one is pending
        self.requests = dict(pending)
        self.documents: dict[str, Document] = {}
        self.errors: dict[str, str] = {}

    async def watch(self) -> None:
        """Follow the three reports at once (Amazon prepares them side by side)."""
        await asyncio.gather(*(self._one(kind) for kind in COVER_REPORTS))

    async def _one(self, report_type: str) -> None:
        try:
            await self._follow(report_type)
        except SpApiError as exc:
            if isinstance(exc, AuthError):
                raise
            if not isinstance(exc, (Throttled, Unavailable)):
                self.pending.pop(report_type, None)  # a later look asks again
                self.requests.pop(report_type, None)
            self.errors[report_type] = str(exc)

    async def _follow(self, report_type: str) -> None:
        request = self.pending.get(report_type)
        if request is not None:
            try:
                await self._look(report_type, request)
                return
            except NotFound:
                self.pending.pop(report_type, None)  # expired: ask again
                self.requests.pop(report_type, None)
        start = None
        if report_type == ORDERS_REPORT:
            start = (self._now or datetime.now(UTC)) - timedelta(days=MFN_WINDOW_DAYS)
        request = await self._api.request_report(report_type, data_start=start)
        self.pending[report_type] = self.requests[report_type] = request
        await self._look(report_type, request)

    async def _look(self, report_type: str, request: ReportRequest) -> None:
        check = await self._api.await_report(
            request.report_id, report_type, checks=self._checks, announce=False, raw=True
        )
        if check.pending:
            return
        self.pending.pop(report_type, None)
        if check.document is None:  # CANCELLED: Amazon had no data for it
            self.documents[report_type] = ""
        else:
            self.documents[report_type] = check.document
