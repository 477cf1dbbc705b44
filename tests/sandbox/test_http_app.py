"""SandboxApp: LWA, auth, routing, parameters, paging, reports, headers (over a FakeAccount)."""

from __future__ import annotations

import threading
import uuid
from urllib.parse import quote

import pytest

from asin_tui.sandbox.app import ACCESS_TOKEN_LIFETIME, ReportTiming

# ---------------------------------------------------------------------- LWA


def _token_call(harness, form: str):
    return harness.app.handle("POST", "/auth/o2/token", "", {}, form.encode())


def test_token_success_has_amazon_shape(harness):
    answer = _token_call(
        harness,
        "grant_type=refresh_token&client_id=amzn1.application-oa2-client.sandbox"
        "&client_secret=sandbox-secret&refresh_token=Atzr%7Csandbox",
    )
    body = answer.json()
    assert answer.status == 200
    assert body["access_token"].startswith("Atza|")
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == ACCESS_TOKEN_LIFETIME
    assert body["refresh_token"] == "Atzr|sandbox"


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        (
            "grant_type=refresh_token&client_id=amzn1.application-oa2-client.sandbox"
            "&client_secret=WRONG&refresh_token=Atzr%7Csandbox",
            401,
            "invalid_client",
        ),
        (
            "grant_type=refresh_token&client_id=other&client_secret=sandbox-secret"
            "&refresh_token=Atzr%7Csandbox",
            401,
            "invalid_client",
        ),
        (
            "grant_type=refresh_token&client_id=amzn1.application-oa2-client.sandbox"
            "&client_secret=sandbox-secret&refresh_token=Atzr%7Cother",
            400,
            "invalid_grant",
        ),
        ("grant_type=authorization_code&code=x", 400, "unsupported_grant_type"),
        ("client_id=x", 400, "invalid_request"),
    ],
)
def test_token_refusals(harness, form, status, error):
    answer = _token_call(harness, form)
    assert answer.status == status
    assert answer.json()["error"] == error
    assert answer.json()["error_description"]
    assert "sandbox-secret" not in answer.body.decode()


def test_operations_need_a_token_issued_by_the_sandbox(harness):
    path, query = harness.search_path, harness.mp
    for headers in ({}, {"x-amz-access-token": "Atza|123.forged"}):
        answer = harness.app.handle("GET", path, query, headers)
        assert answer.status == 403
        assert answer.json()["errors"][0]["code"] == "Unauthorized"
        assert answer.json()["errors"][0]["message"] == "Access to requested resource is denied."
    assert harness.get(path, query).status == 200


def test_expired_token_is_refused(harness):
    harness.wall.advance(ACCESS_TOKEN_LIFETIME + 1)
    answer = harness.get(harness.search_path, harness.mp)
    assert answer.status == 403
    assert "expired" in answer.json()["errors"][0]["details"]


# ---------------------------------------------------------------------- headers and routing


def test_every_answer_has_request_id_and_json_content_type(harness):
    answers = [
        harness.get(harness.search_path, harness.mp),
        harness.get(harness.search_path, "marketplaceIds=XXX"),
        harness.get("/nowhere/at/all"),
        harness.get(f"{harness.search_path}/NOPE", harness.mp),
    ]
    assert [a.status for a in answers] == [200, 400, 404, 404]
    for answer in answers:
        uuid.UUID(answer.headers["x-amzn-RequestId"])
        assert answer.headers["content-type"] == "application/json"
        assert answer.json()  # every body is JSON
    ids = {a.headers["x-amzn-RequestId"] for a in answers}
    assert len(ids) == len(answers)


def test_rate_limit_header_on_operation_answers(harness):
    assert harness.get(harness.search_path, harness.mp).headers["x-amzn-RateLimit-Limit"] == "5.0"
    bad = harness.get(harness.search_path, "marketplaceIds=XXX")
    assert bad.headers["x-amzn-RateLimit-Limit"] == "5.0"
    inventory = harness.get(
        "/fba/inventory/v1/summaries",
        f"granularityType=Marketplace&granularityId={harness.marketplace_id}&{harness.mp}",
    )
    assert inventory.headers["x-amzn-RateLimit-Limit"] == "2.0"


