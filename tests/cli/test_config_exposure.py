"""A config file other local users can read (it may hold the LWA secret and refresh token) is
warned about, in one line on stderr, by every command that takes credentials from it, and in
the app; a private one (0600) gives no warning."""

from __future__ import annotations

import os

import pytest

from asin_tui import cli
from asin_tui.store import paths
from asin_tui.ui.app import AsinTuiApp

PROFILE = (
    '[profiles.main]\nmarketplace = "US"\nseller_id = "A2EXAMPLE12345"\n'
    'refresh_token = "Atzr|IwEBIexample-refresh-token-0123456789"\n'
)


def config_with_mode(mode: int):
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PROFILE)
    os.chmod(path, mode)
    return path


def warning_line(path, mode: int) -> str:
    exposed = "writable" if mode == 0o620 else "readable"
    return f"is {exposed} by others (mode {mode:04o}); run: chmod 600 {path}"


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620], ids=oct)
def test_report_warns_about_a_config_others_can_read(capsys, mode):
    path = config_with_mode(mode)
    # no credentials for LWA: report stops at "credentials missing", after reading the config
    assert cli.main(["report", "--format", "json"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"asin-tui: warning: ~/config/asin-tui/config.toml {warning_line(path, mode)}"
    assert "Traceback" not in "\n".join(err)


def test_progress_warns_too(capsys):
    path = config_with_mode(0o644)
    assert cli.main(["progress"]) == 0
    assert warning_line(path, 0o644) in capsys.readouterr().err


def test_a_private_config_gives_no_warning(capsys):
    config_with_mode(0o600)
    cli.main(["report", "--format", "json"])
    cli.main(["progress"])
    assert "readable by others" not in capsys.readouterr().err


def test_the_demo_reads_no_credentials_and_gives_no_warning(capsys):
    config_with_mode(0o644)
    assert cli.main(["progress", "--demo"]) == 0
    assert "readable by others" not in capsys.readouterr().err


def test_the_app_warns_on_stderr_and_on_screen(monkeypatch, capsys):
    path = config_with_mode(0o644)
    apps: list[AsinTuiApp] = []
    monkeypatch.setattr(AsinTuiApp, "run", lambda self, *a, **k: apps.append(self))
    assert cli.main([]) == 0
    assert warning_line(path, 0o644) in capsys.readouterr().err
    service = apps[0].service_factory()  # what the app shows as a notice when it opens
    assert any(warning_line(path, 0o644) in notice for notice in service.notices)
