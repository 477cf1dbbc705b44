"""`asin-tui watch` over listings whose text is hostile (sandbox/hostile.py): the JSON lines on
stdout, the lines on stderr, the webhook's chat line, the e-mail and the command's stdin never
carry a character a terminal (or a mail reader in one) would act on, and the chat line cannot
mention @here or plant a link in Slack; the data itself is kept (every JSON parses back to
the exact SKU)."""

from __future__ import annotations

import email
import email.policy
import json
import sys
from datetime import UTC, datetime

import pytest

from asin_tui.cli import main
from asin_tui.demo import DemoSettings
from asin_tui.domain.text import unsafe_chars
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from asin_tui.sandbox.catalog import Policy
from asin_tui.sandbox.drift import POLICY_CODE
from asin_tui.store import paths
from tests.cli.test_report import TIME_SCALE, served_sandbox, use_sandbox_profile
from tests.test_watch import Receiver

aiosmtpd = pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402

from tests.test_watch_smtp import Inbox, free_port  # noqa: E402


@pytest.fixture
def served():
    account = SandboxAccount(seed=5, listings=60, hostile=True)
    with served_sandbox(account) as base_url:
        yield account, base_url


@pytest.fixture
def inbox():
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_every_channel_gets_hostile_listing_text_as_safe_data(
    served, inbox, receiver, monkeypatch, capsys, tmp_path
) -> None:
    account, base_url = served
    box, smtp_port = inbox
    use_sandbox_profile(monkeypatch, "h", account.seller_id, base_url)
    stdin_copy = tmp_path / "stdin.jsonl"
    copier = f"import sys; open({str(stdin_copy)!r}, 'ab').write(sys.stdin.buffer.read())"
    with paths.config_file().open("a") as config:
        config.write(
            f"""
[profiles.h.alerts]
webhook_url = "{receiver.url}"
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
smtp_starttls = false
mail_from = "alerts@example.com"
mail_to = ["seller@example.com"]
command = [{json.dumps(sys.executable)}, "-c", {json.dumps(copier)}]
"""
        )
    assert main(["watch", "--profile", "h", "--once"], time_scale=TIME_SCALE) in (0, 1)
    capsys.readouterr()  # the baseline round
    hostile = [r for r in account._records if r.sku.startswith("HOSTILE-")]
    for record in hostile:  # Amazon suppresses them: each is an event now
        account.set_policy(record, Policy(POLICY_CODE, "LISTING_SUPPRESSED"))

    code = main(["watch", "--profile", "h", "--once"], time_scale=TIME_SCALE)
    out, err = capsys.readouterr()

    assert code == 1, err
    assert "Traceback" not in out + err
    assert unsafe_chars(out) == [] and unsafe_chars(err) == [], (out, err)
    lines = [json.loads(line) for line in out.splitlines()]
    told = {line["sku"] for line in lines if line.get("sku", "").startswith("HOSTILE-")}
    assert told == {r.sku for r in hostile}  # the data kept exactly, C1 and ESC included

    hooked = [b for b in receiver.bodies if str(b.get("sku", "")).startswith("HOSTILE-")]
    assert {b["sku"] for b in hooked} == told
    for body in hooked:
        assert unsafe_chars(body["text"]) == [], body["text"]
        # Slack's mrkdwn: a '<' from the data would open a mention (<!here>) or a link
        assert "<" not in body["text"] and ">" not in body["text"], body["text"]

    mails = [
        email.message_from_string(content, policy=email.policy.default)
        for _, _, content in box.messages
    ]
    hostile_mails = [m for m in mails if "HOSTILE-" in str(m["Subject"])]
    assert len(hostile_mails) == len(told)
    for mail in hostile_mails:
        body = mail.get_content().replace("\r\n", "\n")  # the message's own line ends
        assert unsafe_chars(str(mail["Subject"])) == [], mail["Subject"]
        assert unsafe_chars(body) == [], body
        assert json.loads(body[body.index("{") :])["sku"] in told

    piped = stdin_copy.read_text(encoding="utf-8")
    assert unsafe_chars(piped) == []
    assert told <= {json.loads(line).get("sku") for line in piped.splitlines()}


