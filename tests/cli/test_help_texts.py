"""Every option and argument of every command explains itself in --help."""

from __future__ import annotations

import argparse

from asin_tui.cli import build_parser, main


def _without_help(parser: argparse.ArgumentParser, command: str) -> list[str]:
    missing = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                missing += _without_help(sub, f"{command} {name}")
        elif not action.help:
            missing.append(f"{command} {'/'.join(action.option_strings) or action.dest}")
    return missing


def test_every_option_of_every_command_has_help_text():
    assert _without_help(build_parser(), "asin-tui") == []


def test_fix_help_says_what_format_json_writes(capsys):
    try:
        main(["fix", "--help"])
    except SystemExit as stop:
        assert stop.code == 0
    out = capsys.readouterr().out
    option = out.split("\n  --format {table,json}", 1)[1].split("\n  -", 1)[0]
    assert "a JSON list, one object a CSV row" in " ".join(option.split())
