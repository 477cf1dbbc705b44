"""The account a command works on: ``--demo | --profile NAME`` and ``--marketplace M``.

Subcommands take these options after their name too (``asin-tui report --demo``); the
same options given before it (``asin-tui --demo report``) are kept, as argparse.SUPPRESS
keeps a subparser's defaults from overwriting them.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import TYPE_CHECKING

from asin_tui.commands.errors import DEMO_SCENARIOS, UsageError
from asin_tui.domain.marketplaces import Marketplace, UnknownMarketplace, resolve_marketplace
from asin_tui.store.config import Config, Profile, exposure_warning, load_config

if TYPE_CHECKING:  # the demo's composition root loads only for --demo
    from asin_tui.demo import DemoSettings


def add_account_options(parser: argparse.ArgumentParser, *, marketplace_help: str) -> None:
    who = parser.add_mutually_exclusive_group()
    who.add_argument(
        "--demo", action="store_true", default=argparse.SUPPRESS, help="the sandbox account"
    )
    who.add_argument("--profile", metavar="NAME", default=argparse.SUPPRESS, help="config profile")
    parser.add_argument(
        "--marketplace", metavar="M", default=argparse.SUPPRESS, help=marketplace_help
    )
    add_scenario_option(parser)


def add_scenario_option(parser: argparse.ArgumentParser) -> None:
    """``--scenario NAME`` (with ``--demo``), kept from before the subcommand when not given
    after it."""
    parser.add_argument(
        "--scenario",
        choices=DEMO_SCENARIOS,
        default=argparse.SUPPRESS,
        metavar="NAME",
        help="with --demo: the demo seller's situation, one of %(choices)s",
    )


def wants_demo(args: argparse.Namespace) -> bool:
    """True for ``--demo``; UsageError when ``--profile`` is given too."""
    demo = getattr(args, "demo", False)
    if demo and getattr(args, "profile", None):
        raise UsageError("use either --demo or --profile, not both")
    return demo


def demo_settings(args: argparse.Namespace) -> DemoSettings | None:
    """How the demo's simulated Amazon runs, as ``cli.main(demo=…)`` was given it (None: the
    demo's defaults)."""
    settings: DemoSettings | None = getattr(args, "demo_settings", None)
    return settings


def client_time_scale(args: argparse.Namespace) -> float:
    """How much faster than Amazon's the clock of the Amazon a profile calls runs, as
    ``cli.main(time_scale=…)`` was given it (1: Amazon's own)."""
    scale: float = getattr(args, "client_time_scale", 1.0)
    return scale


def marketplace_option(args: argparse.Namespace) -> Marketplace | None:
    """The ``--marketplace`` given, resolved; None when not given."""
    code_or_id = getattr(args, "marketplace", None)
    if code_or_id is None:
        return None
    try:
        return resolve_marketplace(code_or_id)
    except UnknownMarketplace as exc:
        raise UsageError(f"--marketplace: {exc}") from None


def resolve_profile(args: argparse.Namespace, config: Config | None = None) -> Profile | None:
    """The configured profile the options name (the default one without ``--profile``), in
    the ``--marketplace`` given; None for ``--demo``. A config problem raises ConfigError.
    A config file other users can read is warned about on stderr (one line)."""
    if wants_demo(args):
        return None
    config = config or load_config()
    profile = config.profile(getattr(args, "profile", None))
    if warning := exposure_warning(config.path):  # it may hold the credentials used now
        print(f"asin-tui: warning: {warning}", file=sys.stderr)
    marketplace = marketplace_option(args)
    return profile if marketplace is None else _in_marketplace(profile, marketplace)


def _in_marketplace(profile: Profile, marketplace: Marketplace) -> Profile:
    """The profile in another marketplace; an issue locale that was not configured (the
    marketplace's own) follows the new marketplace."""
    locale = profile.issue_locale
    if locale == profile.marketplace.language_tag:
        locale = marketplace.language_tag
    return dataclasses.replace(profile, marketplace=marketplace, issue_locale=locale)
