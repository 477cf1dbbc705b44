"""Rate limits: Amazon's published burst, then 429 QuotaExceeded; calls paced at the rate pass."""

from __future__ import annotations

import pytest

from asin_tui.sandbox.ratelimit import QuotaEnforcer, UsagePlan, rate_limit_header

# (operation, published rate, published burst, path, query) - docs/SP_API_NOTES.md
OPERATIONS = [
    ("searchListingsItems", 5.0, 5, "/listings/2021-08-01/items/{seller}", "{mp}"),
    ("getListingsItem", 5.0, 10, "/listings/2021-08-01/items/{seller}/SKU-0001", "{mp}"),
    (
        "getInventorySummaries",
        2.0,
        2,
        "/fba/inventory/v1/summaries",
        "granularityType=Marketplace&granularityId={mp_id}&{mp}",
    ),
    (
        "getListingsRestrictions",
        5.0,
        10,
        "/listings/2021-08-01/restrictions",
        "asin=B0FAKE0001&sellerId={seller}&{mp}",
    ),
    ("getDefinitionsProductType", 5.0, 10, "/definitions/2020-09-01/productTypes/LUGGAGE", "{mp}"),
    ("getCatalogItem", 2.0, 2, "/catalog/2022-04-01/items/B0FAKE0001", "{mp}"),
    (
        "searchCatalogItems",
        2.0,
        2,
        "/catalog/2022-04-01/items",
        "identifiers=B0FAKE0001&identifiersType=ASIN&{mp}",
    ),
    ("getReport", 2.0, 15, "/reports/2021-06-30/reports/999", ""),
]


def _request(harness, path: str, query: str):
    fill = {"seller": harness.seller, "mp": harness.mp, "mp_id": harness.marketplace_id}
    return harness.get(path.format(**fill), query.format(**fill))


@pytest.mark.parametrize(("operation", "rate", "burst", "path", "query"), OPERATIONS)
def test_burst_beyond_published_burst_gets_429(harness, operation, rate, burst, path, query):
    answers = [_request(harness, path, query) for _ in range(burst + 1)]
    assert all(a.status != 429 for a in answers[:burst]), operation
    throttled = answers[burst]
    assert throttled.status == 429
    assert throttled.json() == {
        "errors": [
            {
                "code": "QuotaExceeded",
                "message": "You exceeded your quota for the requested resource.",
                "details": "",
            }
        ]
    }
    assert "x-amzn-RateLimit-Limit" not in throttled.headers
    assert "x-amzn-RequestId" in throttled.headers
    assert answers[0].headers["x-amzn-RateLimit-Limit"] == repr(rate)


@pytest.mark.parametrize(("operation", "rate", "burst", "path", "query"), OPERATIONS)
def test_calls_paced_at_the_published_rate_never_get_429(
    harness, operation, rate, burst, path, query
):
    for _ in range(3 * burst + 10):
        assert _request(harness, path, query).status != 429, operation
        harness.clock.advance(1.0 / rate)


def test_patch_and_reports_creation_have_their_own_quota(harness):
    body = b'{"productType":"LUGGAGE","patches":[]}'
    patch_path = f"{harness.search_path}/SKU-0001"
    statuses = [harness.call("PATCH", patch_path, harness.mp, body).status for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    create = b'{"reportType":"GET_MERCHANT_LISTINGS_ALL_DATA","marketplaceIds":["ATVPDKIKX0DER"]}'
    reports = "/reports/2021-06-30/reports"
    statuses = [harness.call("POST", reports, "", create).status for _ in range(16)]
    assert statuses == [202] * 15 + [429]
    assert harness.get(harness.search_path, harness.mp).status == 200  # other buckets untouched


def test_time_scale_speeds_up_refill(make_harness):
    harness = make_harness(time_scale=100)
    for _ in range(5):
        assert harness.get(harness.search_path, harness.mp).status == 200
    assert harness.get(harness.search_path, harness.mp).status == 429
    harness.clock.advance(0.002)  # 0.2 Amazon seconds = one search token at 5/s
    assert harness.get(harness.search_path, harness.mp).status == 200
    assert harness.get(harness.search_path, harness.mp).status == 429


def test_buckets_are_per_seller_and_refill_to_burst_only():
    now = [0.0]
    limiter = QuotaEnforcer({"op": UsagePlan(1.0, 2)}, time_scale=1.0, clock=lambda: now[0])
    assert [limiter.try_acquire("op", "A") for _ in range(3)] == [True, True, False]
    assert limiter.try_acquire("op", "B")
    now[0] = 100.0  # a long pause refills to the burst, no more
    assert [limiter.try_acquire("op", "A") for _ in range(3)] == [True, True, False]


def test_refused_calls_do_not_use_up_tokens():
    now = [0.0]
    limiter = QuotaEnforcer({"op": UsagePlan(1.0, 1)}, time_scale=1.0, clock=lambda: now[0])
    assert limiter.try_acquire("op", "A")
    now[0] = 0.5
    assert not limiter.try_acquire("op", "A")
    now[0] = 1.0
    assert limiter.try_acquire("op", "A")


def test_rate_header_values_match_amazons_format():
    assert rate_limit_header(UsagePlan(5.0, 5)) == "5.0"
    assert rate_limit_header(UsagePlan(0.0167, 15)) == "0.0167"
