"""Amazon's flat-file reports are tab-separated with no quoting: a quote is text. A title that
opens with a quote (`"Best Mom Ever" Mug`, `"Great` with no closing one), a 12" pan, a form
feed or U+2028 in a title, or a description longer than the csv module's field limit must keep every listing of the full sync
(GET_MERCHANT_LISTINGS_ALL_DATA) and every character of its text."""

from __future__ import annotations

import pytest

from tests.spapi.fakes import answer

TITLES = [
    '"Best Mom Ever" Mug, 11 oz',
    '"Great pan, no closing quote',
    'Pizza Pan 12" Round',
    "Plain Mug",
    '"',
    "Mug\x0cform feed, \x85next line, \u2028line separator",  # str.splitlines splits at each
    "Long " + "x" * 200_000,
]


def report(fake, text: str) -> None:
    fake.script("/reports/2021-06-30/reports", answer(202, {"reportId": "R1"}))
    fake.script(
        "/reports/2021-06-30/reports/R1",
        answer(200, {"reportId": "R1", "processingStatus": "DONE", "reportDocumentId": "d"}),
    )
    meta = {"reportDocumentId": "d", "url": "https://files.test/d"}
    fake.script("/reports/2021-06-30/documents/d", answer(200, meta))
    fake.script("/d", answer(200, raw=text.encode("utf-8")))


async def test_quotes_and_long_fields_in_the_listings_report_lose_nothing(
    amazon,
    make_api,
):
    lines = ["item-name\titem-description\tseller-sku\tasin1\tstatus"]
    lines += [f"{t}\t{t}\tSKU-{i}\tB0000000{i:02d}\tActive" for i, t in enumerate(TITLES)]
    report(amazon, "\r\n".join(lines) + "\r\n")
    rows = await make_api().merchant_listings()
    assert [r["seller-sku"] for r in rows] == [f"SKU-{i}" for i in range(len(TITLES))]
    assert [r["item-name"] for r in rows] == [t.strip() for t in TITLES]
    assert all(r["status"] == "Active" for r in rows)


@pytest.mark.parametrize("text", ["", "item-name\tseller-sku\n", "\ufeff"])
async def test_an_empty_listings_report_is_no_listings(
    amazon,
    make_api,
    text,
):
    report(amazon, text)
    assert await make_api().merchant_listings() == []