def test_unknown_route_is_404_with_errors_body(harness):
    answer = harness.call("POST", f"{harness.search_path}/SKU-0001", harness.mp)
    assert answer.status == 404
    assert answer.json()["errors"][0]["code"] == "NOT_FOUND"


# ---------------------------------------------------------------------- searchListingsItems


def _search_pages(harness, query: str) -> list[dict]:
    pages, token = [], None
    while True:
        page_query = query + (f"&pageToken={token}" if token else "")
        harness.clock.advance(0.2)  # paced at the published 5 requests per second
        answer = harness.get(harness.search_path, page_query)
        assert answer.status == 200, answer.body
        pages.append(answer.json())
        token = answer.json().get("pagination", {}).get("nextToken")
        if not token:
            return pages


def test_search_pages_through_every_result_once(harness):
    pages = _search_pages(harness, f"{harness.mp}&pageSize=20&sortBy=sku&sortOrder=ASC")
    skus = [item["sku"] for page in pages for item in page["items"]]
    assert [len(page["items"]) for page in pages] == [20, 20, 6]
    assert skus == sorted(harness.account.skus)
    assert {page["numberOfResults"] for page in pages} == {46}
    assert "previousToken" not in pages[0].get("pagination", {})
    assert "previousToken" in pages[1]["pagination"]


def test_previous_token_goes_back_a_page(harness):
    first = harness.get(harness.search_path, f"{harness.mp}&pageSize=5").json()
    second = harness.get(
        harness.search_path, f"{harness.mp}&pageSize=5&pageToken={first['pagination']['nextToken']}"
    ).json()
    back = harness.get(
        harness.search_path,
        f"{harness.mp}&pageSize=5&pageToken={second['pagination']['previousToken']}",
    ).json()
    assert back["items"] == first["items"]


def test_search_default_page_size_is_ten_and_summaries_only(harness):
    body = harness.get(harness.search_path, harness.mp).json()
    assert len(body["items"]) == 10
    assert set(body["items"][0]) == {"sku", "summaries"}


def test_search_stops_paging_at_amazons_1000_cap(make_harness):
    harness = make_harness(listings=1030)
    pages = _search_pages(harness, f"{harness.mp}&pageSize=20")
    assert sum(len(page["items"]) for page in pages) == 1000
    assert pages[-1]["numberOfResults"] == 1031


def test_page_token_bound_to_its_query(harness):
    token = harness.get(harness.search_path, f"{harness.mp}&pageSize=5").json()["pagination"][
        "nextToken"
    ]
    for query in (
        f"{harness.mp}&pageSize=5&withStatus=BUYABLE&pageToken={token}",
        f"{harness.mp}&pageSize=6&pageToken={token}",
        f"{harness.mp}&pageSize=5&pageToken=garbage!",
    ):
        answer = harness.get(harness.search_path, query)
        assert answer.status == 400
        assert answer.json()["errors"][0]["code"] == "InvalidInput"
    mismatch = harness.get(
        harness.search_path, f"{harness.mp}&pageSize=5&withStatus=BUYABLE&pageToken={token}"
    )
    assert (
        mismatch.json()["errors"][0]["message"]
        == "Search parameters do not match the provided pageToken"
    )


def test_search_accepts_comma_lists_repeated_keys_and_ignores_library_extras(harness):
    query = (
        f"{harness.mp}&MarketplaceId={harness.marketplace_id}&marketplace_ids=x&MarketplaceIds=y"
        "&withStatus=BUYABLE&withStatus=DISCOVERABLE&withoutStatus=BUYABLE,DISCOVERABLE"
        "&withIssueSeverity=ERROR&includedData=summaries,issues&includedData=offers"
        "&createdAfter=2024-01-01T00:00:00Z&sortBy=createdDate&sortOrder=ASC&someNewKey=1"
    )
    assert harness.get(harness.search_path, query).status == 200
    criteria = next(c for name, c in harness.account.calls if name == "search")
    assert criteria["with_status"] == ["BUYABLE", "DISCOVERABLE"]
    assert criteria["without_status"] == ["BUYABLE", "DISCOVERABLE"]
    assert criteria["with_issue_severity"] == ["ERROR"]
    assert criteria["created_after"] == "2024-01-01T00:00:00.000Z"
    assert (criteria["sort_by"], criteria["sort_order"]) == ("createdDate", "ASC")
    included = next(c for name, c in harness.account.calls if name == "item")["included_data"]
    assert included == ["summaries", "issues", "offers"]


