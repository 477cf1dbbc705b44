"""`asin-tui report`: sync the account and print the listings that need attention (or all).

A contract scripts rely on: formats `json`, `csv` and `table` (for people), the order of
`models.sort_key` (most severe state first, then SKU), exit 0 when nothing needs attention,
1 when something does, 2 on any error (config, credentials, network) with one clear line, 3
when the sync could not fetch every listing in scope (stderr names what is missing).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import sys
import textwrap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from asin_tui.cli import UsageError
from asin_tui.commands._account import add_account_options, marketplace_option, resolve_profile
from asin_tui.commands._output import write_out
from asin_tui.domain.account import AccountCause, account_causes
from asin_tui.domain.models import AccountHealth, ListingRecord, State
from asin_tui.domain.redact import redact
from asin_tui.domain.text import for_terminal, json_for_terminal, visible
from asin_tui.spapi.errors import SpApiError
from asin_tui.store.atomic import write_output
from asin_tui.store.cache import CacheError, SyncInfo
from asin_tui.store.config import SECRET_KEYS, ConfigError, Profile

if TYPE_CHECKING:  # the service pulls in python-amazon-sp-api: imported when a report runs
    from asin_tui.service import AccountService
    from asin_tui.spapi.sync import SyncProgress

FORMATS = ("table", "json", "csv")
CSV_COLUMNS = (
    "sku",
    "asin",
    "title",
    "state",
    "buyable",
    "discoverable",
    "amazon_status",
    "main_cause",
    "severity",
    "fulfillment_channel",
    "quantity",
    "price",
    "currency",
    "inactive_since",
    "finding_codes",
)
DEFAULT_MAX_AGE_MINUTES = 15.0
#: The listing set is incomplete: some listings could not be fetched (stderr names them).
EXIT_INCOMPLETE = 3
MIN_TABLE_WIDTH = 100
PIPED_WIDTH = 120
DEMO_MARKETPLACE = "US"  # the marketplace the built-in sandbox account sells in


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "report",
        help="sync the account and list the listings that need attention",
        description=(
            "Sync the account, then list every listing that needs attention or is at risk "
            "(or all of them), most severe state first."
        ),
        epilog=(
            "Exit status: 0 when no listing needs attention, 1 when some do, 2 on an error "
            "(config, credentials, network), 3 when the listing set is incomplete (some "
            "listings could not be fetched; stderr names them). A listing needs attention when it is not "
            "buyable, not discoverable, or has an ERROR finding; one that is live with only "
            "WARNING findings (an exemption about to expire...) is at risk: listed, but it "
            "does not make the exit status 1."
        ),
    )
    add_account_options(parser, marketplace_help="marketplace code or id (overrides the profile)")
    parser.add_argument("--all", action="store_true", help="every listing, not only problems")
    parser.add_argument(
        "--format", choices=FORMATS, default="table", help="output format (default: table)"
    )
    parser.add_argument(
        "--output",
        metavar="FILE",
        type=Path,
        help=(
            "write to FILE: a regular file is replaced atomically (a symlink's target), a "
            "device or named pipe is written directly; '-' is stdout"
        ),
    )
    parser.add_argument(
        "--cached",
        action="store_true",
        help="use the local cache without syncing when it is fresh enough (see --max-age)",
    )
    parser.add_argument(
        "--max-age",
        metavar="MINUTES",
        type=_minutes,
        default=DEFAULT_MAX_AGE_MINUTES,
        help=f"with --cached: how old the cache may be (default {DEFAULT_MAX_AGE_MINUTES:g})",
    )
    return parser


def _minutes(text: str) -> float:
    """``--max-age``: a finite number of minutes, 0 or more (argparse's usage error, exit 2)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of minutes, got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(
            f"expected a finite number of minutes, 0 or more, got {text!r}"
        )
    return value


def run(args: argparse.Namespace) -> int:
    profile = None
    try:
        profile = resolve_profile(args)
        if args.output is not None and str(args.output) == "-":
            args.output = None  # stdout
        if args.output is not None:
            _check_output(args.output)
        return asyncio.run(_report(args, profile))
    except BrokenPipeError:  # the reader left (`| head`): cli.main exits 141
        raise
    except (ConfigError, SpApiError, CacheError, OSError) as exc:
        raise UsageError(_one_line(exc, profile)) from None


# ---------------------------------------------------------------------- running


