"""One test group per diagnosis rule: what it recognises, the words and numbers it gives,
and when it stays quiet."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from asin_tui.domain import codes
from asin_tui.domain.models import (
    AccountHealth,
    AttributeSpec,
    CatalogItem,
    Category,
    Enforcement,
    Evidence,
    FulfillmentAvailability,
    InventorySummary,
    Issue,
    Listing,
    Offer,
    ProductTypeRequirements,
    Restriction,
    RestrictionLink,
    RestrictionReason,
    Severity,
    WizardStep,
)
from asin_tui.domain.rules import Context, Found, Impact
from asin_tui.domain.rules.base import condition_words
from asin_tui.domain.rules.issues import issue_rule
from asin_tui.domain.rules.listing import (
    account_rule,
    catalog_rule,
    incomplete_rule,
    missing_price_rule,
    price_band_rule,
    product_type_rule,
    required_attributes_rule,
    restriction_rule,
    variation_parent_rule,
)
from asin_tui.domain.rules.stock import closed_rule, fba_stock_rule, hidden_rule, mfn_stock_rule

US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
LIVE = frozenset({"BUYABLE", "DISCOVERABLE"})


def listing(**changes) -> Listing:
    base = Listing(
        sku="SKU-1",
        marketplace_id=US,
        asin="B0TESTASIN",
        product_type="KITCHEN",
        condition_type="new_new",
        status=LIVE,
        offers=(Offer(US, "B2C", Decimal("20.00"), "USD"),),
        fulfillment=(FulfillmentAvailability("DEFAULT", 5),),
    )
    return dataclasses.replace(base, **changes)


def issue(
    code="1",
    message="",
    *,
    categories=(),
    attributes=(),
    actions=(),
    exemption=None,
    expiry=None,
    severity="ERROR",
    marketplaces=(US,),
) -> Issue:
    enforcement = Enforcement(tuple(actions), exemption, expiry) if actions else None
    return Issue(
        code, message, severity, tuple(attributes), tuple(categories), enforcement, marketplaces
    )


def run(rule, evidence: Evidence, found=()) -> list[Found]:
    return list(rule(Context(evidence, NOW), list(found)))


def only(rule, evidence: Evidence, found=()) -> Found:
    (result,) = run(rule, evidence, found)
    return result


def offer_attrs(price, minimum=None, maximum=None) -> dict:
    entry = {"marketplace_id": US, "currency": "USD", "audience": "ALL"}
    for key, amount in (
        ("our_price", price),
        ("minimum_seller_allowed_price", minimum),
        ("maximum_seller_allowed_price", maximum),
    ):
        if amount is not None:
            entry[key] = [{"schedule": [{"value_with_tax": amount}]}]
    return {"purchasable_offer": [entry]}


def blocking_finding() -> Found:
    return only(
        issue_rule,
        Evidence(listing(status=frozenset(), issues=(issue(actions=["LISTING_SUPPRESSED"]),))),
    )


# --------------------------------------------------------------------------- issue kinds


@pytest.mark.parametrize(
    ("the_issue", "code", "category", "step"),
    [
        (
            issue(categories=["MISSING_ATTRIBUTE"], attributes=["size"]),
            codes.MISSING_ATTRIBUTE,
            Category.LISTING_FIELDS,
            WizardStep.FIELDS,
        ),
        (
            issue(categories=["MISSING_ATTRIBUTE"], attributes=["main_product_image_locator"]),
            codes.MISSING_IMAGE,
            Category.LISTING_FIELDS,
            WizardStep.FIELDS,
        ),
        (issue(categories=["MISSING_IMAGE"]), codes.MISSING_IMAGE, Category.LISTING_FIELDS, None),
        (issue(categories=["INVALID_IMAGE"]), codes.INVALID_IMAGE, Category.LISTING_FIELDS, None),
        (
            issue(categories=["INVALID_ATTRIBUTE"], attributes=["color"]),
            codes.INVALID_ATTRIBUTE,
            Category.LISTING_FIELDS,
            WizardStep.FIELDS,
        ),
        (
            issue(categories=["INVALID_ATTRIBUTE"], attributes=["purchasable_offer"]),
            codes.PRICE_CONFLICT,
            Category.PRICING,
            WizardStep.FIELDS,
        ),
        (issue(categories=["INVALID_PRICE"]), codes.PRICE_CONFLICT, Category.PRICING, None),
        (issue(categories=["MISSING_PRICE"]), codes.MISSING_PRICE, Category.PRICING, None),
        (
            issue("100390", "Compliance documentation required", actions=["LISTING_SUPPRESSED"]),
            codes.POLICY_VIOLATION,
            Category.POLICY,
            WizardStep.POLICY,
        ),
        (
            issue(
                "18742", "Restricted Products Policy Violation", actions=["CATALOG_ITEM_REMOVED"]
            ),
            codes.POLICY_VIOLATION,
            Category.POLICY,
            WizardStep.POLICY,
        ),
        (
            issue(
                "8541",
                "This ASIN has been removed from the catalog",
                actions=["CATALOG_ITEM_REMOVED"],
            ),
            codes.CATALOG_ITEM_REMOVED,
            Category.CATALOG,
            WizardStep.POLICY,
        ),
        (
            issue("5", "Something about the colour", attributes=["color"]),
            codes.INVALID_ATTRIBUTE,
            Category.LISTING_FIELDS,
            WizardStep.FIELDS,
        ),
        (issue("777", "Unknown problem"), codes.OTHER_ISSUE, Category.OTHER, WizardStep.OVERVIEW),
    ],
)
def test_issue_kinds_key_on_categories_enforcements_and_attributes(the_issue, code, category, step):
    finding = only(issue_rule, Evidence(listing(issues=(the_issue,)))).finding
    assert (finding.code, finding.category) == (code, category)
    if step is not None:
        assert finding.step is step
    assert finding.issue_code == the_issue.code
    assert finding.fix


def test_the_issue_code_alone_does_not_decide_the_cause():
    """Amazon's codes are free-form: the same code with other categories is another cause."""
    as_image = issue("90220", categories=["INVALID_IMAGE"])
    as_attribute = issue("90220", categories=["MISSING_ATTRIBUTE"], attributes=["size"])
    codes_seen = {
        only(issue_rule, Evidence(listing(issues=(i,)))).finding.code
        for i in (as_image, as_attribute)
    }
    assert codes_seen == {codes.INVALID_IMAGE, codes.MISSING_ATTRIBUTE}


