"""`asin-tui sandbox serve`: the sandbox seller account on loopback, for any SP-API client.

Prints (flushed) the URL, the fixed sandbox credentials and a profile block ready to paste into
config.toml, then serves until Ctrl-C. The account lives in memory only: every start is the
freshly generated account for (--seed, --listings, --problem-share, --marketplace,
--account-status).
"""

from __future__ import annotations

import argparse
import errno
import math
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn
from urllib.parse import urlsplit

from asin_tui.commands.errors import UsageError
from asin_tui.sandbox.account import SCENARIOS, SandboxAccount
from asin_tui.sandbox.app import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_REFRESH_TOKEN,
    TOKEN_PATH,
    SandboxApp,
)
from asin_tui.sandbox.faults import FaultInjector, FaultSpecError
from asin_tui.sandbox.marketplaces import MARKETPLACES, sandbox_marketplace
from asin_tui.sandbox.server import SandboxServer
from asin_tui.sandbox.sqs import SqsForwarder, SqsUnavailable
from asin_tui.sandbox.transport import DEMO_PATCH_DELAY
from asin_tui.sandbox.views import ACCOUNT_STATUSES

DEFAULT_PORT = 8765
MAX_LISTINGS = 1_000_000  # the account lives in memory: about 1 kB a listing as generated


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "sandbox",
        help="run the built-in sandbox seller account as a local SP-API server",
        description="The sandbox seller account: a simulated SP-API speaking the real wire format.",
    )
    actions = parser.add_subparsers(dest="sandbox_command", metavar="ACTION", required=True)
    serve = actions.add_parser(
        "serve",
        help="serve the sandbox on 127.0.0.1",
        description="Serve the sandbox seller account on 127.0.0.1 until Ctrl-C.",
    )
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (0 = any free one)")
    serve.add_argument("--listings", type=int, default=250, metavar="N", help="catalog size")
    serve.add_argument("--seed", type=int, default=7, metavar="S", help="catalog and fault seed")
    serve.add_argument(
        "--problem-share",
        type=float,
        metavar="F",
        help="share of listings with a problem, 0..1 (default: the demo mix)",
    )
    serve.add_argument(
        "--marketplace", default="US", metavar="CODE", help="marketplace code (default US)"
    )
    serve.add_argument(
        "--account-status",
        choices=ACCOUNT_STATUSES,
        default="NORMAL",
        help="the Account Health status the seller is in (default NORMAL)",
    )
    serve.add_argument(
        "--scenario",
        choices=SCENARIOS,
        default="default",
        help="the seller's situation (vacation: the account is in vacation mode, every "
        "seller-fulfilled offer inactive with no issue)",
    )
    serve.add_argument(
        "--tidy",
        action="store_true",
        help="answer without the variety of real accounts (localised messages, varied issue "
        "shapes, lagging statuses, offer-only and B2B listings: on by default)",
    )
    serve.add_argument(
        "--faults",
        metavar="SPEC",
        help="inject faults, e.g. 429=0.1,500=0.05,503=0.05,slow=0.02:2.0,truncate=0.02",
    )
    serve.add_argument(
        "--forbid",
        metavar="OPERATIONS",
        help="answer these operations 403 Unauthorized, as for an application without their "
        "SP-API role (comma-separated, e.g. getInventorySummaries,createReport)",
    )
    serve.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        metavar="X",
        help="run sandbox time X times faster (rate refill, report processing, patch delay)",
    )
    serve.add_argument(
        "--patch-delay",
        type=float,
        default=DEMO_PATCH_DELAY,
        metavar="SECONDS",
        help=(
            "Amazon's processing time: an ACCEPTED patch shows after SECONDS "
            f"(default {DEMO_PATCH_DELAY:g}, as in the demo; 0 applies it at once)"
        ),
    )
    serve.add_argument(
        "--hostile",
        action="store_true",
        help="a few listings carry attacker-written text: escape sequences, bidi, markup",
    )
    serve.add_argument(
        "--drift",
        type=float,
        default=0.0,
        metavar="EVENTS_PER_HOUR",
        help="the account changes by itself this many times an hour of sandbox time: "
        "listings sell out and are restocked, get suppressed and lifted, get exemptions that "
        "expire, the late shipment rate crosses Amazon's target (deterministic per --seed; "
        "default 0: none)",
    )
    serve.add_argument(
        "--notify-sqs",
        metavar="QUEUE_URL",
        help="send the listings' SP-API notifications (LISTINGS_ITEM_STATUS_CHANGE, "
        "LISTINGS_ITEM_ISSUES_CHANGE), in their EventBridge envelope, to this SQS queue as "
        "Amazon EventBridge would (needs the notifications extra; for a local SQS such as "
        "moto's server, with --sqs-endpoint)",
    )
    serve.add_argument(
        "--sqs-endpoint",
        metavar="URL",
        help="with --notify-sqs: the SQS endpoint (default: the queue URL's scheme and host)",
    )
    serve.add_argument("--verbose", action="store_true", help="log each request to stderr")
    return parser


