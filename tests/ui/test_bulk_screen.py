"""Issue 13 in the TUI, on the demo (the real app over the in-process sandbox): the cause view
counts what the findings say and narrows the list, marking, and the bulk wizard — a grid
filled down, validated with Amazon, and only the VALID rows sent after the one ctrl+s
confirmation (read from the sandbox's request log), nothing at all after Escape."""

from __future__ import annotations

import contextlib
import os
import threading
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from textual import events
from textual.widgets import Input

from asin_tui.domain import codes
from asin_tui.domain.bulk import QUANTITY, RowOutcome
from asin_tui.domain.causes import finding_causes
from asin_tui.ui.screens.bulk import BulkScreen
from asin_tui.ui.screens.causes import CauseList, CauseScreen
from asin_tui.ui.screens.confirm import SendConfirmScreen
from asin_tui.ui.screens.list_screen import ListScreen
from asin_tui.ui.widgets.bulk_grid import BulkGrid
from asin_tui.ui.widgets.filter_input import FilterInput
from tests.ui.conftest import settle
from tests.ui.test_wizard_demo import demo_app, open_wizard, press
from tests.ui.test_wizard_safety import PATCHES, request_log  # noqa: F401 (autouse: the log)

SIZE = (120, 40)


def real_patches() -> list[str]:
    return sorted(path.rsplit("/", 1)[1] for path, preview in PATCHES if not preview)


async def started(pilot) -> ListScreen:
    await settle(pilot)
    await settle(pilot)  # the sync's CacheLoaded → the rows
    screen = pilot.app.screen
    assert isinstance(screen, ListScreen) and screen.rows_complete
    return screen


async def open_causes(pilot) -> CauseScreen:
    await press(pilot, "v")
    screen = pilot.app.screen
    assert isinstance(screen, CauseScreen)
    return screen


async def choose(pilot, causes: CauseScreen, label: str, key: str = "enter") -> None:
    index = next(i for i, c in enumerate(causes.causes) if c.label == label)
    causes.query_one(CauseList).highlighted = index
    await press(pilot, key)


@pytest.mark.slow  # a demo app walk
async def test_cause_view_counts_equal_the_findings_and_enter_shows_that_cause():
    async with demo_app().run_test(size=SIZE) as pilot:
        listing = await started(pilot)
        records = listing.view.records
        # what the findings say, counted here by hand: listings per cause
        expected: Counter[str] = Counter()
        for record in records:
            expected.update({k.label for f in record.findings for k in finding_causes(f)})
        causes = await open_causes(pilot)
        shown = {c.label: c.count for c in causes.causes}
        assert shown == dict(expected)
        assert [c.count for c in causes.causes] == sorted(shown.values(), reverse=True)
        out_of_stock = sum(1 for r in records if r.findings and r.main_code == "OUT_OF_STOCK_MFN")
        assert shown["Out of stock"] >= out_of_stock > 0
        assert shown["Missing: brand"] == sum(
            1
            for r in records
            if any(
                f.code == codes.MISSING_ATTRIBUTE and "brand" in f.attributes for f in r.findings
            )
        )
        await choose(pilot, causes, "Missing: brand")
        assert pilot.app.screen is listing
        shown_skus = {r.sku for r in listing.view.shown()}
        assert len(shown_skus) == shown["Missing: brand"]
        assert all(any("brand" in f.attributes for f in r.findings) for r in listing.view.shown())
        counts = str(listing.query_one("#counts").render())
        assert "cause: Missing: brand" in counts
        await press(pilot, "escape")  # back to every listing
        assert len(listing.view.shown()) == len(records)


@pytest.mark.slow  # a demo app walk
async def test_marking_space_star_and_u_with_the_count_shown():
    async with demo_app().run_test(size=SIZE) as pilot:
        listing = await started(pilot)
        first, second = listing.view.shown()[:2]
        await press(pilot, "space")  # marks the row and moves on
        assert listing.view.marked == {first.sku}
        assert listing.table.current.sku == second.sku
        assert "✓ 1 marked" in str(listing.query_one("#counts").render())
        assert "✓" in listing.table.render_line(1).text  # a character: readable with NO_COLOR
        await press(pilot, "space")
        await press(pilot, "up", "up", "space")  # unmark the first again
        assert listing.view.marked == {second.sku}
        await pilot.press("slash")
        listing.query_one(FilterInput).value = "TOY-"
        await press(pilot, "enter")
        toys = {r.sku for r in listing.view.shown()}
        assert toys and all(
            "toy-" in r.sku.lower() or "toy-" in r.title.lower() for r in listing.view.shown()
        )
        await press(pilot, "asterisk")  # every listing shown, after the filter
        assert listing.view.marked == toys | {second.sku}
        assert f"✓ {len(toys | {second.sku})} marked" in str(listing.query_one("#counts").render())
        await press(pilot, "u")
        assert listing.view.marked == set()
        assert "marked" not in str(listing.query_one("#counts").render())


