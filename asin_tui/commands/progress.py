"""`asin-tui progress`: the triage work the wizard saved, as a table or JSON (read only).

Lists what is not done with: open SKUs, those waiting on Amazon (with what and until when;
overdue once that date has passed), those at risk (the deadline), escalated ones (waiting on
Seller Support); ``--all`` adds the retired and resolved ones, archived ones included. Each
sync re-checks the waiting, at-risk and escalated ones and notes what it found (resolved,
reopened). The case file is only read: one that cannot be used is reported, never moved.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from datetime import UTC, datetime

from asin_tui.commands._account import add_account_options, marketplace_option, resolve_profile
from asin_tui.commands._output import write_out
from asin_tui.commands.errors import UsageError
from asin_tui.domain.marketplaces import Marketplace, resolve_marketplace
from asin_tui.domain.text import json_for_terminal, visible
from asin_tui.service import demo_profile
from asin_tui.store.cases import CaseRecord, CaseStore, CaseStoreError, Outcome
from asin_tui.store.config import ConfigError

DEMO_MARKETPLACE = "US"
NOTE_WIDTH = 60
#: What still needs the seller or Amazon (shown without --all).
WAITING = frozenset({Outcome.OPEN, Outcome.WAITING, Outcome.AT_RISK, Outcome.ESCALATED})
#: The counts line: how each outcome is counted ("2 open SKUs"), in this order.
OUTCOME_WORDS = {
    Outcome.OPEN: "open",
    Outcome.WAITING: "waiting (on Amazon)",
    Outcome.AT_RISK: "at-risk",
    Outcome.ESCALATED: "escalated (waiting on Seller Support)",
    Outcome.RETIRED: "retired",
    Outcome.RESOLVED: "resolved",
}


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "progress",
        help="list triage work saved by the wizard and how each case ended",
        description=(
            "List the SKUs whose reactivation is not done with: open ones, those waiting on "
            "Amazon (what for, re-check date, overdue), at risk (deadline) and escalated "
            "(waiting on Seller Support), with step, outcome and last note. Read only."
        ),
    )
    add_account_options(parser, marketplace_help="code or id (default: the profile's)")
    parser.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="table (default), or json: a JSON list, one object a SKU",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="include retired and resolved SKUs (archived ones too)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    profile, marketplace = _target(args)
    store = CaseStore(profile, marketplace.marketplace_id, read_only=True)
    outcomes = set(Outcome) if args.all else WAITING
    try:
        items = store.items(outcomes, with_archive=args.all)
    except CaseStoreError as exc:
        raise UsageError(str(exc)) from None
    for warning in store.take_warnings():
        print(f"asin-tui: warning: {visible(warning)}", file=sys.stderr)
    if args.format == "json":
        document = json.dumps([_as_json(item) for item in items], indent=2, ensure_ascii=False)
        write_out(json_for_terminal(document) + "\n")  # SKUs and notes are data: no raw C1/bidi
    else:
        width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
        write_out(_table(items, profile, marketplace, width) + "\n")
    return 0


def _target(args: argparse.Namespace) -> tuple[str, Marketplace]:
    """The profile name and marketplace whose cases to list."""
    try:
        profile = resolve_profile(args)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if profile is None:
        scenario = getattr(args, "scenario", "default")  # --demo --scenario vacation
        market = marketplace_option(args) or resolve_marketplace(DEMO_MARKETPLACE)
        return demo_profile(scenario), market
    return profile.name, profile.marketplace


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _as_json(item: CaseRecord) -> dict[str, object]:
    return {
        "sku": item.sku,
        "step": item.current_step.value,
        "outcome": item.outcome.value,
        "updated_at": item.updated_at.isoformat(),
        "last_note": item.last_note(),
        "waiting_for": item.waiting_for,
        "recheck_at": _iso(item.recheck_at),
        "overdue": item.overdue(),
        "reason": item.outcome_reason,
        "checked_at": _iso(item.checked_at),
        "check_note": item.check_note,
    }


def outcome_text(item: CaseRecord) -> str:
    """The OUTCOME cell: 'waiting', 'waiting, overdue', 'reopened'…"""
    if item.overdue():
        return f"{item.outcome.value.replace('_', ' ')}, overdue"
    if item.outcome is Outcome.OPEN and item.resolved_state:
        return "reopened"
    return item.outcome.value.replace("_", " ")


def detail_text(item: CaseRecord) -> str:
    """What a case waits for and until when, its deadline, why it was retired, what the last
    re-check found."""
    when = f"{item.recheck_at:%Y-%m-%d}" if item.recheck_at else ""
    if item.outcome is Outcome.WAITING:
        return f"{item.waiting_for}; re-check by {when}" if when else item.waiting_for
    if item.outcome is Outcome.AT_RISK:
        return f"until {when}: {item.waiting_for}" if when else item.waiting_for
    if item.outcome is Outcome.RETIRED:
        return item.outcome_reason
    return item.check_note


def _table(
    items: list[CaseRecord], profile: str, marketplace: Marketplace, width: int | None = None
) -> str:
    """One line a case. ``width``: a terminal's; when the table is wider, each case's DETAIL
    and LAST NOTE go on indented lines under it (:func:`_stacked`) rather than past the edge,
    where the terminal would break them anywhere."""
    where = f"profile {visible(profile)}, {marketplace.code} ({marketplace.marketplace_id})"
    if not items:
        return f"No open, waiting or escalated triage work ({where})."
    details = [_one_line(detail_text(item)) for item in items]
    with_details = any(details)
    head = ("SKU", "STEP", "OUTCOME", *(("DETAIL",) if with_details else ()))
    rows = [(*head, "UPDATED (UTC)", "LAST NOTE")]
    rows += [
        (
            visible(item.sku),
            item.current_step.label,
            outcome_text(item),
            *((detail,) if with_details else ()),
            item.updated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
            _one_line(item.last_note()),
        )
        for item, detail in zip(items, details, strict=True)
    ]
    fixed = len(rows[0]) - 1
    widths = [max(len(row[column]) for row in rows) for column in range(fixed)]
    lines = [
        "  ".join(
            [*(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)), row[-1]]
        ).rstrip()
        for row in rows
    ]
    if width and max(len(line) for line in lines) >= width:
        lines = _stacked(items, details, width)
    return "\n".join([f"Triage work, {where}: {_counts(items)}", "", *lines])


def _stacked(items: list[CaseRecord], details: list[str], width: int) -> list[str]:
    """Each case's line (SKU, step, outcome, updated), then its detail and last note under it."""
    rows = [("SKU", "STEP", "OUTCOME", "UPDATED (UTC)")]
    rows += [
        (
            visible(item.sku),
            item.current_step.label,
            outcome_text(item),
            item.updated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
        )
        for item in items
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    lines = []
    for n, row in enumerate(rows):
        cells = [cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
        if n:
            item = items[n - 1]
            note = _one_line(item.last_note())
            under = (details[n - 1], f"last note: {note}" if note else "")
            lines += [_cut(f"  {text}", width - 1) for text in under if text]
    return lines


def _cut(line: str, room: int) -> str:
    return line if len(line) <= room else line[: room - 1].rstrip() + "…"


def _counts(items: list[CaseRecord]) -> str:
    """'2 open SKUs, 1 waiting SKU (on Amazon; 1 overdue), 1 escalated SKU (waiting on
    Seller Support)'."""
    parts = []
    for outcome, words in OUTCOME_WORDS.items():
        these = [item for item in items if item.outcome is outcome]
        if not these:
            continue
        head, _, tail = words.partition(" ")
        overdue = sum(1 for item in these if item.overdue())
        if overdue:
            inner = tail.strip("()")
            tail = f"({inner}; {overdue} overdue)" if inner else f"({overdue} overdue)"
        n = len(these)
        parts.append(f"{n} {head} SKU{'' if n == 1 else 's'}" + (f" {tail}" if tail else ""))
    return ", ".join(parts)


def _one_line(note: str) -> str:
    """The first line of a note, cut to NOTE_WIDTH characters."""
    lines = [visible(line) for line in note.strip().splitlines()]
    first = lines[0] if lines else ""
    if len(first) > NOTE_WIDTH or len(lines) > 1:
        return first[: NOTE_WIDTH - 1].rstrip() + "…"
    return first
