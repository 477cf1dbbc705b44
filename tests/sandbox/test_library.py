"""python-amazon-sp-api's own clients, unmodified, against the sandbox served on loopback.

Every flow runs twice: with the sync clients (``sp_api.api``) and the async ones
(``sp_api.asyncio.api``). Only the LWA host is redirected, the way docs/SP_API_NOTES.md describes:
a subclass of the library's AccessTokenClient with ``scheme = "http://"``.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base.exceptions import SellingApiNotFoundException

from asin_tui.domain import codes
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_REFRESH_TOKEN,
    SandboxApp,
)
from asin_tui.sandbox.server import serve_in_thread

CREDENTIALS = {
    "refresh_token": SANDBOX_REFRESH_TOKEN,
    "lwa_app_id": SANDBOX_CLIENT_ID,
    "lwa_client_secret": SANDBOX_CLIENT_SECRET,
}
FLAVOURS = ("sync", "async")


@dataclass
class Served:
    account: SandboxAccount
    base_url: str

    @property
    def seller(self) -> str:
        return self.account.seller_id

    @property
    def mp(self) -> str:
        return self.account.marketplace.marketplace_id

    def skus_with(self, code: str) -> list[str]:
        return [s for s in self.account.search() if code in self.account.intended_causes(s)]

    def skus_with_only(self, code: str) -> list[str]:
        return [s for s in self.account.search() if self.account.intended_causes(s) == {code}]

    def asin_of(self, sku: str) -> str:
        return self.account.item(sku, ["summaries"])["summaries"][0]["asin"]


@pytest.fixture
def served():
    account = SandboxAccount(seed=7, listings=120)
    # 1000x: report processing takes milliseconds and paging never waits for a token.
    server, base_url = serve_in_thread(SandboxApp(account, time_scale=1000))
    yield Served(account, base_url)
    server.stop()


class Library:
    """Builds the library's clients for one flavour and awaits their calls when async."""

    def __init__(self, flavour: str, served: Served, credentials: dict[str, str]) -> None:
        self.flavour = flavour
        # imported here: each package imports every client the library has (~30 ms of CPU
        # each, in every worker that collects this file); the product imports only its own
        # (asin_tui.spapi.library)
        if flavour == "sync":
            import sp_api.api as api
            from sp_api.auth import AccessTokenClient as base
        else:
            import sp_api.asyncio.api as api  # (before .auth: the library needs base first)
            from sp_api.asyncio.auth import AccessTokenClient as base
        self.api = api
        host = served.base_url.removeprefix("http://")
        self.lwa = type("SandboxLWA", (base,), {"scheme": "http://", "host": host})
        self.marketplace = SimpleNamespace(
            endpoint=served.base_url, marketplace_id=served.mp, region="us-east-1"
        )
        self.credentials = credentials
        self.clients: list[Any] = []

    def client(self, name: str, **options: Any) -> Any:
        # verify=False: the sandbox is served over plain HTTP, so no certificate is ever
        # checked; the library's default (True) only reads certifi's bundle for each of a
        # client's two transports (~20 ms of CPU each) and the context goes unused.
        client = getattr(self.api, name)(
            self.marketplace,
            credentials=self.credentials,
            auth_token_client_class=self.lwa,
            **{"verify": False, **options},
        )
        self.clients.append(client)
        return client

    async def call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        result = method(*args, **kwargs)
        return await result if inspect.isawaitable(result) else result

    async def close(self) -> None:
        """Close the data and the LWA transports (the library's aclose leaves the latter open)."""
        for client in self.clients:
            for transport in (client._transport, client._auth._transport):
                await self.call(transport.aclose if self.flavour == "async" else transport.close)


@pytest.fixture(params=FLAVOURS)
async def library(request, served):
    library = Library(request.param, served, CREDENTIALS)
    yield library
    await library.close()


async def test_wrong_secret_is_refused(served, request):
    for flavour in FLAVOURS:
        library = Library(flavour, served, {**CREDENTIALS, "lwa_client_secret": "guess"})
        listings = library.client("ListingsItems")
        with pytest.raises(AuthorizationError) as refused:
            await library.call(
                listings.get_listings_item, served.seller, "ANY", marketplaceIds=served.mp
            )
        assert refused.value.status_code == 401
        assert "guess" not in str(refused.value)
        await library.close()


async def test_search_pages_with_status_filters(library, served):
    listings = library.client("ListingsItems")
    inactive, token = [], None
    while True:
        page = await library.call(
            listings.search_listings_items,
            served.seller,
            marketplaceIds=served.mp,
            withoutStatus="BUYABLE",
            includedData="summaries,issues",
            pageSize=20,
            **({"pageToken": token} if token else {}),
        )
        inactive += [item["sku"] for item in page.payload["items"]]
        assert page.rate_limit == "5.0"
        token = page.next_token
        if not token:
            break
    expected = served.account.search(without_status=["BUYABLE"])
    assert sorted(inactive) == sorted(expected)
    assert len(inactive) > 20  # more than one page
    healthy = await library.call(
        listings.search_listings_items,
        served.seller,
        marketplaceIds=served.mp,
        withStatus="BUYABLE,DISCOVERABLE",
        pageSize=20,
    )
    for item in healthy.payload["items"]:
        assert {"BUYABLE", "DISCOVERABLE"} <= set(item["summaries"][0]["status"])


