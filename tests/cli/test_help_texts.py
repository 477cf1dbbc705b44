"""Every option and argument of every command explains itself in --help."""

from __future__ import annotations

import argparse
import re

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


def _help_at_80(parser: argparse.ArgumentParser, command: str) -> list[tuple[str, str]]:
    """(command, its --help as an 80-column terminal shows it) of every command."""
    shown = [(command, parser.format_help())]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                shown += _help_at_80(sub, f"{command} {name}")
    return shown


def test_no_help_breaks_a_word_at_80_columns(monkeypatch):
    """`diagnose --help` at 80 columns said 'ask for inclu' / 'dedData=summaries,…': a word
    longer than the help column is cut where it reaches the edge (argparse breaks long
    words). Every word of every help text is shown whole."""
    monkeypatch.setenv("COLUMNS", "80")
    shown = dict(_help_at_80(build_parser(), "asin-tui"))
    broken = []
    for where, text in _texts(build_parser(), "asin-tui"):
        command = next(c for c in sorted(shown, key=len, reverse=True) if where.startswith(c))
        help_text = re.sub(r"-\n\s+", "-", shown[command])  # 'comma-' / 'separated' is whole
        broken += [
            (where, word)
            for word in text.split()
            if "%" not in word and word not in help_text  # (%(default)s is filled in)
        ]
    assert broken == []