def test_search_by_identifiers(harness):
    answer = harness.get(
        harness.search_path, f"{harness.mp}&identifiersType=SKU&identifiers=SKU-0003,SKU-0007"
    )
    assert {item["sku"] for item in answer.json()["items"]} == {"SKU-0003", "SKU-0007"}


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("", "marketplaceIds"),
        ("marketplaceIds=A1PA6795UKMFR9", "marketplaceIds"),
        ("{mp}&pageSize=21", "pageSize"),
        ("{mp}&pageSize=0", "pageSize"),
        ("{mp}&pageSize=ten", "pageSize"),
        ("{mp}&withStatus=ACTIVE", "withStatus"),
        ("{mp}&withIssueSeverity=INFO", "withIssueSeverity"),
        ("{mp}&includedData=details", "includedData"),
        ("{mp}&sortBy=price", "sortBy"),
        ("{mp}&createdAfter=yesterday", "createdAfter"),
        ("{mp}&identifiers=A", "identifiersType"),
        ("{mp}&identifiersType=SKU&identifiers=" + ",".join(f"S{n}" for n in range(21)), "20"),
    ],
)
def test_search_rejects_bad_parameters(harness, query, fragment):
    answer = harness.get(harness.search_path, query.format(mp=harness.mp))
    assert answer.status == 400
    error = answer.json()["errors"][0]
    assert error["code"] == "InvalidInput"
    assert fragment in error["message"]


def test_wrong_seller_is_refused(harness):
    answer = harness.get("/listings/2021-08-01/items/A3SOMEONEELSE", harness.mp)
    assert answer.status == 400
    assert "sellerId" in answer.json()["errors"][0]["message"]


# ---------------------------------------------------------------------- get / patch


def test_get_item_decodes_the_sku(harness):
    answer = harness.get(f"{harness.search_path}/{quote('SKU 1/x', safe='')}", harness.mp)
    assert answer.status == 200
    assert answer.json()["sku"] == "SKU 1/x"


def test_get_unknown_item_is_404(harness):
    answer = harness.get(f"{harness.search_path}/NOPE", harness.mp)
    assert answer.status == 404
    assert answer.json()["errors"][0]["code"] == "NOT_FOUND"


def _patch(harness, sku: str, body: bytes, query: str = ""):
    return harness.call(
        "PATCH", f"{harness.search_path}/{quote(sku, safe='')}", f"{harness.mp}{query}", body
    )


PATCH_BODY = b'{"productType":"LUGGAGE","patches":[]}'


def test_patch_preview_and_real(make_harness):
    saved = []
    harness = make_harness(on_accepted_patch=lambda: saved.append(1))
    preview = _patch(harness, "SKU-0001", PATCH_BODY, "&mode=VALIDATION_PREVIEW")
    assert preview.json()["status"] == "VALID"
    assert saved == [] and harness.account.patched == {}
    real = _patch(harness, "SKU-0001", PATCH_BODY)
    assert real.json()["status"] == "ACCEPTED"
    assert saved == [1] and "SKU-0001" in harness.account.patched


def test_failing_save_hook_does_not_fail_the_patch(make_harness):
    def broken_disk():
        raise OSError("disk full")

    harness = make_harness(on_accepted_patch=broken_disk)
    assert _patch(harness, "SKU-0001", PATCH_BODY).json()["status"] == "ACCEPTED"


@pytest.mark.parametrize(
    ("sku", "body", "query", "status"),
    [
        ("SKU-0001", b"{not json", "", 400),
        ("SKU-0001", b"[1, 2]", "", 400),
        ("SKU-0001", b'{"patches":[]}', "", 400),  # the account refuses (SandboxError)
        ("SKU-0001", PATCH_BODY, "&mode=DRY_RUN", 400),
        ("SKU-0001", PATCH_BODY, "&includedData=summaries", 400),
        ("NOPE", PATCH_BODY, "", 404),
    ],
)
def test_patch_refusals_have_error_bodies(harness, sku, body, query, status):
    answer = _patch(harness, sku, body, query)
    assert answer.status == status
    assert answer.json()["errors"][0]["message"]