def _open_service(args: argparse.Namespace, profile: Profile | None) -> AccountService:
    from asin_tui.service import AccountService

    if profile is not None:
        return AccountService.for_profile(profile)
    wanted = marketplace_option(args)  # before the demo account (and its cache) is made
    if wanted is not None and wanted.code != DEMO_MARKETPLACE:
        raise UsageError("the demo account sells in the US marketplace only")
    return AccountService.for_demo(reset=args.reset, scenario=args.scenario)


async def _report(args: argparse.Namespace, profile: Profile | None) -> int:
    service = _open_service(args, profile)
    try:
        for warning in service.notices:
            print(f"asin-tui: warning: {visible(warning)}", file=sys.stderr)
        incomplete = False
        if not (args.cached and _fresh(service.last_sync(), args)):
            incomplete = await _sync(service, include_all=args.all)
        if args.format == "table":
            seen = Tally()
            records = service.cached_records(all_listings=args.all)
            seen.add(records)
            text: str | Iterator[str] = render_table(
                records, service.last_sync(), _table_width(args.output), service.account_health()
            )
        else:
            seen, text = _streamed(args, service)
        _emit(text, args.output, seen)  # JSON and CSV: read from the cache as they are written
        if warning := service.cache_warning:  # a file set aside, rows left out
            print(f"asin-tui: warning: {visible(warning)}", file=sys.stderr)
    finally:
        await service.aclose()
    if incomplete:
        return EXIT_INCOMPLETE
    return 1 if seen.needs_attention else 0


def _streamed(args: argparse.Namespace, service: AccountService) -> tuple[Tally, Iterator[str]]:
    """The JSON or CSV report, to be written as it is read from the cache, batch by batch."""
    seen = Tally()
    batches = service.cached_record_batches(all_listings=args.all)
    if args.format == "csv":
        return seen, stream_csv(batches, seen)
    counts = {state.value: 0 for state in State}
    for state, n in service.cached_state_counts(all_listings=args.all).items():
        counts[state.value] = n
    return seen, stream_json(
        batches,
        profile=service.profile_name,
        marketplace_id=service.marketplace_id,
        last_sync=service.last_sync(),
        account=service.account_health(),
        counts=counts,
        causes=service.cached_account_causes(all_listings=args.all),
        seen=seen,
    )


def _fresh(last: SyncInfo | None, args: argparse.Namespace) -> bool:
    """The cache can answer without a sync: complete, wide enough and young enough."""
    if last is None or not last.complete or (args.all and not last.include_all):
        return False
    return last.age_seconds() <= args.max_age * 60


async def _sync(service: AccountService, *, include_all: bool) -> bool:
    """Sync, and say on stderr what it could not fetch; True when the listing set it leaves
    is incomplete (some listings in scope could not be fetched at all)."""
    bar = ProgressBar(sys.stderr) if sys.stderr.isatty() else None
    try:
        await service.sync(include_all=include_all, progress=bar)
    finally:
        if bar:
            bar.clear()
    info = service.last_sync()
    if info is None or not info.failed:
        return False
    kept = service.cached_not_from_last_sync(all_listings=include_all)
    for line in sync_gap_lines(info, kept):
        print(f"asin-tui: warning: {visible(line)}", file=sys.stderr)
    return info.listings_incomplete


#: How many failures a warning names before "and N more".
NAMED_GAPS = 10


def sync_gap_lines(info: SyncInfo, kept: int) -> list[str]:
    """What an incomplete sync could not fetch, one line per kind, naming each (up to
    NAMED_GAPS; JSON's last_sync.failed has every one): the listings that are missing, and
    whether anything of them is shown from the cache (``kept``: rows shown that this sync did
    not fetch); then what else failed (evidence, product types, account health)."""
    lines = []
    names = info.gap_names_by_key()
    lost = [key for key in info.failed if key in info.missing]
    if lost:
        lines.append(
            f"the listing set is incomplete: {info.missing_text()} could not be fetched — "
            + _named([f"{names[key]}: {info.failed[key]}" for key in lost])
        )
        if kept:
            were = "listing is" if kept == 1 else "listings are"
            lines.append(
                f"{kept} {were} shown from an earlier sync (not refreshed by this one); "
                "listings never fetched before are not shown"
            )
        else:
            lines.append("no earlier data of them is cached: they are not shown")
    other = [key for key in info.failed if key not in info.missing]
    if other:
        lines.append(
            f"{len(other)} more could not be fetched: "
            + _named([f"{names[key]}: {info.failed[key]}" for key in other])
        )
    return lines


