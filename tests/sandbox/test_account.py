"""The sandbox seller account model: generation, derived status and issues, search, patches,
inventory, restrictions, catalog, the ALL_DATA report and persistence."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from asin_tui.domain import codes
from asin_tui.sandbox.account import SandboxAccount, SandboxError
from asin_tui.sandbox.catalog import COLOR_CODES, CONTENT, generated_with_defects
from asin_tui.sandbox.rules import ISSUES, requirements_of
from asin_tui.sandbox.schemas import schema, validate
from asin_tui.sandbox.views import ALL_DATA_COLUMNS

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ALL = (
    "summaries",
    "attributes",
    "issues",
    "offers",
    "fulfillmentAvailability",
    "relationships",
    "productTypes",
)
DEMO_CAUSES = {
    codes.OUT_OF_STOCK_MFN,
    codes.OUT_OF_STOCK_FBA,
    codes.STRANDED_FBA,
    codes.MISSING_ATTRIBUTE,
    codes.INVALID_ATTRIBUTE,
    codes.MISSING_IMAGE,
    codes.INVALID_IMAGE,
    codes.PRICE_CONFLICT,
    codes.MISSING_PRICE,
    codes.POLICY_VIOLATION,
    codes.APPROVAL_REQUIRED,
    codes.NOT_ELIGIBLE,
    codes.CATALOG_ITEM_REMOVED,
    codes.INCOMPLETE_SKU,
    codes.EXEMPTION_EXPIRING,
    codes.PRODUCT_TYPE_MISMATCH,
    codes.LISTING_CLOSED,
    codes.VARIATION_PARENT,
}


@pytest.fixture(scope="module")
def demo() -> SandboxAccount:
    """The default demo account; read-only tests share it."""
    return SandboxAccount(now=NOW)


@pytest.fixture
def account() -> SandboxAccount:
    """A fresh demo account for tests that patch."""
    return SandboxAccount(now=NOW)


def skus_with(account: SandboxAccount, *causes: str, only: bool = False) -> list[str]:
    wanted = set(causes)
    return [
        sku
        for sku in account.search(sort_by="sku", sort_order="ASC")
        if (
            account.intended_causes(sku) == wanted
            if only
            else wanted <= account.intended_causes(sku)
        )
    ]


def one(account: SandboxAccount, *causes: str, only: bool = False) -> str:
    found = skus_with(account, *causes, only=only)
    assert found, f"the demo account has no listing with {causes}"
    return found[0]


def healthy(account: SandboxAccount) -> str:
    """A listing with no cause at all, fulfilled by the merchant."""
    return next(
        s
        for s in account.search(sort_by="sku", sort_order="ASC")
        if not account.intended_causes(s)
        and account.item(s, ["fulfillmentAvailability"])["fulfillmentAvailability"][0][
            "fulfillmentChannelCode"
        ]
        == "DEFAULT"
    )


def status(account: SandboxAccount, sku: str) -> set[str] | None:
    summaries = account.item(sku, ["summaries"])["summaries"]
    return set(summaries[0]["status"]) if summaries else None


def needs_attention(account: SandboxAccount, sku: str) -> bool:
    # A recommended attribute left out (the untidy account) is a WARNING on a live listing.
    informational = {codes.VARIATION_PARENT, codes.RECOMMENDED_ATTRIBUTE}
    return bool(account.intended_causes(sku) - informational)


def product_type(account: SandboxAccount, sku: str) -> str:
    return account.item(sku, ["productTypes"])["productTypes"][0]["productType"]


def valid_value(product_type_name: str, name: str) -> object:
    """A value the product type schema accepts for attribute `name`."""
    value = schema(product_type_name)["properties"][name]["items"]["properties"]["value"]
    if "enum" in value:
        return value["enum"][0]
    return {"integer": value.get("minimum", 1), "boolean": False}.get(value["type"], "Supplied")


def patch_body(account: SandboxAccount, sku: str, name: str, value: list[dict]) -> dict:
    return {
        "productType": product_type(account, sku),
        "patches": [{"op": "replace", "path": f"/attributes/{name}", "value": value}],
    }


# --------------------------------------------------------------------------- generation


def test_same_parameters_give_the_same_account():
    first, second = SandboxAccount(now=NOW), SandboxAccount(now=NOW)
    assert first.seller_id == second.seller_id
    skus = first.search()
    assert skus == second.search()
    assert [first.item(s, ALL) for s in skus] == [second.item(s, ALL) for s in skus]
    assert first.merchant_listings_all_data() == second.merchant_listings_all_data()


def test_another_seed_gives_another_account(demo):
    other = SandboxAccount(seed=8, now=NOW)
    assert other.seller_id != demo.seller_id
    assert not set(other.search()) & set(demo.search())


def test_the_demo_has_250_listings_and_every_cause(demo):
    skus = demo.search()
    assert len(skus) == len(set(skus)) == 250
    present = set().union(*(demo.intended_causes(s) for s in skus))
    assert present >= DEMO_CAUSES
    assert any(len(demo.intended_causes(s) - {codes.STRANDED_FBA}) >= 2 for s in skus)
    share = sum(needs_attention(demo, s) for s in skus) / len(skus)
    assert 0.25 <= share <= 0.42  # "roughly a third"


def test_the_demo_has_every_fba_out_of_stock_breakdown(demo):
    details = [
        demo.inventory_summaries([s], True)[0]["inventoryDetails"]
        for s in skus_with(demo, codes.OUT_OF_STOCK_FBA)
    ]
    assert all(d["fulfillableQuantity"] == 0 for d in details)
    assert any(
        d["inboundWorkingQuantity"] + d["inboundShippedQuantity"] + d["inboundReceivingQuantity"]
        for d in details
    )
    assert any(d["unfulfillableQuantity"]["totalUnfulfillableQuantity"] for d in details)
    assert any(d["researchingQuantity"]["totalResearchingQuantity"] for d in details)


@pytest.mark.parametrize("share", [0.0, 0.05, 0.2])
def test_problem_share_sets_how_many_listings_need_attention(share):
    account = SandboxAccount(listings=2000, problem_share=share, now=NOW)
    skus = account.search()
    measured = sum(needs_attention(account, s) for s in skus) / len(skus)
    assert measured == pytest.approx(share, abs=0.01)


def test_identifiers_look_real(demo):
    skus = demo.search()
    sku_styles = re.compile(
        r"^([A-Z]{2}-[A-Z]{4}-[A-Z0-9]{4}"
        r"|[A-Z]+-\d{4}-(?:[A-Z]{3}|PARENT)"
        r"|[A-Z0-9]{2}-[A-Z0-9]{4}-[A-Z0-9]{4})$"
    )
    assert all(sku_styles.match(s) for s in skus), [s for s in skus if not sku_styles.match(s)]
    for sku in skus:
        item = demo.item(sku, ["summaries"])
        for summary in item["summaries"]:
            assert re.fullmatch(r"B0[A-Z0-9]{8}", summary["asin"])
            if "fnSku" in summary:
                assert re.fullmatch(r"X00[A-Z0-9]{7}", summary["fnSku"])
    product_types = {product_type(demo, s) for s in skus}
    assert len(product_types) >= 5


def test_prices_are_in_the_marketplace_currency():
    for code, currency, pattern in (
        ("US", "USD", r"\d+\.\d\d"),
        ("DE", "EUR", r"\d+\.\d\d"),
        ("JP", "JPY", r"\d+"),
    ):
        account = SandboxAccount(listings=40, marketplace=code, now=NOW)
        offers = [o for s in account.search() for o in account.item(s, ["offers"])["offers"]]
        assert offers
        assert {o["price"]["currencyCode"] for o in offers} == {currency}
        assert all(re.fullmatch(pattern, o["price"]["amount"]) for o in offers)


def test_generated_documents_break_the_schema_only_where_the_generator_meant_to(demo):
    for record in demo._records:
        attributes = demo.item(record.sku, ["attributes"])["attributes"]
        requirements = requirements_of(record)  # an offer-only listing: LISTING_OFFER_ONLY
        full = validate(record.product_type, attributes, requirements=requirements)
        assert full == validate(
            record.product_type,
            attributes,
            only=generated_with_defects(record),
            requirements=requirements,
        )


# --------------------------------------------------------------------------- derived status


def names_of(issue: dict) -> list[str]:
    """The attributes an issue names: Amazon sends `attributeNames` or a singular
    `attributeName` (the untidy account sends both shapes)."""
    if "attributeName" in issue:
        return [issue["attributeName"]]
    return issue.get("attributeNames", [])


def test_healthy_listings_are_buyable_discoverable_and_without_issues(demo):
    for sku in demo.search():
        causes = demo.intended_causes(sku)
        item = demo.item(sku, ["summaries", "issues", "offers"])
        if not causes:
            assert status(demo, sku) == {"BUYABLE", "DISCOVERABLE"}, sku
            assert item["issues"] == [] and item["offers"], sku
        elif causes != {codes.VARIATION_PARENT}:
            assert status(demo, sku) != {"BUYABLE", "DISCOVERABLE"} or item["issues"], sku


def test_mfn_out_of_stock_is_discoverable_but_not_buyable(demo):
    sku = one(demo, codes.OUT_OF_STOCK_MFN, only=True)
    item = demo.item(sku, ["summaries", "issues", "fulfillmentAvailability"])
    assert status(demo, sku) == {"DISCOVERABLE"}
    assert item["issues"] == []
    assert item["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "DEFAULT", "quantity": 0}]


def test_materials_and_colors_are_those_of_the_kind_of_product(demo):
    """No cardboard plush toy: a listing's material and color are ones its product comes in,
    and a SKU naming a color (KITCH-0042-BLK) names the listing's."""
    for sku in demo.search():
        attributes = demo.item(sku, ["attributes"])["attributes"]
        if "product_description" not in attributes:  # the missing attribute of a problem
            continue
        description = attributes["product_description"][0]["value"]
        kinds = CONTENT[product_type(demo, sku)]["products"]
        (kind,) = [k for noun, k in kinds.items() if f" {noun} in " in description]
        assert any(f" in {c.lower()} combines " in description for c in kind.colors), description
        assert any(f" combines {m.lower()} with " in description for m in kind.materials), sku
        coded = re.fullmatch(r"[A-Z]+-\d{4}-([A-Z]{3})", sku)
        if coded:
            (color,) = [c for c, code in COLOR_CODES.items() if code == coded[1]]
            assert f" in {color.lower()} combines " in description, (sku, description)


