"""The engine (parse + diagnose, no CLI) on the real-shaped bodies of tests/fixtures/real: the
same conclusions as `asin-tui diagnose` (tests/cli/test_diagnose_real.py), and the code
families Amazon documents (docs/ISSUE_CODES.md)."""

from __future__ import annotations

import ast
import json
from datetime import UTC, datetime

import pytest

from asin_tui.domain import codes
from asin_tui.domain.diagnosis import diagnose
from asin_tui.domain.models import Evidence, Issue, Listing
from asin_tui.spapi.parse import parse_listing_bodies
from tests.cli.test_diagnose_real import CASES, REAL

NOW = datetime(2026, 12, 3, tzinfo=UTC)


def body(name: str):
    text = (REAL / name).read_text(encoding="utf-8")
    return ast.literal_eval(text) if name.endswith(".txt") else json.loads(text)


@pytest.mark.parametrize(
    ("name", "exit_code", "state", "buyable", "discoverable", "present", "absent"),
    CASES,
    ids=[c[0].removesuffix(".json") for c in CASES],
)
def test_engine_on_real_bodies(name, exit_code, state, buyable, discoverable, present, absent):
    (listing,) = parse_listing_bodies(body(name), None)
    result = diagnose(Evidence(listing), now=NOW)
    assert (result.state.value, result.buyable, result.discoverable) == (
        state,
        buyable,
        discoverable,
    )
    assert result.needs_attention == (exit_code == 1)
    found = {f.code for f in result.findings}
    assert present <= found and not (absent & found), found


def test_the_message_language_changes_nothing():
    """Same issue in four languages: same finding, Amazon's words kept as said."""
    messages = [
        "The 'minimum price' is greater than the selling price.",
        "Der 'Mindestpreis' ist höher als der Verkaufspreis.",
        "Le « prix minimum » est supérieur au prix de vente.",
        "「最低価格」が販売価格を上回っています。",
    ]
    results = []
    for message in messages:
        issue = Issue("18155", message, "ERROR", ("purchasable_offer",), ("INVALID_PRICE",))
        listing = Listing("P", "ATVPDKIKX0DER", status=frozenset({"DISCOVERABLE"}), issues=(issue,))
        result = diagnose(Evidence(listing), now=NOW)
        results.append([(f.code, f.title, f.attributes) for f in result.findings])
        (said,) = [f for f in result.findings if f.issue_code == "18155"]
        assert message in said.detail and said.code == codes.PRICE_CONFLICT
    assert all(r == results[0] for r in results)


@pytest.mark.parametrize(
    ("code", "finding"),
    [
        ("8541", codes.CATALOG_DATA_CONFLICT),
        ("8542", codes.CATALOG_DATA_CONFLICT),
        ("8560", codes.PRODUCT_ID_PROBLEM),
        ("8572", codes.PRODUCT_ID_PROBLEM),
        ("8599", codes.PRODUCT_ID_PROBLEM),  # the 85xx family
        ("5461", codes.APPROVAL_REQUIRED),
        ("13013", codes.NOT_IN_CATALOG),
        ("18742", codes.POLICY_VIOLATION),
        ("90220", codes.MISSING_ATTRIBUTE),
        ("99022", codes.INVALID_ATTRIBUTE),
    ],
)
def test_codes_without_categories_mean_what_amazon_documents(code, finding):
    issue = Issue(code, "Message in any language", "ERROR")  # no categories, no enforcement
    listing = Listing("C", "ATVPDKIKX0DER", status=frozenset({"DISCOVERABLE"}), issues=(issue,))
    (first, *_) = [f for f in diagnose(Evidence(listing), now=NOW).findings if f.issue_code]
    assert first.code == finding
    if finding != codes.POLICY_VIOLATION:
        assert "appeal" not in first.fix.lower()


def test_a_missing_product_identifier_offers_the_gtin_exemption():
    issue = Issue(
        "90220",
        "'externally_assigned_product_identifier' is required but not supplied.",
        "ERROR",
        ("externally_assigned_product_identifier",),
        ("MISSING_ATTRIBUTE",),
    )
    listing = Listing("G", "ATVPDKIKX0DER", status=frozenset(), issues=(issue,))
    (f,) = [f for f in diagnose(Evidence(listing), now=NOW).findings if f.issue_code]
    assert f.code == codes.MISSING_ATTRIBUTE and "GTIN exemption" in f.fix


def test_prices_in_the_attribute_shapes_sellers_paste():
    """our_price as a list (Amazon's) or as one object, a schedule with null start/end dates,
    a discounted price and a B2B quantity plan beside it: the consumer price is read."""
    from decimal import Decimal

    from asin_tui.domain.patches import price_band

    (listing,) = parse_listing_bodies(body("b2b_offer_price_object.json"), None)
    assert price_band(listing).price == Decimal("99.5")
    entry = dict(listing.attributes["purchasable_offer"][0])
    entry["our_price"] = {"schedule": {"start_at": None, "end_at": None, "value_with_tax": 97}}
    entry["minimum_seller_allowed_price"] = [{"schedule": [{"value": 98}]}]
    changed = Listing(
        listing.sku,
        listing.marketplace_id,
        attributes={"purchasable_offer": [entry]},
    )
    band = price_band(changed)
    assert (band.price, band.minimum) == (Decimal("97"), Decimal("98")) and band.conflict


def test_list_briefs_for_the_new_causes_are_short():
    """The list's 80-column cause (Finding.brief) for causes whose titles are long."""
    (listing,) = parse_listing_bodies(body("put_invalid_8560_13013_fr.json"), None)
    briefs = {f.code: f.brief for f in diagnose(Evidence(listing), now=NOW).findings}
    assert briefs[codes.PRODUCT_ID_PROBLEM] == "Product ID / GTIN problem"
    assert briefs[codes.NOT_IN_CATALOG] == "Product not in catalog"
    (conflict,) = parse_listing_bodies(body("catalog_conflict_8541_ja.json"), None)
    (f,) = diagnose(Evidence(conflict), now=NOW).findings
    assert f.brief == "Conflicts with ASIN: brand"


def test_a_category_less_missing_attribute_warning_is_a_recommendation():
    issue = Issue("18448", "Relevant attributes incomplete", "WARNING", ("age_range_description",))
    listing = Listing(
        "R", "ATVPDKIKX0DER", status=frozenset({"BUYABLE", "DISCOVERABLE"}), issues=(issue,)
    )
    (f,) = [f for f in diagnose(Evidence(listing), now=NOW).findings if f.issue_code]
    assert f.code == codes.RECOMMENDED_ATTRIBUTE and f.severity.value == "INFO"
    assert "required" not in f.title.lower()
