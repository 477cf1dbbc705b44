"""SP-API bodies → domain objects: Amazon's sandbox examples and hand-made bodies in the wire shape."""

from __future__ import annotations

import copy
import json
import math
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from asin_tui.spapi.parse import (
    UnreadableBody,
    error_body,
    parse_account_health,
    parse_catalog_item,
    parse_inventory_summaries,
    parse_listing,
    parse_listing_bodies,
    parse_product_type,
    parse_restrictions,
)

FIXTURES = Path(__file__).parents[1] / "fixtures"
US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"


def load(name: str):
    return json.loads((FIXTURES / name).read_text())


# --------------------------------------------------------------------------- listings


def test_sandbox_listing_us_summary_offers_and_fulfillment():
    listing = parse_listing(load("listing_sandbox_200.json"), US)
    assert (listing.sku, listing.asin, listing.product_type) == (
        "GM-ZDPI-9B4E",
        "B071VG5N9D",
        "LUGGAGE",
    )
    assert listing.status == {"BUYABLE"} and listing.has_summary
    assert listing.condition_type == "new_new"
    assert listing.created_date == datetime(2021, 2, 1, tzinfo=UTC)
    assert listing.main_image_url == "https://www.example.com/luggage.png"
    assert listing.price == Decimal("100.00") and listing.offer().currency == "USD"
    assert listing.mfn_quantity == 100 and listing.fulfillment_channel == "MFN"
    assert listing.included_data == {"summaries", "offers", "fulfillmentAvailability", "issues"}
    assert not listing.has_data("attributes")


def test_sandbox_listing_issues_with_enforcements_and_exemptions():
    issues = {i.code: i for i in parse_listing(load("listing_sandbox_200.json"), US).issues}
    assert set(issues) == {"90220", "18027", "99300", "18155", "18742"}
    assert issues["90220"].enforcement is None
    assert issues["90220"].attribute_names == ("size",)
    assert issues["90220"].categories == ("MISSING_ATTRIBUTE",)
    image = issues["18027"].enforcement
    assert image.actions == ("SEARCH_SUPPRESSED",)
    assert image.exemption_status == "EXEMPT_UNTIL_EXPIRY_DATE"
    assert image.exemption_expiry == datetime(2025, 5, 28, 0, 36, 48, 914000, tzinfo=UTC)
    assert issues["18742"].enforcement.actions == ("CATALOG_ITEM_REMOVED",)
    assert issues["18742"].enforcement.in_force
    assert issues["18155"].marketplace_ids == (US,)


def test_sandbox_listing_ca_view_uses_ca_summary_and_issues():
    listing = parse_listing(load("listing_sandbox_200.json"), CA)
    assert listing.status == frozenset() and listing.has_summary
    assert listing.price == Decimal("130.00")
    assert {i.code for i in listing.issues_here()} == {"18027", "99300"}


def test_marketplace_defaults_to_first_summary_then_first_issue():
    assert parse_listing(load("listing_sandbox_200.json"), None).marketplace_id == US
    incomplete = parse_listing(load("listing_incomplete.json"), None)
    assert incomplete.marketplace_id == US and not incomplete.has_summary


def test_a_body_naming_no_marketplace_is_still_a_listing():
    """Issue 10: real bodies of SKUs that never reached the catalog have `summaries: []` and
    issues without marketplaceIds; the listing is read with the marketplace unknown ("")."""
    body = {"sku": "X-1", "summaries": [], "issues": []}
    listing = parse_listing(body, None)
    assert (listing.sku, listing.marketplace_id, listing.has_summary) == ("X-1", "", False)


def test_listing_without_summary_for_the_marketplace():
    listing = parse_listing(load("listing_sandbox_200.json"), "A1AM78C64UM0Y8")
    assert not listing.has_summary and listing.asin is None
    assert listing.status == frozenset()


def test_relationships_and_parentage():
    listing = parse_listing(load("listing_variation_parent.json"), US)
    assert listing.child_skus == ("SHOE-RUN-42", "SHOE-RUN-43", "SHOE-RUN-44")
    assert listing.variation_theme == "SIZE"
    assert listing.is_variation_parent


def test_attributes_kept_as_the_sellers_document():
    listing = parse_listing(load("listing_healthy.json"), US)
    assert listing.attributes["brand"][0]["value"] == "Forge & Hearth"
    assert listing.product_type == "KITCHEN"


