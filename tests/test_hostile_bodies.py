"""Listing bodies with values of the wrong JSON type, met during a real sync: the listing is
diagnosed (its other evidence still counts), never a traceback, never a lost listing."""

from __future__ import annotations

import json

import httpx
import pytest

from asin_tui.domain import codes
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from asin_tui.sandbox.transport import SandboxTransport
from asin_tui.spapi.errors import SpApiError
from tests.test_service import TIME_SCALE, make_service, meant_to_need_attention

US = "ATVPDKIKX0DER"


class NonStringCurrency(SandboxTransport):
    """Amazon's answers, except that every listing's consumer offer says its currency is a
    number, with a price below its allowed minimum (what fuzzing found crashing diagnosis)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if "/listings/2021-08-01/items/" not in request.url.path:
            return response
        body = json.loads(await response.aread())
        for item in body.get("items", ()):
            item.setdefault("attributes", {})["purchasable_offer"] = [
                {
                    "marketplace_id": US,
                    "audience": "ALL",
                    "currency": 840,
                    "our_price": [{"schedule": [{"value_with_tax": 5}]}],
                    "minimum_seller_allowed_price": [{"schedule": [{"value_with_tax": 10}]}],
                }
            ]
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return httpx.Response(response.status_code, headers=headers, content=json.dumps(body))


async def test_a_sync_meeting_a_non_string_currency_diagnoses_every_listing():
    app = SandboxApp(SandboxAccount(seed=11, listings=80), time_scale=TIME_SCALE)
    service = make_service(app, NonStringCurrency(app))
    try:
        summary = await service.sync(include_all=False)
        records = service.cached_records(all_listings=False)
        some = records[0].sku
        diagnosis = service.diagnosis(some)
    finally:
        await service.aclose()
    assert summary.complete and not summary.failed
    assert meant_to_need_attention(app.account) <= {r.sku for r in records}
    conflict = next(f for f in diagnosis.findings if f.code == codes.PRICE_CONFLICT)
    assert "below the minimum 10.00" in conflict.detail


class HostileSubmissions(SandboxTransport):
    """Amazon's answers, except that every patchListingsItem answer's ``status`` and
    ``submissionId`` carry escape sequences (a status outside the model's enum)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if request.method != "PATCH":
            return response
        body = json.loads(await response.aread())
        body["status"] = f"{body['status']}\x1b[2J\x1b]0;PWNED\x07"
        body["submissionId"] = "\x9b2J\u202eid"
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return httpx.Response(response.status_code, headers=headers, content=json.dumps(body))


async def test_a_submission_status_outside_amazons_enum_is_unknown_and_never_valid():
    """`fix` counts a row VALID and sends it only on Amazon's exact "VALID"; a status that
    is something else is UNKNOWN (not accepted), and nothing of it reaches the table raw."""
    from asin_tui.bulk import BulkFix, BulkRow
    from asin_tui.commands.fix import render_table
    from asin_tui.domain.text import unsafe_chars

    app = SandboxApp(SandboxAccount(seed=11, listings=80), time_scale=TIME_SCALE)
    service = make_service(app, HostileSubmissions(app))
    try:
        await service.sync(include_all=True)
        sku = next(
            s
            for s in app.account.search()
            if app.account.intended_causes(s) == {codes.OUT_OF_STOCK_MFN}
        )
        [result] = await BulkFix(service).validate([BulkRow(sku, {"quantity": "5"}, 2)])
    finally:
        await service.aclose()
    assert result.preview == "UNKNOWN" and not result.valid
    assert unsafe_chars(render_table([result], applied=False)) == []


class EmptyListingsReport(SandboxTransport):
    """Amazon's answers, except that once ``empty`` is set the listings report's document
    comes back empty (a download cut to nothing, a report with no data)."""

    empty = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if not self.empty or "/sandbox/documents/" not in request.url.path:
            return response
        content = await response.aread()
        if b"seller-sku" not in content.split(b"\n", 1)[0]:
            return response  # another report's document
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return httpx.Response(response.status_code, headers=headers, content=b"")


async def test_an_empty_listings_report_never_empties_the_cache():
    # a complete sync of every listing drops the cached listings it did not see, with their
    # history: an empty listings report read as "no listings" dropped them all
    app = SandboxApp(SandboxAccount(seed=11, listings=40), time_scale=TIME_SCALE)
    transport = EmptyListingsReport(app)
    service = make_service(app, transport)
    try:
        first = await service.sync(include_all=True)
        assert first.complete and first.listings == len(app.account.search())
        transport.empty = True
        with pytest.raises(SpApiError, match="the listings report named no listing, yet"):
            await service.sync(include_all=True)
        kept = service.cached_records(all_listings=True)
    finally:
        await service.aclose()
    assert len(kept) == first.listings  # nothing dropped
