"""The bulk progress line as a seller reads it (session 8's walk): 'Validating 3 of 3: 2 valid;
about 0 s left' and 'Re-checking 7 of 8: 7 waiting; about 0 s left' said a time that was no
time at all."""

from __future__ import annotations

from asin_tui.bulk import BulkProgress
from asin_tui.domain.bulk import RowOutcome


def progress(done: int, total: int, eta: float | None) -> str:
    counts = {RowOutcome.VALID: done}
    return BulkProgress("validate", done, total, counts, elapsed=1.0, eta_seconds=eta).message


def test_an_estimate_under_a_second_says_almost_done_and_a_finished_phase_none():
    assert progress(7, 8, 0.2) == "Validating 7 of 8: 7 valid; almost done"
    assert progress(3, 3, 0.0) == "Validating 3 of 3: 3 valid"
    assert progress(3, 3, 4.0) == "Validating 3 of 3: 3 valid"
    assert progress(120, 500, 76.0) == "Validating 120 of 500: 120 valid; about 1 min 16 s left"
    assert progress(0, 500, None) == "Validating 0 of 500"
