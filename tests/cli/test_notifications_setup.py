"""`asin-tui notifications setup` against a sandbox on loopback: it finds the EventBridge
destination and the two listings subscriptions, writes nothing without --apply (and, on a
terminal, a typed 'yes'), creates what is missing with it, and reuses what exists."""

from __future__ import annotations

import sys

from asin_tui.commands import notifications
from tests.cli import test_config_cli as config_tests
from tests.cli.test_config_cli import run

served = config_tests.served  # a sandbox served on loopback and the profile "sb" for it

SETUP = ("notifications", "setup", "--profile", "sb", "--aws-account-id", "123456789012")
SOURCE = "aws.partner/sellingpartnerapi.amazon.com/123456789012/"


def test_without_apply_nothing_is_written(capsys, served):
    served()
    for _ in range(2):  # the second look finds nothing made by the first
        code, out, err = run(capsys, *SETUP, "--region", "us-east-1")
        assert (code, err) == (1, "")
        assert "EventBridge destination for AWS account 123456789012 in us-east-1: none yet" in out
        assert "LISTINGS_ITEM_STATUS_CHANGE: missing" in out
        assert "LISTINGS_ITEM_ISSUES_CHANGE: missing" in out
        assert out.splitlines()[-1].startswith("Nothing was written. --apply creates: the Event")


def test_apply_with_no_terminal_to_ask_on_writes_nothing_without_yes(capsys, served, monkeypatch):
    served()
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)  # a pipe, cron, ssh without -t
    code, out, err = run(capsys, *SETUP, "--region", "us-east-1", "--apply")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "add --yes" in err and "nothing was sent" in err
    code, out, _ = run(capsys, *SETUP, "--region", "us-east-1")
    assert "LISTINGS_ITEM_STATUS_CHANGE: missing" in out  # nothing was created


def test_apply_creates_what_is_missing_then_reuses_it(capsys, served):
    served()
    code, out, err = run(capsys, *SETUP, "--region", "us-east-1", "--apply", "--yes")
    assert (code, err) == (0, "")
    assert "(created)" in out and f"partner event source: {SOURCE}" in out
    assert "LISTINGS_ITEM_STATUS_CHANGE: created" in out
    assert "LISTINGS_ITEM_ISSUES_CHANGE: created" in out
    code, out, _ = run(capsys, *SETUP, "--region", "us-east-1", "--apply", "--yes")
    assert code == 0
    assert "(exists)" in out and "LISTINGS_ITEM_STATUS_CHANGE: subscribed" in out
    assert out.splitlines()[-1] == "Nothing to create: SP-API notifications reach that destination."
    # another region: a destination of its own, and the subscriptions stay where they are
    code, out, _ = run(capsys, *SETUP, "--region", "eu-west-1", "--apply", "--yes")
    assert code == 1
    assert "LISTINGS_ITEM_STATUS_CHANGE: another destination" in out
    assert "left as it is" in out
    for secret in ("sandbox-secret", "Atzr|sandbox"):
        assert secret not in out


def test_on_a_terminal_only_a_typed_yes_writes(capsys, served, monkeypatch):
    served()
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(notifications, "ask", lambda prompt: "y")  # not 'yes'
    code, out, err = run(capsys, *SETUP, "--region", "us-east-1", "--apply")
    assert code == 1
    assert "Create in the Selling Partner API:" in err
    assert out.splitlines()[-1] == "Nothing was written."
    monkeypatch.setattr(notifications, "ask", lambda prompt: "yes")
    code, out, _ = run(capsys, *SETUP, "--region", "us-east-1", "--apply")
    assert code == 0 and "LISTINGS_ITEM_ISSUES_CHANGE: created" in out


def test_bad_arguments_are_one_line(capsys, served):
    served()
    code, _, err = run(capsys, "notifications", "setup", "--profile", "sb",
                       "--aws-account-id", "12345", "--region", "us-east-1")  # fmt: skip
    assert code == 2 and "12 digits" in err and "Traceback" not in err
    code, _, err = run(capsys, *SETUP, "--region", "Mars\x1b[2J")
    assert code == 2 and "is not an AWS region" in err and "\x1b" not in err