def test_account_bug_becomes_a_500_not_a_crash(harness, monkeypatch):
    def explode(*args, **kwargs):
        raise KeyError("bug")

    monkeypatch.setattr(harness.account, "item", explode)
    answer = harness.get(f"{harness.search_path}/SKU-0001", harness.mp)
    assert answer.status == 500
    assert answer.json()["errors"][0]["code"] == "InternalFailure"


# ---------------------------------------------------------------------- inventory

INVENTORY = "/fba/inventory/v1/summaries"


def _inventory_query(harness, extra: str = "") -> str:
    return f"granularityType=Marketplace&granularityId={harness.marketplace_id}&{harness.mp}{extra}"


def test_inventory_for_given_skus(harness):
    answer = harness.get(
        INVENTORY, _inventory_query(harness, "&details=true&sellerSkus=SKU-0002,SKU-0004")
    )
    body = answer.json()
    assert body["payload"]["granularity"] == {
        "granularityType": "Marketplace",
        "granularityId": harness.marketplace_id,
    }
    assert [s["sellerSku"] for s in body["payload"]["inventorySummaries"]] == [
        "SKU-0002",
        "SKU-0004",
    ]
    assert "pagination" not in body
    assert harness.account.calls[-1] == (
        "inventory",
        {"skus": ["SKU-0002", "SKU-0004"], "details": True},
    )


def test_inventory_pages_all_fba_skus_with_next_token(make_harness):
    harness = make_harness(listings=240)  # 120 FBA SKUs
    seen, token = [], None
    while True:
        harness.clock.advance(0.5)  # paced at the published 2 requests per second
        extra = f"&nextToken={token}" if token else ""
        body = harness.get(INVENTORY, _inventory_query(harness, extra)).json()
        seen.append(len(body["payload"]["inventorySummaries"]))
        token = body.get("pagination", {}).get("nextToken")
        if not token:
            break
    assert seen == [50, 50, 20]


def test_inventory_next_token_expires_after_30_sandbox_seconds(make_harness):
    harness = make_harness(listings=240, time_scale=10)
    token = harness.get(INVENTORY, _inventory_query(harness)).json()["pagination"]["nextToken"]
    harness.clock.advance(2.9)  # 29 sandbox seconds
    assert harness.get(INVENTORY, _inventory_query(harness, f"&nextToken={token}")).status == 200
    harness.clock.advance(0.2)
    expired = harness.get(INVENTORY, _inventory_query(harness, f"&nextToken={token}"))
    assert expired.status == 400
    assert "expired" in expired.json()["errors"][0]["message"]


def test_inventory_start_date_filters_by_last_update(make_harness):
    harness = make_harness(listings=240)
    body = harness.get(
        INVENTORY, _inventory_query(harness, "&startDateTime=2024-01-25T00:00:00Z")
    ).json()
    summaries = body["payload"]["inventorySummaries"]
    assert 0 < len(summaries) < 50
    assert all(s["lastUpdatedTime"] >= "2024-01-25" for s in summaries)


@pytest.mark.parametrize(
    "extra",
    [
        "&sellerSkus=" + ",".join(f"SKU-{n:04d}" for n in range(51)),
        "&marketplaceIds=ATVPDKIKX0DER",  # now two marketplaceIds
        "&details=maybe",
    ],
)
def test_inventory_rejects_bad_parameters(harness, extra):
    assert harness.get(INVENTORY, _inventory_query(harness, extra)).status == 400


def test_inventory_requires_marketplace_granularity(harness):
    query = f"granularityType=Country&granularityId={harness.marketplace_id}&{harness.mp}"
    assert harness.get(INVENTORY, query).status == 400


# ---------------------------------------------------------------------- restrictions, types, catalog