def test_missing_attribute_names_the_attribute_and_blocks_when_suppressed():
    found = only(
        issue_rule,
        Evidence(
            listing(
                status=frozenset(),
                issues=(
                    issue(
                        "90220",
                        "'size' is required but not supplied.",
                        categories=["MISSING_ATTRIBUTE"],
                        attributes=["size"],
                        actions=["LISTING_SUPPRESSED"],
                        exemption="NOT_EXEMPT",
                    ),
                ),
            )
        ),
    )
    f = found.finding
    assert found.impact is Impact.BLOCKS_SALE and f.severity is Severity.ERROR
    assert f.title == "Missing required attribute: size" and f.attributes == ("size",)
    assert "suppressed the listing" in f.detail
    assert "'size' is required but not supplied." in f.detail and "90220" in f.detail
    assert f.fix == "Reactivation wizard → Listing fields: supply the missing value of size."


def test_error_without_enforcement_on_a_live_listing_blocks_edits_not_sales():
    found = only(issue_rule, Evidence(listing(issues=(issue(categories=["MISSING_ATTRIBUTE"]),))))
    assert found.impact is Impact.NOTE and found.finding.severity is Severity.ERROR
    assert "rejects edits" in found.finding.detail


def test_error_without_enforcement_on_an_unbuyable_listing_explains_it():
    found = only(
        issue_rule,
        Evidence(listing(status=frozenset({"DISCOVERABLE"}), issues=(issue("13", "Bad"),))),
    )
    assert found.impact is Impact.BLOCKS_SALE


def test_warning_issue_without_enforcement_stays_a_warning():
    found = only(
        issue_rule, Evidence(listing(issues=(issue(severity="WARNING", attributes=["x"]),)))
    )
    assert found.finding.severity is Severity.WARNING and found.impact is Impact.NOTE


