"""`asin-tui diagnose LISTING`: why one listing is not live, from SP-API response bodies.

LISTING is what a seller pastes (a file, or ``-`` for stdin): a getListingsItem body, a
searchListingsItems page (one result per item), a putListingsItem / patchListingsItem answer,
any of them inside python-amazon-sp-api's ApiResponse; ``--inventory`` and ``--restrictions``
take raw getInventorySummaries / getListingsRestrictions bodies. ``--demo SKU`` diagnoses a
listing of the demo account instead, its answers asked of the simulated SP-API. Prints one JSON object
(``Diagnosis.to_dict``; a list for a search page) or the same for a person. Exit 0: buyable,
discoverable and nothing needs attention; 1: needs attention; 2: the input holds no listing
(not JSON, an SP-API error body, another operation's answer; one line on stderr).
"""

from __future__ import annotations

import argparse
import ast
import functools
import json
import os
import shutil
import sys
import textwrap
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO, TypeVar

from asin_tui.commands._account import add_scenario_option, demo_settings
from asin_tui.commands._output import write_out
from asin_tui.commands.errors import UsageError, file_error
from asin_tui.domain.diagnosis import diagnose
from asin_tui.domain.marketplaces import (
    UnknownMarketplace,
    marketplace_by_id,
    resolve_marketplace,
)
from asin_tui.domain.models import (
    Diagnosis,
    Evidence,
    Finding,
    InventorySummary,
    Listing,
    Restriction,
    Severity,
)
from asin_tui.domain.text import json_for_terminal, visible
from asin_tui.service import (
    NotFound,
    SpApiError,
    UnreadableBody,
    error_body,
    is_listing_collection,
    parse_inventory_summaries,
    parse_listing_bodies,
    parse_restrictions,
    unwrap_body,
)
from asin_tui.store.config import ConfigError, load_config

T = TypeVar("T")

#: The marketplace the demo account sells in
DEMO_MARKETPLACE_ID = resolve_marketplace("US").marketplace_id

