"""Snapshots of the list, detail, welcome and help screens at 80×24 and 120×40.

Deterministic: the fake account's fixed rows and sync time, no cursor blink, no clock. One
app run gives both sizes (started at 80×24, resized to 120×40: at_both_sizes), except where the
keys' result depends on the width they were pressed at; the fake account's screens are one app
run (each_at_both_sizes).
Refresh with `pytest tests/ui --snapshot-update` after an intended change.
"""

from __future__ import annotations

import pytest

from asin_tui.ui.app import make_app
from tests.ui.conftest import at_both_sizes, each_at_both_sizes, settle
from tests.ui.fakes import AS_OF_NOW, FakeService, at_risk, progress_of


def account_app():
    return make_app(FakeService, case_labels_loader=progress_of, timing=AS_OF_NOW)


def after(*keys: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)

    return run_before


def test_list_account_at_risk(snap_compare):
    """The account banner above the counts, its policy counters cut to fit 80 columns."""

    def factory():
        service = FakeService()
        service.account = at_risk()
        return service

    app = make_app(factory, case_labels_loader=progress_of, timing=AS_OF_NOW)
    assert snap_compare(app, terminal_size=(80, 24), run_before=after())


async def test_welcome(snap_walk):
    await snap_walk(make_app(None), (80, 24), at_both_sizes(after()))


async def test_list_all_partial(snap_walk):
    """`a` before any full sync: the notice says it is partial and offers F."""

    def factory():
        service = FakeService()
        service.full_sync_at = None
        service.account_total = 250
        return service

    app = make_app(factory, case_labels_loader=progress_of, sync_on_start=False, timing=AS_OF_NOW)
    await snap_walk(app, (80, 24), at_both_sizes(after("a")))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_list_columns_scrolled(snap_compare, size):
    """→ twice: the pinned columns stay, ← and → mark what is hidden either side. Started at
    each size: what two → hide depends on the width they were pressed at."""
    assert snap_compare(account_app(), terminal_size=size, run_before=after("right", "right"))


def bulk_grid(cause: str, *values: tuple[int, str, str]):
    """The cause view, ``cause`` highlighted, `b`; then each (row, column, text) typed into
    the grid and filled down."""

    async def run_before(pilot) -> None:
        from textual.widgets import OptionList

        from asin_tui.ui.widgets.bulk_grid import BulkGrid

        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        causes = pilot.app.screen
        causes.query_one(OptionList).highlighted = next(
            i for i, c in enumerate(causes.causes) if c.label == cause
        )
        await pilot.press("b")
        await settle(pilot)
        grid = pilot.app.screen.query_one(BulkGrid)
        for row, column, text in values:
            grid.move_cursor(row=row, column=list(grid.columns).index(column))
            await pilot.press("enter", *text, "enter", "d")
            await settle(pilot)
        grid.move_cursor(row=0, column=list(grid.columns).index(values[0][1]) if values else 0)
        await settle(pilot)

    return run_before


async def test_the_list_filtered_a_detail_help_the_cause_view_and_a_bulk_grid(snap_walk):
    """The fake account's screens, each at 80x24 and 120x40, on one app: the list; the list
    filtered (`/mug`); the second row's detail; help; `v`, the causes across the list with
    their counts, most listings first; the bulk wizard for the out-of-stock listings, a
    quantity typed and filled down, each row's local check in the Answer column."""
    bulk = bulk_grid("Out of stock", (0, "quantity", "12"), (0, "handling_time", "2"))
    states = each_at_both_sizes(
        ("list", after(), ()),
        ("list_filtered", after("slash", *"mug"), ("escape",)),  # the filter cleared
        ("detail", after("j", "enter"), ("escape", "k")),  # the cursor back on the first row
        ("help", after("question_mark"), ("escape",)),
        ("cause_view", after("v"), ("escape",)),
        ("bulk_grid", bulk, ()),
    )
    await snap_walk(account_app(), (80, 24), states)
