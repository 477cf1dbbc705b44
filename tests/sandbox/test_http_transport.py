"""The sandbox in-process (httpx transports) and on loopback (threaded server)."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from asin_tui.domain import codes
from asin_tui.sandbox.faults import FaultInjector
from asin_tui.sandbox.server import serve_in_thread
from asin_tui.sandbox.transport import SandboxTransport, demo_account_path, demo_app

AMAZON = "https://sellingpartnerapi-na.amazon.com"
TOKEN_FORM = {
    "grant_type": "refresh_token",
    "client_id": "amzn1.application-oa2-client.sandbox",
    "client_secret": "sandbox-secret",
    "refresh_token": "Atzr|sandbox",
}


def _report_round_trip(client: httpx.Client, harness) -> str:
    token = client.post("/auth/o2/token", data=TOKEN_FORM).json()["access_token"]
    headers = {"x-amz-access-token": token}
    created = client.post(
        "/reports/2021-06-30/reports",
        json={"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": ["ATVPDKIKX0DER"]},
        headers=headers,
    )
    harness.clock.advance(10)
    report = client.get(
        f"/reports/2021-06-30/reports/{created.json()['reportId']}", headers=headers
    )
    document = client.get(
        f"/reports/2021-06-30/documents/{report.json()['reportDocumentId']}", headers=headers
    )
    download = client.get(document.json()["url"])  # an absolute URL back to the same sandbox
    assert download.headers["content-type"] == "text/tab-separated-values; charset=utf-8"
    return download.text


def test_sync_transport_serves_the_whole_flow(harness):
    with httpx.Client(transport=SandboxTransport(harness.app), base_url=AMAZON) as client:
        assert _report_round_trip(client, harness) == harness.account.merchant_listings_all_data()


async def test_async_transport_serves_the_whole_flow(harness):
    transport = SandboxTransport(harness.app)
    async with httpx.AsyncClient(transport=transport, base_url=AMAZON) as client:
        token = (await client.post("/auth/o2/token", data=TOKEN_FORM)).json()["access_token"]
        answer = await client.get(
            f"/listings/2021-08-01/items/{harness.seller}/SKU%201%2Fx",
            params={"marketplaceIds": harness.marketplace_id, "includedData": "summaries"},
            headers={"x-amz-access-token": token},
        )
    assert answer.status_code == 200
    assert answer.json()["sku"] == "SKU 1/x"
    assert answer.headers["x-amzn-RateLimit-Limit"] == "5.0"


async def test_async_transport_sleeps_without_blocking_the_loop(make_harness, monkeypatch):
    harness = make_harness(faults=FaultInjector.parse("slow=1:3.0"))
    slept = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    async with httpx.AsyncClient(
        transport=SandboxTransport(harness.app), base_url=AMAZON
    ) as client:
        answer = await client.get(
            harness.search_path,
            params={"marketplaceIds": harness.marketplace_id},
            headers={"x-amz-access-token": harness.token},
        )
    assert answer.status_code == 200
    assert slept == [3.0]


@pytest.fixture
def served(harness):
    server, base_url = serve_in_thread(harness.app)
    yield base_url
    server.stop()


def test_loopback_server_binds_localhost_and_ignores_the_mangled_host(served, harness):
    assert served.startswith("http://127.0.0.1:")
    with httpx.Client(base_url=served) as client:
        assert _report_round_trip(client, harness).startswith("item-name\t")
        # python-amazon-sp-api sends Host = endpoint[8:], which for http:// drops a character.
        answer = client.patch(
            f"{harness.search_path}/SKU-0003",
            params={"marketplaceIds": harness.marketplace_id, "mode": "VALIDATION_PREVIEW"},
            content=b'{"productType":"LUGGAGE","patches":[]}',
            headers={"x-amz-access-token": harness.token, "host": served[8:]},
        )
    assert answer.status_code == 200
    assert answer.json()["status"] == "VALID"
    assert "x-amzn-RequestId" in answer.headers


def test_verbose_access_log_never_shows_tokens(harness, capsys):
    server, base_url = serve_in_thread(harness.app, verbose=True)
    try:
        with httpx.Client(base_url=base_url) as client:
            token = client.post("/auth/o2/token", data=TOKEN_FORM).json()["access_token"]
            client.get(
                harness.search_path,
                params={"marketplaceIds": harness.marketplace_id},
                headers={"x-amz-access-token": token},
            )
    finally:
        server.stop()
    log = capsys.readouterr().err
    assert f"GET {harness.search_path} 200" in log
    assert "POST /auth/o2/token 200" in log
    assert token not in log and "sandbox-secret" not in log and "Atzr" not in log


def _restock_out_of_stock_listing(app) -> str:
    """Through the in-process transport: restock one out-of-stock MFN listing for real."""
    account = app.account
    sku = next(s for s in account.search() if codes.OUT_OF_STOCK_MFN in account.intended_causes(s))
    product_type = account.item(sku, ["summaries"])["summaries"][0]["productType"]
    patch = {
        "op": "replace",
        "path": "/attributes/fulfillment_availability",
        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 3}],
    }
    with httpx.Client(transport=SandboxTransport(app), base_url=AMAZON) as client:
        token = client.post("/auth/o2/token", data=TOKEN_FORM).json()["access_token"]
        answer = client.patch(
            f"/listings/2021-08-01/items/{account.seller_id}/{sku}",
            params={"marketplaceIds": account.marketplace.marketplace_id},
            json={"productType": product_type, "patches": [patch]},
            headers={"x-amz-access-token": token},
        )
    assert answer.json()["status"] == "ACCEPTED"
    return sku


def test_demo_account_keeps_fixes_between_runs_until_reset():
    sku = _restock_out_of_stock_listing(demo_app())
    assert demo_account_path().is_file()
    assert codes.OUT_OF_STOCK_MFN not in demo_app().account.intended_causes(sku)
    assert codes.OUT_OF_STOCK_MFN in demo_app(reset=True).account.intended_causes(sku)
    assert codes.OUT_OF_STOCK_MFN in demo_app().account.intended_causes(sku)


def test_an_unusable_data_folder_runs_the_demo_in_memory_and_says_so(monkeypatch, tmp_path):
    blocker = tmp_path / "data-is-a-file"
    blocker.write_text("not a folder\n")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    app = demo_app(patch_delay=0.0)  # the fix shows at once
    (notice,) = app.account.notices
    assert notice == f"demo fixes won't be kept: {demo_account_path().parent}: Not a directory"
    sku = _restock_out_of_stock_listing(app)  # the fix works, in memory
    assert codes.OUT_OF_STOCK_MFN not in app.account.intended_causes(sku)
    assert demo_app(reset=True).account.notices == [notice]


def test_a_corrupt_demo_state_file_is_set_aside_with_a_notice():
    path = demo_account_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{half a journal")
    (notice,) = demo_app().account.notices
    (aside,) = path.parent.glob(f"{path.name}.corrupt-*")
    assert notice.startswith(f"demo account: {path} is not valid JSON")
    assert notice.endswith(f"moved it to {aside.name} and started fresh")
    assert demo_app().account.notices == []  # said once: the next run starts clean


def test_oversized_body_is_refused_without_reading_it(served, harness):
    with socket.create_connection(("127.0.0.1", int(served.rsplit(":", 1)[1]))) as raw:
        raw.sendall(
            b"POST /auth/o2/token HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n"
        )
        assert raw.recv(64).startswith(b"HTTP/1.1 413")