def test_product_type_falls_back_to_product_types_section():
    body = load("listing_healthy.json")
    del body["summaries"][0]["productType"]
    body["productTypes"] = [{"marketplaceId": US, "productType": "COOKWARE"}]
    assert parse_listing(body, US).product_type == "COOKWARE"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b.pop("sku"), "missing 'sku'"),
        (lambda b: b.update(summaries={"x": 1}), "summaries: expected a list"),
        (lambda b: b["offers"][0]["price"].update(amount="ten"), "not a decimal amount"),
        (lambda b: b["fulfillmentAvailability"][0].update(quantity="5"), "whole number"),
        (lambda b: b["fulfillmentAvailability"][0].update(quantity=math.nan), "whole number"),
        (lambda b: b["fulfillmentAvailability"][0].update(quantity=math.inf), "whole number"),
        (lambda b: b["summaries"][0].update(createdDate="yesterday"), "not an ISO 8601 date"),
        (lambda b: b["summaries"][0].update(status="BUYABLE"), "expected a list"),
        (lambda b: b.update(issues=[{"code": "1", "enforcements": {"actions": [{}]}}]), "action"),
    ],
)
def test_malformed_listing_names_what_is_wrong(mutate, message):
    body = copy.deepcopy(load("listing_healthy.json"))
    mutate(body)
    with pytest.raises(UnreadableBody, match=message):
        parse_listing(body, US)


@pytest.mark.parametrize("body", [[1, 2], "text", 42, None])
def test_listing_that_is_not_an_object(body):
    with pytest.raises(UnreadableBody, match="expected an object"):
        parse_listing(body, US)


def test_listing_error_body_is_reported_with_amazons_code():
    with pytest.raises(UnreadableBody, match="BAD_REQUEST: Invalid input"):
        parse_listing(load("listing_sandbox_400.json"), US)


# --------------------------------------------------------------------------- errors


def test_error_body_forms():
    assert error_body(load("listing_sandbox_400.json")) == "BAD_REQUEST: Invalid input"
    assert (
        error_body(load("restrictions_sandbox_400.json")) == "BAD_REQUEST: Invalid 'asin' provided."
    )
    quota = {"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota."}]}
    assert error_body(quota) == "QuotaExceeded: You exceeded your quota."
    two = {"errors": [{"code": "A", "message": "a"}, {"code": "B", "message": "b"}]}
    assert error_body(two) == "A: a (+1 more)"


@pytest.mark.parametrize(
    "body", [load("listing_healthy.json"), {"errors": []}, [], [{"sku": "x"}], "x", None]
)
def test_error_body_ignores_non_errors(body):
    assert error_body(body) is None


# --------------------------------------------------------------------------- inventory


def test_inventory_details_with_breakdowns():
    (summary,) = parse_inventory_summaries(load("inventory_fba_out_of_stock.json"))
    assert summary.seller_sku == "2X-7HQM-LP3R" and summary.fn_sku == "X004QK9ZPL"
    assert summary.fulfillable == 0 and summary.total_quantity == 48
    assert (summary.inbound_working, summary.inbound_shipped, summary.inbound_receiving) == (
        24,
        12,
        6,
    )
    assert summary.inbound_total == 42
    assert summary.reserved_fc_processing == 2 and summary.researching_total == 1
    assert summary.unfulfillable_total == 3
    assert summary.unfulfillable_breakdown == {"customerDamaged": 2, "expired": 1}
    assert summary.last_updated == datetime(2026, 11, 26, 22, 4, 11, tzinfo=UTC)


def test_inventory_accepts_payload_dict_and_bare_list():
    body = load("inventory_fba_out_of_stock.json")
    payload = body["payload"]  # what python-amazon-sp-api's ApiResponse.payload holds
    assert parse_inventory_summaries(payload) == parse_inventory_summaries(body)
    assert parse_inventory_summaries(payload["inventorySummaries"]) == parse_inventory_summaries(
        body
    )


def test_inventory_without_details_defaults_to_zero():
    (summary,) = parse_inventory_summaries(
        {"inventorySummaries": [{"sellerSku": "A", "totalQuantity": 5}]}
    )
    assert summary.total_quantity == 5 and summary.fulfillable == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"payload": {"granularity": {}}}, "no 'inventorySummaries'"),
        ({"errors": [{"code": "InvalidInput", "message": "bad sku"}]}, "InvalidInput: bad sku"),
        ({"inventorySummaries": [{"asin": "B0"}]}, "missing 'sellerSku'"),
        ({"inventorySummaries": "none"}, "expected a list"),
    ],
)
def test_inventory_malformed(body, message):
    with pytest.raises(UnreadableBody, match=message):
        parse_inventory_summaries(body)


