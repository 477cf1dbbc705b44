"""A finding's approval link in the detail at 80 columns (session 8's walk): it sat inside a
sentence and wrapped mid-link ("…approve?a" / "sin=B0…"), so neither reading nor selecting
it gave the link. It is now a line of its own, drawn whole or cut with "…" (never wrapped),
the fix refers to it ("the link above"), and c copies it whole."""

from __future__ import annotations

from dataclasses import replace

from asin_tui.domain import codes
from asin_tui.domain.models import Category, WizardStep
from asin_tui.ui.app import make_app
from asin_tui.ui.screens.copied import CopiedScreen
from asin_tui.ui.screens.detail import DetailScreen
from tests.ui.conftest import settle
from tests.ui.fakes import FakeService, finding, make_records, progress_of

LINK = "https://sellercentral.amazon.com/hz/approvalrequest/restrictions/approve?asin=B0YC6TFVRN"


def approval_records():
    records = make_records(3)
    gated = replace(
        finding(codes.APPROVAL_REQUIRED, "Approval required", Category.RESTRICTION),
        detail=f"Restricted in condition New: You cannot list the product. Approval link: {LINK}",
        fix=f"Reactivation wizard → Policy compliance: request approval at {LINK} (needs a "
        "Seller Central login).",
        step=WizardStep.POLICY,
    )
    return [replace(records[0], findings=(gated,)), *records[1:]]


def screen_rows(app) -> list[str]:
    return ["".join(s.text for s in strip) for strip in app.screen._compositor.render_strips()]


async def test_an_approval_link_is_one_line_never_wrapped_and_c_copies_it_whole():
    service = FakeService(approval_records())
    app = make_app(lambda: service, case_labels_loader=progress_of)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        rows = screen_rows(app)
        at = [i for i, row in enumerate(rows) if "https://sellercentral.amazon.com/hz/" in row]
        assert len(at) == 1, "\n".join(rows)  # said once: the fix says "the link above"
        shown = rows[at[0]].strip()
        assert shown.endswith("…") and LINK.startswith(shown[:-1]), shown  # cut, visibly
        assert not any("asin=B0YC6TFVRN" in row for row in rows), "no wrapped remainder"
        words = " ".join(" ".join(rows).split())
        assert "request approval at the link above (needs a Seller Central login)" in words
        assert "(c copies the link whole)" in words
        await pilot.press("c")
        await settle(pilot)
        assert app.clipboard == LINK
        assert isinstance(app.screen, CopiedScreen)
        title = str(app.screen.query_one(".dialog-title").render())
        assert title.endswith("(OSC 52): the Seller Central link to request approval")
        assert app.screen.query_one(".dialog-title").region.height == 2  # wrapped, not cut
    app = make_app(lambda: FakeService(approval_records()), case_labels_loader=progress_of)
    async with app.run_test(size=(120, 40)) as pilot:  # room for it: whole
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert any(row.strip().startswith(LINK) for row in screen_rows(app)), screen_rows(app)