def test_price_issue_gives_price_and_band_with_currency():
    evidence = Evidence(
        listing(
            status=frozenset({"DISCOVERABLE"}),
            attributes=offer_attrs(18.5, minimum=20, maximum=40),
            issues=(issue("18155", categories=["INVALID_PRICE"], actions=["LISTING_SUPPRESSED"]),),
        )
    )
    f = only(issue_rule, evidence).finding
    assert f.title == "Price outside your allowed band"
    assert "price 18.50 USD is below the minimum 20.00 USD" in f.detail
    assert "allowed band 20.00 – 40.00 USD" in f.detail
    assert f.attributes == ("purchasable_offer",)


def test_issues_for_other_marketplaces_are_ignored():
    evidence = Evidence(listing(issues=(issue(categories=["INVALID_IMAGE"], marketplaces=(CA,)),)))
    assert run(issue_rule, evidence) == []


def test_issue_without_marketplaces_applies_everywhere():
    evidence = Evidence(listing(issues=(issue(categories=["INVALID_IMAGE"], marketplaces=()),)))
    assert len(run(issue_rule, evidence)) == 1


# --------------------------------------------------------------------------- exemptions


def test_exemption_in_the_future_is_an_at_risk_warning_with_date_and_days_left():
    expiry = datetime(2026, 12, 20, tzinfo=UTC)
    found = only(
        issue_rule,
        Evidence(
            listing(
                issues=(
                    issue(
                        "18027",
                        categories=["INVALID_IMAGE"],
                        actions=["SEARCH_SUPPRESSED"],
                        exemption="EXEMPT_UNTIL_EXPIRY_DATE",
                        expiry=expiry,
                    ),
                )
            )
        ),
    )
    f = found.finding
    assert found.impact is Impact.AT_RISK
    assert (f.code, f.severity) == (codes.EXEMPTION_EXPIRING, Severity.WARNING)
    assert f.title == "At risk: main image not compliant"
    assert "hide the listing from search on 2026-12-20 (in 23 days)" in f.detail
    assert f.step is WizardStep.FIELDS and f.issue_code == "18027"


def test_expired_exemption_is_in_force():
    found = only(
        issue_rule,
        Evidence(
            listing(
                issues=(
                    issue(
                        categories=["INVALID_IMAGE"],
                        actions=["SEARCH_SUPPRESSED"],
                        exemption="EXEMPT_UNTIL_EXPIRY_DATE",
                        expiry=datetime(2025, 5, 28, tzinfo=UTC),
                    ),
                )
            )
        ),
    )
    assert found.impact is Impact.HIDES
    assert (found.finding.code, found.finding.severity) == (codes.INVALID_IMAGE, Severity.ERROR)
    assert "The exemption ended on 2025-05-28" in found.finding.detail


def test_exemption_without_a_date_is_still_at_risk():
    found = only(
        issue_rule,
        Evidence(
            listing(
                issues=(
                    issue(
                        "x",
                        "Restricted Products Policy Violation",
                        actions=["LISTING_SUPPRESSED"],
                        exemption="EXEMPT_UNTIL_EXPIRY_DATE",
                    ),
                )
            )
        ),
    )
    assert found.finding.code == codes.EXEMPTION_EXPIRING
    assert "at a date it has not given" in found.finding.detail


def test_full_exemption_is_a_warning_not_an_error():
    found = only(
        issue_rule,
        Evidence(
            listing(
                issues=(
                    issue(
                        "99300",
                        "Product Detail Page Rules Violation",
                        actions=["ATTRIBUTE_SUPPRESSED"],
                        exemption="EXEMPT",
                    ),
                )
            )
        ),
    )
    f = found.finding
    assert (f.code, f.severity, found.impact) == (
        codes.POLICY_VIOLATION,
        Severity.WARNING,
        Impact.NOTE,
    )
    assert f.title == "Detail page rules violation" and "exempted" in f.detail


# --------------------------------------------------------------------------- account


def _problem() -> Found:
    """What an earlier rule found on a listing that has a problem of its own."""
    evidence = Evidence(listing(fulfillment=(FulfillmentAvailability("DEFAULT", 0),)))
    return only(mfn_stock_rule, evidence)


def test_account_at_risk_lists_the_bad_policy_sections():
    account = AccountHealth(US, "AT_RISK", {"listingPolicyViolations": 3})
    f = only(account_rule, Evidence(listing(), account=account), [_problem()]).finding
    assert (f.code, f.category, f.severity) == (
        codes.ACCOUNT_AT_RISK,
        Category.ACCOUNT,
        Severity.WARNING,
    )
    assert "Policy sections marked BAD: listing policy violations: 3." in f.detail


