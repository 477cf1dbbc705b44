"""`asin-tui fix FILE.csv [--apply]`: fix many listings from a CSV, for scripts.

The CSV's header is ``sku`` plus one column per value — ``quantity``, ``handling_time``,
``price``, or an attribute name from the listing's product type schema (``brand``,
``country_of_origin``…); one row per SKU; an empty cell leaves that value as it is. A UTF-8
BOM and CRLF line ends are read; a cell a spreadsheet export defused with a leading ``'``
(``'=…``, ``'+…``, ``'-…``, ``'@…``: what ``report --format csv`` writes) is read without it.

Every row is checked against its listing's schema before anything is sent (a bad file exits 2
naming the line and column), then validated with patchListingsItem VALIDATION_PREVIEW;
nothing is written without ``--apply``. With ``--apply`` the rows Amazon found VALID are
submitted (on a terminal, after a summary and a typed ``yes``; ``--yes`` skips it), each
listing is re-read, and the result per row says whether it is fixed or waiting on Amazon.
The batch engine is asin_tui/bulk.py: a batch killed half way is run again with the same
file and sends nothing twice.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import sys
import textwrap
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from asin_tui.commands._account import add_account_options, demo_settings, resolve_profile
from asin_tui.commands._output import write_out
from asin_tui.commands._signals import (
    ask,
    interruptible,
    no_one_to_ask,
    question_interruptible,
    sigterm_interrupts,
)
from asin_tui.commands.errors import UsageError
from asin_tui.commands.report import (
    DEFAULT_MAX_AGE_MINUTES,
    ProgressBar,
    _one_line,
    _open_service,
    _sync,
)
from asin_tui.domain.bulk import OFFER_COLUMNS, RowOutcome, known_column
from asin_tui.domain.change_words import (
    SAME_VALUES,
    counted,
    marketplace_text,
    not_sent_for_no_change,
)
from asin_tui.domain.text import json_for_terminal, quoted, quoted_short, visible
from asin_tui.service import NotFound, SpApiError
from asin_tui.store.cache import CacheError
from asin_tui.store.cases import CaseStoreError
from asin_tui.store.config import ConfigError, Profile

if TYPE_CHECKING:
    from asin_tui.bulk import BulkFix, BulkRow, CsvTable, RowResult
    from asin_tui.service import AccountService

FORMATS = ("table", "json")
READ_AT_ONCE = 10  # SKUs not in the cache read side by side (the rate limiter paces them)
CONFIRM_WORD = "yes"
#: Outcomes of a row that was sent (or had been, by an earlier run) and taken by Amazon.
APPLIED = frozenset({RowOutcome.FIXED, RowOutcome.WAITING, RowOutcome.NOT_FIXED})


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "fix",
        help="validate (and with --apply, submit) a CSV of values for many listings",
        description=(
            "Fix many listings at once from a CSV: header 'sku' plus one column per value "
            "(quantity, handling_time, price, or an attribute name of the product type "
            "schema, e.g. brand, country_of_origin); an empty cell leaves the value. Every "
            "row is validated with Amazon (patchListingsItem VALIDATION_PREVIEW); nothing is "
            "written without --apply."
        ),
        epilog=(
            "Exit status: 0 when every row is valid (and, with --apply, was submitted); 1 "
            "when some row is invalid, failed or was not submitted; 2 for a bad file (an "
            "unknown column or SKU, a duplicate SKU, a value the schema rejects: the line "
            "and column are named, nothing is sent) or a config, credentials or network "
            "error. A batch interrupted half way is resumed by running it again: what "
            "Amazon already accepted is not sent twice."
        ),
    )
    add_account_options(parser, marketplace_help="marketplace code or id (overrides the profile)")
    parser.add_argument("file", metavar="FILE.csv", type=Path, help="the values, one row a SKU")
    parser.add_argument(
        "--apply", action="store_true", help="submit the rows Amazon's validation found VALID"
    )
    parser.add_argument(
        "--yes",
        action="store_true",
        help="with --apply: send without asking for a typed 'yes' (cron, scripts: needed "
        "when there is no terminal to ask on)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table (default), or json: a JSON list, one object a CSV row",
    )
    parser.add_argument(
        "--wait",
        metavar="SECONDS",
        type=float,
        default=0.0,
        help="with --apply: re-check listings Amazon is still processing for up to SECONDS",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    no_one_to_ask(args)
    profile = None
    try:
        with sigterm_interrupts():
            profile = resolve_profile(args)
            table = read_csv(args.file)
            return asyncio.run(interruptible(_fix(args, profile, table)))
    except BrokenPipeError:
        raise
    except KeyboardInterrupt:
        print(
            "asin-tui: interrupted; every submit was saved as it went: run the same command "
            "again to finish (nothing Amazon took is sent twice)",
            file=sys.stderr,
        )
        return 130
    except (ConfigError, SpApiError, CacheError, CaseStoreError, OSError) as exc:
        raise UsageError(_one_line(exc, profile)) from None


# ---------------------------------------------------------------------- the file


class BadFile(UsageError):
    """The CSV cannot be used; the message names every line and column at fault."""


def errors_text(name: str, errors: Sequence[str]) -> str:
    from asin_tui.bulk import errors_text as text

    return text(name, errors)


def read_csv(path: Path) -> CsvTable:
    """The rows of a fix CSV (asin_tui.bulk.read_csv: the bulk wizard reads the same files);
    BadFile for one that cannot be a batch."""
    from asin_tui.bulk import BadCsv
    from asin_tui.bulk import read_csv as read

    try:
        return read(path)
    except BadCsv as exc:
        raise BadFile(str(exc)) from None


# ---------------------------------------------------------------------- running


async def _fix(args: argparse.Namespace, profile: Profile | None, table: CsvTable) -> int:
    from asin_tui.bulk import BulkFix

    service = _open_service(args, profile)
    told = list(service.notices)
    try:
        for warning in told:
            print(f"asin-tui: warning: {visible(warning)}", file=sys.stderr)
        await _listings_known(service, table)
        bar = ProgressBar(sys.stderr) if sys.stderr.isatty() else None
        demo = demo_settings(args) if profile is None else None
        # its pauses are in Amazon's time: the demo's may run faster (DemoSettings)
        engine = BulkFix(service, progress=bar, time_scale=demo.time_scale if demo else 1.0)
        _check_file(engine, table)
        try:
            results = await engine.validate(table.rows)
            _reachable(results)
            if args.apply and any(r.valid and not r.unchanged for r in results):
                if bar:  # the question starts on a line of its own, not after the bar
                    bar.clear()
                try:
                    with question_interruptible():
                        confirmed = _confirmed(args, service, results)
                except KeyboardInterrupt:  # Ctrl-C or SIGTERM at the question
                    print("asin-tui: interrupted; nothing was sent", file=sys.stderr)
                    return 130
                if not confirmed:
                    print("asin-tui: nothing was sent", file=sys.stderr)
                    _output(args.format, results, applied=False, declined=True)
                    return 1  # --apply asked for and not given: not applied
                else:
                    results = await engine.apply(results)
                    results = await engine.recheck(results, wait=max(0.0, args.wait))
        finally:
            if bar:
                bar.clear()
            for warning in service.notices:  # found meanwhile (the demo: a fix not kept)
                if warning not in told:
                    print(f"asin-tui: warning: {visible(warning)}", file=sys.stderr)
    finally:
        await service.aclose()
    _output(args.format, results, applied=args.apply)
    return _exit_code(results, applied=args.apply)


async def _listings_known(service: AccountService, table: CsvTable) -> None:
    """Every SKU of the file in the local cache: a sync first when the cache is older than
    report's default --max-age, then each SKU it does not hold read on its own (a listing
    that needs no attention is not in a needs-attention sync). BadFile names unknown SKUs."""
    from asin_tui.service import UnknownSku

    last = service.last_sync()
    if last is None or last.age_seconds() > DEFAULT_MAX_AGE_MINUTES * 60:
        await _sync(service, include_all=False)
    missing = []
    for row in table.rows:
        try:
            service.evidence(row.sku)
        except UnknownSku:
            missing.append(row)
    unknown: list[tuple[int, str]] = []
    gate = asyncio.Semaphore(READ_AT_ONCE)

    async def read(row: BulkRow) -> None:
        async with gate:
            try:
                await service.refresh(row.sku)
            except NotFound:
                why = f"line {row.line}, column 'sku': no listing {quoted(row.sku)}"
                unknown.append((row.line or 0, why))

    await asyncio.gather(*(read(row) for row in missing))
    if unknown:
        errors = [why for _, why in sorted(unknown)]
        raise BadFile(errors_text(visible(str(table.path)), errors))


def _check_file(engine: BulkFix, table: CsvTable) -> None:
    """Before any call: every column means something for these listings, every value fits
    its schema. BadFile names each line and column at fault."""
    schemas = {}
    for row in table.rows:
        requirements = engine.service.evidence(row.sku).requirements
        if requirements is not None:
            schemas[requirements.product_type] = requirements
    errors = [
        f"column {quoted_short(column)}: not {', '.join(OFFER_COLUMNS)} or an attribute of the "
        f"product type{'s' if len(schemas) != 1 else ''} of these listings "
        f"({', '.join(sorted(schemas)) or 'none known'})"
        for column in table.columns
        if not known_column(column, schemas.values())
    ]
    if not errors:
        for row in table.rows:
            for column, why in engine.check(row).rejected.items():
                value = quoted_short(row.values.get(column, ""))
                errors.append(f"line {row.line}, column {quoted_short(column)}: {value}: {why}")
    if errors:
        raise BadFile(errors_text(visible(str(table.path)), errors))


def _reachable(results: Sequence[RowResult]) -> None:
    """A network error, not a batch of failed rows: no row that was sent got an answer."""
    tried = [r for r in results if r.preview is not None or r.outcome is RowOutcome.FAILED]
    if tried and all(r.outcome is RowOutcome.FAILED for r in tried):
        raise UsageError(f"no answer from Amazon for any row ({tried[0].reason}); nothing was sent")


def _confirmed(args: argparse.Namespace, service: AccountService, results: list[RowResult]) -> bool:
    """The typed confirmation for a person at a terminal (a script's is --apply --yes):
    how many listings, the first SKUs, each distinct change once with how many listings it
    is made to (as the TUI's send confirmation), then 'yes'. Each listing's own change is
    printed too when there are few; for more, typing 'list' prints them and asks again.
    Only the word 'yes' sends; anything else (or no answer) sends nothing."""
    if args.yes:
        return True
    valid = [r for r in results if r.valid and not r.unchanged]
    same = sum(1 for r in results if r.valid and r.unchanged)
    lines = confirmation_lines(valid, len(results) - len(valid) - same, service.marketplace_id)
    if same:  # not sent, and not 'not valid' either
        lines.append(f"{counted(same, 'VALID row')} not sent: {SAME_VALUES}.")
    print("\n".join(lines), file=sys.stderr)
    listable = len(valid) > SHOWN_EACH  # else each listing's change is printed already
    question = f"Type {CONFIRM_WORD} to send them" + (
        f" ({LIST_WORD}: each listing's change): " if listable else ": "
    )
    _discard_typed_ahead()
    while True:
        try:
            answer = ask(question).strip()
        except EOFError:
            return False
        if not (listable and answer == LIST_WORD):
            return answer == CONFIRM_WORD
        print("\n".join(each_listing(valid)), file=sys.stderr)


def _discard_typed_ahead() -> None:
    """Throw away what was typed on the terminal before the question was asked (during the
    validation, which takes minutes for a large batch): a "yes" typed ahead, or Enter keys
    and letters meant for something else, must never answer it."""
    try:
        import termios
    except ImportError:  # not a POSIX terminal: nothing to discard
        return
    with contextlib.suppress(termios.error, OSError, ValueError):  # not a terminal after all
        termios.tcflush(sys.stdin.fileno(), termios.TCIFLUSH)


#: Listings whose own change the confirmation prints after the grouped changes; a larger
#: batch's are printed on asking (LIST_WORD).
SHOWN_EACH = 10
#: Typed at the confirmation of a larger batch: each listing's change printed, asked again.
LIST_WORD = "list"


def confirmation_lines(valid: Sequence[RowResult], left: int, marketplace_id: str) -> list[str]:
    """What `fix --apply` asks a person at a terminal before sending: the count and where,
    the SKUs (the first 12), each distinct change once with its count and first SKUs
    (domain.change_words.grouped_changes, as the TUI's send confirmation), each listing's
    change when there are at most SHOWN_EACH, and the rows left out. As many lines for 2,000
    listings as for 20. Every SKU and change is shown as text (visible)."""
    from asin_tui.domain.change_words import grouped_changes, listings, named_skus, rows_left_out

    count = len(valid)
    lines = [
        f"Send these changes to Amazon? {listings(count)} in {marketplace_text(marketplace_id)}:",
        f"  SKUs: {named_skus([r.sku for r in valid])}",
        "  Changes:",
    ]
    lines += [f"    {line}" for line in grouped_changes((r.sku, r.changes) for r in valid)]
    if count <= SHOWN_EACH:
        lines.append("  Each listing:")
        lines += [f"    {line}" for line in each_listing(valid)]
    else:
        lines.append(
            f"  Each listing's change: type {LIST_WORD} at the question below (the table "
            "after the batch has one line a row too)."
        )
    if left:
        lines.append(rows_left_out(left))
    return [visible(line) for line in lines]


def each_listing(valid: Sequence[RowResult]) -> list[str]:
    """'SKU: change; change' for each listing to be sent (shown as text)."""
    return [visible(f"{r.sku}: " + "; ".join(r.changes)) for r in valid]


# ---------------------------------------------------------------------- output


def _output(fmt: str, results: list[RowResult], *, applied: bool, declined: bool = False) -> None:
    if fmt == "json":
        document = json.dumps([r.as_json() for r in results], indent=2, ensure_ascii=False)
        write_out(json_for_terminal(document) + "\n")
        return
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    write_out(render_table(results, applied=applied, declined=declined, width=width) + "\n")


def render_table(
    results: Sequence[RowResult], *, applied: bool, declined: bool = False, width: int | None = None
) -> str:
    """One line a row (terminal-safe), then the counts. ``width``: a terminal's; a DETAIL
    longer than the room left for it goes on under its column (the terminal would break it
    anywhere, at its left edge), never cut. None (a file, a pipe): one line a row."""
    head = ("LINE", "SKU", "PREVIEW", "SENT", "OUTCOME", "STATE AFTER", "DETAIL")
    rows = [head]
    for r in results:
        rows.append(
            (
                str(r.line or ""),
                visible(r.sku),
                r.preview or "-",
                "yes" if r.submitted else "no",
                r.outcome.value.replace("_", " "),
                r.state_after or "-",
                visible(_detail(r)),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head) - 1)]
    at = sum(widths) + 2 * len(widths)  # where DETAIL starts
    room = width - 1 - at if width else 0  # not the last cell: some terminals wrap there
    lines = []
    for row in rows:
        cells = "  ".join([*(c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)), ""])
        first, *more = _wrapped(row[-1], room) if room >= 20 else [row[-1]]
        lines += [(cells + first).rstrip(), *(" " * at + line for line in more)]
    said = summary(results, applied=applied, declined=declined)
    if width and width > 20:  # a terminal: broken at a word, not where the edge falls
        said = textwrap.fill(said, width - 1, break_on_hyphens=False)
    return "\n".join([*lines, "", said])


def _wrapped(text: str, room: int) -> list[str]:
    return textwrap.wrap(text, room, break_on_hyphens=False) or [""]


def _detail(result: RowResult) -> str:
    errors = [i for i in result.issues if i.get("severity") == "ERROR"]
    if result.reason:
        return result.reason
    if errors:
        first = errors[0]
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        return f"{first.get('code')}: {first.get('message')}{more}"
    if result.valid and result.unchanged and not result.submitted:
        return f"no change: {SAME_VALUES} ({'; '.join(result.changes)})"
    return "; ".join(result.changes)


def summary(results: Sequence[RowResult], *, applied: bool, declined: bool = False) -> str:
    """'5 rows: 4 valid, 1 invalid; 4 submitted: 3 fixed, 1 waiting on Amazon'. ``declined``:
    --apply was given and the typed confirmation was not."""
    counts = Counter(r.outcome for r in results)
    valid = sum(1 for r in results if r.preview == "VALID")
    parts = [f"{len(results)} row{'s' if len(results) != 1 else ''}: {valid} valid"]
    same = sum(1 for r in results if r.valid and r.unchanged and not r.submitted)
    if same:  # never sent, with or without --apply
        parts[0] += not_sent_for_no_change(same)
    invalid = counts[RowOutcome.INVALID]
    if invalid:
        parts.append(f"{invalid} invalid")
    if counts[RowOutcome.FAILED]:
        parts.append(f"{counts[RowOutcome.FAILED]} failed")
    text = ", ".join(parts)
    if declined:
        return text + "; nothing was sent (not confirmed: only typing yes sends)"
    if not applied:
        return text + "; nothing was sent (validation only: --apply submits the valid rows)"
    sent = sum(1 for r in results if r.submitted)
    words = {
        RowOutcome.FIXED: "fixed",
        RowOutcome.WAITING: "waiting on Amazon",
        RowOutcome.NOT_FIXED: "still needing attention",
        RowOutcome.HELD: "held (an earlier submit may still be processing)",
    }
    detail = ", ".join(f"{counts[o]} {w}" for o, w in words.items() if counts[o])
    return f"{text}; {sent} submitted" + (f": {detail}" if detail else "")


def _exit_code(results: Sequence[RowResult], *, applied: bool) -> int:
    if applied:
        return (
            0
            if all(
                (r.submitted and r.outcome in APPLIED) or (r.valid and r.unchanged) for r in results
            )
            else 1
        )
    return 0 if all(r.valid for r in results) else 1
