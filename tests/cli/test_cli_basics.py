"""The command line as a user first meets it: --version, --help, usage errors. --version, a
config error and closed pipes or Ctrl-C run as real processes; --help and usage errors run
``main`` in this process (argparse ends them with the SystemExit a real process turns into its
exit status; an uncaught error would fail the test as a traceback would show)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
import pytest

from asin_tui import __version__
from asin_tui.cli import EXIT_BROKEN_PIPE, main
from tests.sandbox.test_http_serve import popen_as_in_a_terminal


def asin_tui(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "asin_tui", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def in_process(capsys, *argv: str) -> subprocess.CompletedProcess[str]:
    """``asin-tui ARGV`` run by ``main`` in this process: its exit status and output."""
    try:
        code = main(list(argv))
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(list(argv), code, out, err)


def test_version():
    result = asin_tui("--version")
    assert (result.returncode, result.stdout) == (0, f"asin-tui {__version__}\n")


def test_help_lists_every_subcommand(capsys):
    result = in_process(capsys, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: asin-tui")
    commands = result.stdout.split("commands:", 1)[1]
    for name in ("report", "diagnose", "progress", "sandbox", "config"):
        assert f"\n    {name} " in commands, name
    assert "--demo" in result.stdout


def test_unknown_option_is_a_short_usage_error(capsys):
    result = in_process(capsys, "--frobnicate")
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


def test_subcommand_usage_error_names_the_subcommand(capsys):
    result = in_process(capsys, "report", "--bogus")
    assert (result.returncode, result.stdout) == (2, "")
    lines = result.stderr.splitlines()
    assert lines[0].startswith("usage: asin-tui report ")
    assert lines[-1] == "asin-tui report: error: unrecognized arguments: --bogus"


def test_nested_subcommand_usage_error_names_the_action(capsys):
    result = in_process(capsys, "sandbox", "serve", "--bogus", "1")
    assert result.returncode == 2
    assert result.stderr.startswith("usage: asin-tui sandbox serve ")
    assert result.stderr.endswith(
        "asin-tui sandbox serve: error: unrecognized arguments: --bogus 1\n"
    )


@pytest.mark.parametrize("argv", [["--reset"], ["--reset", "report", "--cached"]])
def test_reset_without_demo_is_a_usage_error_for_every_command(argv, capsys):
    assert main(argv) == 2
    assert capsys.readouterr() == ("", "asin-tui: --reset only applies to --demo\n")


def test_output_into_a_closed_pipe_exits_quietly():
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader (`| head`) is already gone
    try:
        result = subprocess.run(
            [sys.executable, "-m", "asin_tui", "config", "path"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (EXIT_BROKEN_PIPE, "")


def test_sandbox_serve_whose_reader_left_stops_on_ctrl_c_without_a_traceback():
    """`asin-tui sandbox serve | head -1`, then Ctrl-C."""
    process = popen_as_in_a_terminal(
        [sys.executable, "-m", "asin_tui", "sandbox", "serve", "--port", "0", "--listings", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        first = process.stdout.readline().decode("utf-8")
        assert first.startswith("asin-tui sandbox: seller ")
        process.stdout.close()
        url = first.rsplit("serving at ", 1)[1].strip()
        # The rest of the banner may still be on its way (then writing it ends the server at
        # once); otherwise it serves until Ctrl-C, and saying it stopped ends it the same way.
        while process.poll() is None:
            try:
                httpx.get(f"{url}/auth/o2/token", timeout=5)
            except httpx.TransportError:
                continue
            process.send_signal(signal.SIGINT)
            break
        assert process.wait(timeout=20) == EXIT_BROKEN_PIPE
        assert process.stderr.read() == b""
    finally:
        if process.poll() is None:
            process.kill()
        process.stderr.close()


@pytest.mark.slow  # a real process syncing every demo listing at real rates
def test_report_whose_reader_leaves_after_ten_bytes_exits_141(tmp_path):
    """`asin-tui report --demo --all --format json | head -c 10`: the JSON (well over a pipe's
    64 KiB) cannot all be taken before the reader leaves, and that must show as 141, not as
    the 1 of "listings need attention"."""
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "asin_tui", "report", "--demo", "--all", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        assert process.stdout.read(10) == b'{\n  "gener'
        process.stdout.close()  # `head -c 10` has what it wanted and leaves
        assert process.wait(timeout=120) == EXIT_BROKEN_PIPE
        assert process.stderr.read() == b""
    finally:
        if process.poll() is None:
            process.kill()
        process.stderr.close()


def test_a_command_run_as_the_program_runs_with_the_garbage_collector_on(tmp_path):
    """The command line imports the command it runs with the collector paused (the modules
    live as long as the process), and the command itself runs with it on again: a long
    `watch` collects its garbage. A caller's own process (argv given) is left as it is."""
    script = (
        "import gc, sys\n"
        "import asin_tui.commands.config as config\n"
        "from asin_tui import cli\n"
        "config.run = lambda args: print(gc.isenabled(), gc.get_freeze_count() > 0) or 0\n"
        "cli.main(['config', 'path'])\n"
        "sys.argv = ['asin-tui', 'config', 'path']\n"
        "sys.exit(cli.main())\n"
    )
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["True False", "True True"]