async def by_cause(pilot, label: str):
    """The screen `b` opens on the cause called ``label`` in the cause view."""
    causes = await open_causes(pilot)
    await choose(pilot, causes, label, key="b")
    await settle(pilot)
    return pilot.app.screen


async def open_out_of_stock_bulk(pilot) -> tuple[ListScreen, BulkScreen]:
    listing = await started(pilot)
    bulk = await by_cause(pilot, "Out of stock")
    assert isinstance(bulk, BulkScreen) and bulk.columns == ("quantity", "handling_time")
    return listing, bulk


async def open_bulk(pilot, label: str) -> BulkScreen:
    """The bulk grid of the cause called ``label`` (the cause view, then `b`)."""
    await started(pilot)
    bulk = await by_cause(pilot, label)
    assert isinstance(bulk, BulkScreen)
    return bulk


async def open_cell(pilot, bulk: BulkScreen, row: int, column: str) -> None:
    """Enter on the cell of ``row`` and ``column``: its editor (or drop-down) opens."""
    grid = bulk.query_one(BulkGrid)
    grid.move_cursor(row=row, column=list(grid.columns).index(column))
    await press(pilot, "enter")


def grid_text(bulk: BulkScreen) -> str:
    grid = bulk.query_one(BulkGrid)
    return "\n".join(" ".join(str(c) for c in grid.get_row_at(i)) for i in range(grid.row_count))


async def edit(pilot, bulk: BulkScreen, row: int, column: str, text: str) -> None:
    grid = bulk.query_one(BulkGrid)
    grid.move_cursor(row=row, column=list(grid.columns).index(column))
    await press(pilot, "enter")
    editor = bulk.query_one("#bulk-editor", Input)
    assert bulk.focused is editor
    await pilot.press(*text) if text else None
    await press(pilot, "enter")


@pytest.mark.slow  # a demo app walk
async def test_fill_down_then_validate_then_ctrl_s_sends_only_the_valid_rows():
    async with demo_app().run_test(size=SIZE) as pilot:
        _, bulk = await open_out_of_stock_bulk(pilot)
        rows = bulk.rows
        assert len(rows) >= 4
        assert all(r.cells[QUANTITY].now == "0" for r in rows)
        status = bulk.query_one("#bulk-status")
        # the handling time filled in as it is now changes nothing: no row is counted yet
        assert "No row changes a value yet" in str(status.render())
        await edit(pilot, bulk, 0, QUANTITY, "25")
        assert f"1 of {len(rows)} rows change a value" in str(status.render())
        await press(pilot, "d")  # fill down: every row below gets 25
        assert [r.values[QUANTITY] for r in rows] == ["25"] * len(rows)
        await edit(pilot, bulk, 1, QUANTITY, "0")  # 0 keeps it out of stock: invalid
        await edit(pilot, bulk, 2, QUANTITY, "lots")  # the schema refuses it
        assert grid_text(bulk).count("✗") == 2
        await press(pilot, "p")
        await settle(pilot)
        outcomes = [r.result.outcome for r in rows]
        assert outcomes[1] is RowOutcome.INVALID and outcomes[2] is RowOutcome.INVALID
        valid = sorted(r.sku for r in rows if r.result.outcome is RowOutcome.VALID)
        assert len(valid) == len(rows) - 2
        assert real_patches() == [], "validation writes nothing"
        assert "VALID: Set quantity to 25 (was 0)" in grid_text(bulk)
        await press(pilot, "s")
        dialog = pilot.app.screen
        assert isinstance(dialog, SendConfirmScreen)
        shown = " ".join(str(s.render()) for s in dialog.query("Static"))
        assert f"{len(valid)} listings" in str(dialog.query_one(".dialog-title").render())
        assert valid[0] in shown and rows[1].sku not in shown
        await press(pilot, "y", "s", "enter")  # Enter on the default: No
        assert pilot.app.screen is bulk and real_patches() == []
        await press(pilot, "s", "ctrl+s")
        await settle(pilot)
        assert real_patches() == valid
        sent = [r for r in rows if r.sku in valid]
        assert all(r.result.submitted for r in sent)
        # re-read after Amazon processed them: back on sale, or another cause left (said)
        applied = (RowOutcome.FIXED, RowOutcome.NOT_FIXED)
        assert all(r.result.outcome in applied for r in sent)
        assert any(r.result.outcome is RowOutcome.FIXED for r in sent)
        fixed = sum(1 for r in sent if r.result.outcome is RowOutcome.FIXED)
        status = str(bulk.query_one("#bulk-status").render())
        assert f"Done: {len(valid)} sent — {fixed} fixed, 0 waiting on Amazon" in status
        assert "2 invalid" in status
        # back in the list, its rows are read again: the listings fixed are no longer in it
        fixed_skus = {r.sku for r in sent if r.result.outcome is RowOutcome.FIXED}
        await press(pilot, "escape")
        await settle(pilot)
        listing = pilot.app.screen
        assert isinstance(listing, ListScreen)
        assert fixed_skus and fixed_skus.isdisjoint(r.sku for r in listing.view.records)


