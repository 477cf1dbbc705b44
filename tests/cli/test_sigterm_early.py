"""SIGTERM in the first ~0.2 s of `report` and `fix` (Python loading asin-tui, the command
line parsed, before the command's own handler is set): it ended them silently (status -15,
nothing on stderr); now one line and exit 130, as a Ctrl-C at that moment (and as a SIGTERM
later: README's exit tables). Real processes: each sends itself SIGTERM while a named module
is being imported, so the moment is the same on every run."""

from __future__ import annotations

import subprocess
import sys

import pytest

from asin_tui.__main__ import command_named
from tests.conftest import ROOT

#: The child: asin-tui's own entry point, with SIGTERM sent while MODULE is imported
CHILD = """
import os, signal, sys
module = sys.argv.pop(1)

class Terminated:
    def find_spec(self, name, path=None, target=None):
        if name == module:
            os.kill(os.getpid(), signal.SIGTERM)
        return None

sys.meta_path.insert(0, Terminated())
from asin_tui.__main__ import entry
raise SystemExit(entry())
"""


@pytest.mark.slow  # real processes loading asin-tui
@pytest.mark.parametrize(
    "module",
    [
        "asin_tui.cli",  # Python loading asin-tui's command line
        "asin_tui.commands.{command}",  # the command's module, while the line is parsed
    ],
)
@pytest.mark.parametrize("command", ["report", "fix"])
def test_sigterm_while_report_or_fix_loads_is_one_line_and_exit_130(tmp_path, command, module):
    path = tmp_path / "fix.csv"
    path.write_text("sku,quantity\nSKU-1,5\n", encoding="utf-8")
    args = ["--demo", command] + ([str(path), "--apply"] if command == "fix" else [])
    done = subprocess.run(
        [sys.executable, "-c", CHILD, module.format(command=command), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stderr, done.stdout) == (130, "asin-tui: interrupted\n", "")


def test_the_command_word_is_found_past_the_options_and_their_values():
    assert command_named(["report", "--demo"]) == "report"
    assert command_named(["--demo", "fix", "x.csv"]) == "fix"
    assert command_named(["--profile", "report", "--marketplace=DE", "watch"]) == "watch"
    assert command_named(["--prof", "fix"]) is None  # the app, on the profile "fix"
    assert command_named(["--demo", "--scenario", "vacation"]) is None


@pytest.mark.slow  # real processes loading asin-tui
@pytest.mark.parametrize("once", [False, True])
def test_sigterm_while_watch_loads_says_it_stopped_and_exits_as_watch_does(once):
    """watch stopped by SIGTERM before its first round: 0 (a service manager's stop), or 130
    with --once, and the one line it gives once started (README's exit table for watch)."""
    args = ["--demo", "watch"] + (["--once"] if once else [])
    done = subprocess.run(
        [sys.executable, "-c", CHILD, "asin_tui.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    stopped = "asin-tui watch: stopped before its first round\n"
    assert (done.returncode, done.stderr, done.stdout) == (130 if once else 0, stopped, "")
