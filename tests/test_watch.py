"""`asin-tui watch` over the in-process sandbox: rounds, the event store, the alert channels
(a local webhook receiver, a command), the instance lock and the exit codes."""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from asin_tui import cli
from asin_tui.alerts import CommandChannel, WebhookChannel
from asin_tui.commands import watch as watch_command
from asin_tui.demo import DemoSettings
from asin_tui.domain import codes
from asin_tui.domain.events import Thresholds
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from asin_tui.sandbox.views import account_health_report
from asin_tui.spapi.parse import parse_account_health
from asin_tui.store.cache import cache_path
from asin_tui.store.events import EventStore
from asin_tui.watch import SEND_TRIES, Watcher
from tests.test_service import TIME_SCALE, make_service


class Receiver:
    """A local webhook: records each POSTed JSON; answers ``status``."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                if receiver.status == 200:
                    receiver.bodies.append(body)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def app():
    return SandboxApp(SandboxAccount(seed=11, listings=80), time_scale=TIME_SCALE)


async def no_sleep(_seconds: float) -> None:
    return None


def set_quantity(app: SandboxApp, sku: str, quantity: int) -> None:
    """The seller changes the stock in Seller Central (not through asin-tui)."""
    account = app.account
    product_type = account._by_sku[sku].product_type
    patch = {
        "op": "replace",
        "path": "/attributes/fulfillment_availability",
        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
    }
    answer = account.patch(sku, {"productType": product_type, "patches": [patch]}, preview=False)
    assert answer["status"] == "ACCEPTED"


def out_of_stock_sku(app: SandboxApp) -> str:
    return next(
        r.sku
        for r in app.account._records
        if app.account.intended_causes(r.sku) == {codes.OUT_OF_STOCK_MFN}
    )


def make_watcher(app, channels=(), **kwargs) -> Watcher:
    service = make_service(app)
    store = EventStore(cache_path(service.profile_name, service.marketplace_id))
    return Watcher(service, store, channels=channels, sleep=no_sleep, **kwargs)


async def test_a_change_the_cache_took_in_between_rounds_is_told_by_the_next(app):
    """A signal after the sync's commit (or the TUI's own sync) puts a change in the cache
    with no round to judge it: the next round compares with `watch`'s own snapshot."""
    watcher = make_watcher(app)
    try:
        await watcher.round()
        sku = out_of_stock_sku(app)
        set_quantity(app, sku, 6)
        await watcher.service.sync(include_all=False)  # in the cache; no events computed
        [event] = (await watcher.round()).events
        assert (event.kind, event.sku) == ("RECOVERED", sku)
        assert (await watcher.round()).events == []
    finally:
        await watcher.service.aclose()
        watcher.store.close()


async def test_rounds_emit_recovered_and_inactive_and_the_webhook_gets_each(app, receiver):
    watcher = make_watcher(app, [WebhookChannel(receiver.url)])
    try:
        first = await watcher.round()
        assert first.baseline  # the first look: only what is at risk now is told
        assert {e.kind for e in first.events} <= {"AT_RISK"}
        assert (await watcher.round()).events == []  # nothing changed, nothing said again
        receiver.bodies.clear()

        sku = out_of_stock_sku(app)
        set_quantity(app, sku, 7)
        [back] = (await watcher.round()).events
        assert back.kind == "RECOVERED" and back.sku == sku
        assert (
            back.payload["state_before"] == "INACTIVE" and back.payload["state_after"] == "ACTIVE"
        )

        set_quantity(app, sku, 0)
        result = await watcher.round()
        [gone] = result.events
        assert gone.payload["event"] == "BECAME_INACTIVE" and gone.payload["sku"] == sku
        assert "stock" in gone.payload["main_cause"].lower() and gone.payload["fix"]
        assert result.problems == []
        assert [b["event"] for b in receiver.bodies] == ["RECOVERED", "BECAME_INACTIVE"]
        assert receiver.bodies[1]["text"].startswith("[svc] " + sku)
        assert "went off sale" in receiver.bodies[1]["text"]
    finally:
        await watcher.service.aclose()
        watcher.store.close()


