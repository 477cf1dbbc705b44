"""Hostile listing text through every screen (issue 8 items 1 and 2).

The sandbox serves the hostile-strings scenario (sandbox/hostile.py: escape sequences, OSC 52,
OSC 0, a cut sequence, C1, U+202E, ``[/]``, ``[@click=app.quit]``, ``[link=…]``,
``[Military Grade]``, very long text in SKUs, titles, attributes, issue and restriction
messages), and one more title arrives through a real ACCEPTED patch sent by the client. The
real app, on the real service and client, is then walked with keys through the list, the
filter, the detail, the help, every wizard step, the export dialog, the command palette and
the notifications. On every screen, what is rendered (the compositor's strips, what the
driver would write) holds no raw control/C1/bidi character, no link and no click action;
the literal text is there; nothing crashes.
"""

from __future__ import annotations

from functools import partial

import pytest
from rich.segment import Segment

from asin_tui.domain.models import WizardStep
from asin_tui.domain.text import unsafe_chars, visible
from asin_tui.sandbox import hostile
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from asin_tui.store.cases import CaseRecord, CaseStore, StepRecord, StepStatus
from asin_tui.ui.app import make_app
from asin_tui.ui.screens.copied import CopiedScreen
from asin_tui.ui.screens.detail import DetailScreen
from asin_tui.ui.screens.export import ExportScreen
from asin_tui.ui.screens.help import HelpScreen
from asin_tui.ui.screens.list_screen import ListScreen
from asin_tui.ui.screens.wizard import WizardScreen
from asin_tui.ui.widgets.filter_input import FilterInput
from tests.cli.test_hostile_output import send_hostile_title
from tests.test_service import TIME_SCALE, make_service
from tests.ui.conftest import run_checks, settle

SIZE = (
    240,
    50,
)  # the list pins SKU and cause at their longest (a 40-cell hostile SKU): room for the titles
US = "ATVPDKIKX0DER"
PATCHED_TITLE = "Patched [link='file:///etc/passwd']x[/link] \x1b]52;c;cGF0Y2hlZA==\x07 \u202eevil"
#: Each hostile listing but the first by its index: the first is walked in the fast set (with
#: the other screens, on one app), every other one in the full suite (each is a walk of the
#: real app over the hostile sandbox)
OTHER_HOSTILE_LISTINGS = range(1, len(hostile.LISTINGS))


def rendered(app) -> tuple[str, list[Segment]]:
    """What the current screen paints (toasts and modals included), as text and segments."""
    strips = app.screen._compositor.render_strips()
    segments = [segment for strip in strips for segment in strip]
    text = "\n".join("".join(segment.text for segment in strip) for strip in strips)
    return text, segments


def assert_safe(app, *literal: str) -> str:
    """No raw unsafe character, no link, no click action; each ``literal`` text is shown."""
    text, segments = rendered(app)
    assert unsafe_chars(text) == [], [c for c in unsafe_chars(text)][:5]
    for segment in segments:
        style = segment.style
        if style is None:
            continue
        assert not style.link, (segment.text, style.link)
        assert "@click" not in (style.meta or {}) or "quit" not in str(style.meta), segment
    flat = " ".join(text.split())
    for expected in literal:
        assert expected in flat, expected
    return text


async def hostile_service():
    """The real service and client on the hostile sandbox, one title patched for real."""
    account = SandboxAccount(seed=5, listings=60, hostile=True)
    service = make_service(SandboxApp(account, time_scale=TIME_SCALE))
    sku = await send_hostile_title(service, PATCHED_TITLE)
    await service.sync(include_all=False)  # the cache now has the patched title
    return service, account, sku


async def select_row(pilot, sku: str) -> None:
    """Filter the list to ``sku`` (typed into the filter) and put the cursor on it."""
    screen = pilot.app.screen
    assert isinstance(screen, ListScreen)
    await pilot.press("slash")
    screen.query_one(FilterInput).value = sku
    await pilot.press("enter")
    await settle(pilot)
    assert screen.table.current.sku == sku


async def open_detail_at_timeline(pilot, sku: str) -> None:
    """Open ``sku``'s detail from the list and scroll its timeline into view, as the seller
    would: the stock cover (read when the app opened) fills its section above it."""
    await select_row(pilot, sku)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, DetailScreen)
    pilot.app.screen.query_one("#timeline-title").scroll_visible(animate=False, top=True)
    await settle(pilot)


