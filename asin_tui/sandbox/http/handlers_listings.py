"""Listings Items API 2021-08-01 (searchListingsItems, getListingsItem, patchListingsItem,
deleteListingsItem) and
Listings Restrictions API 2021-08-01 (getListingsRestrictions).

Parameters and limits as in Amazon's models listingsItems_2021-08-01.json and
listingsRestrictions_2021-08-01.json (amzn/selling-partner-api-models).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from asin_tui.sandbox.http.context import SandboxContext
from asin_tui.sandbox.http.paging import (
    LISTINGS_SEARCH_KEYS,
    page_offset,
    pagination,
    search_fingerprint,
)
from asin_tui.sandbox.http.router import RouteSpec
from asin_tui.sandbox.http.wire import (
    Request,
    SandboxResponse,
    enum_list,
    enum_param,
    identifiers,
    included_data,
    int_param,
    invalid,
    iso_param,
    json_response,
    not_found,
    required,
)

log = logging.getLogger("asin_tui.sandbox.app")
log.addHandler(logging.NullHandler())

LISTINGS = "/listings/2021-08-01"
SEARCH_RESULT_CAP = 1000  # Amazon pages through at most this many SKUs per query

# The enums of the models' parameters (listingsItems_2021-08-01.json: includedData of
# getListingsItem/searchListingsItems and of patchListingsItem, identifiersType, withStatus,
# withIssueSeverity; listingsRestrictions_2021-08-01.json: conditionType). The sandbox's own
# copies: tests/test_models_tables.py checks them, and the client's, against the models.
LISTINGS_INCLUDED_DATA = frozenset(
    {
        "summaries",
        "attributes",
        "issues",
        "offers",
        "fulfillmentAvailability",
        "procurement",
        "relationships",
        "productTypes",
    }
)
PATCH_INCLUDED_DATA = frozenset({"identifiers", "issues"})
IDENTIFIER_TYPES = frozenset(
    {"ASIN", "EAN", "FNSKU", "GTIN", "ISBN", "JAN", "MINSAN", "SKU", "UPC"}
)
LISTING_STATUSES = frozenset({"BUYABLE", "DISCOVERABLE"})
ISSUE_SEVERITIES = frozenset({"WARNING", "ERROR"})
CONDITION_TYPES = frozenset(
    {
        "new_new",
        "new_open_box",
        "new_oem",
        "refurbished_refurbished",
        "used_like_new",
        "used_very_good",
        "used_good",
        "used_acceptable",
        "collectible_like_new",
        "collectible_very_good",
        "collectible_good",
        "collectible_acceptable",
        "club_club",
    }
)


class ListingsHandlers:
    """Args:
    ctx: the shared account, clocks and checks.
    on_accepted_patch: called (under the app's lock) after a real patch was ACCEPTED, e.g.
        to persist the demo account. An exception it raises is logged, never answered.
    """

    def __init__(
        self, ctx: SandboxContext, on_accepted_patch: Callable[[], None] | None = None
    ) -> None:
        self._ctx = ctx
        self._on_accepted_patch = on_accepted_patch

    def routes(self) -> list[RouteSpec]:
        item = f"{LISTINGS}/items/{{sellerId}}/{{sku}}"
        return [
            ("GET", f"{LISTINGS}/items/{{sellerId}}", "searchListingsItems", self.search),
            ("GET", item, "getListingsItem", self.get_item),
            ("PATCH", item, "patchListingsItem", self.patch),
            ("DELETE", item, "deleteListingsItem", self.delete),
            ("GET", f"{LISTINGS}/restrictions", "getListingsRestrictions", self.restrictions),
        ]

    def search(self, request: Request, params: dict[str, str]) -> SandboxResponse:
        ctx = self._ctx
        ctx.check_seller(params["sellerId"])
        ctx.check_marketplaces(request)
        included = included_data(request, LISTINGS_INCLUDED_DATA, default=("summaries",))
        for unsupported in ("variationParentSku", "packageHierarchySku"):
            if request.one(unsupported):
                raise invalid(f"'{unsupported}' is not supported by the sandbox.")
        page_size = int_param(request, "pageSize", default=10, low=1, high=20)
        skus = ctx.account.search(
            identifiers=identifiers(request, IDENTIFIER_TYPES),
            identifiers_type=request.one("identifiersType"),
            with_status=enum_list(request, "withStatus", LISTING_STATUSES),
            without_status=enum_list(request, "withoutStatus", LISTING_STATUSES),
            with_issue_severity=enum_list(request, "withIssueSeverity", ISSUE_SEVERITIES),
            created_after=iso_param(request, "createdAfter"),
            created_before=iso_param(request, "createdBefore"),
            last_updated_after=iso_param(request, "lastUpdatedAfter"),
            last_updated_before=iso_param(request, "lastUpdatedBefore"),
            sort_by=enum_param(request, "sortBy", {"sku", "createdDate", "lastUpdatedDate"})
            or "lastUpdatedDate",
            sort_order=enum_param(request, "sortOrder", {"ASC", "DESC"}) or "DESC",
        )
        pageable = skus[:SEARCH_RESULT_CAP]
        fingerprint = search_fingerprint(request, params["sellerId"], LISTINGS_SEARCH_KEYS)
        offset = page_offset(request.one("pageToken"), fingerprint, len(pageable))
        page = pageable[offset : offset + page_size]
        locale = request.one("issueLocale")
        items = [
            item for sku in page if (item := ctx.account.item(sku, included, locale)) is not None
        ]
        tokens = pagination(fingerprint, offset, page_size, len(pageable))
        body: dict[str, Any] = {"numberOfResults": len(skus), "items": items}
        if tokens:
            body["pagination"] = tokens
        return json_response(200, body)

    def get_item(self, request: Request, params: dict[str, str]) -> SandboxResponse:
        self._ctx.check_seller(params["sellerId"])
        self._ctx.check_marketplaces(request)
        included = included_data(request, LISTINGS_INCLUDED_DATA, default=("summaries",))
        item = self._ctx.account.item(params["sku"], included, request.one("issueLocale"))
        if item is None:
            raise not_found(f"SKU '{params['sku']}' not found.")
        return json_response(200, item)

    def patch(self, request: Request, params: dict[str, str]) -> SandboxResponse:
        self._ctx.check_seller(params["sellerId"])
        self._ctx.check_marketplaces(request)
        included = included_data(request, PATCH_INCLUDED_DATA, default=("issues",))
        preview = enum_param(request, "mode", {"VALIDATION_PREVIEW"}) is not None
        result = self._ctx.account.patch(
            params["sku"],
            request.json_body(),
            preview=preview,
            included_data=included,
            issue_locale=request.one("issueLocale"),
        )
        if not preview and result.get("status") == "ACCEPTED":
            self._notify_accepted_patch()
        return json_response(200, result)

    def delete(self, request: Request, params: dict[str, str]) -> SandboxResponse:
        """deleteListingsItem: marketplaceIds required, issueLocale optional (the model's
        parameters); answers a ListingsItemSubmissionResponse."""
        self._ctx.check_seller(params["sellerId"])
        self._ctx.check_marketplaces(request)
        result = self._ctx.account.delete(params["sku"])
        self._notify_accepted_patch()  # kept like an accepted patch (the demo persists it)
        return json_response(200, result)

    def _notify_accepted_patch(self) -> None:
        if self._on_accepted_patch is None:
            return
        try:
            self._on_accepted_patch()
        except Exception:
            log.exception("sandbox: could not persist an accepted patch")

    def restrictions(self, request: Request, _params: dict[str, str]) -> SandboxResponse:
        asin = required(request, "asin")
        self._ctx.check_seller(required(request, "sellerId"))
        self._ctx.check_marketplaces(request)
        condition = enum_param(request, "conditionType", CONDITION_TYPES)
        restrictions = self._ctx.account.restrictions(asin, condition)
        return json_response(200, {"restrictions": restrictions})
