"""FBA Inventory API v1 (getInventorySummaries), per fbaInventory.json in Amazon's models:
marketplace granularity only, 50 summaries a page, a nextToken that expires."""

from __future__ import annotations

from typing import Any

from asin_tui.sandbox.http.context import SandboxContext
from asin_tui.sandbox.http.paging import decode_token, encode_token
from asin_tui.sandbox.http.router import RouteSpec
from asin_tui.sandbox.http.wire import (
    Request,
    SandboxResponse,
    bool_param,
    epoch,
    invalid,
    iso_param,
    iso_value,
    json_response,
    required,
)

INVENTORY_PAGE_SIZE = 50
INVENTORY_TOKEN_LIFETIME = 30.0  # sandbox seconds


class InventoryHandlers:
    def __init__(self, ctx: SandboxContext) -> None:
        self._ctx = ctx

    def routes(self) -> list[RouteSpec]:
        return [("GET", "/fba/inventory/v1/summaries", "getInventorySummaries", self.summaries)]

    def summaries(self, request: Request, _params: dict[str, str]) -> SandboxResponse:
        ctx = self._ctx
        if required(request, "granularityType") != "Marketplace":
            raise invalid("'granularityType' must be Marketplace.")
        if required(request, "granularityId") != ctx.marketplace_id:
            raise invalid(f"Invalid 'granularityId': {request.one('granularityId')}.")
        ctx.check_marketplaces(request, max_items=1)
        details = bool_param(request, "details")
        skus = request.many("sellerSkus") or request.many("sellerSku")
        if len(request.many("sellerSkus")) > 50:
            raise invalid("'sellerSkus' accepts at most 50 SKUs.")
        since = iso_param(request, "startDateTime")
        token = request.one("nextToken")
        if skus and not since and not token:
            return self._response(ctx.account.inventory_summaries(skus, details), None)
        summaries = ctx.account.inventory_summaries(None, details)
        if since:
            summaries = [s for s in summaries if _updated_since(s, since)]
        offset = self._offset(token) if token else 0
        end = offset + INVENTORY_PAGE_SIZE
        next_token = self._token(end) if end < len(summaries) else None
        return self._response(summaries[offset:end], next_token)

    def _response(self, summaries: list[dict], next_token: str | None) -> SandboxResponse:
        body: dict[str, Any] = {
            "payload": {
                "granularity": {
                    "granularityType": "Marketplace",
                    "granularityId": self._ctx.marketplace_id,
                },
                "inventorySummaries": summaries,
            }
        }
        if next_token:
            body["pagination"] = {"nextToken": next_token}
        return json_response(200, body)

    def _token(self, offset: int) -> str:
        return encode_token({"o": offset, "t": self._ctx.clock()})

    def _offset(self, token: str) -> int:
        data = decode_token(token)
        if not isinstance(data.get("o"), int) or not isinstance(data.get("t"), int | float):
            raise invalid("The provided nextToken is invalid.")
        age = self._ctx.sandbox_seconds_since(data["t"])
        if not 0 <= age <= INVENTORY_TOKEN_LIFETIME:
            raise invalid("The provided nextToken has expired. Request the first page again.")
        return data["o"]


def _updated_since(summary: dict[str, Any], since: str) -> bool:
    updated = iso_value(summary.get("lastUpdatedTime"), "lastUpdatedTime")
    return updated is not None and epoch(updated) >= epoch(since)
