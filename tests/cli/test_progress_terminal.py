"""`asin-tui progress` on a terminal as a seller sees it (session 10's walk at 80 columns)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from asin_tui.cli import main
from asin_tui.domain.models import WizardStep
from asin_tui.service import DEMO_PROFILE
from asin_tui.store.cases import CaseStore

US = "ATVPDKIKX0DER"
REOPENED = "reopened 2026-12-04 22:50 UTC: INACTIVE again after it was resolved on 2026-12-04"
NOTE = "Back on sale (ACTIVE; re-checked 2026-12-04 22:43 UTC)"


def saved_cases() -> None:
    store = CaseStore(DEMO_PROFILE, US)

    def reopened(case):
        case.check_note = REOPENED
        case.steps[WizardStep.OVERVIEW].notes = NOTE
        case.steps[WizardStep.OVERVIEW].updated_at = datetime.now(UTC)
        case.touch()

    for sku in ("TOY-2556-MLT", "LUGG-6687-BLK"):
        store.update(sku, reopened)


def test_on_an_80_column_terminal_each_case_fits_its_detail_and_note_under_it(capsys, monkeypatch):
    """Its table was ~140 columns wide (SKU, step, outcome, a 60-character DETAIL, the time,
    a 60-character LAST NOTE): at 80 the terminal broke every row in two or three
    ("…: INACT" / "IVE again…" at the left edge). On a terminal too narrow for it, each case
    is its line (SKU, step, outcome, updated) with its detail and last note indented under
    it; a file or a pipe keeps one line a case."""
    saved_cases()
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    assert main(["progress", "--demo"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(len(line) < 80 for line in lines), [line for line in lines if len(line) >= 80]
    at = next(i for i, line in enumerate(lines) if line.startswith("TOY-2556-MLT"))
    assert lines[at].split()[1:3] == ["Overview", "open"], lines[at]
    under = lines[at + 1 : at + 3]
    assert all(line.startswith("  ") for line in under), under
    said = " ".join(" ".join(under).split())
    assert REOPENED[:40] in said and f"last note: {NOTE}" in said
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False, raising=False)
    assert main(["progress", "--demo"]) == 0
    piped = capsys.readouterr().out.splitlines()
    row = next(line for line in piped if line.startswith("TOY-2556-MLT"))
    assert REOPENED[:40] in row and NOTE in row  # one line a case, as before
