"""The sandbox in-process: an httpx transport (sync and async) over a ``SandboxApp``.

Used by ``asin-tui --demo`` and by tests, so no socket is needed::

    client = httpx.AsyncClient(transport=SandboxTransport(app), base_url="https://sandbox")

Requests keep their real URLs; links the sandbox hands out (schema and report document URLs)
are built from the request's scheme and host, so they route back through the same transport.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx

from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import ReportTiming, SandboxApp, SandboxResponse
from asin_tui.sandbox.drift import Schedule
from asin_tui.store import paths
from asin_tui.store.atomic import ensure_private_dir, make_private_files

DEMO_ACCOUNT_FILE = "demo-account.json"
#: Seconds (sandbox time) the demo takes to apply an ACCEPTED patch, as Amazon processes
#: submissions later: the wizard's Verify says "Amazon is processing your change" meanwhile
#: and re-checks by itself (WizardBody.RECHECK_SECONDS), so the first re-check sees it.
DEMO_PATCH_DELAY = 4.0


class SandboxTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answers httpx requests from a SandboxApp; works for ``httpx.Client`` and
    ``httpx.AsyncClient``. Slow faults sleep (``asyncio.sleep`` in the async client)."""

    def __init__(self, app: SandboxApp) -> None:
        self.app = app

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self._answer(request, request.read())
        if answer.delay:
            time.sleep(answer.delay)
        return _to_httpx(answer)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = self._answer(request, await request.aread())
        if answer.delay:
            await asyncio.sleep(answer.delay)
        return _to_httpx(answer)

    def _answer(self, request: httpx.Request, body: bytes) -> SandboxResponse:
        url = request.url
        return self.app.handle(
            request.method,
            url.raw_path.split(b"?", 1)[0].decode("ascii"),
            url.query.decode("ascii"),
            request.headers.multi_items(),
            body,
            base_url=f"{url.scheme}://{url.netloc.decode('ascii')}",
        )


def _to_httpx(answer: SandboxResponse) -> httpx.Response:
    return httpx.Response(answer.status, headers=answer.headers, content=answer.body)


def demo_account_path(scenario: str = "default") -> Path:
    """Where the demo account's changes (the fixes a user applied) are kept between runs; a
    scenario other than the default keeps its own."""
    if scenario == "default":
        return paths.data_dir() / DEMO_ACCOUNT_FILE
    return paths.data_dir() / DEMO_ACCOUNT_FILE.replace(".json", f"-{scenario}.json")


def demo_app(
    reset: bool = False,
    *,
    patch_delay: float | None = None,
    scenario: str = "default",
    drift: float = 0.0,
    report_timing: ReportTiming | None = None,
    time_scale: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
    wall: Callable[[], float] = time.time,
) -> SandboxApp:
    """The sandbox behind ``asin-tui --demo``: the default demo account with the changes of
    earlier runs replayed, saved again after every ACCEPTED patch. ``reset`` starts fresh.
    ``patch_delay`` (default ``DEMO_PATCH_DELAY``) is how long an ACCEPTED patch takes to
    show; ``scenario`` ("vacation": the seller's account in vacation mode) is an account of its
    own, with its own saved fixes. ``drift`` (changes an hour, sandbox/drift.py) lets the
    account change by itself on the ``wall`` clock (epoch seconds) from midnight UTC, so every
    process that opens the demo the same day sees the same changes so far, with the fixes
    saved meanwhile in their places among them (the app, `report`, `watch --demo`). ``report_timing``:
    how long Amazon takes with a report (SandboxApp's; a test holds one back).
    ``time_scale`` and ``clock``: the sandbox clock (SandboxApp's; Amazon's pace by default).

    A data folder that cannot be used (not a folder, no permission, a full disk) does not
    stop the demo: it runs in memory, and ``app.account.notices`` says the fixes won't be
    kept and why (so does a journal that had to be set aside)."""
    delay = DEMO_PATCH_DELAY if patch_delay is None else patch_delay
    path = demo_account_path(scenario)
    schedule = _daily_drift(drift, wall)
    try:
        ensure_private_dir(path.parent)
        make_private_files(path)  # the demo seller's listings: nobody else's to read
        if reset:
            path.unlink(missing_ok=True)
        account = SandboxAccount.load_or_create(path, drift=schedule, scenario=scenario)
        account.follow(path)  # another process's fixes, saved meanwhile, show here too
        if schedule is not None:  # past midnight UTC: the new day's account, as a new process
            account.renewal = functools.partial(_next_day, account, path, scenario, drift, wall)
    except OSError as exc:
        account = SandboxAccount(scenario=scenario)
        if schedule is not None:
            account.drift_on(schedule)
        reason = exc.strerror or str(exc)
        account.notices.append(f"demo fixes won't be kept: {path.parent}: {reason}")
        return SandboxApp(
            account,
            patch_delay=delay,
            report_timing=report_timing,
            time_scale=time_scale,
            clock=clock,
        )
    return SandboxApp(
        account,
        on_accepted_patch=functools.partial(_keep_fix, account, path),
        patch_delay=delay,
        report_timing=report_timing,
        time_scale=time_scale,
        clock=clock,
    )


def _keep_fix(account: SandboxAccount, path: Path) -> None:
    """Save the demo's fixes after an accepted patch. A journal that cannot be written (a
    full disk, another session holding its lock too long) leaves the fix in this process
    only: ``account.notices`` says so, once per reason (the commands tell new notices after
    a batch, the app after a listing changed), never only a log line."""
    try:
        account.save(path)
    except (OSError, TimeoutError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        notice = f"demo fix not kept after this run: {path}: {reason}"
        if notice not in account.notices:
            account.notices.append(notice)


def _next_day(
    account: SandboxAccount,
    path: Path,
    scenario: str,
    per_hour: float,
    wall: Callable[[], float],
) -> SandboxAccount | None:
    """The demo account a process started now loads, once the UTC day has changed since
    ``account`` was loaded (None: the same day, or the journal cannot be read now: the next
    answer tries again). Every process open across midnight then sees what one started after
    it does, not the previous day's drift going on."""
    schedule = _daily_drift(per_hour, wall)
    if schedule is None or account.drift is None or schedule.origin == account.drift.origin:
        return None
    try:
        return SandboxAccount.load_or_create(path, drift=schedule, scenario=scenario)
    except OSError:
        return None


def _daily_drift(per_hour: float, wall: Callable[[], float]) -> Schedule | None:
    """``per_hour`` changes an hour counted on ``wall`` from today's midnight UTC (None: no
    drift). The origin names the day: a fix saved today is replayed in its place among today's
    changes, one saved on an earlier day before them (each day starts the drift over)."""
    if not per_hour:
        return None
    midnight = datetime.fromtimestamp(wall(), UTC).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    start = midnight.timestamp()
    return Schedule(per_hour, lambda: wall() - start, midnight.date().isoformat(), midnight)