# --------------------------------------------------------------------------- restrictions


def test_sandbox_restriction_without_reason_code_keeps_link():
    (restriction,) = parse_restrictions(load("restrictions_sandbox_200.json"), US)
    assert restriction.condition_type == "used_acceptable"
    (reason,) = restriction.reasons
    assert reason.reason_code is None
    assert reason.message == "You cannot list the product in this condition."
    assert reason.links[0].url.endswith("approve?asin=B0000ASIN1")
    assert reason.links[0].title == "Request Approval via Seller Central."


def test_restrictions_filtered_by_marketplace_and_empty_means_allowed():
    assert parse_restrictions(load("restrictions_sandbox_200.json"), CA) == []
    assert parse_restrictions({"restrictions": []}) == []


def test_restrictions_bare_list_error_is_not_mistaken_for_data():
    with pytest.raises(UnreadableBody, match="BAD_REQUEST"):
        parse_restrictions(load("restrictions_sandbox_400.json"))


# --------------------------------------------------------------------------- product types


def test_product_type_specs_from_amazon_style_schema():
    requirements = parse_product_type(
        load("product_type_kitchen_definition.json"), load("product_type_kitchen_schema.json")
    )
    assert requirements.product_type == "KITCHEN" and requirements.marketplace_id == US
    assert requirements.display_name == "Kitchen"
    assert requirements.checksum == "hH9cWOI7nP0N9r0hO2P3Xg=="
    assert requirements.version == "U8wXh0kV1qY="
    assert set(requirements.required) == {
        "item_name",
        "brand",
        "color",
        "fulfillment_availability",
        "purchasable_offer",
    }
    name = requirements.attributes["item_name"]
    assert (name.title, name.min_length, name.max_length, name.max_utf8_byte_length) == (
        "Item Name",
        1,
        200,
        800,
    )
    assert name.max_items == 1 and name.editable
    assert not requirements.attributes["brand"].editable
    color = requirements.attributes["color"]
    assert color.enum == ("black", "red", "white") and color.enum_names[1] == "Red"
    pieces = requirements.attributes["number_of_pieces"]
    assert (pieces.value_type, pieces.minimum, pieces.maximum, pieces.required) == (
        "integer",
        1,
        500,
        False,
    )


def test_product_type_value_key_for_entries_without_value():
    requirements = parse_product_type(
        load("product_type_kitchen_definition.json"), load("product_type_kitchen_schema.json")
    )
    assert requirements.attributes["main_product_image_locator"].value_key == "media_location"
    assert (
        requirements.attributes["fulfillment_availability"].value_key == "fulfillment_channel_code"
    )


def test_product_type_entry_qualifiers_and_value_format():
    """What a new entry carries comes from the schema: brand has no language_tag, the image
    is a uri; an attribute naming language_tag only among its ``selectors`` gets it too."""
    requirements = parse_product_type(
        load("product_type_kitchen_definition.json"), load("product_type_kitchen_schema.json")
    )
    attributes = requirements.attributes
    assert attributes["item_name"].qualifiers == ("marketplace_id", "language_tag")
    assert attributes["brand"].qualifiers == ("marketplace_id",)
    assert attributes["fulfillment_availability"].qualifiers == ()
    image = attributes["main_product_image_locator"]
    assert (image.qualifiers, image.value_format) == (("marketplace_id",), "uri")
    assert attributes["item_name"].value_format is None
    schema = {
        "properties": {
            "bullet_point": {
                "selectors": ["marketplace_id", "language_tag"],
                "items": {"properties": {"value": {"type": "string"}}},
            }
        }
    }
    bullets = parse_product_type(load("product_type_kitchen_definition.json"), schema)
    assert bullets.attributes["bullet_point"].qualifiers == ("marketplace_id", "language_tag")


def test_sandbox_product_type_definition_with_empty_schema():
    requirements = parse_product_type(load("product_type_sandbox_200.json"), {})
    assert requirements.product_type == "LUGGAGE" and requirements.display_name == "Luggage"
    assert requirements.attributes == {} and requirements.requirements == "LISTING"


