"""The demo's composition root: the one place where the simulated seller account
(:mod:`asin_tui.sandbox`) is wired to the real SP-API client and the service.

Production code (ui, service, spapi, store, domain) never imports the sandbox; the command
line imports this module, lazily, only for ``--demo`` (import-linter's contracts in
pyproject.toml say so and ``lint-imports`` checks it)."""

from __future__ import annotations

import functools
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from asin_tui.domain.marketplaces import Marketplace, resolve_marketplace
from asin_tui.sandbox.app import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_REFRESH_TOKEN,
    TOKEN_PATH,
    ReportTiming,
    SandboxApp,
)
from asin_tui.sandbox.transport import DEMO_PATCH_DELAY, SandboxTransport, demo_app
from asin_tui.service import (
    DEMO_MARKETPLACE_ID,
    FRESHNESS,
    AccountService,
    demo_profile,
    remove_cache,
)
from asin_tui.spapi.client import SpApi, open_client_for_transport
from asin_tui.spapi.settings import ClientCredentials, ClientSettings
from asin_tui.store.cache import ListingCache, cache_path
from asin_tui.store.schemas import SchemaFiles

DEMO_ENDPOINT = "https://sandbox.asin-tui.invalid"  # never resolved: the transport is in-process
#: The demo account drifts gently (changes an hour), so `watch --demo` and the app's "since
#: you last looked" have something to see; the same day, every process that opens the demo
#: (the app, `report`, `fix`, `watch`) sees the same changes (sandbox/drift.py)
DEMO_DRIFT_PER_HOUR = 4.0


@dataclass(frozen=True, slots=True)
class DemoSettings:
    """How the demo's simulated Amazon runs, and how its cache file is opened. The defaults
    are what ``asin-tui --demo`` does; a test passes its own (``cli.main(argv, demo=…)``,
    ``open_demo_service(settings=…)``): patches applied at once, a faster clock, one it winds
    forward, a drift of its own on a wall clock it sets, a disk that fills up."""

    #: sandbox seconds before an ACCEPTED patch shows (Amazon processes submissions later)
    patch_delay: float = DEMO_PATCH_DELAY
    #: how much faster than Amazon the sandbox clock runs (rates, report waits)
    time_scale: float = 1.0
    #: the sandbox's monotonic clock
    clock: Callable[[], float] = time.monotonic
    #: changes an hour the account makes by itself, counted from midnight UTC on ``wall``
    #: (None: DEMO_DRIFT_PER_HOUR; 0: it holds still)
    drift: float | None = None
    #: the wall clock (epoch seconds) the drift counts on
    wall: Callable[[], float] = time.time
    #: opens the demo's cache file for writing (None: store.cache.connect_cache, as for any
    #: account); a test passes one whose writes fail as on a full disk
    cache_connect: Callable[[Path], sqlite3.Connection] | None = None

    def drift_per_hour(self) -> float:
        """The changes an hour the demo account makes by itself."""
        return DEMO_DRIFT_PER_HOUR if self.drift is None else self.drift

    def cache(self, profile: str) -> ListingCache | None:
        """The cache of the demo account ``profile`` opened with ``cache_connect`` (None:
        the service opens it as usual)."""
        if self.cache_connect is None:
            return None
        return ListingCache(cache_path(profile, DEMO_MARKETPLACE_ID), connect=self.cache_connect)


DEMO = DemoSettings()


def _demo_app(
    settings: DemoSettings | None,
    reset: bool,
    scenario: str,
    *,
    report_timing: ReportTiming | None = None,
) -> SandboxApp:
    chosen = settings or DEMO
    return demo_app(
        reset,
        patch_delay=chosen.patch_delay,
        scenario=scenario,
        drift=chosen.drift_per_hour(),
        report_timing=report_timing,
        time_scale=chosen.time_scale,
        clock=chosen.clock,
        wall=chosen.wall,
    )


def sandbox_settings(
    marketplace: Marketplace,
    seller_id: str,
    endpoint: str,
    *,
    name: str = "sandbox",
    client_secret: str | None = None,
) -> ClientSettings:
    """Client settings for the sandbox seller account served at ``endpoint``, with its fixed,
    documented credentials (``client_secret`` overrides the secret, e.g. to test refusal)."""
    return ClientSettings(
        marketplace=marketplace,
        seller_id=seller_id,
        name=name,
        credentials=ClientCredentials(
            lwa_app_id=SANDBOX_CLIENT_ID,
            lwa_client_secret=client_secret or SANDBOX_CLIENT_SECRET,
            refresh_token=SANDBOX_REFRESH_TOKEN,
        ),
        endpoint=endpoint,
        token_endpoint=f"{endpoint}{TOKEN_PATH}",
        schema_cache=SchemaFiles(),
    )


def open_demo_client(
    reset: bool = False, scenario: str = "default", *, settings: DemoSettings | None = None
) -> SpApi:
    """The built-in sandbox seller account (``--demo``), in-process, at Amazon's real rates.
    ``reset`` starts the demo account fresh; ``scenario`` picks the account (sandbox
    SCENARIOS, e.g. "vacation"); ``settings``: how its Amazon runs (DemoSettings)."""
    return open_sandbox_app_client(_demo_app(settings, reset, scenario))


def open_sandbox_app_client(app: SandboxApp) -> SpApi:
    """A client for an in-process sandbox app (the demo's), at the app's time scale."""
    account = app.account
    marketplace = resolve_marketplace(account.marketplace.marketplace_id)
    settings = sandbox_settings(marketplace, account.seller_id, DEMO_ENDPOINT, name="demo")
    return open_client_for_transport(settings, SandboxTransport(app), time_scale=app.time_scale)


def open_demo_app_client(
    reset: bool = False, scenario: str = "default", *, settings: DemoSettings | None = None
) -> tuple[SpApi, list[str]]:
    """A client of the demo account, and what building it found to tell (the account's
    notices, the account's own list: a fix it cannot keep is added to it later): the app's
    lazily opened demo service builds its client with this."""
    app = _demo_app(settings, reset, scenario)
    return open_sandbox_app_client(app), app.account.notices


def open_demo_service(
    reset: bool = False,
    scenario: str = "default",
    *,
    report_timing: ReportTiming | None = None,
    settings: DemoSettings | None = None,
) -> AccountService:
    """The built-in sandbox account (in-process). `reset` starts it, and its cache, fresh.
    `scenario` ("vacation") is a demo account of its own, with its own cache and cases
    (profile ``demo-vacation``). The account drifts as ``settings`` say (every process that
    opens the demo the same day sees the same changes: sandbox/drift.py). `report_timing`: how long Amazon takes with a
    report (the sandbox's default; a test holds one back). `settings`: how its Amazon runs
    (DemoSettings)."""
    app = _demo_app(settings, reset, scenario, report_timing=report_timing)
    api = open_sandbox_app_client(app)
    profile = demo_profile(scenario)
    if reset:
        remove_cache(cache_path(profile, api.marketplace_id))
    service = AccountService(
        profile_name=profile,
        marketplace_id=api.marketplace_id,
        seller_id=api.seller_id,
        # after aclose: reopen, with the changes kept
        client_factory=functools.partial(open_demo_client, scenario=scenario, settings=settings),
        api=api,
        # the ages of what is kept (stock cover twice a day, Account Health every 6 hours…)
        # on the simulated Amazon's clock, as its rates and report times are
        freshness=FRESHNESS.scaled(app.time_scale),
        cache=settings.cache(profile) if settings else None,
    )
    service.notices = app.account.notices  # live: a fix the demo could not keep is added
    return service
