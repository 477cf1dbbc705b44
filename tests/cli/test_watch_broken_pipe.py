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