def test_restrictions(harness):
    path = "/listings/2021-08-01/restrictions"
    query = f"asin=B0GATED001&sellerId={harness.seller}&{harness.mp}&conditionType=used_good"
    assert harness.get(path, query).json()["restrictions"]
    assert harness.account.calls[-1][1] == {"asin": "B0GATED001", "condition_type": "used_good"}
    missing_asin = harness.get(path, f"sellerId={harness.seller}&{harness.mp}")
    assert missing_asin.status == 400
    assert missing_asin.json()[0]["code"] == "InvalidInput"  # a bare list, as Amazon answers
    bad_condition = f"asin=B0X&sellerId={harness.seller}&{harness.mp}&conditionType=mint"
    assert harness.get(path, bad_condition).status == 400


def test_product_type_definition_links_to_a_served_schema(harness):
    path = "/definitions/2020-09-01/productTypes/LUGGAGE"
    definition = harness.get(path, f"{harness.mp}&requirements=LISTING").json()
    link = definition["schema"]["link"]["resource"]
    assert link == "http://sandbox.test/sandbox/schemas/LUGGAGE.json"
    schema = harness.app.handle("GET", "/sandbox/schemas/LUGGAGE.json")  # no token: presigned
    assert schema.status == 200 and schema.json() == {"required": ["brand"]}
    assert harness.app.handle("GET", "/sandbox/schemas/NOPE.json").status == 404


def test_unknown_product_type_is_404(harness):
    answer = harness.get("/definitions/2020-09-01/productTypes/NOPE", harness.mp)
    assert answer.status == 404
    assert answer.json()["errors"][0]["code"] == "NOT_FOUND"


def test_catalog_item_and_removed_item(harness):
    path = "/catalog/2022-04-01/items/"
    assert harness.get(path + "B0FINE0001", harness.mp).json() == {"asin": "B0FINE0001"}
    removed = harness.get(path + "B0REMOVED1", harness.mp)
    assert removed.status == 404
    assert removed.json()["errors"][0]["code"] == "NOT_FOUND"
    assert removed.headers["x-amzn-RateLimit-Limit"] == "2.0"
    harness.clock.advance(0.5)
    bad = harness.get(path + "B0FINE0001", f"{harness.mp}&includedData=offers")
    assert bad.status == 400


# ---------------------------------------------------------------------- reports

REPORTS = "/reports/2021-06-30/reports"


def _create_report(harness, report_type: str = "GET_MERCHANT_LISTINGS_ALL_DATA"):
    body = f'{{"reportType":"{report_type}","marketplaceIds":["{harness.marketplace_id}"]}}'
    return harness.call("POST", REPORTS, "", body.encode())


def test_report_lifecycle(make_harness):
    harness = make_harness(time_scale=10)
    created = _create_report(harness)
    assert created.status == 202
    report_id = created.json()["reportId"]
    statuses = []
    for _ in range(4):
        report = harness.get(f"{REPORTS}/{report_id}").json()
        statuses.append(report["processingStatus"])
        harness.clock.advance(0.1)  # one sandbox second
    assert statuses == ["IN_QUEUE", "IN_PROGRESS", "IN_PROGRESS", "DONE"]
    document_id = report["reportDocumentId"]
    document = harness.get(f"/reports/2021-06-30/documents/{document_id}").json()
    assert document["reportDocumentId"] == document_id
    assert document["url"].startswith("http://sandbox.test/sandbox/documents/")
    path = document["url"].removeprefix("http://sandbox.test")
    download = harness.app.handle("GET", path)  # presigned: no token needed
    assert download.status == 200
    assert download.headers["content-type"] == "text/tab-separated-values; charset=utf-8"
    assert download.body.decode("utf-8") == harness.account.merchant_listings_all_data()
    harness.clock.advance(30.1)  # 301 sandbox seconds: the presigned URL has expired
    expired = harness.app.handle("GET", path)
    assert expired.status == 403
    assert b"Request has expired" in expired.body


def test_a_presigned_url_lasts_some_real_seconds_at_a_high_time_scale(make_harness):
    """Five sandbox minutes are 0.3 s at 1000x: a download that a loaded machine starts 1 s
    after asking for the URL still works; one 10 s later is refused as expired."""
    harness = make_harness(time_scale=1000)
    report_id = _create_report(harness).json()["reportId"]
    harness.clock.advance(0.01)  # ten sandbox seconds: done
    document_id = harness.get(f"{REPORTS}/{report_id}").json()["reportDocumentId"]
    url = harness.get(f"/reports/2021-06-30/documents/{document_id}").json()["url"]
    path = url.removeprefix("http://sandbox.test")
    harness.clock.advance(1.0)  # 1,000 sandbox seconds
    assert harness.app.handle("GET", path).status == 200
    harness.clock.advance(9.1)
    expired = harness.app.handle("GET", path)
    assert expired.status == 403
    assert b"Request has expired" in expired.body


