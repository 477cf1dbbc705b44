"""The account options shared by `report`, `progress` and the TUI start (commands/_account.py)."""

from __future__ import annotations

import argparse

import pytest

from asin_tui.cli import UsageError
from asin_tui.commands._account import add_account_options, resolve_profile
from asin_tui.store import paths

CONFIG = """
[profiles.main]
marketplace = "US"
seller_id = "A2EXAMPLE12345"
[profiles.fixed]
marketplace = "US"
seller_id = "A2EXAMPLE12345"
issue_locale = "en_GB"
"""


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_account_options(parser, marketplace_help="marketplace")
    return parser.parse_args(argv)


@pytest.fixture(autouse=True)
def config():
    paths.config_dir().mkdir(parents=True, exist_ok=True)
    paths.config_file().write_text(CONFIG, encoding="utf-8")


def test_the_default_profile_in_its_own_marketplace():
    profile = resolve_profile(parse())
    assert (profile.name, profile.marketplace.code, profile.issue_locale) == ("main", "US", "en_US")


def test_marketplace_override_takes_the_issue_locale_along_unless_configured():
    moved = resolve_profile(parse("--marketplace", "DE"))
    assert (moved.marketplace.code, moved.issue_locale) == ("DE", "de_DE")
    fixed = resolve_profile(parse("--profile", "fixed", "--marketplace", "DE"))
    assert (fixed.marketplace.code, fixed.issue_locale) == ("DE", "en_GB")


def test_demo_is_no_profile_and_not_with_one():
    assert resolve_profile(parse("--demo")) is None
    with pytest.raises(SystemExit):  # argparse: mutually exclusive
        parse("--demo", "--profile", "main")
    both = argparse.Namespace(demo=True, profile="main")  # given before and after a subcommand
    with pytest.raises(UsageError, match="either --demo or --profile"):
        resolve_profile(both)


def test_unknown_marketplace_is_a_usage_error_naming_the_option():
    with pytest.raises(UsageError, match=r"^--marketplace: unknown marketplace 'XX'"):
        resolve_profile(parse("--marketplace", "XX"))
