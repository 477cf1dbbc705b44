"""Screens laid out again when the terminal's size changes, also under a dialog (the screens
skip Textual's second layout at a size they already have: screens.base.SizeKept)."""

from __future__ import annotations

from textual.geometry import Size

from asin_tui.ui.screens.help import HelpScreen
from asin_tui.ui.screens.list_screen import ListScreen
from asin_tui.ui.widgets.keys_footer import KeysFooter
from asin_tui.ui.widgets.listing_table import ListingTable
from tests.ui.conftest import settle


async def test_a_terminal_resized_under_a_dialog_resizes_the_dialog_and_the_list_below(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        listing = app.screen
        assert isinstance(listing, ListScreen)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        dialog = app.screen
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        # the dialog, and the list that shows through it, at the new size
        assert dialog.outer_size == listing.outer_size == Size(80, 24)
        table = listing.query_one(ListingTable).region
        assert 70 < table.right <= 80 and table.bottom <= 23  # over the footer's line
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is listing
        assert listing.query_one(KeysFooter).region.y == 23  # the bottom line
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert listing.outer_size == Size(120, 40)
        assert listing.query_one(KeysFooter).region.y == 39