def test_account_deactivated_blocks_every_sale():
    found = only(account_rule, Evidence(listing(), account=AccountHealth(US, "DEACTIVATED")))
    assert found.impact is Impact.BLOCKS_SALE and found.finding.severity is Severity.ERROR


@pytest.mark.parametrize("account", [AccountHealth(US, "NORMAL"), AccountHealth(CA, "AT_RISK")])
def test_account_rule_quiet_for_normal_or_other_marketplace(account):
    assert run(account_rule, Evidence(listing(), account=account), [_problem()]) == []


def test_account_at_risk_not_repeated_on_healthy_listings():
    """A healthy listing of an at-risk account needs no triage; the banner says it once."""
    account = AccountHealth(US, "AT_RISK", {"listingPolicyViolations": 3})
    assert run(account_rule, Evidence(listing(), account=account)) == []


# --------------------------------------------------------------------------- incomplete / parent


def test_incomplete_sku_quotes_amazons_message():
    evidence = Evidence(
        listing(
            has_summary=False, status=frozenset(), issues=(issue("13013", "SKU not in catalog"),)
        )
    )
    f = only(incomplete_rule, evidence).finding
    assert (f.code, f.severity, f.category) == (
        codes.INCOMPLETE_SKU,
        Severity.ERROR,
        Category.CATALOG,
    )
    assert 'Amazon says (code 13013): "SKU not in catalog"' in f.detail
    assert "United States" in f.detail
    assert run(issue_rule, evidence) == []  # the message is not repeated as an OTHER issue


def test_incomplete_rule_quiet_when_there_is_a_summary():
    assert run(incomplete_rule, Evidence(listing())) == []


def test_variation_parent_is_information_only():
    parent = listing(status=frozenset(), child_skus=("A", "B"), variation_theme="SIZE", offers=())
    f = only(variation_parent_rule, Evidence(parent)).finding
    assert (f.code, f.severity) == (codes.VARIATION_PARENT, Severity.INFO)
    assert "of 2 child SKUs (varies by SIZE)" in f.detail


def test_catalog_classification_marks_a_parent():
    evidence = Evidence(
        listing(), catalog=CatalogItem("B0TESTASIN", item_classification="VARIATION_PARENT")
    )
    assert only(variation_parent_rule, evidence).finding.code == codes.VARIATION_PARENT
    assert run(variation_parent_rule, Evidence(listing())) == []


# --------------------------------------------------------------------------- catalog / restrictions


def test_catalog_404_is_catalog_item_removed():
    evidence = Evidence(listing(), catalog=CatalogItem("B0TESTASIN", found=False))
    found = only(catalog_rule, evidence)
    assert found.finding.code == codes.CATALOG_ITEM_REMOVED and found.impact is Impact.BLOCKS_SALE
    assert "no item B0TESTASIN in United States (404)" in found.finding.detail


def test_restriction_asin_not_found_is_catalog_item_removed():
    restriction = Restriction(US, None, (RestrictionReason("Not in this store", "ASIN_NOT_FOUND"),))
    evidence = Evidence(listing(), restrictions=(restriction,))
    assert only(catalog_rule, evidence).finding.code == codes.CATALOG_ITEM_REMOVED
    assert run(restriction_rule, evidence) == []


def test_catalog_rule_does_not_repeat_an_issue_that_removed_the_item():
    removed = issue(
        "18742", "Restricted Products Policy Violation", actions=["CATALOG_ITEM_REMOVED"]
    )
    evidence = Evidence(listing(issues=(removed,)), catalog=CatalogItem("B0TESTASIN", found=False))
    assert run(catalog_rule, evidence) == []


APPROVAL_LINK = "https://sellercentral.amazon.com/hz/approvalrequest/restrictions/approve?asin=B0"


def _restriction(code=None, links=(APPROVAL_LINK,), condition=None, marketplace=US):
    reason = RestrictionReason(
        "You cannot list the product in this condition.",
        code,
        tuple(RestrictionLink("Request Approval", url) for url in links),
    )
    return Restriction(marketplace, condition, (reason,))


