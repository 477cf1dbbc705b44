"""Command line entry point: `asin-tui [--demo|--profile NAME]` opens the TUI; subcommands script it.

Each subcommand lives in ``asin_tui.commands.<name>`` and exposes
``add_parser(subparsers) -> argparse.ArgumentParser`` and ``run(args) -> int``.
Exit codes: 0 ok / nothing needs attention, 1 needs attention, 2 usage, config or I/O error.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from asin_tui import __version__

SUBCOMMANDS = ("report", "diagnose", "progress", "sandbox", "config")


class UsageError(Exception):
    """Raised by commands for a user error: printed as one line, exit 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asin-tui",
        description=(
            "Find every Amazon listing of yours that is not live, learn exactly why, "
            "and get it back on sale. Without a subcommand, opens the terminal app."
        ),
    )
    parser.add_argument("--version", action="version", version=f"asin-tui {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use the built-in sandbox seller account (no credentials needed)",
    )
    parser.add_argument(
        "--reset", action="store_true", help="with --demo: start the demo account fresh"
    )
    parser.add_argument(
        "--profile", metavar="NAME", help="config profile to use (default: the first)"
    )
    parser.add_argument(
        "--marketplace", metavar="M", help="marketplace code or id (overrides the profile)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name in SUBCOMMANDS:
        module = importlib.import_module(f"asin_tui.commands.{name}")
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            from asin_tui.commands import tui

            return tui.run(args)
        module = importlib.import_module(f"asin_tui.commands.{args.command}")
        return module.run(args)
    except UsageError as exc:
        print(f"asin-tui: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("asin-tui: interrupted", file=sys.stderr)
        return 130