_SEVERITY_COLOUR = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "2"}


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "diagnose",
        help="explain why one listing is not live (from SP-API JSON)",
        description=(
            "Diagnose listings from what SP-API answered: a getListingsItem body, a "
            "searchListingsItems page (one result per item), or a putListingsItem / "
            "patchListingsItem answer; with --demo, a listing of the demo account (its "
            "answers asked of the simulated SP-API). Exit 0 when it is buyable, discoverable "
            "and nothing needs attention, 1 when it needs attention, 2 when the input holds no "
            "listing."
        ),
    )
    parser.add_argument(
        "listing",
        metavar="LISTING",
        help="getListingsItem / searchListingsItems / put or patch answer body (JSON file, or - "
        "for stdin); ask for includedData with summaries, attributes, issues, offers, "
        "fulfillmentAvailability and relationships. With --demo: a SKU of the demo account",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="diagnose the demo account's listing LISTING (a SKU: `asin-tui report --demo` "
        "lists them), its answers asked of the simulated SP-API",
    )
    add_scenario_option(parser)
    parser.add_argument(
        "--inventory", metavar="FILE", help="getInventorySummaries response body (FBA)"
    )
    parser.add_argument(
        "--restrictions", metavar="FILE", help="getListingsRestrictions response body"
    )
    parser.add_argument(
        "--marketplace",
        dest="diagnose_marketplace",  # the main parser has its own --marketplace
        metavar="ID",
        help="marketplace id or code to diagnose (default: the listing's first)",
    )
    parser.add_argument(
        "--format",
        choices=("json", "text"),
        help="output format (default: text on a terminal, json otherwise)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    marketplace_id = _marketplace_id(args.diagnose_marketplace or args.marketplace)
    if getattr(args, "demo", False):
        return _print(args, [_demo_diagnosis(args, marketplace_id)], several=False)
    collection = False

    def listings_in(body: Any) -> list[Listing]:
        nonlocal collection
        collection = is_listing_collection(body)  # a search page: a list of results
        return parse_listing_bodies(body, marketplace_id)

    listings = _read(args.listing, "getListingsItem", listings_in)
    if any(not listing.marketplace_id for listing in listings):
        known = _profile_marketplace(args)
        if known:
            listings = [
                replace(listing, marketplace_id=listing.marketplace_id or known)
                for listing in listings
            ]
    summaries: tuple[InventorySummary, ...] = ()
    if args.inventory:
        summaries = tuple(
            _read(
                args.inventory,
                "getInventorySummaries",
                lambda body: parse_inventory_summaries(unwrap_body(body)),
            )
        )
    restrictions_body = (
        _read(args.restrictions, "getListingsRestrictions", lambda b: b)
        if (args.restrictions)
        else None
    )
    results = []
    for listing in listings:
        inventory = next((s for s in summaries if s.seller_sku == listing.sku), None)
        restrictions: tuple[Restriction, ...] = ()
        if restrictions_body is not None:
            restrictions = tuple(
                _parse(
                    args.restrictions,
                    "getListingsRestrictions",
                    functools.partial(_restrictions_of, marketplace_id=listing.marketplace_id),
                    restrictions_body,
                )
            )
        evidence = Evidence(listing, inventory=inventory, restrictions=restrictions)
        results.append(diagnose(evidence))
    return _print(args, results, several=collection or len(results) > 1)


def _print(args: argparse.Namespace, results: list[Diagnosis], *, several: bool) -> int:
    """The diagnoses on stdout, as JSON or for a person; the exit status they make."""
    out = sys.stdout
    if (args.format or ("text" if out.isatty() else "json")) == "json":
        data = [r.to_dict() for r in results] if several else results[0].to_dict()
        document = json.dumps(data, indent=2, ensure_ascii=False)
        write_out(json_for_terminal(document) + "\n", out)  # same JSON, no raw C1/bidi
    else:
        colour, width = _use_colour(out), _width()
        write_out("\n".join(render_text(r, colour=colour, width=width) for r in results), out)
    return 1 if any(r.needs_attention for r in results) else 0


def _demo_diagnosis(args: argparse.Namespace, marketplace_id: str | None) -> Diagnosis:
    """``--demo SKU``: the demo account's listing fetched as the app's refresh fetches it
    (getListingsItem and the evidence it needs, from the simulated SP-API), diagnosed by the
    same rules, its cache updated. Every problem is one UsageError line."""
    if getattr(args, "profile", None):
        raise UsageError("use either --demo or --profile, not both")
    if args.inventory or args.restrictions:
        raise UsageError(
            "--inventory and --restrictions read saved answers; with --demo the demo "
            "account's are asked for"
        )
    if marketplace_id not in (None, DEMO_MARKETPLACE_ID):
        raise UsageError("the demo account sells in the US marketplace only")
    import asyncio

    from asin_tui.demo import open_demo_service  # the demo's composition root
    from asin_tui.store.cache import CacheError

    sku = args.listing

    async def fetched() -> Diagnosis:
        service = open_demo_service(
            reset=args.reset,
            scenario=getattr(args, "scenario", "default"),
            settings=demo_settings(args),
        )
        try:
            await service.refresh(sku)
            return service.diagnosis(sku)
        finally:
            await service.aclose()

    try:
        return asyncio.run(fetched())
    except NotFound:
        raise UsageError(
            f"the demo account has no listing with SKU {sku} (asin-tui report --demo --all "
            "lists them)"
        ) from None
    except SpApiError as exc:
        raise UsageError(f"the demo listing {sku} could not be read: {exc}") from None
    except (CacheError, OSError) as exc:  # the demo's cache or data folder: not usable
        raise UsageError(file_error(exc)) from None


def _restrictions_of(body: Any, *, marketplace_id: str | None) -> tuple[Restriction, ...]:
    return tuple(parse_restrictions(unwrap_body(body), marketplace_id or None))


def _profile_marketplace(args: argparse.Namespace) -> str | None:
    """The marketplace of the profile named with ``--profile`` (only when named: a body read
    on its own never depends on a config file)."""
    name = getattr(args, "profile", None)
    if not name:
        return None
    try:
        return load_config().profile(name).marketplace.marketplace_id
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def _marketplace_id(code_or_id: str | None) -> str | None:
    if not code_or_id:
        return None
    try:
        return resolve_marketplace(code_or_id).marketplace_id
    except UnknownMarketplace as exc:
        raise UsageError(str(exc)) from None


#: The largest body diagnose reads (bytes): an SP-API answer is far smaller.
MAX_BODY_BYTES = 64 << 20


def _looks_like_sku(source: str, operation: str) -> bool:
    """Whether the LISTING argument that names no file was meant as a SKU of the account
    ('asin-tui diagnose AB-123'): no folder, no .json."""
    return (
        operation == "getListingsItem"
        and "/" not in source
        and not source.lower().endswith((".json", ".txt"))
    )


def _read(source: str, operation: str, parse: Callable[[Any], T]) -> T:
    """Load one ``operation`` response body (file or stdin) and parse it; every failure is
    one UsageError line."""
    name = "stdin" if source == "-" else source
    what = f"{operation} body"
    try:
        data: str | bytes
        if source != "-":
            with Path(source).open("rb") as handle:
                data = handle.read(MAX_BODY_BYTES + 1)
        elif (binary := getattr(sys.stdin, "buffer", None)) is not None:
            data = binary.read(MAX_BODY_BYTES + 1)
        else:  # a text-only stdin (a test's StringIO)
            data = sys.stdin.read(MAX_BODY_BYTES + 1)
        if len(data) > MAX_BODY_BYTES:  # /dev/zero, a log file: never read to the end
            raise UsageError(
                f"{what} {name} is larger than {MAX_BODY_BYTES >> 20} MB: not an answer of "
                "Amazon's (a search page is a few MB at most)"
            )
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        if isinstance(exc, FileNotFoundError) and _looks_like_sku(source, operation):
            reason += (
                " (diagnose reads an SP-API answer saved as JSON, not a SKU: to see why "
                f"{name} is off sale, run asin-tui, press / and type it, then Enter)"
            )
        raise UsageError(f"cannot read {what} {name}: {reason}") from None
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        body = _python_printed(text)
        if body is None:
            # some of json's messages end in "at" already ("Unterminated string starting at")
            reason = exc.msg.removesuffix(" at")
            raise UsageError(
                f"{what} {name} is not JSON ({reason} at line {exc.lineno} column {exc.colno})"
            ) from None
    except RecursionError:
        raise UsageError(f"{what} {name} is not usable JSON (nested too deeply)") from None
    return _parse(source, operation, parse, body)


def _python_printed(text: str) -> Any:
    """A body printed by Python rather than serialised (python-amazon-sp-api's ``ApiResponse``
    prints as ``{'errors': None, 'payload': {...}}``): read as literals only, never run;
    None when it is not one."""
    if len(text) > 20_000_000 or not text.lstrip().startswith(("{", "[")) or "'" not in text:
        return None
    if any(ord(c) < 0x20 and c not in "\t\n\r" for c in text):
        return None  # Python escapes control characters when it prints: not a printed body
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, dict | list) else None