def test_a_listing_the_seller_closed_has_no_fulfillment_and_no_issue(demo):
    sku = one(demo, codes.LISTING_CLOSED, only=True)
    item = demo.item(sku, ["summaries", "issues", "fulfillmentAvailability", "attributes"])
    assert status(demo, sku) == {"DISCOVERABLE"}
    assert (item["issues"], item["fulfillmentAvailability"]) == ([], [])
    assert "fulfillment_availability" not in item["attributes"]


def test_relisting_a_closed_listing_makes_it_buyable(account):
    sku = one(account, codes.LISTING_CLOSED, only=True)
    restock(account, sku)
    assert status(account, sku) == {"BUYABLE", "DISCOVERABLE"}
    assert account.intended_causes(sku) == frozenset()


def test_a_reclassified_asin_shows_its_new_product_type_in_the_catalog_only(demo):
    sku = one(demo, codes.PRODUCT_TYPE_MISMATCH)
    assert demo.intended_causes(sku) == {codes.PRODUCT_TYPE_MISMATCH, codes.MISSING_ATTRIBUTE}
    ours = product_type(demo, sku)
    asin = demo.item(sku, ["summaries"])["summaries"][0]["asin"]
    (catalog,) = demo.catalog_item(asin, ["productTypes"])["productTypes"]
    assert catalog["productType"] != ours
    issues = demo.item(sku, ["issues"])["issues"]
    assert [i["code"] for i in issues] == ["90220"]  # the listing shows a missing attribute


