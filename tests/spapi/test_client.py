"""SpApi over python-amazon-sp-api's real async clients, against scripted HTTP answers.

Every request goes through the library unmodified; only the socket is replaced by an
``httpx.MockTransport`` so each test controls exactly what Amazon answers.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from urllib.parse import parse_qs

import httpx
import pytest

from asin_tui.service import client_settings
from asin_tui.spapi.client import SpApi, WaitNotice
from asin_tui.spapi.errors import (
    AuthError,
    BadRequest,
    DocumentTooLarge,
    Forbidden,
    MalformedResponse,
    NotFound,
    SpApiError,
    Throttled,
    Unavailable,
)
from asin_tui.spapi.ratelimit import Backoff, RateLimiter
from asin_tui.store import paths
from asin_tui.store.config import Credentials
from tests.spapi.fakes import (
    REFRESH,
    SEARCH_OK,
    SEARCH_PATH,
    SECRET,
    SELLER,
    answer,
    make_profile,
    query,
)

# ----------------------------------------------------------------------------- wire format


async def test_list_parameters_are_comma_joined_and_marketplace_is_not_polluted(amazon, make_api):
    amazon.script(SEARCH_PATH, SEARCH_OK)
    api = make_api()
    body = await api.search_listings(
        withoutStatus=["BUYABLE"],
        withIssueSeverity=["ERROR", "WARNING"],
        createdAfter="2024-01-01T00:00:00Z",
        pageToken=None,
    )
    assert body["items"] == [{"sku": "SKU-1"}]
    assert body["numberOfResults"] == 1
    assert body["pagination"] == {"nextToken": "p2"}
    (request,) = amazon.sp_requests(SEARCH_PATH)
    q = query(request)
    assert q["withIssueSeverity"] == ["ERROR,WARNING"]
    assert q["withoutStatus"] == ["BUYABLE"]
    assert q["includedData"] == [
        "summaries,attributes,issues,offers,fulfillmentAvailability,relationships,productTypes"
    ]
    assert q["marketplaceIds"] == ["ATVPDKIKX0DER"]
    assert q["pageSize"] == ["20"]
    assert q["issueLocale"] == ["en_US"]
    assert "pageToken" not in q
    for polluting in ("MarketplaceId", "MarketplaceIds", "marketplace_ids"):
        assert polluting not in q
    assert request.headers["x-amz-access-token"] == "Atza|token"


async def test_http_endpoint_gets_a_correct_host_header(amazon, make_api):
    amazon.script(SEARCH_PATH, SEARCH_OK)
    api = make_api(make_profile(endpoint="http://127.0.0.1:8765"))
    await api.search_listings()
    (request,) = amazon.sp_requests(SEARCH_PATH)
    assert str(request.url).startswith("http://127.0.0.1:8765/listings/")
    assert request.headers["host"] == "127.0.0.1:8765"  # the library would send "27.0.0.1:8765"


async def test_default_marketplace_env_var_does_not_redirect_calls(amazon, make_api, monkeypatch):
    monkeypatch.setenv("SP_API_DEFAULT_MARKETPLACE", "DE")
    amazon.script(SEARCH_PATH, SEARCH_OK)
    await make_api().search_listings()
    (request,) = amazon.sp_requests(SEARCH_PATH)
    assert request.url.host == "sp.test"
    assert query(request)["marketplaceIds"] == ["ATVPDKIKX0DER"]


async def test_inventory_batches_are_comma_joined_with_details(amazon, make_api):
    path = "/fba/inventory/v1/summaries"
    amazon.script(
        path,
        answer(200, {"payload": {"inventorySummaries": [{"sellerSku": "A"}]}}),
    )
    api = make_api()
    payload = await api.inventory_summaries(["A", "B", "C"])
    assert payload["inventorySummaries"] == [{"sellerSku": "A"}]
    q = query(amazon.sp_requests(path)[0])
    assert q["sellerSkus"] == ["A,B,C"]
    assert q["details"] == ["true"]
    assert q["granularityType"] == ["Marketplace"]
    assert q["granularityId"] == ["ATVPDKIKX0DER"]
    with pytest.raises(ValueError):
        await api.inventory_summaries([f"S{i}" for i in range(51)])


async def test_inventory_of_a_sku_with_a_comma_is_asked_on_its_own(amazon, make_api):
    path = "/fba/inventory/v1/summaries"
    amazon.script(path, answer(200, {"payload": {"inventorySummaries": [{"sellerSku": "A,B"}]}}))
    api = make_api()
    payload = await api.inventory_summaries(["A,B"])
    assert payload["inventorySummaries"] == [{"sellerSku": "A,B"}]
    q = query(amazon.sp_requests(path)[0])
    assert q["sellerSku"] == ["A,B"] and "sellerSkus" not in q
    with pytest.raises(ValueError, match="on its own"):
        await api.inventory_summaries(["A,B", "C"])


async def test_inventory_follows_next_token(amazon, make_api):
    path = "/fba/inventory/v1/summaries"
    amazon.script(
        path,
        answer(
            200,
            {
                "payload": {"inventorySummaries": [{"sellerSku": "A"}]},
                "pagination": {"nextToken": "n2"},
            },
        ),
        answer(200, {"payload": {"inventorySummaries": [{"sellerSku": "B"}]}}),
    )
    payload = await make_api().inventory_summaries(["A", "B"])
    assert [s["sellerSku"] for s in payload["inventorySummaries"]] == ["A", "B"]
    assert query(amazon.sp_requests(path)[1])["nextToken"] == ["n2"]


# ----------------------------------------------------------------------------- retries


async def _slow(_request: httpx.Request) -> httpx.Response:
    await asyncio.sleep(5)
    return SEARCH_OK


QUOTA = answer(429, {"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota"}]})


@pytest.mark.parametrize(
    "failure",
    [
        QUOTA,
        answer(500, {"errors": [{"code": "InternalFailure", "message": "internal"}]}),
        answer(503, {"errors": [{"code": "ServiceUnavailable", "message": "busy"}]}),
        answer(504, raw=b"<html>Gateway Timeout</html>"),
        answer(200, raw=b'{"numberOfResults": 1, "items": [{"sku": "SK'),  # truncated JSON
        _slow,  # no answer within the profile's timeout
    ],
    ids=["429", "500", "503", "504-html", "truncated-json", "timeout"],
)
async def test_transient_failures_are_retried_then_succeed(amazon, make_api, sleeps, failure):
    amazon.script(SEARCH_PATH, failure, failure, SEARCH_OK)
    api = make_api()
    body = await api.search_listings()
    assert body["items"] == [{"sku": "SKU-1"}]
    assert api.calls["searchListingsItems"] == 3
    assert len(sleeps) == 2
    assert all(0 <= s <= 0.5 * 2**i for i, s in enumerate(sleeps))


async def test_a_429_drains_the_bucket_and_is_counted(amazon, make_api):
    now = [0.0]

    async def advance(seconds: float) -> None:
        now[0] += seconds

    amazon.script(SEARCH_PATH, QUOTA, SEARCH_OK)
    api = make_api(limiter=RateLimiter(clock=lambda: now[0], sleep=advance, safety=0.0))
    await api.search_listings()
    assert api.throttled["searchListingsItems"] == 1
    # the retry waited for a fresh token although four were left before the 429
    assert now[0] == pytest.approx(1 / 5)
    assert api.waited["searchListingsItems"] >= 1 / 5


async def test_a_429_storm_ends_in_a_clear_error_after_bounded_tries(amazon, make_api, sleeps):
    amazon.script(SEARCH_PATH, QUOTA)
    api = make_api()
    notices: list[WaitNotice] = []
    api.listeners.append(notices.append)
    with pytest.raises(Throttled) as caught:
        await api.search_listings()
    error = caught.value
    assert api.calls["searchListingsItems"] == 6
    assert len(sleeps) == 5 and sum(sleeps) <= 0.5 + 1 + 2 + 4 + 8
    assert error.code == "QuotaExceeded" and error.attempts == 6
    assert "searchListingsItems" in str(error) and "gave up after 6 tries" in str(error)
    assert [n.reason for n in notices] == ["throttled"] * 5


async def test_rate_limit_header_retunes_the_bucket(amazon, make_api):
    amazon.script(SEARCH_PATH, answer(200, {"items": []}, headers={"x-amzn-RateLimit-Limit": "2"}))
    api = make_api()
    await api.search_listings()
    assert api.limiter.bucket("searchListingsItems").rate == 2.0


# ----------------------------------------------------------------------------- typed errors


async def test_error_bodies_without_errors_key_still_raise(amazon, make_api):
    api = make_api()
    amazon.script(f"{SEARCH_PATH}/GONE", answer(404, {}))
    with pytest.raises(NotFound):
        await api.get_listing("GONE")
    amazon.script(
        "/listings/2021-08-01/restrictions",
        answer(400, [{"code": "BAD_REQUEST", "message": "Invalid ASIN"}]),
    )
    with pytest.raises(BadRequest) as caught:
        await api.restrictions("BAD_ASIN")
    assert caught.value.code == "BAD_REQUEST" and "Invalid ASIN" in str(caught.value)
    assert api.calls["getListingsRestrictions"] == 1  # a 400 is not retried


async def test_bad_request_carries_amazons_code_message_and_request_id(amazon, make_api):
    amazon.script(
        SEARCH_PATH,
        answer(
            400,
            {"errors": [{"code": "InvalidInput", "message": "pageSize is invalid"}]},
            headers={"x-amzn-RequestId": "req-42"},
        ),
    )
    with pytest.raises(BadRequest) as caught:
        await make_api().search_listings()
    error = caught.value
    assert (error.status, error.code, error.request_id) == (400, "InvalidInput", "req-42")
    assert error.operation == "searchListingsItems"
    assert "pageSize is invalid" in str(error) and "req-42" in str(error)


async def test_page_token_mismatch_is_retried(amazon, make_api):
    mismatch = answer(
        400,
        {
            "errors": [
                {
                    "code": "InvalidInput",
                    "message": "Search parameters do not match the provided pageToken.",
                }
            ]
        },
    )
    amazon.script(SEARCH_PATH, mismatch, SEARCH_OK)
    body = await make_api().search_listings(pageToken="abc")
    assert body["items"]


async def test_persistent_5xx_ends_as_unavailable(amazon, make_api):
    amazon.script(SEARCH_PATH, answer(503, raw=b""))
    api = make_api(backoff=Backoff(tries=3, base=0.01, cap=0.01))
    with pytest.raises(Unavailable):
        await api.search_listings()
    assert api.calls["searchListingsItems"] == 3


async def test_persistent_truncation_ends_as_malformed_response(amazon, make_api):
    amazon.script(SEARCH_PATH, answer(200, raw=b'{"items": ['))
    with pytest.raises(MalformedResponse):
        await make_api(backoff=Backoff(tries=2, base=0.01, cap=0.01)).search_listings()


CATALOG_SEARCH = "/catalog/2022-04-01/items"


def catalog_search(page_size: int | None = None):
    """Amazon's identifier search: the asked ASINs it has (those not ending in 0), in order,
    ``page_size`` (default: the request's pageSize) to a page; the page token is the offset."""

    async def search(request: httpx.Request) -> httpx.Response:
        q = query(request)
        present = [a for a in q["identifiers"][0].split(",") if not a.endswith("0")]
        offset = int(q.get("pageToken", ["0"])[0])
        size = page_size or int(q["pageSize"][0])
        body = {
            "numberOfResults": len(present),
            "items": [{"asin": a, "summaries": []} for a in present[offset : offset + size]],
        }
        if offset + size < len(present):
            body["pagination"] = {"nextToken": str(offset + size)}
        return answer(200, body)

    return search


async def test_catalog_search_asks_20_asins_a_call_and_absent_ones_are_not_found(amazon, make_api):
    amazon.script(CATALOG_SEARCH, catalog_search())
    asins = [f"B0ITEM{i:04d}" for i in range(1, 46)]
    found = await make_api().search_catalog_items([*asins, asins[0]])
    assert list(found) == asins  # each ASIN once, in the order asked
    assert {a for a, item in found.items() if item is None} == {
        "B0ITEM0010",
        "B0ITEM0020",
        "B0ITEM0030",
        "B0ITEM0040",
    }
    assert all(item["asin"] == a for a, item in found.items() if item is not None)
    asked = [query(r) for r in amazon.sp_requests(CATALOG_SEARCH)]
    assert [len(q["identifiers"][0].split(",")) for q in asked] == [20, 20, 5]
    for q in asked:
        assert q["identifiersType"] == ["ASIN"] and q["pageSize"] == ["20"]
        assert "productTypes" in q["includedData"][0].split(",")


async def test_catalog_search_follows_every_page(amazon, make_api):
    amazon.script(CATALOG_SEARCH, catalog_search(page_size=3))  # Amazon may page anyway
    asins = [f"B0ITEM{i:04d}" for i in range(1, 8)]
    found = await make_api().search_catalog_items(asins)
    assert all(item is not None for item in found.values())
    assert [query(r).get("pageToken") for r in amazon.sp_requests(CATALOG_SEARCH)] == [
        None,
        ["3"],
        ["6"],
    ]


@pytest.mark.parametrize(
    "body", [{"numberOfResults": 1}, {"items": [{"summaries": []}]}, {"items": ["B0X"]}]
)
async def test_catalog_search_without_usable_items_is_malformed(amazon, make_api, body):
    amazon.script(CATALOG_SEARCH, answer(200, body))
    with pytest.raises(MalformedResponse):
        await make_api().search_catalog_items(["B0X"])


# ----------------------------------------------------------------------------- credentials


def _assert_no_secret(text: str) -> None:
    assert SECRET not in text
    assert REFRESH not in text


async def test_wrong_secret_is_an_auth_error_without_the_secret(amazon, make_api):
    amazon.token_answer = lambda _r: answer(
        401, {"error": "invalid_client", "error_description": f"Client {SECRET} unknown"}
    )
    amazon.script(SEARCH_PATH, SEARCH_OK)
    api = make_api()
    with pytest.raises(AuthError) as caught:
        await api.search_listings()
    error = caught.value
    _assert_no_secret(str(error))
    _assert_no_secret(repr(error.args))
    assert error.__cause__ is None and error.__suppress_context__
    assert "invalid_client" in str(error)
    assert api.calls["searchListingsItems"] == 1  # not retried
    assert amazon.sp_requests() == []


async def test_a_401_is_an_auth_error(amazon, make_api):
    amazon.script(
        SEARCH_PATH,
        answer(401, {"errors": [{"code": "Unauthorized", "message": "Access denied"}]}),
    )
    with pytest.raises(AuthError):
        await make_api().search_listings()


async def test_a_403_on_a_data_call_is_forbidden_not_refused_credentials(amazon, make_api):
    amazon.script(
        SEARCH_PATH,
        answer(403, {"errors": [{"code": "Unauthorized", "message": "Access denied"}]}),
    )
    with pytest.raises(Forbidden) as caught:
        await make_api().search_listings()
    assert not isinstance(caught.value, AuthError)
    assert str(caught.value).startswith(
        "searchListingsItems: not authorised for this application (missing SP-API role?)"
    )


async def test_token_cache_does_not_serve_a_token_to_different_credentials(amazon, make_api):
    """The library caches tokens by refresh token alone; a wrong secret must still fail."""
    amazon.script(SEARCH_PATH, SEARCH_OK)
    await make_api().search_listings()

    def check_secret(request: httpx.Request) -> httpx.Response:
        form = parse_qs(request.content.decode())
        if form["client_secret"] != [SECRET]:
            return answer(401, {"error": "invalid_client", "error_description": "bad client"})
        return answer(200, {"access_token": "Atza|token", "expires_in": 3600})

    amazon.token_answer = check_secret
    wrong = make_profile(
        credentials=Credentials(
            lwa_app_id="amzn1.application-oa2-client.test",
            lwa_client_secret="wrong-secret",
            refresh_token=REFRESH,
        )
    )
    with pytest.raises(AuthError):
        await make_api(wrong).search_listings()


async def test_one_token_request_serves_concurrent_calls(amazon, make_api):
    amazon.script(SEARCH_PATH, SEARCH_OK)
    amazon.script(CATALOG_SEARCH, answer(200, {"numberOfResults": 0, "items": []}))
    api = make_api()
    await asyncio.gather(
        api.search_listings(), api.search_catalog_items(["B0X"]), api.search_listings()
    )
    assert sum(1 for r in amazon.requests if r.url.host == "lwa.test") == 1


def test_missing_credentials_name_what_to_set_and_never_a_value():
    profile = make_profile(credentials=Credentials(lwa_app_id="id-only"))
    with pytest.raises(AuthError) as caught:
        SpApi(client_settings(profile))
    message = str(caught.value)
    assert message.startswith("credentials missing, nothing was sent to Amazon: set ")
    assert "refused" not in message
    assert "LWA_CLIENT_SECRET (or lwa_client_secret in [profiles." in message
    assert "SP_API_REFRESH_TOKEN" in message and "LWA_APP_ID" not in message


# ----------------------------------------------------------------------------- product types


def _definition(checksum: str) -> httpx.Response:
    return answer(
        200,
        {
            "productType": "LUGGAGE",
            "schema": {
                "link": {"resource": "https://files.test/schemas/LUGGAGE.json", "verb": "GET"},
                "checksum": checksum,
            },
            "requirements": "LISTING",
        },
    )


async def test_product_type_schema_is_downloaded_once_per_checksum(amazon, make_api, tmp_path):
    path = "/definitions/2020-09-01/productTypes/LUGGAGE"
    schema = {"type": "object", "required": ["item_name"], "properties": {}}
    amazon.script(path, _definition("abc+/=="))
    amazon.script("/schemas/LUGGAGE.json", answer(200, schema))
    api = make_api()
    definition, got = await api.product_type("LUGGAGE")
    assert definition["productType"] == "LUGGAGE" and got == schema
    again = make_api()
    assert (await again.product_type("LUGGAGE"))[1] == schema
    downloads = [r for r in amazon.requests if r.url.host == "files.test"]
    assert len(downloads) == 1
    assert "x-amz-access-token" not in downloads[0].headers  # never leak the token to S3
    q = query(amazon.sp_requests(path)[0])
    assert q["sellerId"] == [SELLER] and q["marketplaceIds"] == ["ATVPDKIKX0DER"]

    # a new checksum means a new schema; a corrupt cache file is fetched again
    amazon.script(path, _definition("def"))
    await make_api().product_type("LUGGAGE")
    assert len([r for r in amazon.requests if r.url.host == "files.test"]) == 2
    for cached in (paths.cache_dir() / "schemas").glob("*.json"):
        cached.write_text("{not json")
    await make_api().product_type("LUGGAGE")
    assert len([r for r in amazon.requests if r.url.host == "files.test"]) == 3


async def test_truncated_schema_download_is_retried(amazon, make_api):
    amazon.script("/definitions/2020-09-01/productTypes/LUGGAGE", _definition("c1"))
    amazon.script(
        "/schemas/LUGGAGE.json", answer(200, raw=b'{"type": "obj'), answer(200, {"type": "object"})
    )
    assert (await make_api().product_type("LUGGAGE"))[1] == {"type": "object"}


# ----------------------------------------------------------------------------- reports


def _script_pending_report(amazon, document: str) -> None:
    """Report R1: queued, then started, then done with ``document``."""
    amazon.script("/reports/2021-06-30/reports", answer(202, {"reportId": "R1"}))
    amazon.script(
        "/reports/2021-06-30/reports/R1",
        answer(200, {"reportId": "R1", "processingStatus": "IN_QUEUE"}),
        answer(200, {"reportId": "R1", "processingStatus": "IN_PROGRESS"}),
        answer(200, {"reportId": "R1", "processingStatus": "DONE", "reportDocumentId": document}),
    )


@pytest.mark.parametrize("compressed", [False, True])
async def test_merchant_listings_report_flow(amazon, make_api, sleeps, compressed):
    tsv = "item-name\tseller-sku\tasin1\tstatus\nMug «blue»\tMUG-1\tB0MUG00001\tActive\n"
    data = tsv.encode("utf-8")
    meta = {"reportDocumentId": "doc-1", "url": "https://files.test/doc-1"}
    if compressed:
        data = gzip.compress(data)
        meta["compressionAlgorithm"] = "GZIP"
    _script_pending_report(amazon, "doc-1")
    amazon.script("/reports/2021-06-30/documents/doc-1", answer(200, meta))
    amazon.script("/doc-1", answer(200, raw=data, headers={"content-type": "text/plain"}))
    api = make_api()
    rows = await api.merchant_listings()
    assert rows == [
        {
            "item-name": "Mug «blue»",
            "seller-sku": "MUG-1",
            "asin1": "B0MUG00001",
            "status": "Active",
        }
    ]
    assert api.calls["getReport"] == 3 and len(sleeps) == 2 and sleeps[1] > sleeps[0]
    body = json.loads(amazon.sp_requests("/reports/2021-06-30/reports")[0].content)
    assert body == {
        "reportType": "GET_MERCHANT_LISTINGS_ALL_DATA",
        "marketplaceIds": ["ATVPDKIKX0DER"],
    }


async def test_the_wait_for_a_report_is_said_in_words_that_fit_the_status_line(
    amazon, make_api, sleeps
):
    """The list's status line (80 columns: 53 cells beside the bar) read "Amazon is preparing
    the listings report (IN_QUEUE); …": Amazon's code, and the rest cut."""
    from asin_tui.spapi.sync.progress import _Tally

    _script_pending_report(amazon, "d")
    meta = {"reportDocumentId": "d", "url": "https://files.test/d"}
    amazon.script("/reports/2021-06-30/documents/d", answer(200, meta))
    amazon.script("/d", answer(200, raw=b"seller-sku\n", headers={"content-type": "text/plain"}))
    seen = []
    api = make_api()
    api.listeners.append(_Tally(seen.append).waiting)
    await api.merchant_listings()
    said = [p.message for p in seen]
    assert said == [
        "Amazon is preparing the listings report (queued)",
        "Amazon is preparing the listings report (started)",
    ]
    assert all(len(line) <= 53 for line in said) and all(p.waiting for p in seen)


def _script_listings_report(amazon, data: bytes, compression: str | None) -> None:
    meta = {"reportDocumentId": "doc-2", "url": "https://files.test/doc-2"}
    if compression:
        meta["compressionAlgorithm"] = compression
    amazon.script("/reports/2021-06-30/reports", answer(202, {"reportId": "R3"}))
    amazon.script(
        "/reports/2021-06-30/reports/R3",
        answer(200, {"reportId": "R3", "processingStatus": "DONE", "reportDocumentId": "doc-2"}),
    )
    amazon.script("/reports/2021-06-30/documents/doc-2", answer(200, meta))
    amazon.script("/doc-2", answer(200, raw=data, headers={"content-type": "text/plain"}))


async def test_a_gzip_bomb_is_stopped_at_the_cap_in_one_line(amazon, make_api):
    # 64 MB of zeros packs to 64 KB: unpacked whole it would be read in full (a real bomb:
    # GBs); unpacked a chunk at a time it stops at the cap (here 2 MB), never asked again
    _script_listings_report(amazon, gzip.compress(bytes(64 << 20), 9), "GZIP")
    with pytest.raises(DocumentTooLarge) as caught:
        await make_api(max_document=2 << 20).merchant_listings()
    text = str(caught.value)
    assert "the report document unpacked is larger than 2 MB: not read" in text
    assert "\n" not in text
    assert len([r for r in amazon.requests if r.url.host == "files.test"]) == 1


async def test_a_listings_report_that_is_no_flat_file_is_an_error_not_no_listings(amazon, make_api):
    # a document with a line over reports.MAX_LINE: read as "no rows" a full sync would
    # have found the account empty
    _script_listings_report(amazon, b"seller-sku\tasin1\n" + b"A" * (2 << 20), None)
    with pytest.raises(MalformedResponse, match="has a line longer than 1 MB"):
        await make_api().merchant_listings()
    _script_listings_report(amazon, b"", None)  # an empty document: no listings, as before
    assert await make_api().merchant_listings() == []


@pytest.mark.parametrize("compression", [None, "GZIP"])
async def test_a_stock_cover_document_over_the_cap_is_one_line(amazon, make_api, compression):
    # the stock cover's reports go to a temporary file: one never filled past the cap (a
    # document streamed without end), nor unpacked past it (a bomb)
    data = b"sku\tavailable\n" + b"0" * (3 << 20)
    _script_listings_report(amazon, gzip.compress(data) if compression else data, compression)
    with pytest.raises(DocumentTooLarge, match="is larger than 1 MB: not read"):
        await make_api(max_document=1 << 20).check_report(
            "R3", "GET_MERCHANT_LISTINGS_ALL_DATA", raw=True
        )


async def test_a_download_over_the_cap_is_not_read_to_its_end(amazon, make_api):
    _script_listings_report(amazon, b"item-name\tseller-sku\n" + b"x" * (3 << 20), None)
    with pytest.raises(DocumentTooLarge, match="the download of /doc-2 is larger than 1 MB"):
        await make_api(max_document=1 << 20).merchant_listings()
    assert len([r for r in amazon.requests if r.url.host == "files.test"]) == 1


@pytest.mark.parametrize(
    ("data", "rows"),
    [
        # two members (gzip.decompress reads both) and zero padding after the last
        (gzip.compress(b"seller-sku\tasin1\nA\tB0A\n") + gzip.compress(b"C\tB0C\n"), 2),
        (gzip.compress(b"seller-sku\tasin1\nA\tB0A\n") + bytes(512), 1),
    ],
    ids=["two members", "zero padding"],
)
async def test_gzip_documents_read_as_gzip_reads_them(amazon, make_api, data, rows):
    _script_listings_report(amazon, data, "GZIP")
    assert len(await make_api().merchant_listings()) == rows


@pytest.mark.parametrize(
    "data",
    [b"not gzip at all", gzip.compress(b"seller-sku\tasin1\nA\tB0A\n" * 100)[:-30]],
    ids=["not gzip", "cut short"],
)
async def test_a_document_that_is_not_whole_gzip_is_one_line(amazon, make_api, data):
    _script_listings_report(amazon, data, "GZIP")
    with pytest.raises(MalformedResponse, match="the report document is not valid GZIP"):
        await make_api().merchant_listings()


async def test_fatal_report_is_a_clear_error(amazon, make_api):
    amazon.script("/reports/2021-06-30/reports", answer(202, {"reportId": "R9"}))
    amazon.script(
        "/reports/2021-06-30/reports/R9",
        answer(200, {"reportId": "R9", "processingStatus": "FATAL"}),
    )
    with pytest.raises(Exception) as caught:
        await make_api().merchant_listings()
    assert "R9" in str(caught.value) and "getReport" in str(caught.value)


async def test_cancelled_report_means_no_listings(amazon, make_api):
    amazon.script("/reports/2021-06-30/reports", answer(202, {"reportId": "R2"}))
    amazon.script(
        "/reports/2021-06-30/reports/R2",
        answer(200, {"reportId": "R2", "processingStatus": "CANCELLED"}),
    )
    assert await make_api().merchant_listings() == []


def _script_report(amazon, report_id: str, document: bytes) -> None:
    """A report that is IN_PROGRESS once, then DONE with ``document``."""
    amazon.script("/reports/2021-06-30/reports", answer(202, {"reportId": report_id}))
    amazon.script(
        f"/reports/2021-06-30/reports/{report_id}",
        answer(200, {"reportId": report_id, "processingStatus": "IN_PROGRESS"}),
        answer(200, {"reportId": report_id, "processingStatus": "DONE", "reportDocumentId": "d-9"}),
    )
    meta = {"reportDocumentId": "d-9", "url": "https://files.test/d-9"}
    amazon.script("/reports/2021-06-30/documents/d-9", answer(200, meta))
    amazon.script("/d-9", answer(200, raw=document, headers={"content-type": "application/json"}))


async def test_account_health_is_requested_then_checked_without_waiting(amazon, make_api, sleeps):
    document = {"accountStatuses": [{"marketplaceId": "ATVPDKIKX0DER", "status": "AT_RISK"}]}
    _script_report(amazon, "R5", json.dumps(document).encode())
    api = make_api()
    notices = []
    api.listeners.append(notices.append)
    request = await api.request_account_health()
    assert request.report_id == "R5" and request.requested_at.tzinfo is not None
    body = json.loads(amazon.sp_requests("/reports/2021-06-30/reports")[0].content)
    assert body == {
        "reportType": "GET_V2_SELLER_PERFORMANCE_REPORT",
        "marketplaceIds": ["ATVPDKIKX0DER"],
    }
    first = await api.check_account_health("R5")  # one look: Amazon is still at it
    assert (first.pending, first.status, first.document) == (True, "IN_PROGRESS", None)
    assert api.calls["getReport"] == 1 and sleeps == [] and api.calls["getReportDocument"] == 0
    done = await api.check_account_health("R5")
    assert (done.pending, done.status, done.document) == (False, "DONE", document)
    assert notices == []  # nobody waits for it: no "Amazon is preparing" notice


async def test_account_health_checked_a_few_times_pauses_quietly(amazon, make_api, sleeps):
    document = {"accountStatuses": []}
    _script_report(amazon, "R4", json.dumps(document).encode())
    api = make_api()
    notices = []
    api.listeners.append(notices.append)
    check = await api.check_account_health("R4", checks=3)
    assert check.document == document and api.calls["getReport"] == 2
    assert len(sleeps) == 1 and notices == [] and api.waited["getReport"] == sleeps[0]


@pytest.mark.parametrize("document", [b"[1, 2]", b'{"accountStatuses": [', b"\xff\xfe"])
async def test_account_health_document_that_is_not_an_object(amazon, make_api, document):
    _script_report(amazon, "R6", document)
    with pytest.raises(MalformedResponse, match="account health report is not a JSON object"):
        await make_api().check_account_health("R6", checks=2)


async def test_account_health_fatal_cancelled_and_unknown(amazon, make_api):
    amazon.script(
        "/reports/2021-06-30/reports/R7",
        answer(200, {"reportId": "R7", "processingStatus": "FATAL"}),
    )
    with pytest.raises(SpApiError, match="could not produce the account health report R7"):
        await make_api().check_account_health("R7")
    amazon.script(
        "/reports/2021-06-30/reports/R8",
        answer(200, {"reportId": "R8", "processingStatus": "CANCELLED"}),
    )
    cancelled = await make_api().check_account_health("R8")
    assert (cancelled.pending, cancelled.document) == (False, None)
    amazon.script(
        "/reports/2021-06-30/reports/R3",
        answer(404, {"errors": [{"code": "NotFound", "message": "Report 'R3' not found."}]}),
    )
    with pytest.raises(NotFound):  # expired, or asked of another account
        await make_api().check_account_health("R3")
    listings_report = {
        "reportId": "R2",
        "reportType": "GET_MERCHANT_LISTINGS_ALL_DATA",
        "processingStatus": "IN_QUEUE",
    }
    amazon.script("/reports/2021-06-30/reports/R2", answer(200, listings_report))
    with pytest.raises(NotFound, match="not the account health report"):
        await make_api().check_account_health("R2")


@pytest.mark.parametrize("status", [400, 403, 500, 503])
async def test_an_error_page_that_is_not_json_is_one_short_line(amazon, make_api, status):
    """A proxy's or a load balancer's HTML error page (200 KB, with a control character):
    one line naming the status once, none of the page."""
    page = b"<html><body>" + b"<p>Service Unavailable \x1b[2J</p>" * 6000 + b"</body></html>"
    amazon.script(SEARCH_PATH, answer(status, raw=page, headers={"content-type": "text/html"}))
    with pytest.raises(SpApiError) as caught:
        await make_api(backoff=Backoff(tries=1)).search_listings()
    message = str(caught.value)
    assert message.count(f"HTTP {status}") == 1 and "not JSON" in message
    assert len(message) < 200 and "\x1b" not in message and "Service" not in message


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("gone", "No such file or directory"),
        ("folder", "Is a directory"),
        ("text", "no certificate"),
    ],
)
def test_certificates_that_cannot_be_loaded_are_one_line_naming_the_variable(
    monkeypatch, tmp_path, capsys, kind, reason
):
    """SSL_CERT_FILE left naming a file gone, a folder or a file of no certificate (a stale
    setting of another tool): every command said only OpenSSL's words ('asin-tui: No such
    file or directory'), nothing to go on. Now one line naming HTTPS and the variable."""
    from asin_tui.cli import main
    from tests.cli.test_report import use_sandbox_profile

    target = {"gone": tmp_path / "gone.pem", "folder": tmp_path, "text": tmp_path / "t.pem"}[kind]
    if kind == "text":
        target.write_text("not a certificate\n")
    monkeypatch.setenv("SSL_CERT_FILE", str(target))
    use_sandbox_profile(monkeypatch, "sb", "A2SELLER12345", "http://127.0.0.1:9")
    assert main(["report"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1, err
    assert err.startswith("asin-tui: cannot set up HTTPS: the trusted certificates cannot be")
    assert reason in err and f"SSL_CERT_FILE={target}" in err and "nothing was sent" in err


async def test_an_error_of_a_megabyte_is_one_short_line_with_no_secret(amazon, make_api):
    """A JSON error body of 1 MB of 'message' and 100 kB of 'details' (a proxy, a broken
    answer) made the error's one line 1.1 MB: on stderr, in the app's status line. At most
    MAX_MESSAGE characters of it are said, with how many more there were; a secret the body
    echoes across the cut is still masked (known ones whole, tokens by their shape)."""
    from asin_tui.spapi.errors import MAX_MESSAGE, BadRequest
    from tests.spapi.fakes import SEARCH_PATH, SECRET, answer

    for echoed in (SECRET, "Atzr|IwEBIA" + "x" * 60):
        message = "m" * (MAX_MESSAGE - 5) + echoed + "m" * 1_000_000
        body = {"errors": [{"code": "C" * 5000, "message": message, "details": "d" * 100_000}]}
        amazon.script(SEARCH_PATH, answer(400, body))
        with pytest.raises(BadRequest) as caught:
            await make_api().search_listings()
        line = str(caught.value)
        assert len(line) < MAX_MESSAGE + 400, len(line)
        assert "more characters)" in line and "\n" not in line
        assert echoed[:8] not in line and "[redacted]"[:5] in line


@pytest.mark.parametrize("sku", [".", ".."])
async def test_a_sku_of_dots_is_asked_for_by_its_own_path(amazon, make_api, sku):
    """A SKU is quoted into the path and quoting keeps dots: a SKU "." or ".." made a dot
    segment that URL parsing removes, so getListingsItem('.') asked searchListingsItems
    (/items/{seller}) and read its page as the listing, and '..' (and a patch of either) went
    to a path of no operation. The segment is sent percent-encoded."""
    from tests.spapi.fakes import SEARCH_PATH, SELLER, answer

    encoded = {".": "%2E", "..": "%2E%2E"}[sku]
    amazon.script(f"{SEARCH_PATH}/{sku}", answer(200, {"sku": sku, "summaries": []}))  # decoded
    amazon.script(SEARCH_PATH, answer(200, {"numberOfResults": 0, "items": []}))
    item = await make_api().get_listing(sku)
    assert item["sku"] == sku
    [request] = amazon.sp_requests()
    assert (
        request.url.raw_path.split(b"?")[0]
        == f"/listings/2021-08-01/items/{SELLER}/{encoded}".encode()
    )


def endless(chunk: bytes = b"[" + b" " * 65_535):
    """A body without end, as a broken proxy could stream it."""

    async def chunks():
        while True:
            yield chunk

    return httpx.Response(200, content=chunks())


@pytest.mark.parametrize("where", ["sp-api", "lwa"])
async def test_an_answer_without_end_is_read_only_so_far(amazon, make_api, where):
    """An SP-API or LWA answer streamed without end (httpx's timeout is per read, so a body
    that keeps coming never times out) was read until the machine's memory was gone. At most
    max_answer bytes are read: a malformed answer, tried again as one is, in one line."""
    from asin_tui.spapi.errors import MalformedResponse
    from tests.spapi.fakes import SEARCH_PATH

    if where == "lwa":
        from tests.spapi.test_lwa_answers import fresh_profile

        profile, _ = fresh_profile()
        amazon.token_answer = lambda _r: endless()
    else:
        profile = None

        async def answer_endlessly(_request):
            return endless()

        amazon.script(SEARCH_PATH, answer_endlessly)
    api = make_api(profile, max_answer=1 << 20)
    with pytest.raises(MalformedResponse) as caught:
        await api.search_listings()
    assert "larger than 1 MB: not read further" in str(caught.value)
    assert caught.value.attempts == 6
