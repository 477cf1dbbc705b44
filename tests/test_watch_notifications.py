"""`asin-tui watch`'s fast path against a local SQS (moto's server mode) that the sandbox fills
with its SP-API notifications, in the EventBridge envelope, as Amazon EventBridge would:
a notification → getListingsItem → the event; a notification that never came → the round still
tells; a malformed or foreign message → counted and dropped; a failed re-check → the message
stays; no secret in anything said."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from asin_tui.alerts import WebhookChannel
from asin_tui.commands import watch as watch_command
from asin_tui.domain.notifications import ForeignMessage, parse_message
from asin_tui.notifications import Listener, NotificationsUnavailable, SqsQueue
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from asin_tui.sandbox.notifications import eventbridge_event
from asin_tui.sandbox.sqs import SqsForwarder
from asin_tui.store.config import Notifications
from tests.test_service import TIME_SCALE
from tests.test_watch import Receiver, make_watcher, out_of_stock_sku, set_quantity

AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY-not-to-be-seen"


@pytest.fixture(scope="module")
def moto_server():
    from moto.server import ThreadedMotoServer  # 0.2 s: only in the worker that runs these

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws(monkeypatch):
    """Credentials through the AWS SDK's standard chain (the environment), as a seller's."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", AWS_SECRET)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")


@pytest.fixture
def queue_url(moto_server, aws, request):
    import boto3

    client = boto3.client("sqs", region_name="us-east-1", endpoint_url=moto_server)
    name = "asin-tui-" + request.node.name[:60].replace("[", "-").replace("]", "")
    url = client.create_queue(QueueName=name)["QueueUrl"]
    yield url
    client.delete_queue(QueueUrl=url)


@pytest.fixture
def settings(queue_url, moto_server) -> Notifications:
    return Notifications(queue_url=queue_url, region="us-east-1", endpoint_url=moto_server)


@pytest.fixture
def app():
    return SandboxApp(SandboxAccount(seed=11, listings=80), time_scale=TIME_SCALE)


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


class Said:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, line: str) -> None:
        self.lines.append(line)


def forwarder(app, settings) -> SqsForwarder:
    """The sandbox's notifications into the queue (forward() by hand: no timing)."""
    return SqsForwarder(app, settings.queue_url, endpoint_url=settings.endpoint_url)


def live_mfn_sku(app: SandboxApp) -> str:
    from asin_tui.sandbox.drift import _plain, mfn_quantity

    account = app.account
    return next(
        r.sku
        for r in account.records()
        if _plain(r)
        and r.policy is None
        and not account.intended_causes(r.sku)
        and (mfn_quantity(account, r) or 0) > 0
    )


async def receive_all(queue: SqsQueue):
    messages = []
    while batch := await queue.receive():
        messages += batch
    return messages