def _named(items: list[str]) -> str:
    more = len(items) - NAMED_GAPS
    return "; ".join(items[:NAMED_GAPS]) + (f"; and {more} more" if more > 0 else "")


def _check_output(output: Path) -> None:
    """Refuse an --output that cannot be written before the sync, not after it."""
    folder = output.parent
    if output.is_dir():
        raise UsageError(f"--output {output}: is a folder, not a file")
    if not folder.is_dir():
        raise UsageError(f"--output {output}: the folder {folder} does not exist")


def _emit(text: str | Iterator[str], output: Path | None, seen: Tally) -> None:
    chunks = [text] if isinstance(text, str) else text
    if output is None:
        # CSV keeps the data in files and pipes; on a terminal no control character is emitted
        tty = sys.stdout.isatty()
        for chunk in chunks:
            write_out(for_terminal(chunk) if tty else chunk)
        return
    try:
        write_output(output, chunks)  # created 0600: account data, like the cache
    except OSError as exc:  # its message names the temporary file: name the user's
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    print(f"asin-tui: wrote {seen.listings} listings to {visible(output)}", file=sys.stderr)


def _table_width(output: Path | None) -> int:
    """The terminal's width; for a file or a pipe, $COLUMNS when set, else 120."""
    if output is None and sys.stdout.isatty():
        return max(MIN_TABLE_WIDTH, shutil.get_terminal_size().columns)
    columns = os.environ.get("COLUMNS", "")
    return max(MIN_TABLE_WIDTH, int(columns)) if columns.isdigit() else PIPED_WIDTH


def _one_line(exc: BaseException, profile: Profile | None) -> str:
    """The error as one line, with every credential masked in any encoding (belt and braces:
    the client masks them already)."""
    text = " ".join(str(exc).split())
    credentials = profile.credentials if profile is not None else None
    secrets = [getattr(credentials, key, None) for key in SECRET_KEYS] if credentials else []
    return redact(text, secrets)


class ProgressBar:
    """A one-line progress bar on a terminal (stderr), redrawn in place."""

    WIDTH = 24

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, progress: SyncProgress) -> None:
        if progress.total:
            filled = min(self.WIDTH, self.WIDTH * progress.done // max(progress.total, 1))
            bar = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] "
        else:
            bar = ""
        line = f"{bar}{visible(progress.message)}"[: shutil.get_terminal_size().columns - 1]
        self.stream.write(f"\r\x1b[2K{line}")
        self.stream.flush()

    def clear(self) -> None:
        self.stream.write("\r\x1b[2K")
        self.stream.flush()


# ---------------------------------------------------------------------- rendering


def render(
    fmt: str,
    records: Sequence[ListingRecord],
    *,
    profile: str,
    marketplace_id: str,
    last_sync: SyncInfo | None,
    account: AccountHealth | None = None,
    width: int = 120,
) -> str:
    if fmt == "json":
        return render_json(records, profile, marketplace_id, last_sync, account)
    if fmt == "csv":
        return render_csv(records)
    return render_table(records, last_sync, width, account)


def render_json(
    records: Sequence[ListingRecord],
    profile: str,
    marketplace_id: str,
    last_sync: SyncInfo | None,
    account: AccountHealth | None = None,
) -> str:
    """The whole ``report --format json`` document of ``records`` (see :func:`stream_json`)."""
    return "".join(
        stream_json(
            [records],
            profile=profile,
            marketplace_id=marketplace_id,
            last_sync=last_sync,
            account=account,
            counts=_counts(records),
            causes=account_causes(records),
        )
    )


