"""The engine end to end: states, order of findings, and Amazon's own sandbox example."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from asin_tui.domain import codes
from asin_tui.domain.diagnosis import diagnose
from asin_tui.domain.models import (
    AccountHealth,
    CatalogItem,
    Evidence,
    ProductTypeRequirements,
    Severity,
    State,
)
from asin_tui.spapi.parse import parse_inventory_summaries, parse_listing, parse_product_type

FIXTURES = Path(__file__).parents[1] / "fixtures"
US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"
NOW = datetime(2026, 11, 27, tzinfo=UTC)


def load(name: str):
    return json.loads((FIXTURES / name).read_text())


def sandbox_example(models_dir: Path) -> dict:
    model = json.loads((models_dir / "listingsItems_2021-08-01.json").read_text())
    get = model["paths"]["/listings/2021-08-01/items/{sellerId}/{sku}"]["get"]
    return get["responses"]["200"]["x-amzn-api-sandbox"]["static"][0]["response"]


def diagnose_body(body: dict, marketplace: str, **evidence) -> object:
    return diagnose(Evidence(parse_listing(body, marketplace), **evidence), now=NOW)


# --------------------------------------------------------------------------- Amazon's sandbox example


def test_fixture_is_a_faithful_copy_of_the_official_example(models_dir):
    assert sandbox_example(models_dir) == load("listing_sandbox_200.json")


def test_sandbox_example_us(models_dir):
    result = diagnose_body(sandbox_example(models_dir), US)
    # Amazon's status still says BUYABLE, but the suppression in force means nothing sells:
    # the effective flags follow the state and Amazon's own status is kept beside them
    assert (result.state, result.buyable, result.discoverable) == (State.SUPPRESSED, False, False)
    assert result.amazon_status is not None and "BUYABLE" in result.amazon_status
    summary = [(f.code, f.severity, f.issue_code) for f in result.findings]
    assert summary == [
        # the restricted-products policy removed the catalog item: nothing sells
        (codes.POLICY_VIOLATION, Severity.ERROR, "18742"),
        # the min-price conflict suppressed the listing
        (codes.PRICE_CONFLICT, Severity.ERROR, "18155"),
        # the image exemption ended on 2025-05-28: hidden from search now
        (codes.INVALID_IMAGE, Severity.ERROR, "18027"),
        # an ERROR with no enforcement: blocks edits, not the sale
        (codes.MISSING_ATTRIBUTE, Severity.ERROR, "90220"),
        # ATTRIBUTE_SUPPRESSED but EXEMPT
        (codes.POLICY_VIOLATION, Severity.WARNING, "99300"),
    ]
    removed, price, image, size, rules = result.findings
    assert "removed the catalog item" in removed.detail
    assert "Your price is 100.00 USD" in price.detail
    assert "The exemption ended on 2025-05-28" in image.detail
    assert size.attributes == ("size",) and size.title == "Missing required attribute: size"
    assert rules.title == "Detail page rules violation" and "exempted" in rules.detail
    assert result.needs_attention


def test_sandbox_example_ca_sees_only_its_issues():
    result = diagnose_body(load("listing_sandbox_200.json"), CA)
    assert (result.state, result.buyable, result.discoverable) == (State.INACTIVE, False, False)
    assert [f.code for f in result.findings] == [
        codes.LISTING_CLOSED,  # not buyable, nothing in the data says why
        codes.INVALID_IMAGE,
        codes.POLICY_VIOLATION,
    ]
    assert "Merchant-fulfilled quantity is 100. Price is 130.00 CAD." in result.findings[0].detail


def test_sandbox_example_before_the_image_exemption_expired():
    result = diagnose(
        Evidence(parse_listing(load("listing_sandbox_200.json"), US)),
        now=datetime(2025, 5, 1, tzinfo=UTC),
    )
    at_risk = next(f for f in result.findings if f.issue_code == "18027")
    assert (at_risk.code, at_risk.severity) == (codes.EXEMPTION_EXPIRING, Severity.WARNING)
    assert "on 2025-05-28 (in 27 days)" in at_risk.detail
    ranks = [f.severity.rank for f in result.findings]
    assert ranks == sorted(ranks)  # warnings after every error


# --------------------------------------------------------------------------- states


def test_healthy_listing_is_active_with_nothing_to_say():
    result = diagnose_body(load("listing_healthy.json"), US)
    assert (result.state, result.findings, result.needs_attention) == (State.ACTIVE, (), False)


def test_schema_requirement_missing_from_a_live_listing_is_at_risk():
    requirements = parse_product_type(
        load("product_type_kitchen_definition.json"), load("product_type_kitchen_schema.json")
    )
    result = diagnose_body(load("listing_healthy.json"), US, requirements=requirements)
    assert result.state is State.ACTIVE
    (finding,) = result.findings
    assert (finding.code, finding.attributes) == (codes.MISSING_ATTRIBUTE, ("color",))
    # buyable, discoverable, no ERROR: the exit-code contract says OK; still listed by default
    assert not result.needs_attention and result.at_risk and result.listed_by_default


def test_fba_out_of_stock_is_inactive():
    (inventory,) = parse_inventory_summaries(load("inventory_fba_out_of_stock.json"))
    result = diagnose_body(load("listing_fba_out_of_stock.json"), US, inventory=inventory)
    assert result.state is State.INACTIVE
    assert [f.code for f in result.findings] == [codes.OUT_OF_STOCK_FBA]


def test_incomplete_sku():
    result = diagnose_body(load("listing_incomplete.json"), US)
    assert (result.state, result.buyable, result.asin) == (State.INCOMPLETE, False, None)
    assert [f.code for f in result.findings] == [codes.INCOMPLETE_SKU]
    assert "13013" in result.findings[0].detail


def test_no_summary_is_incomplete_even_when_an_issue_suppresses():
    body = load("listing_incomplete.json")
    body["issues"].append(
        {
            "code": "90220",
            "message": "'brand' is required but not supplied.",
            "severity": "ERROR",
            "attributeNames": ["brand"],
            "categories": ["MISSING_ATTRIBUTE"],
            "enforcements": {
                "actions": [{"action": "LISTING_SUPPRESSED"}],
                "exemption": {"status": "NOT_EXEMPT"},
            },
            "marketplaceIds": [US],
        }
    )
    result = diagnose_body(body, US)
    assert result.state is State.INCOMPLETE
    assert [f.code for f in result.findings] == [codes.INCOMPLETE_SKU, codes.MISSING_ATTRIBUTE]


def test_variation_parent_is_not_a_problem():
    result = diagnose_body(load("listing_variation_parent.json"), US)
    assert result.state is State.VARIATION_PARENT and not result.needs_attention
    assert [(f.code, f.severity) for f in result.findings] == [
        (codes.VARIATION_PARENT, Severity.INFO)
    ]


def test_search_suppressed_when_buyable_but_hidden():
    body = load("listing_healthy.json")
    body["summaries"][0]["status"] = ["BUYABLE"]
    body["issues"] = [
        {
            "code": "18027",
            "message": "Main image has text.",
            "severity": "ERROR",
            "categories": ["INVALID_IMAGE"],
            "enforcements": {
                "actions": [{"action": "SEARCH_SUPPRESSED"}],
                "exemption": {"status": "NOT_EXEMPT"},
            },
            "marketplaceIds": [US],
        }
    ]
    result = diagnose_body(body, US)
    assert result.state is State.SEARCH_SUPPRESSED
    assert [f.code for f in result.findings] == [codes.INVALID_IMAGE]


def test_catalog_404_makes_the_state_catalog_removed():
    result = diagnose_body(
        load("listing_healthy.json"), US, catalog=CatalogItem("B0C4XK7Q2M", found=False)
    )
    assert result.state is State.CATALOG_REMOVED
    assert result.findings[0].code == codes.CATALOG_ITEM_REMOVED


def test_the_most_severe_state_wins():
    """Suppressed beats catalog-removed (State's declared order)."""
    body = load("listing_sandbox_200.json")
    assert diagnose_body(body, US).state is State.SUPPRESSED
    body["issues"] = [i for i in body["issues"] if i["code"] != "18155"]
    assert diagnose_body(body, US).state is State.CATALOG_REMOVED


# --------------------------------------------------------------------------- order


def test_account_first_then_errors_then_warnings_then_info():
    body = load("listing_sandbox_200.json")
    result = diagnose_body(body, US, account=AccountHealth(US, "AT_RISK"))
    assert result.findings[0].code == codes.ACCOUNT_AT_RISK
    ranks = [f.severity.rank for f in result.findings[1:]]
    assert ranks == sorted(ranks)


def test_within_errors_what_stops_the_sale_comes_first():
    body = load("listing_healthy.json")
    body["summaries"][0]["status"] = ["DISCOVERABLE"]
    body["fulfillmentAvailability"] = [{"fulfillmentChannelCode": "DEFAULT", "quantity": 0}]
    body["issues"] = [
        {
            "code": "90220",
            "message": "'color' is required but not supplied.",
            "severity": "ERROR",
            "attributeNames": ["color"],
            "categories": ["MISSING_ATTRIBUTE"],
            "marketplaceIds": [US],
        }
    ]
    result = diagnose_body(body, US)
    assert [f.code for f in result.findings] == [codes.OUT_OF_STOCK_MFN, codes.MISSING_ATTRIBUTE]


def test_a_suppressed_listings_main_cause_is_the_suppression_not_its_stock():
    """The main cause is the cause of the state: out of stock too, but the missing image is
    what suppressed it (issue 9 item 4)."""
    body = load("listing_healthy.json")
    body["summaries"][0]["status"] = ["DISCOVERABLE"]
    body["fulfillmentAvailability"] = [{"fulfillmentChannelCode": "DEFAULT", "quantity": 0}]
    body["issues"] = [
        {
            "code": "18027",
            "message": "Missing main image.",
            "severity": "ERROR",
            "attributeNames": ["main_product_image_locator"],
            "categories": ["MISSING_ATTRIBUTE"],
            "marketplaceIds": [US],
            "enforcements": {
                "actions": [{"action": "LISTING_SUPPRESSED"}],
                "exemption": {"status": "NOT_EXEMPT"},
            },
        }
    ]
    result = diagnose_body(body, US)
    assert result.state is State.SUPPRESSED
    assert result.findings[0].issue_code == "18027"
    assert codes.OUT_OF_STOCK_MFN in [f.code for f in result.findings[1:]]
    # the same listing, not suppressed: what stops the sale comes first again
    body["issues"][0].pop("enforcements")
    assert diagnose_body(body, US).findings[0].code == codes.OUT_OF_STOCK_MFN


def test_default_now_is_the_current_time():
    result = diagnose(Evidence(parse_listing(load("listing_sandbox_200.json"), US)))
    assert any(f.issue_code == "18027" and f.code == codes.INVALID_IMAGE for f in result.findings)


def test_requirements_for_another_product_type_are_not_applied():
    other = ProductTypeRequirements(product_type="SHOES", marketplace_id=US)
    result = diagnose_body(load("listing_healthy.json"), US, requirements=other)
    assert result.findings == ()


# --------------------------------------------------------------------------- purity


def test_engine_imports_no_ui_or_network():
    code = (
        "import sys, asin_tui.domain.diagnosis, asin_tui.spapi.parse; "
        "bad = [m for m in ('textual', 'httpx', 'sp_api') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("marketplace", [US, CA])
def test_diagnosis_json_contract(marketplace):
    data = diagnose_body(load("listing_sandbox_200.json"), marketplace).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["marketplace_id"] == marketplace
