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


def _texts(parser: argparse.ArgumentParser, command: str) -> list[tuple[str, str]]:
    """(where, text) of every description, epilog and help a --help shows."""
    found = [(command, parser.description or ""), (command, parser.epilog or "")]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _texts(sub, f"{command} {name}")
        found.append(
            (f"{command} {'/'.join(action.option_strings) or action.dest}", action.help or "")
        )
    return found


def test_no_help_shows_docstring_markup(capsys):
    """`asin-tui notifications --help` said "with ``--apply``, makes what is missing" and
    "a typed ``yes``": its description is the module docstring, reST quotes and all."""
    marked = [(where, text) for where, text in _texts(build_parser(), "asin-tui") if "``" in text]
    assert marked == []
    try:
        main(["notifications", "--help"])
    except SystemExit as stop:
        assert stop.code == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "with --apply, makes what is missing" in said and "a typed yes sends them" in said
