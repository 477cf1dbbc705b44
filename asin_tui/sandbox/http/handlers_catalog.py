"""Catalog Items API 2022-04-01 (getCatalogItem, searchCatalogItems by identifier), per
catalogItems_2022-04-01.json. Keyword searches are not served."""

from __future__ import annotations

from typing import Any

from asin_tui.sandbox.http.context import SandboxContext
from asin_tui.sandbox.http.paging import (
    CATALOG_SEARCH_KEYS,
    page_offset,
    pagination,
    search_fingerprint,
)
from asin_tui.sandbox.http.router import RouteSpec
from asin_tui.sandbox.http.wire import (
    Request,
    SandboxResponse,
    identifiers,
    included_data,
    int_param,
    invalid,
    json_response,
    not_found,
)

# The enums of catalogItems_2022-04-01.json's includedData and identifiersType (no FNSKU:
# that is a Listings Items identifier).
CATALOG_INCLUDED_DATA = frozenset(
    {
        "attributes",
        "classifications",
        "dimensions",
        "identifiers",
        "images",
        "productTypes",
        "relationships",
        "salesRanks",
        "summaries",
        "vendorDetails",
    }
)
IDENTIFIER_TYPES = frozenset({"ASIN", "EAN", "GTIN", "ISBN", "JAN", "MINSAN", "SKU", "UPC"})


class CatalogHandlers:
    def __init__(self, ctx: SandboxContext) -> None:
        self._ctx = ctx

    def routes(self) -> list[RouteSpec]:
        return [
            ("GET", "/catalog/2022-04-01/items", "searchCatalogItems", self.search),
            ("GET", "/catalog/2022-04-01/items/{asin}", "getCatalogItem", self.item),
        ]

    def item(self, request: Request, params: dict[str, str]) -> SandboxResponse:
        self._ctx.check_marketplaces(request)
        included = included_data(request, CATALOG_INCLUDED_DATA, default=("summaries",))
        item = self._ctx.account.catalog_item(params["asin"], included)
        if item is None:
            raise not_found(
                f"Requested item '{params['asin']}' not found in marketplace(s) "
                f"{self._ctx.marketplace_id}."
            )
        return json_response(200, item)

    def search(self, request: Request, _params: dict[str, str]) -> SandboxResponse:
        """searchCatalogItems by ASIN: the items this marketplace has, in the order asked
        (an ASIN it does not have is simply absent). Keyword searches are not served."""
        ctx = self._ctx
        ctx.check_marketplaces(request, max_items=1)
        if request.many("keywords"):
            raise invalid("Searching by 'keywords' is not supported by the sandbox.")
        asins = identifiers(request, IDENTIFIER_TYPES)
        if asins is None:
            raise invalid("Either 'identifiers' or 'keywords' is required.")
        if request.one("identifiersType") != "ASIN":
            raise invalid("Only identifiersType ASIN is supported by the sandbox.")
        included = included_data(request, CATALOG_INCLUDED_DATA, default=("summaries",))
        page_size = int_param(request, "pageSize", default=10, low=1, high=20)
        found = [
            item
            for asin in dict.fromkeys(asins)
            if (item := ctx.account.catalog_item(asin, included)) is not None
        ]
        fingerprint = search_fingerprint(request, ctx.account.seller_id, CATALOG_SEARCH_KEYS)
        offset = page_offset(request.one("pageToken"), fingerprint, len(found))
        body: dict[str, Any] = {
            "numberOfResults": len(found),
            "items": found[offset : offset + page_size],
            # refinements are for keyword searches: an identifier search has none to offer
            "refinements": {"brands": [], "classifications": []},
        }
        tokens = pagination(fingerprint, offset, page_size, len(found))
        if tokens:
            body["pagination"] = tokens
        return json_response(200, body)
