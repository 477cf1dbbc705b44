"""`asin-tui notifications setup`: the Notifications API side of `watch`'s fast path.

Finds (getDestinations, grantless; getSubscription, the seller's) and, with ``--apply``, makes
what is missing: an Amazon EventBridge destination for the AWS account and region
(createDestination) and the seller's subscriptions to LISTINGS_ITEM_STATUS_CHANGE and
LISTINGS_ITEM_ISSUES_CHANGE (createSubscription). Without ``--apply`` nothing is written; with
it, on a terminal, the changes are listed and a typed ``yes`` sends them. An existing
destination or subscription is reused, never changed. The AWS side (associating the partner
event source with an event bus, the rule, the SQS queue) stays the seller's: README,
"Notifications (fast path)".
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from typing import TYPE_CHECKING

from asin_tui.commands._account import client_time_scale, resolve_profile
from asin_tui.commands._signals import ask, no_one_to_ask, question_interruptible
from asin_tui.commands.errors import UsageError
from asin_tui.domain.text import quoted, visible

if TYPE_CHECKING:
    from asin_tui.service import AccountService, NotificationSetup

CONFIRM_WORD = "yes"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "notifications",
        help="set up SP-API notifications for watch's fast path (destination, subscriptions)",
        # the docstring's second paragraph, its reST quotes dropped (``--apply`` → --apply)
        description=__doc__.split("\n\n")[1].replace("``", "") if __doc__ else None,
    )
    actions = parser.add_subparsers(dest="notifications_action", metavar="ACTION", title="actions")
    setup = actions.add_parser(
        "setup",
        help="find, and with --apply create, the EventBridge destination and the listings "
        "subscriptions",
        epilog="Exit status: 0 everything is in place (or was made), 1 something is missing "
        "or subscribed elsewhere, 2 the credentials, the config or the network failed.",
    )
    setup.add_argument(
        "--profile", metavar="NAME", default=argparse.SUPPRESS, help="config profile"
    )
    setup.add_argument(
        "--aws-account-id",
        required=True,
        metavar="ID",
        help="the 12-digit AWS account that receives (and pays for) the notifications",
    )
    setup.add_argument(
        "--region", required=True, help="the AWS region of its EventBridge bus, e.g. us-east-1"
    )
    setup.add_argument(
        "--apply", action="store_true", help="create what is missing (nothing is written without)"
    )
    setup.add_argument(
        "--yes",
        action="store_true",
        help="with --apply: create without asking for 'yes' (scripts: needed with no terminal)",
    )
    parser.set_defaults(notifications_parser=parser)
    return parser


def run(args: argparse.Namespace) -> int:
    if getattr(args, "notifications_action", None) != "setup":
        args.notifications_parser.print_help()
        return 0
    if not re.fullmatch(r"\d{12}", args.aws_account_id):
        raise UsageError("--aws-account-id: an AWS account id is 12 digits")
    if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", args.region):
        raise UsageError(f"--region: {quoted(args.region)} is not an AWS region (us-east-1)")
    no_one_to_ask(args)
    profile = resolve_profile(args)
    if profile is None:
        raise UsageError("notifications setup needs a configured profile (--profile NAME)")
    from asin_tui.service import AccountService

    service = AccountService.for_profile(profile, time_scale=client_time_scale(args))
    return asyncio.run(_setup(service, args))


async def _setup(service: AccountService, args: argparse.Namespace) -> int:
    from asin_tui.service import AuthError, SpApiError
    from asin_tui.store.cache import CacheError

    account, region = args.aws_account_id, args.region
    try:
        found = await service.notification_setup(account, region, create=False)
        _tell(found, account, region)
        missing = _missing(found)
        if not missing:
            print("Nothing to create: SP-API notifications reach that destination.")
            return 0 if _complete(found) else 1
        if not args.apply:
            print("Nothing was written. --apply creates: " + "; ".join(missing) + ".")
            return 1
        try:
            with question_interruptible():
                confirmed = _confirmed(args, missing)
        except KeyboardInterrupt:  # Ctrl-C at the question: at once, not after an answer
            print("asin-tui: interrupted; nothing was written", file=sys.stderr)
            return 130
        if not confirmed:
            print("Nothing was written.")
            return 1
        made = await service.notification_setup(account, region, create=True)
        _tell(made, account, region)
        return 0 if _complete(made) else 1
    except AuthError as exc:
        raise UsageError(f"credentials refused: {exc}") from None
    except (SpApiError, CacheError, OSError) as exc:
        print(visible(f"asin-tui: notifications setup: {exc}"), file=sys.stderr)
        return 2
    finally:
        await service.aclose()


def _missing(found: NotificationSetup) -> list[str]:
    missing = []
    if found.destination_id is None:
        missing.append("the EventBridge destination (createDestination)")
    missing += [
        f"the {kind} subscription (createSubscription)"
        for kind, state in found.subscriptions.items()
        if state == "missing"
    ]
    return missing


def _complete(found: NotificationSetup) -> bool:
    return found.destination_id is not None and all(
        state in ("subscribed", "created") for state in found.subscriptions.values()
    )


def _tell(found: NotificationSetup, account: str, region: str) -> None:
    if found.destination_id is None:
        print(f"EventBridge destination for AWS account {account} in {region}: none yet")
    else:
        made = "created" if found.destination_created else "exists"
        print(visible(f"EventBridge destination {found.destination_id} ({made})"))
        if found.source:
            print(visible(f"  partner event source: {found.source}"))
    for kind, state in found.subscriptions.items():
        if state.startswith("another destination"):
            state += " (left as it is: delete it in your app first to move it)"
        print(visible(f"{kind}: {state}"))


def _confirmed(args: argparse.Namespace, missing: list[str]) -> bool:
    """A typed 'yes' for a person at a terminal (a script's is --apply --yes)."""
    if args.yes:
        return True
    print("Create in the Selling Partner API:", file=sys.stderr)
    for item in missing:
        print(f"  {item}", file=sys.stderr)
    try:
        answer = ask(f"Type {CONFIRM_WORD} to create them: ")
    except EOFError:
        return False
    return answer.strip() == CONFIRM_WORD