async def test_escape_at_the_confirmation_sends_nothing():
    async with demo_app().run_test(size=SIZE) as pilot:
        _, bulk = await open_out_of_stock_bulk(pilot)
        await edit(pilot, bulk, 0, QUANTITY, "9")
        await press(pilot, "a")  # the same value for all
        assert {r.values[QUANTITY] for r in bulk.rows} == {"9"}
        await press(pilot, "p")
        await settle(pilot)
        assert all(r.result.outcome is RowOutcome.VALID for r in bulk.rows)
        await press(pilot, "s")
        assert isinstance(pilot.app.screen, SendConfirmScreen)
        await press(pilot, "escape")
        assert pilot.app.screen is bulk
        await settle(pilot)
        assert real_patches() == []
        assert all(r.result.outcome is RowOutcome.VALID for r in bulk.rows)


@pytest.mark.slow  # a demo app walk
async def test_marked_listings_open_the_bulk_grid_for_their_shared_cause():
    async with demo_app().run_test(size=SIZE) as pilot:
        listing = await started(pilot)
        causes = await open_causes(pilot)
        await choose(pilot, causes, "Missing: brand")
        await press(pilot, "asterisk", "b")
        await settle(pilot)
        bulk = pilot.app.screen
        assert isinstance(bulk, BulkScreen)
        assert bulk.columns == ("brand",)
        assert sorted(r.sku for r in bulk.rows) == sorted(listing.view.marked)
        await press(pilot, "escape")
        assert pilot.app.screen is listing


def test_bulk_action_texts_count_listings_in_words():
    """'TravelPro · LUGGAGE — 1 listing' (it said '1 listings' on the demo)."""
    from asin_tui.domain.causes import ApprovalGroup
    from asin_tui.ui.screens.bulk_actions import approvals_text, removal_text

    text = approvals_text(
        [
            ApprovalGroup("Crocs", "SHOES", ["https://a"], ["A", "B"]),
            ApprovalGroup("T", "L", [], ["C"]),
        ]
    )
    assert "Crocs · SHOES — 2 listings\n" in text and text.count("— 1 listing\n") == 1
    row = ("SKU-1", "B0", "X0", "new", 2, 0)
    assert removal_text([row], 3).startswith("1 of 3 listings has FBA units to remove:")
    assert removal_text([row, row], 2).startswith("2 of 2 listings have FBA units")
    assert removal_text([], 1).startswith("None of the 1 listing has FBA units")


def test_the_removal_list_says_a_listing_put_back_on_sale_sells_its_units_again():
    # walking the demo: "Stranded FBA stock — 21 listings · removal list" listed every
    # stranded unit to remove, where the wizard tells a listing held back by another problem
    # to wait for its fix (its units sell again); a removal order is not undone
    from asin_tui.ui.screens.bulk_actions import removal_text

    said = " ".join(removal_text([("SKU-1", "B0", "X0", "new", 2, 0)], 3).split())
    assert "a listing put back on sale sells its units again" in said
    assert "remove only the stock of the listings you will not fix" in said