def run(args: argparse.Namespace) -> int:
    _check_options(args)
    try:
        faults = FaultInjector.parse(args.faults, seed=args.seed) if args.faults else None
    except FaultSpecError as exc:
        raise UsageError(f"--faults: {exc}") from None
    forbidden = {op.strip() for op in (args.forbid or "").split(",") if op.strip()}
    app = SandboxApp(
        account_for(args),
        time_scale=args.time_scale,
        faults=faults,
        patch_delay=args.patch_delay,
        forbidden=forbidden,
        drift=args.drift,
    )
    if unknown := sorted(forbidden - app.operations):
        served = ", ".join(sorted(app.operations))
        raise UsageError(f"--forbid: unknown operation {unknown[0]!r} (one of {served})")
    try:
        server = SandboxServer(app, args.port, verbose=args.verbose)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {args.port} on 127.0.0.1 is already in use; choose another with --port"
            ) from None
        raise UsageError(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror}") from None
    forwarder = _forwarder(app, args)
    print(
        _banner(app, server.base_url, faults.spec if faults else None, sorted(forbidden)),
        flush=True,
    )
    if forwarder is not None:
        print(f"SP-API notifications go to the SQS queue {args.notify_sqs}", flush=True)
        forwarder.start()
    signal.signal(signal.SIGTERM, _stop_on_signal)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("sandbox stopped.", flush=True)
    finally:
        if forwarder is not None:
            forwarder.stop()
        server.server_close()
    return 0


def _forwarder(app: SandboxApp, args: argparse.Namespace) -> SqsForwarder | None:
    if not args.notify_sqs:
        if args.sqs_endpoint:
            raise UsageError("--sqs-endpoint goes with --notify-sqs")
        return None
    parts = urlsplit(args.notify_sqs)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--notify-sqs: expected a queue URL, got {args.notify_sqs!r}")
    endpoint = args.sqs_endpoint or f"{parts.scheme}://{parts.netloc}"
    try:
        return SqsForwarder(
            app,
            args.notify_sqs,
            endpoint_url=endpoint,
            on_error=lambda line: print(line, file=sys.stderr, flush=True),
        )
    except SqsUnavailable as exc:
        raise UsageError(str(exc)) from None


def _stop_on_signal(signum: int, frame: object) -> NoReturn:
    raise KeyboardInterrupt


def _check_options(args: argparse.Namespace) -> None:
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {args.port}")
    if not 1 <= args.listings <= MAX_LISTINGS:
        raise UsageError(f"--listings must be between 1 and {MAX_LISTINGS:,}, not {args.listings}")
    if args.problem_share is not None and not 0.0 <= args.problem_share <= 1.0:
        raise UsageError(f"--problem-share must be between 0 and 1, not {args.problem_share:g}")
    if not (math.isfinite(args.time_scale) and args.time_scale > 0):
        raise UsageError(f"--time-scale must be a positive number, not {args.time_scale:g}")
    if not (math.isfinite(args.patch_delay) and args.patch_delay >= 0):
        raise UsageError(f"--patch-delay must be 0 or more seconds, not {args.patch_delay:g}")
    if not (math.isfinite(args.drift) and 0 <= args.drift <= 36_000):
        raise UsageError(f"--drift must be between 0 and 36000 changes an hour, not {args.drift:g}")
    try:
        sandbox_marketplace(args.marketplace)
    except ValueError:
        known = ", ".join(MARKETPLACES)
        raise UsageError(
            f"--marketplace: unknown code {args.marketplace!r} (one of {known})"
        ) from None


def account_for(args: argparse.Namespace) -> SandboxAccount:
    """The account `sandbox serve` serves for its parsed options."""
    return SandboxAccount(
        seed=args.seed,
        listings=args.listings,
        problem_share=args.problem_share,
        marketplace=args.marketplace.upper(),
        account_status=args.account_status,
        tidy=args.tidy,
        scenario=args.scenario,
        hostile=args.hostile,
    )


def _banner(
    app: SandboxApp, base_url: str, fault_spec: str | None, forbidden: Sequence[str] = ()
) -> str:
    account = app.account
    # `config init` already writes a [profiles.sandbox]: a name of its own, per port
    name = f"sandbox-{base_url.rsplit(':', 1)[-1].strip('/')}"
    token_endpoint = f"{base_url}{TOKEN_PATH}"
    lines = [
        f"asin-tui sandbox: seller {account.seller_id}, {account.listings} listings "
        f"(seed {account.seed}) in {account.marketplace.code}, serving at {base_url}",
    ]
    if account.account_status != "NORMAL":
        lines.append(f"Account Health status: {account.account_status}")
    if account.params.scenario != "default":
        lines.append(f"Scenario: {account.params.scenario}")
    if account.params.tidy:
        lines.append("Tidy answers: none of the variety of real accounts.")
    if account.params.hostile:
        lines.append("Hostile strings: a few listings carry escape sequences, bidi and markup.")
    if fault_spec:
        lines.append(f"Injecting faults: {fault_spec}")
    if forbidden:
        lines.append(f"Answering 403 Unauthorized (no role): {', '.join(forbidden)}")
    if app.time_scale != 1.0:
        lines.append(f"Sandbox time runs {app.time_scale:g}x faster than Amazon's.")
    if app.patch_delay:
        lines.append(f"Accepted patches are applied {app.patch_delay:g} s (sandbox time) later.")
    lines += [
        "",
        "Sandbox credentials (fixed; they work only here):",
        f"  export LWA_APP_ID={SANDBOX_CLIENT_ID}",
        f"  export LWA_CLIENT_SECRET={SANDBOX_CLIENT_SECRET}",
        f"  export SP_API_REFRESH_TOKEN='{SANDBOX_REFRESH_TOKEN}'",
        "",
        "Add it as a profile (asin-tui --profile " + name + "):",
        f"  asin-tui config add-profile {name} --endpoint {base_url} "
        f"--token-endpoint {token_endpoint} --seller-id {account.seller_id} "
        f"--marketplace {account.marketplace.code}",
        "or paste into config.toml (asin-tui config path):",
        f"  [profiles.{name}]",
        f'  marketplace = "{account.marketplace.code}"',
        f'  seller_id = "{account.seller_id}"',
        f'  endpoint = "{base_url}"',
        f'  token_endpoint = "{token_endpoint}"',
        "",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)