def test_product_type_malformed_schema():
    schema = {"properties": {"color": {"items": {"properties": {"value": {"maxLength": "x"}}}}}}
    with pytest.raises(UnreadableBody, match="maxLength"):
        parse_product_type(load("product_type_kitchen_definition.json"), schema)


# --------------------------------------------------------------------------- catalog


def test_sandbox_catalog_item():
    item = parse_catalog_item(load("catalog_item_sandbox_200.json"), US)
    assert item.asin == "B07N4M94X4" and item.found
    assert item.item_classification == "BASE_PRODUCT"
    assert item.product_types == ("TELEVISION",)
    assert item.brand == "SAMSUNG"
    assert item.item_name.startswith("Samsung QN82Q60RAFXZA")


def test_catalog_item_other_marketplace_has_no_summary():
    item = parse_catalog_item(load("catalog_item_sandbox_200.json"), CA)
    assert item.item_classification is None and item.product_types == ()


def test_catalog_error_body():
    with pytest.raises(UnreadableBody, match="400: Request has missing"):
        parse_catalog_item({"errors": [{"code": "400", "message": "Request has missing x"}]})


# --------------------------------------------------------------------------- account health

ACCOUNT_HEALTH_MODEL = "accountHealthReport-2020-11-18.json"
BR = "A2Q3Y263D00KWC"


def _official_example(models_dir: Path) -> dict:
    """The example document in Amazon's own schema file (it breaks its schema: docs/INACTIVE_CAUSES.md, the account gate)."""
    (example,) = json.loads((models_dir / ACCOUNT_HEALTH_MODEL).read_text())["examples"]
    return example


def test_account_health_official_example_us_at_risk_with_bad_sections(models_dir):
    health = parse_account_health(_official_example(models_dir), US)
    assert (health.marketplace_id, health.status) == (US, "AT_RISK")
    # every BAD ListingLevelViolation, with its count; GOOD documentRequest (sic) is left out
    assert health.policy_counters == {
        "productSafetyCustomerComplaints": 165,
        "receivedIntellectualPropertyComplaints": 75,
        "listingPolicyViolations": 86,
        "foodAndProductSafetyIssues": 37,
        "productAuthenticityCustomerComplaints": 212,
        "productConditionCustomerComplaints": 337,
        "otherPolicyViolations": 86,
    }


def test_account_health_official_example_other_marketplaces(models_dir):
    example = _official_example(models_dir)
    canada = parse_account_health(example, CA)
    assert (canada.status, dict(canada.policy_counters)) == ("NORMAL", {})  # no metrics for CA
    # "SUSPENDED" is not in the schema's enum: a suspended seller cannot sell either
    assert parse_account_health(example, "A1AM78C64UM0Y8").status == "DEACTIVATED"
    assert parse_account_health(example, BR) is None  # the report does not cover it


def test_account_health_sandbox_document():
    from asin_tui.sandbox.account import SandboxAccount

    account = SandboxAccount(seed=7, listings=250, account_status="DEACTIVATED")
    document = account.account_health_report()
    health = parse_account_health(document, US)
    assert health.status == "DEACTIVATED"
    (metrics,) = document["performanceMetrics"]
    bad = {name: m["defectsCount"] for name, m in metrics.items() if _bad_section(m)}
    assert "documentRequests" in bad and health.policy_counters == bad


def _bad_section(metric) -> bool:
    return isinstance(metric, dict) and "defectsCount" in metric and metric["status"] == "BAD"


def _health_doc(**metrics) -> dict:
    return {
        "accountStatuses": [{"marketplaceId": US, "status": "NORMAL"}],
        "performanceMetrics": [{"marketplaceId": US, **metrics}],
    }


def _section(count, status="BAD") -> dict:
    return {"defectsCount": count, "status": status, "targetValue": 0, "targetCondition": "EQUALS"}


def test_account_health_lenient_sections():
    doc = _health_doc(
        documentRequest=_section(3),  # the example's singular name still counts
        listingPolicyViolations=_section(2.0),  # a whole float is a count
        restrictedProductPolicyViolations=_section("7"),  # not a number: left out
        productSafetyCustomerComplaints=_section(float("nan")),
        otherPolicyViolations=_section(4, "NONE"),
        lateShipmentRate={"rate": 0.5, "status": "BAD"},  # an order metric, not a policy section
        warningStates=[{"warningType": "spammingSellerMessaging", "status": "BAD"}],
    )
    doc["accountStatuses"][0]["status"] = " at_risk "
    health = parse_account_health(doc, US)
    assert health.status == "AT_RISK"
    assert health.policy_counters == {"documentRequest": 3, "listingPolicyViolations": 2}