@pytest.mark.slow  # a demo app walk
async def test_causes_no_patch_fixes_get_their_bulk_action(tmp_path, monkeypatch):
    """Approval links grouped by brand and product type; one case draft for every listing of
    a policy cause (0600); the removal-order list of stranded FBA stock as a CSV (0600,
    formulas defused) — and nothing sent to Amazon."""
    import csv
    import stat

    from asin_tui.store import paths
    from asin_tui.ui.screens.bulk_actions import BulkActionScreen

    monkeypatch.chdir(tmp_path)
    async with demo_app().run_test(size=SIZE) as pilot:
        listing = await started(pilot)
        labels = {c.label: c for c in (await open_causes(pilot)).causes}
        await press(pilot, "escape")

        async def action(label: str) -> BulkActionScreen:
            screen = await by_cause(pilot, label)
            assert isinstance(screen, BulkActionScreen)
            return screen

        approvals = await action("Approval required")
        skus = [listing.view.records[i].sku for i in labels["Approval required"].rows]
        assert all(sku in approvals.text for sku in skus)
        assert "— " in approvals.text and "listings" in approvals.text
        await press(pilot, "escape")

        policy = next(k for k in labels if k == "Compliance documents required")
        draft = await action(policy)
        count = labels[policy].count
        assert draft.text.startswith(f"# Seller Support case draft: {count} listings")
        assert draft.text.count("## Listing ") == count
        await press(pilot, "w")
        (written,) = (paths.config_dir() / "cases").glob("*.md")
        assert written.read_text(encoding="utf-8") == draft.text
        assert stat.S_IMODE(written.stat().st_mode) == 0o600
        await press(pilot, "escape")

        removal = await action("Stranded FBA stock")
        await press(pilot, "w")
        (path,) = tmp_path.glob("asin-tui-removals-*.csv")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        with path.open(newline="") as handle:
            rows = list(csv.reader(handle))
        assert rows[0][:3] == ["sku", "asin", "fnsku"]
        stranded = {listing.view.records[i].sku for i in labels["Stranded FBA stock"].rows}
        assert rows[1:] and {r[0] for r in rows[1:]} <= stranded
        assert all(int(r[4]) + int(r[5]) > 0 for r in rows[1:])
        assert removal.rows
    assert real_patches() == [] and not [p for p in PATCHES if p[1]]


@pytest.mark.slow  # a demo app walk
@pytest.mark.parametrize(("age_minutes", "sent"), [(60, True), (2, False)])
async def test_an_unfinished_batch_is_offered_and_resumed_without_sending_twice(age_minutes, sent):
    """A submit saved as SUBMITTING with no answer (the batch was killed between the call
    and the save): the grid says so and R resumes it after the same confirmation — the
    listing is re-read first; one that never showed the change and is older than Amazon's
    processing window is sent once, a recent one is held, not sent again."""
    from datetime import UTC, datetime, timedelta

    from asin_tui.bulk import BulkFix, BulkRow
    from asin_tui.store.cases import SUBMITTING, CaseStore, PatchMode, PatchRecord

    async with demo_app().run_test(size=SIZE) as pilot:
        await started(pilot)
        service = pilot.app.service
        causes = await open_causes(pilot)
        stock = next(c for c in causes.causes if c.label == "Out of stock")
        sku = causes.app.screen_stack[-2].view.records[stock.rows[0]].sku
        patches = BulkFix(service).check(BulkRow(sku, {QUANTITY: "5"})).patches
        store = CaseStore(service.profile_name, service.marketplace_id)
        when = datetime.now(UTC) - timedelta(minutes=age_minutes)
        record = PatchRecord(when, PatchMode.REAL, patches, SUBMITTING)
        store.update(sku, lambda progress: progress.patches.append(record))
        await choose(pilot, causes, "Out of stock", key="b")
        await settle(pilot)
        bulk = pilot.app.screen
        assert isinstance(bulk, BulkScreen)
        notice = str(bulk.query_one("#bulk-notice").render())
        assert "left 1 of these listings sent without Amazon's answer" in notice
        await press(pilot, "R")
        dialog = pilot.app.screen
        assert isinstance(dialog, SendConfirmScreen)
        assert sku in " ".join(str(s.render()) for s in dialog.query("Static"))
        await press(pilot, "ctrl+s")
        await settle(pilot)
        (row,) = [r for r in bulk.rows if r.sku == sku]
        if sent:
            assert real_patches() == [sku]
            assert row.result.submitted
        else:
            assert real_patches() == []
            assert row.result.outcome is RowOutcome.HELD
        assert "R resumes" not in str(bulk.query_one("#bulk-notice").render())


