"""SpApi end to end against the in-process sandbox: the demo client and the patch flow."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from asin_tui.demo import DemoSettings, open_demo_client
from asin_tui.demo import sandbox_settings as sandbox_profile
from asin_tui.domain import codes
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from asin_tui.sandbox.http.auth import TOKEN_PATH
from asin_tui.sandbox.transport import SandboxTransport
from asin_tui.spapi.client import open_client_for_transport

TIME_SCALE = 1000.0


async def test_demo_client_speaks_for_the_demo_account():
    account = SandboxAccount()
    async with open_demo_client(reset=True, settings=DemoSettings(drift=0.0)) as api:
        assert api.settings.name == "demo"
        assert api.seller_id == account.seller_id
        assert api.marketplace_id == account.marketplace.marketplace_id
        body = await api.search_listings(withoutStatus=["BUYABLE"])
    assert body["numberOfResults"] == len(account.search(without_status=["BUYABLE"]))
    assert len(body["items"]) == 20 and body["pagination"]["nextToken"]


async def test_patch_preview_changes_nothing_and_a_real_patch_relists():
    account = SandboxAccount()
    sku = next(
        s
        for s in account.search(sort_by="sku")
        if account.intended_causes(s) == {codes.OUT_OF_STOCK_MFN}
    )
    app = SandboxApp(account, time_scale=TIME_SCALE)
    profile = sandbox_profile(account.marketplace, account.seller_id, "https://sandbox.test")
    api = open_client_for_transport(profile, SandboxTransport(app), time_scale=TIME_SCALE)
    async with api:
        item = await api.get_listing(sku)
        product_type = item["summaries"][0]["productType"]
        restock = [
            {
                "op": "replace",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}],
            }
        ]
        preview = await api.patch_listing(sku, product_type, restock, preview=True)
        assert preview["status"] == "VALID"
        assert "BUYABLE" not in (await api.get_listing(sku))["summaries"][0]["status"]

        accepted = await api.patch_listing(sku, product_type, restock, preview=False)
        assert accepted["status"] == "ACCEPTED" and accepted["submissionId"]
        relisted = await api.get_listing(sku)
    assert "BUYABLE" in relisted["summaries"][0]["status"]
    assert {"fulfillmentChannelCode": "DEFAULT", "quantity": 7} in relisted[
        "fulfillmentAvailability"
    ]
    assert api.calls["patchListingsItem"] == 2


async def test_delete_listing_retires_the_offer_for_good(tmp_path):
    """deleteListingsItem through python-amazon-sp-api's own call: ACCEPTED, the listing is
    gone, and a restart of the saved account (the demo's journal) deletes it again."""
    import pytest

    from asin_tui.spapi.errors import NotFound

    account = SandboxAccount()
    sku = next(
        s for s in account.search(sort_by="sku") if codes.NOT_ELIGIBLE in account.intended_causes(s)
    )
    path = tmp_path / "demo.json"
    app = SandboxApp(account, time_scale=TIME_SCALE, on_accepted_patch=lambda: account.save(path))
    profile = sandbox_profile(account.marketplace, account.seller_id, "https://sandbox.test")
    api = open_client_for_transport(profile, SandboxTransport(app), time_scale=TIME_SCALE)
    async with api:
        answer = await api.delete_listing(sku)
        assert answer["status"] == "ACCEPTED" and answer["submissionId"]
        with pytest.raises(NotFound):
            await api.get_listing(sku)
    assert api.calls["deleteListingsItem"] == 1
    assert sku not in SandboxAccount.load_or_create(path).search()


async def test_a_report_url_that_expired_before_its_download_is_asked_for_again():
    """Amazon's presigned document URLs last five minutes: one that expired before the download
    got to it (a busy machine, a slow link) is asked for afresh, once, and the report reads."""
    from asin_tui.sandbox.app import ReportTiming
    from tests.sandbox.conftest import FakeClock

    account = SandboxAccount(seed=5, listings=20)
    clock = FakeClock()
    app = SandboxApp(account, clock=clock, report_timing=ReportTiming(queue=0, processing=0))

    class LateDownloads(SandboxTransport):
        late = 1  # downloads that reach Amazon after their URL's five minutes

        async def handle_async_request(self, request):
            if "/sandbox/documents/" in request.url.path and self.late:
                self.late -= 1
                clock.advance(301)
            return await super().handle_async_request(request)

    transport = LateDownloads(app)
    profile = sandbox_profile(account.marketplace, account.seller_id, "https://sandbox.test")
    async with open_client_for_transport(profile, transport) as api:
        rows = await api.merchant_listings()
    assert {row["seller-sku"] for row in rows} == set(account.search())
    assert transport.late == 0 and api.calls["getReportDocument"] == 2


class _Slow(httpx.AsyncBaseTransport):
    """The sandbox as reached over a network at a process's start: LWA answers its token in
    ``lwa`` s, and the first ``cold`` SP-API requests each open a connection first (TLS: ``connect`` s
    more than the calls that find one open)."""

    def __init__(self, inner: SandboxTransport, *, lwa: float, cold: int, connect: float) -> None:
        self.inner, self.lwa, self.cold, self.connect = inner, lwa, cold, connect

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == TOKEN_PATH:
            await asyncio.sleep(self.lwa)
        elif self.cold > 0:
            self.cold -= 1
            await asyncio.sleep(self.connect)
        return await self.inner.handle_async_request(request)


@pytest.mark.parametrize(
    ("lwa", "connect"),
    [pytest.param(0.3, 0.0, id="waiting for LWA"), pytest.param(0.0, 0.1, id="connecting")],
)
async def test_a_start_draws_no_429_from_a_fresh_budget(lwa, connect):
    # At Amazon's own rates (time scale 1): the first calls of a burst reach Amazon late
    # (LWA's token, a connection); the calls paced behind them must not arrive with them
    account = SandboxAccount()
    app = SandboxApp(account, time_scale=1.0)
    quota = app._gateway._limiter
    checked, refused = quota.try_acquire, []

    def try_acquire(operation, seller):
        allowed = checked(operation, seller)
        if not allowed:
            refused.append(operation)
        return allowed

    quota.try_acquire = try_acquire
    profile = sandbox_profile(account.marketplace, account.seller_id, "https://sandbox.test")
    slow = _Slow(SandboxTransport(app), lwa=lwa, cold=5, connect=connect)
    api = open_client_for_transport(profile, slow, time_scale=1.0)
    async with api:
        answers = await asyncio.gather(*(api.search_listings(page_size=1) for _ in range(8)))
    assert all(a["items"] for a in answers)
    assert api.calls["searchListingsItems"] == 8  # none retried
    assert refused == [] and not api.throttled


@pytest.mark.parametrize("late", [2, 5])
async def test_report_links_expired_again_and_again_are_asked_for_a_bounded_number_of_times(
    late,
):
    # a second expired link was told as "not authorised for this application (missing
    # SP-API role?)": the seller would look for a role that is there
    from asin_tui.sandbox.app import ReportTiming
    from asin_tui.spapi.client import DOCUMENT_LINK_TRIES
    from asin_tui.spapi.errors import LinkRefused
    from tests.sandbox.conftest import FakeClock
    from tests.spapi.fakes import late_downloads

    account = SandboxAccount(seed=5, listings=20)
    clock = FakeClock()
    app = SandboxApp(account, clock=clock, report_timing=ReportTiming(queue=0, processing=0))

    transport = late_downloads(app, clock, "/sandbox/documents/", late)
    profile = sandbox_profile(account.marketplace, account.seller_id, "https://sandbox.test")
    async with open_client_for_transport(profile, transport) as api:
        if late < DOCUMENT_LINK_TRIES:
            rows = await api.merchant_listings()
            assert {row["seller-sku"] for row in rows} == set(account.search())
            assert api.calls["getReportDocument"] == 3
        else:
            with pytest.raises(LinkRefused) as refused:
                await api.merchant_listings()
            assert api.calls["getReportDocument"] == DOCUMENT_LINK_TRIES == 3
            told = str(refused.value)
            assert "download link was refused (expired" in told and "role" not in told
            assert "[gave up after 3 tries]" in told and "\n" not in told


async def test_a_request_too_long_to_send_is_one_typed_error_not_a_crash():
    # a SKU of 100,000 characters: httpx.InvalidURL escaped the client ("internal error")
    from asin_tui.spapi.errors import BadRequest

    account = SandboxAccount(seed=5, listings=5)
    transport = SandboxTransport(SandboxApp(account))
    profile = sandbox_profile(account.marketplace, account.seller_id, "https://sandbox.test")
    async with open_client_for_transport(profile, transport) as api:
        with pytest.raises(BadRequest) as refused:
            await api.get_listing("S" * 100_000)
    assert "the request cannot be sent" in str(refused.value) and not refused.value.retryable
