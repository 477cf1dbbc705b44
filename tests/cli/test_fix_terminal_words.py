"""`fix --apply` at a terminal as a seller sees it (session 8's walk): the validation's
progress bar is gone before the typed confirmation is asked, and a declined confirmation's
summary does not tell the seller to add the --apply they typed."""

from __future__ import annotations

import sys

from asin_tui.commands import fix as fix_command
from asin_tui.domain import codes
from tests.cli import test_fix
from tests.cli.test_fix import fix, journal_skus

demo_skus = test_fix.demo_skus  # the fixture: the demo's SKUs by their only cause


def test_the_progress_bar_is_cleared_before_the_confirmation_and_a_no_says_not_confirmed(
    capsys, tmp_path, demo_skus, monkeypatch
):
    sku = demo_skus[codes.OUT_OF_STOCK_MFN][0]
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)  # the bar drawn
    shown = []

    def answer(prompt: str) -> str:
        shown.append(capsys.readouterr().err)  # what was on the terminal when asked
        return "y"  # not "yes"

    monkeypatch.setattr(fix_command, "ask", answer)  # the question on the terminal
    code, out, err = fix(capsys, tmp_path, f"sku,quantity\n{sku},8\n", "--apply")
    assert code == 1 and journal_skus() == []
    before, _ = shown[0].split("Send these changes to Amazon?", 1)
    assert "Validating" in before  # the bar was drawn ...
    assert before.endswith("\r\x1b[2K")  # ... and erased before the question
    assert "nothing was sent" in err
    assert "--apply submits" not in out
    assert "not confirmed" in out.splitlines()[-1]


def test_on_an_80_column_terminal_a_long_detail_wraps_under_its_column(capsys, monkeypatch):
    """`fix --apply` at 80 columns (the walk of session 10): each row's DETAIL ("waiting for
    Amazon to process your change (submitted …, submission id …)") ran past the edge and the
    terminal broke it anywhere ("…to p" / "rocess your change…" at the left edge). At a
    terminal it wraps under its own column, whole; a file or a pipe keeps one line a row."""
    from asin_tui.bulk import RowResult
    from asin_tui.domain.bulk import RowOutcome

    waiting = (
        "waiting for Amazon to process your change (submitted 23:23 UTC, submission id "
        "b90f61aa-961a-5f85-a420-6d9c62532be6)"
    )
    results = [
        RowResult(
            sku,
            line,
            changes=["Set quantity to 4 (was 0)"],
            preview="VALID",
            submitted=True,
            state_after="INACTIVE",
            outcome=RowOutcome.WAITING,
            reason=waiting,
        )
        for line, sku in ((2, "AJ-INIX-4W6B"), (3, "LV-9I40-7FLX"))
    ]
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    fix_command._output("table", results, applied=True)
    lines = capsys.readouterr().out.splitlines()
    table = lines[: lines.index("")]
    assert all(len(line) <= 79 for line in table), table  # the last column: no auto-wrap
    at = table[0].index("DETAIL")
    rows = [i for i, line in enumerate(table) if line[:1].isdigit()]
    assert len(rows) == 2
    for start, end in zip(rows, [*rows[1:], len(table)], strict=True):
        first, *more = table[start:end]
        assert more and all(line[:at] == " " * at for line in more), table
        said = " ".join([first[at:], *(line[at:] for line in more)])
        assert said.split() == waiting.split() or said.replace(" ", "") == waiting.replace(
            " ", ""
        ), said  # every word, in order (an id longer than the column goes on a line further)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False, raising=False)
    fix_command._output("table", results, applied=True)
    piped = capsys.readouterr().out.splitlines()
    assert len(piped[: piped.index("")]) == 3  # a pipe: the heading and one line a row


def test_on_an_80_column_terminal_the_summary_wraps_at_a_word(capsys, monkeypatch):
    """`fix --demo fixes.csv` at 80 columns: "2 rows: 2 valid; nothing was sent (validation
    only: --apply submits the valid rows)" is 82 characters; the terminal broke it "ro" /
    "ws". On a terminal it wraps at a word; a pipe keeps it one line."""
    from asin_tui.bulk import RowResult
    from asin_tui.domain.bulk import RowOutcome

    results = [
        RowResult(
            sku, line, changes=["Add brand = Acme"], preview="VALID", outcome=RowOutcome.VALID
        )
        for line, sku in ((2, "TOY-4179-MLT"), (3, "IK-GYUS-NOPC"))
    ]
    said = "2 rows: 2 valid; nothing was sent (validation only: --apply submits the valid rows)"
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    fix_command._output("table", results, applied=False)
    out = capsys.readouterr().out
    last = out.split("\n\n", 1)[1].splitlines()
    assert len(last) == 2 and all(len(line) < 80 for line in last), last
    assert " ".join(last) == said
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False, raising=False)
    fix_command._output("table", results, applied=False)
    assert capsys.readouterr().out.splitlines()[-1] == said