@pytest.mark.slow  # a demo app walk
async def test_an_attribute_column_is_typed_from_its_schema():
    """An attribute the schema gives allowed values for is picked from the wizard's
    drop-down, opened on the cell: its options are the schema's values, letters search it and
    never fire the screen's keys (p validates, s submits), Escape leaves the cell as it was,
    Enter takes the highlighted value (checked at once). A value outside them, pasted, is
    refused at once, before Amazon is asked. (Issue 13: "typed from its product type schema
    as in the single wizard" — the cell was a free Input naming the values before.)"""
    from textual.widgets._select import SelectOverlay

    from asin_tui.ui.screens.bulk import CellChoice

    async with demo_app().run_test(size=SIZE) as pilot:
        bulk = await open_bulk(pilot, "Missing: country_of_origin")
        assert isinstance(bulk, BulkScreen) and bulk.columns == ("country_of_origin",)
        choices = bulk.rows[0].cells["country_of_origin"].choices
        assert choices, "country_of_origin is an enum in the demo's schema"
        await open_cell(pilot, bulk, 0, "country_of_origin")
        grid = bulk.query_one(BulkGrid)
        picker = bulk.query_one(CellChoice)
        overlay = picker.query_one(SelectOverlay)
        assert picker.display and picker.expanded and bulk.focused is overlay
        assert [value for _, value in picker._options[1:]] == list(choices)  # after "Choose…"
        assert not bulk.query_one("#bulk-editor", Input).display
        await press(pilot, "p", "s")  # letters search the list: no validation, no submit
        assert pilot.app.screen is bulk and not bulk.busy and PATCHES == []
        await press(pilot, "escape")  # the cell stays as it was
        assert not picker.display and bulk.focused is grid
        assert bulk.rows[0].values["country_of_origin"] == ""
        await press(pilot, "enter")
        await press(pilot, *choices[-1][:2].lower())
        highlighted = picker._options[overlay.highlighted][1]
        assert highlighted in choices
        await press(pilot, "enter")
        await settle(pilot)
        assert bulk.rows[0].values["country_of_origin"] == highlighted
        assert not picker.display and bulk.focused is grid
        assert bulk.rows[0].answer.startswith("ok: ")
        await press(pilot, "enter")
        overlay.post_message(events.Paste("Atlantis"))  # pasted: taken as typed, refused
        await settle(pilot)
        assert bulk.rows[0].values["country_of_origin"] == "Atlantis"
        assert bulk.rows[0].answer.startswith("✗ country_of_origin:")
        assert real_patches() == [] and PATCHES == []


@pytest.mark.slow  # a demo app walk
async def test_price_hints_are_shown_and_taken_only_on_h():
    """The nearest allowed price of each listing is a hint: shown, not a value, until `h`;
    then Amazon validates the prices."""
    async with demo_app().run_test(size=SIZE) as pilot:
        await started(pilot)
        causes = await open_causes(pilot)
        await choose(pilot, causes, "Price below min", key="b")
        await settle(pilot)
        bulk = pilot.app.screen
        assert isinstance(bulk, BulkScreen) and bulk.columns == ("price",)
        hints = [r.cells["price"].hint for r in bulk.rows]
        assert all(hints) and all(not r.values["price"] for r in bulk.rows)
        assert f"(hint {hints[0]})" in grid_text(bulk)
        await press(pilot, "p")  # nothing typed: nothing to validate, nothing sent
        assert PATCHES == []
        await press(pilot, "h")
        assert [r.values["price"] for r in bulk.rows] == hints
        await press(pilot, "p")
        await settle(pilot)
        assert all(r.result.outcome is RowOutcome.VALID for r in bulk.rows)
        assert real_patches() == []


