"""`asin-tui … >&-` and `2>&-` (a cron line, a service unit that closes a stream): one line
and exit 2 when the output cannot be written, never an internal error; with stderr closed its
lines are dropped, never written into stdout's data."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT


def run(*argv: str, close: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "asin_tui", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.close(close),  # the stream closed before Python starts
    )


#: the demo's report from its synced cache (synced_demo): what is written, without a sync first
CACHED_DEMO = ("report", "--demo", "--cached", "--max-age", "1e9")


def test_stdout_closed_is_one_line_and_exit_2(synced_demo):
    done = run(*CACHED_DEMO, close=1)
    assert done.returncode == 2, done.stderr
    assert (
        done.stderr.splitlines()[-1]
        == "asin-tui: cannot write the output: standard output is closed"
    )
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr


def test_stderr_closed_keeps_stdout_data_clean(synced_demo):
    done = run(*CACHED_DEMO, "--format", "json", close=2)
    assert done.returncode in (0, 1)
    assert json.loads(done.stdout)["listings"]  # no warning line mixed into the JSON


def test_stdin_closed_reads_as_empty_input():
    done = run("diagnose", "-", close=0)  # the body from stdin: none
    assert done.returncode == 2 and "internal error" not in done.stderr, done.stderr
    assert done.stderr.startswith("asin-tui: ") and done.stderr.count("\n") == 1


def test_a_stdout_whose_locale_is_not_utf8_never_crashes():
    """LANG=en_US.ISO-8859-1 on an old server: diagnose's "→" (and any CJK title) cannot be
    encoded; it is written as \\u2192, as Python writes stderr, never an internal error."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "asin_tui",
            "diagnose",
            "tests/fixtures/listing_fba_out_of_stock.json",
        ],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "latin-1"},
    )
    err = done.stderr.decode("latin-1")
    assert done.returncode in (0, 1), err
    assert "internal error" not in err and "Traceback" not in err
    assert b"\\u2192" in done.stdout


def test_diagnose_of_an_endless_file_is_one_line(capsys):
    """`diagnose /dev/zero` (or a log file by mistake) read until memory ran out."""
    from asin_tui.cli import main

    assert main(["diagnose", "/dev/zero"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "asin-tui: getListingsItem body /dev/zero is larger than 64 MB: not an answer of "
        "Amazon's (a search page is a few MB at most)\n"
    )


# ----------------------------------------------------------------------------- Ctrl-C early


def test_ctrl_c_while_asin_tui_loads_is_one_line_not_a_traceback(capsys, monkeypatch):
    # Ctrl-C in the first ~0.1 s (Python importing asin_tui.cli) printed a traceback of
    # whichever import it landed in, exit -2
    import importlib

    from asin_tui.__main__ import entry

    class Interrupted:
        def find_spec(self, name, path=None, target=None):
            if name == "asin_tui.cli":
                raise KeyboardInterrupt
            return None

    monkeypatch.delitem(sys.modules, "asin_tui.cli")
    monkeypatch.setattr(sys, "meta_path", [Interrupted(), *sys.meta_path])
    assert entry() == 130
    assert capsys.readouterr().err == "asin-tui: interrupted\n"
    monkeypatch.undo()
    assert importlib.import_module("asin_tui.cli")  # (as it was)


def test_ctrl_c_before_the_command_runs_is_one_line(capsys, monkeypatch):
    from asin_tui import cli

    def interrupted(argv):
        raise KeyboardInterrupt  # Ctrl-C while the command line is parsed, its module loaded

    monkeypatch.setattr(cli, "_command_line", interrupted)
    assert cli.main(["report", "--demo"]) == 130
    assert capsys.readouterr().err == "asin-tui: interrupted\n"


def test_sigterm_or_ctrl_c_while_watch_starts_is_its_one_line(capsys, monkeypatch):
    # before its loop's handlers were set, SIGTERM ended `watch` silently (status -15)
    from asin_tui.cli import main
    from asin_tui.commands import watch

    def interrupted(args):
        raise KeyboardInterrupt  # what SIGTERM raises while `watch` starts

    monkeypatch.setattr(watch, "_targets", interrupted)
    assert main(["watch", "--demo", "--once"]) == 130
    assert main(["watch", "--demo"]) == 0  # without --once: stopping is its normal end
    err = capsys.readouterr().err.splitlines()
    assert err == ["asin-tui watch: stopped before its first round"] * 2
