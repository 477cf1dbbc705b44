"""An SP-API answer is JSON, and JSON can carry a lone UTF-16 surrogate as an escape
(``"\\ud800"``: a string cut between a pair's halves, as Java's UTF-16 strings can be). Python
decodes it to a code point no UTF-8 can hold: a listing whose SKU or title carried one made
every sync an internal error (the cache cannot store it: UnicodeEncodeError), report and watch
alike, for as long as Amazon kept answering so. It reads as U+FFFD, as a UTF-8 decoder shows a
character it cannot read; a surrogate pair (an emoji escaped) stays the character it is."""

from __future__ import annotations

import gzip
import json

import pytest

from asin_tui.spapi.parse import parse_listing
from tests.spapi.fakes import SEARCH_PATH, answer

US = "ATVPDKIKX0DER"
RAW = (
    b'{"numberOfResults": 1, "items": [{"sku": "SUR-\\ud800X", '
    b'"summaries": [{"marketplaceId": "ATVPDKIKX0DER", "asin": "B0SUR", '
    b'"itemName": "Mug \\udcff \\ud83d\\ude00 \\\\ud800", "status": ["BUYABLE"]}], '
    b'"issues": [{"code": "1", "message": "bad \\uDBFF", "severity": "ERROR"}], '
    b'"\\ud800key": 1}]}'
)


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
async def test_a_lone_surrogate_in_an_answer_reads_as_the_replacement_character(
    amazon, make_api, encoding
):
    content = gzip.compress(RAW) if encoding == "gzip" else RAW
    amazon.script(SEARCH_PATH, answer(200, raw=content, headers={"content-encoding": encoding}))
    page = await make_api().search_listings()
    json.dumps(page, ensure_ascii=False).encode("utf-8")  # every string UTF-8: storable, sendable
    item = page["items"][0]
    assert item["sku"] == "SUR-\ufffdX"
    listing = parse_listing(item, US)
    assert listing.item_name == "Mug \ufffd \U0001f600 \\ud800"  # a pair kept; text "\ud800" kept
    assert listing.issues[0].message == "bad \ufffd"
    assert "\ufffdkey" in item
