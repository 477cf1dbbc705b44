"""A failed evidence call never overwrites a good diagnosis (issue 8 item 4): when FBA
inventory, listing restrictions or the catalog item cannot be fetched, the listing keeps the
last good evidence from the cache, with its age, or says "not checked: <call> failed" — never
a cause ("listing closed") drawn from data that is not there. The marker is in the cache, the
service's diagnosis and the report JSON."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import httpx
import pytest

from asin_tui.domain import codes
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from asin_tui.sandbox.transport import SandboxTransport
from asin_tui.service import Freshness
from asin_tui.spapi.ratelimit import Backoff
from tests.test_service import TIME_SCALE, make_service

EVIDENCE_PATHS = {
    "inventory": "/fba/inventory/v1/summaries",
    "restrictions": "/listings/2021-08-01/restrictions",
    "catalog": "/catalog/2022-04-01/items",
}
#: Causes that only evidence calls can show, and the call that shows them.
EVIDENCE_CAUSES = {
    codes.APPROVAL_REQUIRED: "restrictions",
    codes.NOT_ELIGIBLE: "restrictions",
    codes.OUT_OF_STOCK_FBA: "inventory",
    codes.STRANDED_FBA: "inventory",
}


class EvidenceDown(SandboxTransport):
    """The sandbox, with the evidence calls in ``down`` answering 503 every time."""

    def __init__(self, app: SandboxApp) -> None:
        super().__init__(app)
        self.down: set[str] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if any(EVIDENCE_PATHS[s] in request.url.path for s in self.down):
            body = {"errors": [{"code": "ServiceUnavailable", "message": "Try again later."}]}
            return httpx.Response(503, json=body)
        return await super().handle_async_request(request)


@pytest.fixture
def account() -> SandboxAccount:
    return SandboxAccount()  # the demo mix: every cause present


@pytest.fixture
async def setup(account):
    # every sync asks again (no answer kept from the last one is fresh enough): these tests
    # are about the calls failing
    transport = EvidenceDown(SandboxApp(account, time_scale=TIME_SCALE))
    service = make_service(
        transport.app,
        transport,
        backoff=Backoff(tries=2).scaled(TIME_SCALE),
        freshness=Freshness(answer_max_age=timedelta(0)),
    )
    yield service, transport
    await service.aclose()


def by_cause(account: SandboxAccount) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for sku in account.search():
        for cause in account.intended_causes(sku) & set(EVIDENCE_CAUSES):
            found.setdefault(cause, set()).add(sku)
    return found


async def test_a_failed_call_keeps_the_last_good_evidence_with_its_age(account, setup):
    service, transport = setup
    await service.sync(include_all=False)
    first = service.last_sync()
    before = {r.sku: r for r in service.cached_records(all_listings=False)}
    causes = by_cause(account)
    assert set(causes) == set(EVIDENCE_CAUSES)  # the demo has each of them

    transport.down = set(EVIDENCE_PATHS)
    summary = await service.sync(include_all=False)
    after = {r.sku: r for r in service.cached_records(all_listings=False)}
    assert not summary.complete and not summary.missing  # every listing is there
    for cause, skus in causes.items():
        for sku in skus & set(before):
            codes_before = [f.code for f in before[sku].findings]
            codes_after = [f.code for f in after[sku].findings]
            assert cause in codes_before
            # the same diagnosis, plus a note of how old the evidence behind it is (and of
            # a call this sync made that the last one did not need, failing too)
            gap_codes = (codes.EVIDENCE_STALE, codes.EVIDENCE_NOT_CHECKED)
            assert [c for c in codes_after if c not in gap_codes] == codes_before, sku
            assert after[sku].main_code == before[sku].main_code
            notes = [f for f in after[sku].findings if f.code == codes.EVIDENCE_STALE]
            assert notes
            for note in notes:
                assert f"as of {first.finished_at:%Y-%m-%d %H:%M} UTC" in note.title
                assert "failed in the last sync" in note.detail
            assert codes.LISTING_CLOSED not in codes_after
            # the service's diagnosis and the report JSON carry it too
            assert codes.EVIDENCE_STALE in {f.code for f in service.diagnosis(sku).findings}
            assert codes.EVIDENCE_STALE in {
                f["code"] for f in after[sku].to_report_dict()["findings"]
            }


async def test_with_nothing_cached_a_failed_call_is_not_checked_never_closed(account, setup):
    service, transport = setup
    transport.down = set(EVIDENCE_PATHS)
    await service.sync(include_all=False)
    records = {r.sku: r for r in service.cached_records(all_listings=True)}
    checked = 0
    for cause, skus in by_cause(account).items():
        for sku in skus & set(records):
            findings = records[sku].findings
            found = {f.code for f in findings}
            assert cause not in found or cause in (codes.OUT_OF_STOCK_FBA,), (sku, found)
            assert codes.LISTING_CLOSED not in found, (sku, [f.title for f in findings])
            assert codes.EVIDENCE_NOT_CHECKED in found, (sku, found)
            marker = next(f for f in findings if f.code == codes.EVIDENCE_NOT_CHECKED)
            assert marker.title.startswith("Not checked: get") and "failed" in marker.title
            checked += 1
    assert checked


async def test_a_stale_answer_keeps_its_first_date_over_several_failed_syncs(account, setup):
    service, transport = setup
    await service.sync(include_all=False)
    first = service.last_sync().finished_at
    transport.down = {"restrictions"}
    await service.sync(include_all=False)
    await service.sync(include_all=False)
    sku = next(iter(by_cause(account)[codes.APPROVAL_REQUIRED]))
    evidence = service.evidence(sku)
    (gap,) = evidence.gaps
    assert gap.section == "restrictions" and gap.call == "getListingsRestrictions"
    assert gap.as_of == first
    assert evidence.restrictions  # the kept answer, still read by the diagnosis
    diagnosis = service.diagnosis(sku)
    assert diagnosis.main_finding.code == codes.APPROVAL_REQUIRED
    (note,) = [n for n in diagnosis.not_checked if n.startswith("listing restrictions")]
    assert f"its answer of {first:%Y-%m-%d %H:%M} UTC was used" in note

    transport.down = set()
    await service.sync(include_all=False)
    assert service.evidence(sku).gaps == ()  # fresh again: no marker


@pytest.mark.parametrize("tampered", ['{"restrictions": 5}', '{"restrictions": {"as_of": "x"}}'])
async def test_a_gap_marker_tampered_with_in_the_cache_is_still_a_gap(account, setup, tampered):
    service, transport = setup
    transport.down = {"restrictions"}
    await service.sync(include_all=False)
    sku = next(iter(by_cause(account)[codes.APPROVAL_REQUIRED]))
    path = service._cache.path
    conn = sqlite3.connect(path)
    conn.execute("UPDATE evidence SET gaps = ? WHERE sku = ?", (tampered, sku))
    conn.commit()
    conn.close()
    (gap,) = service.evidence(sku).gaps
    assert gap.section == "restrictions" and gap.as_of is None
    assert codes.EVIDENCE_NOT_CHECKED in {f.code for f in service.diagnosis(sku).findings}


class DefinitionsDown(SandboxTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "/definitions/2020-09-01/productTypes" in request.url.path and self.down:
            body = {"errors": [{"code": "ServiceUnavailable", "message": "Try again later."}]}
            return httpx.Response(503, json=body)
        return await super().handle_async_request(request)


async def test_a_product_type_definition_not_had_is_not_checked_unless_one_is_cached(account):
    transport = DefinitionsDown(SandboxApp(account, time_scale=TIME_SCALE))
    transport.down = True
    service = make_service(transport.app, transport, backoff=Backoff(tries=1).scaled(TIME_SCALE))
    try:
        await service.sync(include_all=False)
        records = service.cached_records(all_listings=False)
        typed = [r for r in records if r.product_type]
        assert typed
        for r in typed:
            gaps = service.evidence(r.sku).gaps
            assert [g.call for g in gaps if g.section == "product type"] == [
                "getDefinitionsProductType"
            ]
            assert codes.EVIDENCE_NOT_CHECKED in {f.code for f in r.findings}
        transport.down = False
        await service.sync(include_all=False)  # the definitions are cached now
        transport.down = True
        await service.sync(include_all=False)
        for r in service.cached_records(all_listings=False):
            assert all(g.section != "product type" for g in service.evidence(r.sku).gaps)
    finally:
        await service.aclose()
