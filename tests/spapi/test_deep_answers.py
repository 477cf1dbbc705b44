"""An answer nested deeper than Python's JSON reader can go (a hostile proxy, a broken
upstream: ``[[[[…]]]]`` 100,000 deep) is a malformed answer like any other, in one typed line:
never a RecursionError out of a sync — for a call's body, a product type schema and the
Account Health report document."""

from __future__ import annotations

import pytest

from asin_tui.spapi.errors import MalformedResponse
from tests.spapi.fakes import SEARCH_OK, SEARCH_PATH, answer
from tests.spapi.test_client import _definition

DEEP = b"[" * 100_000 + b"]" * 100_000


async def test_a_call_answered_too_deep_is_a_malformed_answer(
    amazon,
    make_api,
):
    amazon.script(SEARCH_PATH, answer(200, raw=DEEP))
    with pytest.raises(MalformedResponse) as caught:
        await make_api().search_listings()
    assert "\n" not in str(caught.value) and "nested too deeply" in str(caught.value)


async def test_a_schema_too_deep_is_a_malformed_answer(
    amazon,
    make_api,
):
    amazon.script("/definitions/2020-09-01/productTypes/LUGGAGE", _definition("deep-1"))
    amazon.script("/schemas/LUGGAGE.json", answer(200, raw=DEEP))
    with pytest.raises(MalformedResponse) as caught:
        await make_api().product_type("LUGGAGE")
    assert "nested too deeply" in str(caught.value)


async def test_an_account_health_report_too_deep_is_a_malformed_answer(
    amazon,
    make_api,
):
    amazon.script(
        "/reports/2021-06-30/reports/R1",
        answer(200, {"reportId": "R1", "processingStatus": "DONE", "reportDocumentId": "d"}),
    )
    meta = {"reportDocumentId": "d", "url": "https://files.test/d"}
    amazon.script("/reports/2021-06-30/documents/d", answer(200, meta))
    amazon.script("/d", answer(200, raw=b'{"a":' * 100_000 + b"1" + b"}" * 100_000))
    with pytest.raises(MalformedResponse):
        await make_api().check_account_health("R1")


@pytest.mark.parametrize("raw", [b"[]", b'"ok"', b"null", b"5", b"[{}]"])
async def test_a_success_that_is_no_json_object_is_a_malformed_answer_tried_again(
    amazon, make_api, raw
):
    # a 200 whose body is a list, a string, null or a number (a proxy's answer, a broken
    # upstream) was a plain "SP-API request failed: HTTP 200", given up on at once
    amazon.script(SEARCH_PATH, answer(200, raw=raw), SEARCH_OK)
    page = await make_api().search_listings()  # tried again: the next answer is good
    assert page["items"] == [{"sku": "SKU-1"}]
    amazon.script(SEARCH_PATH, answer(200, raw=raw))
    with pytest.raises(MalformedResponse) as caught:
        await make_api().search_listings()
    assert "\n" not in str(caught.value)
    assert "malformed answer from SP-API: HTTP 200 the answer is not a JSON object" in str(
        caught.value
    )