def test_account_health_lone_metrics_entry_without_marketplace():
    doc = _health_doc(listingPolicyViolations=_section(1))
    del doc["performanceMetrics"][0]["marketplaceId"]
    assert parse_account_health(doc, US).policy_counters == {"listingPolicyViolations": 1}


@pytest.mark.parametrize(
    "doc",
    [
        {},
        {"accountStatuses": None, "performanceMetrics": []},
        {"accountStatuses": [{"marketplaceId": US}]},  # no status
        {"accountStatuses": [{"marketplaceId": US, "status": 3}]},
        {"accountStatuses": ["NORMAL"], "performanceMetrics": "x"},
    ],
)
def test_account_health_says_nothing_about_the_marketplace(doc):
    assert parse_account_health(doc, US) is None


@pytest.mark.parametrize(
    ("doc", "fragment"),
    [
        ([], "account health report: expected an object, got a list"),
        ("oops", "expected an object, got a string"),
        ({"errors": [{"code": "InvalidInput", "message": "bad"}]}, "InvalidInput: bad"),
    ],
)
def test_account_health_not_a_document(doc, fragment):
    with pytest.raises(UnreadableBody, match=fragment):
        parse_account_health(doc, US)


# --------------------------------------------------------------------------- real shapes (issue 10)


@pytest.mark.parametrize(
    ("price", "amount", "currency"),
    [
        ({"currencyCode": "EUR", "amount": "19.99"}, "19.99", "EUR"),  # the model's Money
        ({"currency": "EUR", "amount": 19.99}, "19.99", "EUR"),  # currency, a number
        ([{"currencyCode": "JPY", "amount": "1800"}], "1800", "JPY"),  # a list of one
        (None, None, None),  # no price at all
    ],
    ids=["money", "currency-number", "list", "null"],
)
def test_offer_prices_in_every_shape_sellers_paste(price, amount, currency):
    item = {
        "sku": "P-1",
        "summaries": [{"marketplaceId": US, "status": ["buyable"]}],
        "offers": [{"marketplaceId": US, "offerType": "b2c", "price": price}],
    }
    listing = parse_listing(item, None)
    offer = listing.offer()
    assert offer is not None and offer.currency == currency
    assert offer.price == (None if amount is None else Decimal(amount))
    assert listing.buyable  # status read whatever its case


def test_b2b_offer_is_kept_apart_from_the_consumer_price():
    item = {
        "sku": "P-2",
        "summaries": [{"marketplaceId": US, "status": ["BUYABLE"]}],
        "offers": [
            {
                "marketplaceId": US,
                "offerType": "B2B",
                "price": {"currencyCode": "USD", "amount": "8"},
            },
            {
                "marketplaceId": US,
                "offerType": "B2C",
                "price": {"currencyCode": "USD", "amount": "9"},
            },
        ],
    }
    listing = parse_listing(item, None)
    assert listing.price == Decimal("9") and listing.offer("B2B").price == Decimal("8")


def test_issue_shapes_amazon_and_older_clients_send():
    item = {
        "sku": "I-1",
        "summaries": [],
        "issues": [
            {
                "code": 90000900,
                "message": "x",
                "severity": "error",
                "attributeName": "item_dimensions",
            },
            {
                "code": "18027",
                "message": "y",
                "severity": "WARNING",
                "attributeNames": ["main_product_image_locator"],
                "categories": ["INVALID_IMAGE", "INVALID_ATTRIBUTE"],
                "enforcements": {"actions": ["search_suppressed"]},
            },
        ],
    }
    first, second = parse_listing(item, US).issues
    assert (first.code, first.severity, first.attribute_names) == (
        "90000900",
        "ERROR",
        ("item_dimensions",),
    )
    assert first.categories == () and first.enforcement is None
    assert second.categories == ("INVALID_IMAGE", "INVALID_ATTRIBUTE")
    assert second.enforcement.actions == ("SEARCH_SUPPRESSED",)
    assert second.enforcement.in_force  # no exemption given: applied