async def test_a_failing_webhook_is_reported_and_its_events_are_sent_next_round(app, receiver):
    watcher = make_watcher(app, [WebhookChannel(receiver.url)])
    try:
        await watcher.round()
        receiver.bodies.clear()  # what is at risk from the start
        sku = out_of_stock_sku(app)
        set_quantity(app, sku, 7)
        receiver.status = 500
        result = await watcher.round()
        assert [e.kind for e in result.events] == ["RECOVERED"]  # stored, not lost
        assert result.problems == ["svc: alert channel webhook: the webhook answered HTTP 500"]
        [pending] = watcher.store.unsent("webhook")
        assert pending.attempts == 1 and pending.event.sku == sku

        receiver.status = 200
        again = await watcher.round()
        assert again.events == [] and again.problems == []
        assert [b["event"] for b in receiver.bodies] == ["RECOVERED"]
        assert watcher.store.unsent("webhook") == []
    finally:
        await watcher.service.aclose()
        watcher.store.close()


async def test_the_command_channel_gets_the_event_on_stdin(app, tmp_path):
    out = tmp_path / "event.json"
    argv = (sys.executable, "-c", f"import sys; open({str(out)!r}, 'w').write(sys.stdin.read())")
    watcher = make_watcher(app, [CommandChannel(argv)])
    try:
        await watcher.round()
        sku = out_of_stock_sku(app)
        set_quantity(app, sku, 7)
        await watcher.round()
        sent = json.loads(out.read_text())
        assert sent["event"] == "RECOVERED" and sent["sku"] == sku and sent["text"]
    finally:
        await watcher.service.aclose()
        watcher.store.close()


async def test_a_failing_command_is_retried_then_reported_and_nothing_is_lost(app, tmp_path):
    tries = tmp_path / "tries"
    script = f"import sys; open({str(tries)!r}, 'a').write('x'); sys.exit(3)"
    watcher = make_watcher(app, [CommandChannel((sys.executable, "-c", script))])
    try:
        await watcher.round()
        at_start = len(watcher.store.unsent("command"))  # what is at risk from the start
        set_quantity(app, out_of_stock_sku(app), 7)
        result = await watcher.round()
        assert result.problems == [
            f"svc: alert channel command: {sys.executable} exited with status 3"
        ]
        pending = watcher.store.unsent("command")
        assert [d.event.kind for d in pending][at_start:] == ["RECOVERED"]
        rounds_tried = 2 if at_start else 1  # each round stops at the first event that fails
        assert len(tries.read_text()) == SEND_TRIES * rounds_tried
    finally:
        await watcher.service.aclose()
        watcher.store.close()


async def test_low_merchant_stock_on_a_live_listing_is_at_risk_once_with_every_listing(app):
    watcher = make_watcher(app, include_all=True, thresholds=Thresholds(mfn_quantity=2))
    try:
        await watcher.round()
        sku = out_of_stock_sku(app)
        set_quantity(app, sku, 1)
        events = (await watcher.round()).events
        assert {(e.kind, e.sku) for e in events} >= {("RECOVERED", sku), ("AT_RISK", sku)}
        assert not [e for e in (await watcher.round()).events if e.sku == sku]  # said once
    finally:
        await watcher.service.aclose()
        watcher.store.close()


def test_the_account_health_parse_reads_the_order_rates_and_the_rating():
    account = SandboxAccount(seed=11, listings=20)
    doc = account.account_health_report()
    health = parse_account_health(doc, account.marketplace.marketplace_id)
    assert set(health.rates) == {
        "order_defect_rate",
        "late_shipment_rate",
        "pre_fulfillment_cancellation_rate",
        "valid_tracking_rate",
    }
    assert all(0 <= r <= 1 for r in health.rates.values())
    assert health.rating == "GREAT"
    assert account_health_report  # the sandbox's own report builder is what was read


