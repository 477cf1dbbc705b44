"""The wizard's Policy step draws a case's approval link as the detail draws a finding's
(session 10's walk: it wrapped mid-link, "…approve?a" / "sin=B0…", and had no copy key): on a
line of its own, whole or cut with "…", and "(c copies the link whole)" under a link c copies
(a plain Seller Central https link, the detail's rule). Pure: the lines, no app run."""

from __future__ import annotations

from asin_tui.ui import evidence_text

SITE = "https://sellercentral.amazon.com"
LINK = f"{SITE}/hz/approvalrequest/restrictions/approve?asin=B0MUG00001"


def test_a_case_link_is_a_line_of_its_own_with_the_copy_hint():
    lines = evidence_text.case_lines(
        f"You cannot list the product. Approval link: {LINK}", [], SITE
    )
    runs = evidence_text.line_runs(lines)
    assert ("indented link", LINK) in [(c, content.plain) for c, content in runs]
    assert "approve?asin" not in runs[0][1].plain  # not in the sentence, to be wrapped there
    assert evidence_text.copied_link(lines, SITE) == LINK
    assert lines[-1].plain.strip() == evidence_text.NOTE_COPY_HINT


def test_a_link_elsewhere_is_drawn_apart_but_not_offered_to_copy():
    elsewhere = "https://sellercentral.amazon.com.evil.example/approve?asin=B0MUG00001"
    lines = evidence_text.case_lines("Approval needed.", [("Request approval", elsewhere)], SITE)
    assert [ln.plain for ln in lines] == ["Approval needed.", f"  Request approval: {elsewhere}"]
    assert evidence_text.copied_link(lines, SITE) is None