def test_a_cache_folder_that_cannot_be_made_is_one_line(monkeypatch, capsys, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "cache"))  # under a file: ENOTDIR
    code = main(["watch", "--demo", "--once"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err == f"asin-tui: Not a directory: {blocker / 'cache'}\n"


def test_a_config_error_quoting_control_characters_is_terminal_safe(capsys):
    """A config file's bad profile name holding a clipboard write (OSC 52) and a screen
    clear: watch quotes it escaped, as report and config do (the name is the file's, not
    asin-tui's: a config file copied from elsewhere)."""
    config = paths.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[profiles."a\\u001b]52;c;eA==\\u0007b\\u001b[2J"]\nmarketplace = "US"\n')
    config.chmod(0o600)
    code = main(["watch", "--once"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert unsafe_chars(err) == [] and "\\x1b]52" in err and len(err.splitlines()) == 1


def test_a_cache_that_cannot_be_opened_is_one_line(capsys):
    """The account's cache file unusable (here a folder in its place; a full disk or a
    read-only folder the same way): `report` says so in one line, and so does `watch`."""
    from asin_tui.store.cache import cache_path

    cache = cache_path("demo", "ATVPDKIKX0DER")
    cache.mkdir(parents=True)
    code = main(["watch", "--demo", "--once"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err == f"asin-tui: the listing cache {cache} is not a regular file; move it away\n"
    assert not (cache.parent / "crashes").exists()


def test_a_corrupt_cache_set_aside_is_said(capsys):
    """A corrupt cache file is set aside and started afresh (its events with it): watch
    says so, once, before its first look, as report and the app do."""
    from asin_tui.store.cache import cache_path

    cache = cache_path("demo", "ATVPDKIKX0DER")
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"\x00garbage, not SQLite" * 50)
    main(["watch", "--demo", "--once"], demo=DemoSettings(drift=0.0, time_scale=100.0))
    err = capsys.readouterr().err.splitlines()
    [aside] = cache.parent.glob(f"{cache.name}.corrupt-*")
    said = [line for line in err if aside.name in line]
    assert len(said) == 1 and said[0].startswith("asin-tui watch: demo: The listing cache")
    assert err.index(said[0]) < len(err) - 1 and "first look" in err[-1]


async def test_the_alert_command_gets_none_of_asin_tuis_secrets(monkeypatch, tmp_path):
    """The command is any program the seller names: it gets the event, and the environment
    without the LWA client secret, the refresh token and the SMTP password."""
    from asin_tui.alerts import CommandChannel

    secrets = {
        "LWA_CLIENT_SECRET": "amzn1.oa2-cs.v1.command-env-secret",
        "SP_API_REFRESH_TOKEN": "Atzr|command-env-refresh",
        "ASIN_TUI_SMTP_PASSWORD": "command-env-smtp",
    }
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SELLER_OWN_VARIABLE", "kept")
    out = tmp_path / "environ.json"
    copier = f"import json, os; open({str(out)!r}, 'w').write(json.dumps(dict(os.environ)))"
    await CommandChannel((sys.executable, "-c", copier)).send({"event": "RECOVERED"}, "line")
    seen = json.loads(out.read_text())
    assert seen["SELLER_OWN_VARIABLE"] == "kept"
    assert not set(secrets) & set(seen)
    assert not any(v in json.dumps(seen) for v in secrets.values())


async def test_a_webhook_that_trickles_its_answer_gives_up_in_time():
    """A webhook that answers a byte at a time (each within the read timeout) must not hold
    the round, and every later alert, for ever: the whole POST has the channel's timeout."""
    import time

    from asin_tui.alerts import AlertError, WebhookChannel
    from tests.test_watch_smtp import trickling_server

    head = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
    started = time.monotonic()
    with trickling_server(head + b"x" * 1000, wait_for_request=True) as port:
        url = f"http://127.0.0.1:{port}/hook"
        with pytest.raises(AlertError, match="did not answer in time"):
            await WebhookChannel(url, timeout=1.0).send({"event": "RECOVERED"}, "line")
    assert time.monotonic() - started < 5  # a byte each 0.1 s: 100 s if the reads decided


async def test_a_damaged_event_row_never_stops_watch(tmp_path):
    """An event row damaged on disk or by another tool (not JSON, a naive or bad date, a
    payload that is a list) is left out: the round, the delivery of the others and the TUI's
    reads go on."""
    import sqlite3

    from asin_tui.alerts import CommandChannel
    from tests.test_watch import make_watcher, out_of_stock_sku, set_quantity

    app = SandboxApp(SandboxAccount(seed=11, listings=80), time_scale=TIME_SCALE)
    out = tmp_path / "sent.jsonl"
    copier = f"import sys; open({str(out)!r}, 'a').write(sys.stdin.read())"
    watcher = make_watcher(app, [CommandChannel((sys.executable, "-c", copier))])
    try:
        await watcher.round()  # the baseline: its at-risk events, sent
        sent_before = out.read_text().count("\n") if out.exists() else 0
        with sqlite3.connect(watcher.store.path) as conn:
            ids = [i for (i,) in conn.execute("SELECT id FROM events ORDER BY id")]
            assert len(ids) >= 3
            conn.execute("UPDATE events SET payload = '{not json' WHERE id = ?", (ids[0],))
            conn.execute("UPDATE events SET created_at = 'yesterday' WHERE id = ?", (ids[1],))
            conn.execute("UPDATE events SET payload = '[1, 2]' WHERE id = ?", (ids[2],))
            conn.execute("UPDATE event_deliveries SET sent_at = NULL")  # all to send again
        sku = out_of_stock_sku(app)
        set_quantity(app, sku, 5)
        result = await watcher.round()
        assert [e.sku for e in result.events if e.kind == "RECOVERED"] == [sku]
        assert result.problems == []
        sent = out.read_text().splitlines()[sent_before:]
        assert len(sent) == len(ids) - 3 + len(result.events)  # the damaged three left out
        assert len(watcher.store.since(datetime.min.replace(tzinfo=UTC))) == len(ids) - 3 + len(
            result.events
        )
    finally:
        await watcher.service.aclose()
        watcher.store.close()