def stream_json(
    batches: Iterable[Sequence[ListingRecord]],
    *,
    profile: str,
    marketplace_id: str,
    last_sync: SyncInfo | None,
    account: AccountHealth | None,
    counts: Mapping[str, int],
    causes: Sequence[AccountCause],
    seen: Tally | None = None,
) -> Iterator[str]:
    """The ``report --format json`` document in pieces, a batch of listings at a time: the
    text ``json.dumps(document, indent=2, ensure_ascii=False)`` gives, key for key, without
    ever holding the whole document (100,000 listings: ~60 MB of text). ``counts`` and
    ``causes`` come before the listings in the document, so the caller works them out first
    (from the cache's index); ``seen`` counts what went out. C1, DEL and bidi/format
    characters are written as \\uXXXX (json.dumps escapes only C0): the same data."""
    head: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(),
        "profile": profile,
        "marketplace_id": marketplace_id,
        "account_health": None if account is None else _account_dict(account),
        "account_causes": [cause.to_dict() for cause in causes],
        "counts": dict(counts),
    }
    text = json.dumps(head, indent=2, ensure_ascii=False)
    yield json_for_terminal(text[: -len("\n}")] + ',\n  "listings": [')
    memo: dict[Any, str] = {}
    first = True
    for batch in batches:
        if not batch:
            continue
        pieces = [_listing_json(r, memo) for r in batch]
        chunk = ",".join(pieces)
        yield chunk if first else "," + chunk  # each value made terminal-safe
        first = False
        if seen is not None:
            seen.add(batch)
    sync = None if last_sync is None else _sync_dict(last_sync)
    tail = "]" if first else "\n  ]"
    yield f'{tail},\n  "last_sync": {_nested(sync, 1)}\n}}\n'


class Tally:
    """What a streamed report wrote: how many listings, and whether any needs attention."""

    def __init__(self) -> None:
        self.listings = 0
        self.needs_attention = False

    def add(self, batch: Sequence[ListingRecord]) -> None:
        self.listings += len(batch)
        self.needs_attention = self.needs_attention or any(r.needs_attention for r in batch)


def _sync_dict(last_sync: SyncInfo) -> dict[str, Any]:
    return {
        "finished_at": last_sync.finished_at.isoformat(),
        "include_all": last_sync.include_all,
        "complete": last_sync.complete,
        "listings_complete": not last_sync.listings_incomplete,
        "failed": dict(last_sync.failed),
        "missing": dict(last_sync.missing),
    }


_encode = json.encoder.encode_basestring  # type: ignore[attr-defined]  # C, ensure_ascii=False


def _str(value: str) -> str:
    """A JSON string, terminal-safe: checked only when it is not ASCII (an O(1) flag)."""
    return _encode(value) if value.isascii() else json_for_terminal(_encode(value))


def _nested(value: Any, level: int) -> str:
    """``value`` as json.dumps(indent=2) writes it ``level`` levels deep in a document."""
    text = json_for_terminal(json.dumps(value, indent=2, ensure_ascii=False))
    return text.replace("\n", "\n" + "  " * level) if "\n" in text else text


def _listing_json(r: ListingRecord, memo: dict[Any, str]) -> str:
    """One listing object (:meth:`ListingRecord.to_report_dict`) as it stands in the
    document's "listings" list: built from its values (json.dumps with an indent is pure
    Python, ~30 µs a listing); the findings and statuses many listings share, once."""
    findings = memo.get(r.findings)
    if findings is None:
        findings = memo[r.findings] = _nested([f.to_dict() for f in r.findings], 3)
    status = r.amazon_status
    if status is not None:
        status_text = memo.get(status)
        if status_text is None:
            status_text = memo[status] = _nested(list(status), 3)
    else:
        status_text = "null"
    since = r.inactive_since
    return (
        '\n    {\n      "sku": ' + _str(r.sku)
        + ',\n      "asin": ' + (_str(r.asin) if r.asin is not None else "null")
        + ',\n      "title": ' + _str(r.title)
        + ',\n      "state": "' + r.state.value
        + '",\n      "buyable": ' + ("true" if r.buyable else "false")
        + ',\n      "discoverable": ' + ("true" if r.discoverable else "false")
        + ',\n      "amazon_status": ' + status_text
        + ',\n      "fulfillment_channel": '
        + (_str(r.fulfillment_channel) if r.fulfillment_channel is not None else "null")
        + ',\n      "quantity": ' + (int.__repr__(r.quantity) if r.quantity is not None else "null")
        + ',\n      "price": ' + (_str(str(r.price)) if r.price is not None else "null")
        + ',\n      "currency": ' + (_str(r.currency) if r.currency is not None else "null")
        + ',\n      "inactive_since": ' + (_str(since.isoformat()) if since else "null")
        + ',\n      "findings": ' + findings
        + "\n    }"
    )  # fmt: skip


def _account_dict(account: AccountHealth) -> dict[str, Any]:
    return {
        "status": account.status,
        "policy_counters": dict(account.policy_counters),
        "as_of": account.as_of.isoformat() if account.as_of else None,
    }


def render_csv(records: Sequence[ListingRecord]) -> str:
    """The CSV of ``report --format csv`` and of the app's export (see :func:`stream_csv`)."""
    return "".join(stream_csv([records]))