@pytest.mark.parametrize("code", ["APPROVAL_REQUIRED", None])
def test_restriction_with_a_link_is_approval_required(code):
    evidence = Evidence(
        listing(status=frozenset({"DISCOVERABLE"})), restrictions=(_restriction(code),)
    )
    found = only(restriction_rule, evidence)
    f = found.finding
    assert (f.code, f.category, found.impact) == (
        codes.APPROVAL_REQUIRED,
        Category.RESTRICTION,
        Impact.BLOCKS_SALE,
    )
    assert APPROVAL_LINK in f.fix and APPROVAL_LINK in f.detail


def test_not_eligible_has_no_path_forward():
    evidence = Evidence(listing(), restrictions=(_restriction("NOT_ELIGIBLE", links=()),))
    f = only(restriction_rule, evidence).finding
    assert f.code == codes.NOT_ELIGIBLE and "delete the SKU" in f.fix


def test_condition_specific_restriction_only_for_that_condition():
    used = _restriction(condition="used_acceptable")
    assert run(restriction_rule, Evidence(listing(), restrictions=(used,))) == []
    evidence = Evidence(listing(condition_type="used_acceptable"), restrictions=(used,))
    f = only(restriction_rule, evidence).finding
    assert "Restricted in condition Used – Acceptable:" in f.detail
    assert f.attributes == ("condition_type",)
    assert "or list in a condition you are allowed to sell" in f.fix


def test_a_brand_gate_asked_for_one_condition_offers_no_other_condition():
    """Amazon echoes the condition asked about on every restriction; only a gate on a
    non-new condition makes another condition a way out (decided from the condition type,
    never from the message, which Amazon localises)."""
    brand = Restriction(
        US,
        "new_new",
        (
            RestrictionReason(
                "You need approval to list products of this brand.",
                "APPROVAL_REQUIRED",
                (RestrictionLink("Request Approval", APPROVAL_LINK),),
            ),
        ),
    )
    f = only(restriction_rule, Evidence(listing(), restrictions=(brand,))).finding
    assert f.code == codes.APPROVAL_REQUIRED and f.attributes == ()
    assert "condition you are allowed" not in f.fix and "Restricted in condition New:" in f.detail


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        ("new_new", "New"),
        ("new_open_box", "New – Open Box"),
        ("used_very_good", "Used – Very Good"),
        ("refurbished_refurbished", "Refurbished"),
        ("collectible_like_new", "Collectible – Like New"),
    ],
)
def test_conditions_are_said_in_words(condition, words):
    assert condition_words(condition) == words


def test_restriction_for_another_marketplace_is_ignored():
    evidence = Evidence(listing(), restrictions=(_restriction(marketplace=CA),))
    assert run(restriction_rule, evidence) == []


# --------------------------------------------------------------------------- price


def test_price_above_the_maximum_from_attributes():
    evidence = Evidence(listing(status=frozenset(), attributes=offer_attrs(99, 10, 50)))
    found = only(price_band_rule, evidence)
    assert found.finding.code == codes.PRICE_CONFLICT and found.impact is Impact.BLOCKS_SALE
    assert "price 99.00 USD is above the maximum 50.00 USD" in found.finding.detail


def test_price_inside_the_band_or_already_reported_is_quiet():
    assert run(price_band_rule, Evidence(listing(attributes=offer_attrs(30, 10, 50)))) == []
    evidence = Evidence(
        listing(
            attributes=offer_attrs(99, 10, 50),
            issues=(issue(categories=["INVALID_PRICE"]),),
        )
    )
    assert run(price_band_rule, evidence, run(issue_rule, evidence)) == []


def test_missing_price_when_no_offer_and_no_our_price():
    no_price = listing(
        status=frozenset({"DISCOVERABLE"}), offers=(), included_data=frozenset({"offers"})
    )
    found = only(missing_price_rule, Evidence(no_price))
    assert found.finding.code == codes.MISSING_PRICE and found.impact is Impact.BLOCKS_SALE


def test_missing_price_is_only_a_warning_when_it_does_not_explain_the_listing():
    changes = {"status": LIVE, "included_data": frozenset({"offers", "attributes"})}
    found = only(missing_price_rule, Evidence(listing(offers=(), **changes)))
    f = found.finding
    assert (f.code, f.severity, found.impact) == (
        codes.MISSING_PRICE,
        Severity.WARNING,
        Impact.NOTE,
    )
    assert "cannot be bought" not in f.detail and "no price (our_price)" in f.detail