def visible_and_hidden(settings: Notifications) -> tuple[int, int]:
    import boto3

    client = boto3.client("sqs", region_name="us-east-1", endpoint_url=settings.endpoint_url)
    attributes = client.get_queue_attributes(
        QueueUrl=settings.queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return (
        int(attributes["ApproximateNumberOfMessages"]),
        int(attributes["ApproximateNumberOfMessagesNotVisible"]),
    )


async def test_a_notification_rechecks_the_listing_and_the_webhook_gets_the_event(
    app, settings, receiver
):
    watcher = make_watcher(app, [WebhookChannel(receiver.url)])
    send = forwarder(app, settings)
    queue = SqsQueue(settings, wait_seconds=0)  # moto has them all at once: no long poll
    said = Said()
    told = []
    listener = Listener(queue, [watcher], say=said, on_result=lambda w, r: told.append(r))
    try:
        await watcher.round()  # the baseline
        receiver.bodies.clear()
        sku = live_mfn_sku(app)
        assert watcher.service.cached_record(sku) is None  # live: not in the attention cache
        set_quantity(app, sku, 0)  # the seller's last unit sold
        assert send.forward() >= 1
        messages = await receive_all(queue)
        assert messages
        body = json.loads(messages[0].body)
        assert body["detail-type"] == "LISTINGS_ITEM_STATUS_CHANGE"
        assert body["source"].startswith("aws.partner/sellingpartnerapi.amazon.com/")

        handled = await listener.handle(messages)
        [(_, result)] = handled.results
        [event] = result.events
        assert (event.kind, event.sku) == ("BECAME_INACTIVE", sku)
        assert event.payload["state_after"] == "INACTIVE"
        assert [b["sku"] for b in receiver.bodies] == [sku]  # sent at once, not next round
        assert told == [result]
        assert handled.dropped == [] and handled.kept == 0
        assert listener.rechecked == 1
        assert visible_and_hidden(settings) == (0, 0)  # answered: deleted

        # the round that follows knows it was told: the same change is not said twice
        assert (await watcher.round()).events == []

        set_quantity(app, sku, 9)  # restocked: back on sale, said through the queue too
        send.forward()
        handled = await listener.handle(await receive_all(queue))
        assert [(e.kind, e.sku) for _, r in handled.results for e in r.events] == [
            ("RECOVERED", sku)
        ]
    finally:
        await watcher.service.aclose()
        watcher.store.close()


async def test_a_missed_notification_is_still_caught_by_the_round(app, settings):
    watcher = make_watcher(app)
    send = forwarder(app, settings)
    try:
        await watcher.round()
        sku = out_of_stock_sku(app)
        set_quantity(app, sku, 5)
        app.take_notifications()  # Amazon's notification never arrives
        assert send.forward() == 0
        [event] = (await watcher.round()).events
        assert (event.kind, event.sku) == ("RECOVERED", sku)
    finally:
        await watcher.service.aclose()
        watcher.store.close()


async def test_malformed_and_foreign_messages_are_counted_dropped_and_told_once(app, settings):
    import boto3

    watcher = make_watcher(app)
    queue = SqsQueue(settings, wait_seconds=0)  # moto has them all at once: no long poll
    said = Said()
    listener = Listener(queue, [watcher], say=said, on_result=lambda w, r: None)
    client = boto3.client("sqs", region_name="us-east-1", endpoint_url=settings.endpoint_url)
    other_seller = {
        "NotificationVersion": "1.0",
        "NotificationType": "LISTINGS_ITEM_STATUS_CHANGE",
        "PayloadVersion": "1.0",
        "EventTime": "2026-12-04T00:00:00.000Z",
        "Payload": {"SellerId": "AOTHERSELLER", "Sku": "X", "Status": []},
        "NotificationMetadata": {"NotificationId": "n"},
    }
    bodies = [
        "not json {",
        json.dumps({"source": "aws.ec2", "detail-type": "EC2 Instance", "detail": {}}),
        json.dumps({"NotificationType": "ANY_OFFER_CHANGED", "Payload": {}}),
        json.dumps(other_seller),
        "\x1b]52;c;aGk=\x07" + "[bold]x" * 10,
    ]
    try:
        await watcher.round()
        for body in bodies:
            client.send_message(QueueUrl=settings.queue_url, MessageBody=body)
        handled = await listener.handle(await receive_all(queue))
        assert len(handled.dropped) == len(bodies) == listener.dropped
        assert handled.results == []
        assert len(said.lines) == len(bodies)
        assert all(line.startswith("notifications: dropped a message: ") for line in said.lines)
        assert not any("\x1b" in line or "\n" in line for line in said.lines)
        assert visible_and_hidden(settings) == (0, 0)
    finally:
        await watcher.service.aclose()
        watcher.store.close()


async def test_a_message_stays_on_the_queue_when_its_recheck_fails(app, settings):
    watcher = make_watcher(app)
    send = forwarder(app, settings)
    queue = SqsQueue(settings, wait_seconds=0)  # moto has them all at once: no long poll
    said = Said()
    listener = Listener(queue, [watcher], say=said, on_result=lambda w, r: None)
    try:
        await watcher.round()
        sku = live_mfn_sku(app)
        set_quantity(app, sku, 0)
        send.forward()
        messages = await receive_all(queue)
        app._gateway._forbidden = frozenset({"getListingsItem"})  # SP-API refuses the read
        handled = await listener.handle(messages)
        assert handled.kept == len(messages) and handled.results[0][1].unchecked == [sku]
        assert handled.results[0][1].events == []
        [problem] = handled.results[0][1].problems  # `watch` prints it on stderr
        assert f"re-check of {sku} failed" in problem and "next round" in problem
        assert visible_and_hidden(settings) == (0, len(messages))  # back after its timeout
        app._gateway._forbidden = frozenset()
        [event] = (await watcher.round()).events  # and the round tells it meanwhile
        assert (event.kind, event.sku) == ("BECAME_INACTIVE", sku)
    finally:
        await watcher.service.aclose()
        watcher.store.close()


def test_the_sandbox_s_notifications_follow_amazon_s_schemas(app, models_dir):
    models = models_dir
    app.account.start_notifications()
    sku = live_mfn_sku(app)
    set_quantity(app, sku, 0)
    record = app.account._by_sku[sku]
    from asin_tui.sandbox.catalog import Policy

    app.account.set_policy(record, Policy("99300", "LISTING_SUPPRESSED"))
    app.account.delete(sku)
    notifications = app.take_notifications()
    kinds = [n["NotificationType"] for n in notifications]
    assert "LISTINGS_ITEM_STATUS_CHANGE" in kinds and "LISTINGS_ITEM_ISSUES_CHANGE" in kinds
    status = json.loads((models / "ListingsItemStatusChangeNotification.json").read_text())
    # the schema's enum says LISTINGS_ITEM_STATUS_CHANGED; its example and Amazon's guide
    # say LISTINGS_ITEM_STATUS_CHANGE, which the sandbox sends (docs/SANDBOX.md)
    assert status["examples"][0]["NotificationType"] == "LISTINGS_ITEM_STATUS_CHANGE"
    status["properties"]["NotificationType"]["enum"].append("LISTINGS_ITEM_STATUS_CHANGE")
    issues = json.loads(
        (models / "ListingsItemIssuesChangeNotification_2023-12-13.json").read_text()
    )
    schemas = {"LISTINGS_ITEM_STATUS_CHANGE": status, "LISTINGS_ITEM_ISSUES_CHANGE": issues}
    for notification in notifications:
        schema = schemas[notification["NotificationType"]]
        jsonschema.validate(notification, schema, format_checker=jsonschema.FormatChecker())
        event = eventbridge_event(notification, aws_account_id="000000000000", region="us-east-1")
        notice = parse_message(json.dumps(event))
        assert notice.sku == sku and notice.concerns(app.account.seller_id, app.marketplace_id)
    deleted = [n for n in notifications if "DELETED" in n["Payload"].get("Status", ())]
    assert len(deleted) == 1


def test_an_eventbridge_event_from_another_source_is_foreign():
    event = eventbridge_event(
        {
            "NotificationType": "LISTINGS_ITEM_ISSUES_CHANGE",
            "EventTime": "2026-12-04T00:00:00.000Z",
            "Payload": {"SellerId": "A1", "Sku": "S", "Severities": ["NONE"]},
            "NotificationMetadata": {"ApplicationId": "app", "NotificationId": "n"},
        },
        aws_account_id="1",
        region="us-east-1",
    )
    assert parse_message(json.dumps(event)).sku == "S"
    event["source"] = "aws.partner/another.saas.example/1"
    with pytest.raises(ForeignMessage, match="another source"):
        parse_message(json.dumps(event))


def test_without_the_aws_sdk_a_profile_with_notifications_gets_one_line(
    monkeypatch, capsys, settings, app
):
    import sys

    monkeypatch.setitem(sys.modules, "boto3", None)  # `import boto3` fails: not installed
    with pytest.raises(NotificationsUnavailable, match=r"asin-tui\[notifications\]"):
        SqsQueue(settings)
    from tests.test_service import sandbox_profile

    profile = sandbox_profile(app.account, notifications=settings)
    watcher = make_watcher(app)
    try:
        tasks = watch_command._listen([watcher], [profile], stop=None, lost=[])  # type: ignore[arg-type]
    finally:
        watcher.store.close()
    assert tasks == []
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "pip install 'asin-tui[notifications]'" in err[0]
    assert "rounds only" in err[0]


def test_watch_tells_a_notified_change_within_its_interval_and_logs_no_secret(settings, app):
    """The command end to end: `watch --profile` with [notifications] and a 60-minute interval
    (no second round during the test) prints the event of a listing the sandbox changed,
    read from the queue; SIGTERM stops it; no AWS or LWA secret in anything it wrote."""
    import os
    import signal
    import subprocess
    import sys
    import threading

    from asin_tui.sandbox.app import SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN, TOKEN_PATH
    from asin_tui.sandbox.server import serve_in_thread
    from tests.conftest import ROOT

    server, url = serve_in_thread(app)
    send = forwarder(app, settings)
    send.tick = 0.05
    send.start()
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "asin-tui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    config.write_text(
        f'[profiles.s]\nmarketplace = "US"\nseller_id = "{app.account.seller_id}"\n'
        f'endpoint = "{url}"\ntoken_endpoint = "{url}{TOKEN_PATH}"\n'
        f'[profiles.s.notifications]\nqueue_url = "{settings.queue_url}"\nregion = "us-east-1"\n'
    )
    config.chmod(0o600)
    env = {
        **os.environ,
        "LWA_APP_ID": "amzn1.application-oa2-client.sandbox",
        "LWA_CLIENT_SECRET": SANDBOX_CLIENT_SECRET,
        "SP_API_REFRESH_TOKEN": SANDBOX_REFRESH_TOKEN,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "asin_tui", "watch", "--profile", "s", "--interval", "60"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    err_lines = []
    try:
        for line in process.stderr:
            err_lines.append(line)
            if "first look at the account" in line:
                break
        assert any("reading SP-API notifications" in line for line in err_lines), err_lines
        sku = live_mfn_sku(app)
        with app._lock:
            set_quantity(app, sku, 0)
        watchdog = threading.Timer(60, process.kill)  # never hang on a missing line
        watchdog.start()
        told = []
        for line in process.stdout:  # the baseline's AT_RISK lines, then the fast path's
            told.append(json.loads(line))
            if told[-1]["sku"] == sku:
                break
        watchdog.cancel()
        assert (told[-1]["event"], told[-1]["sku"]) == ("BECAME_INACTIVE", sku)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        send.stop()
        server.stop()
    written = "".join(err_lines) + err + out + json.dumps(told)
    assert process.returncode == 0 and "Traceback" not in written
    for secret in (
        AWS_SECRET,
        SANDBOX_CLIENT_SECRET,
        SANDBOX_REFRESH_TOKEN,
        "AKIAIOSFODNN7EXAMPLE",
    ):
        assert secret not in written


def test_an_aws_error_is_one_line_without_the_access_key_id():
    from botocore.exceptions import ClientError

    from asin_tui.notifications import _aws_error

    error = ClientError(
        {
            "Error": {
                "Code": "SignatureDoesNotMatch",
                "Message": "Credential=AKIAIOSFODNN7EXAMPLE/20261204/us-east-1/sqs\nis wrong",
            }
        },
        "ReceiveMessage",
    )
    line = _aws_error(error)
    assert line.startswith("SignatureDoesNotMatch: ") and "\n" not in line
    assert "AKIAIOSFODNN7EXAMPLE" not in line


@pytest.mark.parametrize("field", ["Sku", "SellerId", "Status"])
def test_a_message_holding_a_lone_surrogate_is_dropped_as_foreign(field):
    """A queue message is text, and its JSON can escape a lone surrogate ("\\ud800"): a SKU
    so named could not be asked for (the re-check raised UnicodeEncodeError out of the batch:
    'a batch failed', and every message of the batch came back again, for ever). It is
    dropped as a message that is not a listings notification, one line; an escaped pair (an
    emoji) is text."""

    def body(text: str) -> str:
        payload = {"SellerId": "A1", "Sku": "S", "Status": ["BUYABLE"]}
        payload[field] = [text] if field == "Status" else text
        return json.dumps({"NotificationType": "LISTINGS_ITEM_STATUS_CHANGE", "Payload": payload})

    assert "\\ud800" in body("S\ud800")  # as a queue carries it: ASCII text
    with pytest.raises(ForeignMessage, match="a lone surrogate"):
        parse_message(body("S\ud800"))
    assert parse_message(body("S\U0001f600")).seller_id in ("A1", "S\U0001f600")