async def test_patch_preview_changes_nothing_and_real_patch_makes_it_buyable(library, served):
    listings = library.client("ListingsItems")
    sku = served.skus_with_only(codes.OUT_OF_STOCK_MFN)[0]

    async def status() -> list[str]:
        item = await library.call(
            listings.get_listings_item,
            served.seller,
            sku,
            marketplaceIds=served.mp,
            includedData="summaries,fulfillmentAvailability",
        )
        return item.payload["summaries"][0]["status"]

    assert "BUYABLE" not in await status()
    product_type = served.account.item(sku, ["summaries"])["summaries"][0]["productType"]
    body = {
        "productType": product_type,
        "patches": [
            {
                "op": "replace",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 12}],
            }
        ],
    }
    preview = await library.call(
        listings.patch_listings_item,
        served.seller,
        sku,
        body=body,
        marketplaceIds=served.mp,
        mode="VALIDATION_PREVIEW",
    )
    assert preview.payload["status"] == "VALID"
    assert "BUYABLE" not in await status()
    real = await library.call(
        listings.patch_listings_item, served.seller, sku, body=body, marketplaceIds=served.mp
    )
    assert real.payload["status"] == "ACCEPTED"
    assert "BUYABLE" in await status()


async def test_inventory_pages_and_by_sku(library, served):
    inventories = library.client("Inventories")
    first = await library.call(
        inventories.get_inventory_summary_marketplace, details=True, marketplaceIds=served.mp
    )
    summaries = first.payload["inventorySummaries"]
    assert summaries and "inventoryDetails" in summaries[0]
    skus = [s["sellerSku"] for s in summaries[:3]]
    chosen = await library.call(
        inventories.get_inventory_summary_marketplace,
        details=True,
        marketplaceIds=served.mp,
        sellerSkus=skus,
    )
    assert [s["sellerSku"] for s in chosen.payload["inventorySummaries"]] == skus


async def test_restrictions_with_approval_link(library, served):
    restrictions = library.client("ListingsRestrictions")
    sku = served.skus_with(codes.APPROVAL_REQUIRED)[0]
    answer = await library.call(
        restrictions.get_listings_restrictions,
        asin=served.asin_of(sku),
        sellerId=served.seller,
        marketplaceIds=served.mp,
    )
    reasons = answer.payload["restrictions"][0]["reasons"]
    assert any(link["resource"].startswith("https://") for r in reasons for link in r["links"])


async def test_product_type_definition_and_its_schema(library, served):
    definitions = library.client("ProductTypeDefinitions")
    product_type = served.account.product_types()[0]
    answer = await library.call(
        definitions.get_definitions_product_type, product_type, marketplaceIds=served.mp
    )
    link = answer.payload["schema"]["link"]["resource"]
    assert link.startswith(served.base_url)
    schema = httpx.get(link).json()  # presigned: no token
    assert schema["properties"]


async def test_catalog_item_and_removed_item(library, served):
    catalog = library.client("CatalogItemsV20220401")
    fine = served.skus_with(codes.OUT_OF_STOCK_MFN)[0]
    item = await library.call(
        catalog.get_catalog_item, served.asin_of(fine), marketplaceIds=served.mp
    )
    assert item.payload["asin"] == served.asin_of(fine)
    removed = served.skus_with(codes.CATALOG_ITEM_REMOVED)[0]
    with pytest.raises(SellingApiNotFoundException):
        await library.call(
            catalog.get_catalog_item, served.asin_of(removed), marketplaceIds=served.mp
        )


async def test_search_catalog_items_by_asin(library, served):
    catalog = library.client("CatalogItemsV20220401")
    fine = served.skus_with_only(codes.OUT_OF_STOCK_MFN)[:3]
    removed = served.skus_with(codes.CATALOG_ITEM_REMOVED)[0]
    asins = [served.asin_of(sku) for sku in (*fine, removed)]
    answer = await library.call(
        catalog.search_catalog_items,
        identifiers=",".join(asins),
        identifiersType="ASIN",
        includedData="summaries,productTypes",
        pageSize=20,
        marketplaceIds=served.mp,
    )
    assert answer.payload["numberOfResults"] == 3
    assert [item["asin"] for item in answer.payload["items"]] == asins[:3]  # removed: absent
    assert all(item["productTypes"] for item in answer.payload["items"])
    assert answer.next_token is None


async def test_report_create_poll_download(library, served):
    reports = library.client("Reports")
    created = await library.call(
        reports.create_report,
        reportType="GET_MERCHANT_LISTINGS_ALL_DATA",
        marketplaceIds=[served.mp],
    )
    report_id = created.payload["reportId"]
    deadline = time.monotonic() + 5
    while True:
        report = await library.call(reports.get_report, report_id)
        if report.payload["processingStatus"] == "DONE" or time.monotonic() > deadline:
            break
    assert report.payload["processingStatus"] == "DONE"
    document = await library.call(
        reports.get_report_document, report.payload["reportDocumentId"], download=True
    )
    assert document.character_code.lower() == "utf-8"
    assert document.payload["document"] == served.account.merchant_listings_all_data()