def test_missing_attribute_suppresses_the_listing():
    """The canonical shape (a tidy account: the untidy one varies it, tests/sandbox/
    test_untidy.py)."""
    demo = SandboxAccount(now=NOW, tidy=True)
    sku = one(demo, codes.MISSING_ATTRIBUTE, only=True)
    (issue,) = demo.item(sku, ["issues"])["issues"]
    name = issue["attributeNames"][0]
    assert issue == {
        "code": "90220",
        "message": f"'{name}' is required but not supplied.",
        "severity": "ERROR",
        "attributeNames": [name],
        "categories": ["MISSING_ATTRIBUTE"],
        "enforcements": {
            "actions": [{"action": "LISTING_SUPPRESSED"}],
            "exemption": {"status": "NOT_EXEMPT"},
        },
        "marketplaceIds": [demo.marketplace.marketplace_id],
    }
    assert status(demo, sku) == set()


def test_non_compliant_main_image_is_buyable_but_hidden_from_search(demo):
    sku = one(demo, codes.INVALID_IMAGE, only=True)
    (issue,) = demo.item(sku, ["issues"])["issues"]
    assert (issue["code"], issue["categories"]) == ("18027", ["INVALID_IMAGE"])
    assert issue["enforcements"]["actions"] == [{"action": "SEARCH_SUPPRESSED"}]
    assert status(demo, sku) == {"BUYABLE"}


def test_missing_price_leaves_no_offer(demo):
    for sku in skus_with(demo, codes.MISSING_PRICE):
        item = demo.item(sku, ["issues", "offers"])
        assert item["offers"] == []
        assert any("MISSING_PRICE" in i["categories"] for i in item["issues"])
        assert "BUYABLE" not in (status(demo, sku) or set())


def test_policy_enforcement_has_no_category_and_suppresses(demo):
    for sku in skus_with(demo, codes.POLICY_VIOLATION):
        policy = [
            i
            for i in demo.item(sku, ["issues"])["issues"]
            if i["code"] in ("18742", "99300", "100390")
        ]
        assert policy and all(i["categories"] == [] for i in policy)
        # (an EXEMPT one, acknowledged and never applied, may name any action: untidy demo)
        enforced = [i for i in policy if i["enforcements"]["exemption"]["status"] != "EXEMPT"]
        actions = {a["action"] for i in enforced for a in i["enforcements"]["actions"]}
        assert actions <= {"LISTING_SUPPRESSED", "CATALOG_ITEM_REMOVED"}
        if enforced and not demo._by_sku[sku].status_lag:  # a lagging one reads as before
            assert not {"BUYABLE", "DISCOVERABLE"} & (status(demo, sku) or set())


def test_exemption_expires_in_the_future_and_the_listing_still_sells(demo):
    sku = one(demo, codes.EXEMPTION_EXPIRING, only=True)
    (issue,) = demo.item(sku, ["issues"])["issues"]
    exemption = issue["enforcements"]["exemption"]
    assert exemption["status"] == "EXEMPT_UNTIL_EXPIRY_DATE"
    expiry = datetime.fromisoformat(exemption["expiryDate"])
    assert NOW < expiry < NOW + timedelta(days=60)
    assert status(demo, sku) == {"BUYABLE", "DISCOVERABLE"}


