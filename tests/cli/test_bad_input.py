"""Command-line input and output that cannot be used: one line on stderr, exit 2, no traceback."""

from __future__ import annotations

import pytest

from asin_tui.cli import main


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
    assert main(["report", "--demo", "--cached", "--max-age", "0", "--format", "json"]) in (0, 1)