def _parse(source: str, operation: str, parse: Callable[[Any], T], body: Any) -> T:
    name = "stdin" if source == "-" else source
    error = error_body(unwrap_body(body))
    if error is not None:
        raise UsageError(f"{name} is an SP-API error response, not {operation}: {error}")
    try:
        return parse(body)
    except UnreadableBody as exc:
        raise UsageError(f"{name} is not a usable {operation} response: {exc}") from None
    except RecursionError:
        raise UsageError(
            f"{name} is not a usable {operation} response (nested too deeply)"
        ) from None


# --------------------------------------------------------------------------- text


def render_text(result: Diagnosis, *, colour: bool = False, width: int = 80) -> str:
    """The diagnosis for a person: a header, then each finding with its detail and fix."""
    paint = _painter(colour)
    yes_no = {True: "yes", False: "no"}
    status_unknown = result.amazon_status is None and result.submission_status is None
    market = marketplace_by_id(result.marketplace_id)
    where = visible(
        f"{market.country}, {result.marketplace_id}" if market else result.marketplace_id
    )
    lines = [
        paint("1", visible(result.sku))
        + f"  ASIN {visible(result.asin or '-')}  ({where or 'marketplace not given'})",
    ]
    if result.submission_status is not None:
        lines.append(
            f"Submission answer: {paint('1', result.submission_status)}   (the listing's live "
            "state is not in a submission answer)"
        )
    else:
        lines.append(
            f"State: {paint('1', result.state.value)}   buyable: {yes_no[result.buyable]}   "
            f"discoverable: {yes_no[result.discoverable]}"
        )
        if status_unknown:
            lines.append("Amazon's status: not in this data (see Not checked below)")
    if result.status_lags and result.amazon_status is not None:
        said = visible(", ".join(result.amazon_status)) or "neither buyable nor discoverable"
        lines.append(f"Amazon's status still says: {said} (it lags the enforcements in force)")
    if not result.findings:
        # without a summaries section "live" would be a guess from absent data
        nothing = (
            "Nothing to fix in this data, but whether the listing is live was not checked "
            "(see Not checked below)."
            if status_unknown
            else "Nothing to fix: the listing is live."
        )
        lines += ["", *textwrap.wrap(nothing, width)]
    for number, finding in enumerate(result.findings, 1):
        lines += ["", *_finding_lines(number, finding, paint, width)]
    if result.not_checked:
        lines += ["", "Not checked:"]
        for note in result.not_checked:
            lines += textwrap.wrap(note, width, initial_indent="  - ", subsequent_indent="    ")
    return "\n".join(lines) + "\n"


def _finding_lines(
    number: int, finding: Finding, paint: Callable[[str, str], str], width: int
) -> list[str]:
    severity = paint(_SEVERITY_COLOUR[finding.severity], f"{finding.severity.value:<7}")
    title = visible(finding.title)  # findings quote Amazon's and the seller's text: data
    head = f"{number}. {severity} {title}  [{finding.category.value} · {finding.code}]"
    indent = " " * 3
    lines = [
        head,
        *textwrap.wrap(
            visible(finding.detail, multiline=True),
            width,
            initial_indent=indent,
            subsequent_indent=indent,
        ),
    ]
    if finding.attributes:
        lines.append(f"{indent}Attributes: {visible(', '.join(finding.attributes))}")
    lines += textwrap.wrap(
        f"Fix: {visible(finding.fix, multiline=True)}",
        width,
        initial_indent=indent,
        subsequent_indent=indent + "     ",
    )
    return lines


def _painter(colour: bool) -> Callable[[str, str], str]:
    if not colour:
        return lambda _code, text: text
    return lambda code, text: f"\x1b[{code}m{text}\x1b[0m"


def _use_colour(stream: TextIO) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ


def _width() -> int:
    return max(40, min(100, shutil.get_terminal_size((80, 24)).columns))
