"""A sync in a child process (AccountService(child_client=…), the app's syncs): it writes the
same cache, its progress reaches the caller, and a child killed or cancelled mid-sync leaves
the cache as it was, with one line saying why."""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import functools
import os
import pickle
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from asin_tui import child as child_module  # the service imports run_in_child when a sync runs
from asin_tui import service as service_module
from asin_tui.demo import sandbox_settings
from asin_tui.domain import codes
from asin_tui.domain.marketplaces import MARKETPLACES
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_REFRESH_TOKEN,
    TOKEN_PATH,
    SandboxApp,
)
from asin_tui.sandbox.ratelimit import USAGE_PLANS
from asin_tui.sandbox.server import serve_in_thread
from asin_tui.service import AccountService, HealthRefresh, SyncLost
from asin_tui.spapi import sync as spapi_sync
from asin_tui.spapi.client import open_client
from asin_tui.store import paths
from asin_tui.store.cache import ListingCache
from asin_tui.store.config import CREDENTIAL_ENV, SECRET_ENV, load_config
from tests.cli.test_report import use_sandbox_profile
from tests.report_timing import AmazonReports
from tests.test_child import gone

TIME_SCALE = 1000.0


@pytest.fixture(scope="module")
def served():
    account = SandboxAccount(seed=11, listings=200)
    server, base_url = serve_in_thread(SandboxApp(account, time_scale=TIME_SCALE))
    yield account, base_url
    server.stop()


def child_service(
    served, tmp_path, time_scale: float = TIME_SCALE, rates: Path | None = None
) -> AccountService:
    """A service whose syncs run in a child process, on the sandbox served over HTTP.

    ``time_scale`` is how much faster than Amazon's rates the client paces itself; ``rates``:
    the rate buckets' file its clients share (None: a bucket each)."""
    account, base_url = served
    settings = sandbox_settings(MARKETPLACES["US"], account.seller_id, base_url, name="child")
    factory = functools.partial(open_client, settings, time_scale=time_scale, rates=rates)
    return AccountService(
        profile_name="child",
        marketplace_id=settings.marketplace.marketplace_id,
        seller_id=account.seller_id,
        client_factory=factory,
        child_client=factory,
        cache=ListingCache(tmp_path / "child.sqlite3"),
    )


@pytest.fixture
def child_pids(monkeypatch) -> list[int]:
    """The pid of each sync's child process, as it starts."""
    pids: list[int] = []
    real = child_module.run_in_child

    async def recorded(*args, **kwargs):
        return await real(*args, started=pids.append, **kwargs)

    monkeypatch.setattr(child_module, "run_in_child", recorded)
    return pids


@pytest.fixture
def no_sync_here(monkeypatch):
    """A sync in this process fails the test: only the child may sync."""

    async def here(*args, **kwargs):
        raise AssertionError("the sync ran in the caller's process")

    monkeypatch.setattr(spapi_sync, "sync_account", here)  # where the service imports it from


def intact(path) -> bool:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def nothing_committed(path) -> bool:
    """The cache file holds no sync and no listing, and is sound (each part asserted, so a
    failure says which)."""
    cache = ListingCache(path)
    try:
        assert cache.last_sync() is None, "a sync was committed"
        assert cache.count() == 0, f"{cache.count()} listings were committed"
    finally:
        cache.close()
    assert intact(path), "the cache file is damaged"
    return True


@pytest.mark.slow  # a child process syncs 200 listings end to end over a served sandbox
async def test_a_sync_in_the_child_fills_the_cache_and_tells_progress_here(
    served, tmp_path, child_pids, no_sync_here
):
    account, _ = served
    service = child_service(served, tmp_path)
    threads: set[int] = set()
    try:
        summary = await service.sync(
            include_all=True, progress=lambda _p: threads.add(threading.get_ident())
        )
        assert summary.complete and summary.listings == len(account.search())
        cached = service.cached_records(all_listings=True)
        assert sorted(r.sku for r in cached) == sorted(account.search())
        assert service.last_sync().finished_at == summary.finished_at
        assert threads == {threading.get_ident()}  # progress on the caller's loop
        assert child_pids and child_pids[0] != os.getpid() and gone(child_pids[0])
    finally:
        await service.aclose()


