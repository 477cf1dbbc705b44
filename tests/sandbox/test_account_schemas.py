"""The sandbox's product type schemas: valid JSON Schema (draft 2019-09, Amazon's custom
keywords ignored), accepting what the sandbox calls healthy and rejecting what it suppresses,
and published through a ProductTypeDefinition in the official model's shape."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime

import pytest
from jsonschema import Draft4Validator, Draft201909Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from asin_tui.domain import codes
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.schemas import PRODUCT_TYPES

NOW = datetime(2026, 3, 1, tzinfo=UTC)
COMMON_REQUIRED = {
    "item_name",
    "brand",
    "bullet_point",
    "product_description",
    "country_of_origin",
    "item_type_keyword",
    "supplier_declared_dg_hz_regulation",
    "condition_type",
    "main_product_image_locator",
}


@pytest.fixture(scope="module")
def demo() -> SandboxAccount:
    return SandboxAccount(listings=400, now=NOW)


def attributes_by_type(account: SandboxAccount, causes: set[str]) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for sku in account.search(sort_by="sku", sort_order="ASC"):
        if account.intended_causes(sku) == causes:
            item = account.item(sku, ["attributes", "productTypes"])
            found.setdefault(item["productTypes"][0]["productType"], []).append(item["attributes"])
    return found


@pytest.mark.parametrize("product_type", sorted(PRODUCT_TYPES))
def test_each_schema_is_valid_draft_2019_09_in_amazons_style(demo, product_type):
    schema = demo.product_type_schema(product_type)
    Draft201909Validator.check_schema(schema)
    assert schema["$schema"].endswith("/meta-schema/v1")
    assert schema["$id"].endswith(product_type)
    assert set(schema["required"]) >= COMMON_REQUIRED
    assert set(schema["required"]) - COMMON_REQUIRED, "each type adds its own required attributes"
    for name, prop in schema["properties"].items():
        assert prop["type"] == "array" and prop["items"]["type"] == "object", name
        assert prop["title"] and prop["description"], name
    value = schema["properties"]["supplier_declared_dg_hz_regulation"]["items"]["properties"][
        "value"
    ]
    assert len(value["enum"]) == len(value["enumNames"])
    offer = schema["properties"]["purchasable_offer"]["items"]["properties"]
    assert offer["our_price"]["items"]["properties"]["schedule"]["items"]["properties"][
        "value_with_tax"
    ] == {"title": "Price", "type": "number", "minimum": 0}
    quantity = schema["properties"]["fulfillment_availability"]["items"]["properties"]["quantity"]
    assert quantity == {"title": "Quantity", "type": "integer", "minimum": 0}


def test_required_attributes_differ_between_product_types(demo):
    required = {frozenset(demo.product_type_schema(t)["required"]) for t in PRODUCT_TYPES}
    assert len(required) == len(PRODUCT_TYPES)


def requirements_for(attributes: dict) -> str:
    """An offer on an existing ASIN names it (merchant_suggested_asin): it was submitted,
    and is checked, under LISTING_OFFER_ONLY."""
    return "LISTING_OFFER_ONLY" if "merchant_suggested_asin" in attributes else "LISTING"


def test_healthy_listings_validate_against_their_schema(demo):
    healthy = attributes_by_type(demo, set())
    assert set(healthy) == set(PRODUCT_TYPES)
    for product_type, documents in healthy.items():
        for attributes in documents:
            requirements = requirements_for(attributes)
            schema = demo.product_type_schema(product_type, requirements)
            errors = list(Draft201909Validator(schema).iter_errors(attributes))
            assert not errors, (product_type, requirements)


def test_offer_only_listings_fail_the_full_listing_schema_and_pass_their_own(demo):
    """A reseller's offer holds no product facts: LISTING requires them, LISTING_OFFER_ONLY
    requires only the ASIN it goes on, the condition and the offer."""
    offers = [
        (product_type, attributes)
        for product_type, documents in attributes_by_type(demo, set()).items()
        for attributes in documents
        if requirements_for(attributes) == "LISTING_OFFER_ONLY"
    ]
    assert offers
    for product_type, attributes in offers:
        assert "item_name" not in attributes and "brand" not in attributes
        full = Draft201909Validator(demo.product_type_schema(product_type))
        assert any(
            "'item_name' is a required property" in e.message for e in full.iter_errors(attributes)
        )
        offer_only = demo.product_type_schema(product_type, "LISTING_OFFER_ONLY")
        assert offer_only["required"] == ["condition_type", "merchant_suggested_asin"]
        assert not list(Draft201909Validator(offer_only).iter_errors(attributes))


@pytest.mark.parametrize(
    "cause", [codes.MISSING_ATTRIBUTE, codes.INVALID_ATTRIBUTE, codes.MISSING_IMAGE]
)
def test_listings_with_attribute_problems_fail_their_schema(demo, cause):
    broken = attributes_by_type(demo, {cause})
    assert broken
    for product_type, documents in broken.items():
        validator = Draft201909Validator(demo.product_type_schema(product_type))
        for attributes in documents:
            assert list(validator.iter_errors(attributes)), product_type


def test_a_listing_without_price_fails_the_conditional_requirement(demo):
    without_offer = [
        (t, a)
        for t, docs in attributes_by_type(demo, {codes.MISSING_PRICE}).items()
        for a in docs
        if "purchasable_offer" not in a
    ]
    assert without_offer
    for product_type, attributes in without_offer:
        errors = list(
            Draft201909Validator(demo.product_type_schema(product_type)).iter_errors(attributes)
        )
        assert any("purchasable_offer" in e.message for e in errors)


def test_variation_parents_need_no_offer(demo):
    parents = attributes_by_type(demo, {codes.VARIATION_PARENT})
    assert parents
    for product_type, documents in parents.items():
        validator = Draft201909Validator(demo.product_type_schema(product_type))
        for attributes in documents:
            assert "purchasable_offer" not in attributes
            assert not list(validator.iter_errors(attributes))


def test_product_type_definition_matches_the_official_model(demo, models_dir):
    document = json.loads((models_dir / "definitionsProductTypes_2020-09-01.json").read_text())
    uri = "urn:spapi-model:definitions"
    registry = Registry().with_resource(uri, Resource(document, specification=DRAFT4))
    validator = Draft4Validator(
        {"$ref": uri + "#/definitions/ProductTypeDefinition"}, registry=registry
    )
    for product_type in demo.product_types():
        definition = demo.product_type_definition(
            product_type,
            schema_url=f"http://sandbox.test/schemas/{product_type}.json",
            meta_schema_url="http://sandbox.test/schemas/meta-schema.json",
            requirements="LISTING",
        )
        assert not list(validator.iter_errors(definition)), product_type
        assert definition["schema"]["link"]["resource"].endswith(f"/{product_type}.json")
        canonical = json.dumps(
            demo.product_type_schema(product_type), sort_keys=True, separators=(",", ":")
        )
        assert (
            definition["schema"]["checksum"]
            == base64.b64encode(hashlib.md5(canonical.encode()).digest()).decode()
        )
        grouped = {n for g in definition["propertyGroups"].values() for n in g["propertyNames"]}
        assert grouped <= set(demo.product_type_schema(product_type)["properties"])
    assert (
        demo.product_type_definition(
            "SPACESHIP", schema_url="x", meta_schema_url="y", requirements="LISTING"
        )
        is None
    )
    assert demo.product_type_schema("SPACESHIP") is None


def test_the_published_schema_cannot_be_changed_by_a_caller(demo):
    schema = demo.product_type_schema("LUGGAGE")
    schema["required"].clear()
    assert demo.product_type_schema("LUGGAGE")["required"]
