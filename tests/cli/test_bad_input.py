"""Command-line input and output that cannot be used: one line on stderr, exit 2, no traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from asin_tui.cli import main
from asin_tui.demo import DemoSettings
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "expected a finite number of minutes, 0 or more, got '-5'"),
        ("nan", "expected a finite number of minutes, 0 or more, got 'nan'"),
        ("inf", "expected a finite number of minutes, 0 or more, got 'inf'"),
        ("ten", "expected a number of minutes, got 'ten'"),
    ],
)
def test_max_age_must_be_a_number_of_minutes(capsys, value, message):
    with pytest.raises(SystemExit) as raised:
        main(["report", "--demo", "--cached", f"--max-age={value}"])
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert err.endswith(f"asin-tui report: error: argument --max-age: {message}\n")
    assert "Traceback" not in err


def test_max_age_zero_is_accepted(capsys):
    argv = ["report", "--demo", "--cached", "--max-age", "0", "--format", "json"]
    # a cache is never that fresh: it syncs, on the demo's Amazon 100x faster
    assert main(argv, demo=DemoSettings(drift=0.0, time_scale=100.0)) in (0, 1)


@pytest.mark.parametrize(
    "argv",
    [
        ["diagnose", "--format", "text", str(ROOT / "tests/fixtures/listing_incomplete.json")],
        ["diagnose", str(ROOT / "tests/fixtures/listing_incomplete.json")],
        ["progress", "--demo"],
        ["config", "show"],
        ["config", "path"],
        # the demo's report from its synced cache (synced_demo): the writing, without a sync
        ["report", "--demo", "--cached", "--max-age", "1e9", "--format", "csv"],
    ],
    ids=lambda argv: " ".join(argv[:2]),
)
def test_stdout_on_a_full_disk_is_one_line_and_exit_2(argv, synced_demo):
    main(["config", "init"])  # `config show` has something to show
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "asin_tui", *argv],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
    assert result.returncode == 2
    assert result.stderr.endswith("asin-tui: cannot write the output: No space left on device\n")
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