def test_approval_required_comes_with_a_seller_central_link(demo):
    sku = one(demo, codes.APPROVAL_REQUIRED, only=True)
    summary = demo.item(sku, ["summaries"])["summaries"][0]
    assert "BUYABLE" not in summary["status"]
    (restriction,) = demo.restrictions(summary["asin"], summary["conditionType"])
    (reason,) = restriction["reasons"]
    assert reason["reasonCode"] == "APPROVAL_REQUIRED"
    assert reason["links"][0]["resource"] == (
        "https://sellercentral.amazon.com/hz/approvalrequest/restrictions/approve"
        f"?asin={summary['asin']}"
    )
    assert reason["links"][0]["verb"] == "GET"


def test_not_eligible_has_no_path_forward(demo):
    sku = one(demo, codes.NOT_ELIGIBLE)
    asin = demo.item(sku, ["summaries"])["summaries"][0]["asin"]
    (restriction,) = demo.restrictions(asin, None)
    assert restriction["reasons"][0]["reasonCode"] == "NOT_ELIGIBLE"
    assert not restriction["reasons"][0]["links"]


def test_some_restrictions_apply_to_one_used_condition_only(demo):
    gated = [r for r in demo._records if r.gate and r.gate.conditions]
    assert gated
    record = gated[0]
    (condition,) = record.gate.conditions
    assert condition.startswith("used_")
    (restriction,) = demo.restrictions(record.asin, condition)
    assert restriction["conditionType"] == condition
    assert demo.restrictions(record.asin, "new_new") == []
    healthy = one(demo, codes.OUT_OF_STOCK_MFN, only=True)
    assert demo.restrictions(demo.item(healthy, ["summaries"])["summaries"][0]["asin"], None) == []


def test_removed_catalog_item_is_gone_from_the_catalog(demo):
    sku = one(demo, codes.CATALOG_ITEM_REMOVED)
    summary = demo.item(sku, ["summaries"])["summaries"][0]
    issues = demo.item(sku, ["issues"])["issues"]
    assert any(
        a["action"] == "CATALOG_ITEM_REMOVED" for i in issues for a in i["enforcements"]["actions"]
    )
    assert demo.catalog_item(summary["asin"], ["summaries"]) is None
    assert (
        demo.restrictions(summary["asin"], None)[0]["reasons"][0]["reasonCode"] == "ASIN_NOT_FOUND"
    )
    assert summary["status"] == []


def test_incomplete_sku_has_no_summaries_and_issue_13013(demo):
    sku = one(demo, codes.INCOMPLETE_SKU)
    item = demo.item(sku, ["summaries", "issues", "offers"])
    assert item["summaries"] == [] and item["offers"] == []
    assert item["issues"][0]["code"] == "13013"


