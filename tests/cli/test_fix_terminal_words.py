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
