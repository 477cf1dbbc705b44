"""A refused download link is told with what Amazon documents for that kind of link: a
report document's URL "expires after 5 minutes" (reports_2021-06-30, ReportDocument.url);
a product type schema's link has no documented lifetime, so none is claimed for it (both
were told "such links last five minutes")."""

from __future__ import annotations

import httpx
import pytest

from asin_tui.demo import sandbox_settings as sandbox_profile
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import ReportTiming, SandboxApp
from asin_tui.sandbox.transport import SandboxTransport
from asin_tui.spapi.client import open_client_for_transport
from asin_tui.spapi.errors import LinkRefused


class RefusedLinks(SandboxTransport):
    """Amazon's storage refusing every download under ``path`` (403: the link expired)."""

    def __init__(self, app, path: str) -> None:
        super().__init__(app)
        self.path = path

    async def handle_async_request(self, request):
        if self.path in request.url.path:
            return httpx.Response(403, text="<Error><Code>AccessDenied</Code></Error>")
        return await super().handle_async_request(request)


async def refused(path: str, call) -> str:
    account = SandboxAccount(seed=5, listings=5)
    app = SandboxApp(account, report_timing=ReportTiming(queue=0, processing=0))
    transport = RefusedLinks(app, path)
    profile = sandbox_profile(account.marketplace, account.seller_id, "https://sandbox.test")
    async with open_client_for_transport(profile, transport) as api:
        with pytest.raises(LinkRefused) as error:
            await call(api, account)
    return str(error.value)


async def test_a_refused_schema_link_claims_no_lifetime_amazon_does_not_document():
    async def schema(api, account):
        await api.product_type(account.product_types()[0])

    told = await refused("/sandbox/schemas/", schema)
    assert "schema's download link was refused" in told
    assert "five minutes" not in told and "role" not in told
    assert "Amazon gives no lifetime for schema links" in told


async def test_a_refused_report_link_says_report_links_last_five_minutes():
    async def report(api, account):
        await api.merchant_listings()

    told = await refused("/sandbox/documents/", report)
    assert "report links last five minutes" in told and "role" not in told
