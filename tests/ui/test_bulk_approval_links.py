"""The bulk action's approval links at 80 columns (session 9's leftover): the text was one
Static, so a link longer than the screen wrapped mid-link ("…approve?a" / "sin=B0…") and
neither reading nor selecting it gave the link. Each link is now a line of its own drawn
whole or cut with "…" (as the detail draws a finding's link), `c` copies the links whole,
and a link from SP-API stays data: no markup, no control character reaches the terminal."""

from __future__ import annotations

from dataclasses import replace

from asin_tui.domain import codes
from asin_tui.domain.causes import CauseKey
from asin_tui.domain.models import Evidence, RestrictionLink
from asin_tui.ui.app import make_app
from asin_tui.ui.screens.bulk_actions import BulkActionScreen
from tests.ui.conftest import settle
from tests.ui.fakes import FakeService, make_records, progress_of

BASE = "https://sellercentral.amazon.com/hz/approvalrequest/restrictions/approve"


def link_for(asin: str) -> str:
    return f"{BASE}?asin={asin}&itemcondition=new"


HOSTILE = "https://sellercentral.amazon.com/x[b]bold[/b]\x1b]52;c;aGk=\x07end"


class LongLinks(FakeService):
    def evidence(self, sku: str) -> Evidence:
        evidence = super().evidence(sku)
        restriction = evidence.restrictions[0]
        reason = restriction.reasons[0]
        own = RestrictionLink("Request approval", link_for(evidence.listing.asin or ""))
        links = (own, RestrictionLink("Odd", HOSTILE))
        return replace(
            evidence, restrictions=(replace(restriction, reasons=(replace(reason, links=links),)),)
        )


def screen_rows(app) -> list[str]:
    return ["".join(s.text for s in strip) for strip in app.screen._compositor.render_strips()]


async def test_approval_links_are_never_wrapped_mid_link_and_c_copies_them_whole():
    service = LongLinks(make_records(3))
    app = make_app(lambda: service, case_labels_loader=progress_of)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        skus = [r.sku for r in service.records]
        cause = CauseKey(codes.APPROVAL_REQUIRED, "Approval required")
        await app.push_screen(BulkActionScreen(service, cause, skus))
        await settle(pilot)
        rows = screen_rows(app)
        shown = "\n".join(rows)
        asins = [service.evidence(sku).listing.asin for sku in skus]
        at = [i for i, row in enumerate(rows) if "https://sellercentral.amazon.com/hz/" in row]
        assert len(at) == len(skus), shown  # a line each
        for index, asin in zip(at, asins, strict=True):
            # each link named by the ASIN it is for: at 80 columns they differ only past the
            # cut ("…approve?as…"), so unnamed they looked alike
            label, _, link_row = rows[index].strip().partition(": ")
            assert label == f"ASIN {asin}", rows[index]
            assert link_row.endswith("…") and link_for(asin).startswith(link_row[:-1]), link_row
        assert not any("itemcondition=new" in row for row in rows), "no wrapped remainder"
        # the hostile link: shown as text (escapes), on a line of its own, never raw
        assert "\x1b" not in shown and "\x07" not in shown
        assert any("x[b]bold[/b]\\x1b]52" in row for row in rows), shown
        assert any("SKUs: " + ", ".join(skus) in row for row in rows), shown
        assert "c copies the links whole" in " ".join(shown.split())
        await pilot.press("c")
        await settle(pilot)
        assert all(link_for(asin) in app.clipboard for asin in asins)  # whole
        assert "\x1b" not in app.clipboard and "\x07" not in app.clipboard
