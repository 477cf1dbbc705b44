"""Lines that broke inside a unit (session 10's walk at 80 columns: "… → Wrap" / "up", the
Help legend's "!" / "needs action", the detail's "Condition Used –" / "Good") and lists that
wrapped to the left edge (a long Listing fields value, a long Wrap up choice). Textual 8
breaks a line at any space, NBSP included (textual/_wrap.py: ``\\S+\\s*``, and Python's ``\\s``
takes U+00A0), so these are drawn by HangingLines, which keeps an NBSP and hangs a list's
wrapped lines under its text. Pure: the lines as drawn at each width, no app run."""

from __future__ import annotations

from textual._wrap import compute_wrap_offsets
from textual.content import Content

from asin_tui.domain.evidence import (
    AttributeSpec,
    Evidence,
    Listing,
    ProductTypeRequirements,
)
from asin_tui.domain.models import WizardStep
from asin_tui.domain.outcomes import OutcomeKind, OutcomeOption
from asin_tui.ui import evidence_text
from asin_tui.ui.widgets.bullets import NBSP, HangingLines, nonbreaking
from asin_tui.ui.widgets.wizard_stepper import LEGEND
from asin_tui.ui.widgets.wizard_steps import option_text, steps_that_apply
from tests.ui.fakes import make_records


def drawn(visual: HangingLines, width: int) -> list[str]:
    return [line.plain for line in visual.wrapped(width)]


def test_textual_itself_breaks_at_an_nbsp():
    # why the joins are drawn by HangingLines: were this to change, a Static would do
    assert compute_wrap_offsets(f"Steps: Wrap{NBSP}up", 12, 4) == [len(f"Steps: Wrap{NBSP}")]


def test_a_steps_name_is_never_broken():
    steps = [s for s in WizardStep if s is not WizardStep.OVERVIEW]
    for width in range(24, 100):
        lines = drawn(steps_that_apply(steps), width)
        assert not any(line.rstrip().endswith(("Wrap", "Policy", "Listing")) for line in lines)
        assert all(NBSP not in line for line in lines), "drawn as a plain space"
        said = f"Steps that apply: {' → '.join(s.label for s in steps)}"
        assert " ".join(lines).split() == said.split()


def test_the_help_legends_marks_stay_with_their_words():
    units = ["✓ passed", "+ ready:", "! needs action", "– not applicable", "· pending"]
    for width in range(30, 140):
        lines = drawn(HangingLines([Content(LEGEND)]), width)
        for unit in units:
            assert any(unit in line for line in lines), (width, unit, lines)


def test_a_long_wrap_up_choice_hangs_under_its_text_not_its_star():
    option = OutcomeOption(
        OutcomeKind.WAITING,
        "Waiting on Amazon",
        "Waiting for Amazon to review the appeal you sent; re-checked on every sync",
        recommended=True,
    )
    first, *rest = drawn(option_text(option), 40)
    assert first.startswith("★ Waiting") and rest
    assert all(line.startswith("  ") and line[2] != " " for line in rest), rest
    plain = OutcomeOption(OutcomeKind.LEAVE_INACTIVE, "Won't fix", option.detail)
    assert all(line.startswith("  ") for line in drawn(option_text(plain), 40))


def test_a_long_listing_field_value_hangs_under_its_name():
    record = make_records(1)[0]
    long = "A bamboo board that is long enough to wrap at eighty columns " * 2
    listing = Listing(
        sku=record.sku,
        marketplace_id=record.marketplace_id,
        attributes={"item_name": [{"value": long}]},
    )
    spec = AttributeSpec("item_name", title="Item name", required=True)
    requirements = ProductTypeRequirements(
        "HOME", record.marketplace_id, "Home", attributes={"item_name": spec}
    )
    lines = evidence_text.listing_fields(Evidence(listing=listing, requirements=requirements))
    ((classes, run),) = evidence_text.line_runs(lines)
    shown = evidence_text.drawn_run(classes, run)
    assert isinstance(shown, HangingLines)
    first, second, *more = drawn(shown, 60)
    assert first.startswith("Required by Home")
    assert second.startswith("✔ present  item_name") and more
    assert all(line.startswith(" " * 11) and line[11] != " " for line in more), more


def test_nonbreaking_joins_every_space():
    assert nonbreaking("Used – Good") == f"Used{NBSP}–{NBSP}Good"