class Metered:
    """A sandbox's quota checks as it made them: (operation, its clock, allowed) each; and
    how many LWA token requests it answered."""

    def __init__(self, app: SandboxApp) -> None:
        self.calls: list[tuple[str, float, bool]] = []
        self.token_requests = 0
        quota = app._gateway._limiter
        checked, handled = quota.try_acquire, app.handle

        def try_acquire(operation, seller):
            allowed = checked(operation, seller)
            self.calls.append((operation, quota._clock(), allowed))
            return allowed

        def handle(method, path, *args, **kwargs):
            self.token_requests += path.split("?")[0] == TOKEN_PATH
            return handled(method, path, *args, **kwargs)

        quota.try_acquire, app.handle = try_acquire, handle

    def most_in_a_window(self, operation: str, seconds: float) -> int:
        """The most calls of ``operation`` that reached it within ``seconds`` of its clock."""
        times = sorted(t for op, t, _ in self.calls if op == operation)
        return max(
            (bisect.bisect_right(times, t + seconds) - i for i, t in enumerate(times)), default=0
        )


@pytest.mark.slow  # a child sync end to end over a served sandbox at 2x Amazon's rates
async def test_the_app_and_its_sync_child_keep_together_to_amazons_rates_and_share_a_token(
    tmp_path, child_pids
):
    # 2x: the client's pacing, not the loopback's speed, bounds how fast each process calls,
    # and a call held up a few ms on this loaded machine is a small share of a token's 100 ms
    scale = 2.0
    account = SandboxAccount(seed=11, listings=200)
    app = SandboxApp(account, time_scale=scale)
    metered = Metered(app)
    server, base_url = serve_in_thread(app)
    service = child_service((account, base_url), tmp_path, scale, rates=tmp_path / "rates.json")
    try:
        total = len(account.search())  # what count_listings answers
        assert await service.count_listings() == total  # the app's client and its token
        assert metered.token_requests == 1
        syncing = asyncio.ensure_future(service.sync(include_all=False))
        counted = 0
        while not syncing.done():  # the app searches as fast as it may meanwhile
            assert await service.count_listings() == total
            counted += 1
        summary = await syncing
        assert summary.complete and summary.listings > 0
        assert child_pids and counted > 10
        assert metered.token_requests == 1  # the child called with the app's token
        # Each process alone would spend the whole of Amazon's rate: together twice it, and
        # the sandbox refuses several calls (6 in a run without the shared file). Sharing it, the sum keeps to the rate and
        # the burst Amazon publishes, give or take one call: a call reaching the sandbox a
        # few ms later than its token was taken (its set-up, this loaded machine) leaves the
        # ones behind it a fraction of a token closer together there (the edge of a burst
        # can then be refused once, and is retried, as for one process alone)
        refused = [t for op, t, allowed in metered.calls if not allowed]
        assert len(refused) <= 1
        plan = USAGE_PLANS["searchListingsItems"]  # the sandbox's, from Amazon's models
        for amazon_seconds in (1.0, 2.0, 5.0):
            most = metered.most_in_a_window("searchListingsItems", amazon_seconds / scale)
            assert most <= plan.burst + plan.rate * amazon_seconds + 1
    finally:
        await service.aclose()
        server.stop()


@pytest.mark.slow  # two child syncs end to end over a served sandbox
async def test_a_child_killed_mid_sync_leaves_the_cache_as_it_was_and_says_so(
    served, tmp_path, child_pids
):
    service = child_service(served, tmp_path)
    try:
        await service.sync(include_all=True)
        before = service.last_sync()
        rows = service.cached_records(all_listings=True)

        def kill(_progress) -> None:
            if len(child_pids) == 2 and not gone(child_pids[1]):
                os.kill(child_pids[1], signal.SIGKILL)

        with pytest.raises(SyncLost) as lost:
            await service.sync(include_all=True, progress=kill)
        assert str(lost.value) == (
            "its process was stopped by SIGKILL before the sync finished; the cache is as it was"
        )
        assert service.last_sync() == before
        assert service.cached_records(all_listings=True) == rows
        assert intact(service._cache.path)
        summary = await service.sync(include_all=True)  # and the next sync works
        assert summary.complete and service.last_sync().finished_at == summary.finished_at
    finally:
        await service.aclose()


async def test_closing_the_service_mid_sync_ends_the_child_and_commits_nothing(
    served, tmp_path, child_pids
):
    # The client paces itself at a twentieth of Amazon's rates, so the sync would last about a
    # minute (its first progress at ~0.5 s) and the close lands in the middle of it even on a
    # loaded machine; the test still ends at the close. At twice Amazon's rates the whole
    # sync took ~1.0 s and once under a full suite's load it committed before its first
    # progress reached this process; at a quarter (~4.9 s, first progress at 0.54 s) the
    # clean-clone CI of 17:07 UTC still saw it commit once.
    service = child_service(served, tmp_path, time_scale=0.05)
    progressed = asyncio.Event()
    syncing = asyncio.ensure_future(
        service.sync(include_all=True, progress=lambda _p: progressed.set())
    )
    await asyncio.wait_for(progressed.wait(), 60)
    await service.aclose()  # what quitting the app does
    with pytest.raises(asyncio.CancelledError):
        await syncing
    assert gone(child_pids[0])
    assert nothing_committed(tmp_path / "child.sqlite3")


