"""Contract: what the sandbox answers validates against Amazon's official models.

For each operation the response schema is looked up in Amazon's models
(amzn/selling-partner-api-models; tests/conftest.py's MODELS_DIR says where they are found) by
path, method and status code (so an error answer is checked against that operation's ErrorList), with the
swagger document's ``#/definitions/...`` refs resolved and draft 4 semantics. The response
headers the model declares for that status must be present too.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from jsonschema import Draft4Validator, Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from asin_tui.domain import codes
from asin_tui.sandbox import hostile
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp, SandboxResponse

LISTINGS = "listingsItems_2021-08-01.json"
INVENTORY = "fbaInventory.json"
RESTRICTIONS = "listingsRestrictions_2021-08-01.json"
DEFINITIONS = "definitionsProductTypes_2020-09-01.json"
CATALOG = "catalogItems_2022-04-01.json"
REPORTS = "reports_2021-06-30.json"
ACCOUNT_HEALTH = "accountHealthReport-2020-11-18.json"
ALL_LISTINGS_DATA = (
    "summaries,attributes,issues,offers,fulfillmentAvailability,procurement,relationships,"
    "productTypes"
)
ALL_CATALOG_DATA = (
    "attributes,classifications,dimensions,identifiers,images,productTypes,relationships,"
    "salesRanks,summaries,vendorDetails"
)
TOKEN_FORM = (
    b"grant_type=refresh_token&client_id=amzn1.application-oa2-client.sandbox"
    b"&client_secret=sandbox-secret&refresh_token=Atzr%7Csandbox"
)


@cache
def _model(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


class Contract:
    """Checks answers against the operation's response in one of Amazon's swagger models."""

    def __init__(self, models_dir: Path) -> None:
        self.models_dir = models_dir

    def check(self, model: str, template: str, method: str, answer: SandboxResponse) -> Any:
        document = _model(self.models_dir / model)
        responses = document["paths"][template][method.lower()]["responses"]
        declared = responses.get(str(answer.status))
        assert declared is not None, f"{method} {template}: the model has no {answer.status}"
        for header in declared.get("headers", {}):
            assert header.lower() in {h.lower() for h in answer.headers}, header
        body = answer.json()
        uri = f"urn:spapi-model:{model}"
        registry = Registry().with_resource(uri, Resource(document, specification=DRAFT4))
        schema = {"$ref": uri + declared["schema"]["$ref"]}
        errors = sorted(
            Draft4Validator(schema, registry=registry).iter_errors(body), key=lambda e: e.path
        )
        assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
        return body


@pytest.fixture
def contract(models_dir) -> Contract:
    return Contract(models_dir)


class Sandbox:
    """A SandboxApp over the real default demo account, with a hand-wound clock."""

    def __init__(self, account_status: str = "NORMAL", *, hostile: bool = False) -> None:
        self.now = 0.0
        self.account = SandboxAccount(
            seed=7, listings=250, account_status=account_status, hostile=hostile
        )
        self.app = SandboxApp(self.account, clock=lambda: self.now)
        self.seller = self.account.seller_id
        self.mp = self.account.marketplace.marketplace_id
        token = self.app.handle("POST", "/auth/o2/token", "", {}, TOKEN_FORM).json()
        self.token = token["access_token"]

    def call(
        self,
        method: str,
        path: str,
        query: str = "",
        body: bytes = b"",
        *,
        token: bool = True,
        wait: float = 1.0,  # calls a second apart stay within every quota they use here
    ) -> SandboxResponse:
        self.now += wait
        headers = {"x-amz-access-token": self.token} if token else {}
        return self.app.handle(method, path, query, headers, body, base_url="http://sandbox.test")

    def skus_with(self, code: str) -> list[str]:
        return [s for s in self.account.search() if code in self.account.intended_causes(s)]


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox()


ITEMS = "/listings/2021-08-01/items/{sellerId}"
ITEM = "/listings/2021-08-01/items/{sellerId}/{sku}"


def test_search_every_page_of_the_demo_account(sandbox, contract):
    token, seen = None, 0
    while True:
        query = f"marketplaceIds={sandbox.mp}&includedData={ALL_LISTINGS_DATA}&pageSize=20"
        answer = sandbox.call(
            "GET", f"/listings/2021-08-01/items/{sandbox.seller}", query + _page(token)
        )
        body = contract.check(LISTINGS, ITEMS, "GET", answer)
        seen += len(body["items"])
        token = body.get("pagination", {}).get("nextToken")
        if not token:
            break
    assert seen == body["numberOfResults"] == 250


def _page(token: str | None) -> str:
    return f"&pageToken={token}" if token else ""


def test_search_with_status_filters(sandbox, contract):
    path = f"/listings/2021-08-01/items/{sandbox.seller}"
    query = f"marketplaceIds={sandbox.mp}&withoutStatus=BUYABLE&withIssueSeverity=ERROR"
    contract.check(LISTINGS, ITEMS, "GET", sandbox.call("GET", path, query))
    # the model's pageSize maximum for searchListingsItems (20): one past it is refused
    params = _model(contract.models_dir / LISTINGS)["paths"][ITEMS]["get"]["parameters"]
    page_size = next(p for p in params if p["name"] == "pageSize")
    assert page_size["maximum"] == 20
    bad = sandbox.call("GET", path, f"marketplaceIds={sandbox.mp}&pageSize=50")
    assert bad.status == 400
    assert contract.check(LISTINGS, ITEMS, "GET", bad)["errors"][0]["code"] == "InvalidInput"
    too_big = sandbox.call("GET", path, f"marketplaceIds={sandbox.mp}&pageSize=21")
    assert too_big.status == 400
    largest = sandbox.call("GET", path, f"marketplaceIds={sandbox.mp}&pageSize=20")
    assert len(contract.check(LISTINGS, ITEMS, "GET", largest)["items"]) == 20


def test_get_item_and_not_found(sandbox, contract):
    sku = sandbox.account.search()[0]
    path = f"/listings/2021-08-01/items/{sandbox.seller}/"
    query = f"marketplaceIds={sandbox.mp}&includedData={ALL_LISTINGS_DATA}"
    assert contract.check(LISTINGS, ITEM, "GET", sandbox.call("GET", path + sku, query))["sku"]
    missing = sandbox.call("GET", path + "NO-SUCH-SKU", query)
    assert missing.status == 404
    contract.check(LISTINGS, ITEM, "GET", missing)


def _restock_body(sandbox: Sandbox, sku: str, quantity: int) -> bytes:
    product_type = sandbox.account.item(sku, ["summaries"])["summaries"][0]["productType"]
    patch = {
        "op": "replace",
        "path": "/attributes/fulfillment_availability",
        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
    }
    return json.dumps({"productType": product_type, "patches": [patch]}).encode()


def test_patch_preview_real_and_invalid(sandbox, contract):
    sku = sandbox.skus_with(codes.OUT_OF_STOCK_MFN)[0]
    path = f"/listings/2021-08-01/items/{sandbox.seller}/{sku}"
    preview_query = (
        f"marketplaceIds={sandbox.mp}&mode=VALIDATION_PREVIEW&includedData=identifiers,issues"
    )
    for query, quantity in ((preview_query, 5), (f"marketplaceIds={sandbox.mp}", 5)):
        answer = sandbox.call("PATCH", path, query, _restock_body(sandbox, sku, quantity))
        contract.check(LISTINGS, ITEM, "PATCH", answer)
    invalid = sandbox.call("PATCH", path, preview_query, _restock_body(sandbox, sku, -3))
    assert contract.check(LISTINGS, ITEM, "PATCH", invalid)["status"] == "INVALID"
    malformed = sandbox.call("PATCH", path, f"marketplaceIds={sandbox.mp}", b'{"patches":[]}')
    assert malformed.status == 400
    contract.check(LISTINGS, ITEM, "PATCH", malformed)


def test_delete_answers_a_submission_and_the_listing_is_gone(sandbox, contract):
    sku = sandbox.skus_with(codes.NOT_ELIGIBLE)[0]
    path = f"/listings/2021-08-01/items/{sandbox.seller}/{sku}"
    answer = sandbox.call("DELETE", path, f"marketplaceIds={sandbox.mp}&issueLocale=en_US")
    body = contract.check(LISTINGS, ITEM, "DELETE", answer)
    assert (body["sku"], body["status"]) == (sku, "ACCEPTED") and body["submissionId"]
    gone = sandbox.call("GET", path, f"marketplaceIds={sandbox.mp}")
    assert gone.status == 404
    contract.check(LISTINGS, ITEM, "GET", gone)
    again = sandbox.call("DELETE", path, f"marketplaceIds={sandbox.mp}")
    assert again.status == 400, "the model declares no 404 for deleteListingsItem"
    contract.check(LISTINGS, ITEM, "DELETE", again)
    no_market = sandbox.call("DELETE", f"/listings/2021-08-01/items/{sandbox.seller}/OTHER", "")
    assert no_market.status == 400
    contract.check(LISTINGS, ITEM, "DELETE", no_market)


def test_inventory_all_pages_and_by_sku(sandbox, contract):
    path, template = "/fba/inventory/v1/summaries", "/fba/inventory/v1/summaries"
    base = f"details=true&granularityType=Marketplace&granularityId={sandbox.mp}&marketplaceIds={sandbox.mp}"
    token, skus = None, []
    while True:
        extra = f"&nextToken={token}" if token else ""
        body = contract.check(INVENTORY, template, "GET", sandbox.call("GET", path, base + extra))
        skus += [s["sellerSku"] for s in body["payload"]["inventorySummaries"]]
        token = body.get("pagination", {}).get("nextToken")
        if not token:
            break
    assert skus
    by_sku = sandbox.call("GET", path, f"{base}&sellerSkus={','.join(skus[:3])}")
    contract.check(INVENTORY, template, "GET", by_sku)
    too_many = sandbox.call(
        "GET", path, f"{base}&sellerSkus={','.join(f'S{n}' for n in range(51))}"
    )
    assert too_many.status == 400
    contract.check(INVENTORY, template, "GET", too_many)


def test_restrictions_for_every_asin(sandbox, contract):
    template = "/listings/2021-08-01/restrictions"
    asins = set()
    for sku in sandbox.account.search():
        for summary in sandbox.account.item(sku, ["summaries"]).get("summaries", []):
            asins.add(summary["asin"])
    restricted = 0
    for asin in sorted(asins):
        query = f"asin={asin}&sellerId={sandbox.seller}&marketplaceIds={sandbox.mp}"
        body = contract.check(RESTRICTIONS, template, "GET", sandbox.call("GET", template, query))
        restricted += bool(body["restrictions"])
    assert restricted > 0
    missing = sandbox.call(
        "GET", template, f"sellerId={sandbox.seller}&marketplaceIds={sandbox.mp}"
    )
    contract.check(RESTRICTIONS, template, "GET", missing)


def test_product_type_definitions(sandbox, contract):
    template = "/definitions/2020-09-01/productTypes/{productType}"
    for product_type in sandbox.account.product_types():
        answer = sandbox.call(
            "GET",
            f"/definitions/2020-09-01/productTypes/{product_type}",
            f"marketplaceIds={sandbox.mp}",
        )
        body = contract.check(DEFINITIONS, template, "GET", answer)
        link = body["schema"]["link"]["resource"]
        schema = sandbox.call("GET", link.removeprefix("http://sandbox.test"), token=False)
        assert schema.status == 200 and "properties" in schema.json()
    unknown = sandbox.call(
        "GET", "/definitions/2020-09-01/productTypes/NOPE", f"marketplaceIds={sandbox.mp}"
    )
    assert unknown.status == 404
    contract.check(DEFINITIONS, template, "GET", unknown)


def test_catalog_items_and_removed_ones(sandbox, contract):
    template = "/catalog/2022-04-01/items/{asin}"
    removed = set(sandbox.skus_with(codes.CATALOG_ITEM_REMOVED))
    assert removed
    statuses = set()
    for sku in sandbox.account.search():
        summaries = sandbox.account.item(sku, ["summaries"]).get("summaries", [])
        for summary in summaries:
            answer = sandbox.call(
                "GET",
                f"/catalog/2022-04-01/items/{summary['asin']}",
                f"marketplaceIds={sandbox.mp}&includedData={ALL_CATALOG_DATA}",
            )
            contract.check(CATALOG, template, "GET", answer)
            statuses.add(answer.status)
            if sku in removed:
                assert answer.status == 404
    assert statuses == {200, 404}


SEARCH_CATALOG = "/catalog/2022-04-01/items"


def test_search_catalog_items_by_asin_20_at_a_time(sandbox, contract):
    removed = set(sandbox.skus_with(codes.CATALOG_ITEM_REMOVED))
    asin_of = {}
    for sku in sandbox.account.search():
        for summary in sandbox.account.item(sku, ["summaries"]).get("summaries", []):
            asin_of[sku] = summary["asin"]
    asins = sorted(set(asin_of.values()))
    gone = {a for a in asins if sandbox.account.catalog_item(a, ["summaries"]) is None}
    assert {asin_of[sku] for sku in removed if sku in asin_of} <= gone
    assert gone and len(asins) > 40
    answered: dict[str, dict] = {}
    for start in range(0, len(asins), 20):
        chunk = asins[start : start + 20]
        query = (
            f"marketplaceIds={sandbox.mp}&identifiersType=ASIN&identifiers={','.join(chunk)}"
            f"&includedData={ALL_CATALOG_DATA}&pageSize=20"
        )
        body = contract.check(
            CATALOG, SEARCH_CATALOG, "GET", sandbox.call("GET", SEARCH_CATALOG, query)
        )
        assert "pagination" not in body  # 20 identifiers fit on one page of 20
        assert body["numberOfResults"] == len(body["items"])
        assert body["refinements"] == {"brands": [], "classifications": []}
        assert [i["asin"] for i in body["items"]] == [a for a in chunk if a not in gone]
        answered.update((item["asin"], item) for item in body["items"])
    # an ASIN the marketplace no longer has is simply absent; the others are the same
    # Item getCatalogItem answers
    assert set(answered) == set(asins) - gone
    asin = next(iter(answered))
    single = sandbox.call(
        "GET",
        f"{SEARCH_CATALOG}/{asin}",
        f"marketplaceIds={sandbox.mp}&includedData={ALL_CATALOG_DATA}",
    )
    assert single.json() == answered[asin]


def test_search_catalog_items_pages_and_refusals(sandbox, contract):
    asins = sorted(
        {
            sandbox.account.item(sku, ["summaries"])["summaries"][0]["asin"]
            for sku in sandbox.account.search()
            if sandbox.account.intended_causes(sku) == {codes.OUT_OF_STOCK_MFN}
        }
    )[:7]
    assert len(asins) == 7
    query = f"marketplaceIds={sandbox.mp}&identifiersType=ASIN&identifiers={','.join(asins)}"
    seen, tokens = [], [None]
    while True:
        page = f"{query}&pageSize=3{_page(tokens[-1])}"
        body = contract.check(
            CATALOG, SEARCH_CATALOG, "GET", sandbox.call("GET", SEARCH_CATALOG, page)
        )
        assert body["numberOfResults"] == 7
        assert set(body["items"][0]) == {"asin", "summaries"}  # the default includedData
        seen += [item["asin"] for item in body["items"]]
        tokens.append(body.get("pagination", {}).get("nextToken"))
        if not tokens[-1]:
            break
    assert seen == asins and len(tokens) == 4  # pages of 3, 3 and 1
    refused = {
        "token of another search": f"{query}&pageSize=2&pageToken={tokens[1]}",
        "keywords": f"marketplaceIds={sandbox.mp}&keywords=lamp",
        "neither": f"marketplaceIds={sandbox.mp}",
        "21 identifiers": f"{query},{','.join(f'B0X{i:07d}' for i in range(14))}",
        "no type": f"marketplaceIds={sandbox.mp}&identifiers={asins[0]}",
        "page size": f"{query}&pageSize=21",
        "no marketplace": f"identifiersType=ASIN&identifiers={asins[0]}",
    }
    for why, bad in refused.items():
        answer = sandbox.call("GET", SEARCH_CATALOG, bad)
        assert answer.status == 400, why
        contract.check(CATALOG, SEARCH_CATALOG, "GET", answer)


def test_reports_lifecycle(sandbox, contract):
    spec = b'{"reportType":"GET_MERCHANT_LISTINGS_ALL_DATA","marketplaceIds":["%s"]}'
    created = sandbox.call("POST", "/reports/2021-06-30/reports", "", spec % sandbox.mp.encode())
    assert created.status == 202
    report_id = contract.check(REPORTS, "/reports/2021-06-30/reports", "POST", created)["reportId"]
    template = "/reports/2021-06-30/reports/{reportId}"
    report_path = f"/reports/2021-06-30/reports/{report_id}"
    queued = sandbox.call("GET", report_path, wait=0)
    assert contract.check(REPORTS, template, "GET", queued)["processingStatus"] == "IN_QUEUE"
    working = sandbox.call("GET", report_path, wait=1.5)
    assert contract.check(REPORTS, template, "GET", working)["processingStatus"] == "IN_PROGRESS"
    done = contract.check(REPORTS, template, "GET", sandbox.call("GET", report_path, wait=2))
    assert done["processingStatus"] == "DONE"
    document = sandbox.call("GET", f"/reports/2021-06-30/documents/{done['reportDocumentId']}")
    contract.check(REPORTS, "/reports/2021-06-30/documents/{reportDocumentId}", "GET", document)
    unsupported = sandbox.call(
        "POST", "/reports/2021-06-30/reports", "", b'{"reportType":"GET_X","marketplaceIds":["A"]}'
    )
    assert unsupported.status == 400
    contract.check(REPORTS, "/reports/2021-06-30/reports", "POST", unsupported)


def _report_document(sandbox: Sandbox, contract: Contract, report_type: str) -> SandboxResponse:
    """Request a report, let it finish, download its document."""
    spec = b'{"reportType":"%s","marketplaceIds":["%s"]}' % (
        report_type.encode(),
        sandbox.mp.encode(),
    )
    created = sandbox.call("POST", "/reports/2021-06-30/reports", "", spec)
    report_id = contract.check(REPORTS, "/reports/2021-06-30/reports", "POST", created)["reportId"]
    for _ in range(60):  # its document may still be building (a busy machine): look again
        report = sandbox.call("GET", f"/reports/2021-06-30/reports/{report_id}", wait=5)
        done = contract.check(REPORTS, "/reports/2021-06-30/reports/{reportId}", "GET", report)
        if done["processingStatus"] not in ("IN_QUEUE", "IN_PROGRESS"):
            break
    assert (done["processingStatus"], done["reportType"]) == ("DONE", report_type)
    document = sandbox.call("GET", f"/reports/2021-06-30/documents/{done['reportDocumentId']}")
    url = contract.check(
        REPORTS, "/reports/2021-06-30/documents/{reportDocumentId}", "GET", document
    )
    return sandbox.call("GET", url["url"].removeprefix("http://sandbox.test"), token=False)


def _account_health_errors(models_dir: Path, document: Any) -> list[str]:
    schema = _model(models_dir / ACCOUNT_HEALTH)
    errors = sorted(Draft7Validator(schema).iter_errors(document), key=lambda e: list(e.path))
    return [f"{list(e.path)}: {e.message}" for e in errors]


@pytest.mark.parametrize("status", ["NORMAL", "AT_RISK", "DEACTIVATED"])
def test_account_health_report_is_the_official_schema(models_dir, contract, status):
    sandbox = Sandbox(account_status=status)
    answer = _report_document(sandbox, contract, "GET_V2_SELLER_PERFORMANCE_REPORT")
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json"
    document = answer.json()
    assert _account_health_errors(models_dir, document) == []
    assert document["accountStatuses"] == [{"marketplaceId": sandbox.mp, "status": status}]
    (metrics,) = document["performanceMetrics"]
    rating = metrics["accountHealthRating"]["accountHealthRatingStatus"]
    assert rating == ("GREAT" if status == "NORMAL" else "WARNED")
    # order metrics of a healthy seller: every one within Amazon's target
    rates = [metrics[k] for k in ("lateShipmentRate", "validTrackingRate", "onTimeDeliveryRate")]
    rates += metrics["orderDefectRate"].values()
    assert {m["status"] for m in rates} == {"GOOD"}


def test_account_health_policy_sections_count_the_policy_listings(sandbox, contract):
    """Each policy section counts the listings whose policy issue is of its kind."""
    (metrics,) = _report_document(sandbox, contract, "GET_V2_SELLER_PERFORMANCE_REPORT").json()[
        "performanceMetrics"
    ]
    per_code: dict[str, int] = {}
    for sku in sandbox.account.search():  # policy issues in force or exempt until a date
        item = sandbox.account.item(sku, ["issues"])
        policy_codes = {i["code"] for i in item["issues"]} & {"18742", "99300", "100390"}
        for code in policy_codes:
            per_code[code] = per_code.get(code, 0) + 1
    expected = {
        "restrictedProductPolicyViolations": per_code.get("18742", 0),
        "listingPolicyViolations": per_code.get("99300", 0),
        "documentRequests": per_code.get("100390", 0),
    }
    assert sum(expected.values()) > 0  # the demo account has policy listings
    for section, count in expected.items():
        assert metrics[section]["defectsCount"] == count
        assert metrics[section]["status"] == ("BAD" if count else "GOOD")
    others = {
        k: v for k, v in metrics.items() if k.endswith(("Violations", "Complaints", "Issues"))
    }
    assert {v["defectsCount"] for k, v in others.items() if k not in expected} == {0}


def test_account_health_report_is_deterministic():
    first, again = SandboxAccount(seed=3, listings=40), SandboxAccount(seed=3, listings=40)
    assert first.account_health_report() == again.account_health_report()
    other = SandboxAccount(seed=4, listings=40).account_health_report()
    assert other != first.account_health_report()


def test_account_health_status_is_checked():
    with pytest.raises(ValueError, match="account_status must be one of"):
        SandboxAccount(listings=5, account_status="SUSPENDED")


def test_refusals_are_error_lists(sandbox, contract):
    path = f"/listings/2021-08-01/items/{sandbox.seller}"
    query = f"marketplaceIds={sandbox.mp}"
    forbidden = sandbox.call("GET", path, query, token=False)
    assert forbidden.status == 403
    contract.check(LISTINGS, ITEMS, "GET", forbidden)
    sandbox.now += 10.0
    answers = [
        sandbox.app.handle("GET", path, query, {"x-amz-access-token": sandbox.token})
        for _ in range(6)
    ]
    assert answers[-1].status == 429
    contract.check(LISTINGS, ITEMS, "GET", answers[-1])


def test_the_hostile_strings_scenario_keeps_the_wire_contract(contract):
    """Attacker-written text (sandbox/hostile.py) changes characters, never the shapes."""
    sandbox = Sandbox(hostile=True)
    hostile_skus = [s for s in sandbox.account.search() if s.startswith("HOSTILE-")]
    assert len(hostile_skus) == len(hostile.LISTINGS)
    query = f"marketplaceIds={sandbox.mp}&includedData={ALL_LISTINGS_DATA}&pageSize=20"
    token, seen = None, set()
    while True:
        answer = sandbox.call(
            "GET", f"/listings/2021-08-01/items/{sandbox.seller}", query + _page(token)
        )
        body = contract.check(LISTINGS, ITEMS, "GET", answer)
        seen |= {item["sku"] for item in body["items"]}
        token = body.get("pagination", {}).get("nextToken")
        if not token:
            break
    assert set(hostile_skus) <= seen
    restrictions = "/listings/2021-08-01/restrictions"
    for sku in hostile_skus:
        path = f"/listings/2021-08-01/items/{sandbox.seller}/{quote(sku, safe='')}"
        item = contract.check(LISTINGS, ITEM, "GET", sandbox.call("GET", path, query))
        assert item["sku"] == sku
        assert all(issue["message"].endswith(hostile.QUOTED) for issue in item["issues"])
        asin = sandbox.account.item(sku, ["summaries"]).get("summaries", [{}])[0].get("asin")
        if asin:
            q = f"asin={asin}&sellerId={sandbox.seller}&marketplaceIds={sandbox.mp}"
            contract.check(RESTRICTIONS, restrictions, "GET", sandbox.call("GET", restrictions, q))


@pytest.mark.parametrize(
    ("report_type", "content_type", "encoding"),
    [
        ("GET_FBA_INVENTORY_PLANNING_DATA", "text/tab-separated-values; charset=utf-8", "utf-8"),
        (
            "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
            "text/plain; charset=Cp1252",
            "cp1252",
        ),
    ],
)
def test_stock_cover_reports_follow_the_reports_model(
    sandbox, contract, report_type, content_type, encoding
):
    """The sales reports go through createReport → getReport → getReportDocument like any
    other (each answer valid against reports_2021-06-30.json); their documents are Amazon's
    flat files (docs/STOCK_COVER.md)."""
    from asin_tui.sandbox.sales import ORDER_COLUMNS, PLANNING_COLUMNS

    answer = _report_document(sandbox, contract, report_type)
    assert answer.status == 200 and answer.headers["content-type"] == content_type
    text = answer.body.decode(encoding).lstrip("\ufeff")
    columns = PLANNING_COLUMNS if "PLANNING" in report_type else ORDER_COLUMNS
    assert text.splitlines()[0].split("\t") == list(columns)
    assert len(text.splitlines()) > 1