@pytest.mark.slow  # a demo app walk
async def test_values_load_from_a_fix_csv(tmp_path, monkeypatch):
    """`l` reads a CSV in `asin-tui fix`'s format (its reader: BOM, CRLF, defused cells):
    the batch's SKUs get their values, the file's other SKUs and columns are named."""
    monkeypatch.chdir(tmp_path)  # the paths are typed key by key: short ones, from here
    async with demo_app().run_test(size=SIZE) as pilot:
        _, bulk = await open_out_of_stock_bulk(pilot)
        first, second = bulk.rows[0].sku, bulk.rows[1].sku
        path = tmp_path / "values.csv"
        path.write_bytes(
            (
                "\ufeffsku,quantity,handling_time,brand\r\n"
                f"{first},7,3,\r\n{second},11,,\r\nNOT-IN-BATCH,1,,\r\n"
            ).encode()
        )
        await press(pilot, "l")
        editor = bulk.query_one("#bulk-editor", Input)
        assert bulk.focused is editor
        await pilot.press(*path.name, "enter")
        await settle(pilot)
        assert bulk.rows[0].values == {"quantity": "7", "handling_time": "3"}
        assert bulk.rows[1].values["quantity"] == "11"
        assert bulk.rows[0].answer.startswith("ok: Set quantity to 7 (was 0)")
        told = [n.message for n in pilot.app._notifications]
        assert any(
            "2 rows filled" in m and "1 SKU of the file is not in" in m and "brand" in m
            for m in told
        )
        bad = tmp_path / "bad.csv"
        bad.write_text("quantity\n3\n")
        await press(pilot, "l")
        await pilot.press(*bad.name, "enter")
        await settle(pilot)
        assert any("no 'sku' column" in n.message for n in pilot.app._notifications)
        # a header of any length and width: the notice names five columns, each cut
        wide = tmp_path / "wide.csv"
        extra = [f"col{i}-" + "x" * 10_000 for i in range(8)]
        wide.write_text("sku,quantity," + ",".join(extra) + f"\n{first},7" + "," * 8 + "\n")
        await press(pilot, "l")
        await pilot.press(*wide.name, "enter")
        await settle(pilot)
        (notice,) = [n.message for n in pilot.app._notifications if "col0-" in n.message]
        assert "col4-" in notice and "col5-" not in notice and notice.endswith(" and 3 more")
        assert len(notice) < 400 and "1 row filled" in notice
        assert PATCHES == []


@pytest.mark.slow  # a demo app walk
async def test_a_fifo_or_an_oversized_file_typed_as_the_csv_is_one_line_and_no_freeze(
    tmp_path, monkeypatch
):
    """A named pipe with no writer (or /dev/stdin) typed as the CSV froze the app for good
    (read on the UI's thread); a file over bulk.MAX_CSV_BYTES is one line, not read."""
    from asin_tui import bulk as bulk_module

    monkeypatch.chdir(tmp_path)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)

    def unblock() -> None:  # before the fix: frees the frozen app, so the test fails, not hangs
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    timer = threading.Timer(20, unblock)
    timer.start()
    try:
        async with demo_app().run_test(size=SIZE) as pilot:
            _, bulk = await open_out_of_stock_bulk(pilot)
            before = [dict(r.values) for r in bulk.rows]
            await press(pilot, "l")
            await pilot.press(*fifo.name, "enter")
            await settle(pilot)
            told = [n.message for n in pilot.app._notifications]
            assert any("not a regular file: a named pipe (FIFO)" in m for m in told), told
            big = tmp_path / "big.csv"
            with big.open("wb") as handle:  # one byte over the limit, sparse: no disk used
                handle.write(f"sku,quantity\n{bulk.rows[0].sku},7\n".encode())
                handle.truncate(bulk_module.MAX_CSV_BYTES + 1)
            await press(pilot, "l")
            await pilot.press(*big.name, "enter")
            await settle(pilot)
            told = [n.message for n in pilot.app._notifications]
            assert any("big.csv: larger than" in m and "\n" not in m for m in told), told
            assert [dict(r.values) for r in bulk.rows] == before  # nothing taken
    finally:
        timer.cancel()


