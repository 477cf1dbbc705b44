"""`asin-tui config`: where the config file is, a commented template, what was understood."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from asin_tui.commands._account import (
    add_account_options,
    client_time_scale,
    demo_settings,
    resolve_profile,
)
from asin_tui.commands.errors import UsageError
from asin_tui.domain.text import visible
from asin_tui.store import paths
from asin_tui.store.atomic import atomic_write_text, ensure_private_dir, read_regular_file
from asin_tui.store.config import (
    CREDENTIAL_ENV,
    MAX_CONFIG_BYTES,
    Config,
    ConfigError,
    Notifications,
    Profile,
    credential_hint,
    display_path,
    exposure_warning,
    load_config,
    missing_credentials,
    with_profile,
)

if TYPE_CHECKING:  # the demo's composition root loads only for --demo
    from asin_tui.demo import DemoSettings

#: What `config init` writes; config.example.toml at the repository root is this text
#: (a test keeps the two identical).
TEMPLATE = """\
# asin-tui configuration.
#
# `asin-tui config init` writes this file to your config folder (`asin-tui config path`
# prints where: ~/.config/asin-tui/config.toml on Linux), readable by you only (mode 0600).
# `asin-tui config show` prints what asin-tui understood, secrets masked.
#
# One [profiles.<name>] table per seller account and marketplace; choose one with
# `asin-tui --profile NAME`. Profile names use letters, digits, '-' and '_'.
#
# Credentials: put them in a profile (lwa_app_id, lwa_client_secret, refresh_token) or,
# better, set the environment variables python-amazon-sp-api reads. When set, an
# environment variable wins over the file, for every profile:
#   LWA_APP_ID            the LWA client identifier of your SP-API application
#   LWA_CLIENT_SECRET     the LWA client secret of that application
#   SP_API_REFRESH_TOKEN  the refresh token you got when you authorised the application

# The profile used when you don't pass --profile. Optional; default: the first profile.
default_profile = "main"

[profiles.main]
# Marketplace: a code (US, CA, MX, BR, UK, DE, FR, IT, ES, NL, SE, PL, BE, TR, AE, SA, EG,
# IN, IE, ZA, JP, AU, SG) or a marketplace id such as "ATVPDKIKX0DER". Required.
marketplace = "US"
# Your merchant token: Seller Central > Settings > Account Info > Merchant Token. Required.
seller_id = "A2EXAMPLE12345"
# Credentials, unless you set the environment variables above. Optional.
# lwa_app_id = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
# lwa_client_secret = "amzn1.oa2-cs.v1.0123456789abcdef"
# refresh_token = "Atzr|IwEBI..."
# Language of Amazon's issue messages. Optional; default: the marketplace's (en_US, de_DE, ...).
# issue_locale = "en_US"
# Seconds to wait for one SP-API answer. Optional; default: the client's own.
# timeout = 30
# endpoint and token_endpoint: leave them out to talk to Amazon's production SP-API.

# Where `asin-tui watch` sends the events it finds, beside one JSON line each on stdout.
# Optional; every key in it is optional. A channel that fails is retried, reported on stderr
# and tried again next round: no event is lost.
# [profiles.main.alerts]
# A webhook: each event's JSON is POSTed, with a Slack-compatible "text" line.
# webhook_url = "https://hooks.slack.com/services/T000/B000/XXXX"
# E-mail over SMTP (STARTTLS). smtp_host, mail_from and mail_to go together.
# smtp_host = "smtp.example.com"
# smtp_port = 587
# smtp_starttls = true
# smtp_user = "alerts@example.com"
# The SMTP password: better in the environment variable ASIN_TUI_SMTP_PASSWORD (it wins).
# smtp_password = "app-password"
# mail_from = "alerts@example.com"
# mail_to = ["you@example.com"]
# A program run with the event's JSON on stdin: an array, no shell.
# command = ["notify-send", "asin-tui"]
# AT_RISK: an exemption ending within this many days (default 14); a merchant-fulfilled
# quantity at or below this (default 2); stock that lasts fewer than this many days at the
# pace it sells (default 14; 0 turns it off), from Amazon's FBA inventory planning and
# orders reports, fetched twice a day.
# exemption_days = 14
# mfn_quantity = 2
# cover_days = 14

