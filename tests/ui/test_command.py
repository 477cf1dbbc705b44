"""`asin-tui` without a subcommand: what opens, and config errors before Textual starts."""

from __future__ import annotations

import pytest

from asin_tui import cli
from asin_tui.store import paths
from asin_tui.ui.app import AsinTuiApp


@pytest.fixture
def started(monkeypatch):
    """Records the app that would run instead of taking over the terminal."""
    apps: list[AsinTuiApp] = []
    monkeypatch.setattr(AsinTuiApp, "run", lambda self, *a, **k: apps.append(self))
    return apps


def test_no_config_opens_the_welcome_screen(started):
    assert cli.main([]) == 0
    (app,) = started
    assert app.service_factory is None
    assert app.demo_factory is not None


def test_demo_opens_the_sandbox_account(started):
    assert cli.main(["--demo"]) == 0
    assert started[0].service_factory is not None


def test_broken_config_is_one_line_and_exit_2_before_the_app(started, capsys):
    paths.config_dir().mkdir(parents=True, exist_ok=True)
    paths.config_file().write_text("[profiles.main\nmarketplace = 'US'\n")
    assert cli.main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("asin-tui: ") and "config.toml" in err
    assert len(err.strip().splitlines()) == 1
    assert not started


def test_unknown_profile_without_config_is_a_usage_error(started, capsys):
    assert cli.main(["--profile", "shop"]) == 2
    assert "asin-tui config init" in capsys.readouterr().err
    assert not started


@pytest.mark.parametrize("argv", [["--demo", "--profile", "x"], ["--reset"]])
def test_conflicting_options_are_usage_errors(started, capsys, argv):
    assert cli.main(argv) == 2
    assert capsys.readouterr().err.startswith("asin-tui: ")
    assert not started


def test_profile_marketplace_override(started, capsys):
    paths.config_dir().mkdir(parents=True, exist_ok=True)
    paths.config_file().write_text(
        '[profiles.main]\nmarketplace = "US"\nseller_id = "A2EXAMPLE12345"\n'
    )
    assert cli.main(["--marketplace", "ZZ"]) == 2
    assert "--marketplace" in capsys.readouterr().err
    assert cli.main(["--marketplace", "DE"]) == 0
    service = started[0].service_factory()  # the client connects lazily: no network here
    assert (service.profile_name, service.marketplace_id) == ("main", "A1PA6795UKMFR9")
