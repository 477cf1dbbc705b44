"""`asin-tui watch … | head`: when the reader leaves, watch ends as every command does (exit
141, nothing more said): its own handler of a cache folder that cannot be used took the
broken pipe for one ("asin-tui: Broken pipe", exit 2) when the pipe broke on an event line."""

from __future__ import annotations

from asin_tui.cli import EXIT_BROKEN_PIPE, main
from asin_tui.commands import watch


def test_a_reader_that_left_ends_watch_as_any_command(monkeypatch, capsys):
    async def events_to_a_closed_pipe(*_args: object) -> int:
        raise BrokenPipeError(32, "Broken pipe")  # _print_events' write, the reader gone

    monkeypatch.setattr(watch, "_watch", events_to_a_closed_pipe)
    assert main(["watch", "--demo", "--once"]) == EXIT_BROKEN_PIPE
    assert capsys.readouterr().err == ""


class _Pipe:
    """stdout whose reader leaves when ``gone`` is set: every write and flush is EPIPE then."""

    def __init__(self) -> None:
        self.gone = False

    def write(self, text: str) -> int:
        self.flush()
        return len(text)

    def flush(self) -> None:
        if self.gone:
            raise BrokenPipeError(32, "Broken pipe")


def test_a_reader_that_left_while_notifications_are_told_ends_watch_losing_nothing(
    monkeypatch, capsys
):
    """The SQS listener's re-check told to a closed pipe: it said "a batch failed (Broken
    pipe)" and went on reading the queue until the next round (an hour on) broke on it too.
    Now the watch stops at once with the broken pipe (cli.main: 141, nothing said), and the
    batch's message is not deleted: the next watch tells it."""
    import argparse
    import asyncio
    import json
    import sys
    from types import SimpleNamespace

    from asin_tui import notifications
    from asin_tui.store.config import Notifications
    from asin_tui.watch import RoundResult

    body = json.dumps(
        {
            "NotificationType": "LISTINGS_ITEM_STATUS_CHANGE",
            "Payload": {"Sku": "S-1", "SellerId": "A1", "MarketplaceId": "ATVPDKIKX0DER"},
        }
    )

    class Queue:
        deleted: list[str] = []

        def __init__(self, _settings) -> None:
            self.sent = False

        async def receive(self):
            await asyncio.sleep(0.01)
            if self.sent:
                return []
            self.sent = True
            return [notifications.Message("receipt-1", body)]

        async def delete(self, receipts) -> None:
            Queue.deleted += receipts

    class Watcher:
        profile = "s"
        service = SimpleNamespace(seller_id="A1", marketplace_id="ATVPDKIKX0DER")
        store = SimpleNamespace(close=lambda: None)

        async def round(self):
            return RoundResult()

        async def recheck(self, by_sku):
            stdout.gone = True  # the reader leaves after the first round was told
            return RoundResult()  # telling it flushes stdout: the pipe is gone

    async def aclose() -> None:
        return None

    Watcher.service.aclose = aclose
    monkeypatch.setattr(notifications, "SqsQueue", Queue)
    monkeypatch.setattr(watch, "_open_watcher", lambda _args, _profile: Watcher())
    stdout = _Pipe()
    monkeypatch.setattr(sys, "stdout", stdout)
    profile = SimpleNamespace(notifications=Notifications("https://sqs.example/q", "us-east-1"))
    args = argparse.Namespace(once=False, interval=60)
    run = watch._watch(args, [("s", "ATVPDKIKX0DER", profile)])
    try:
        asyncio.run(asyncio.wait_for(run, timeout=10))
    except BrokenPipeError:
        pass
    else:
        raise AssertionError("watch went on with its stdout gone")
    assert Queue.deleted == [], "the message stays on the queue for the next watch"
    assert "a batch failed" not in capsys.readouterr().err
