"""A case draft's list items (its Markdown "- SKU: …", "- **99300** (ERROR) …") wrap under
their text, not at the left edge, in the bulk action screen and the wizard's Wrap-up."""

from __future__ import annotations

from textual.content import Content
from textual.style import Style
from textual.visual import RenderOptions

from asin_tui.ui.screens.bulk_actions import text_runs
from asin_tui.ui.widgets.bullets import HangingLines

DRAFT = (
    "Hello Seller Support, the listings below are not available for sale for one reason.\n"
    "\n"
    "- **99300** (ERROR) Product Detail Page Rules Violation (Inaccurate information on "
    "product detail page). — LISTING_SUPPRESSED, in force\n"
    "- [x] Corrected the title and bullet points against the style guide of the category\n"
    "1. Checked every image and the description against the product in the warehouse\n"
    "  - Amazon: 'color' is recommended for this product type but not supplied\n"
    "  https://sellercentral.amazon.com/abis/approve?asin=B0TEST0001&and=more-words-here"
)


def drawn(text: str, width: int) -> list[str]:
    """What the seller sees of each run, ``width`` cells wide (the indent of an indented
    run, its CSS padding, written as two spaces)."""
    lines: list[str] = []
    for classes, run in text_runs(text):
        pad = "  " if "indented" in classes.split() else ""
        inner = width - len(pad)
        options = RenderOptions(lambda _: Style(), {"text_wrap": "wrap"})
        if "link" in classes.split():
            lines += [pad + str(run)[: inner - 1] + "…"]  # drawn whole or cut (not wrapped)
            continue
        strips = run.render_strips(inner, None, Style(), options)
        lines += [pad + strip.text.rstrip() for strip in strips]
    return lines


def test_a_wrapped_list_item_goes_on_under_its_text_not_at_the_left_edge():
    # the demo walk: "- **99300** (ERROR) Product Detail Page Rules Violation (Inaccurate"
    # went on at the left edge: "information on product detail page). — …"
    assert drawn(DRAFT, 40) == [
        "Hello Seller Support, the listings below",  # a paragraph: as before
        "are not available for sale for one",
        "reason.",
        "",
        "- **99300** (ERROR) Product Detail Page",
        "  Rules Violation (Inaccurate",
        "  information on product detail page). —",
        "  LISTING_SUPPRESSED, in force",
        "- [x] Corrected the title and bullet",
        "      points against the style guide of",
        "      the category",
        "1. Checked every image and the",
        "   description against the product in",
        "   the warehouse",
        "  - Amazon: 'color' is recommended for",
        "    this product type but not supplied",
        "  https://sellercentral.amazon.com/abis…",  # a link: whole or cut, never wrapped
    ]


def test_the_text_is_shown_as_it_is_copied():
    """c copies the draft as written: the drawing adds no bullet and drops no marker."""
    shown = [line for _, run in text_runs(DRAFT) for line in str(run).split("\n")]
    assert shown == [line.removeprefix("  ") for line in DRAFT.split("\n")]
    # too narrow to hang: wrapped as a paragraph, nothing lost
    assert [c.plain for c in HangingLines([Content("- abc def")]).wrapped(8)] == ["- abc", "def"]
