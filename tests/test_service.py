"""AccountService over the in-process sandbox seller account: sync → cache → records,
evidence and diagnosis per SKU, patch + refresh, and what a failed sync leaves behind."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest

from asin_tui import service as service_module
from asin_tui.demo import DemoSettings, open_demo_service
from asin_tui.domain import codes
from asin_tui.domain.marketplaces import MARKETPLACES
from asin_tui.domain.models import Category, State
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from asin_tui.sandbox.transport import SandboxTransport, demo_account_path
from asin_tui.service import (
    FRESHNESS,
    AccountService,
    Freshness,
    HealthRefresh,
    NothingFetched,
    UnknownSku,
    client_settings,
)
from asin_tui.spapi import sync as spapi_sync
from asin_tui.spapi.client import SpApi
from asin_tui.spapi.errors import AuthError
from asin_tui.spapi.ratelimit import Backoff, RateLimiter
from asin_tui.spapi.sync import HEALTH_CHECKS
from asin_tui.store.cache import ListingCache, StagedSync
from asin_tui.store.config import Credentials, Profile
from tests.report_timing import AmazonReports, ReportBeforeListings

STILL = DemoSettings(drift=0.0)  # the demo account holds still: no change of its own
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


def sandbox_client(
    app: SandboxApp,
    profile: Profile,
    transport: SandboxTransport | None = None,
    backoff: Backoff | None = None,
) -> Callable[[], SpApi]:
    def factory() -> SpApi:
        return SpApi(
            client_settings(profile),
            http_client=httpx.AsyncClient(transport=transport or SandboxTransport(app)),
            limiter=RateLimiter(time_scale=TIME_SCALE),
            backoff=backoff,
        )

    return factory


def make_service(
    app: SandboxApp,
    transport: SandboxTransport | None = None,
    *,
    backoff: Backoff | None = None,
    freshness: Freshness = FRESHNESS,
    **profile_overrides,
) -> AccountService:
    profile = sandbox_profile(app.account, **profile_overrides)
    return AccountService(
        profile_name=profile.name,
        marketplace_id=profile.marketplace.marketplace_id,
        seller_id=profile.seller_id,
        client_factory=sandbox_client(app, profile, transport, backoff),
        freshness=freshness,
    )


@pytest.fixture
def reports() -> AmazonReports:
    return AmazonReports()


def report_first(app: SandboxApp, reports: AmazonReports) -> AccountService:
    """A service whose first sync has its look at the Account Health report before its
    listings are done, and finds it DONE."""
    reports.finish()
    return make_service(app, ReportBeforeListings(app))


@pytest.fixture
def app(reports) -> SandboxApp:
    # A fresh account per test, so patches do not leak between tests.
    return SandboxApp(
        SandboxAccount(seed=11, listings=80), time_scale=TIME_SCALE, report_timing=reports.timing
    )


@pytest.fixture
async def service(app):
    svc = make_service(app)
    yield svc
    await svc.aclose()


def meant_to_need_attention(account: SandboxAccount) -> set[str]:
    """SKUs the sandbox generated with a problem (variation parents are not problems, nor is
    a recommended attribute left out: a WARNING on a live listing, in the untidy demo)."""
    informational = {codes.VARIATION_PARENT, codes.RECOMMENDED_ATTRIBUTE}
    return {sku for sku in account.search() if account.intended_causes(sku) - informational}


async def test_every_cause_of_the_demo_account_is_found_after_a_real_sync():
    """The evidence a sync actually fetches (not all there is) is enough to diagnose every
    cause the sandbox generated, as it meant it."""
    demo = SandboxApp(SandboxAccount(), time_scale=TIME_SCALE)  # the 250-listing demo mix
    service = make_service(demo)
    try:
        summary = await service.sync(include_all=False)
        records = service.cached_records(all_listings=False)
    finally:
        await service.aclose()
    assert summary.complete and not summary.failed
    missed = [
        f"{r.sku}: meant {sorted(meant)}, found {[f.code for f in r.findings]}"
        for r in records
        if not (meant := demo.account.intended_causes(r.sku)) <= {f.code for f in r.findings}
    ]
    assert {r.sku for r in records} == meant_to_need_attention(demo.account)
    assert missed == []


async def test_sync_stores_exactly_the_listings_the_sandbox_meant_to_need_attention(service, app):
    summary = await service.sync(include_all=False)
    assert summary.complete and not summary.failed
    records = service.cached_records(all_listings=False)
    expected = meant_to_need_attention(app.account)
    assert expected, "the sandbox mix should contain problems"
    assert {r.sku for r in records} == expected
    assert all(r.listed_by_default for r in records)  # needing attention or at risk
    assert 0 < summary.needs_attention == sum(r.needs_attention for r in records)
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


async def test_a_sync_without_saved_cases_leaves_no_case_file(service):
    """The sync re-checks the wizard's saved cases; with none it must not create their
    (empty) file: the next start would then load the case store to read nothing."""
    from asin_tui.store import paths

    await service.sync(include_all=False)
    assert not paths.has_cases(service.profile_name, service.marketplace_id)
    assert not paths.case_file(service.profile_name, service.marketplace_id).exists()


async def test_an_all_listings_sync_stores_every_sku(service, app):
    summary = await service.sync(include_all=True)
    every = set(app.account.search())
    assert summary.complete and summary.listings == len(every)
    records = service.cached_records(all_listings=True)
    assert {r.sku for r in records} == every
    healthy = every - meant_to_need_attention(app.account)
    assert {r.sku for r in records if not r.listed_by_default} == healthy
    assert service.last_sync().include_all


async def test_all_listings_is_known_partial_until_a_full_sync_and_the_account_is_counted(
    service, app
):
    every = set(app.account.search())
    assert await service.count_listings() == len(every)  # one call, nothing fetched
    await service.sync(include_all=False)
    assert service.last_full_sync() is None  # "all listings" is what needed attention
    assert len(service.cached_records(all_listings=True)) < len(every)
    await service.sync(include_all=True)
    assert service.last_full_sync() == service.last_sync().finished_at
    await service.sync(include_all=False)  # a later attention sync keeps the full one
    assert service.last_full_sync() is not None


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


class ListingsDown(SandboxTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/listings/"):
            return httpx.Response(503, json={"errors": [{"code": "ServiceUnavailable"}]})
        return await super().handle_async_request(request)


async def test_a_sync_that_fetches_nothing_reads_as_its_cause(app):
    """What the seller sees after "Sync failed:": Amazon's answer, not an internal query key
    nor a second "sync failed"."""
    cut_off = make_service(app, ListingsDown(app), backoff=Backoff(tries=2).scaled(TIME_SCALE))
    try:
        with pytest.raises(NothingFetched) as failure:
            await cut_off.sync(include_all=False)
        text = str(failure.value)
        assert text.startswith("searchListingsItems: SP-API is unavailable: HTTP 503")
        assert "gave up after 2 tries" in text
        assert "sync failed" not in text.lower() and "search:" not in text
        assert cut_off.last_sync() is None  # nothing stored
    finally:
        await cut_off.aclose()


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


# ----------------------------------------------------------------------------- account health


@pytest.fixture
def at_risk(reports) -> SandboxApp:
    return SandboxApp(
        SandboxAccount(seed=11, listings=80, account_status="AT_RISK"),
        time_scale=TIME_SCALE,
        report_timing=reports.timing,
    )


def assert_account_finding_first(service: AccountService, app: SandboxApp) -> None:
    health = service.account_health()
    records = service.cached_records(all_listings=False)
    assert {r.sku for r in records} == meant_to_need_attention(app.account)
    for record in records:
        first, *rest = record.findings
        assert (first.category, first.code) == (Category.ACCOUNT, codes.ACCOUNT_AT_RISK)
        # the listing's own causes still follow, for after the account is sorted out
        intended = app.account.intended_causes(record.sku)
        assert rest and rest[0].code in intended, (record.sku, rest, intended)
        assert service.diagnosis(record.sku).findings[0] == first
        assert service.evidence(record.sku).account == health


async def test_an_at_risk_account_puts_the_account_finding_first_everywhere(at_risk, reports):
    app = at_risk
    service = report_first(app, reports)
    try:
        summary = await service.sync(include_all=False)
        assert summary.complete and not summary.failed
        health = service.account_health()
        assert (health.status, health.as_of) == ("AT_RISK", service.last_sync().finished_at)
        assert service.account_health_pending() is None
        assert_account_finding_first(service, app)
    finally:
        await service.aclose()


async def test_a_normal_account_gives_no_account_finding_but_keeps_its_counters(app, reports):
    service = report_first(app, reports)
    try:
        await service.sync(include_all=False)
        health = service.account_health()
        assert health.status == "NORMAL"
        document = app.account.account_health_report()["performanceMetrics"][0]
        bad = {k for k, v in document.items() if isinstance(v, dict) and v.get("status") == "BAD"}
        assert set(health.policy_counters) == bad and bad  # the sandbox's policy listings
        records = service.cached_records(all_listings=False)
        assert records and all(
            f.category is not Category.ACCOUNT for r in records for f in r.findings
        )
    finally:
        await service.aclose()


class ReportsDown(SandboxTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/reports/"):
            return httpx.Response(503, json={"errors": [{"code": "ServiceUnavailable"}]})
        return await super().handle_async_request(request)


async def test_a_recent_account_health_report_is_not_asked_for_again(app, reports):
    """createReport allows one call a minute: a report younger than the max age is reused."""
    service = report_first(app, reports)
    try:
        await service.sync(include_all=False)
        first = service.account_health()
        calls = service._client().calls
        created, looked = calls["createReport"], calls["getReport"]
        await service.sync(include_all=False)
        assert calls["createReport"] == created  # no second report
        assert calls["getReport"] == looked  # nor a look at one
        assert service.account_health() == first
    finally:
        await service.aclose()


async def test_without_a_fresh_account_health_the_last_one_is_used(reports):
    app = SandboxApp(
        SandboxAccount(seed=11, listings=80, account_status="DEACTIVATED"),
        time_scale=TIME_SCALE,
        report_timing=reports.timing,
    )
    service = report_first(app, reports)
    await service.sync(include_all=False)
    first_sync = service.last_sync().finished_at
    await service.aclose()

    never_fresh = Freshness(account_health_max_age=timedelta(0))  # every sync asks again
    cut_off = make_service(app, ReportsDown(app), backoff=Backoff(tries=1), freshness=never_fresh)
    try:
        summary = await cut_off.sync(include_all=False)
        assert summary.complete and list(summary.failed) == ["account health"]
        assert "createReport" in summary.failed["account health"]
        health = cut_off.account_health()
        assert (health.status, health.as_of) == ("DEACTIVATED", first_sync)
        records = cut_off.cached_records(all_listings=False)
        assert records and all(r.findings[0].code == codes.ACCOUNT_AT_RISK for r in records)
        assert records[0].findings[0].title == "Account deactivated"
    finally:
        await cut_off.aclose()


async def test_an_unreadable_account_health_report_is_named_and_not_kept(app, reports, monkeypatch):
    error_body = {"errors": [{"code": "InternalFailure", "message": "no report"}]}
    monkeypatch.setattr(app.account, "account_health_report", lambda: error_body)
    service = report_first(app, reports)
    try:
        summary = await service.sync(include_all=False)
        assert summary.complete
        assert summary.failed["account health"].startswith("unreadable report: ")
        assert service.account_health() is None
        assert service.account_health_pending() is None  # not looked at again
    finally:
        await service.aclose()
    reopened = make_service(app)
    assert reopened.account_health() is None  # nothing unreadable was stored
    await reopened.aclose()


# ----------------------------------------------------------------------------- notices


async def test_the_demo_service_passes_on_a_corrupt_state_files_notice():
    path = demo_account_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[]")
    service = open_demo_service(settings=STILL)
    try:
        (notice,) = service.notices
        assert notice.startswith(f"demo account: {path} is not an asin-tui sandbox journal")
        assert open_demo_service(settings=STILL).notices == []
    finally:
        await service.aclose()


# ----------------------------------------------------------------------------- a report in the making


async def test_the_first_demo_sync_does_not_wait_for_the_account_health(reports):
    """The demo at Amazon's real rates, Amazon slow with the report: the listings come at
    once, the report is picked up by a later look and the cached listings are diagnosed
    again with it."""
    reports.hold()
    service = open_demo_service(reset=True, report_timing=reports.timing, settings=STILL)
    try:
        summary = await service.sync(include_all=False)
        assert summary.complete and not summary.failed and summary.listings
        assert summary.calls["createReport"] == 1
        assert 1 <= summary.calls["getReport"] <= HEALTH_CHECKS
        assert service.account_health() is None
        pending = service.account_health_pending()
        assert pending is not None

        assert await service.refresh_account_health() == HealthRefresh(pending=True)
        assert service.account_health_pending() == pending
        reports.finish()
        assert await service.refresh_account_health() == HealthRefresh(pending=False, updated=True)
        health = service.account_health()
        assert health is not None and service.account_health_pending() is None
        for record in service.cached_records(all_listings=False):
            assert service.evidence(record.sku).account == health
        assert await service.refresh_account_health() == HealthRefresh(pending=False)
    finally:
        await service.aclose()


async def test_the_next_sync_picks_the_pending_report_up(at_risk, reports):
    reports.hold()
    transport = ReportBeforeListings(at_risk)
    service = make_service(at_risk, transport)
    try:
        await service.sync(include_all=False)
        assert service.account_health() is None and service.account_health_pending()
        records = service.cached_records(all_listings=False)
        assert records and all(r.findings[0].category is not Category.ACCOUNT for r in records)
        reopened = make_service(at_risk)  # what the next start sees
        assert reopened.account_health_pending() == service.account_health_pending()
        await reopened.aclose()

        reports.finish()
        transport.rearm()
        summary = await service.sync(include_all=False)
        assert summary.complete and not summary.failed
        assert "createReport" not in summary.calls and summary.calls["getReport"] == 1
        assert service.account_health_pending() is None
        assert service.account_health().status == "AT_RISK"
        assert_account_finding_first(service, at_risk)
    finally:
        await service.aclose()


async def test_a_request_older_than_its_max_age_is_dropped_and_made_again(app, reports):
    reports.hold()
    service = make_service(app)
    try:
        await service.sync(include_all=False)
        first = service.account_health_pending()
        assert first is not None
        service.freshness = Freshness(account_health_request_max_age=timedelta(0))
        assert service.account_health_pending() is None
        assert await service.refresh_account_health() == HealthRefresh(pending=False)
        summary = await service.sync(include_all=False)
        assert summary.calls["createReport"] == 1  # a new report, the old one not looked at
        service.freshness = Freshness()  # an hour again: the new request is looked for
        second = service.account_health_pending()
        assert second is not None and second.report_id != first.report_id
    finally:
        await service.aclose()


async def test_a_failed_look_is_told_and_keeps_what_was_there(app, reports):
    reports.hold()
    service = make_service(app)
    await service.sync(include_all=False)
    pending = service.account_health_pending()
    await service.aclose()
    cut_off = make_service(app, ReportsDown(app), backoff=Backoff(tries=1))
    try:
        refreshed = await cut_off.refresh_account_health()
        assert refreshed.pending and not refreshed.updated
        assert "getReport" in refreshed.problem and "503" in refreshed.problem
        assert cut_off.account_health_pending() == pending  # looked at again next time
        assert cut_off.cached_records(all_listings=False)  # the listings are untouched
    finally:
        await cut_off.aclose()


async def test_a_sync_stores_its_listings_in_batches_while_it_runs(app, tmp_path):
    """A large account's raw answers are never all held at once: the service diagnoses and
    stages them sync_batch at a time while the sync still runs."""
    returned = False
    sizes: list[int] = []
    during_sync: list[bool] = []

    async def sync_account(*args, **kwargs):
        nonlocal returned
        result = await spapi_sync.sync_account(*args, **kwargs)
        returned = True
        return result

    class Recording(StagedSync):
        def add(self, entries):
            entries = list(entries)
            sizes.append(len(entries))
            during_sync.append(not returned)
            super().add(entries)

    class RecordingCache(ListingCache):
        def stage_sync(self):
            return Recording(self)

    profile = sandbox_profile(app.account)
    service = AccountService(
        profile_name=profile.name,
        marketplace_id=profile.marketplace.marketplace_id,
        seller_id=profile.seller_id,
        client_factory=sandbox_client(app, profile),
        cache=RecordingCache(tmp_path / "batches.sqlite3"),
        sync_batch=10,
        sync_account=sync_account,
    )
    try:
        summary = await service.sync(include_all=True)
        every = set(app.account.search())
        assert summary.complete and summary.listings == len(every) == sum(sizes)
        assert max(sizes) == 10 and during_sync.count(True) >= len(every) // 10 - 1
        assert {r.sku for r in service.cached_records(all_listings=True)} == every
    finally:
        await service.aclose()


# --------------------------------------------------------------------------- wizard outcomes re-checked


def saved_outcome(service: AccountService, sku: str, outcome, **details) -> None:
    from asin_tui.store.cases import CaseStore

    def change(progress) -> None:
        progress.set_outcome(outcome, **details)

    CaseStore(service.profile_name, service.marketplace_id).update(sku, change)


def saved(service: AccountService, sku: str):
    from asin_tui.store.cases import CaseStore

    return CaseStore(service.profile_name, service.marketplace_id).get(sku)


async def test_the_next_sync_rechecks_waits_resolved_overdue_and_reopened(service, app):
    """Issue 9 item 3 and item 7: a wait whose listing is back on sale is resolved by the next
    sync, one past its date is overdue, and a resolved listing that needs attention again
    (as after `--demo --reset`) is reopened."""
    from datetime import UTC, datetime

    from asin_tui.store.cases import Outcome

    await service.sync(include_all=False)
    records = service.cached_records(all_listings=False)
    fixed = next(
        r.sku for r in records if app.account.intended_causes(r.sku) == {codes.OUT_OF_STOCK_MFN}
    )
    late, came_back = [r.sku for r in records if r.sku != fixed and r.needs_attention][:2]
    now = datetime.now(UTC)
    saved_outcome(
        service, fixed, Outcome.WAITING, waiting_for="a restock", recheck_at=now + timedelta(1)
    )
    saved_outcome(
        service, late, Outcome.WAITING, waiting_for="a restock", recheck_at=now - timedelta(1)
    )
    saved_outcome(service, came_back, Outcome.RESOLVED, resolved_state="ACTIVE")
    restock = [
        {
            "op": "replace",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}],
        }
    ]
    assert (await service.patch(fixed, restock, preview=False)).status == "ACCEPTED"

    summary = await service.sync(include_all=False)

    assert saved(service, fixed).outcome is Outcome.RESOLVED
    assert saved(service, fixed).check_note.startswith("resolved ")
    assert "back on sale while waiting" in saved(service, fixed).check_note
    late_now = saved(service, late)
    assert late_now.outcome is Outcome.WAITING and late_now.overdue()
    late_state = service.diagnosis(late).state.value
    assert late_now.check_note.startswith(f"overdue: still {late_state} after ")
    reopened = saved(service, came_back)
    assert (reopened.outcome, reopened.resolved_state) == (Outcome.OPEN, "ACTIVE")
    came_back_state = service.diagnosis(came_back).state.value
    assert reopened.check_note.startswith("reopened ")
    assert f"{came_back_state} again after it was resolved" in reopened.check_note
    assert sorted(line.split(":")[0] for line in summary.rechecked) == sorted(
        [fixed, late, came_back]
    )
    again = await service.sync(include_all=False)
    assert again.rechecked == (), "an overdue wait is told once, the others are settled"


async def test_app_values_in_the_cache_nested_too_deep_read_as_unreadable(service):
    # the cache's meta values are the app's JSON: one damaged (or edited) to nest deeper than
    # json.loads reads raised RecursionError out of the app's start and of stock cover
    deep = "[" * 100_000 + "]" * 100_000
    service._cache.write_meta(service_module.LAST_LOOK_KEY, deep)
    service._cache.write_meta(service_module.STOCK_COVER_PENDING_KEY, deep)
    assert service.since_last_look([]) is None  # as if never looked
    assert service._cover_pending() == {}  # asked for again