def test_missing_price_needs_the_offers_section():
    """Issue 10: a body fetched without offers is "price not checked", never "no price" —
    even when its attributes carry no our_price."""
    for sections in ({"summaries"}, {"summaries", "attributes"}):
        not_asked = listing(status=frozenset(), offers=(), included_data=frozenset(sections))
        assert run(missing_price_rule, Evidence(not_asked)) == []
    assert run(missing_price_rule, Evidence(listing())) == []


# --------------------------------------------------------------------------- product type


REQUIREMENTS = ProductTypeRequirements(
    product_type="KITCHEN",
    marketplace_id=US,
    attributes={
        "item_name": AttributeSpec("item_name", title="Item Name", required=True),
        "color": AttributeSpec("color", title="Colour", required=True),
        "material": AttributeSpec("material", title="Material"),
    },
)


def test_required_attributes_missing_from_the_listing():
    attrs = {
        "item_name": [{"value": "Pan", "marketplace_id": US}],
        "color": [{"value": "red", "marketplace_id": CA}],
    }
    f = only(
        required_attributes_rule, Evidence(listing(attributes=attrs), requirements=REQUIREMENTS)
    ).finding
    assert (f.code, f.severity, f.attributes) == (
        codes.MISSING_ATTRIBUTE,
        Severity.WARNING,
        ("color",),
    )
    assert "KITCHEN product type requires Colour" in f.detail


def test_required_attributes_already_flagged_or_not_fetched_are_not_repeated():
    flagged = issue(categories=["MISSING_ATTRIBUTE"], attributes=["color", "item_name"])
    evidence = Evidence(listing(issues=(flagged,)), requirements=REQUIREMENTS)
    assert run(required_attributes_rule, evidence, run(issue_rule, evidence)) == []
    not_fetched = listing(included_data=frozenset({"summaries", "issues"}))
    assert run(required_attributes_rule, Evidence(not_fetched, requirements=REQUIREMENTS)) == []
    other_type = listing(product_type="SHOES")
    assert run(required_attributes_rule, Evidence(other_type, requirements=REQUIREMENTS)) == []


def test_product_type_mismatch_with_the_catalog():
    catalog = CatalogItem("B0TESTASIN", product_types=("COOKWARE",))
    f = only(product_type_rule, Evidence(listing(), catalog=catalog)).finding
    assert (
        f.code == codes.PRODUCT_TYPE_MISMATCH and "KITCHEN" in f.detail and "COOKWARE" in f.detail
    )
    same = CatalogItem("B0TESTASIN", product_types=("KITCHEN",))
    assert run(product_type_rule, Evidence(listing(), catalog=same)) == []


# --------------------------------------------------------------------------- stock


def test_mfn_quantity_zero_is_out_of_stock():
    evidence = Evidence(
        listing(
            status=frozenset({"DISCOVERABLE"}), fulfillment=(FulfillmentAvailability("DEFAULT", 0),)
        )
    )
    f = only(mfn_stock_rule, evidence).finding
    assert (f.code, f.step) == (codes.OUT_OF_STOCK_MFN, WizardStep.STOCK)
    assert "quantity is 0" in f.detail and f.fix.startswith(
        "Reactivation wizard → Stock: set the quantity"
    )


def test_mfn_rule_quiet_with_stock_or_for_fba():
    assert run(mfn_stock_rule, Evidence(listing())) == []
    fba = listing(fulfillment=(FulfillmentAvailability("AMAZON_NA", 0),))
    assert run(mfn_stock_rule, Evidence(fba)) == []


FBA = (FulfillmentAvailability("AMAZON_NA", None),)


def test_fba_out_of_stock_says_where_the_units_are():
    inventory = InventorySummary(
        "SKU-1",
        inbound_working=4,
        inbound_shipped=0,
        inbound_receiving=1,
        unfulfillable_total=2,
        unfulfillable_breakdown={"warehouseDamaged": 2},
    )
    evidence = Evidence(
        listing(status=frozenset({"DISCOVERABLE"}), fulfillment=FBA), inventory=inventory
    )
    f = only(fba_stock_rule, evidence).finding
    assert f.code == codes.OUT_OF_STOCK_FBA
    assert "5 units are inbound (4 working, 0 shipped, 1 receiving)" in f.detail
    assert "2 units are unfulfillable (2 warehouse damaged)" in f.detail
    assert "removal or disposal order" in f.fix and "wait for the inbound" in f.fix


