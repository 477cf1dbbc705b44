"""The batch engine (asin_tui/bulk.py) over the in-process sandbox seller account: only the
rows Amazon's preview finds VALID are sent, a killed batch resumes without sending a row
twice, and a 429 storm loses no row. What was sent is read from the wire (a transport that
logs every request) and from the sandbox's own account."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from asin_tui.bulk import BulkFix, BulkProgress, BulkRow, RowOutcome
from asin_tui.domain import codes
from asin_tui.domain.models import WizardStep
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from asin_tui.sandbox.faults import FaultInjector
from asin_tui.sandbox.transport import SandboxTransport
from asin_tui.service import AccountService, client_settings
from asin_tui.spapi.client import SpApi
from asin_tui.spapi.ratelimit import Backoff, RateLimiter
from asin_tui.store.cases import SUBMITTING, CaseStore, PatchMode
from tests.test_service import TIME_SCALE, make_service, sandbox_profile


class Killed(Exception):
    """The process dies here (a crash, Ctrl-C, a lost SSH session)."""


class LoggingTransport(SandboxTransport):
    """The sandbox over httpx, logging each SP-API request (method, SKU, preview or real);
    ``kill`` decides, request by request, whether the process dies before the request is
    sent ("before") or after the sandbox handled it and before its answer is read ("after")."""

    def __init__(self, app: SandboxApp) -> None:
        super().__init__(app)
        self.log: list[tuple[str, str, bool]] = []
        self.kill = lambda method, sku, preview: None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        entry = None
        if path.startswith("/listings/2021-08-01/items/"):
            sku = httpx.URL(request.url).path.rsplit("/", 1)[1]
            preview = b"VALIDATION_PREVIEW" in request.url.query
            entry = (request.method, sku, preview)
        when = self.kill(*entry) if entry else None
        if when == "before":
            raise Killed(f"killed before {entry}")
        response = await super().handle_async_request(request)
        if entry:
            self.log.append(entry)
        if when == "after":
            raise Killed(f"killed after {entry}")
        return response

    def real_patches(self, sku: str | None = None) -> list[str]:
        return [s for m, s, p in self.log if m == "PATCH" and not p and sku in (None, s)]


class AnsweringTransport(LoggingTransport):
    """A LoggingTransport where Amazon answers some SKUs' patches itself: ``refused`` — the
    VALIDATION_PREVIEW says INVALID although the local checks passed (an issue only Amazon
    knows of); ``throttled`` — every real submit is refused with 429 QuotaExceeded (the part
    of a storm that never lets a row through). Both are logged like any other request."""

    def __init__(self, app: SandboxApp, *, refused=(), throttled=()) -> None:
        super().__init__(app)
        self.refused, self.throttled = set(refused), set(throttled)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "PATCH" and path.startswith("/listings/2021-08-01/items/"):
            sku = path.rsplit("/", 1)[1]
            preview = b"VALIDATION_PREVIEW" in request.url.query
            if preview and sku in self.refused:
                self.log.append(("PATCH", sku, True))
                issue = {
                    "code": "90244",
                    "message": "The quantity cannot be set for this listing yet.",
                    "severity": "ERROR",
                    "attributeNames": ["fulfillment_availability"],
                }
                body = {"sku": sku, "status": "INVALID", "submissionId": "p-1", "issues": [issue]}
                return httpx.Response(200, json=body)
            if not preview and sku in self.throttled:
                self.log.append(("PATCH", sku, False))
                error = {
                    "code": "QuotaExceeded",
                    "message": "You exceeded your quota.",
                    "details": "",
                }
                return httpx.Response(429, json={"errors": [error]})
        return await super().handle_async_request(request)


def skus_with(account: SandboxAccount, cause: str, n: int) -> list[str]:
    found = [s for s in account.search(sort_by="sku") if account.intended_causes(s) == {cause}]
    assert len(found) >= n, f"the sandbox has {len(found)} listings with only {cause}"
    return found[:n]


@pytest.fixture
def app() -> SandboxApp:
    return SandboxApp(SandboxAccount(seed=11, listings=120), time_scale=TIME_SCALE)


async def synced(app: SandboxApp, transport: SandboxTransport | None = None, **kw):
    service = make_service(app, transport, **kw)
    await service.sync(include_all=True)
    return service


async def test_a_mixed_batch_sends_only_the_rows_amazon_found_valid():
    app = SandboxApp(SandboxAccount(seed=11, listings=160), time_scale=TIME_SCALE)  # 5 to fix
    out_of_stock = skus_with(app.account, codes.OUT_OF_STOCK_MFN, 5)
    good = out_of_stock[:2]
    amazon_says_no = out_of_stock[4]  # passes every local check; Amazon's preview refuses it
    transport = AnsweringTransport(app, refused=[amazon_says_no])
    service = await synced(app, transport)
    rows = [
        BulkRow(good[0], {"quantity": "7", "handling_time": "5"}, line=2),
        BulkRow(out_of_stock[2], {"quantity": "0"}, line=3),  # 0 keeps it out of stock
        BulkRow(good[1], {"quantity": "3"}, line=4),
        BulkRow(out_of_stock[3], {"quantity": "many"}, line=5),  # the schema refuses it
        BulkRow("NO-SUCH-SKU", {"quantity": "1"}, line=6),
        BulkRow(amazon_says_no, {"quantity": "6"}, line=7),
    ]
    seen: list[BulkProgress] = []
    engine = BulkFix(service, progress=seen.append, time_scale=TIME_SCALE)
    try:
        results = await engine.validate(rows)
        assert [r.sku for r in results] == [r.sku for r in rows]  # in the rows' order
        assert [r.outcome for r in results] == [
            RowOutcome.VALID,
            RowOutcome.INVALID,
            RowOutcome.VALID,
            RowOutcome.INVALID,
            RowOutcome.INVALID,
            RowOutcome.INVALID,
        ]
        assert "At least 1 unit" in results[1].issues[0]["message"]
        assert results[3].issues[0]["attributeNames"] == ["quantity"]
        assert "not in the local cache" in results[4].issues[0]["message"]
        # Amazon's own refusal: its answer, with the patches it was asked about
        refused = results[5]
        assert refused.preview == "INVALID" and refused.patches and not refused.valid
        assert refused.issues[0]["code"] == "90244"
        # only the rows that passed the local check were previewed, and nothing was written
        previews = [s for m, s, p in transport.log if m == "PATCH" and p]
        assert sorted(previews) == sorted([*good, amazon_says_no])
        assert transport.real_patches() == []
        assert results[0].changes[0] == "Set quantity to 7 (was 0)"
        assert results[0].changes[1].startswith("Set handling time to 5 days")

        applied = await engine.apply(results)
        assert sorted(transport.real_patches()) == sorted(good)
        for result in applied:
            if result.sku in good:
                assert result.submitted and result.submission_id
                assert result.outcome is RowOutcome.FIXED and result.state_after == "ACTIVE"
            else:
                assert not result.submitted and result.outcome is RowOutcome.INVALID
        assert app.account.intended_causes(good[0]) == set()  # the sandbox really has it
        # progress per listing: the real submit with Amazon's answer, the case resolved
        saved = CaseStore(service.profile_name, service.marketplace_id).get(good[0])
        real = [p for p in saved.patches if p.mode is PatchMode.REAL]
        assert [(p.status, p.submission_id) for p in real] == [
            ("ACCEPTED", applied[0].submission_id)
        ]
        assert saved.outcome.value == "resolved"
    finally:
        await service.aclose()
    # the progress bar went from 0 to all, phase by phase, with counts
    validate = [p for p in seen if p.phase == "validate"]
    assert validate[0].done == 0 and validate[-1].done == validate[-1].total == 6
    assert validate[-1].counts == {RowOutcome.VALID: 2, RowOutcome.INVALID: 4}
    assert all(p.eta_seconds is not None for p in validate)


@pytest.mark.parametrize("when", ["after", "before"])
async def test_a_batch_killed_during_a_submit_resumes_without_sending_it_twice(app, when):
    """Killed "after": the sandbox took the submit, the answer never reached the progress
    file (SUBMITTING); the rerun re-reads the listing, sees the change and sends nothing.
    Killed "before": the submit never left; the rerun holds it while Amazon might still be
    processing it, and sends it once that time has passed."""
    transport = LoggingTransport(app)
    service = await synced(app, transport)
    skus = skus_with(app.account, codes.OUT_OF_STOCK_MFN, 3)
    rows = [BulkRow(sku, {"quantity": "4"}) for sku in skus]
    victim = skus[1]
    engine = BulkFix(service, concurrency=1, time_scale=TIME_SCALE)
    validated = await engine.validate(rows)
    transport.kill = lambda m, s, p: when if (m, s, p) == ("PATCH", victim, False) else None
    with pytest.raises(ExceptionGroup) as caught:
        await engine.apply(validated)
    assert caught.group_contains(Killed)
    store = CaseStore(service.profile_name, service.marketplace_id)
    assert [p.status for p in store.get(victim).patches] == [SUBMITTING]
    await service.aclose()

    # a new process runs the same batch again
    transport.kill = lambda m, s, p: None
    transport.log.clear()
    service = make_service(app, transport)
    later = datetime.now(UTC)
    engine = BulkFix(service, concurrency=1, time_scale=TIME_SCALE, now=lambda: later)
    try:
        results = await engine.apply(await engine.validate(rows))
        by_sku = {r.sku: r for r in results}
        assert by_sku[skus[0]].resumed and by_sku[skus[0]].submitted  # accepted before the kill
        assert transport.real_patches(skus[0]) == []
        if when == "after":
            assert transport.real_patches(victim) == []
            assert by_sku[victim].submitted and by_sku[victim].resumed
            assert by_sku[victim].outcome is RowOutcome.FIXED
        else:
            assert transport.real_patches(victim) == []
            assert by_sku[victim].outcome is RowOutcome.HELD
            assert "not sent again" in by_sku[victim].reason
        assert transport.real_patches(skus[2]) == [skus[2]]  # never sent before: sent now

        if when == "before":  # long after: it never landed, so it is sent, once
            later = datetime.now(UTC) + timedelta(hours=1)
            results = await engine.apply(await engine.validate(rows))
            assert transport.real_patches(victim) == [victim]
            assert {r.sku: r for r in results}[victim].outcome is RowOutcome.FIXED
            real = [p for p in store.get(victim).patches if p.mode is PatchMode.REAL]
            assert [p.status for p in real] == ["ACCEPTED"]  # the one record, settled
    finally:
        await service.aclose()
    # every SKU was changed by exactly one accepted submit at the sandbox
    assert all(app.account.intended_causes(sku) == set() for sku in skus)


async def test_applying_saves_each_row_twice_before_the_submit_and_after_its_answer(
    app, monkeypatch
):
    """The progress a resume needs, and no more: SUBMITTING before the call, then Amazon's
    answer with how the listing stands after its re-read, in one save (it was three: the
    answer and the outcome apart); one read of the saved case a row."""
    service = await synced(app)
    skus = skus_with(app.account, codes.OUT_OF_STOCK_MFN, 4)
    engine = BulkFix(service, time_scale=TIME_SCALE)
    validated = await engine.validate([BulkRow(sku, {"quantity": "6"}) for sku in skus])
    saves: list[tuple[str, list[str]]] = []
    reads: list[str] = []
    update, get = CaseStore.update, CaseStore.get

    def counted_update(store, sku, change):
        saved = update(store, sku, change)
        saves.append((sku, [p.status for p in saved.patches if p.mode is PatchMode.REAL]))
        return saved

    def counted_get(store, sku):
        reads.append(sku)
        return get(store, sku)

    monkeypatch.setattr(CaseStore, "update", counted_update)
    monkeypatch.setattr(CaseStore, "get", counted_get)
    try:
        results = await engine.apply(validated)
    finally:
        await service.aclose()
    assert all(r.outcome is RowOutcome.FIXED for r in results)
    for sku in skus:
        assert [statuses for s, statuses in saves if s == sku] == [[SUBMITTING], ["ACCEPTED"]]
        assert reads.count(sku) == 1
    saved = CaseStore(service.profile_name, service.marketplace_id).get(skus[0])
    assert saved.outcome.value == "resolved"  # the answer and the outcome, saved together
    assert "Bulk fix sent: Set quantity to 6" in saved.steps[WizardStep.APPLY].notes


async def test_a_batch_leaves_its_answers_to_be_freed_at_once_not_by_the_collector(app):
    """Every call's answer (httpx's response and the stream bound to it, which holds it) is
    freed as soon as it is read, not left as a reference cycle for the collector's full
    passes: those walk every object (every thread waits, the UI's too) and the memory stays
    held until one runs — with thousands of calls a batch, pauses a keystroke waits for."""
    service = await synced(app)
    skus = skus_with(app.account, codes.OUT_OF_STOCK_MFN, 3)
    engine = BulkFix(service, time_scale=TIME_SCALE)
    rows = [BulkRow(sku, {"quantity": "5"}) for sku in skus]
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        results = await engine.apply(await engine.validate(rows))
        gc.collect()
        left = [o for o in gc.garbage if isinstance(o, (httpx.Response, httpx.Request))]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        await service.aclose()
    assert [r.outcome for r in results] == [RowOutcome.FIXED] * 3  # 9 calls answered
    assert left == []


class UnansweredTransport(LoggingTransport):
    """The victim's real submit gets no answer: "lost" — the sandbox processed it and the
    answer timed out on the way back; "5xx" — Amazon answered 503 without processing it.
    While ``reads_fail``, every read of the victim answers 503 too (the double failure)."""

    def __init__(self, app: SandboxApp, victim: str, how: str) -> None:
        super().__init__(app)
        self.victim, self.how, self.reads_fail, self.armed = victim, how, True, True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        mine = path.startswith("/listings/2021-08-01/items/") and path.endswith(f"/{self.victim}")
        if mine and request.method == "GET" and self.reads_fail:
            return httpx.Response(503, json={"errors": [{"code": "ServiceUnavailable"}]})
        real = request.method == "PATCH" and b"VALIDATION_PREVIEW" not in request.url.query
        if mine and real and self.armed:
            self.armed = False
            if self.how == "5xx":
                self.log.append(("PATCH", self.victim, False))
                return httpx.Response(503, json={"errors": [{"code": "ServiceUnavailable"}]})
            await super().handle_async_request(request)  # logged: the sandbox has it
            raise httpx.ReadTimeout("the answer never came", request=request)
        return await super().handle_async_request(request)


@pytest.mark.parametrize("how", ["lost", "5xx"])
async def test_a_submit_without_an_answer_whose_listing_cannot_be_reread_is_not_sent_twice(
    app, how
):
    """The double failure: a real submit gets no answer (a timeout, a 5xx) and the re-read
    that would tell whether it landed fails too. The row is sent once only — neither the
    client nor the batch resends it blind — saved as NO_ANSWER and HELD; the next run
    re-reads it first: a change Amazon took is settled without a resend, one that never
    showed is held while Amazon could still be processing it and sent once after that."""
    skus = skus_with(app.account, codes.OUT_OF_STOCK_MFN, 3)
    victim = skus[1]
    transport = UnansweredTransport(app, victim, how)
    transport.reads_fail = False
    service = await synced(app, transport, backoff=Backoff(tries=3, base=0.001, cap=0.01))
    rows = [BulkRow(sku, {"quantity": "4"}) for sku in skus]
    store = CaseStore(service.profile_name, service.marketplace_id)
    engine = BulkFix(service, concurrency=1, row_pause=1.0, time_scale=TIME_SCALE)
    try:
        validated = await engine.validate(rows)
        transport.reads_fail = True
        results = {r.sku: r for r in await engine.apply(validated)}
    finally:
        await service.aclose()
    assert sorted(transport.real_patches()) == sorted(skus)  # each once: the victim too
    held = results[victim]
    assert held.outcome is RowOutcome.HELD and not held.submitted
    assert "could not be re-read" in held.reason and "not sent again" in held.reason
    assert [p.status for p in store.get(victim).patches if p.mode is PatchMode.REAL] == [
        "NO_ANSWER"
    ]
    assert all(results[s].outcome is RowOutcome.FIXED for s in skus if s != victim)

    # the next run, soon after: the listing is read first
    transport = LoggingTransport(app)
    service = make_service(app, transport)
    engine = BulkFix(service, concurrency=1, time_scale=TIME_SCALE)
    try:
        again = {r.sku: r for r in await engine.apply(await engine.validate(rows))}
        assert transport.real_patches() == []  # nothing sent twice, the victim neither
        if how == "lost":  # Amazon had it: settled from the listing, not resent
            assert again[victim].submitted and again[victim].resumed
            assert again[victim].outcome is RowOutcome.FIXED
        else:  # never showed, and Amazon could still be processing it: held
            assert again[victim].outcome is RowOutcome.HELD
            later = datetime.now(UTC) + timedelta(hours=1)
            engine = BulkFix(service, concurrency=1, time_scale=TIME_SCALE, now=lambda: later)
            last = {r.sku: r for r in await engine.apply(await engine.validate(rows))}
            assert transport.real_patches() == [victim]  # sent once, long after
            assert last[victim].outcome is RowOutcome.FIXED
        real = [p for p in store.get(victim).patches if p.mode is PatchMode.REAL]
        assert [p.status for p in real] == ["ACCEPTED"]  # the one record, settled
    finally:
        await service.aclose()
    assert app.account.intended_causes(victim) == set()


async def test_a_429_storm_during_a_batch_loses_no_row():
    account = SandboxAccount(seed=11, listings=120, problem_share=0.9)
    clean = SandboxApp(account, time_scale=TIME_SCALE)
    service = await synced(clean)
    await service.aclose()
    skus = skus_with(account, codes.OUT_OF_STOCK_MFN, 8)
    storm = SandboxApp(account, time_scale=TIME_SCALE, faults=FaultInjector({"429": 0.6}, seed=5))
    beaten = skus[:3]  # the storm never lets their submits through: those rows fail
    transport = AnsweringTransport(storm, throttled=beaten)
    service = make_service(storm, transport, backoff=Backoff(tries=3, base=0.001, cap=0.01))
    engine = BulkFix(service, row_tries=2, row_pause=1.0, time_scale=TIME_SCALE)
    rows = [BulkRow(sku, {"quantity": "9"}) for sku in skus]
    try:
        results = await engine.apply(await engine.validate(rows))
        assert service._client().throttled["patchListingsItem"] > len(skus)  # a storm it was
    finally:
        await service.aclose()
    assert [r.sku for r in results] == skus  # every row has its result
    failed = [r for r in results if r.outcome is RowOutcome.FAILED]
    done = [r for r in results if r.submitted]
    assert len(failed) + len(done) == len(skus), [(r.sku, r.outcome) for r in results]
    assert all("throttled" in r.reason for r in failed)
    assert set(beaten) <= {r.sku for r in failed}
    assert done, "some rows get through a 60% storm"
    for result in done:  # sent and processed exactly once
        assert account.intended_causes(result.sku) == set()
    for result in failed:
        assert account.intended_causes(result.sku) == {codes.OUT_OF_STOCK_MFN}

    # the storm is over: the same batch again sends what failed, once, and nothing else
    transport = LoggingTransport(clean)
    service = make_service(clean, transport)
    engine = BulkFix(service, time_scale=TIME_SCALE)
    try:
        again = await engine.apply(await engine.validate(rows))
    finally:
        await service.aclose()
    assert sorted(transport.real_patches()) == sorted(r.sku for r in failed)
    assert all(r.submitted for r in again)
    assert all(account.intended_causes(sku) == set() for sku in skus)


async def test_a_change_amazon_has_not_processed_yet_waits_on_amazon_until_it_shows():
    """Amazon applies an accepted patch later: right after the submit the listing is WAITING
    on Amazon (saved as the wizard's outcome, with its re-check date); ``recheck`` looks again
    until it shows, then it is fixed (resolved)."""
    account = SandboxAccount(seed=11, listings=120)
    app = SandboxApp(account, time_scale=TIME_SCALE, patch_delay=0.5 * TIME_SCALE)  # 0.5 s
    service = await synced(app)
    sku = skus_with(account, codes.OUT_OF_STOCK_MFN, 1)[0]
    engine = BulkFix(service, time_scale=100.0)  # re-checks every 0.05 s
    store = CaseStore(service.profile_name, service.marketplace_id)
    try:
        results = await engine.apply(await engine.validate([BulkRow(sku, {"quantity": "6"})]))
        assert results[0].submitted and results[0].outcome is RowOutcome.WAITING
        assert results[0].state_after != "ACTIVE"
        assert "Amazon to process your change" in results[0].reason
        saved = store.get(sku)
        assert saved.outcome.value == "waiting" and saved.recheck_at is not None
        assert results[0].submission_id in saved.waiting_for

        results = await engine.recheck(results, wait=30.0)
        assert results[0].outcome is RowOutcome.FIXED and results[0].state_after == "ACTIVE"
        assert store.get(sku).outcome.value == "resolved"
    finally:
        await service.aclose()


async def test_recheck_ends_as_soon_as_amazon_has_processed_every_change(monkeypatch):
    """The summary comes when the last waiting listing settles, not a re-check pause later;
    while some are still processing, the progress says it looks again."""
    from asin_tui import bulk
    from asin_tui.bulk import RowResult

    class Store:  # recheck touches no saved progress here: _verify is the stand-in below
        pass

    seen: list[BulkProgress] = []
    engine = BulkFix(Store(), store=Store(), progress=seen.append)  # type: ignore[arg-type]
    passes = {"n": 0}

    async def verify(result: RowResult) -> RowResult:
        # the first look finds one still processing, the second finds both applied
        result.outcome = RowOutcome.FIXED if passes["n"] or result.sku == "A" else result.outcome
        return result

    async def count_pass(phase, items, work):
        out = [await work(i) for i in items]
        engine._progress(
            BulkProgress(
                phase,
                len(items),
                len(items),
                {RowOutcome.WAITING: sum(r.outcome is RowOutcome.WAITING for r in out)},
                0.0,
                0.0,
            )
        )
        passes["n"] += 1
        return out

    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)

    monkeypatch.setattr(engine, "_verify", verify)
    monkeypatch.setattr(engine, "_each", count_pass)
    monkeypatch.setattr(bulk.asyncio, "sleep", pause)
    rows = [RowResult("A", outcome=RowOutcome.WAITING), RowResult("B", outcome=RowOutcome.WAITING)]
    results = await engine.recheck(rows, wait=60.0)
    assert [r.outcome for r in results] == [RowOutcome.FIXED, RowOutcome.FIXED]
    assert passes["n"] == 2 and len(pauses) == 1  # one pause between the looks, none after
    assert "1 still processing at Amazon: looking again" in seen[0].message


async def test_bulk_sent_listings_say_what_happened_in_progress_and_close_once_on_sale(capsys):
    """`asin-tui progress` after a bulk send: each listing says it was sent (what, when, the
    submission id) and how it stands — waiting on Amazon, fixed, or applied and still off sale
    (at Verify, with what is left) — never 'open / Overview / no note'; one still off sale is
    resolved by the sync that finds it back on sale, like a wait."""
    from asin_tui.cli import main

    account = SandboxAccount(seed=11, listings=120)
    ahead = [0.0]  # real seconds the sandbox's clock is moved on past time.monotonic()
    app = SandboxApp(
        account,
        time_scale=TIME_SCALE,
        patch_delay=0.5 * TIME_SCALE,  # 0.5 s
        clock=lambda: time.monotonic() + ahead[0],
    )
    service = await synced(app, name="demo")  # what `asin-tui progress --demo` reads
    waiting = skus_with(account, codes.OUT_OF_STOCK_MFN, 1)[0]
    (two_causes, *_) = [
        s
        for s in account.search(sort_by="sku")
        if account.intended_causes(s) == {codes.OUT_OF_STOCK_MFN, codes.MISSING_ATTRIBUTE}
    ]
    engine = BulkFix(service, time_scale=100.0)
    store = CaseStore(service.profile_name, service.marketplace_id)
    try:
        rows = [BulkRow(waiting, {"quantity": "6"}), BulkRow(two_causes, {"quantity": "4"})]
        results = await engine.apply(await engine.validate(rows))
        assert [r.outcome for r in results] == [RowOutcome.WAITING, RowOutcome.WAITING]
        for result in results:
            case = store.get(result.sku)
            assert (case.outcome.value, case.current_step.value) == ("waiting", "verify")
            assert case.last_note().startswith("Bulk fix sent: ")
            assert result.changes[0] in case.last_note()
            assert result.submission_id in case.last_note()
        capsys.readouterr()
        code, out, _ = (main(["progress", "--demo"]), *capsys.readouterr())
        assert code == 0
        lines = {line.split()[0]: line for line in out.splitlines()[3:]}
        assert set(lines) == {waiting, two_causes}
        for line in lines.values():
            assert " Verify " in line and " waiting " in line and "Bulk fix sent: " in line
            assert "Overview" not in line

        results = await engine.recheck(results, wait=30.0)  # Amazon applies both changes
        assert [r.outcome for r in results] == [RowOutcome.FIXED, RowOutcome.NOT_FIXED]
        assert store.get(waiting).outcome.value == "resolved"
        left = store.get(two_causes)
        assert (left.outcome.value, left.current_step.value) == ("open", "verify")
        assert left.last_note().startswith("Change applied; still ")
        code, out, _ = (main(["progress", "--demo"]), *capsys.readouterr())
        (line,) = out.splitlines()[3:]
        assert line.startswith(two_causes) and " Verify " in line and " open " in line
        assert "Change applied; still SUPPRESSED: Missing required attribut" in line

        # the seller fixes what is left elsewhere (Seller Central): the next sync closes it
        missing = service.diagnosis(two_causes).findings
        attribute = next(a for f in missing for a in f.attributes)
        drafted = engine.check(BulkRow(two_causes, {attribute: "Acme"}))
        assert drafted.ready, drafted
        assert (await service.patch(two_causes, drafted.patches, preview=False)).ok
        ahead[0] += 0.6  # Amazon applies it: its clock moved past the patch delay, no wait
        summary = await service.sync(include_all=True)
        closed = store.get(two_causes)
        assert closed.outcome.value == "resolved", summary.rechecked
        assert "back on sale after the change sent" in closed.check_note
        code, out, _ = (main(["progress", "--demo"]), *capsys.readouterr())
        assert out.startswith("No open, waiting or escalated triage work")
    finally:
        await service.aclose()


async def test_the_same_file_run_again_after_amazon_applied_an_attribute_sends_nothing(app):
    """README: "Run the same file again … a row Amazon already accepted is not sent again".
    An attribute the listing lacked is sent as an `add`; once Amazon applied it (and the
    batch's re-read stored the listing), the same row drafts a `replace` of the same value:
    still the change Amazon accepted — resumed, never submitted a second time."""
    from asin_tui.domain.causes import bulk_columns, record_causes

    transport = LoggingTransport(app)
    service = await synced(app, transport)
    records = service.cached_records(all_listings=True)
    sku, column = next(
        (r.sku, columns[0])
        for r in records
        for key in record_causes(r)
        if (columns := bulk_columns(key)) and key.code == codes.MISSING_ATTRIBUTE
    )
    rows = [BulkRow(sku, {column: "Acme"})]
    engine = BulkFix(service, time_scale=TIME_SCALE)
    try:
        first = await engine.apply(await engine.validate(rows))
        assert first[0].submitted and first[0].patches[0]["op"] == "add"
        assert column in service.evidence(sku).listing.attributes  # re-read: Amazon has it
        again = await engine.validate(rows)
        assert again[0].patches[0]["op"] == "replace"  # the same value, as the listing is now
        results = await engine.apply(again)
    finally:
        await service.aclose()
    assert transport.real_patches(sku) == [sku]  # once
    assert results[0].submitted and results[0].resumed
    assert results[0].submission_id == first[0].submission_id


async def test_a_throttled_row_is_marked_submitting_before_it_is_resent(app):
    """A row Amazon refused with 429 on every try is saved THROTTLED, and the next run sends
    it again without a re-read (Amazon processed none of those tries). That resend is saved
    as SUBMITTING first, with its own time: a batch killed between the resend and its
    answer is resumed by re-reading the listing — never by sending it a second time."""
    (sku,) = skus_with(app.account, codes.OUT_OF_STOCK_MFN, 1)
    rows = [BulkRow(sku, {"quantity": "4"})]
    transport = AnsweringTransport(app, throttled=[sku])
    service = await synced(app, transport, backoff=Backoff(tries=2, base=0.001, cap=0.01))
    store = CaseStore(service.profile_name, service.marketplace_id)
    engine = BulkFix(service, row_tries=1, time_scale=TIME_SCALE)
    try:
        (result,) = await engine.apply(await engine.validate(rows))
    finally:
        await service.aclose()
    assert result.outcome is RowOutcome.FAILED and "throttled" in result.reason
    assert [p.status for p in store.get(sku).patches] == ["THROTTLED"]
    assert app.account.intended_causes(sku) == {codes.OUT_OF_STOCK_MFN}

    # the next run resends it; the process dies once Amazon took it, before its answer
    transport.throttled.clear()
    transport.log.clear()
    transport.kill = lambda m, s, p: "after" if (m, s, p) == ("PATCH", sku, False) else None
    service = make_service(app, transport)
    engine = BulkFix(service, concurrency=1, time_scale=TIME_SCALE)
    try:
        with pytest.raises(ExceptionGroup) as caught:
            await engine.apply(await engine.validate(rows))
    finally:
        await service.aclose()
    assert caught.group_contains(Killed)
    assert transport.real_patches(sku) == [sku]
    assert [p.status for p in store.get(sku).patches] == [SUBMITTING]

    # resumed: the listing is re-read, shows the change, and nothing is sent again
    transport.kill = lambda m, s, p: None
    transport.log.clear()
    service = make_service(app, transport)
    engine = BulkFix(service, concurrency=1, time_scale=TIME_SCALE)
    try:
        (again,) = await engine.apply(await engine.validate(rows))
    finally:
        await service.aclose()
    assert transport.real_patches(sku) == []
    assert again.submitted and again.resumed and again.outcome is RowOutcome.FIXED
    assert [p.status for p in store.get(sku).patches] == ["ACCEPTED"]  # one record, settled


class ArrivalTransport(LoggingTransport):
    """A LoggingTransport that also notes every real submit as it arrives (before the sandbox
    handles it, whatever happens to it next)."""

    def __init__(self, app: SandboxApp) -> None:
        super().__init__(app)
        self.arrived: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "PATCH" and b"VALIDATION_PREVIEW" not in request.url.query:
            self.arrived.append(path.rsplit("/", 1)[1])
        return await super().handle_async_request(request)


async def test_a_batch_killed_while_rows_wait_for_amazons_rate_holds_none_of_them():
    """Rows run ``concurrency`` at a time, and wait for patchListingsItem's rate inside the
    client. A row was saved SUBMITTING when taken, before that wait: a batch killed then left
    every waiting row "sent, no answer", and the next run held each of them for 15 minutes
    although none had left. It is saved when its request is about to leave."""
    app = SandboxApp(SandboxAccount(seed=11, listings=300), time_scale=TIME_SCALE)
    transport = ArrivalTransport(app)
    fast = await synced(app, transport)
    skus = skus_with(app.account, codes.OUT_OF_STOCK_MFN, 10)
    rows = [BulkRow(sku, {"quantity": "4"}) for sku in skus]
    try:
        validated = await BulkFix(fast, time_scale=TIME_SCALE).validate(rows)
    finally:
        await fast.aclose()
    # the same account, its client paced at half Amazon's rate (after the burst of 5, a token
    # every 0.4 s): the batch dies as the 6th submit reaches Amazon, the 4 others waiting
    profile = sandbox_profile(app.account)
    slow = AccountService(
        profile_name=profile.name,
        marketplace_id=profile.marketplace.marketplace_id,
        seller_id=profile.seller_id,
        client_factory=lambda: SpApi(
            client_settings(profile),
            http_client=httpx.AsyncClient(transport=transport),
            limiter=RateLimiter(time_scale=0.5),
        ),
    )
    transport.kill = lambda m, s, p: "after" if len(transport.arrived) == 6 else None
    engine = BulkFix(slow, concurrency=10, time_scale=TIME_SCALE)
    try:
        with pytest.raises(ExceptionGroup) as caught:
            await engine.apply(validated)
    finally:
        await slow.aclose()
    assert caught.group_contains(Killed)
    had_a_token = set(transport.arrived)  # reached Amazon before the process died
    async with engine._local:  # the saves the engine had begun are done (its lock is FIFO)
        store = CaseStore(profile.name, profile.marketplace.marketplace_id)
        saved = {sku: store.get(sku) for sku in skus}
    submitting = {s for s, case in saved.items() if case and case.patches}
    # those that had their rate token: 6 (7 if the next came while the 6th was on its way,
    # on a loaded machine); it was every row taken: 10
    assert 6 <= len(submitting) <= 7

    transport.kill = lambda m, s, p: None
    again = make_service(app, transport)
    try:
        results = await BulkFix(again, time_scale=TIME_SCALE).apply(
            await BulkFix(again, time_scale=TIME_SCALE).validate(rows)
        )
    finally:
        await again.aclose()
    held = {r.sku for r in results if r.outcome is RowOutcome.HELD}
    # Held: a row saved as about to leave that the kill stopped before it reached Amazon. Only
    # 6 (or 7) rows had their rate token, so those held and those that reached Amazon are 7
    # at most (it was every row taken: the 4 still waiting for the rate were held too)
    assert len(held | had_a_token) <= 7
    for sku in set(skus) - held:  # every other row was sent once, in one run or the other
        assert transport.arrived.count(sku) == 1, sku


class MangledSubmits(LoggingTransport):
    """Real submits reach the sandbox (Amazon takes them), but their answer comes back as
    ``answer`` (a proxy's or a broken one); previews are answered as ever."""

    answer: dict = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        real = request.method == "PATCH" and b"VALIDATION_PREVIEW" not in request.url.query
        if real and request.url.path.startswith("/listings/2021-08-01/items/"):
            return httpx.Response(200, json=self.answer)
        return response


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        # a status no submit has: taken for refused, and the next run sent it again
        ({"status": "\x1b[2JACCEPTED", "submissionId": "s-1", "issues": []}, RowOutcome.HELD),
        ({"status": "VALID", "submissionId": "s-1", "issues": []}, RowOutcome.HELD),
        # megabytes of submission id: saved in the case and printed in the row's reason
        ({"status": "ACCEPTED", "submissionId": "\x1b[2J" + "A" * 1_000_000}, None),
        ({"status": "ACCEPTED", "submissionId": {"id": [1]}}, None),
    ],
    ids=["hostile status", "preview status", "huge id", "id not text"],
)
async def test_a_submit_answered_out_of_amazons_shape_is_never_sent_twice(app, answer, outcome):
    service = await synced(app)
    await service.aclose()
    sku = skus_with(app.account, codes.OUT_OF_STOCK_MFN, 1)[0]
    # Amazon has it, not applied yet: the listing does not show it
    app = SandboxApp(app.account, time_scale=TIME_SCALE, patch_delay=3600.0)
    transport = MangledSubmits(app)
    transport.answer = answer
    rows = [BulkRow(sku, {"quantity": "7"})]
    for _ in range(2):  # the batch, then the same batch run again
        service = make_service(app, transport)
        engine = BulkFix(service, time_scale=TIME_SCALE)
        try:
            (result,) = await engine.apply(await engine.validate(rows))
        finally:
            await service.aclose()
        if outcome is not None:
            assert result.outcome is outcome, result.reason
        assert result.submission_id is None
        assert len(result.reason) < 1_000 and "\x1b" not in result.reason
    assert transport.real_patches(sku) == [sku]  # sent once: the rerun re-read it


class ReadTogether:
    """A case store (delegating to ``store``) whose reads of a SKU's progress wait until
    the other engine has read it too: two runs that both see no earlier submit."""

    def __init__(self, store: CaseStore, barriers: dict[str, threading.Barrier]) -> None:
        self._store, self._barriers = store, barriers

    def get(self, sku: str):
        found = self._store.get(sku)
        with contextlib.suppress(threading.BrokenBarrierError):
            self._barriers[sku].wait(timeout=5)
        return found

    def __getattr__(self, name: str):
        return getattr(self._store, name)


async def test_two_asin_tui_applying_the_same_rows_at_once_send_each_once(app):
    """Two asin-tui on one account apply the same file at the same time (a cron job and
    the seller at a terminal, two terminals): both read no earlier submit of a row, so both
    sent it. The SUBMITTING save right before a send claims the row: the run that saves
    second finds the other's claim in the same transaction and sends nothing (HELD)."""
    transport = LoggingTransport(app)
    first = await synced(app, transport)
    second = make_service(app, transport)
    skus = skus_with(app.account, codes.OUT_OF_STOCK_MFN, 3)
    rows = [BulkRow(sku, {"quantity": "4"}) for sku in skus]
    barriers = {sku: threading.Barrier(2) for sku in skus}
    engines = [
        BulkFix(
            service,
            concurrency=1,
            time_scale=TIME_SCALE,
            store=ReadTogether(CaseStore(service.profile_name, service.marketplace_id), barriers),
        )
        for service in (first, second)
    ]
    try:
        validated = [await engine.validate(rows) for engine in engines]
        transport.log.clear()
        results = await asyncio.gather(
            *(e.apply(v) for e, v in zip(engines, validated, strict=True))
        )
    finally:
        await first.aclose()
        await second.aclose()
    assert sorted(transport.real_patches()) == sorted(skus)  # each row sent once
    for sku in skus:
        [fixed, held] = sorted(
            (r for run in results for r in run if r.sku == sku), key=lambda r: r.outcome.name
        )
        assert (fixed.outcome, held.outcome) == (RowOutcome.FIXED, RowOutcome.HELD)
        assert "another asin-tui" in held.reason and "not sent" in held.reason
    assert all(app.account.intended_causes(sku) == set() for sku in skus)