def test_watch_once_on_the_demo_exits_1_with_events_then_0_with_nothing_new(capsys):
    # nothing moves meanwhile; Amazon's rates (the stock cover's reports) 100x faster
    still = DemoSettings(drift=0.0, time_scale=100.0)
    first = cli.main(["watch", "--demo", "--once"], demo=still)
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert first == (1 if lines else 0)
    assert all(line["event"] == "AT_RISK" and line["profile"] == "demo" for line in lines)
    assert "first look at the account" in captured.err
    assert cli.main(["watch", "--demo", "--once"], demo=still) == 0
    assert capsys.readouterr().out == ""


def test_a_second_watch_of_the_same_profile_says_so_and_exits_2(capsys):
    with watch_command._instance_lock("demo", "ATVPDKIKX0DER"):
        assert cli.main(["watch", "--demo", "--once"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "already watching demo" in err[0]


@pytest.mark.slow  # a real process watching the demo at Amazon's rates
def test_sigterm_stops_a_running_watch_cleanly_and_the_lock_goes_with_it(tmp_path):
    import os
    import signal
    import subprocess

    from tests.conftest import ROOT

    process = subprocess.Popen(
        [sys.executable, "-m", "asin_tui", "watch", "--demo", "--interval", "60"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stderr.readline()  # the first round is done once it says so
        assert "first look at the account" in line
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0 and "Traceback" not in err
    assert err.strip().splitlines()[-1] == "asin-tui watch: stopped by SIGTERM"
    assert all(json.loads(line)["event"] == "AT_RISK" for line in out.splitlines())
    # not locked any more; the demo drifting as the process's did (from midnight UTC)
    assert cli.main(["watch", "--demo", "--once"], demo=DemoSettings(drift=4.0)) == 0


async def test_watch_sees_what_the_drifting_sandbox_does(receiver):
    account = SandboxAccount(seed=11, listings=80)
    clock = [0.0]
    account.start_drift(60.0, lambda: clock[0])  # a change a sandbox minute
    app = SandboxApp(account, time_scale=TIME_SCALE)
    watcher = make_watcher(app, [WebhookChannel(receiver.url)])
    try:
        await watcher.round()
        receiver.bodies.clear()
        clock[0] = 60.0 * 12
        result = await watcher.round()
        touched = {sku for _, _, sku in account.drift.log}
        kinds = {e.kind for e in result.events}
        assert "BECAME_INACTIVE" in kinds
        assert kinds <= {"BECAME_INACTIVE", "NEW_ISSUE", "RECOVERED", "AT_RISK"}
        assert {e.sku for e in result.events} <= touched
        assert [b["sku"] for b in receiver.bodies] == [e.sku for e in result.events]
        for event in result.events:
            if event.kind == "BECAME_INACTIVE":
                assert event.payload["main_cause"] and event.payload["fix"]
    finally:
        await watcher.service.aclose()
        watcher.store.close()


async def test_a_wait_on_amazon_past_its_recheck_date_is_overdue_once(app):
    from datetime import UTC, datetime, timedelta

    from asin_tui.store.cases import CaseStore, Outcome

    watcher = make_watcher(app)
    try:
        await watcher.round()
        sku = out_of_stock_sku(app)
        store = CaseStore(watcher.profile, watcher.service.marketplace_id)
        due = datetime.now(UTC) - timedelta(hours=2)
        store.update(
            sku,
            lambda p: p.set_outcome(Outcome.WAITING, waiting_for="inbound stock", recheck_at=due),
        )
        [event] = (await watcher.round()).events
        assert event.kind == "WAIT_OVERDUE" and event.sku == sku
        assert "inbound stock" in event.payload["fix"]
        assert event.payload["state_after"] == "INACTIVE"
        assert (await watcher.round()).events == []  # told once per re-check date
    finally:
        await watcher.service.aclose()
        watcher.store.close()


@pytest.mark.slow  # a real `watch --demo --once` process, at Amazon's pace
def test_sigterm_mid_round_says_so_in_one_line_and_once_exits_130():
    # it ended silently, and `--once` said 0 ("nothing new") for a round it never finished
    from tests.cli.test_report import terminated_mid_sync

    terminated_mid_sync(
        ["watch", "--demo", "--once"],
        "asin-tui watch: stopped by SIGTERM; the round under way was abandoned (the cache "
        "and events as they were)",
    )
