"""Open the terminal app (placeholder until the TUI issue lands)."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    raise NotImplementedError