def test_fba_listings_show_the_region_channel_without_quantity(demo):
    for sku in skus_with(demo, codes.OUT_OF_STOCK_FBA) + skus_with(demo, codes.STRANDED_FBA):
        item = demo.item(sku, ["fulfillmentAvailability"])
        assert item["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "AMAZON_NA"}]


def test_stranded_fba_has_stock_but_does_not_sell(demo):
    for sku in skus_with(demo, codes.STRANDED_FBA):
        (summary,) = demo.inventory_summaries([sku], True)
        assert summary["inventoryDetails"]["fulfillableQuantity"] > 0
        if not demo._by_sku[sku].status_lag:  # a lagging status still reads as before
            assert "BUYABLE" not in (status(demo, sku) or set())
        assert demo.intended_causes(sku) - {codes.STRANDED_FBA}  # another cause explains it


def test_inventory_summaries_cover_fba_skus_only_with_consistent_totals(demo):
    everything = demo.inventory_summaries(None, True)
    assert everything and everything == demo.inventory_summaries(None, True)
    mfn = one(demo, codes.OUT_OF_STOCK_MFN, only=True)
    assert demo.inventory_summaries([mfn], True) == []
    for summary in everything:
        d = summary["inventoryDetails"]
        parts = (
            d["fulfillableQuantity"]
            + d["inboundWorkingQuantity"]
            + d["inboundShippedQuantity"]
            + d["inboundReceivingQuantity"]
            + d["reservedQuantity"]["totalReservedQuantity"]
            + d["researchingQuantity"]["totalResearchingQuantity"]
            + d["unfulfillableQuantity"]["totalUnfulfillableQuantity"]
        )
        assert summary["totalQuantity"] == parts
    assert "inventoryDetails" not in demo.inventory_summaries(None, False)[0]


def test_variation_parents_and_children_point_at_each_other(demo):
    parent = one(demo, codes.VARIATION_PARENT)
    item = demo.item(parent, ["summaries", "offers", "relationships"])
    (relation,) = item["relationships"][0]["relationships"]
    assert relation["type"] == "VARIATION" and relation["childSkus"]
    assert item["offers"] == [] and "BUYABLE" not in item["summaries"][0]["status"]
    child = demo.item(relation["childSkus"][0], ["relationships"])
    assert child["relationships"][0]["relationships"][0]["parentSkus"] == [parent]
    catalog = demo.catalog_item(item["summaries"][0]["asin"], ["summaries", "relationships"])
    assert catalog["summaries"][0]["itemClassification"] == "VARIATION_PARENT"
    assert catalog["relationships"][0]["relationships"][0]["childAsins"]


def test_item_returns_only_the_requested_sections(demo):
    sku = demo.search()[0]
    assert set(demo.item(sku, [])) == {"sku", "summaries"}
    assert set(demo.item(sku, ["issues", "offers"])) == {"sku", "issues", "offers"}
    assert demo.item("NO-SUCH-SKU", ["summaries"]) is None


def test_issue_table_names_known_finding_codes():
    assert {spec.cause for spec in ISSUES.values()} <= codes.ALL


# --------------------------------------------------------------------------- search


def test_without_buyable_returns_exactly_the_listings_that_do_not_sell(demo):
    not_buyable = {s for s in demo.search() if "BUYABLE" not in (status(demo, s) or set())}
    assert set(demo.search(without_status=["BUYABLE"])) == not_buyable
    both = set(demo.search(with_status=["BUYABLE", "DISCOVERABLE"]))
    assert both == {s for s in demo.search() if status(demo, s) == {"BUYABLE", "DISCOVERABLE"}}


def test_with_issue_severity_filters_on_issues(demo):
    errors = set(demo.search(with_issue_severity=["ERROR"]))
    expected = {
        s
        for s in demo.search()
        if any(i["severity"] == "ERROR" for i in demo.item(s, ["issues"])["issues"])
    }
    assert errors == expected and errors
    warnings = {
        s
        for s in demo.search()
        if any(i["severity"] == "WARNING" for i in demo.item(s, ["issues"])["issues"])
    }
    assert set(demo.search(with_issue_severity=["WARNING"])) == warnings and warnings


def test_search_by_identifiers(demo):
    skus = demo.search(sort_by="sku", sort_order="ASC")
    picked = skus[:3]
    assert sorted(demo.search(identifiers=[*picked, "NOPE"], identifiers_type="SKU")) == picked
    summary = demo.item(picked[0], ["summaries"])["summaries"][0]
    assert demo.search(identifiers=[summary["asin"]], identifiers_type="ASIN") == [picked[0]]
    fba = next(s for s in skus if "fnSku" in (demo.item(s, ["summaries"])["summaries"] or [{}])[0])
    fn_sku = demo.item(fba, ["summaries"])["summaries"][0]["fnSku"]
    assert demo.search(identifiers=[fn_sku], identifiers_type="FNSKU") == [fba]
    upc = demo.item(picked[1], ["attributes"])["attributes"][
        "externally_assigned_product_identifier"
    ][0]["value"]
    assert demo.search(identifiers=[upc], identifiers_type="UPC") == [picked[1]]
    assert demo.search(identifiers=["0" + upc], identifiers_type="EAN") == [picked[1]]
    with pytest.raises(SandboxError) as raised:
        demo.search(identifiers=picked)
    assert raised.value.status == 400


def test_search_sorts_and_windows_by_date(demo):
    by_sku = demo.search(sort_by="sku", sort_order="ASC")
    assert by_sku == sorted(by_sku)
    newest_first = demo.search(sort_by="createdDate")
    created = [demo.item(s, ["summaries"])["summaries"] for s in newest_first]
    dates = [c[0]["createdDate"] for c in created if c]
    assert dates == sorted(dates, reverse=True)
    cutoff = dates[len(dates) // 2]
    after = demo.search(created_after=cutoff)
    assert 0 < len(after) < len(newest_first)
    assert all(
        demo.item(s, ["summaries"])["summaries"][0]["createdDate"] >= cutoff
        for s in after
        if demo.item(s, ["summaries"])["summaries"]
    )
    with pytest.raises(SandboxError):
        demo.search(created_after="yesterday")


# --------------------------------------------------------------------------- patch


def test_restocking_an_mfn_listing_makes_it_buyable(account):
    sku = one(account, codes.OUT_OF_STOCK_MFN, only=True)
    body = patch_body(
        account,
        sku,
        "fulfillment_availability",
        [{"fulfillment_channel_code": "DEFAULT", "quantity": 12}],
    )
    before = account.item(sku, ALL)
    preview = account.patch(sku, body, preview=True)
    assert preview["status"] == "VALID" and preview["issues"] == []
    assert account.item(sku, ALL) == before
    result = account.patch(sku, body, preview=False)
    assert result["status"] == "ACCEPTED"
    assert status(account, sku) == {"BUYABLE", "DISCOVERABLE"}
    assert account.intended_causes(sku) == frozenset()
    assert account.item(sku, ["fulfillmentAvailability"])["fulfillmentAvailability"] == [
        {"fulfillmentChannelCode": "DEFAULT", "quantity": 12}
    ]
    assert sku in account.search(with_status=["BUYABLE"])
    assert account.search()[0] == sku  # the most recently updated listing comes first


def test_supplying_the_missing_attribute_lifts_the_suppression(account):
    sku = one(account, codes.MISSING_ATTRIBUTE, only=True)
    name = names_of(account.item(sku, ["issues"])["issues"][0])[0]
    value = valid_value(product_type(account, sku), name)
    mid = account.marketplace.marketplace_id
    body = patch_body(account, sku, name, [{"value": value, "marketplace_id": mid}])
    body["patches"][0]["op"] = "add"
    result = account.patch(sku, body, preview=False)
    assert result["status"] == "ACCEPTED", result
    assert account.item(sku, ["issues"])["issues"] == []
    assert status(account, sku) == {"BUYABLE", "DISCOVERABLE"}


def _offer(account: SandboxAccount, sku: str) -> dict:
    return account.item(sku, ["attributes"])["attributes"]["purchasable_offer"][0]


def test_fixing_the_price_band_clears_the_price_issue(account):
    sku = one(account, codes.PRICE_CONFLICT, only=True)
    offer = _offer(account, sku)
    price = offer["our_price"][0]["schedule"][0]["value_with_tax"]
    offer["minimum_seller_allowed_price"] = [
        {"schedule": [{"value_with_tax": round(price * 0.8, 2)}]}
    ]
    offer["maximum_seller_allowed_price"] = [
        {"schedule": [{"value_with_tax": round(price * 1.5, 2)}]}
    ]
    result = account.patch(
        sku, patch_body(account, sku, "purchasable_offer", [offer]), preview=False
    )
    assert result["status"] == "ACCEPTED"
    assert not any(
        "INVALID_PRICE" in i["categories"] for i in account.item(sku, ["issues"])["issues"]
    )
    assert status(account, sku) == {"BUYABLE", "DISCOVERABLE"}
    assert Decimal(account.item(sku, ["offers"])["offers"][0]["price"]["amount"]) == Decimal(
        str(price)
    )


def test_a_price_below_the_minimum_suppresses_a_healthy_listing(account):
    sku = healthy(account)
    offer = _offer(account, sku)
    price = offer["our_price"][0]["schedule"][0]["value_with_tax"]
    offer["minimum_seller_allowed_price"] = [{"schedule": [{"value_with_tax": price + 10}]}]
    account.patch(sku, patch_body(account, sku, "purchasable_offer", [offer]), preview=False)
    assert account.intended_causes(sku) == {codes.PRICE_CONFLICT}
    assert account.item(sku, ["issues"])["issues"][0]["code"] == "18155"


def test_an_invalid_enum_value_is_refused_and_names_the_attribute(account):
    sku = healthy(account)
    before = account.item(sku, ALL)
    mid = account.marketplace.marketplace_id
    body = patch_body(
        account, sku, "country_of_origin", [{"value": "Atlantis", "marketplace_id": mid}]
    )
    for preview in (True, False):
        result = account.patch(sku, body, preview=preview)
        assert result["status"] == "INVALID"
        (issue,) = result["issues"]
        assert issue["attributeNames"] == ["country_of_origin"]
        assert issue["categories"] == ["INVALID_ATTRIBUTE"] and issue["severity"] == "ERROR"
    assert account.item(sku, ALL) == before


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("item_name", [{"value": "x" * 201}], "90000900"),
        ("fake_attribute", [{"value": "x"}], "90000900"),
        (
            "fulfillment_availability",
            [{"fulfillment_channel_code": "DEFAULT", "quantity": -3}],
            "90000900",
        ),
        ("condition_type", [{"value": "brand_new"}], "4000001"),
    ],
)
def test_values_the_schema_rejects_make_the_patch_invalid(account, name, value, code):
    sku = healthy(account)
    result = account.patch(sku, patch_body(account, sku, name, value), preview=True)
    assert result["status"] == "INVALID"
    assert [(i["code"], i["attributeNames"]) for i in result["issues"]] == [(code, [name])]


