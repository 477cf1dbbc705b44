"""`asin-tui report`: sync the account and print the listings that need attention (or all).

A contract scripts rely on: formats `json`, `csv` and `table` (for people), the order of
`models.sort_key` (most severe state first, then SKU), exit 0 when nothing needs attention,
1 when something does, 2 on any error (config, credentials, network) with one clear line, 3
when the sync could not fetch every listing in scope (stderr names what is missing).
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

from asin_tui.cached import CachedAccount, SpApiError
from asin_tui.commands._account import (
    add_account_options,
    client_time_scale,
    demo_settings,
    marketplace_option,
    resolve_profile,
)
from asin_tui.commands._output import write_out
from asin_tui.commands.errors import UsageError, file_error
from asin_tui.domain.models import State
from asin_tui.domain.redact import redact
from asin_tui.domain.text import for_terminal, visible
from asin_tui.render import FORMATS, Tally, render_table, stream_csv, stream_json
from asin_tui.render_sql import report_batches
from asin_tui.store.atomic import write_output
from asin_tui.store.cache import CacheError, ListingCache, SyncInfo
from asin_tui.store.config import SECRET_KEYS, ConfigError, Profile

if TYPE_CHECKING:  # the service pulls in python-amazon-sp-api: imported when a report runs
    from asin_tui.service import AccountService

DEFAULT_MAX_AGE_MINUTES = 15.0
#: The listing set is incomplete: some listings could not be fetched (stderr names them).
EXIT_INCOMPLETE = 3
#: The narrowest table: 80 columns (a standard terminal) still shows state, SKU, cause, stock
MIN_TABLE_WIDTH = 80
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
        if args.cached:
            code = _report_cached(args, profile)
            if code is not None:
                return code
        import asyncio  # only when it syncs: with a fresh cache the report is out already

        from asin_tui.commands._signals import interruptible, sigterm_interrupts

        with sigterm_interrupts():
            return asyncio.run(interruptible(_report(args, profile)))
    except BrokenPipeError:  # the reader left (`| head`): cli.main exits 141
        raise
    except KeyboardInterrupt:  # Ctrl-C, SIGTERM: nothing half-written
        print(
            "asin-tui: interrupted; a sync not finished is not saved (the cache keeps the last "
            "finished one) and an --output file is left as it was",
            file=sys.stderr,
        )
        return 130
    except (ConfigError, SpApiError, CacheError, OSError) as exc:
        raise UsageError(_one_line(exc, profile)) from None


# ---------------------------------------------------------------------- running


def _open_service(args: argparse.Namespace, profile: Profile | None) -> AccountService:
    from asin_tui.service import AccountService

    if profile is not None:
        return AccountService.for_profile(profile, time_scale=client_time_scale(args))
    _check_demo_marketplace(args)  # before the demo account (and its cache) is made
    from asin_tui.demo import open_demo_service  # the demo's composition root

    return open_demo_service(reset=args.reset, scenario=args.scenario, settings=demo_settings(args))


def _check_demo_marketplace(args: argparse.Namespace) -> None:
    wanted = marketplace_option(args)
    if wanted is not None and wanted.code != DEMO_MARKETPLACE:
        raise UsageError("the demo account sells in the US marketplace only")


def _report_cached(args: argparse.Namespace, profile: Profile | None) -> int | None:
    """``--cached`` with a cache fresh enough: the report straight from it, without the
    service (no SP-API client stack, no event loop, and for ``--demo`` no simulated account:
    what a script runs often); None when the cache is not fresh enough (then the report
    syncs first), or ``--demo --reset`` starts the demo account and its cache fresh."""
    if profile is not None:
        local = CachedAccount.open(profile.name, profile.marketplace.marketplace_id)
    elif args.reset:
        return None
    else:
        _check_demo_marketplace(args)
        local = CachedAccount.open_demo(args.scenario)
    try:
        if not _fresh(local.last_sync(), args):
            if local.cache.set_aside and (warning := local.cache_warning):
                # the file was set aside just now: the sync that follows opens a new one
                print(f"asin-tui: warning: {visible(warning)}", file=sys.stderr)
            return None
        seen = _write(args, local)
    finally:
        local.close()
    return 1 if seen.needs_attention else 0


async def _report(args: argparse.Namespace, profile: Profile | None) -> int:
    service = _open_service(args, profile)
    try:
        for warning in service.notices:
            print(f"asin-tui: warning: {visible(warning)}", file=sys.stderr)
        incomplete = False
        if not (args.cached and _fresh(service.last_sync(), args)):
            incomplete = await _sync(service, include_all=args.all)
        seen = _write(args, service.cached)
    finally:
        await service.aclose()
    if incomplete:
        return EXIT_INCOMPLETE
    return 1 if seen.needs_attention else 0


def _write(args: argparse.Namespace, service: CachedAccount) -> Tally:
    """Write the report of what the cache holds now; what went out."""
    set_aside = service.cache.set_aside
    if args.format == "table":
        seen = Tally()
        records = service.cached_records(all_listings=args.all)
        seen.add(records)
        text: str | Iterator[str | bytes] = render_table(
            records, service.last_sync(), _table_width(args.output), service.account_health()
        )
    else:
        seen, text = _streamed(args, service)
    # JSON and CSV: read from the cache as they are written
    _emit(_read_whole(text, service.cache, set_aside), args.output, seen)
    if cache_warning := service.cache_warning:  # a file set aside, rows left out
        print(f"asin-tui: warning: {visible(cache_warning)}", file=sys.stderr)
    return seen


def _read_whole(
    text: str | Iterator[str | bytes], cache: ListingCache, set_aside: int
) -> Iterator[str | bytes]:
    """``text``, then CacheError if the cache file turned out corrupt while the report read
    it (set aside, its rows unread): not an account with nothing to show (exit 2; an
    --output file is left as it was)."""
    yield from [text] if isinstance(text, str) else text
    if cache.set_aside != set_aside and cache.warning:
        warning = cache.warning[0].lower() + cache.warning[1:]
        raise CacheError(f"the report is incomplete: {warning}")


def _streamed(
    args: argparse.Namespace, service: CachedAccount
) -> tuple[Tally, Iterator[str | bytes]]:
    """The JSON or CSV report, to be written as it is read from the cache, batch by batch."""
    seen = Tally()
    batches = report_batches(service.cache, args.format, needs_attention_only=not args.all)
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


def _emit(text: str | Iterator[str | bytes], output: Path | None, seen: Tally) -> None:
    chunks = [text] if isinstance(text, str) else text
    if output is None:
        # CSV keeps the data in files and pipes; on a terminal no control character is emitted
        if sys.stdout.isatty():
            for chunk in chunks:
                write_out(for_terminal(chunk if isinstance(chunk, str) else chunk.decode()))
            return
        for chunk in chunks:  # UTF-8, as a file gets it: the rows SQLite built as they are
            write_out(chunk if isinstance(chunk, bytes) else chunk.encode())
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
    text = " ".join(file_error(exc).split())
    credentials = profile.credentials if profile is not None else None
    secrets = [getattr(credentials, key, None) for key in SECRET_KEYS] if credentials else []
    return redact(text, secrets)


class Progress(Protocol):
    """What a progress bar shows: a sync's (SyncProgress) or a batch's (bulk.BulkProgress)."""

    @property
    def done(self) -> int: ...
    @property
    def total(self) -> int | None: ...
    @property
    def message(self) -> str: ...


class ProgressBar:
    """A one-line progress bar on a terminal (stderr), redrawn in place."""

    WIDTH = 24

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, progress: Progress) -> None:
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