def test_bodies_sellers_paste_each_give_their_listings():
    page = {"numberOfResults": 2, "items": [{"sku": "A"}, {"sku": "B"}]}
    assert [x.sku for x in parse_listing_bodies(page, US)] == ["A", "B"]
    wrapped = {"errors": None, "payload": {"sku": "C", "status": "ACCEPTED", "submissionId": "s"}}
    (submission,) = parse_listing_bodies(wrapped, US)
    assert (submission.sku, submission.submission_status) == ("C", "ACCEPTED")
    dumped = {"body": {"sku": "D", "summaries": []}, "status_code": 200}
    assert [x.sku for x in parse_listing_bodies(dumped, None)] == ["D"]
    for holds_nothing in ({"errors": [{"code": "NOT_FOUND", "message": "m"}]}, {"items": []}, []):
        with pytest.raises(UnreadableBody):
            parse_listing_bodies(holds_nothing, US)


def test_restrictions_that_mean_none():
    for body in ({"restrictions": []}, {"restrictions": [{}]}, {"restrictions": [{"reasons": []}]}):
        assert parse_restrictions(body, US) == []


def test_a_lone_summary_naming_no_marketplace_is_the_listings():
    item = {"sku": "S-1", "summaries": [{"asin": "B0X", "status": ["BUYABLE", "DISCOVERABLE"]}]}
    for marketplace in (None, US):
        listing = parse_listing(item, marketplace)
        assert listing.has_summary and listing.buyable and listing.asin == "B0X"


def test_a_section_that_is_null_is_not_evidence_as_a_missing_one_is_not():
    """A pasted or proxied body with `"summaries": null` (or offers null; the model allows
    neither) carries no evidence: read as the section absent ("not checked"), never as
    `summaries: []` (Amazon has no listing: INCOMPLETE, an ERROR) or no offer at all."""
    from asin_tui.domain.diagnosis import diagnose
    from asin_tui.domain.evidence import Evidence

    absent = parse_listing({"sku": "NULL-1"}, "ATVPDKIKX0DER")
    nulls = parse_listing(
        {"sku": "NULL-1", "summaries": None, "offers": None, "issues": None}, "ATVPDKIKX0DER"
    )
    assert nulls.summary_unknown and absent.summary_unknown
    assert not nulls.has_data("offers") and not nulls.has_data("summaries")
    assert nulls.included_data == absent.included_data

    def seen(listing):
        found = diagnose(Evidence(listing=listing))
        return found.state, [f.code for f in found.findings]

    assert seen(nulls) == seen(absent)
    # an empty list still says something: Amazon holds no summary for it
    assert not parse_listing({"sku": "NULL-1", "summaries": []}, "ATVPDKIKX0DER").summary_unknown


def test_a_summary_whose_status_is_null_or_missing_is_not_checked_not_a_cause():
    """`status` is required in a summary (ItemSummaryByMarketplace); a proxy or a pasted body
    may give it as null or leave it out. That says nothing: "not checked", as a missing
    summaries section, never neither buyable nor discoverable as `status: []` says."""
    from asin_tui.domain.diagnosis import diagnose
    from asin_tui.domain.evidence import Evidence
    from asin_tui.domain.models import State

    def seen(status, issues=()):
        summary = {"marketplaceId": US, "asin": "B0X", **status}
        body = {"sku": "S-1", "summaries": [summary], "issues": list(issues), "offers": []}
        return diagnose(Evidence(listing=parse_listing(body, US)))

    for status in ({"status": None}, {}):
        found = seen(status)
        assert (found.state, found.buyable, found.discoverable) == (State.ACTIVE, True, True)
        assert found.amazon_status is None  # Amazon's own status: not known
        assert any(n.startswith("status: ") for n in found.not_checked), found.not_checked
        assert not any(f.code in ("CLOSED", "NOT_DISCOVERABLE") for f in found.findings)
        # what is in force still takes the sale away
        suppressed = {
            "code": "X",
            "message": "Suppressed",
            "severity": "ERROR",
            "enforcements": {"actions": [{"action": "LISTING_SUPPRESSED"}]},
        }
        assert seen(status, [suppressed]).state is State.SUPPRESSED
    # an empty status is Amazon saying neither
    empty = seen({"status": []})
    assert (empty.state, empty.buyable, empty.discoverable) == (State.INACTIVE, False, False)
    assert empty.amazon_status == () and not any(
        n.startswith("status: ") for n in empty.not_checked
    )
