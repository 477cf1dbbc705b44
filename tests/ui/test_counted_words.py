"""A count and its noun agree: '1 listing', '2 listings', '1 other row is not valid' — in the
batch confirmation (the TUI's and `fix --apply`'s) and the list's bulk notice (a check of the
list's one-app run in test_list_screen)."""

from __future__ import annotations

import pytest

from asin_tui.bulk import RowResult
from asin_tui.domain.bulk import RowOutcome
from asin_tui.domain.models import State
from tests.ui.conftest import settle, wait_until

US_ID = "ATVPDKIKX0DER"


def _valid(count: int) -> list[RowResult]:
    return [
        RowResult(
            f"SKU-{n}",
            changes=["Set quantity to 5 (was 0)"],
            preview="VALID",
            outcome=RowOutcome.VALID,
        )
        for n in range(count)
    ]


@pytest.mark.parametrize(
    ("valid", "left", "listings", "rows"),
    [
        (1, 1, "1 listing", "1 other row is not valid and will not be sent."),
        (2, 3, "2 listings", "3 other rows are not valid and will not be sent."),
    ],
)
def test_the_batch_confirmation_counts_listings_and_rows_left_out_in_words(
    valid, left, listings, rows
):
    from asin_tui.commands.fix import confirmation_lines
    from asin_tui.ui.screens.bulk import batch_confirmation

    lines = confirmation_lines(_valid(valid), left, US_ID)
    assert lines[0].startswith(f"Send these changes to Amazon? {listings} in ")
    assert lines[-1] == rows
    confirmation = batch_confirmation(_valid(valid), left, marketplace_id=US_ID)
    assert confirmation.title == f"Send these changes to Amazon? {listings}"
    assert confirmation.warning == rows


async def b_on_listings_no_bulk_fix_covers_says_so_in_words(pilot) -> None:
    """b with no cause a bulk fix covers: 'This listing has …' for the one under the cursor,
    'The 2 marked listings share …' for marked ones (no 'listing(s)'). A check of the list's
    one-app run (test_list_screen: run_checks); it leaves the list as it found it."""
    await pilot.press("a")  # every listing: the active ones have no cause at all
    screen = pilot.app.screen
    await wait_until(pilot, lambda: any(r.state is State.ACTIVE for r in screen.view.shown()))
    active = [i for i, r in enumerate(screen.view.shown()) if r.state is State.ACTIVE]

    def told() -> list[str]:
        return [n.message for n in pilot.app._notifications if "no cause" in n.message]

    screen.table.cursor_row = active[0]
    await pilot.press("b")
    await wait_until(pilot, lambda: len(told()) == 1)
    assert told()[0].startswith("This listing has no cause a bulk fix or action covers")
    for row in active[:2]:
        screen.table.cursor_row = row
        await pilot.press("space")
    await pilot.press("b")
    await wait_until(pilot, lambda: len(told()) == 2)
    assert told()[1].startswith("The 2 marked listings share no cause a bulk fix")
    # what to do instead ("mark listings with one cause" read as any cause at all)
    assert told()[1].endswith(": mark listings that share one such cause (v lists the causes)")
    await pilot.press("u", "a")  # none marked, needs attention again
    await settle(pilot)