async def back_on_the_list_unfiltered(pilot, *keys: str) -> None:
    """``keys`` back to the list, then its filter cleared, as the next check begins.
    select_row sets the filter to the raw SKU, which no user can put there (a paste is
    cleaned: test_pasted_text), and the filter box shows it as it is."""
    await pilot.press(*keys)
    await settle(pilot)
    assert isinstance(pilot.app.screen, ListScreen)
    await pilot.press("slash", "escape")
    await settle(pilot)
    assert pilot.app.screen.query_one(FilterInput).value == ""


async def open_app(pilot) -> None:
    await settle(pilot)
    await settle(pilot)
    assert isinstance(pilot.app.screen, ListScreen)


@pytest.fixture
async def hostile_app():
    service, account, patched = await hostile_service()
    app = make_app(lambda: service, sync_on_start=False)
    yield app, account, patched


async def test_every_screen_shows_hostile_text_as_text(hostile_app):
    """The list, the filter, help, the palette, export, the first hostile listing's detail
    and every wizard step, a click on hostile text and a notification quoting Amazon, checked
    in turn on one app (run_checks): what each asserts is its name. The other hostile
    listings' detail and wizard walks are the slow tests below."""
    app, account, patched = hostile_app
    first = 0
    save_hostile_notes(app, hostile.LISTINGS[first][0])
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        await run_checks(
            pilot,
            partial(list_filter_help_palette_and_export_show_hostile_text_literally, patched),
            partial(detail_copy_and_help_with_a_hostile_listing, account, first),
            partial(every_wizard_step_with_a_hostile_listing, first),
            a_click_on_hostile_text_runs_nothing,
            notifications_quoting_amazon_show_it_as_text,  # last: its toast stays on screen
        )


async def list_filter_help_palette_and_export_show_hostile_text_literally(patched, pilot):
    app = pilot.app
    assert_safe(
        app,
        "Phone Case [Military Grade] Black\\x1b[2J",
        "Charger [@click=app.quit]click me[/]\\x1b]52",
        "Cable [link='file:///etc/passwd']x[/link] [bold",
        "Lamp \\u202etxet desrever\\x9b2J [/]",
        "Patched [link='file:///etc/passwd']x[/link]",
        patched,  # the SKU whose title the patch changed
    )
    await pilot.press("slash")
    for key in "[Military":
        await pilot.press(key if key.isalnum() else "left_square_bracket")
    await pilot.press("enter")
    await settle(pilot)
    assert [r.sku for r in app.screen.view.shown()] == [hostile.LISTINGS[0][0]]
    assert_safe(app, "Phone Case [Military Grade] Black", visible(hostile.LISTINGS[0][0])[:12])
    await pilot.press("question_mark")
    await settle(pilot)
    assert isinstance(app.screen, HelpScreen)
    assert_safe(app)
    await pilot.press("escape")
    await pilot.press("ctrl+p")
    await settle(pilot)
    assert_safe(app)
    await pilot.press("escape")
    await settle(pilot)
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(app.screen, ExportScreen)
    assert_safe(app)
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(app.screen, ListScreen)


@pytest.mark.slow
@pytest.mark.parametrize("which", OTHER_HOSTILE_LISTINGS)
async def test_detail_copy_and_help_with_a_hostile_listing(hostile_app, which):
    app, account, _ = hostile_app
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        await detail_copy_and_help_with_a_hostile_listing(account, which, pilot)


async def detail_copy_and_help_with_a_hostile_listing(account, which: int, pilot) -> None:
    app = pilot.app
    sku, title = hostile.LISTINGS[which]
    await open_detail_at_timeline(pilot, sku)
    text = assert_safe(app, visible(title)[:60])
    if account.item(sku, ["issues"])["issues"]:
        assert "[Military Grade] [/] \\x1b]52;c;" in " ".join(text.split())
    await pilot.press("C")  # copy the SKU: the clipboard gets it terminal-safe
    await settle(pilot)
    assert app.clipboard == visible(sku)
    assert isinstance(app.screen, CopiedScreen)  # and the screen shows it to select
    assert_safe(app, visible(sku)[:12])
    await pilot.press("escape")
    await pilot.press("c")  # the Seller Central link: percent-encoded
    await settle(pilot)
    assert unsafe_chars(app.clipboard) == [] and app.clipboard.startswith("https://")
    assert_safe(app, "the Seller Central link")
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(app.screen, DetailScreen)
    await pilot.press("question_mark")  # its title quotes the SKU: '[/]' must not crash
    await settle(pilot)
    assert isinstance(app.screen, HelpScreen)
    assert_safe(app, f"Keys — {visible(sku)[:10]}")
    await back_on_the_list_unfiltered(pilot, "escape", "escape")  # help, then the detail