# The fast path of `asin-tui watch` (optional; needs `pip install 'asin-tui[notifications]'`):
# an SQS queue that an Amazon EventBridge rule fills with the seller's SP-API notifications
# LISTINGS_ITEM_STATUS_CHANGE and LISTINGS_ITEM_ISSUES_CHANGE. watch re-reads each listing
# named within seconds; its rounds go on as the safety net. Setting up the destination, the
# subscriptions and the EventBridge rule: README, "Notifications (fast path)".
# AWS credentials come from the AWS SDK's usual places (AWS_ACCESS_KEY_ID/...,
# ~/.aws/credentials, an instance role): never from this file.
# [profiles.main.notifications]
# queue_url = "https://sqs.us-east-1.amazonaws.com/123456789012/asin-tui-notifications"
# Optional: the queue URL names the region; a named profile of ~/.aws/config; another
# SQS endpoint (a VPC endpoint, or a local SQS for testing).
# region = "us-east-1"
# aws_profile = "asin-tui"
# endpoint_url = "http://127.0.0.1:5000"

# The built-in sandbox seller account, served on your machine by
#   asin-tui sandbox serve --port 8765
# Its credentials are fixed and public; they open nothing but the sandbox:
#   LWA_APP_ID=amzn1.application-oa2-client.sandbox
#   LWA_CLIENT_SECRET=sandbox-secret
#   SP_API_REFRESH_TOKEN=Atzr|sandbox
# (mind that LWA_* / SP_API_REFRESH_TOKEN set in your environment win over these).
[profiles.sandbox]
marketplace = "US"
# The sandbox seller's id, as `asin-tui sandbox serve` prints it. This one is served with the
# default seed; `--seed S` serves "A2SANDBOX" + S in five digits (--seed 42: A2SANDBOX00042).
seller_id = "A2SANDBOX00007"
# SP-API server to talk to instead of Amazon's. Optional.
endpoint = "http://127.0.0.1:8765"
# LWA token server to ask for access tokens instead of Amazon's. Optional.
token_endpoint = "http://127.0.0.1:8765/auth/o2/token"
lwa_app_id = "amzn1.application-oa2-client.sandbox"
lwa_client_secret = "sandbox-secret"
refresh_token = "Atzr|sandbox"
timeout = 10

