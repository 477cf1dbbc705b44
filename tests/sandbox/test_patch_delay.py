"""Amazon applies an accepted patch later: the sandbox answers ACCEPTED at once and shows the
change only after its processing delay has passed on the sandbox clock (hand-wound here)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from asin_tui.domain import codes
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from tests.sandbox.conftest import FakeClock, new_token

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LISTINGS = "/listings/2021-08-01/items"


class Seller:
    """A real sandbox account behind the HTTP app, on a hand-wound clock."""

    def __init__(self, *, patch_delay: float, time_scale: float = 1.0) -> None:
        self.account = SandboxAccount(now=NOW)
        self.clock = FakeClock()
        self.app = SandboxApp(
            self.account, clock=self.clock, patch_delay=patch_delay, time_scale=time_scale
        )
        self.token = new_token(self.app)
        self.mp = self.account.marketplace.marketplace_id

    def call(self, method: str, sku: str, query: str, body: dict | None = None):
        path = f"{LISTINGS}/{self.account.seller_id}/{sku}"
        data = json.dumps(body).encode() if body is not None else b""
        headers = {"x-amz-access-token": self.token}
        answer = self.app.handle(method, path, f"marketplaceIds={self.mp}&{query}", headers, data)
        assert answer.status == 200, answer.body
        return answer.json()

    def listing(self, sku: str) -> dict:
        return self.call("GET", sku, "includedData=summaries,attributes,fulfillmentAvailability")

    def restock(self, sku: str, quantity: int = 3, preview: bool = False) -> dict:
        product_type = self.account.item(sku, ["summaries"])["summaries"][0]["productType"]
        value = [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}]
        body = {
            "productType": product_type,
            "patches": [
                {"op": "replace", "path": "/attributes/fulfillment_availability", "value": value}
            ],
        }
        return self.call("PATCH", sku, "mode=VALIDATION_PREVIEW" if preview else "", body)

    def out_of_stock_sku(self) -> str:
        return next(
            sku
            for sku in self.account.search(sort_by="sku", sort_order="ASC")
            if self.account.intended_causes(sku) == {codes.OUT_OF_STOCK_MFN}
        )


def quantity(listing: dict) -> int:
    return listing["fulfillmentAvailability"][0]["quantity"]


def test_an_accepted_patch_shows_only_once_amazon_has_processed_it():
    seller = Seller(patch_delay=120.0)
    sku = seller.out_of_stock_sku()
    before = seller.listing(sku)
    assert "BUYABLE" not in before["summaries"][0]["status"]

    assert seller.restock(sku)["status"] == "ACCEPTED"
    assert seller.listing(sku) == before  # the old listing, status and all
    assert seller.account.processing == {sku}

    seller.clock.advance(119.0)
    assert seller.listing(sku) == before

    seller.clock.advance(1.0)
    after = seller.listing(sku)
    assert quantity(after) == 3
    assert "BUYABLE" in after["summaries"][0]["status"]
    assert after["summaries"][0]["lastUpdatedDate"] > before["summaries"][0]["lastUpdatedDate"]
    assert seller.account.processing == frozenset()


def test_the_delay_runs_on_sandbox_time():
    seller = Seller(patch_delay=120.0, time_scale=60.0)  # two sandbox minutes: two real seconds
    sku = seller.out_of_stock_sku()
    seller.restock(sku)
    seller.clock.advance(1.9)
    assert quantity(seller.listing(sku)) == 0
    seller.clock.advance(0.1)
    assert quantity(seller.listing(sku)) == 3


def test_without_a_delay_the_patch_shows_at_once():
    seller = Seller(patch_delay=0.0)
    sku = seller.out_of_stock_sku()
    assert seller.restock(sku)["status"] == "ACCEPTED"
    assert quantity(seller.listing(sku)) == 3


def test_a_second_patch_builds_on_the_first_one_still_processing():
    seller = Seller(patch_delay=60.0)
    sku = seller.out_of_stock_sku()
    seller.restock(sku, quantity=3)
    seller.clock.advance(30.0)
    seller.restock(sku, quantity=7)
    seller.clock.advance(30.0)
    assert quantity(seller.listing(sku)) == 3  # the first change is processed, not the second
    seller.clock.advance(30.0)
    assert quantity(seller.listing(sku)) == 7


def test_a_validation_preview_is_never_queued():
    seller = Seller(patch_delay=60.0)
    sku = seller.out_of_stock_sku()
    assert seller.restock(sku, preview=True)["status"] == "VALID"
    seller.clock.advance(120.0)
    assert quantity(seller.listing(sku)) == 0
    assert seller.account.processing == frozenset()


def test_a_change_still_processing_is_kept_and_applied_after_a_restart(tmp_path):
    seller = Seller(patch_delay=600.0)
    sku = seller.out_of_stock_sku()
    seller.restock(sku)
    path = tmp_path / "demo.json"
    seller.account.save(path)
    restored = SandboxAccount.load_or_create(path, now=NOW)
    # Amazon keeps processing while the app is closed: the next session sees the change.
    assert restored.intended_causes(sku) == frozenset()


@pytest.mark.parametrize("delay", [-1.0, float("nan"), float("inf")])
def test_the_app_refuses_a_delay_that_is_not_a_duration(delay):
    with pytest.raises(ValueError, match="patch_delay"):
        SandboxApp(SandboxAccount(listings=1), patch_delay=delay)