class _HeldReport:
    """A report snapshot whose document is built only once the test lets it."""

    def __init__(self, account) -> None:
        self.account = account
        self.release = threading.Event()
        self.started = threading.Event()

    def report_snapshot(self):
        return self

    def merchant_listings_all_data(self) -> str:
        self.started.set()
        assert self.release.wait(10)
        return self.account.merchant_listings_all_data()


def test_create_report_answers_at_once_while_its_document_is_built(make_harness, monkeypatch):
    """A big account's report takes seconds to build: createReport answers at once and every
    other call is answered meanwhile; the report is DONE once its document is built."""
    timing = ReportTiming(build_wait=0.01)
    harness = make_harness(time_scale=10, report_timing=timing)
    held = _HeldReport(harness.account)
    monkeypatch.setattr(harness.account, "report_snapshot", held.report_snapshot)
    created = _create_report(harness)
    assert created.status == 202
    assert held.started.wait(10)  # the build runs, outside the request
    report_id = created.json()["reportId"]
    harness.clock.advance(1.0)  # ten sandbox seconds: past Amazon's processing time
    report = harness.get(f"{REPORTS}/{report_id}").json()
    assert report["processingStatus"] == "IN_PROGRESS"  # not built yet: not DONE
    assert "reportDocumentId" not in report
    assert harness.get(harness.search_path, harness.mp).status == 200  # nothing waits
    held.release.set()
    timing.build_wait = 10.0  # the look waits for the build
    report = harness.get(f"{REPORTS}/{report_id}").json()
    assert report["processingStatus"] == "DONE"
    document = harness.get(f"/reports/2021-06-30/documents/{report['reportDocumentId']}").json()
    download = harness.app.handle("GET", document["url"].removeprefix("http://sandbox.test"))
    assert download.body.decode("utf-8") == harness.account.merchant_listings_all_data()


def test_a_report_that_cannot_be_built_is_fatal(make_harness, monkeypatch):
    harness = make_harness(time_scale=10)

    def broken():
        raise RuntimeError("sandbox bug")

    monkeypatch.setattr(harness.account, "merchant_listings_all_data", broken)
    report_id = _create_report(harness).json()["reportId"]
    harness.clock.advance(1.0)
    report = harness.get(f"{REPORTS}/{report_id}").json()
    assert report["processingStatus"] == "FATAL"
    assert "reportDocumentId" not in report


def test_the_sandbox_keeps_the_last_reports_only(make_harness):
    harness = make_harness(report_timing=ReportTiming(kept=3))
    ids = [_create_report(harness).json()["reportId"] for _ in range(4)]
    assert harness.get(f"{REPORTS}/{ids[0]}").status == 404  # dropped, as an expired one
    assert all(harness.get(f"{REPORTS}/{i}").status == 200 for i in ids[1:])


def test_report_refusals(harness):
    assert _create_report(harness, "GET_FLAT_FILE_OPEN_LISTINGS_DATA").status == 400
    assert harness.call("POST", REPORTS, "", b'{"reportType":"X"}').status == 400
    assert harness.get(f"{REPORTS}/999").status == 404
    report_id = _create_report(harness).json()["reportId"]
    assert harness.get(f"{REPORTS}/{report_id}").json()["processingStatus"] == "IN_QUEUE"
    assert harness.get("/reports/2021-06-30/documents/amzn1.spdoc.nope").status == 404
    assert harness.app.handle("GET", "/sandbox/documents/guessed-token").status == 403


def test_bug_behind_a_public_route_is_a_500_too(harness, monkeypatch):
    def explode(product_type):
        raise RuntimeError("bug")

    monkeypatch.setattr(harness.account, "product_type_schema", explode)
    answer = harness.app.handle("GET", "/sandbox/schemas/LUGGAGE.json")
    assert answer.status == 500
    assert answer.json()["errors"][0]["code"] == "InternalFailure"