def test_fba_stock_in_warehouse_but_not_buyable_is_stranded():
    evidence = Evidence(
        listing(status=frozenset(), fulfillment=FBA),
        inventory=InventorySummary("SKU-1", fulfillable=7),
    )
    found = only(fba_stock_rule, evidence)
    assert found.finding.code == codes.STRANDED_FBA and found.impact is Impact.BLOCKS_SALE
    assert "7 units sit in Amazon's warehouses" in found.finding.detail
    assert "AMAZON_NA" in found.finding.fix
    suppressed = issue(categories=["MISSING_ATTRIBUTE"], actions=["LISTING_SUPPRESSED"])
    fixable = only(issue_rule, Evidence(listing(status=frozenset(), issues=(suppressed,))))
    explained = only(fba_stock_rule, evidence, [fixable])
    assert explained.impact is Impact.NOTE and explained.finding.severity is Severity.ERROR
    assert "sellable once the problems above are fixed" in explained.finding.detail
    assert "no stock action needed" in explained.finding.fix


def _blocked_by(code: str) -> Found:
    """A finding with ``code`` that stops the sale."""
    if code == codes.POLICY_VIOLATION:
        return blocking_finding()
    return Found(dataclasses.replace(blocking_finding().finding, code=code), Impact.BLOCKS_SALE)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (codes.NOT_ELIGIBLE, "No edit can fix the problem above"),
        (codes.CATALOG_ITEM_REMOVED, "No edit can fix the problem above"),
        (codes.POLICY_VIOLATION, "unless Amazon lifts the policy enforcement"),
    ],
)
def test_stranded_stock_behind_a_cause_no_edit_fixes_needs_a_removal_order(code, words):
    evidence = Evidence(
        listing(status=frozenset(), fulfillment=FBA),
        inventory=InventorySummary("SKU-1", fulfillable=7),
    )
    assert blocking_finding().finding.code == codes.POLICY_VIOLATION
    f = only(fba_stock_rule, evidence, [_blocked_by(code)]).finding
    assert f.code == codes.STRANDED_FBA and f.severity is Severity.WARNING
    assert words in f.detail and "become sellable" not in f.detail
    assert "removal order for the 7 units before Amazon's auto-removal date" in f.fix
    assert "no stock action needed" not in f.fix


def test_stranded_also_when_the_sku_has_no_live_listing():
    evidence = Evidence(
        listing(has_summary=False, status=frozenset(), fulfillment=FBA),
        inventory=InventorySummary("SKU-1", fulfillable=196),
    )
    assert only(fba_stock_rule, evidence).finding.code == codes.STRANDED_FBA


def test_fba_rule_quiet_when_stock_is_unknown_or_sellable():
    assert run(fba_stock_rule, Evidence(listing(fulfillment=FBA))) == []
    sellable = Evidence(
        listing(fulfillment=FBA), inventory=InventorySummary("SKU-1", fulfillable=3)
    )
    assert run(fba_stock_rule, sellable) == []


# --------------------------------------------------------------------------- fallbacks


def test_not_buyable_with_stock_and_a_price_is_not_called_closed():
    evidence = Evidence(listing(status=frozenset({"DISCOVERABLE"})))
    f = only(closed_rule, evidence).finding
    assert f.code == codes.LISTING_CLOSED and f.severity is Severity.ERROR
    assert f.title == "Not buyable, no reason given by Amazon"
    assert "closed" not in f.detail.lower()
    assert "no issue that stops the sale" in f.detail
    assert "quantity is 5" in f.detail and "Price is 20.00 USD" in f.detail
    assert "holiday mode" in f.fix and "Account Health" in f.fix and "Seller Central" in f.fix


@pytest.mark.parametrize(
    "changes",
    [
        {"fulfillment": ()},
        {"offers": ()},
        {"fulfillment": (FulfillmentAvailability("DEFAULT", None),)},
    ],
    ids=["no channel", "no price", "no quantity"],
)
def test_not_buyable_without_stock_or_price_and_nothing_explaining_it_is_closed(changes):
    f = only(closed_rule, Evidence(listing(status=frozenset(), **changes))).finding
    assert (f.code, f.title) == (codes.LISTING_CLOSED, "Listing closed")
    assert "relist the offer" in f.fix


