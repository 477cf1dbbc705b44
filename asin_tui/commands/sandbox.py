"""`asin-tui sandbox` (placeholder until its issue lands)."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    return sub.add_parser("sandbox", help="sandbox (not yet available)")


def run(args: argparse.Namespace) -> int:
    raise NotImplementedError
