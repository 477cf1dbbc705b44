"""Evidence a sync could not fetch is shown (issue 8 item 4): the list marks the main cause
('~' its evidence is an earlier sync's answer, '?' something was not checked), the detail
says which call failed and when the answer shown is from, never "no restrictions"."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from asin_tui.domain import codes
from asin_tui.domain.models import Category, EvidenceGap, Severity, WizardStep
from asin_tui.ui import evidence_text
from asin_tui.ui.app import make_app
from asin_tui.ui.listing_view import cause_text
from asin_tui.ui.widgets.listing_table import ListingTable
from tests.ui.conftest import settle
from tests.ui.fakes import FakeService, finding, make_evidence, make_records, progress_of

AS_OF = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
STALE = finding(
    codes.EVIDENCE_STALE,
    "Listing restrictions as of 2026-11-18 08:00 UTC",
    Category.OTHER,
    Severity.INFO,
    WizardStep.OVERVIEW,
)
NOT_CHECKED = finding(
    codes.EVIDENCE_NOT_CHECKED,
    "Not checked: getInventorySummaries failed",
    Category.OTHER,
    Severity.WARNING,
    WizardStep.OVERVIEW,
)


def rendered(lines) -> str:
    return "\n".join(str(line) for line in lines)


def test_the_cause_cell_marks_old_and_unchecked_evidence():
    record = next(r for r in make_records() if r.findings)
    main = record.main_brief
    assert cause_text(record) == main
    stale = dataclasses.replace(record, findings=(*record.findings, STALE))
    assert cause_text(stale) == f"~ {main}"
    partly = dataclasses.replace(record, findings=(*record.findings, NOT_CHECKED, STALE))
    assert cause_text(partly) == f"? {main}"
    only = dataclasses.replace(record, findings=(NOT_CHECKED,))
    assert cause_text(only) == "Not checked: getInventorySummaries failed"  # says it itself


def test_the_detail_says_which_call_failed_and_how_old_the_answer_is():
    record = next(r for r in make_records() if r.fulfillment_channel == "FBA")
    evidence = make_evidence(record)
    failed = dataclasses.replace(
        evidence,
        restrictions=(),
        inventory=None,
        gaps=(
            EvidenceGap("restrictions", "getListingsRestrictions", "throttled", None),
            EvidenceGap("inventory", "getInventorySummaries", "HTTP 503", AS_OF),
        ),
    )
    restrictions = rendered(evidence_text.restrictions(failed))
    assert "Not checked: getListingsRestrictions failed in the last sync (throttled)." in (
        restrictions
    )
    assert "No restrictions" not in restrictions
    stock = rendered(evidence_text.stock(failed))
    assert "As of 2026-11-18 08:00 UTC: getInventorySummaries failed in the last sync" in stock


async def test_the_list_shows_the_mark():
    records = make_records()
    index, record = next((i, r) for i, r in enumerate(records) if r.findings)
    records[index] = dataclasses.replace(record, findings=(*record.findings, STALE))
    service = FakeService(records)
    app = make_app(lambda: service, case_labels_loader=progress_of)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ListingTable)
        row = [r.sku for r in table.view.shown()].index(record.sku)
        assert f"~ {record.main_brief}"[:20] in table.render_line(row + 1).text