@pytest.mark.slow  # a demo app walk
async def test_a_pasted_column_fills_the_rows_down_from_the_cell():
    async with demo_app().run_test(size=SIZE) as pilot:
        _, bulk = await open_out_of_stock_bulk(pilot)
        grid = bulk.query_one(BulkGrid)
        grid.move_cursor(row=1, column=list(grid.columns).index(QUANTITY))
        await press(pilot, "enter")
        editor = bulk.query_one("#bulk-editor", Input)
        editor.post_message(events.Paste("4\t=cmd\n5\n6\n"))  # copied from a spreadsheet
        await settle(pilot)
        assert [r.values[QUANTITY] for r in bulk.rows[:4]] == ["", "4", "5", "6"]
        assert bulk.focused is grid and not editor.display
        assert PATCHES == []


def seen_in_stock(service, sku: str, units: int, when: datetime) -> None:
    """The cache saw ``sku`` with ``units`` on sale at ``when`` and at 0 since (the listing
    was read twice: as a sync or a re-read writes it)."""
    cache = service._cache
    record, raw = cache.record(sku), cache.raw_evidence(sku)
    cache.write_listing(replace(record, quantity=units), raw, observed_at=when)
    cache.write_listing(record, raw, observed_at=datetime.now(UTC))


SEEN = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.mark.slow  # a demo app walk
async def test_the_last_known_quantity_is_suggested_and_taken_only_on_h():
    """Issue 13's "the last known quantity": each out-of-stock row with a quantity the cache
    saw on sale shows it as a suggestion, never as its value; `h` takes it; rows with none
    seen get none."""
    async with demo_app().run_test(size=SIZE) as pilot:
        listing = await started(pilot)
        causes = await open_causes(pilot)
        stock = next(c for c in causes.causes if c.label == "Out of stock")
        skus = [listing.view.records[i].sku for i in stock.rows]
        for sku, units in zip(skus[:2], (12, 30), strict=True):
            seen_in_stock(pilot.app.service, sku, units, SEEN)
        await choose(pilot, causes, "Out of stock", key="b")
        await settle(pilot)
        bulk = pilot.app.screen
        assert isinstance(bulk, BulkScreen)
        by_sku = {r.sku: r for r in bulk.rows}
        assert [by_sku[s].cells[QUANTITY].hint for s in skus[:2]] == ["12", "30"]
        assert all(not r.values[QUANTITY] for r in bulk.rows)  # never applied unasked
        assert "(last known 12)" in grid_text(bulk) and "(last known 30)" in grid_text(bulk)
        others = [r for r in bulk.rows if r.sku not in skus[:2]]
        assert others and not any(r.cells[QUANTITY].hint for r in others)
        grid = bulk.query_one(BulkGrid)
        row = bulk.rows.index(by_sku[skus[0]])
        grid.move_cursor(row=row, column=list(grid.columns).index(QUANTITY))
        await settle(pilot)
        told = str(bulk.query_one("#bulk-row").render())
        assert "last known 12, seen 2026-12-01 08:00 UTC (h takes it)" in told
        await press(pilot, "h")
        await settle(pilot)
        assert [by_sku[s].values[QUANTITY] for s in skus[:2]] == ["12", "30"]
        assert not any(r.values[QUANTITY] for r in others)
        assert by_sku[skus[0]].answer.startswith("ok: Set quantity to 12 (was 0)")
        assert PATCHES == []


@pytest.mark.slow  # a demo app walk
async def test_the_wizards_stock_step_suggests_the_last_known_quantity():
    """The single wizard's Stock step names the last quantity on sale beside the quantity
    field, which keeps the current 0 until the seller types a number."""
    from asin_tui.domain.models import WizardStep

    async with demo_app().run_test(size=SIZE) as pilot:
        listing = await started(pilot)
        sku = next(r.sku for r in listing.view.records if r.main_code == "OUT_OF_STOCK_MFN")
        seen_in_stock(pilot.app.service, sku, 12, SEEN)
        wizard = await open_wizard(pilot, sku)
        while wizard.body.state.step is not WizardStep.STOCK:
            await press(pilot, "n")
        field = wizard.query_one("#stock-quantity")
        assert "Last known quantity: 12 (seen 2026-12-01 UTC)" in str(
            field.query_one(".field-hint").render()
        )
        assert field.query_one(Input).value == "0"
        assert wizard.body.state.draft.mfn_quantity != 12  # not taken unasked


