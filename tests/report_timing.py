"""Test helpers: how long the sandbox takes to prepare a report (a ``ReportTiming`` the test
holds and passes to ``SandboxApp(report_timing=…)``), and an order of answers, set by the test
instead of left to the wall clock."""

from __future__ import annotations

import asyncio
import json

import httpx

from asin_tui.sandbox import app as sandbox_app
from asin_tui.sandbox.app import ReportTiming
from asin_tui.sandbox.transport import SandboxTransport

FOREVER = 10.0**9  # sandbox seconds: longer than any test runs, whatever its time_scale


class AmazonReports:
    """The report preparation time of the sandboxes built with ``report_timing=timing``
    (Amazon's default until told): ``hold()`` — reports stay IN_QUEUE longer than any test
    runs; ``finish()`` — every report, also one requested earlier, is DONE at the next look
    (the sandbox works its status out from the report's age at each getReport)."""

    def __init__(self) -> None:
        self.timing = ReportTiming()

    def hold(self) -> None:
        self.timing.queue, self.timing.processing = FOREVER, 0.0

    def finish(self) -> None:
        self.timing.queue, self.timing.processing = 0.0, 0.0


class ReportBeforeListings(SandboxTransport):
    """The in-process sandbox answering no listings search until the report was looked at
    (a report document downloaded, or a getReport answered without one: still pending), so
    a sync cannot be done with its listings before its look at the report, however fast it
    runs. ``rearm()`` holds the next sync's searches again."""

    def __init__(self, app: sandbox_app.SandboxApp) -> None:
        super().__init__(app)
        self.looked = asyncio.Event()

    def rearm(self) -> None:
        self.looked.clear()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if "/listings/2021-08-01/items/" in path and request.method == "GET":
            await self.looked.wait()
        response = await super().handle_async_request(request)
        if path.startswith("/sandbox/documents/") or (
            path.startswith("/reports/2021-06-30/reports/")
            and response.status_code == 200
            and "reportDocumentId" not in json.loads(response.content)
        ):
            self.looked.set()
        return response