def test_deleting_a_required_attribute_is_invalid(account):
    sku = healthy(account)
    body = {
        "productType": product_type(account, sku),
        "patches": [{"op": "delete", "path": "/attributes/brand"}],
    }
    result = account.patch(sku, body, preview=False)
    assert result["status"] == "INVALID"
    assert result["issues"][0]["code"] == "90220"
    assert account.intended_causes(sku) == frozenset()


def test_merge_and_delete_match_entries_by_selectors(account):
    mid = account.marketplace.marketplace_id

    def bullets(sku: str) -> list[dict]:
        return account.item(sku, ["attributes"])["attributes"]["bullet_point"]

    def submit(sku: str, op: str, value: list[dict]) -> str:
        patch = {"op": op, "path": "/attributes/bullet_point", "value": value}
        body = {"productType": product_type(account, sku), "patches": [patch]}
        return account.patch(sku, body, preview=False)["status"]

    sku = next(
        s for s in account.search() if not account.intended_causes(s) and len(bullets(s)) < 5
    )
    original = bullets(sku)
    german = {"value": "Jetzt in Geschenkbox", "language_tag": "de_DE", "marketplace_id": mid}
    assert submit(sku, "merge", [german]) == "ACCEPTED"
    assert bullets(sku) == [*original, german]
    english = {"value": "Now in a gift box", "language_tag": "en_US", "marketplace_id": mid}
    assert submit(sku, "merge", [english]) == "ACCEPTED"
    assert bullets(sku)[0] == english and len(bullets(sku)) == len(original) + 1
    assert submit(sku, "delete", [{"language_tag": "de_DE"}]) == "ACCEPTED"
    assert [b["language_tag"] for b in bullets(sku)] == ["en_US"] * len(original)


