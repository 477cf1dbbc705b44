"""What the bulk grid says to a seller walking it on the demo (session 8's walk): the title
counts listings in words, and s after the batch is sent says it was sent (it said "validate
first", as if nothing had been)."""

from __future__ import annotations

import pytest

from asin_tui.domain.bulk import QUANTITY, RowOutcome
from asin_tui.ui.screens.bulk import BulkScreen
from asin_tui.ui.widgets.bulk_grid import BulkGrid
from tests.ui.conftest import settle
from tests.ui.test_bulk_screen import (
    SIZE,
    choose,
    edit,
    open_bulk,
    open_causes,
    open_cell,
    open_out_of_stock_bulk,
    real_patches,
    started,
)
from tests.ui.test_wizard_demo import demo_app, press
from tests.ui.test_wizard_safety import request_log  # noqa: F401 (autouse: the log)


@pytest.mark.slow  # a demo app walk
async def test_a_cause_of_one_listing_is_titled_1_listing():
    async with demo_app().run_test(size=SIZE) as pilot:
        await started(pilot)
        causes = await open_causes(pilot)
        one = next(
            c.label for c in causes.causes if c.label.startswith("Missing: ") and c.count == 1
        )
        await choose(pilot, causes, one, key="b")
        await settle(pilot)
        bulk = pilot.app.screen
        assert isinstance(bulk, BulkScreen) and len(bulk.rows) == 1
        title = str(bulk.query_one("#bulk-title").render())
        assert f"{one} — 1 listing · values: " in title


@pytest.mark.slow  # a demo app walk
async def test_s_after_the_batch_was_sent_says_it_was_sent_and_sends_nothing_more():
    async with demo_app().run_test(size=SIZE) as pilot:
        _, bulk = await open_out_of_stock_bulk(pilot)
        await edit(pilot, bulk, 0, QUANTITY, "9")
        await press(pilot, "a", "p")
        await settle(pilot)
        assert all(r.result.outcome is RowOutcome.VALID for r in bulk.rows)
        await press(pilot, "s", "ctrl+s")
        await settle(pilot)
        sent = real_patches()
        assert len(sent) == len(bulk.rows)
        await press(pilot, "s")
        told = [n.message for n in pilot.app._notifications]
        assert f"Nothing left to send: {len(sent)} sent already" in told[-1]
        assert "validate first" not in told[-1]
        assert real_patches() == sent


@pytest.mark.slow  # a demo app walk
async def test_escape_with_values_not_validated_warns_once_then_leaves():
    async with demo_app().run_test(size=SIZE) as pilot:
        listing, bulk = await open_out_of_stock_bulk(pilot)
        await edit(pilot, bulk, 0, QUANTITY, "9")
        await press(pilot, "a")  # the same value for all: every row typed, none validated
        await press(pilot, "escape")
        assert pilot.app.screen is bulk, "one Escape must not drop the typed values"
        told = [n.message for n in pilot.app._notifications]
        assert f"{len(bulk.rows)} of {len(bulk.rows)} rows have values not validated" in told[-1]
        assert [r.values[QUANTITY] for r in bulk.rows] == ["9"] * len(bulk.rows)
        await press(pilot, "escape")
        assert pilot.app.screen is listing
        assert real_patches() == []


@pytest.mark.slow  # an app run for one word: kept out of the fast set
async def test_escape_with_one_row_typed_says_1_row_has_values():
    # the demo walk: "1 of 7 rows have values not validated or sent"
    from tests.ui.test_snapshots import account_app, bulk_grid

    app = account_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await bulk_grid("Out of stock")(pilot)
        bulk = app.screen
        assert isinstance(bulk, BulkScreen)
        grid = bulk.query_one(BulkGrid)
        grid.move_cursor(row=0, column=list(grid.columns).index(QUANTITY))
        await press(pilot, "enter", "1", "2", "enter")
        assert [r.values[QUANTITY] for r in bulk.rows[:2]] == ["12", ""]
        await press(pilot, "escape")
        assert app.screen is bulk
        told = str([n.message for n in app._notifications][-1])
        assert told.startswith(f"1 of {len(bulk.rows)} rows has values not validated"), told


