"""The sync fetches LISTING_OFFER_ONLY product type requirements for offer-only listings
(issue 10): one definition per product type and requirement set."""

from __future__ import annotations

import asyncio

from asin_tui.spapi.sync.evidence import _Evidence
from asin_tui.spapi.sync.progress import _Tally
from tests.domain.test_offer_only import FULL, OFFER, listing


def test_the_sync_asks_amazon_for_the_offer_only_requirements():
    asked = []

    class Api:
        search_catalog_items = None

        async def product_type(self, product_type, requirements="LISTING"):
            asked.append((product_type, requirements))
            return {"productType": product_type, "requirements": requirements}, {}

    async def run():
        evidence = _Evidence(Api(), _Tally(None))
        await evidence.product_type(listing(OFFER).requirements_key)
        await evidence.product_type(listing(FULL).requirements_key)
        await evidence.product_type(listing(OFFER).requirements_key)  # once per key

    asyncio.run(run())
    assert asked == [("LUGGAGE", "LISTING_OFFER_ONLY"), ("LUGGAGE", "LISTING")]