def stream_csv(
    batches: Iterable[Sequence[ListingRecord]], seen: Tally | None = None
) -> Iterator[str]:
    """The CSV in pieces, a batch of listings at a time. Text cells a spreadsheet would run
    as a formula are defused (:func:`spreadsheet_text`); numbers stay numbers."""
    yield _csv_row(CSV_COLUMNS)
    text = spreadsheet_text  # every text cell: SKUs, titles and causes come from outside
    codes: dict[tuple[Any, ...], str] = {}
    for batch in batches:
        lines = []
        for r in batch:
            main = r.findings[0] if r.findings else None
            finding_codes = codes.get(r.findings)
            if finding_codes is None:
                finding_codes = codes[r.findings] = text(";".join(f.code for f in r.findings))
            lines.append(
                _csv_row(
                    (
                        text(r.sku),
                        text(r.asin or ""),
                        text(r.title),
                        r.state.value,
                        "yes" if r.buyable else "no",
                        "yes" if r.discoverable else "no",
                        text(" ".join(r.amazon_status)) if r.amazon_status is not None else "",
                        text(r.main_cause),
                        main.severity.value if main else "",
                        text(r.fulfillment_channel or ""),
                        "" if r.quantity is None else r.quantity,  # numbers stay numbers (-3 too)
                        "" if r.price is None else str(r.price),
                        text(r.currency or ""),
                        r.inactive_since.isoformat() if r.inactive_since else "",
                        finding_codes,
                    )
                )
            )
        if seen is not None:
            seen.add(batch)
        yield "".join(lines)


def _csv_row(cells: Sequence[object]) -> str:
    """One CSV row (RFC 4180 quoting, ending in a newline). A cell with a comma, a quote or
    any line break is quoted: a bare carriage return too, which Python 3.11's csv module
    leaves unquoted, so a title holding one would split the row in two for every reader."""
    return ",".join(_csv_cell(str(cell)) for cell in cells) + "\n"