def test_a_profiles_child_client_crosses_a_pipe_and_report_keeps_syncing_here(monkeypatch, served):
    account, base_url = served
    use_sandbox_profile(monkeypatch, "pipe", account.seller_id, base_url)
    profile = load_config().profile("pipe")
    app_service = AccountService.for_profile(profile, sync_in_child=True)
    factory = pickle.loads(pickle.dumps(app_service._child_client))
    assert factory.func is service_module.open_client_for and factory.args == (profile,)
    assert AccountService.for_profile(profile)._child_client is None  # report, watch
    app_service._cache.close()


async def test_the_credentials_reach_the_child_by_its_stdin_not_its_argv_or_environment(
    monkeypatch, served, child_pids
):
    account, base_url = served
    for variable in CREDENTIAL_ENV.values():
        monkeypatch.delenv(variable, raising=False)
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"""[profiles.inline]
marketplace = "US"
seller_id = "{account.seller_id}"
endpoint = "{base_url}"
token_endpoint = "{base_url}/auth/o2/token"
lwa_app_id = "{SANDBOX_CLIENT_ID}"
lwa_client_secret = "{SANDBOX_CLIENT_SECRET}"
refresh_token = "{SANDBOX_REFRESH_TOKEN}"
"""
    )
    path.chmod(0o600)
    service = AccountService.for_profile(load_config().profile("inline"), sync_in_child=True)
    seen: list[bytes] = []
    progressed = asyncio.Event()

    def look(_progress) -> None:  # the child has a token and has called: read what it shows
        if not seen:
            proc = Path(f"/proc/{child_pids[0]}")
            seen.extend([(proc / "cmdline").read_bytes(), (proc / "environ").read_bytes()])
        progressed.set()

    await service.count_listings()  # this process has a token: the child is handed it
    token = service._api.access_token().token
    syncing = asyncio.ensure_future(service.sync(include_all=False, progress=look))
    try:
        await asyncio.wait_for(progressed.wait(), 60)
    finally:
        syncing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await syncing
        await service.aclose()
    assert len(seen) == 2
    for shown in seen:
        for secret in (SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN, token):
            assert secret.encode() not in shown


@pytest.fixture
def late_report(tmp_path, request):
    """A served sandbox whose Account Health report (status: the test's param) is held back
    past the first sync, and a child-syncing service over it, synced once: (service, the
    report timing to finish)."""
    reports = AmazonReports()
    reports.hold()
    account = SandboxAccount(seed=11, listings=80, account_status=request.param)
    server, base_url = serve_in_thread(
        SandboxApp(account, time_scale=TIME_SCALE, report_timing=reports.timing)
    )
    service = child_service((account, base_url), tmp_path)
    yield service, reports
    server.stop()


def rows(service) -> dict[str, tuple]:
    with contextlib.closing(sqlite3.connect(service._cache.path)) as conn:
        return {row[0]: row for row in conn.execute("SELECT * FROM listings")}


@pytest.mark.slow  # a child sync and a child re-diagnosis over a served sandbox
@pytest.mark.parametrize("late_report", ["AT_RISK", "NORMAL"], indirect=True)
async def test_a_late_report_that_changes_the_gate_diagnoses_the_cache_again_in_a_child(
    late_report, child_pids, monkeypatch
):
    service, reports = late_report
    try:
        await service.sync(include_all=False)
        assert service.account_health() is None and service.account_health_pending()
        before = rows(service)
        reports.finish()
        diagnose_here = service_module.AccountService._diagnosed

        def here(*args, **kwargs):  # the child imports its own copy: this one is the caller's
            raise AssertionError("the listings were diagnosed again in the caller's process")

        monkeypatch.setattr(service_module.AccountService, "_diagnosed", here)
        assert await service.refresh_account_health() == HealthRefresh(pending=False, updated=True)
        monkeypatch.setattr(service_module.AccountService, "_diagnosed", diagnose_here)
        if service.account_health().status == "NORMAL":  # none -> NORMAL changes nothing
            assert len(child_pids) == 1 and rows(service) == before  # no child, no row written
        else:
            assert service.account_health().status == "AT_RISK"
            assert len(child_pids) == 2 and gone(child_pids[1])
            assert rows(service).keys() == before.keys() and rows(service) != before
            for record in service.cached_records(all_listings=False):
                assert record.findings[0].code == codes.ACCOUNT_AT_RISK
    finally:
        await service.aclose()


