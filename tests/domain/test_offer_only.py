"""Offer-only listings (a reseller's offer on another owner's ASIN) are judged against Amazon's
LISTING_OFFER_ONLY requirements, never the full product's (issue 10)."""

from __future__ import annotations

from asin_tui.domain import codes
from asin_tui.domain.diagnosis import diagnose
from asin_tui.domain.models import (
    AttributeSpec,
    Evidence,
    Listing,
    ProductTypeRequirements,
    requirements_for_key,
)

US = "ATVPDKIKX0DER"
OFFER = {
    "condition_type": [{"value": "new_new", "marketplace_id": US}],
    "merchant_suggested_asin": [{"value": "B071VG5N9D", "marketplace_id": US}],
    "purchasable_offer": [
        {
            "marketplace_id": US,
            "currency": "USD",
            "our_price": [{"schedule": [{"value_with_tax": 20}]}],
        }
    ],
}
# a full listing names the ASIN it matches too (selling-partner-api-samples' listings wizard)
FULL = {**OFFER, "item_name": [{"value": "Luggage", "marketplace_id": US}]}


def listing(attributes) -> Listing:
    return Listing(
        sku="RESELL-1",
        marketplace_id=US,
        asin="B071VG5N9D",
        product_type="LUGGAGE",
        status=frozenset({"BUYABLE", "DISCOVERABLE"}),
        attributes=attributes,
    )


def requirements(kind: str) -> ProductTypeRequirements:
    specs = {
        "brand": AttributeSpec("brand", required=kind == "LISTING"),
        "condition_type": AttributeSpec("condition_type", required=True),
    }
    return ProductTypeRequirements("LUGGAGE", US, requirements=kind, attributes=specs)


def test_an_offer_on_another_owners_asin_is_offer_only():
    assert listing(OFFER).is_offer_only and listing(OFFER).requirements_key == (
        "LUGGAGE@LISTING_OFFER_ONLY"
    )
    assert not listing(FULL).is_offer_only and listing(FULL).requirements_key == "LUGGAGE"
    assert not listing({}).is_offer_only  # attributes not fetched: not known
    assert requirements_for_key("LUGGAGE@LISTING_OFFER_ONLY") == ("LUGGAGE", "LISTING_OFFER_ONLY")
    assert requirements_for_key("LUGGAGE") == ("LUGGAGE", "LISTING")


def test_a_resellers_offer_is_not_missing_the_products_attributes():
    offer = listing(OFFER)
    wrong_set = diagnose(Evidence(offer, requirements=requirements("LISTING")))
    assert codes.MISSING_ATTRIBUTE not in {f.code for f in wrong_set.findings}
    own_product = diagnose(Evidence(listing(FULL), requirements=requirements("LISTING")))
    assert [f.attributes for f in own_product.findings] == [("brand",)]
    no_condition = listing({k: v for k, v in OFFER.items() if k != "condition_type"})
    offer_set = diagnose(Evidence(no_condition, requirements=requirements("LISTING_OFFER_ONLY")))
    assert [f.attributes for f in offer_set.findings] == [("condition_type",)]
