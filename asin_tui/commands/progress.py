"""`asin-tui progress`: the triage work the wizard saved, as a table or JSON (read only).

Lists what still needs the seller: open SKUs and escalated ones (waiting on Seller Support);
``--all`` adds the resolved ones, archived ones included. The progress file is only read:
one that cannot be used is reported, never moved.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC

from asin_tui.cli import UsageError
from asin_tui.commands._account import add_account_options, marketplace_option, resolve_profile
from asin_tui.commands._output import write_out
from asin_tui.domain.marketplaces import Marketplace, resolve_marketplace
from asin_tui.domain.text import json_for_terminal, visible
from asin_tui.store.config import ConfigError
from asin_tui.store.progress import Outcome, ProgressError, ProgressStore, SkuProgress

DEMO_PROFILE = "demo"
DEMO_MARKETPLACE = "US"
NOTE_WIDTH = 60
WAITING = frozenset({Outcome.OPEN, Outcome.ESCALATED})  # what still needs the seller
OUTCOME_WORDS = {
    Outcome.OPEN: "open",
    Outcome.ESCALATED: "escalated (waiting on Seller Support)",
    Outcome.RESOLVED: "resolved",
}


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "progress",
        help="list triage work saved by the wizard (open and escalated)",
        description=(
            "List the SKUs whose reactivation still needs you: open ones and escalated ones "
            "(waiting on Seller Support), with step, outcome and last note. Read only."
        ),
    )
    add_account_options(parser, marketplace_help="code or id (default: the profile's)")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument(
        "--all", action="store_true", help="include resolved SKUs (archived ones too)"
    )
    return parser


def run(args: argparse.Namespace) -> int:
    profile, marketplace = _target(args)
    store = ProgressStore(profile, marketplace.marketplace_id, read_only=True)
    outcomes = set(Outcome) if args.all else WAITING
    try:
        items = store.items(outcomes, with_archive=args.all)
    except ProgressError as exc:
        raise UsageError(str(exc)) from None
    for warning in store.take_warnings():
        print(f"asin-tui: warning: {visible(warning)}", file=sys.stderr)
    if args.format == "json":
        document = json.dumps([_as_json(item) for item in items], indent=2, ensure_ascii=False)
        write_out(json_for_terminal(document) + "\n")  # SKUs and notes are data: no raw C1/bidi
    else:
        write_out(_table(items, profile, marketplace) + "\n")
    return 0


def _target(args: argparse.Namespace) -> tuple[str, Marketplace]:
    """The profile name and marketplace whose progress to list."""
    try:
        profile = resolve_profile(args)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if profile is None:
        return DEMO_PROFILE, marketplace_option(args) or resolve_marketplace(DEMO_MARKETPLACE)
    return profile.name, profile.marketplace


def _as_json(item: SkuProgress) -> dict[str, str]:
    return {
        "sku": item.sku,
        "step": item.current_step.value,
        "outcome": item.outcome.value,
        "updated_at": item.updated_at.isoformat(),
        "last_note": item.last_note(),
    }


def _table(items: list[SkuProgress], profile: str, marketplace: Marketplace) -> str:
    where = f"profile {visible(profile)}, {marketplace.code} ({marketplace.marketplace_id})"
    if not items:
        return f"No open or escalated triage work ({where})."
    rows = [("SKU", "STEP", "OUTCOME", "UPDATED (UTC)", "LAST NOTE")]
    rows += [
        (
            visible(item.sku),
            item.current_step.label,
            item.outcome.value,
            item.updated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
            _one_line(item.last_note()),
        )
        for item in items
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = [
        "  ".join(
            [*(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)), row[4]]
        ).rstrip()
        for row in rows
    ]
    return "\n".join([f"Triage work, {where}: {_counts(items)}", "", *lines])


def _counts(items: list[SkuProgress]) -> str:
    """'2 open SKUs, 1 escalated (waiting on Seller Support)'."""
    parts = []
    for outcome, words in OUTCOME_WORDS.items():
        n = sum(1 for item in items if item.outcome is outcome)
        if n:
            head, _, tail = words.partition(" ")
            parts.append(f"{n} {head} SKU{'' if n == 1 else 's'}" + (f" {tail}" if tail else ""))
    return ", ".join(parts)


def _one_line(note: str) -> str:
    """The first line of a note, cut to NOTE_WIDTH characters."""
    lines = [visible(line) for line in note.strip().splitlines()]
    first = lines[0] if lines else ""
    if len(first) > NOTE_WIDTH or len(lines) > 1:
        return first[: NOTE_WIDTH - 1].rstrip() + "…"
    return first
