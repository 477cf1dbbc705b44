"""The bulk send confirmation at 80x24 (session 8's walk): a batch's SKUs wrapped under
"SKUs:" at the dialog's edge, and its list of each listing had no line left to show a
listing (only its heading). The SKUs' lines now stay under the value, and at 80x24 a batch
of seven with a warning shows listing lines, the rest reached by scrolling. A change that
wraps goes on under its text, not under its bullet (session 9's leftover)."""

from __future__ import annotations

from asin_tui.bulk import RowResult
from asin_tui.domain.bulk import RowOutcome
from asin_tui.ui.screens.bulk import batch_confirmation
from asin_tui.ui.screens.confirm import SendConfirmScreen
from tests.ui.conftest import settle
from tests.ui.test_wizard_demo import press
from tests.ui.test_wizard_safety import US_ID, DialogHost

SKUS = ["TOY-6473-MLT", "72-I772-43RX", "AJ-INIX-4W6B", "LUGG-6687-BLK", "LV-9I40-7FLX"]
SKUS += ["TOY-2556-MLT", "TOY-4179-MLT"]


def screen_lines(app) -> list[str]:
    return ["".join(s.text for s in strip) for strip in app.screen._compositor.render_strips()]


async def test_a_batchs_skus_wrap_under_their_value_and_its_listings_have_room_at_80x24():
    valid = [
        RowResult(
            sku, changes=["Set quantity to 9 (was 0)"], preview="VALID", outcome=RowOutcome.VALID
        )
        for sku in SKUS
    ]
    blocked = {SKUS[0]: ["Restricted product policy"]}
    confirmation = batch_confirmation(valid, 0, marketplace_id=US_ID, blocked=blocked)
    answers: list = []
    async with DialogHost().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pilot.app.push_screen(SendConfirmScreen(confirmation), answers.append)
        await settle(pilot)
        lines = screen_lines(pilot.app)
        at = next(i for i, line in enumerate(lines) if "SKUs:" in line)
        column = lines[at].index(SKUS[0])
        wrapped = lines[at + 1]
        assert SKUS[3] in wrapped, "the SKUs take more than one line at 80 columns"
        assert wrapped.index(SKUS[3]) == column, "a wrapped SKU line stays under the value"
        shown = [sku for sku in SKUS if any(f"{sku}: Set quantity to 9" in ln for ln in lines)]
        assert len(shown) >= 3, "\n".join(lines)
        # the grouped change wraps at 80 columns: its second line goes on under its text,
        # not under the bullet (it read as a line of its own); four listings still show
        bullet = next(i for i, line in enumerate(lines) if "• Set quantity to 9 — 7" in line)
        text_at = lines[bullet].index("Set quantity to 9 — 7")
        assert lines[bullet + 1].index(f"{SKUS[2]} and 4 more (was 0)") == text_at, lines
        assert len(shown) >= 4, "\n".join(lines)
        assert any("↑ ↓" in line and "scroll" in line for line in lines), "how to see the rest"
        dialog = pilot.app.screen
        inside = dialog.query_one("#send-dialog").content_region
        for selector in ("#send-warning", ".hint", "#send-no", "#send-yes"):
            region = dialog.query_one(selector).region
            assert region.height > 0 and inside.contains_region(region), selector
        await press(pilot, "end")
        assert any(f"{SKUS[-1]}: Set quantity to 9" in ln for ln in screen_lines(pilot.app))
        await press(pilot, "escape")
        assert answers == [False]


async def test_a_batch_of_changes_one_a_listing_is_listed_once_not_twice():
    # the demo walk's 'No price' batch: five listings, five prices. Each grouped line
    # ('Set price to 12.50 USD — 1 listing: EP-… (was not set)') said what the listing's own
    # line under it said again: the batch twice in the dialog
    prices = ["83.71", "12.50", "78.46", "1,250.00", "198.90"]
    valid = [
        RowResult(
            sku,
            changes=[f"Set price to {p} USD (was not set)"],
            preview="VALID",
            outcome=RowOutcome.VALID,
        )
        for sku, p in zip(SKUS, prices, strict=False)
    ]
    confirmation = batch_confirmation(valid, 0, marketplace_id=US_ID)
    async with DialogHost().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pilot.app.push_screen(SendConfirmScreen(confirmation))
        await settle(pilot)
        shown = "\n".join(screen_lines(pilot.app))
        assert "• 5 changes, each made to one listing: listed below" in shown, shown
        for sku, price in zip(SKUS, prices, strict=False):
            assert shown.count(f"Set price to {price} USD") == 1, shown
            assert f"{sku}: Set price to {price} USD (was not set)" in shown