def test_closed_rule_quiet_when_explained_live_or_a_parent():
    unbuyable = Evidence(listing(status=frozenset()))
    assert run(closed_rule, unbuyable, [blocking_finding()]) == []
    assert run(closed_rule, Evidence(listing())) == []
    assert run(closed_rule, Evidence(listing(status=frozenset(), child_skus=("A",)))) == []


def test_closed_rule_says_what_the_response_lacked():
    evidence = Evidence(
        listing(status=frozenset(), fulfillment=(), included_data=frozenset({"summaries"}))
    )
    f = only(closed_rule, evidence).finding
    # issue 10: absent data is not a finding — not "Listing closed", but "not checked"
    assert f.code != codes.LISTING_CLOSED and "closed" not in f.title.lower()
    assert "does not include fulfillment availability (stock)" in f.detail


def test_hidden_without_a_reason():
    evidence = Evidence(listing(status=frozenset({"BUYABLE"})))
    f = only(hidden_rule, evidence).finding
    assert (f.code, f.title) == (codes.OTHER_ISSUE, "Hidden from search")
    image = issue(categories=["INVALID_IMAGE"], actions=["SEARCH_SUPPRESSED"])
    explained = Evidence(listing(status=frozenset({"BUYABLE"}), issues=(image,)))
    assert run(hidden_rule, explained, run(issue_rule, explained)) == []


def test_titles_stay_short_but_the_fix_names_every_attribute():
    many = issue(categories=["MISSING_ATTRIBUTE"], attributes=["brand", "color", "material"])
    f = only(issue_rule, Evidence(listing(issues=(many,)))).finding
    assert f.title == "Missing required attribute: brand, color +1 more"
    assert "brand, color, material" in f.fix and f.attributes == ("brand", "color", "material")
    image = issue(categories=["MISSING_ATTRIBUTE"], attributes=["main_product_image_locator"])
    assert (
        only(issue_rule, Evidence(listing(issues=(image,)))).finding.title == "Main image missing"
    )


# --------------------------------------------------------------------------- briefs


def test_briefs_say_the_essential_thing_first_from_the_findings_data():
    """The list's narrow Main cause column shows the brief: what is missing, which bound."""
    missing = issue(categories=["MISSING_ATTRIBUTE"], attributes=["brand"])
    f = only(issue_rule, Evidence(listing(issues=(missing,)))).finding
    assert (f.title, f.brief, f.short_title) == (
        "Missing required attribute: brand",
        "Missing: brand",
        "Missing: brand",
    )
    many = issue(categories=["INVALID_ATTRIBUTE"], attributes=["color", "size", "material"])
    assert only(issue_rule, Evidence(listing(issues=(many,)))).finding.brief == (
        "Invalid: color, size +1 more"
    )
    above = Evidence(
        listing(
            status=frozenset({"DISCOVERABLE"}),
            attributes=offer_attrs(80, minimum=20, maximum=72.24),
            issues=(issue(categories=["INVALID_PRICE"], actions=["LISTING_SUPPRESSED"]),),
        )
    )
    assert only(issue_rule, above).finding.brief == "Price above max 72.24"
    below = Evidence(listing(attributes=offer_attrs(18.5, minimum=20, maximum=40)))
    f = only(price_band_rule, below).finding
    assert (f.title, f.brief) == ("Price outside your allowed band", "Price below min 20.00")
    # a title that already says it has no brief: the column shows the title
    image = issue(categories=["INVALID_IMAGE"], actions=["SEARCH_SUPPRESSED"])
    f = only(issue_rule, Evidence(listing(issues=(image,)))).finding
    assert (f.brief, f.short_title) == ("", "Main image not compliant")


def test_an_at_risk_brief_keeps_what_is_at_risk():
    expiring = issue(
        categories=["MISSING_ATTRIBUTE"],
        attributes=["brand"],
        actions=["LISTING_SUPPRESSED"],
        exemption="EXEMPT_UNTIL_EXPIRY_DATE",
        expiry=datetime(2026, 12, 20, tzinfo=UTC),
    )
    f = only(issue_rule, Evidence(listing(issues=(expiring,)))).finding
    assert f.brief == "At risk: Missing: brand"