def save_hostile_notes(app, sku: str) -> None:
    """The listing's case as saved earlier, its policy notes hostile text."""
    service = app.service_factory()
    item = CaseRecord(sku=sku, current_step=WizardStep.OVERVIEW)  # notes as saved earlier
    item.steps[WizardStep.POLICY] = StepRecord(StepStatus.NEEDS_ACTION, notes=hostile.DESCRIPTION)
    CaseStore(service.profile_name, service.marketplace_id).update(sku, item)


@pytest.mark.slow
@pytest.mark.parametrize("which", OTHER_HOSTILE_LISTINGS)
async def test_every_wizard_step_with_a_hostile_listing(hostile_app, which):
    app, _, _ = hostile_app
    save_hostile_notes(app, hostile.LISTINGS[which][0])
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        await every_wizard_step_with_a_hostile_listing(which, pilot)


async def every_wizard_step_with_a_hostile_listing(which: int, pilot) -> None:
    app = pilot.app
    sku, title = hostile.LISTINGS[which]
    await select_row(pilot, sku)
    await pilot.press("w")  # the wizard used to crash here on '[/]' (MarkupError)
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, WizardScreen) and screen.body is not None
    shown_title = screen.body.state.plan.listing.item_name  # none for an INCOMPLETE SKU
    assert shown_title in (title, None)
    assert_safe(app, visible(sku)[:12], *([visible(title)[:40]] if shown_title else []))
    for step in WizardStep:
        screen.body.show_step(step)
        await settle(pilot)
        assert app.screen is screen, step  # still there: no click action ran, no crash
        assert_safe(app, *(["Line one\\x1b[2J"] if step is WizardStep.POLICY else []))
    if screen.body.state.case_text:
        await pilot.press("c")
        await settle(pilot)
        assert unsafe_chars(app.clipboard) == []
        assert_safe(app)
    await back_on_the_list_unfiltered(pilot, "escape")


async def a_click_on_hostile_text_runs_nothing(pilot) -> None:
    """'[@click=app.quit]' in a title is text: clicking it leaves the app running."""
    app = pilot.app
    sku = hostile.LISTINGS[1][0]
    await select_row(pilot, sku)
    await pilot.press("w")
    await settle(pilot)
    text, _ = rendered(app)
    row = next(n for n, line in enumerate(text.splitlines()) if "[@click=app.quit]" in line)
    column = text.splitlines()[row].index("[@click=app.quit]") + 20
    await pilot.click(offset=(column, row))
    await settle(pilot)
    assert app.is_running and isinstance(app.screen, WizardScreen)
    await back_on_the_list_unfiltered(pilot, "escape")


async def notifications_quoting_amazon_show_it_as_text(pilot) -> None:
    """Every notification goes through the app: never markup, never a raw character."""
    app = pilot.app
    sku = hostile.LISTINGS[2][0]
    app.notify(f"Amazon said: {hostile.QUOTED}", title=sku, severity="error")
    await settle(pilot)
    assert_safe(app, "HOSTILE-[/]", "[Military Grade]", "\\x1b]52;c;")