@pytest.mark.parametrize(
    "body",
    [
        [],
        {},
        {"patches": [{"op": "add", "path": "/attributes/brand", "value": [{"value": "x"}]}]},
        {
            "productType": "SPACESHIP",
            "patches": [{"op": "add", "path": "/attributes/brand", "value": [{}]}],
        },
        {"productType": "{pt}", "patches": []},
        {"productType": "{pt}", "patches": {"op": "add"}},
        {
            "productType": "{pt}",
            "patches": [{"op": "move", "path": "/attributes/brand", "value": [{}]}],
        },
        {
            "productType": "{pt}",
            "patches": [{"op": "add", "path": "/attributes/brand/0/value", "value": [{}]}],
        },
        {"productType": "{pt}", "patches": [{"op": "add", "path": "/summaries", "value": [{}]}]},
        {
            "productType": "{pt}",
            "patches": [{"op": "add", "path": "/attributes/brand", "value": {"value": "x"}}],
        },
        {
            "productType": "{pt}",
            "patches": [{"op": "add", "path": "/attributes/brand", "value": ["x"]}],
        },
        {"productType": "{pt}", "patches": [{"op": "replace", "path": "/attributes/brand"}]},
    ],
)
def test_malformed_patch_bodies_are_refused_with_400(account, body):
    sku = account.search()[0]
    if isinstance(body, dict) and body.get("productType") == "{pt}":
        body = {**body, "productType": product_type(account, sku)}
    before = account.item(sku, ALL)
    with pytest.raises(SandboxError) as raised:
        account.patch(sku, body, preview=False)
    assert raised.value.status == 400 and raised.value.message
    assert account.item(sku, ALL) == before


def test_patching_an_unknown_sku_is_404(account):
    with pytest.raises(SandboxError) as raised:
        account.patch("NO-SUCH-SKU", {"productType": "LUGGAGE", "patches": []}, preview=True)
    assert raised.value.status == 404


def test_another_known_product_type_is_invalid_not_malformed(account):
    sku = account.search()[0]
    other = "SHOES" if product_type(account, sku) != "SHOES" else "LUGGAGE"
    body = {
        "productType": other,
        "patches": [{"op": "add", "path": "/attributes/brand", "value": [{"value": "x"}]}],
    }
    result = account.patch(sku, body, preview=False)
    assert result["status"] == "INVALID" and result["issues"]


def test_a_policy_enforcement_survives_a_patch(account):
    sku = one(account, codes.POLICY_VIOLATION)
    causes = account.intended_causes(sku)
    mid = account.marketplace.marketplace_id
    body = patch_body(
        account,
        sku,
        "item_name",
        [{"value": "Renamed listing", "language_tag": "en_US", "marketplace_id": mid}],
    )
    assert account.patch(sku, body, preview=False)["status"] == "ACCEPTED"
    assert codes.POLICY_VIOLATION in account.intended_causes(sku)
    assert account.intended_causes(sku) == causes
    assert "BUYABLE" not in (status(account, sku) or set())


def test_supplying_what_an_incomplete_sku_lacked_completes_it(account):
    sku = one(account, codes.INCOMPLETE_SKU)
    missing = [
        names_of(i)[0] for i in account.item(sku, ["issues"])["issues"] if i["code"] == "90220"
    ]
    mid = account.marketplace.marketplace_id
    pt = product_type(account, sku)
    body = {
        "productType": pt,
        "patches": [
            {
                "op": "add",
                "path": f"/attributes/{n}",
                "value": [{"value": valid_value(pt, n), "marketplace_id": mid}],
            }
            for n in missing
        ],
    }
    assert account.item(sku, ["summaries"])["summaries"] == []
    result = account.patch(sku, body, preview=False, included_data=("issues", "identifiers"))
    assert result["status"] == "ACCEPTED", result
    assert account.item(sku, ["summaries"])["summaries"]
    assert codes.INCOMPLETE_SKU not in account.intended_causes(sku)
    assert result["identifiers"][0]["asin"].startswith("B0")


def test_submission_ids_are_uuids_and_identifiers_only_when_asked(account):
    sku = account.search()[0]
    body = patch_body(
        account,
        sku,
        "item_name",
        [{"value": "A title", "marketplace_id": account.marketplace.marketplace_id}],
    )
    first = account.patch(sku, body, preview=True, included_data=("identifiers",))
    second = account.patch(sku, body, preview=True)
    assert re.fullmatch(r"[0-9a-f-]{36}", first["submissionId"])
    assert first["submissionId"] != second["submissionId"]
    assert "issues" not in first and "identifiers" in first
    assert "identifiers" not in second and "issues" in second


# --------------------------------------------------------------------------- report


def test_all_data_report_has_every_sku_and_its_status(demo):
    lines = demo.merchant_listings_all_data().splitlines()
    assert lines[0].split("\t") == list(ALL_DATA_COLUMNS)
    rows = [dict(zip(ALL_DATA_COLUMNS, line.split("\t"), strict=True)) for line in lines[1:]]
    assert len(rows) == 250
    for row in rows:
        listing_status = status(demo, row["seller-sku"])
        expected = (
            "Incomplete"
            if listing_status is None
            else "Active"
            if "BUYABLE" in listing_status
            else "Inactive"
        )
        assert row["status"] == expected
    assert {r["fulfillment-channel"] for r in rows} == {"DEFAULT", "AMAZON_NA"}


