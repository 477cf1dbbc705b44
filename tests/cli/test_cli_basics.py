"""The command line as a user first meets it: --version, --help, usage errors (real processes)."""

from __future__ import annotations

import subprocess
import sys

from asin_tui import __version__


def asin_tui(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "asin_tui", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_version():
    result = asin_tui("--version")
    assert (result.returncode, result.stdout) == (0, f"asin-tui {__version__}\n")


def test_help_lists_every_subcommand():
    result = asin_tui("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: asin-tui")
    commands = result.stdout.split("commands:", 1)[1]
    for name in ("report", "diagnose", "progress", "sandbox", "config"):
        assert f"\n    {name} " in commands, name
    assert "--demo" in result.stdout


def test_unknown_option_is_a_short_usage_error():
    result = asin_tui("--frobnicate")
    assert (result.returncode, result.stdout) == (2, "")
    lines = result.stderr.splitlines()
    assert lines[0].startswith("usage: asin-tui")
    assert lines[-1] == "asin-tui: error: unrecognized arguments: --frobnicate"
    assert len(lines) <= 4
    assert "Traceback" not in result.stderr


def test_config_error_is_one_line_without_traceback(tmp_path):
    env_home = tmp_path / "config"
    result = subprocess.run(
        [sys.executable, "-m", "asin_tui", "config", "show"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(env_home)},
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "asin-tui: ~/config/asin-tui/config.toml: no config file; "
        "create one with `asin-tui config init` (or try --demo)\n"
    )