def _csv_cell(cell: str) -> str:
    if any(char in cell for char in ',"\r\n'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


#: What makes a spreadsheet read a cell as a formula (OWASP "CSV Injection"): = + - @ and a
#: leading tab or carriage return; the full-width forms too, which some spreadsheets fold.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_text(value: str) -> str:
    """A text cell as a spreadsheet shows it, never runs it: one that starts like a formula
    (``=HYPERLINK(...)``, ``+cmd|...``, ``@SUM(...)``) gets a leading ``'``, as OWASP
    recommends. Only for text: a numeric field (a negative price) is written as it is."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def spreadsheet_value(cell: str) -> str:
    """The text a :func:`spreadsheet_text` cell holds: ``'=HYPERLINK(...)`` → ``=HYPERLINK(...)``
    (a ``'`` before anything else is the text's own)."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_FORMULA_STARTS) else cell


# The table's columns: (header, width; 0: as wide as the longest value, SKU up to _SKU_MAX;
# None: one of the two flexible ones). The cause is what a triage reads first: optional
# columns go (in _DROP_ORDER) until CAUSE gets _CAUSE_MIN cells and TITLE _FLEX_MIN; CAUSE
# then takes up to _CAUSE_MAX, TITLE the rest.
_TABLE_COLUMNS: tuple[tuple[str, int | None], ...] = (
    ("STATE", 0),
    ("SKU", 0),
    ("ASIN", 10),
    ("TITLE", None),
    ("CAUSE", None),
    ("STOCK", 8),
    ("PRICE", 10),
    ("SINCE", 10),
)
_DROP_ORDER = ("SINCE", "ASIN", "PRICE")
_SKU_MAX = 30
_FLEX_MIN = 16
_CAUSE_MIN = 30
_CAUSE_MAX = 40
_GAP = 2


def render_table(
    records: Sequence[ListingRecord],
    last_sync: SyncInfo | None,
    width: int = 120,
    account: AccountHealth | None = None,
) -> str:
    columns = _table_layout(width, records)
    lines = [_table_line({h: h for h, _ in columns}, columns)]
    lines += [_table_line(_table_cells(r), columns) for r in records]
    lines.append("")
    lines += _table_footer(records, last_sync, width)
    if account is not None and account.status != "NORMAL":
        lines += textwrap.wrap(visible(_account_line(account)), width)
    for cause in account_causes(records):  # one account-level cause, not one per listing
        lines += textwrap.wrap(f"ACCOUNT: {cause.detail} Fix: {cause.fix}.", width)
    return "\n".join(lines) + "\n"


def _table_layout(width: int, records: Sequence[ListingRecord]) -> list[tuple[str, int]]:
    """Column widths for a terminal `width` wide (optional columns dropped if needed)."""
    fitted = {
        "STATE": max((len(r.state.value) for r in records), default=0),
        "SKU": min(_SKU_MAX, max((len(visible(r.sku)) for r in records), default=0)),
    }
    columns = [(h, max(len(h), fitted[h]) if w == 0 else w) for h, w in _TABLE_COLUMNS]
    while True:
        fixed = sum(w or 0 for _, w in columns) + _GAP * (len(columns) - 1)
        room = width - fixed
        droppable = [name for name in _DROP_ORDER if any(h == name for h, _ in columns)]
        if room >= _CAUSE_MIN + _FLEX_MIN or not droppable:
            break
        columns = [c for c in columns if c[0] != droppable[0]]
    room = max(room, 2 * _FLEX_MIN)
    cause = min(_CAUSE_MAX, room - _FLEX_MIN)
    flex = {"TITLE": room - cause, "CAUSE": cause}
    return [(h, w if w is not None else flex[h]) for h, w in columns]


def _table_cells(r: ListingRecord) -> dict[str, str]:
    return {
        "STATE": r.state.value,
        "SKU": r.sku,
        "ASIN": r.asin or "-",
        "TITLE": r.title,
        "CAUSE": r.main_cause or "-",
        "STOCK": _stock(r),
        "PRICE": f"{r.price} {r.currency or ''}".strip() if r.price is not None else "-",
        "SINCE": r.inactive_since.date().isoformat() if r.inactive_since else "-",
    }


def _stock(r: ListingRecord) -> str:
    if r.quantity is None:
        return "-"
    if r.fulfillment_channel == "FBA":
        return f"{r.quantity}+{r.inbound or 0}in" if r.inbound else f"{r.quantity} FBA"
    return str(r.quantity)


def _table_line(cells: dict[str, str], columns: Sequence[tuple[str, int]]) -> str:
    return (" " * _GAP).join(_fit(cells[h], w) for h, w in columns).rstrip()


def _fit(text: str, width: int) -> str:
    text = " ".join(visible(text).split())  # external text: never a control character
    return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"


def _table_footer(
    records: Sequence[ListingRecord], last_sync: SyncInfo | None, width: int
) -> list[str]:
    """Counts and sync facts: one line when it fits, else one line per fact."""
    attention = sum(r.needs_attention for r in records)
    at_risk = sum(r.at_risk and not r.needs_attention for r in records)
    counts = ", ".join(f"{state} {n}" for state, n in _counts(records).items() if n)
    parts = [
        f"{len(records)} listings, {attention} need attention"
        + (f", {at_risk} at risk" if at_risk else "")
        + (f" ({counts})" if counts else "")
    ]
    if last_sync is not None:
        scope = "all listings" if last_sync.include_all else "listings needing attention"
        parts.append(f"synced {last_sync.finished_at:%Y-%m-%d %H:%M} UTC ({scope})")
        if last_sync.listings_incomplete:
            parts.append(
                f"INCOMPLETE: {last_sync.missing_text()} could not be fetched "
                f"({', '.join(last_sync.gap_names_by_key()[k] for k in last_sync.missing)})"
            )
        elif not last_sync.complete:
            parts.append(f"{len(last_sync.failed)} could not be fetched (see stderr)")
    line = " · ".join(parts)
    if len(line) <= width:
        return [line]
    return [wrapped for part in parts for wrapped in textwrap.wrap(part, width)]


def _account_line(account: AccountHealth) -> str:
    """The account-level gate, said once under the table (DOMAIN.md §3 row 15)."""
    counters = account.counters_text()
    parts = [
        f"ACCOUNT {account.status}: resolve it in Seller Central → Account Health "
        "before fixing listings" + (f" (BAD: {counters})" if counters else "")
    ]
    if account.as_of:
        parts.append(f"Account Health report of {account.as_of:%Y-%m-%d %H:%M} UTC")
    return " · ".join(parts)


def _counts(records: Sequence[ListingRecord]) -> dict[str, int]:
    counts = {state.value: 0 for state in State}
    for r in records:
        counts[r.state.value] += 1
    return counts
