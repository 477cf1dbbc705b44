"""Pages that go round in a loop: Amazon giving back a page token it gave before (the same
token twice in a row, or A → B → A). Following it would ask for the same pages for ever: a
sync that never ends, an inventory answer that grows until memory runs out. Each walk
through an operation's pages stops at the first token that comes back, and says so (the
sync's searches: tests/spapi/test_sync_faults.py::test_a_search_whose_pages_loop…).

To fail on a client that follows the loop rather than hang, each scripted Amazon loops a
bounded number of times and then ends its pages."""

from __future__ import annotations

import httpx
import pytest

from asin_tui.spapi.errors import MalformedResponse, PagesLoop
from tests.spapi.fakes import SEARCH_PATH, answer, query

LOOPS = 30  # how often a scripted Amazon gives a token back before it ends its pages


INVENTORY = "/fba/inventory/v1/summaries"


def inventory_page(sku: str, token: str | None):
    body = {"payload": {"inventorySummaries": [{"sellerSku": sku}]}}
    if token:
        body["pagination"] = {"nextToken": token}
    return answer(200, body)


@pytest.mark.parametrize("tokens", [["t1"], ["t1", "t2"]], ids=["same token", "A-B-A"])
async def test_inventory_pages_that_loop_end_in_one_error(amazon, make_api, tokens):
    loop = [inventory_page(f"S{i}", tokens[i % len(tokens)]) for i in range(LOOPS)]
    amazon.script(INVENTORY, *loop, inventory_page("END", None))
    with pytest.raises(PagesLoop) as raised:
        await make_api().inventory_summaries(["S0", "S1"])
    assert len(amazon.sp_requests(INVENTORY)) == len(tokens) + 1
    assert "getInventorySummaries" in str(raised.value) and "loop" in str(raised.value)


CATALOG_SEARCH = "/catalog/2022-04-01/items"


async def test_catalog_pages_that_loop_end_in_one_error(amazon, make_api):
    async def search(request: httpx.Request) -> httpx.Response:
        asked = len(amazon.sp_requests(CATALOG_SEARCH))
        body = {"numberOfResults": 2, "items": [{"asin": "B0ITEM0001", "summaries": []}]}
        if asked <= LOOPS:
            body["pagination"] = {"nextToken": "same"}
        return answer(200, body)

    amazon.script(CATALOG_SEARCH, search)
    with pytest.raises(PagesLoop):
        await make_api().search_catalog_items(["B0ITEM0001", "B0ITEM0002"])
    assert [query(r).get("pageToken") for r in amazon.sp_requests(CATALOG_SEARCH)] == [
        None,
        ["same"],
    ]


@pytest.mark.parametrize("token", [["t1"], {"a": 1}, 5], ids=["list", "object", "number"])
async def test_a_page_token_that_is_not_text_is_a_malformed_answer(amazon, make_api, token):
    """Not Amazon's shape (its tokens are strings): one typed error, never a TypeError out
    of the loop check (a list is no set member) nor a token sent back as Python's repr."""
    amazon.script(INVENTORY, inventory_page("S0", token), inventory_page("END", None))
    with pytest.raises(MalformedResponse, match="token is not text"):
        await make_api().inventory_summaries(["S0"])
    assert len(amazon.sp_requests(INVENTORY)) == 1


@pytest.mark.parametrize("pagination", ["x", 5, ["t1"]], ids=["text", "number", "list"])
async def test_search_pagination_that_is_not_an_object_is_a_malformed_answer(
    amazon, make_api, pagination
):
    body = {"numberOfResults": 1, "items": [{"sku": "A"}], "pagination": pagination}
    amazon.script(SEARCH_PATH, answer(200, body))
    with pytest.raises(MalformedResponse, match="'pagination' is not an object"):
        await make_api().search_listings()
