"""AccountService over the in-process sandbox seller account: sync → cache → records,
evidence and diagnosis per SKU, patch + refresh, and what a failed sync leaves behind."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from asin_tui.domain import codes
from asin_tui.domain.marketplaces import MARKETPLACES
from asin_tui.domain.models import State
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from asin_tui.sandbox.transport import SandboxTransport
from asin_tui.service import AccountService, UnknownSku
from asin_tui.spapi.client import SpApi
from asin_tui.spapi.errors import AuthError
from asin_tui.spapi.ratelimit import RateLimiter
from asin_tui.store.config import Credentials, Profile

TIME_SCALE = 1000.0  # sandbox and client pacing run 1000x faster than Amazon's real rates
SANDBOX_CREDENTIALS = Credentials(
    lwa_app_id="amzn1.application-oa2-client.sandbox",
    lwa_client_secret="sandbox-secret",
    refresh_token="Atzr|sandbox",
)


def sandbox_profile(account: SandboxAccount, **overrides) -> Profile:
    values = {
        "name": "svc",
        "marketplace": MARKETPLACES["US"],
        "seller_id": account.seller_id,
        "credentials": SANDBOX_CREDENTIALS,
        "endpoint": "http://sandbox.test",
        "token_endpoint": "http://sandbox.test/auth/o2/token",
    }
    values.update(overrides)
    return Profile(**values)


def sandbox_client(app: SandboxApp, profile: Profile) -> Callable[[], SpApi]:
    def factory() -> SpApi:
        return SpApi(
            profile,
            http_client=httpx.AsyncClient(transport=SandboxTransport(app)),
            limiter=RateLimiter(time_scale=TIME_SCALE),
        )

    return factory


def make_service(app: SandboxApp, **profile_overrides) -> AccountService:
    profile = sandbox_profile(app.account, **profile_overrides)
    return AccountService(
        profile_name=profile.name,
        marketplace_id=profile.marketplace.marketplace_id,
        seller_id=profile.seller_id,
        client_factory=sandbox_client(app, profile),
    )


@pytest.fixture
def app() -> SandboxApp:
    # A fresh account per test, so patches do not leak between tests.
    return SandboxApp(SandboxAccount(seed=11, listings=80), time_scale=TIME_SCALE)


@pytest.fixture
async def service(app):
    svc = make_service(app)
    yield svc
    await svc.aclose()


def meant_to_need_attention(account: SandboxAccount) -> set[str]:
    """SKUs the sandbox generated with a problem (variation parents are not problems)."""
    return {
        sku for sku in account.search() if account.intended_causes(sku) - {codes.VARIATION_PARENT}
    }


async def test_sync_stores_exactly_the_listings_the_sandbox_meant_to_need_attention(service, app):
    summary = await service.sync(include_all=False)
    assert summary.complete and not summary.failed
    records = service.cached_records(all_listings=False)
    expected = meant_to_need_attention(app.account)
    assert expected, "the sandbox mix should contain problems"
    assert {r.sku for r in records} == expected
    assert summary.needs_attention == len(records)
    assert sum(summary.calls.values()) > 0
    synced_at = service.last_sync().finished_at
    for record in records:
        intended = app.account.intended_causes(record.sku)
        assert record.main_code in intended, (record.sku, record.main_code, intended)
        expected_since = synced_at if record.state.needs_attention else None
        assert record.inactive_since == expected_since
    assert [(r.state.rank, r.sku) for r in records] == sorted(
        (r.state.rank, r.sku) for r in records
    )


async def test_an_all_listings_sync_stores_every_sku(service, app):
    summary = await service.sync(include_all=True)
    every = set(app.account.search())
    assert summary.complete and summary.listings == len(every)
    records = service.cached_records(all_listings=True)
    assert {r.sku for r in records} == every
    healthy = every - meant_to_need_attention(app.account)
    assert {r.sku for r in records if not r.needs_attention} == healthy
    assert service.last_sync().include_all


async def test_evidence_and_diagnosis_per_sku_come_from_the_cache(service, app):
    await service.sync(include_all=False)
    for record in service.cached_records(all_listings=False):
        evidence = service.evidence(record.sku)
        assert evidence.listing.sku == record.sku and evidence.listing.asin == record.asin
        diagnosis = service.diagnosis(record.sku)
        assert diagnosis.state is record.state
        assert [f.code for f in diagnosis.findings] == [f.code for f in record.findings]
        if record.fulfillment_channel == "FBA" and record.quantity is not None:
            assert evidence.inventory.seller_sku == record.sku  # FBA stock came from inventory
            assert evidence.inventory.fulfillable == record.quantity
        if record.product_type:
            assert evidence.requirements is not None
    with pytest.raises(UnknownSku):
        service.evidence("NO-SUCH-SKU")


async def test_a_preview_changes_nothing_and_a_real_patch_plus_refresh_makes_it_active(
    service, app
):
    await service.sync(include_all=False)
    sku = next(
        r.sku
        for r in service.cached_records(all_listings=False)
        if app.account.intended_causes(r.sku) == {codes.OUT_OF_STOCK_MFN}
    )
    restock = [
        {
            "op": "replace",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}],
        }
    ]
    preview = await service.patch(sku, restock, preview=True)
    assert preview.status == "VALID" and preview.ok and preview.preview
    assert (await service.refresh(sku)).state is State.INACTIVE

    submitted = await service.patch(sku, restock, preview=False)
    assert submitted.status == "ACCEPTED" and submitted.submission_id
    record = await service.refresh(sku)
    assert record.state is State.ACTIVE and record.quantity == 7
    assert record.inactive_since is None
    assert sku not in {r.sku for r in service.cached_records(all_listings=False)}
    assert service.diagnosis(sku).state is State.ACTIVE


async def test_an_invalid_patch_answers_invalid_with_issues(service):
    await service.sync(include_all=False)
    sku = service.cached_records(all_listings=False)[0].sku
    bad = [
        {
            "op": "replace",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": -3}],
        }
    ]
    result = await service.patch(sku, bad, preview=True)
    assert result.status == "INVALID" and not result.ok and result.issues


async def test_a_failed_sync_raises_and_keeps_the_cached_data(service, app):
    await service.sync(include_all=False)
    before = service.cached_records(all_listings=False)
    last = service.last_sync()

    locked_out = make_service(
        app,
        credentials=Credentials("amzn1.application-oa2-client.sandbox", "wrong", "Atzr|sandbox"),
    )
    with pytest.raises(AuthError) as failure:
        await locked_out.sync(include_all=False)
    assert "wrong" not in str(failure.value)
    assert locked_out.cached_records(all_listings=False) == before
    assert locked_out.last_sync() == last
    await locked_out.aclose()


async def test_inactive_since_survives_later_syncs_and_a_restart(service, app):
    await service.sync(include_all=False)
    first = {r.sku: r.inactive_since for r in service.cached_records(all_listings=False)}
    await service.sync(include_all=False)
    await service.aclose()

    restarted = make_service(app)
    again = {r.sku: r.inactive_since for r in restarted.cached_records(all_listings=False)}
    assert again == first
    assert restarted.last_sync() is not None
    await restarted.aclose()