async def test_watch_views_bulk_and_timeline_show_hostile_events_as_text():
    """What `watch` stored about hostile listings (their SKUs and titles in each event's
    JSON) read back by the TUI: the "Since you last looked" banner and n's view, the At risk
    view, the cause view, a hostile listing's timeline and the bulk fix screen."""
    from datetime import UTC, datetime

    from asin_tui.sandbox.catalog import Policy
    from asin_tui.sandbox.drift import POLICY_CODE
    from asin_tui.store.cache import cache_path
    from asin_tui.store.events import EventStore
    from asin_tui.ui.screens.bulk import BulkScreen
    from asin_tui.ui.screens.bulk_actions import BulkActionScreen
    from asin_tui.watch import Watcher

    # the last look: before the account was first synced. The hostile listings are off sale
    # from the first sync on (INACTIVE, SEARCH_SUPPRESSED), so what the second round finds
    # is news only against a look that had not seen them: then each "went inactive" since.
    # (A look stamped 1 s before the second round did that only while the first sync had
    # ended less than 1 s before it; under load it had not, and the banner was empty.)
    looked = datetime.now(UTC)
    service, account, _ = await hostile_service()
    store = EventStore(cache_path(service.profile_name, service.marketplace_id))

    async def no_sleep(_seconds: float) -> None:
        return None

    watcher = Watcher(service, store, sleep=no_sleep)
    try:
        await watcher.round()  # the baseline
        service.remember_look([], now=looked)
        for record in account._records:
            if record.sku.startswith("HOSTILE-"):
                account.set_policy(record, Policy(POLICY_CODE, "LISTING_SUPPRESSED"))
        told = {e.sku for e in (await watcher.round()).events}
    finally:
        store.close()
    sku = hostile.LISTINGS[3][0]  # C1 CSI and U+202E in SKU and title
    assert sku in told
    app = make_app(lambda: service, sync_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        assert_safe(app, "Since you last looked")
        for key in ("n", "n", "R", "R", "v"):
            await pilot.press(key)
            await settle(pilot)
            assert_safe(app)
        await pilot.press("escape")
        await settle(pilot)
        await open_detail_at_timeline(pilot, sku)
        assert_safe(app, "Timeline")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        # a suppression no patch fixes: the bulk action's text to copy (else the grid)
        assert isinstance(app.screen, BulkActionScreen | BulkScreen)
        assert_safe(app, visible(sku)[:12])
        await pilot.press("c")
        await settle(pilot)
        assert app.clipboard and unsafe_chars(app.clipboard) == []


@pytest.mark.slow  # a walk of the real app over the hostile sandbox
async def test_bulk_grids_of_hostile_listings_show_every_cell_as_text():
    """Every cause of the hostile listings that the bulk grid fixes (out of stock: their
    merchant stock sold out; their missing attributes), opened from the cause view: the grid,
    its row line, the cell editor and the validation's answers draw hostile SKUs, attribute
    names and Amazon's messages as text."""
    from asin_tui.domain.causes import bulk_columns
    from asin_tui.ui.screens.bulk import BulkScreen
    from asin_tui.ui.screens.causes import CauseList, CauseScreen
    from tests.ui.test_bulk_screen import open_causes

    account = SandboxAccount(seed=5, listings=60, hostile=True)
    for record in account._records:
        if record.sku.startswith("HOSTILE-") and not record.fba:
            account.sell(record, 10**6)  # out of stock: the grid's most common cause
    service = make_service(SandboxApp(account, time_scale=TIME_SCALE))
    await service.sync(include_all=True)
    hostile_skus = {sku for sku, *_ in hostile.LISTINGS}
    app = make_app(lambda: service, sync_on_start=False)
    opened = 0
    async with app.run_test(size=SIZE) as pilot:
        await open_app(pilot)
        causes = await open_causes(pilot)
        rows = app.screen_stack[1].view.records
        wanted = [
            i
            for i, c in enumerate(causes.causes)
            if bulk_columns(c.key) and any(rows[r].sku in hostile_skus for r in c.rows)
        ]
        assert len(wanted) >= 2, [c.label for c in causes.causes]
        for index in wanted[:2]:  # out of stock and a missing attribute
            causes.query_one(CauseList).highlighted = index
            await pilot.press("b")
            await settle(pilot)
            assert isinstance(app.screen, BulkScreen)
            opened += 1
            shown = [sku for sku in hostile_skus if visible(sku)[:10] in assert_safe(app)]
            assert shown, "a hostile SKU in the grid"
            for key in ("down", "down", "right", "enter"):  # each row's line, the editor
                await pilot.press(key)
                await settle(pilot)
                assert_safe(app)
            await pilot.press("escape", "escape")
            await settle(pilot)
            if not isinstance(app.screen, CauseScreen):
                await pilot.press("v")
                await settle(pilot)
                causes = app.screen
    await service.aclose()
    assert opened == 2
