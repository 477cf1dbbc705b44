"""Fixtures for the sandbox HTTP tests.

``FakeAccount`` is a small stand-in for ``SandboxAccount`` that follows the contract in
asin_tui/sandbox/account.py and records what the HTTP app asked of it, so the routing,
parameter parsing, paging, rate limits and faults can be tested exactly and fast. Contract
and library tests use the real account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest

from asin_tui.domain.marketplaces import MARKETPLACES
from asin_tui.sandbox.account import SandboxError
from asin_tui.sandbox.app import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_REFRESH_TOKEN,
    SandboxApp,
    SandboxResponse,
)

FAKE_SELLER = "A2FAKESELLER01"
US = MARKETPLACES["US"]
TOKEN_FORM = urlencode(
    {
        "grant_type": "refresh_token",
        "client_id": SANDBOX_CLIENT_ID,
        "client_secret": SANDBOX_CLIENT_SECRET,
        "refresh_token": SANDBOX_REFRESH_TOKEN,
    }
)


@dataclass
class FakeAccount:
    """SKUs ``SKU-0000``.. (plus one with a slash and a space); even ones are FBA."""

    listings: int = 45
    seller_id: str = FAKE_SELLER
    marketplace: Any = US
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    patched: dict[str, dict] = field(default_factory=dict)

    @property
    def skus(self) -> list[str]:
        return [f"SKU-{n:04d}" for n in range(self.listings)] + ["SKU 1/x"]

    def configure_processing(self, delay: float, clock: Callable[[], float]) -> None:
        self.processing_delay = delay

    def settle(self) -> None:
        """Nothing to process: the fake applies a patch at once."""

    def search(self, **criteria: Any) -> list[str]:
        self.calls.append(("search", criteria))
        skus = sorted(self.skus, reverse=criteria.get("sort_order") == "DESC")
        if criteria.get("identifiers"):
            skus = [sku for sku in skus if sku in criteria["identifiers"]]
        return skus

    def item(
        self, sku: str, included_data: Any, issue_locale: str | None = None
    ) -> dict[str, Any] | None:
        self.calls.append(("item", {"sku": sku, "included_data": list(included_data)}))
        if sku not in self.skus:
            return None
        item: dict[str, Any] = {"sku": sku}
        if "summaries" in included_data:
            item["summaries"] = [
                {
                    "marketplaceId": US.marketplace_id,
                    "asin": "B0FAKE0001",
                    "productType": "LUGGAGE",
                    "status": ["DISCOVERABLE"],
                    "itemName": f"Item {sku}",
                    "createdDate": "2024-01-01T00:00:00Z",
                    "lastUpdatedDate": "2024-01-02T00:00:00Z",
                }
            ]
        if "issues" in included_data:
            item["issues"] = []
        return item

    def patch(
        self,
        sku: str,
        body: dict,
        *,
        preview: bool,
        included_data: Any = ("issues",),
        issue_locale: str | None = None,
    ):
        self.calls.append(("patch", {"sku": sku, "body": body, "preview": preview}))
        if sku not in self.skus:
            raise SandboxError(404, "NOT_FOUND", f"SKU '{sku}' not found.")
        if "productType" not in body:
            raise SandboxError(400, "InvalidInput", "'productType' is required.")
        if not preview:
            self.patched[sku] = body
        status = "VALID" if preview else "ACCEPTED"
        return {"sku": sku, "status": status, "submissionId": "sub-1", "issues": []}

    def inventory_summaries(self, skus: Any, details: bool) -> list[dict]:
        self.calls.append(("inventory", {"skus": skus, "details": details}))
        fba = [sku for sku in self.skus if sku.startswith("SKU-") and int(sku[4:]) % 2 == 0]
        chosen = fba if skus is None else [sku for sku in skus if sku in fba]
        return [
            {
                "sellerSku": sku,
                "asin": "B0FAKE0001",
                "lastUpdatedTime": f"2024-01-{1 + int(sku[4:]) % 28:02d}T00:00:00Z",
                "totalQuantity": 1,
            }
            for sku in chosen
        ]

    def restrictions(self, asin: str, condition_type: str | None) -> list[dict]:
        self.calls.append(("restrictions", {"asin": asin, "condition_type": condition_type}))
        return [] if asin != "B0GATED001" else [{"marketplaceId": US.marketplace_id, "reasons": []}]

    def product_types(self) -> list[str]:
        return ["LUGGAGE"]

    def product_type_definition(self, product_type: str, **links: str) -> dict | None:
        self.calls.append(("definition", {"product_type": product_type, **links}))
        if product_type != "LUGGAGE":
            return None
        return {"productType": "LUGGAGE", "schema": {"link": {"resource": links["schema_url"]}}}

    def product_type_schema(self, product_type: str, requirements: str = "LISTING") -> dict | None:
        return {"required": ["brand"]} if product_type == "LUGGAGE" else None

    def catalog_item(self, asin: str, included_data: Any) -> dict | None:
        return None if asin == "B0REMOVED1" else {"asin": asin}

    def merchant_listings_all_data(self) -> str:
        return "item-name\tseller-sku\nCafé ☕\tSKU-0000\n"

    def report_snapshot(self) -> FakeAccount:
        """What createReport builds a report from: the fake itself (it never changes)."""
        return self


class FakeClock:
    """A hand-wound clock (seconds)."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Harness:
    """A SandboxApp over a FakeAccount with hand-wound clocks and a valid access token."""

    app: SandboxApp
    account: FakeAccount
    clock: FakeClock
    wall: FakeClock
    token: str
    seller: str = FAKE_SELLER
    marketplace_id: str = US.marketplace_id
    search_path: str = f"/listings/2021-08-01/items/{FAKE_SELLER}"
    mp: str = f"marketplaceIds={US.marketplace_id}"

    def call(
        self, method: str, path: str, query: Any = "", body: bytes = b"", **headers: str
    ) -> SandboxResponse:
        sent = {"x-amz-access-token": self.token, "Host": "27.0.0.1:8765", **headers}
        return self.app.handle(method, path, query, sent, body, base_url="http://sandbox.test")

    def get(self, path: str, query: Any = "") -> SandboxResponse:
        return self.call("GET", path, query)


def new_token(app: SandboxApp) -> str:
    answer = app.handle("POST", "/auth/o2/token", "", {}, TOKEN_FORM.encode())
    assert answer.status == 200, answer.body
    return answer.json()["access_token"]


@pytest.fixture
def make_harness() -> Callable[..., Harness]:
    def make(listings: int = 45, **app_options: Any) -> Harness:
        account = FakeAccount(listings=listings)
        clock, wall = FakeClock(), FakeClock(1_700_000_000.0)
        app = SandboxApp(account, clock=clock, wall_clock=wall, **app_options)
        return Harness(app, account, clock, wall, new_token(app))

    return make


@pytest.fixture
def harness(make_harness) -> Harness:
    return make_harness()
