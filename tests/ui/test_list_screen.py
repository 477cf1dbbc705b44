"""Pilot tests of the ASIN list: what a seller does with the keyboard."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import itertools
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import RadioButton

from asin_tui.domain.models import State
from asin_tui.ui.app import make_app
from asin_tui.ui.screens.causes import CauseScreen
from asin_tui.ui.screens.confirm import ConfirmScreen
from asin_tui.ui.screens.detail import DetailScreen
from asin_tui.ui.screens.export import ExportScreen
from asin_tui.ui.screens.help import HelpScreen, binding_rows
from asin_tui.ui.screens.list_screen import ListScreen
from asin_tui.ui.screens.welcome import WelcomeScreen
from asin_tui.ui.widgets.filter_input import FilterInput
from asin_tui.ui.widgets.listing_table import ListingTable
from tests.ui.conftest import run_checks, settle, wait_until
from tests.ui.fakes import AS_OF_NOW, FakeService, make_records, progress_of
from tests.ui.test_counted_words import b_on_listings_no_bulk_fix_covers_says_so_in_words


def table(app) -> ListingTable:
    return app.screen.query_one(ListingTable)


def shown_skus(app) -> list[str]:
    return [r.sku for r in table(app).view.shown()]


def status_text(app) -> str:
    return str(app.screen.query_one("#sync-text").render())


async def list_paints_cached_rows_in_report_order(pilot) -> None:
    app, service = pilot.app, pilot.app.service
    expected = [r.sku for r in service.cached_records(all_listings=False)]
    assert shown_skus(app) == expected
    assert expected[0] in table(app).render_line(1).text  # first row on screen
    assert "Needs attention" in str(app.screen.query_one("#counts").render())
    assert service.synced == 1  # synced in the background after painting


async def filter_narrows_as_you_type_enter_goes_to_table_escape_clears(pilot) -> None:
    app = pilot.app
    everything = shown_skus(app)
    await pilot.press("slash", *"MUG")
    assert isinstance(app.focused, FilterInput)
    rows = table(app).view.shown()
    assert rows and len(rows) < len(everything)
    assert all("mug" in r.title.lower() for r in rows)
    await pilot.press("enter")
    assert isinstance(app.focused, ListingTable)
    await pilot.press("slash", "escape")
    assert shown_skus(app) == everything
    assert app.screen.query_one(FilterInput).value == ""
    assert isinstance(app.focused, ListingTable)


async def number_keys_show_one_state_and_zero_all(pilot) -> None:
    app = pilot.app
    total = len(shown_skus(app))
    await pilot.press("4")
    states = {r.state for r in table(app).view.shown()}
    assert states == {State.INACTIVE}
    counts = str(app.screen.query_one("#counts").render()).replace("\N{NO-BREAK SPACE}", " ")
    assert "[4 ○ Inactive" in counts
    await pilot.press("0")
    assert len(shown_skus(app)) == total


async def a_toggles_needs_attention_and_all_listings(pilot) -> None:
    app, service = pilot.app, pilot.app.service
    await pilot.press("a")
    await settle(pilot)
    assert set(shown_skus(app)) == {r.sku for r in service.records}
    assert State.ACTIVE in {r.state for r in table(app).view.shown()}
    await pilot.press("a")
    await settle(pilot)
    assert State.ACTIVE not in {r.state for r in table(app).view.shown()}


async def s_cycles_sort_columns_and_shift_s_reverses(pilot) -> None:
    app = pilot.app
    await pilot.press("s")
    await settle(pilot)  # a column's first sort builds its order in a thread worker
    assert shown_skus(app) == sorted(shown_skus(app))
    assert "SKU ▲" in table(app).render_line(0).text
    await pilot.press("S")
    assert shown_skus(app) == sorted(shown_skus(app), reverse=True)
    assert "SKU ▼" in table(app).render_line(0).text


async def vim_keys_move_the_cursor(pilot) -> None:
    app = pilot.app
    await pilot.press("j", "j", "k")
    assert table(app).cursor_row == 1
    await pilot.press("G")
    assert table(app).cursor_row == len(shown_skus(app)) - 1
    await pilot.press("g")
    assert table(app).cursor_row == 0
    await pilot.press("pagedown")
    assert table(app).cursor_row > 10


async def detail_and_back_keep_cursor_and_filter(pilot) -> None:
    app = pilot.app
    await type_filter(pilot, "bamboo")
    await pilot.press("enter", "j")
    chosen = table(app).current
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, DetailScreen)
    assert app.screen.record.sku == chosen.sku
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(app.screen, ListScreen)
    assert app.screen.query_one(FilterInput).value == "bamboo"
    assert table(app).current.sku == chosen.sku
    assert all("bamboo" in r.title.lower() for r in table(app).view.shown())
    await pilot.press("slash", "escape")  # the filter cleared again


async def test_the_list_paints_in_report_order_then_answers_each_key_on_one_app(app):
    """The list on the fake account, its keys checked in turn on one app (run_checks): what
    each check asserts is its name. Report order and the first sync are read first; sorting
    (which keys cannot undo) comes after every check that reads the order."""
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await run_checks(
            pilot,
            list_paints_cached_rows_in_report_order,
            wizard_column_shows_saved_progress,
            number_keys_show_one_state_and_zero_all,
            a_toggles_needs_attention_and_all_listings,
            filter_narrows_as_you_type_enter_goes_to_table_escape_clears,
            an_empty_list_says_why,
            an_empty_list_names_what_narrows_it_and_its_keys_whole_at_80_columns,
            a_burst_of_filter_keys_lands_in_the_filter_box,
            vim_keys_move_the_cursor,
            s_cycles_sort_columns_and_shift_s_reverses,
            command_palette_runs_screen_actions_by_name,
            detail_and_back_keep_cursor_and_filter,
            w_opens_the_wizard_for_the_row_under_the_cursor,
            help_lists_the_real_bindings_of_the_focused_screen,
            help_descriptions_wrap_under_themselves_at_80_columns,
            a_screen_dismissed_twice_closes_only_itself,
            b_on_listings_no_bulk_fix_covers_says_so_in_words,
        )


async def w_opens_the_wizard_for_the_row_under_the_cursor(pilot) -> None:
    app = pilot.app
    opened = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            type(app), "action_open_wizard", lambda self, sku, risk=None: opened.append(sku)
        )
        await pilot.press("j", "w")
        assert opened == [table(app).current.sku]


# ------------------------------------------------------------------ export (into the working folder)


async def enter_twice_in_the_export_dialog_writes_once_and_keeps_the_list(pilot) -> None:
    app = pilot.app
    target = Path.cwd() / "twice.csv"
    await pilot.press("e")
    await pilot.pause()
    app.screen.query_one("#export-path").value = str(target)
    burst(app, "enter", "enter")
    await settle(pilot)
    assert isinstance(app.screen, ListScreen)
    assert len(app.screen_stack) == 2  # the default screen and the list, nothing popped
    assert target.exists()
    assert not any("exists" in n.message for n in app._notifications)  # one write
    assert [n.title for n in app._notifications].count("Exported") == 1


async def export_writes_what_is_shown_as_csv_and_json(pilot) -> None:
    app, folder = pilot.app, Path.cwd()
    await pilot.press("4")
    expected = shown_skus(app)
    for name in ("out.csv", "out.json"):
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#export-path").value = str(folder / name)
        await pilot.press("enter")
        await settle(pilot)
    with (folder / "out.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [r["sku"] for r in rows] == expected
    assert {r["state"] for r in rows} == {"INACTIVE"}
    document = json.loads((folder / "out.json").read_text())
    assert [r["sku"] for r in document["listings"]] == expected
    assert document["profile"] == "test"
    await pilot.press("0")  # every state shown again


async def export_asks_before_replacing_a_file_and_no_is_the_default(pilot) -> None:
    app = pilot.app
    target = Path.cwd() / "keep.csv"
    target.write_text("precious\n")
    await pilot.press("e")
    await pilot.pause()
    app.screen.query_one("#export-path").value = str(target)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, ConfirmScreen)
    assert str(target) in str(app.screen.query_one("#confirm-detail").render())
    await pilot.press("enter")  # on No, which has the focus
    await settle(pilot)
    assert isinstance(app.screen, ExportScreen)  # back to choose another name
    assert target.read_text() == "precious\n"
    for no in ("escape", "n"):
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press(no)
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        assert target.read_text() == "precious\n"
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("y")
    await settle(pilot)
    assert isinstance(app.screen, ListScreen)
    assert target.read_text().startswith("sku,")
    assert any(f"rows to {target}" in n.message for n in app._notifications)


async def export_says_the_absolute_path_it_wrote(pilot) -> None:
    app, folder = pilot.app, Path.cwd()
    await pilot.press("e")
    await pilot.pause()
    app.screen.query_one("#export-path").value = "relative.json"
    await pilot.press("enter")
    await settle(pilot)
    assert (folder / "relative.json").is_file()
    assert any(
        n.message.endswith(f"rows to {folder / 'relative.json'}") for n in app._notifications
    )


async def test_at_80x24_the_footer_shows_help_and_export_writes_what_is_shown_and_says_where(
    app, tmp_path, monkeypatch
):
    """The list's footer at 80x24, then the export dialog's behaviours, checked in turn on one
    app (run_checks), each export writing into the working folder (tmp_path). The footer is
    read first (as the app opens); then a double Enter: it asserts that exactly one export was
    told."""
    monkeypatch.chdir(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await run_checks(
            pilot,
            at_80x24_the_footer_shows_help_whole_and_every_dialog_hides_it,
            enter_twice_in_the_export_dialog_writes_once_and_keeps_the_list,
            export_writes_what_is_shown_as_csv_and_json,
            export_asks_before_replacing_a_file_and_no_is_the_default,
            export_says_the_absolute_path_it_wrote,
        )


async def help_lists_the_real_bindings_of_the_focused_screen(pilot) -> None:
    app = pilot.app
    list_screen = app.screen
    await pilot.press("question_mark")
    await pilot.pause()
    assert isinstance(app.screen, HelpScreen)
    descriptions = {row[2] for row in app.screen.rows}
    for binding in ListScreen.BINDINGS + ListingTable.BINDINGS:
        assert binding.description in descriptions, binding
    keys = {row[1] for row in app.screen.rows if row[2] == "Filter"}
    assert keys == {"/"}
    # only keys that do something here: not Textual's own (the list has no fields)
    assert not descriptions & {"Focus Next", "Focus Previous", "Copy selected text"}
    assert not descriptions & {"Next field", "Previous field"}
    # a screen with fields to move between (the wizard's) lists Tab, in words
    list_keys = list_screen.active_bindings.values()
    with_fields = {row[2] for row in binding_rows(app, list_keys, fields=2)}
    assert {"Next field", "Previous field"} <= with_fields
    assert "Copy selected text" not in with_fields
    await pilot.press("escape")
    assert isinstance(app.screen, ListScreen)


async def help_descriptions_wrap_under_themselves_at_80_columns(pilot) -> None:
    """At 80 columns several of the list's help rows wrap ("Columns — Show the columns that
    do not fit (marked → in the header)"); their second line began at the dialog's edge,
    under the keys. Each wrapped line now starts where its description does."""
    app = pilot.app
    size = app.size
    await pilot.resize_terminal(80, 24)
    await pilot.press("question_mark")
    await settle(pilot)
    assert isinstance(app.screen, HelpScreen)
    keys = app.screen.query_one("#help-keys")
    drawn = [keys.render_line(y).text.rstrip() for y in range(keys.region.height)]
    key_width = max(len(k) for _, k, _, _ in app.screen.rows) + 2
    indent = " " * (2 + key_width)
    groups = {g for g, _, _, _ in app.screen.rows}
    wrapped = 0
    for row, line in itertools.pairwise(drawn):
        if line.strip() and line.strip() not in groups and not line.startswith("  "):
            raise AssertionError(f"a line at the edge, under the keys: {line!r} after {row!r}")
        if line.startswith(indent):
            wrapped += 1
    assert wrapped, f"no description wrapped at 80 columns: {drawn}"
    said = " ".join(" ".join(drawn).split())
    for _, _, description, tooltip in app.screen.rows:
        assert " ".join(f"{description} — {tooltip}".split()) in said or not tooltip
    await pilot.press("escape")
    await pilot.resize_terminal(size.width, size.height)
    await settle(pilot)


def palette_options(app) -> list[str]:
    from textual.command import CommandList

    found = app.screen.query(CommandList)
    if not found:
        return []
    options = found.first()
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def command_palette_runs_screen_actions_by_name(pilot) -> None:
    from textual.command import CommandInput

    app = pilot.app
    await pilot.press("ctrl+p")
    # the name at once (as a paste): the palette searches once, not once a letter
    app.screen.query_one(CommandInput).value = "Sort by Price"
    # the palette searches in a worker: wait until it offers the command
    await wait_until(pilot, lambda: any("Sort by Price" in o for o in palette_options(app)))
    await pilot.press("enter")
    await settle(pilot)
    assert table(app).view.sort_column == "price"


async def test_sync_progress_is_shown_and_r_syncs_again():
    service = FakeService()
    service.sync_gate = asyncio.Event()
    app = make_app(lambda: service, case_labels_loader=progress_of)
    async with app.run_test(size=(100, 30)) as pilot:
        # the sync starts once the cache's rows (read in a thread) are in: not after two
        # pauses on a loaded machine
        await wait_until(pilot, lambda: "Throttled by Amazon, waiting 2 s" in status_text(app))
        assert "Throttled by Amazon, waiting 2 s" in status_text(app)
        assert app.screen.query_one("#sync").has_class("busy", "waiting")
        assert shown_skus(app)  # the cached rows are there while the sync runs
        service.sync_gate.set()
        await settle(pilot)
        assert "Last sync 2026-11-20 09:30 UTC" in status_text(app)
        await pilot.press("r")
        await settle(pilot)
        assert service.synced == 2


async def test_failed_sync_says_why_and_keeps_the_cached_rows():
    service = FakeService(fail_sync="Amazon did not answer (timeout)")
    app = make_app(lambda: service, case_labels_loader=progress_of)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert shown_skus(app) == [r.sku for r in service.cached_records(all_listings=False)]
        assert status_text(app) == (
            "Sync failed: Amazon did not answer (timeout) — showing cached data"
        )
        (told,) = [n for n in app._notifications if n.title == "Sync failed"]
        assert told.message == "Amazon did not answer (timeout)"  # said once, cause first
        assert told.timeout >= 20  # time to read a cause the status line cuts


async def wizard_column_shows_saved_progress(pilot) -> None:
    """At 120 columns, where the Wizard column fits."""
    app = pilot.app
    size = app.size
    await pilot.resize_terminal(120, 30)
    await settle(pilot)
    row = shown_skus(app).index("SKU-0000")
    assert "Fields" in table(app).render_line(row + 1).text
    await pilot.resize_terminal(size.width, size.height)
    await settle(pilot)


async def type_filter(pilot, text: str) -> None:
    """``/`` then ``text`` in the filter box, at once (as a paste): Input.Changed filters the
    list once, where key by key it filtered and painted it once a letter (typing itself is
    filter_narrows_as_you_type…'s and a_burst_of_filter_keys…'s)."""
    await pilot.press("slash")
    pilot.app.screen.query_one(FilterInput).value = text
    await pilot.pause()


async def an_empty_list_says_why(pilot) -> None:
    app = pilot.app
    await type_filter(pilot, "no such thing")
    assert "No listing matches the filter" in table(app).render_line(1).text
    await pilot.press("escape")  # the filter cleared again


async def an_empty_list_names_what_narrows_it_and_its_keys_whole_at_80_columns(pilot) -> None:
    """One cause shown (the cause view's Enter) and a filter that matches none of it: the
    line named a filter only and was cut at 80 columns ("Escape clears it (and the cause);
    0 shows every…"); the demo showed it for a cause alone too, once its listings were fixed
    (no filter at all). Now it says what narrows the list, and its keys, on as many lines as
    it takes."""
    app = pilot.app
    size = app.size
    await pilot.resize_terminal(80, 24)
    await pilot.press("v")
    await wait_until(pilot, lambda: isinstance(app.screen, CauseScreen))
    await settle(pilot)
    cause = app.screen.causes[0].label
    await pilot.press("enter")
    await settle(pilot)
    await type_filter(pilot, "no such thing")
    await pilot.press("enter")
    await settle(pilot)
    assert shown_skus(app) == []
    lines = [table(app).render_line(y).text.rstrip() for y in range(1, 5)]
    said = " ".join(" ".join(lines).split())
    assert "…" not in said, lines
    assert said == (
        f'No listing matches the filter "no such thing" and has the cause {cause}.'
        " Escape clears the filter and the cause."
    ), lines
    await pilot.press("escape")  # the filter and the cause cleared again
    await pilot.resize_terminal(size.width, size.height)
    await settle(pilot)


async def test_empty_cache_says_it_is_fetching_then_why_the_sync_failed():
    service = FakeService(records=[], fail_sync="Amazon did not answer", never_synced=True)
    service.sync_gate = asyncio.Event()
    app = make_app(lambda: service, case_labels_loader=progress_of)
    async with app.run_test(size=(140, 30)) as pilot:
        # the empty cache is read in a thread, then the sync starts: not after two pauses
        await wait_until(pilot, lambda: "fetching your listings" in table(app).render_line(1).text)
        assert "fetching your listings" in table(app).render_line(1).text
        service.sync_gate.set()
        await settle(pilot)
        assert status_text(app) == "Sync failed: Amazon did not answer"  # no cached data
        empty = table(app).render_line(1).text.strip()
        assert empty == (
            "Nothing fetched yet: the sync failed — Amazon did not answer. Press r to retry."
        )


async def test_a_list_never_synced_does_not_say_nothing_needs_attention():
    service = FakeService(records=[], never_synced=True)
    app = make_app(lambda: service, case_labels_loader=progress_of, sync_on_start=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "Nothing fetched yet. Press r" in table(app).render_line(1).text


async def test_after_an_earlier_sync_an_empty_list_means_nothing_needs_attention():
    service = FakeService(records=[])
    app = make_app(lambda: service, case_labels_loader=progress_of, sync_on_start=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "No listing needs attention" in table(app).render_line(1).text


def burst(app, *keys: str) -> None:
    """Keys arriving in one read (a paste, a fast typist over SSH): all queued at once,
    with no pause for the app to act on the first before the next comes in."""
    from textual import events

    characters = {"slash": "/", "enter": "\r", "escape": "\x1b"}
    for key in keys:
        app._driver.send_message(events.Key(key, characters.get(key, key)))


async def a_burst_of_filter_keys_lands_in_the_filter_box(pilot) -> None:
    app = pilot.app
    burst(app, "slash", *"lego")
    await settle(pilot)
    assert isinstance(app.screen, ListScreen)  # `e` did not open the export dialog
    assert app.screen.query_one(FilterInput).value == "lego"
    assert isinstance(app.focused, FilterInput)
    await pilot.press("slash")  # in the box, `/` is typed like any character
    assert app.screen.query_one(FilterInput).value == "lego/"
    await pilot.press("escape")  # the filter cleared again


async def a_screen_dismissed_twice_closes_only_itself(pilot) -> None:
    """Escape goes to the screen on top when its turn comes, but a message handled late
    (a second Enter, a double click) calls dismiss on a screen already closed. Help, then the
    detail, each opened over the list of one app."""
    app = pilot.app
    for key in ("question_mark", "enter"):  # help, detail
        await pilot.press(key)
        await settle(pilot)
        top = app.screen
        assert not isinstance(top, ListScreen), key
        top.dismiss()
        top.dismiss()
        await settle(pilot)
        assert isinstance(app.screen, ListScreen), key


async def test_the_chosen_export_format_is_readable_without_colour(service, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(lambda: service, case_labels_loader=progress_of)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.no_color
        await pilot.press("e")
        await pilot.pause()

        def marks() -> dict[str, str]:
            """Each format's button as drawn, with its label taken off."""
            return {
                str(b.label): str(b.render()).replace(str(b.label), "").strip()
                for b in app.screen.query(RadioButton)
            }

        chosen, other = marks()["CSV"], marks()["JSON"]
        assert chosen != other  # the glyphs say which one is chosen, not only a colour
        app.screen.query_one("#export-path").value = "out.json"
        await pilot.pause()
        assert marks() == {"CSV": other, "JSON": chosen}


async def test_opening_another_account_closes_the_one_open():
    opened: list[FakeService] = []

    def demo() -> FakeService:
        opened.append(FakeService())
        return opened[-1]

    app = make_app(None, demo_factory=demo, case_labels_loader=progress_of)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        await app.run_action("open_demo")  # `d` reaching the welcome screen once more
        await settle(pilot)
        first, second = opened
        assert first.closed and not second.closed
        assert app.service is second
        assert [type(s) for s in app.screen_stack[1:]] == [WelcomeScreen, ListScreen]
        assert app.screen.service is second


async def test_a_cache_set_aside_is_told_once_as_a_warning(service):
    service.cache_warning = "The listing cache x.sqlite3 could not be read; it was moved aside"
    app = make_app(lambda: service, case_labels_loader=progress_of)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")  # the cache is read again: no second warning
        await settle(pilot)
        told = [n for n in app._notifications if n.message == service.cache_warning]
        assert len(told) == 1
        assert told[0].severity == "warning"


async def test_a_notice_found_after_a_listing_changed_is_told_once(service):
    # the demo adds one when a fix it accepted cannot be kept on disk: it was only logged
    from asin_tui.ui.messages import ListingChanged

    service.notices.append("opened: said at start")
    app = make_app(lambda: service, case_labels_loader=progress_of)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        late = "demo fix not kept after this run: /x/demo-account.json: No space left on device"
        service.notices.append(late)
        for _ in range(2):  # a second change: not told again
            app.screen.post_message(
                ListingChanged(service.cached_records(all_listings=False)[0].sku)
            )
            await settle(pilot)
        told = [n.message for n in app._notifications if n.title == "Account"]
        assert told == ["opened: said at start", late]


async def test_the_since_column_shows_the_year_of_an_older_date():
    records = make_records(2)
    old = dataclasses.replace(records[1], inactive_since=datetime(2025, 11, 27, tzinfo=UTC))
    service = FakeService(records=[records[0], old])
    app = make_app(lambda: service, case_labels_loader=progress_of, timing=AS_OF_NOW)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        lines = {table(app).render_line(y).text for y in (1, 2)}
        this_year = next(line for line in lines if records[0].sku in line)
        assert "Oct 01 " in this_year and "2026" not in this_year
        assert "Nov 2025" in next(line for line in lines if old.sku in line)


# ------------------------------------------------------------------ 80 columns


def header_text(app) -> str:
    return table(app).render_line(0).text


def long_sku_service() -> FakeService:
    """SKUs and causes as long as a real seller's: 17 and 38 cells."""
    records = make_records()
    at_risk_policy = dataclasses.replace(
        records[0].findings[0], brief="At risk: compliance documents required"
    )
    records[0] = dataclasses.replace(
        records[0], sku="KITCH-5510-PARENT", findings=(at_risk_policy,)
    )
    return FakeService(records)


async def test_at_80x24_sku_and_cause_are_whole_hidden_columns_reachable_and_s_sorts_shown():
    """At 80x24 the SKU and cause are whole; → and h reach the hidden columns and come back;
    then s cycles only through the columns shown (one app for both)."""
    service = long_sku_service()
    app = make_app(lambda: service, case_labels_loader=progress_of, sync_on_start=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first = table(app).render_line(1).text
        assert "KITCH-5510-PARENT" in first
        assert "At risk: compliance documents required" in first
        suppressed = next(
            table(app).render_line(y).text
            for y in range(1, 20)
            if "✖" in table(app).render_line(y).text
            and "KITCH" not in table(app).render_line(y).text
        )
        assert "Missing: brand" in suppressed  # the essential thing first
        header = header_text(app)
        assert header.rstrip().endswith("→") and "Since" not in header
        layout = table(app).column_layout
        hidden = set(layout.hidden_right)
        assert {"since", "wizard", "title", "asin"} <= hidden
        seen, presses = set(layout.keys), 0
        while table(app).column_layout.hidden_right:
            assert presses < 9, "→ never reached the last column"
            await pilot.press("right")
            await pilot.pause()
            presses += 1
            seen |= set(table(app).column_layout.keys)
            assert "←" in header_text(app)
            assert "KITCH-5510-PARENT" in table(app).render_line(1).text  # pinned
        assert {"since", "wizard", "title", "asin"} <= seen
        assert "→" not in header_text(app)  # at the end
        await pilot.press("right")  # nothing more to the right: stays
        assert table(app).column_offset == presses
        for _ in range(presses):
            await pilot.press("h")
        await pilot.pause()
        assert "←" not in header_text(app) and header_text(app).rstrip().endswith("→")
        # s at 80 columns sorts only by a column it shows
        for _ in range(9):
            await pilot.press("s")
            await settle(pilot)
            view = table(app).view
            sorted_by = view.sort_column
            assert sorted_by in table(app).column_layout.keys  # the sorted column is on screen
            assert "▲" in header_text(app)
            if sorted_by == "price":
                prices = [r.price for r in view.shown()]
                assert prices == sorted(prices)
                assert "Price ▲" in header_text(app)
        assert view.sort_column == "state"


async def test_the_counts_bar_breaks_lines_between_items_never_inside_one():
    """At each width, reached by resizing one app (as a terminal window is resized)."""
    app = make_app(FakeService, case_labels_loader=progress_of, sync_on_start=False)
    async with app.run_test(size=(60, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        for width in (60, 80, 100, 120, 60):
            await pilot.resize_terminal(width, 24)
            await settle(pilot)
            lines = str(app.screen.query_one("#counts").render()).splitlines()
            assert len(lines) > 1 or width > 100, width
            items = [item for line in lines for item in line.split("  ")]
            assert items[0] == "All listings"
            for item in items[1:]:  # "[0 All states 40]", "1 ✖ Suppressed 6", ...
                words = item.strip("[]").split(" ")
                assert words[0].isdigit() and words[-1].isdigit(), (width, item)
            for line in lines:
                assert len(line) <= width - 2, (width, line)  # its padding


def test_the_counts_bar_names_every_state_of_the_scope_not_every_listing():
    # the demo walk at 80x24: "Needs attention  [0 All 93]" beside the footer's "a All"
    # (every listing: 112) read as if the account had 93 listings; 0 shows every state of
    # the scope, as Help names its key ("All states")
    from asin_tui.domain.models import State
    from asin_tui.ui.widgets.state_counts import StateCounts

    counts = StateCounts()
    counts.show({State.SUPPRESSED: 3, State.INACTIVE: 2}, None, False)
    assert (
        str(counts.render())
        == "Needs attention  [0 All states 5]  1 ✖ Suppressed 3  4 ○ Inactive 2"
    )


def test_under_a_filter_the_at_risk_count_of_another_view_says_it_is_the_whole_accounts():
    # the walk: "R At risk 27" beside the counts of a filter that kept 3 rows
    from asin_tui.domain.models import State
    from asin_tui.ui.widgets.state_counts import StateCounts

    counts = StateCounts()
    counts.show({State.INACTIVE: 3}, None, False, at_risk=27, at_risk_unfiltered=True)
    assert str(counts.render()).endswith("4 ○ Inactive 3  R At risk 27 account-wide")


# ------------------------------------------------------------------ partial "All listings"


def partial_service() -> FakeService:
    """Only the needs-attention syncs so far: 40 rows cached of an account of 250."""
    service = FakeService()
    service.full_sync_at = None
    service.account_total = 250
    return service


def notice_text(app) -> str:
    notice = app.screen.query_one("#scope-notice")
    return str(notice.render()) if notice.display else ""


async def test_all_listings_before_a_full_sync_says_it_is_partial_and_f_fetches_everything():
    service = partial_service()
    service.sync_gate = asyncio.Event()  # hold the full sync mid-way
    app = make_app(lambda: service, case_labels_loader=progress_of, sync_on_start=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert notice_text(app) == ""  # "needs attention" is what it says
        await pilot.press("a")
        await settle(pilot)
        assert notice_text(app) == (
            "Showing the 40 listings synced so far; a full sync fetches all 250 — press F"
        )
        await pilot.press("F")
        await pilot.pause()
        assert service.sync_scopes == [True]  # the --all sync
        assert "the full sync is fetching all 250…" in notice_text(app)
        assert status_text(app) == "Throttled by Amazon, waiting 2 s"  # its progress line
        await pilot.press("F")  # once is enough
        service.sync_gate.set()
        await settle(pilot)
        assert service.sync_scopes == [True]
        assert notice_text(app) == ""  # every listing is in now
        await pilot.press("a")
        await settle(pilot)
        assert notice_text(app) == ""


async def test_f_from_needs_attention_also_fetches_everything_and_r_syncs_what_is_shown():
    service = partial_service()
    app = make_app(lambda: service, case_labels_loader=progress_of, sync_on_start=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("F")
        await settle(pilot)
        assert service.sync_scopes == [False, True]
        assert service.full_sync_at is not None


async def test_when_the_account_cannot_be_counted_the_notice_says_every_listing():
    service = partial_service()
    service.account_total = OSError("network is unreachable")
    app = make_app(lambda: service, case_labels_loader=progress_of, sync_on_start=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert notice_text(app).endswith("a full sync fetches every listing — press F")
        assert not any("count" in str(n.title or "") for n in app._notifications)


async def at_80x24_the_footer_shows_help_whole_and_every_dialog_hides_it(pilot) -> None:
    """A first-time seller at 80 columns reads `? Help` in the footer (it was cut to `? He`
    behind the palette's key), and the cause view's line of keys under its list. The cause
    view, Help and Export each hide the list's footer while they are open (its keys would
    do nothing there), on one app."""
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    app = pilot.app
    footer = app.screen.query_one(Footer)
    shown = {k.key: k for k in footer.query(FooterKey)}
    assert "question_mark" in shown and "q" in shown and "slash" in shown
    right = footer.region.right - 13  # the palette's "▏^p palette" on the right
    assert shown["question_mark"].region.right <= right, shown["question_mark"].region
    # an account with many causes: the list scrolls, its keys stay under it
    from asin_tui.domain.causes import CauseCount, CauseKey
    from asin_tui.ui.screens.causes import CauseScreen

    many = [CauseCount(CauseKey("MISSING_ATTRIBUTE", f"Missing: a{n}"), [n]) for n in range(30)]
    await app.push_screen(CauseScreen(many, "every listing"))
    await settle(pilot)
    title = str(app.screen.query_one(".dialog-title").render())
    assert title == "Causes — every listing: 30 causes, found on 30 listings"
    hint = app.screen.query_one(".hint")
    assert "Escape: back" in str(hint.render())
    dialog = app.screen.query_one("#causes-dialog").region
    assert dialog.bottom <= 24
    # inside the dialog's bottom border, not drawn over by it
    assert hint.region.height and hint.region.bottom <= dialog.bottom - 1, (hint, dialog)
    # the list's keys do nothing under the dialog: its footer is not shown meanwhile
    assert not footer.visible
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(app.screen, ListScreen) and footer.visible
    # Help and Export over the list hide its keys too (/ Filter, a All… would do nothing)
    for dialog in ("question_mark", "e"):
        await pilot.press(dialog)
        await settle(pilot)
        assert not isinstance(app.screen, ListScreen), dialog
        assert not footer.visible, dialog
        assert not app.screen.query(Footer), f"{dialog}: the dialog's keys are in its own hint line"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ListScreen) and footer.visible, dialog
