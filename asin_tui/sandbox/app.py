"""The sandbox's HTTP face: one pure request handler speaking SP-API's wire format.

``SandboxApp.handle`` takes the parts of an HTTP request and returns the parts of the answer.
It puts together the pieces of ``sandbox/http/`` (router, LWA and access tokens, the gateway's
quotas and faults, one handler module per SP-API family) and the ``SandboxAccount`` they ask
for data. Transports (``transport.py``) and the loopback server (``server.py``) are thin shells
around it.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from urllib.parse import unquote

from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.faults import FaultInjector
from asin_tui.sandbox.http.auth import (
    ACCESS_TOKEN_LIFETIME,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_REFRESH_TOKEN,
    TOKEN_PATH,
    AccessTokens,
    LwaHandlers,
)
from asin_tui.sandbox.http.context import SandboxContext
from asin_tui.sandbox.http.gateway import Gateway
from asin_tui.sandbox.http.handlers_catalog import CatalogHandlers
from asin_tui.sandbox.http.handlers_definitions import DefinitionsHandlers
from asin_tui.sandbox.http.handlers_inventory import InventoryHandlers
from asin_tui.sandbox.http.handlers_listings import ListingsHandlers
from asin_tui.sandbox.http.handlers_notifications import NotificationsHandlers
from asin_tui.sandbox.http.handlers_reports import (
    REPORT_PROCESSING_SECONDS,
    REPORT_QUEUE_SECONDS,
    ReportsHandlers,
    ReportTiming,
)
from asin_tui.sandbox.http.router import Router
from asin_tui.sandbox.http.wire import (
    ApiError,
    Query,
    Request,
    SandboxResponse,
    error_response,
    pairs,
    parse_query,
)
from asin_tui.sandbox.ratelimit import USAGE_PLANS, QuotaEnforcer

__all__ = [
    "ACCESS_TOKEN_LIFETIME",
    "REPORT_PROCESSING_SECONDS",
    "REPORT_QUEUE_SECONDS",
    "SANDBOX_CLIENT_ID",
    "SANDBOX_CLIENT_SECRET",
    "SANDBOX_REFRESH_TOKEN",
    "TOKEN_PATH",
    "ReportTiming",
    "SandboxApp",
    "SandboxResponse",
]


class SandboxApp:
    """The simulated SP-API. Thread-safe: one lock serialises access to the account.

    Args:
        account: the seller's data and rules.
        time_scale: how much faster than Amazon sandbox time runs (rate refill, report
            processing, inventory nextToken and document URL lifetimes; access tokens keep
            their real hour, as the library caches them). 100 makes a minute pass in 0.6 s.
        faults: optional seeded fault injection.
        forbidden: operations answered 403 Unauthorized, as for an application whose SP-API
            roles do not cover them (e.g. getInventorySummaries without Amazon Fulfillment).
        clock: monotonic seconds (rate limits and sandbox durations).
        wall_clock: epoch seconds (access token expiry, timestamps in answers).
        on_accepted_patch: called (under the lock) after a real patch was ACCEPTED, e.g. to
            persist the demo account. An exception it raises is logged, never answered.
        patch_delay: sandbox seconds between a patch being ACCEPTED and the listing changing
            (Amazon processes submissions asynchronously); 0 applies it at once. Divided by
            ``time_scale`` in real time, like every sandbox duration.
        drift: changes an hour of sandbox time the account makes by itself (listings going
            out of stock, suppressed, exempted until a date, account health moving:
            sandbox/drift.py); 0: none.
        report_timing: how long a report stays IN_QUEUE and IN_PROGRESS (sandbox seconds;
            by default REPORT_QUEUE_SECONDS and REPORT_PROCESSING_SECONDS), how long a look
            waits for a document still being built (BUILD_WAIT), how many reports are kept
            (REPORTS_KEPT); read at each look: its holder may change it while the app runs.
    """

    def __init__(
        self,
        account: SandboxAccount,
        *,
        time_scale: float = 1.0,
        faults: FaultInjector | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        on_accepted_patch: Callable[[], None] | None = None,
        patch_delay: float = 0.0,
        forbidden: frozenset[str] | set[str] = frozenset(),
        drift: float = 0.0,
        report_timing: ReportTiming | None = None,
    ) -> None:
        if not (math.isfinite(time_scale) and time_scale > 0):
            raise ValueError(f"time_scale must be a positive finite number, not {time_scale!r}")
        if not (math.isfinite(patch_delay) and patch_delay >= 0):
            raise ValueError(f"patch_delay must be 0 or a positive number, not {patch_delay!r}")
        self.account = account
        self.time_scale = time_scale
        self.patch_delay = patch_delay
        self.report_timing = report_timing or ReportTiming()
        account.configure_processing(patch_delay, lambda: clock() * time_scale)
        if drift:  # changes an hour of sandbox time, from now (sandbox/drift.py)
            started = clock()
            account.start_drift(drift, lambda: (clock() - started) * time_scale)
        ctx = SandboxContext(account, time_scale, clock, wall_clock)
        tokens = AccessTokens(account.seller_id, wall_clock)
        limiter = QuotaEnforcer(USAGE_PLANS, time_scale=time_scale, clock=clock)
        self._gateway = Gateway(account.seller_id, tokens, limiter, faults, frozenset(forbidden))
        self._lock = threading.Lock()
        self._router = Router(
            [
                *LwaHandlers(tokens).routes(),
                *ListingsHandlers(ctx, on_accepted_patch).routes(),
                *InventoryHandlers(ctx).routes(),
                *DefinitionsHandlers(ctx).routes(),
                *CatalogHandlers(ctx).routes(),
                *ReportsHandlers(ctx, self.report_timing).routes(),
                *NotificationsHandlers(ctx).routes(),
            ]
        )

    @property
    def marketplace_id(self) -> str:
        return self.account.marketplace.marketplace_id

    @property
    def operations(self) -> frozenset[str]:
        """Every SP-API operation this sandbox serves."""
        return self._router.operations

    def take_notifications(self) -> list[dict]:
        """The SP-API notifications of the listing changes made since the last call (the
        account settles first, so drift and processed patches due by now are in them);
        empty unless the account's notifications were started."""
        with self._lock:
            self.account.settle()
            outbox = self.account.outbox
            return outbox.take() if outbox is not None else []

    def handle(
        self,
        method: str,
        path: str,
        query: Query = "",
        headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
        body: bytes = b"",
        *,
        base_url: str = "http://127.0.0.1",
    ) -> SandboxResponse:
        """Answer one request. ``path`` is the raw (percent-encoded) path; ``base_url`` is the
        scheme and authority clients reach this sandbox at (for the links it hands out)."""
        request = Request(
            method=method.upper(),
            segments=tuple(unquote(part) for part in path.split("?", 1)[0].split("/")[1:]),
            query=parse_query(query),
            headers={key.lower(): value for key, value in pairs(headers)},
            body=body,
            base_url=base_url.rstrip("/"),
        )
        found = self._router.find(request.method, request.segments)
        if found is None:
            return error_response(ApiError(404, "NOT_FOUND", "Resource not found."))
        route, params = found
        with self._lock:
            self.account.settle()
            return self._gateway.dispatch(route, request, params)
