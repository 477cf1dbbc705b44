"""An answer nested deeper than Python's JSON reader can go (a hostile proxy, a broken
upstream: ``[[[[…]]]]`` 100,000 deep) is a malformed answer like any other, in one typed line:
never a RecursionError out of a sync — for a call's body, a product type schema and the
Account Health report document."""

from __future__ import annotations

import pytest

from asin_tui.spapi.errors import MalformedResponse
from tests.spapi.fakes import SEARCH_PATH, answer
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