# Keys of the terminal app. Optional. Each key has a binding id; give it one key, several
# keys in an array, or a comma-separated string. A key is a character ("f", "F", "/") or a
# name ("f5", "pageup", "escape"), after modifiers ("ctrl+r", "shift+tab"). `?` in the app
# shows the keys in use. For example:
# [keymap]
# "list.filter" = "f"
# "list.sync" = ["ctrl+r", "f5"]
# "app.quit" = "ctrl+q"
# Binding ids:
#   app.quit app.help
#   welcome.demo
#   list.filter list.clear_filter list.toggle_scope list.state.all
#   list.state.suppressed list.state.catalog_removed list.state.incomplete
#   list.state.inactive list.state.search_suppressed list.state.variation_parent
#   list.state.active list.sort list.reverse_sort list.wizard list.export list.sync
#   list.full_sync list.mark list.mark_shown list.clear_marks list.causes list.bulk
#   list.at_risk list.since_last_look
#   table.up table.down table.first table.last table.page_up table.page_down
#   table.open table.columns_right table.columns_left
#   filter.clear
#   detail.back detail.wizard detail.copy_link detail.copy_sku
#   export.cancel
#   help.close copied.close confirm.no confirm.yes
#   wizard.next wizard.back wizard.leave_field wizard.leave wizard.preview wizard.submit
#   wizard.override wizard.recheck wizard.fix_failing wizard.copy_case wizard.copy_link
#   wizard.scroll_up wizard.scroll_down wizard.page_up wizard.page_down
#   confirm.send (only keys typing cannot produce: ctrl+…, alt+…, f1…) confirm.cancel
#   confirm.scroll_up confirm.scroll_down confirm.page_up confirm.page_down confirm.top
#   confirm.bottom
#   checkbox.tick choice.open
#   causes.close causes.bulk
#   bulk.leave bulk.fill_down bulk.same_for_all bulk.use_hints bulk.clear_cell
#   bulk.load_csv bulk.validate bulk.submit bulk.resume
#   bulk_grid.up bulk_grid.down bulk_grid.left bulk_grid.right bulk_grid.first
#   bulk_grid.last bulk_grid.page_up bulk_grid.page_down bulk_grid.edit
#   action.copy action.write action.leave
"""


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "config",
        help="show, create or locate the config file (profiles and credentials)",
        description="Profiles live in a TOML file; `config init` writes a commented template.",
    )
    actions = parser.add_subparsers(dest="config_action", metavar="ACTION", title="actions")
    actions.add_parser("path", help="print where the config file is")
    actions.add_parser("init", help="write a commented template (never overwrites)")
    show = actions.add_parser("show", help="print the profiles, secrets masked as …last4")
    # SUPPRESS: `asin-tui --profile X config show` keeps X unless --profile is given here too.
    show.add_argument("--profile", metavar="NAME", default=argparse.SUPPRESS, help="only this one")
    check = actions.add_parser(
        "check",
        help="try the credentials and one cheap SP-API call per feature: which ones will work",
        description=(
            "Gets an LWA access token, then makes one cheap call per feature (each needs an "
            "SP-API role on your application) and says, one line each, whether it works. "
            "It reads only, except two report requests Amazon keeps for 90 days (Account "
            "Health and the listings report)."
        ),
        epilog="Exit status: 0 every feature works, 1 some will not (a role is missing), 2 "
        "the credentials, the config or the network failed. See docs/CREDENTIALS.md.",
    )
    add_account_options(check, marketplace_help="check this marketplace instead")
    add = actions.add_parser(
        "add-profile",
        help="add a [profiles.NAME] table to the config file (keeps everything else)",
        description=(
            "Appends a profile to the config file (creating the file, 0600, if there is "
            "none), keeping its comments and order; refuses a name that exists. Credentials "
            "are not taken here (they would stay in your shell history): set LWA_APP_ID, "
            "LWA_CLIENT_SECRET and SP_API_REFRESH_TOKEN, or edit the file."
        ),
    )
    add.add_argument("name", metavar="NAME", help="letters, digits, '-' and '_'")
    add.add_argument(
        "--seller-id", required=True, help="your merchant token (Seller Central > Account Info)"
    )
    add.add_argument("--marketplace", default="US", help="code or marketplace id (default US)")
    add.add_argument("--endpoint", metavar="URL", help="SP-API server (default: Amazon's)")
    add.add_argument("--token-endpoint", metavar="URL", help="LWA server (default: Amazon's)")
    parser.set_defaults(config_parser=parser)
    return parser


def run(args: argparse.Namespace) -> int:
    action = getattr(args, "config_action", None)
    if action is None:
        args.config_parser.print_help()
        return 0
    try:
        actions = {
            "path": _path,
            "init": _init,
            "show": _show,
            "check": _check,
            "add-profile": _add_profile,
        }
        return actions[action](args)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def _path(args: argparse.Namespace) -> int:
    print(paths.config_file())
    return 0


def _init(args: argparse.Namespace) -> int:
    target = paths.config_file()
    try:
        ensure_private_dir(target.parent)
        atomic_write_text(target, TEMPLATE, overwrite=False)
    except FileExistsError:
        raise UsageError(
            f"{display_path(target)} already exists; edit it, or move it away and run this again"
        ) from None
    except OSError as exc:
        raise UsageError(f"{display_path(target)}: cannot write: {exc.strerror}") from None
    print(f"Wrote {target} (readable by you only).")
    print(NEXT_STEPS)
    return 0


#: After `config init`: the path to working credentials, in short (docs/CREDENTIALS.md).
NEXT_STEPS = """Next:
  1. Seller Central > Apps and Services > Develop Apps: register as a developer (private
     developer, for your own account), then add a new app client (SP API, private) with the
     roles Product Listing, Amazon Fulfillment (FBA stock) and Selling Partner Insights
     (Account Health).
  2. In that app: View the LWA credentials (client id and secret), then Authorize app to get
     a refresh token (shown once: copy it).
  3. export LWA_APP_ID=… LWA_CLIENT_SECRET=… SP_API_REFRESH_TOKEN=… (or put them in the file),
     and set seller_id (Settings > Account Info > Merchant Token) and marketplace in
     [profiles.main].
  4. asin-tui config check   says which features your app can use.
