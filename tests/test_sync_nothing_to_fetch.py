"""A sync that finds nothing needing attention is not a failed sync, even when the Account
Health report could not be had (only missing listings make 'nothing could be fetched')."""

from __future__ import annotations

import httpx

from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from asin_tui.sandbox.transport import SandboxTransport
from asin_tui.service import ACCOUNT_HEALTH
from tests.test_service import TIME_SCALE, make_service


class ReportsDown(SandboxTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "/reports/" in request.url.path:
            body = {"errors": [{"code": "Unauthorized", "message": "Access denied."}]}
            return httpx.Response(403, json=body)
        return await super().handle_async_request(request)


async def test_no_problems_and_no_account_health_is_an_empty_complete_sync():
    account = SandboxAccount(seed=3, listings=30, problem_share=0.0)
    app = SandboxApp(account, time_scale=TIME_SCALE)
    service = make_service(app, ReportsDown(app))
    try:
        summary = await service.sync(include_all=False)
    finally:
        await service.aclose()
    assert summary.listings == 0 and not summary.missing
    assert list(summary.failed) == [ACCOUNT_HEALTH]