@pytest.mark.slow  # a child sync and two child re-diagnoses over a served sandbox
@pytest.mark.parametrize("late_report", ["AT_RISK"], indirect=True)
async def test_a_rediagnosis_child_killed_stores_nothing_says_so_and_the_next_look_does_it(
    late_report, monkeypatch
):
    service, reports = late_report
    try:
        await service.sync(include_all=False)
        before, pending = rows(service), service.account_health_pending()
        reports.finish()
        real = child_module.run_in_child

        async def killed(*args, **kwargs):
            return await real(*args, started=lambda pid: os.kill(pid, signal.SIGKILL), **kwargs)

        monkeypatch.setattr(child_module, "run_in_child", killed)
        result = await service.refresh_account_health()
        assert result == HealthRefresh(
            pending=True,
            problem="Account Health report not stored: its process was stopped by SIGKILL"
            " before the listings were diagnosed with it; the next look tries again",
        )
        assert rows(service) == before and intact(service._cache.path)
        assert service.account_health() is None and service.account_health_pending() == pending
        monkeypatch.setattr(child_module, "run_in_child", real)
        assert await service.refresh_account_health() == HealthRefresh(pending=False, updated=True)
        assert service.account_health().status == "AT_RISK" and rows(service) != before
    finally:
        await service.aclose()


async def test_the_sync_child_has_no_secret_in_its_environment(served, tmp_path, monkeypatch):
    # the job carries the credentials over stdin: the child's environ (readable in /proc,
    # copied to whatever it runs) holds none of the seller's secrets from the caller's
    secrets = {name: f"env-secret-{i}" for i, name in enumerate(SECRET_ENV)}
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ASIN_TUI_MARK", "kept")
    environs: list[bytes] = []
    cmdlines: list[bytes] = []  # what `ps` shows
    real = child_module.run_in_child

    async def recorded(*args, **kwargs):
        def started(pid: int) -> None:
            environs.append(Path(f"/proc/{pid}/environ").read_bytes())
            cmdlines.append(Path(f"/proc/{pid}/cmdline").read_bytes())

        return await real(*args, started=started, **kwargs)

    monkeypatch.setattr(child_module, "run_in_child", recorded)
    service = child_service(served, tmp_path)
    try:
        assert (await service.sync(include_all=False)).complete
    finally:
        await service.aclose()
    assert environs
    names = {entry.split(b"=", 1)[0].decode() for entry in environs[0].split(b"\0") if entry}
    assert "ASIN_TUI_MARK" in names and not names & set(secrets)
    assert not any(value.encode() in environs[0] for value in secrets.values())
    # the profile's own credentials travel over stdin: never on the command line
    for secret in (SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN, "Atza|"):
        assert secret.encode() not in cmdlines[0] and secret.encode() not in environs[0]


class ExpiringTokens:
    """A sandbox whose wall clock jumps an hour and a second ahead once it has answered
    ``after`` searchListingsItems calls: every access token issued until then has expired,
    whoever holds it (the app's, handed over to the sync's child)."""

    def __init__(self, after: int) -> None:
        self.shift = 0.0
        self.searches = 0
        self.token_requests = 0
        self.after = after

    def wall_clock(self) -> float:
        return time.time() + self.shift

    def watch(self, app: SandboxApp) -> None:
        handled = app.handle

        def handle(method, path, *args, **kwargs):
            route = path.split("?")[0]
            self.token_requests += route == TOKEN_PATH
            if route.startswith("/listings/2021-08-01/items/") and method == "GET":
                self.searches += 1
                if self.searches == self.after + 1:
                    self.shift = 3601.0
            return handled(method, path, *args, **kwargs)

        app.handle = handle


@pytest.mark.slow  # a child sync end to end over a served sandbox
async def test_a_handed_token_expired_mid_sync_is_renewed_by_the_child_which_goes_on(
    tmp_path, child_pids
):
    # The child calls with the app's token until its usable_until; Amazon expiring it sooner
    # (revoked, a clock ahead) refused every later call with 403 and the child never asked
    # LWA: the listings past that point were lost. It asks LWA itself (its job carries the
    # refresh token over stdin, never its environment) and completes the sync.
    account = SandboxAccount(seed=11, listings=200)
    tokens = ExpiringTokens(after=3)
    app = SandboxApp(account, time_scale=TIME_SCALE, wall_clock=tokens.wall_clock)
    tokens.watch(app)
    server, base_url = serve_in_thread(app)
    service = child_service((account, base_url), tmp_path)
    try:
        await service.count_listings()  # the app holds a token now: handed to the child
        assert tokens.token_requests == 1
        summary = await service.sync(include_all=True)
    finally:
        await service.aclose()
        server.stop()
    assert tokens.shift  # the token did expire mid-sync
    assert child_pids
    assert summary.complete and not summary.failed
    assert summary.listings == len(account.search())
    assert tokens.token_requests == 2  # the child asked LWA once, not once a call