Step by step: docs/CREDENTIALS.md (https://developer-docs.amazon.com/sp-api/docs/self-authorization)."""


def _check(args: argparse.Namespace) -> int:
    import asyncio  # only check runs a loop: show, path, init... start without it

    profile = resolve_profile(args)
    return asyncio.run(_check_profile(profile, demo_settings(args), client_time_scale(args)))


async def _check_profile(
    profile: Profile | None, demo: DemoSettings | None = None, time_scale: float = 1.0
) -> int:
    from asin_tui.service import check_access, open_client_for

    if profile is None:
        from asin_tui.demo import open_demo_client  # the demo's composition root

        api = open_demo_client(settings=demo)
        print("Checking the demo account (the built-in sandbox)")
    else:
        missing = missing_credentials(profile)
        if missing:
            hints = ", ".join(missing)
            raise UsageError(f"profile {profile.name}: no credentials: set {hints}")
        market = profile.marketplace
        where = profile.endpoint or "Amazon production"
        print(
            visible(
                f"Checking profile {profile.name}: seller {profile.seller_id} in {market.code} "
                f"({market.marketplace_id}) at {where}"
            )
        )
        api = open_client_for(profile, time_scale=time_scale)
    # each line as soon as it is known: a throttled call may keep the next one a minute
    outcomes = await check_access(
        api, lambda outcome: print(visible(_outcome_line(outcome)), flush=True)
    )
    working = sum(o.works is True for o in outcomes[1:])
    features = len(outcomes) - 1
    queue_works = True
    if profile is not None and profile.notifications is not None:
        queue_works = await _check_queue(profile.notifications)
        working, features = working + queue_works, features + 1
    print(f"{working} of {features} features will work. Roles: docs/CREDENTIALS.md")
    if any(o.works is None for o in outcomes) or outcomes[0].works is False:
        return 2
    return 0 if all(o.works for o in outcomes) and queue_works else 1


async def _check_queue(settings: Notifications) -> bool:
    """The profile's [notifications] queue (watch's fast path): reachable and readable with
    the AWS credentials the SDK finds; one line, no secret (an AWS error is its code and
    message, access key ids masked)."""
    from asin_tui.notifications import NotificationsUnavailable, QueueError, SqsQueue

    name = settings.queue_url.rstrip("/").rsplit("/", 1)[-1]
    what = "SP-API notifications (watch's fast path)"
    try:
        waiting = await SqsQueue(settings, wait_seconds=0).check()
    except (NotificationsUnavailable, QueueError) as exc:
        print(visible(f"✗ will not work {what}: SQS queue {name}: {exc}"), flush=True)
        return False
    plural = "" if waiting == 1 else "s"
    print(
        visible(
            f"✓ works         {what}: SQS queue {name} receives ({waiting} message{plural} waiting)"
        ),
        flush=True,
    )
    return True


def _outcome_line(outcome) -> str:
    feature = outcome.feature
    role = f" — {feature.role} role" if feature.role else ""
    if outcome.works:
        return f"✓ works         {feature.name}{role}"
    if outcome.works is None:
        return f"? not checked   {feature.name}: {outcome.detail}"
    if not feature.role:
        return f"✗ refused       {feature.name}: {outcome.detail}"
    return (
        f"✗ will not work {feature.name}: {feature.operation} refused ({outcome.detail}); "
        f"add the {feature.role} role to the app, then authorise it again"
    )


def _add_profile(args: argparse.Namespace) -> int:
    target = paths.config_file()
    values = {"marketplace": args.marketplace, "seller_id": args.seller_id}
    if args.endpoint:
        values["endpoint"] = args.endpoint
    if args.token_endpoint:
        values["token_endpoint"] = args.token_endpoint
    try:
        text = read_regular_file(target, limit=MAX_CONFIG_BYTES).decode("utf-8")
    except FileNotFoundError:
        text = None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise UsageError(f"{display_path(target)}: cannot read: {reason}") from None
    new_text = with_profile(target, text, args.name, values)
    try:
        ensure_private_dir(target.parent)
        atomic_write_text(target, new_text)  # 0600, like every file that may hold secrets
    except OSError as exc:
        raise UsageError(f"{display_path(target)}: cannot write: {exc.strerror}") from None
    print(visible(f"Added [profiles.{args.name}] to {target} (readable by you only)."))
    if args.endpoint and not args.token_endpoint:
        print("Access tokens will be asked from Amazon's LWA (no --token-endpoint given).")
    print(visible(f"Use it: asin-tui --profile {args.name}   Check it: asin-tui config check "
                  f"--profile {args.name}"))  # fmt: skip
    return 0


def _show(args: argparse.Namespace) -> int:
    config = load_config()
    selected = getattr(args, "profile", None)
    profiles = [config.profile(selected)] if selected else list(config.profiles.values())
    default = config.profile().name if config.profiles else None
    print(f"config file: {visible(config.path)}")
    _warn_if_readable_by_others(config)
    if not profiles:
        print("no profiles yet: add a [profiles.<name>] table")
    for profile in profiles:
        print()
        lines = _describe(profile, is_default=profile.name == default)
        print("\n".join(visible(line) for line in lines))  # a config can hold any text
    return 0


def _describe(profile: Profile, *, is_default: bool) -> list[str]:
    market = profile.marketplace
    rows = [
        ("marketplace", f"{market.code} ({market.marketplace_id}, {market.country})"),
        ("seller_id", profile.seller_id),
        ("endpoint", profile.endpoint or f"{market.endpoint} (Amazon production)"),
        ("token_endpoint", profile.token_endpoint or "Amazon LWA (default)"),
        ("issue_locale", profile.issue_locale),
        ("timeout", f"{profile.timeout:g} s" if profile.timeout else "client default"),
    ]
    credentials = profile.credentials
    for key in CREDENTIAL_ENV:
        if getattr(credentials, key):
            rows.append((key, f"{credentials.shown(key)}  (from {credentials.sources[key]})"))
        else:
            rows.append((key, f"not set: set {credential_hint(profile.name, key)}"))
    rows.append(("alerts", _alerts_text(profile)))
    rows.append(("notifications", _notifications_text(profile)))
    title = f"[profiles.{profile.name}]" + ("  (default)" if is_default else "")
    return [title, *(f"  {key:<18} {value}" for key, value in rows)]


def _alerts_text(profile: Profile) -> str:
    """Which channels `watch` sends through (the webhook URL and the SMTP password are
    secrets: named, never shown)."""
    alerts = profile.alerts
    if alerts is None:
        return "none (watch prints events on stdout only)"
    channels = []
    if alerts.webhook_url:
        channels.append("webhook")
    if alerts.smtp_host:
        password = "password set" if alerts.smtp_password else "no password"
        channels.append(
            f"e-mail via {alerts.smtp_host}:{alerts.smtp_port} to {', '.join(alerts.mail_to)}"
            f" ({password})"
        )
    if alerts.command:
        channels.append(f"command {alerts.command[0]}")
    risk = (
        f"at risk: exemption ≤ {alerts.exemption_days} d, MFN qty ≤ {alerts.mfn_quantity},"
        f" cover < {alerts.cover_days} d"
    )
    return "; ".join([*channels, risk]) if channels else f"no channel; {risk}"


def _notifications_text(profile: Profile) -> str:
    """The queue `watch` reads SP-API notifications from (AWS credentials are the SDK's)."""
    notifications = profile.notifications
    if notifications is None:
        return "none (watch relies on its rounds)"
    where = notifications.queue_url.rstrip("/").rsplit("/", 1)[-1]
    text = f"SQS queue {where} in {notifications.region}"
    if notifications.endpoint_url:
        text += f" at {notifications.endpoint_url}"
    if notifications.aws_profile:
        text += f", AWS profile {notifications.aws_profile}"
    return text


def _warn_if_readable_by_others(config: Config) -> None:
    if warning := exposure_warning(config.path):
        print(f"warning: {warning}", file=sys.stderr)