def test_one_row_validated_is_1_row():
    # the demo walk: "1 rows validated: 1 VALID, 0 invalid — s sends the VALID ones"
    from asin_tui.bulk import RowResult
    from asin_tui.ui.screens.bulk import summary_text

    one = [RowResult("SKU-1", changes=["Set brand to Acme"], outcome=RowOutcome.VALID)]
    assert summary_text("validate", one).startswith("1 row validated: 1 VALID, 0 invalid")
    assert summary_text("validate", one * 2).startswith("2 rows validated: 2 VALID")


def test_rows_validated_that_change_nothing_are_not_said_to_be_sent():
    # the demo walk: the grid validated again after its batch was sent said '5 VALID … — s
    # sends the VALID ones', and s then said '5 VALID rows not sent: the listing holds
    # these values already'
    from asin_tui.bulk import RowResult
    from asin_tui.ui.screens.bulk import summary_text

    same = RowResult("SKU-1", changes=["Set quantity to 5 (was 5)"], outcome=RowOutcome.VALID)
    new = RowResult("SKU-2", changes=["Set quantity to 6 (was 5)"], outcome=RowOutcome.VALID)
    told = summary_text("validate", [same, same])
    assert told == "2 rows validated: 2 VALID (2 of them change nothing: not sent), 0 invalid"
    told = summary_text("validate", [same, new])
    assert told == (
        "2 rows validated: 2 VALID (1 of them changes nothing: not sent), 0 invalid"
        " — s sends the VALID ones"
    )


@pytest.mark.slow  # a demo app walk
async def test_a_bullet_point_cell_says_it_takes_one_value():
    # the demo walk: "a; b" typed in a bullet_point cell became one bullet point, and the
    # editor said only "bullet_point for BEDB-1864-WHT"
    from textual.widgets import Input

    async with demo_app().run_test(size=(80, 24)) as pilot:
        bulk = await open_bulk(pilot, "Missing: bullet_point")
        assert bulk.columns == ("bullet_point",)
        await open_cell(pilot, bulk, 0, "bullet_point")
        editor = bulk.query_one("#bulk-editor", Input)
        assert "one value (several, one a line: the wizard or a fix CSV)" in editor.placeholder


def test_the_cause_views_title_says_how_many_listings_the_causes_are_found_on():
    # the demo walk: "Causes — listings needing attention: 32 causes, 94 listings with one"
    # (with one what? it meant one of the causes); a listing with two causes counts once
    from asin_tui.domain.causes import CauseCount, CauseKey
    from asin_tui.ui.screens.causes import causes_title

    brand = CauseCount(CauseKey("MISSING_ATTRIBUTE", "Missing: brand"), [1, 2])
    color = CauseCount(CauseKey("MISSING_ATTRIBUTE", "Missing: color"), [2, 3])
    title = causes_title([brand, color], "listings needing attention")
    assert title == "Causes — listings needing attention: 2 causes, found on 3 listings"
    assert causes_title([brand], "every listing") == (
        "Causes — every listing: 1 cause, found on 2 listings"
    )


def test_the_send_confirmation_calls_not_valid_only_the_rows_amazon_refused():
    """s after a send, with one new value typed: the confirmation said "9 other rows are not
    valid and will not be sent" of the rows sent a minute before and of the ones typed as
    the listing holds them. Only a row Amazon's preview refused is "not valid"."""
    from asin_tui.bulk import RowResult
    from asin_tui.ui.screens.bulk import batch_confirmation, send_split

    patch = [{"op": "merge", "path": "/attributes/fulfillment_availability", "value": []}]

    def row(sku: str, change: str, *, preview: str = "VALID", outcome=RowOutcome.VALID):
        return RowResult(sku, patches=patch, changes=[change], preview=preview, outcome=outcome)

    new = row("NEW-1", "Set quantity to 12 (was 9)")
    results = [
        new,
        row("SAME-1", "Set quantity to 9 (was 9)"),  # typed as Amazon holds it
        row("SAME-2", "Set quantity to 9 (was 9)"),
        row("SENT-1", "Set quantity to 9 (was 0)", outcome=RowOutcome.FIXED),  # sent already
        row("BAD-1", "Set quantity to -1 (was 0)", preview="INVALID", outcome=RowOutcome.INVALID),
    ]
    send, same, not_valid = send_split(results)
    assert send == [new]
    assert (same, not_valid) == (2, 1)
    warning = batch_confirmation(send, not_valid, marketplace_id="ATVPDKIKX0DER").warning
    assert warning == "1 other row is not valid and will not be sent."
