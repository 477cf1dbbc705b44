"""The untidy account (sandbox/untidy.py): the variety of real SP-API answers, on by default,
deterministic, and still within Amazon's official models."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from asin_tui.domain import codes
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from tests.sandbox.conftest import FakeClock, new_token
from tests.sandbox.test_account import ALL
from tests.sandbox.test_contract import ALL_LISTINGS_DATA, DEFINITIONS, ITEMS, LISTINGS, Contract

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ENGLISH_REQUIRED = "is required but not supplied"


@pytest.fixture(scope="module")
def demo() -> SandboxAccount:
    return SandboxAccount(now=NOW)


def issues_of(account: SandboxAccount, locale: str | None = None) -> list[dict]:
    return [i for s in account.search() for i in account.item(s, ["issues"], locale)["issues"]]


def in_force(issue: dict, actions: set[str]) -> bool:
    enforcements = issue.get("enforcements") or {}
    return enforcements.get("exemption", {}).get("status") == "NOT_EXEMPT" and bool(
        {a["action"] for a in enforcements["actions"]} & actions
    )


def test_the_same_seed_gives_the_same_untidy_account():
    first, second = SandboxAccount(now=NOW), SandboxAccount(now=NOW)
    skus = first.search()
    assert [first.item(s, ALL) for s in skus] == [second.item(s, ALL) for s in skus]
    other = SandboxAccount(seed=8, now=NOW)
    assert [r.offer_only for r in other._records] != [r.offer_only for r in first._records]


def test_untidiness_leaves_every_problem_of_the_tidy_account_in_place():
    """Variety is added, not mutated: the problem mix is the tidy account's (a recommended
    attribute and an exempt issue are added on top)."""
    tidy, untidy = SandboxAccount(now=NOW, tidy=True), SandboxAccount(now=NOW)
    assert tidy.search(sort_by="sku") == untidy.search(sort_by="sku")
    added = {codes.RECOMMENDED_ATTRIBUTE, codes.POLICY_VIOLATION}
    for sku in tidy.search():
        before, after = tidy.intended_causes(sku), untidy.intended_causes(sku)
        assert before <= after and after - before <= added, sku


def test_issue_shapes_vary_as_amazons_do(demo):
    issues = issues_of(demo)
    assert any("attributeName" in i and "attributeNames" not in i for i in issues)
    assert any("attributeNames" in i for i in issues)
    assert any("marketplaceIds" not in i for i in issues)
    assert any(len(i["categories"]) == 2 for i in issues)
    assert any(i["categories"] == [] for i in issues)
    assert all("categories" in i for i in issues)  # required by the model: [] when none


def test_a_sku_that_never_made_it_into_the_catalog_has_no_summary_and_unplaced_issues(demo):
    skus = [s for s in demo.search() if codes.INCOMPLETE_SKU in demo.intended_causes(s)]
    assert skus
    for sku in skus:
        item = demo.item(sku, ["summaries", "issues"])
        assert item["summaries"] == []
        assert all("marketplaceIds" not in i for i in item["issues"] if i["code"] == "13013")


def test_warning_only_listings_are_live(demo):
    skus = [s for s in demo.search() if demo.intended_causes(s) == {codes.RECOMMENDED_ATTRIBUTE}]
    assert skus
    for sku in skus:
        item = demo.item(sku, ["summaries", "issues"])
        assert set(item["summaries"][0]["status"]) == {"BUYABLE", "DISCOVERABLE"}
        assert {i["severity"] for i in item["issues"]} == {"WARNING"}
    assert set(demo.search(with_issue_severity=["WARNING"])) >= set(skus)


def status_of(account: SandboxAccount, sku: str) -> set[str]:
    summaries = account.item(sku, ["summaries"])["summaries"]
    return set(summaries[0]["status"]) if summaries else set()


def test_statuses_lag_enforcements_in_force(demo):
    suppressed = [
        sku
        for sku in demo.search()
        for issue in demo.item(sku, ["issues"])["issues"]
        if in_force(issue, {"LISTING_SUPPRESSED", "CATALOG_ITEM_REMOVED"})
    ]
    lagging = [sku for sku in suppressed if "BUYABLE" in status_of(demo, sku)]
    assert lagging  # "LISTING_SUPPRESSED enforcement while status still BUYABLE"
    assert len(lagging) < len(suppressed)  # for some, not all
    for sku in lagging:  # the ground truth is the listing's real state, not the status
        assert demo.intended_causes(sku) - {codes.RECOMMENDED_ATTRIBUTE}
    hidden = [
        sku
        for sku in demo.search()
        if any(in_force(i, {"SEARCH_SUPPRESSED"}) for i in demo.item(sku, ["issues"])["issues"])
    ]
    assert any("DISCOVERABLE" in status_of(demo, sku) for sku in hidden)


def test_a_lagging_status_catches_up_once_amazon_processes_a_change():
    account = SandboxAccount(now=NOW)
    tidy = SandboxAccount(now=NOW, tidy=True)
    record = next(
        r
        for r in account._records
        if r.status_lag
        and "BUYABLE" in status_of(account, r.sku)
        and "BUYABLE" not in status_of(tidy, r.sku)
    )
    mid = account.marketplace.marketplace_id
    body = {
        "productType": record.product_type,
        "patches": [
            {
                "op": "replace",
                "path": "/attributes/item_name",
                "value": [{"value": "Renamed", "language_tag": "en_US", "marketplace_id": mid}],
            }
        ],
    }
    assert account.patch(record.sku, body, preview=False)["status"] == "ACCEPTED"
    # Amazon processed a change to the listing: its status is computed again.
    assert "BUYABLE" not in status_of(account, record.sku)


def test_permanently_exempt_issues_are_acknowledged_and_not_applied(demo):
    exempt = [
        (sku, i)
        for sku in demo.search()
        for i in demo.item(sku, ["issues"])["issues"]
        if (i.get("enforcements") or {}).get("exemption") == {"status": "EXEMPT"}
    ]
    assert exempt
    for sku, issue in exempt:
        assert codes.POLICY_VIOLATION in demo.intended_causes(sku)
        assert "expiryDate" not in issue["enforcements"]["exemption"]


def test_offer_only_listings_hold_the_offer_and_name_the_asin(demo):
    offers = [r for r in demo._records if r.offer_only]
    assert offers
    for record in offers:
        item = demo.item(record.sku, ["summaries", "attributes", "offers"])
        attributes = item["attributes"]
        (summary,) = item["summaries"]
        assert attributes["merchant_suggested_asin"][0]["value"] == summary["asin"]
        assert "item_name" not in attributes and "brand" not in attributes
        assert summary["itemName"] and summary["mainImage"]  # the catalog's
        assert set(summary["status"]) == {"BUYABLE", "DISCOVERABLE"}
        assert demo.intended_causes(record.sku) == frozenset()


def test_business_offers_with_quantity_discounts(demo):
    business = [r for r in demo._records if r.b2b]
    assert business
    for record in business:
        item = demo.item(record.sku, ["attributes", "offers"])
        by_type = {o["offerType"]: o for o in item["offers"]}
        assert set(by_type) == {"B2C", "B2B"}
        assert by_type["B2B"]["audience"]["value"] == "B2B"
        assert float(by_type["B2B"]["price"]["amount"]) < float(by_type["B2C"]["price"]["amount"])
        (b2b,) = [o for o in item["attributes"]["purchasable_offer"] if o["audience"] == "B2B"]
        levels = b2b["quantity_discount_plan"][0]["schedule"][0]["levels"]
        assert [level["lower_bound"] for level in levels] == [5, 20]


@pytest.mark.parametrize(
    ("marketplace", "word"),
    [("DE", "erforderlich"), ("FR", "obligatoire"), ("JP", "必須")],
)
def test_messages_are_in_the_marketplaces_language(marketplace, word):
    account = SandboxAccount(marketplace=marketplace, now=NOW)
    messages = [i["message"] for i in issues_of(account)]
    assert any(word in m for m in messages)
    assert not any(ENGLISH_REQUIRED in m for m in messages)
    english = [i["message"] for i in issues_of(account, "en_US")]  # issueLocale asks English
    assert any(ENGLISH_REQUIRED in m for m in english)
    # Only the message changes: codes, categories and attributes are the same.
    strip = [{k: v for k, v in i.items() if k != "message"} for i in issues_of(account)]
    assert strip == [
        {k: v for k, v in i.items() if k != "message"} for i in issues_of(account, "en_US")
    ]


def test_a_patch_answers_in_the_locale_asked():
    account = SandboxAccount(marketplace="DE", now=NOW)
    sku = next(s for s in account.search() if codes.MISSING_ATTRIBUTE in account.intended_causes(s))
    product_type = account.item(sku, ["productTypes"])["productTypes"][0]["productType"]
    body = {
        "productType": product_type,
        "patches": [{"op": "delete", "path": "/attributes/item_name"}],
    }
    german = account.patch(sku, body, preview=True)["issues"]
    english = account.patch(sku, body, preview=True, issue_locale="en_GB")["issues"]
    assert "erforderlich" in german[0]["message"] and ENGLISH_REQUIRED in english[0]["message"]


def test_the_vacation_scenario_makes_every_seller_fulfilled_offer_inactive_with_no_issue():
    vacation = SandboxAccount(now=NOW, scenario="vacation")
    normal = SandboxAccount(now=NOW)
    mfn = [r for r in vacation._records if not r.fba and not r.is_parent and not r.incomplete]
    assert len(mfn) > 50
    for record in mfn:
        item = vacation.item(record.sku, ["summaries", "issues"])
        assert item["summaries"][0]["status"] == []
        assert item["issues"] == normal.item(record.sku, ["issues"])["issues"]
        assert codes.ACCOUNT_VACATION in vacation.intended_causes(record.sku)
    fba = [r for r in vacation._records if r.fba]
    assert all(codes.ACCOUNT_VACATION not in vacation.intended_causes(r.sku) for r in fba)
    with pytest.raises(ValueError, match="scenario"):
        SandboxAccount(listings=1, scenario="holiday")


# ----------------------------------------------------------------------------- over HTTP


class Seller:
    def __init__(self, account: SandboxAccount) -> None:
        self.account = account
        self.clock = FakeClock()
        self.app = SandboxApp(account, clock=self.clock)
        self.token = new_token(self.app)
        self.mp = account.marketplace.marketplace_id

    def get(self, path: str, query: str = "", token: bool = True):
        self.clock.advance(1.0)  # within every quota
        headers = {"x-amz-access-token": self.token} if token else {}
        return self.app.handle("GET", path, query, headers, base_url="http://sandbox.test")


@pytest.mark.parametrize(
    "options",
    [{"marketplace": "DE"}, {"marketplace": "FR"}, {"marketplace": "JP"}, {"scenario": "vacation"}],
)
def test_every_untidy_answer_validates_against_the_model(models_dir, options):
    contract = Contract(models_dir)
    seller = Seller(SandboxAccount(now=NOW, listings=120, **options))
    path = f"/listings/2021-08-01/items/{seller.account.seller_id}"
    token, seen = None, 0
    while True:
        query = f"marketplaceIds={seller.mp}&includedData={ALL_LISTINGS_DATA}&pageSize=20"
        body = contract.check(
            LISTINGS,
            ITEMS,
            "GET",
            seller.get(path, query + (f"&pageToken={token}" if token else "")),
        )
        seen += len(body["items"])
        token = body.get("pagination", {}).get("nextToken")
        if not token:
            break
    assert seen == 120


def test_definitions_honour_listing_offer_only(models_dir):
    contract = Contract(models_dir)
    seller = Seller(SandboxAccount(now=NOW))
    template = "/definitions/2020-09-01/productTypes/{productType}"
    schemas = {}
    for requirements in ("LISTING", "LISTING_OFFER_ONLY", "LISTING_PRODUCT_ONLY"):
        query = f"marketplaceIds={seller.mp}&requirements={requirements}"
        answer = seller.get("/definitions/2020-09-01/productTypes/LUGGAGE", query)
        definition = contract.check(DEFINITIONS, template, "GET", answer)
        assert definition["requirements"] == requirements
        link = definition["schema"]["link"]["resource"].removeprefix("http://sandbox.test")
        schema = json.loads(seller.get(link, token=False).body)
        assert definition["schema"]["checksum"]
        schemas[requirements] = schema
    assert schemas["LISTING_OFFER_ONLY"]["required"] == [
        "condition_type",
        "merchant_suggested_asin",
    ]
    assert "item_name" in schemas["LISTING"]["required"]
    assert "allOf" not in schemas["LISTING_PRODUCT_ONLY"]  # no offer required
    assert schemas["LISTING"]["properties"] == schemas["LISTING_OFFER_ONLY"]["properties"]


def test_an_offer_only_listing_is_validated_with_its_own_requirements():
    account = SandboxAccount(now=NOW)
    record = next(r for r in account._records if r.offer_only)
    price = [
        {
            "marketplace_id": account.marketplace.marketplace_id,
            "currency": "USD",
            "audience": "ALL",
            "our_price": [{"schedule": [{"value_with_tax": 19.99}]}],
        }
    ]
    body = {
        "productType": record.product_type,
        "patches": [{"op": "replace", "path": "/attributes/purchasable_offer", "value": price}],
    }
    assert account.patch(record.sku, body, preview=True)["status"] == "VALID"
    body["patches"] = [{"op": "delete", "path": "/attributes/merchant_suggested_asin"}]
    answer = account.patch(record.sku, body, preview=True)
    assert answer["status"] == "INVALID"
    assert answer["issues"][0]["attributeNames"] == ["merchant_suggested_asin"]
