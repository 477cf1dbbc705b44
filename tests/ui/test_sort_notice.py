"""Sorting the list (s, S) tells the column once: each press replaced the last "Sorted by …"
notice, where it used to add one (session 10's walk: three quick presses stacked three
toasts over the rows). A bare App, not the list (its run costs seconds): the notices it
holds are the ones drawn."""

from __future__ import annotations

from types import SimpleNamespace

from textual.app import App

from asin_tui.ui.listing_view import COLUMN_KEYS, column
from asin_tui.ui.screens.list_screen import ListScreen


async def test_each_sort_replaces_the_last_sorted_by_notice():
    app: App[None] = App()
    async with app.run_test(size=(80, 24)) as pilot:
        view = SimpleNamespace(sort_column="", reverse=False)
        screen = SimpleNamespace(app=app, _sort_notice=None, view=view)
        app.notify("Sync failed: Amazon did not answer")  # another notice: kept
        for key in COLUMN_KEYS[:3]:
            screen.view.sort_column = key
            ListScreen._tell_sort(screen)  # type: ignore[arg-type]
            await pilot.pause()
        shown = [n.message for n in app._notifications]
        last = column(COLUMN_KEYS[2]).header
        assert shown == ["Sync failed: Amazon did not answer", f"Sorted by {last}"]
        view.reverse = True  # S: the notice says the order is the other way (it read the same)
        ListScreen._tell_sort(screen)  # type: ignore[arg-type]
        await pilot.pause()
        assert [n.message for n in app._notifications][-1] == f"Sorted by {last}, reversed"