@pytest.mark.slow  # a demo app walk
async def test_arrows_and_enter_reach_only_the_value_columns():
    """The SKU, `now` and Answer columns are there to read: → from the first value column
    goes to the next value column (past its `now`), ← from it stays, a cursor put on the
    SKU column lands on the first value column, and Enter there edits that value (it never
    answers "Move to a value column first")."""
    async with demo_app().run_test(size=SIZE) as pilot:
        _, bulk = await open_out_of_stock_bulk(pilot)
        grid = bulk.query_one(BulkGrid)
        keys = list(grid.columns)
        assert grid.cursor_key == QUANTITY  # on opening: the first value
        await press(pilot, "right")
        assert grid.cursor_key == "handling_time"
        await press(pilot, "right")  # the Answer column is not a stop
        assert grid.cursor_key == "handling_time"
        await press(pilot, "left")
        assert grid.cursor_key == QUANTITY
        await press(pilot, "left")  # no value to the left: stays
        assert grid.cursor_key == QUANTITY
        grid.move_cursor(row=1, column=keys.index("sku"))
        await settle(pilot)
        assert grid.cursor_coordinate == (1, keys.index(QUANTITY))
        await press(pilot, "enter")
        editor = bulk.query_one("#bulk-editor", Input)
        assert bulk.focused is editor and bulk.editing == (1, QUANTITY)
        await pilot.press("7")
        await press(pilot, "enter")
        assert bulk.rows[1].values[QUANTITY] == "7"


@pytest.mark.slow  # a demo app walk
async def test_listings_another_cause_keeps_off_sale_are_marked_and_counted_before_the_send():
    """The stock fix offered for listings whose main cause is something else (a policy, a
    missing attribute): the grid marks them `!` and says what else blocks each, the
    confirmation says how many will stay off sale whatever is sent, and after the send the
    summary counts them among the not fixed — the very listings marked, and only those."""
    async with demo_app().run_test(size=SIZE) as pilot:
        listing = await started(pilot)
        _, bulk = await open_out_of_stock_bulk(pilot)
        findings = {r.sku: r.findings for r in listing.view.records}
        blocked = {r.sku for r in bulk.rows if r.blockers}
        assert blocked and blocked != {r.sku for r in bulk.rows}  # some, not all
        for row in bulk.rows:  # what the list's findings say besides the stock
            others = {
                k.label
                for f in findings[row.sku]
                if f.severity.value == "ERROR" and f.code != codes.STRANDED_FBA
                for k in finding_causes(f)
                if k.code != codes.OUT_OF_STOCK_MFN
            }
            assert set(row.blockers) == others
        lines = grid_text(bulk).splitlines()
        for index, row in enumerate(bulk.rows):
            assert (f"{row.sku} !" in lines[index]) == (row.sku in blocked)
        status = bulk.query_one("#bulk-status")
        assert f"{len(blocked)} also blocked by another cause (!)" in str(status.render())
        first = next(i for i, r in enumerate(bulk.rows) if r.blockers)
        await edit(pilot, bulk, first, QUANTITY, "9")
        told = str(bulk.query_one("#bulk-row").render())
        assert f"also blocked by {bulk.rows[first].blockers[0]}" in told
        assert "this fix alone will not put it back on sale" in told
        await press(pilot, "a", "p")
        await settle(pilot)
        assert all(r.result.outcome is RowOutcome.VALID for r in bulk.rows)
        assert f"({len(blocked)} also blocked by another cause: !)" in str(status.render())
        await press(pilot, "s")
        dialog = pilot.app.screen
        assert isinstance(dialog, SendConfirmScreen)
        shown = " ".join(str(s.render()) for s in dialog.query("Static"))
        one = len(blocked) == 1
        assert (
            f"{len(blocked)} of these listings {'is' if one else 'are'} also blocked by another"
            " cause" in shown
        )
        assert f"this change alone will not put {'it' if one else 'them'} back on sale" in shown
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert real_patches() == sorted(r.sku for r in bulk.rows)  # sent, all of them
        not_fixed = {r.sku for r in bulk.rows if r.result.outcome is RowOutcome.NOT_FIXED}
        assert not_fixed == blocked
        summary = str(status.render())
        assert f"{len(blocked)} not fixed ({len(blocked)} also blocked by another cause: !)" in (
            summary
        )