# --------------------------------------------------------------------------- persistence


def test_save_and_load_replays_the_accepted_patches(account, tmp_path):
    sku = one(account, codes.OUT_OF_STOCK_MFN, only=True)
    body = patch_body(
        account,
        sku,
        "fulfillment_availability",
        [{"fulfillment_channel_code": "DEFAULT", "quantity": 3}],
    )
    account.patch(sku, body, preview=False)
    path = tmp_path / "demo.json"
    account.save(path)
    saved = json.loads(path.read_text())
    assert saved["params"] == {
        "seed": 7,
        "listings": 250,
        "problem_share": None,
        "marketplace": "US",
    }
    assert [c["sku"] for c in saved["changes"]] == [sku]
    assert path.stat().st_mode & 0o777 == 0o600
    restored = SandboxAccount.load_or_create(path, now=NOW)
    assert restored.item(sku, ALL) == account.item(sku, ALL)
    assert restored.intended_causes(sku) == frozenset()


def restock(account: SandboxAccount, sku: str, quantity: int = 3) -> None:
    body = patch_body(
        account,
        sku,
        "fulfillment_availability",
        [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
    )
    assert account.patch(sku, body, preview=False)["status"] == "ACCEPTED"


def test_two_sessions_saving_the_same_journal_keep_each_others_fixes(tmp_path):
    path = tmp_path / "demo.json"
    first = SandboxAccount.load_or_create(path, now=NOW)
    second = SandboxAccount.load_or_create(path, now=NOW)
    sku_a, sku_b, sku_c = skus_with(first, codes.OUT_OF_STOCK_MFN, only=True)[:3]
    restock(first, sku_a)
    first.save(path)
    restock(second, sku_b)
    second.save(path)
    restock(first, sku_c)  # the first session saves again: the second's fix stays
    first.save(path)
    saved = json.loads(path.read_text())["changes"]
    assert [c["sku"] for c in saved] == [sku_a, sku_b, sku_c]
    assert len({c["id"] for c in saved}) == 3
    restored = SandboxAccount.load_or_create(path, now=NOW)
    assert not any(restored.intended_causes(s) for s in (sku_a, sku_b, sku_c))


def test_saving_again_after_a_reload_does_not_duplicate_changes(account, tmp_path):
    path = tmp_path / "demo.json"
    restock(account, one(account, codes.OUT_OF_STOCK_MFN, only=True))
    account.save(path)
    reloaded = SandboxAccount.load_or_create(path, now=NOW)
    reloaded.save(path)
    assert len(json.loads(path.read_text())["changes"]) == 1


def test_a_journal_saved_without_change_ids_is_replayed_and_kept(account, tmp_path):
    path = tmp_path / "demo.json"
    old_sku, new_sku = skus_with(account, codes.OUT_OF_STOCK_MFN, only=True)[:2]
    restock(account, old_sku)
    account.save(path)
    document = json.loads(path.read_text())
    del document["changes"][0]["id"]
    path.write_text(json.dumps(document))
    reloaded = SandboxAccount.load_or_create(path, now=NOW)
    restock(reloaded, new_sku)
    reloaded.save(path)
    assert [c["sku"] for c in json.loads(path.read_text())["changes"]] == [old_sku, new_sku]


def test_a_missing_journal_gives_a_fresh_account(tmp_path):
    account = SandboxAccount.load_or_create(tmp_path / "none.json", now=NOW)
    assert account.search() == SandboxAccount(now=NOW).search()


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        '{"format": "something else"}',
        '{"format": "asin-tui-sandbox-journal", "version": 1, "params": {}, "changes": 3}',
    ],
)
def test_a_corrupt_journal_is_moved_aside(tmp_path, caplog, content):
    path = tmp_path / "demo.json"
    path.write_text(content)
    with caplog.at_level(logging.WARNING):
        account = SandboxAccount.load_or_create(path, now=NOW)
    assert account.search() == SandboxAccount(now=NOW).search()
    assert not path.exists()
    (aside,) = tmp_path.glob("demo.json.corrupt-*")
    assert aside.read_text() == content
    assert "moved it to demo.json.corrupt-" in caplog.text
    (notice,) = account.notices
    assert notice.startswith(f"demo account: {path} ")
    assert notice.endswith(f"moved it to {aside.name} and started fresh")


def test_a_readable_journal_gives_no_notice(account, tmp_path):
    path = tmp_path / "demo.json"
    account.save(path)
    assert SandboxAccount.load_or_create(path, now=NOW).notices == []


def test_a_journal_replayed_onto_other_parameters_skips_what_no_longer_applies(account, tmp_path):
    sku = one(account, codes.OUT_OF_STOCK_MFN, only=True)
    body = patch_body(
        account,
        sku,
        "fulfillment_availability",
        [{"fulfillment_channel_code": "DEFAULT", "quantity": 3}],
    )
    account.patch(sku, body, preview=False)
    path = tmp_path / "demo.json"
    account.save(path)
    other = SandboxAccount.load_or_create(path, seed=99, listings=30, now=NOW)
    assert len(other.search()) == 30 and sku not in other.search()
