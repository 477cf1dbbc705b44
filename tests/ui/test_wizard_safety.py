"""Nothing reaches the seller's account by a stray keystroke (issue 9, item 1).

On the demo (the real app over the in-process sandbox), every request the sandbox receives is
logged at the wire: a real ``patchListingsItem`` (no ``mode=VALIDATION_PREVIEW``) is what would
change a live listing. Typing that used to press n (Apply) then s (submit) now stays text in
the field, and a submit needs the confirmation dialog's ctrl+s.
"""

from __future__ import annotations

import dataclasses
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from textual import events
from textual.app import App
from textual.widgets import Button, Input, Select, Static, TextArea

from asin_tui.domain import codes
from asin_tui.domain.models import Offer, State, WizardStep
from asin_tui.sandbox.app import SandboxApp
from asin_tui.store.cases import CaseStore, PatchMode
from asin_tui.ui.screens.confirm import Confirmation, SendConfirmScreen
from asin_tui.ui.screens.wizard import WizardScreen
from asin_tui.ui.widgets.controls import Choice, TickBox
from asin_tui.ui.widgets.filter_input import FilterInput
from tests.ui.conftest import run_checks, settle
from tests.ui.test_wizard import (
    FakeAccount,
    SuppressedAccount,
    WizardApp,
    check_the_wizard,
    fields_are_typed_by_the_schema_and_become_patches,
)
from tests.ui.test_wizard_demo import (
    SIZE,
    demo_app,
    demo_sku,
    demo_truth,
    open_wizard,
    press,
    type_into,
)
from tests.ui.test_wizard_inputs import (
    a_new_price_outside_the_band_is_said_as_you_type_and_not_sent,
)
from tests.ui.test_wizard_polish import (
    a_resolved_wrap_up_says_what_was_sent_and_how_to_leave,
    in_a_text_box_enter_starts_a_new_line_and_the_hint_says_so,
    long_checklist_items_wrap_at_80_columns,
    the_price_fields_heading_and_labels_each_say_price_once,
)

CONTROLS = (Input, Select, TextArea, TickBox)
US_ID, DE_ID = "ATVPDKIKX0DER", "A1PA6795UKMFR9"
PATCHES: list[tuple[str, bool]] = []  # (path, preview) of every patchListingsItem received


@pytest.fixture(autouse=True)
def request_log(monkeypatch):
    """Every sandbox's handle (the demo's among them) wrapped to log each patchListingsItem
    request as it arrives, then answered as before."""
    PATCHES.clear()
    handle = SandboxApp.handle

    def logged(self, method, path, query="", headers=(), body=b"", **kwargs):
        if method.upper() == "PATCH" and "/listings/" in path:
            PATCHES.append((path, "VALIDATION_PREVIEW" in str(query)))
        return handle(self, method, path, query, headers, body, **kwargs)

    monkeypatch.setattr(SandboxApp, "handle", logged)
    return PATCHES


def real_patches() -> list[str]:
    return [path for path, preview in PATCHES if not preview]


@pytest.mark.slow  # a demo app walk
async def test_tab_then_typing_on_a_single_field_step_stays_text_and_sends_nothing():
    sku = demo_sku(codes.MISSING_ATTRIBUTE)
    async with demo_app().run_test(size=SIZE) as pilot:
        screen = await open_wizard(pilot, sku)
        await press(pilot, "n")
        assert screen.body.state.step is WizardStep.FIELDS
        (missing,) = screen.body.state.plan.fields
        field = screen.query_one(f"#attr-{missing.name}").query_one("Input, TextArea")
        assert screen.focused is field, "entering the step focuses its first field"
        await pilot.press(*"Solid oak")
        await pilot.press("tab")  # one field: Tab cycles back to it, never to nowhere
        await settle(pilot)
        assert screen.focused is field
        await pilot.press(*" and silver")
        await settle(pilot)
        typed = field.value if isinstance(field, Input) else field.text
        assert typed == "Solid oak and silver"
        assert screen.body.state.step is WizardStep.FIELDS
        assert not isinstance(pilot.app.screen, SendConfirmScreen)
    assert real_patches() == []
    assert demo_truth().intended_causes(sku) == frozenset({codes.MISSING_ATTRIBUTE})


@pytest.mark.slow  # a demo app walk
async def test_n_s_typed_on_another_sku_cannot_send_without_the_confirmation():
    sku = demo_sku(codes.OUT_OF_STOCK_MFN)
    async with demo_app().run_test(size=SIZE) as pilot:
        screen = await open_wizard(pilot, sku)
        await press(pilot, "n")
        assert screen.body.state.step is WizardStep.STOCK
        quantity = screen.query_one("#stock-quantity Input", Input)
        assert screen.focused is quantity
        await type_into(pilot, quantity, "12")
        await press(pilot, "n", "s")  # in the field: text, not commands
        assert quantity.value == "12ns" and screen.body.state.step is WizardStep.STOCK
        await type_into(pilot, quantity, "12")
        await press(pilot, "escape")  # out of the field: now letters are commands
        await press(pilot, "n")
        assert screen.body.state.step is WizardStep.APPLY
        assert screen.body.state.preview is not None and screen.body.state.preview.status == "VALID"
        await press(pilot, "s")  # the confirmation, not a submit
        dialog = pilot.app.screen
        assert isinstance(dialog, SendConfirmScreen)
        shown = " ".join(str(s.render()) for s in dialog.query("Static"))
        assert sku in shown and "United States (US" in shown
        assert "Set quantity to 12 (was 0)" in shown
        assert dialog.focused is dialog.query_one("#send-no", Button), "default: No"
        await press(pilot, "y", "s", "space", "tab", "tab")  # no typing confirms
        assert pilot.app.screen is dialog and real_patches() == []
        await press(pilot, "enter")  # Enter on the default: No
        assert pilot.app.screen is screen
        for no in ("enter", "escape", "n"):  # Enter on the default is No too
            await press(pilot, "s")
            assert isinstance(pilot.app.screen, SendConfirmScreen)
            await press(pilot, no)
            assert pilot.app.screen is screen, no
        assert real_patches() == []
        assert all(
            p.mode is PatchMode.VALIDATION_PREVIEW for p in screen.body.state.case_record.patches
        )
    assert demo_truth().intended_causes(sku) == frozenset({codes.OUT_OF_STOCK_MFN})


async def test_ctrl_s_in_the_confirmation_sends_exactly_one_real_patch():
    sku = demo_sku(codes.OUT_OF_STOCK_MFN)
    async with demo_app().run_test(size=SIZE) as pilot:
        screen = await open_wizard(pilot, sku)
        await press(pilot, "n")
        await type_into(pilot, screen.query_one("#stock-quantity Input", Input), "12")
        # in a field the footer's Escape says what it does there (it read "esc Leave")
        assert screen.active_bindings["escape"].binding.description == "Leave field"
        await press(pilot, "enter")  # Enter in the field: the next step (Apply validates)
        assert screen.body.state.step is WizardStep.APPLY
        assert screen.active_bindings["escape"].binding.description == "Leave"
        await press(pilot, "s", "ctrl+s")
        assert isinstance(pilot.app.screen, WizardScreen)
        assert len(real_patches()) == 1
        real = [p for p in screen.body.state.case_record.patches if p.mode is PatchMode.REAL]
        assert [p.status for p in real] == ["ACCEPTED"]
        await press(pilot, "s", "ctrl+s")  # accepted already: nothing more is sent
        assert len(real_patches()) == 1
        records = len(screen.body.state.case_record.patches)
        await press(pilot, "p")  # nor validated again: Amazon's answer stays the ACCEPTED one
        assert len(screen.body.state.case_record.patches) == records
        answer = str(screen.query_one("#apply-answer", Static).render())
        assert "ACCEPTED" in answer and "Press s" not in answer
        assert screen.body.state.step is WizardStep.APPLY
    assert demo_truth().intended_causes(sku) == frozenset()


# ---------------------------------------------------------------- focus and letter keys


def letter_keys(screen) -> list[str]:
    """The single-character keys a press would act on now (screen's, app's, widgets')."""
    return sorted(key for key in screen.active_bindings if len(key) == 1 or key == "question_mark")


def controls(screen) -> list:
    return [w for w in screen.focus_chain if isinstance(w, CONTROLS)]


async def test_no_letter_binding_fires_while_a_control_has_focus(app):
    """Every control of every wizard step, and the list's filter box: while it has focus no
    single-letter key (n, s, q, ?…) is a command, and a typed letter stays where it is."""
    async with app.run_test(size=(100, 30)) as pilot:  # the list, on the fake account
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(pilot.app.focused, FilterInput)
        assert letter_keys(pilot.app.screen) == []
        await pilot.press("q")  # typed into the filter, the app goes on
        assert pilot.app.focused.value == "q" and pilot.app.is_running
        await press(pilot, "escape", "escape", "e")  # the export dialog: its name, its format
        dialog = pilot.app.screen
        for control in [w for w in dialog.focus_chain if not isinstance(w, Button)]:
            dialog.set_focus(control)
            await pilot.pause()
            assert letter_keys(dialog) == [], control
        await press(pilot, "escape")
    for account in (FakeAccount(), SuppressedAccount()):
        async with WizardApp(account, None).run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            screen = pilot.app.screen
            seen = 0
            while True:
                for control in controls(screen):
                    screen.set_focus(control)
                    await pilot.pause()
                    assert letter_keys(screen) == [], (screen.body.state.step, control)
                    seen += 1
                if (
                    screen.body.state.step is WizardStep.FIELDS
                    or screen.body.state.step.value == "apply"
                ):
                    break
                screen.set_focus(None)
                await press(pilot, "n")
            assert seen >= 2


async def test_the_pillowcases_steps_focus_their_first_control_and_its_fields_are_checked_as_typed():
    """The suppressed pillowcase's wizard walked once at 100x30, its behaviours checked in
    turn (run_checks): what each asserts is its name. The first walks from the Overview to
    the Fields step; each after it starts and ends there."""
    await check_the_wizard(
        SuppressedAccount(),
        (100, 30),
        (),
        each_step_focuses_its_first_control_a_letter_opens_a_choice_tab_stays_inside,
        fields_are_typed_by_the_schema_and_become_patches,
        a_new_price_outside_the_band_is_said_as_you_type_and_not_sent,
        in_a_text_box_enter_starts_a_new_line_and_the_hint_says_so,
    )


async def each_step_focuses_its_first_control_a_letter_opens_a_choice_tab_stays_inside(
    pilot,
) -> None:
    """The focus on entering each step; at Fields, a letter on the focused choice (below),
    then Tab round every control. The choice is emptied again after (nothing picked)."""
    screen = pilot.app.screen
    assert screen.focused is None  # the Overview has no control: letters are commands
    await press(pilot, "n")
    assert screen.body.state.step is WizardStep.POLICY
    assert isinstance(screen.focused, TickBox) and screen.focused is controls(screen)[0]
    await press(pilot, "enter")  # Enter on a checkbox: the next step (Space ticks)
    assert screen.body.state.step is WizardStep.FIELDS
    chain = controls(screen)
    assert screen.focused is chain[0] and isinstance(chain[0], Choice)
    await a_letter_on_a_choice_opens_it_at_the_match_never_the_placeholder(pilot)
    assert screen.focused is chain[0]
    visited = []
    for _ in range(len(screen.focus_chain) + 1):
        await press(pilot, "tab")
        focused = screen.focused
        visited.append(focused)
        assert isinstance(focused, CONTROLS) and focused.display, focused
        assert focused.region.height > 0, "on screen, scrolled into view"
    assert set(visited) == set(chain)
    screen.query_one("#attr-color Select", Select).clear()
    await settle(pilot)


async def a_letter_on_a_choice_opens_it_at_the_match_never_the_placeholder(pilot) -> None:
    """At the Fields step of the suppressed pillowcase, its colour choice focused."""
    screen = pilot.app.screen
    colour = screen.query_one("#attr-color Select", Select)
    assert screen.focused is colour
    await press(pilot, "t")  # opens the list at Teal
    assert colour.expanded and screen.body.state.step is WizardStep.FIELDS, "t opens the list"
    await press(pilot, "enter")
    assert colour.value == "teal" and not colour.expanded, "Enter picks Teal"
    await press(pilot, "c")  # only "Choose…" has a c: the placeholder is never picked
    assert colour.expanded, "c opens the list"
    await press(pilot, "enter")
    assert colour.value == "teal", "c never picks the placeholder"


# ---------------------------------------------------------------- controls you can see


async def test_at_80x24_the_pillowcases_checklist_wraps_each_control_reads_as_one_and_price_is_said_once():
    """The suppressed pillowcase's wizard at 80x24, walked once to its Fields step, its
    behaviours checked in turn (run_checks): what each asserts is its name."""
    await check_the_wizard(
        SuppressedAccount(),
        (80, 24),
        ("n",),  # Policy: the checklist
        long_checklist_items_wrap_at_80_columns,
        every_control_reads_as_one_without_colour,
        the_price_fields_heading_and_labels_each_say_price_once,
    )


async def every_control_reads_as_one_without_colour(pilot) -> None:
    """A frame made of characters (not a background colour) around every field, a brighter
    one with the focus, and [x] / [ ] for checkboxes: the same with NO_COLOR or 16 colours.
    From the Policy step, nothing ticked; it ends at Fields."""
    screen = pilot.app.screen
    assert screen.body.state.step is WizardStep.POLICY
    box = screen.query(TickBox).first()
    assert str(box.render()).startswith("[ ]")
    await press(pilot, "space")
    assert str(box.render()).startswith("[x]")
    await press(pilot, "enter")  # Fields: a drop-down, text inputs
    framed = [
        *screen.query("Input"),
        *screen.query("TextArea"),
        *(s.query_one("SelectCurrent") for s in screen.query(Select)),
    ]
    assert framed
    for widget in framed:
        focused = widget is screen.focused or widget.parent is screen.focused
        left, right = widget.styles.border_left, widget.styles.border_right
        kinds = {"heavy"} if focused else {"solid"}
        assert left[0] in kinds and right[0] in kinds, (widget, left, right)


# ---------------------------------------------------------------- quitting


@pytest.mark.parametrize("keys", [("q", "e"), ("q", "w"), ("q", "w", "n"), ("q", "enter")])
async def test_keys_typed_right_after_q_do_not_crash_the_exit(app, keys):
    """A terminal delivers `qe` typed quickly in one read: both keys are queued before the
    quit is processed. The app closes cleanly (exit code 0), opening nothing on the way."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in keys:  # queued together, as a terminal delivers them
            pilot.app.post_message(events.Key(key, key if len(key) == 1 else None))
        await pilot.pause()
    assert app.return_code == 0 and app._exception is None


# ---------------------------------------------------------------- amounts as the seller writes them


def german(listing):
    """The suppressed pillowcase on amazon.de, priced 124.0 EUR (a float, as JSON gives it)."""
    attributes = json.loads(json.dumps(listing.attributes).replace(US_ID, DE_ID))
    attributes["purchasable_offer"][0].update(currency="EUR")
    attributes["purchasable_offer"][0]["our_price"] = [{"schedule": [{"value_with_tax": 124.0}]}]
    return dataclasses.replace(
        listing,
        marketplace_id=DE_ID,
        attributes=attributes,
        offers=(Offer(DE_ID, "B2C", Decimal("124.0"), "EUR"),),
    )


async def test_a_german_price_is_typed_with_a_decimal_comma_shown_as_money_and_read_back_the_same():
    """The pillowcase on amazon.de at its Fields step (100x30), its behaviours checked in
    turn (run_checks): what each asserts is its name. Each starts and ends at Fields."""
    account = SuppressedAccount()
    account.listing = german(account.listing)
    await check_the_wizard(
        account,
        (100, 30),
        ("n", "enter"),  # Policy, then Fields
        a_german_price_takes_a_decimal_comma_and_is_shown_as_money,
        a_typed_german_price_reads_back_the_same_after_going_back,
    )


async def a_german_price_takes_a_decimal_comma_and_is_shown_as_money(pilot) -> None:
    """Nothing typed or sent yet."""
    screen = pilot.app.screen
    assert screen.body.state.step is WizardStep.FIELDS
    price = screen.query_one("#price-our_price Input", Input)
    assert price.value == "124.00", "money with the currency's decimals, never 124.0"
    title = " ".join(str(label.render()) for label in screen.query(".section-title"))
    assert "Price (allowed 24.22 – 72.68 EUR)" in title
    await type_into(pilot, price, "69,99")
    assert screen.query_one("#price-our_price .field-message").render().plain == ""
    assert screen.body.state.draft.price == Decimal("69.99")
    colour = screen.query_one("#attr-color Select", Select)
    colour.value = "teal"
    await pilot.pause()
    screen.set_focus(None)
    await press(pilot, "n", "s")  # Apply (validated), then the confirmation
    dialog = pilot.app.screen
    assert isinstance(dialog, SendConfirmScreen)
    shown = " ".join(str(s.render()) for s in dialog.query("Static"))
    assert "Germany (DE, A1PA6795UKMFR9)" in shown
    assert "Set price to 69.99 EUR (was 124.00 EUR)" in shown
    await press(pilot, "escape")
    assert [preview for _, preview in pilot.app.account.sent] == [True]
    await press(pilot, "b")  # back at Fields


async def a_typed_german_price_reads_back_the_same_after_going_back(pilot) -> None:
    screen = pilot.app.screen
    assert screen.body.state.step is WizardStep.FIELDS
    await type_into(
        pilot, screen.query_one("#price-minimum_seller_allowed_price Input", Input), "0,125"
    )
    assert screen.body.state.draft.minimum == Decimal("0.125")
    screen.set_focus(None)
    await press(pilot, "b", "escape", "n")  # Policy and back to the Fields step
    assert screen.body.state.step is WizardStep.FIELDS
    shown = screen.query_one("#price-minimum_seller_allowed_price Input", Input)
    assert shown.value == "0,125" and screen.body.state.draft.minimum == Decimal("0.125")


# ---------------------------------------------------------------- the stepper's marks


def marks(screen) -> str:
    return str(screen.query_one("#wizard-stepper").render())


async def test_marks_follow_the_work_ready_is_not_done_and_the_wrap_up_says_what_was_sent():
    """The mug walked once at 100x30, from its Stock step to a submit Amazon accepted (the
    marks, run_checks), then on to the Wrap up."""
    await check_the_wizard(
        FakeAccount(),
        (100, 30),
        (),
        marks_follow_the_work_ready_is_not_done,
        a_resolved_wrap_up_says_what_was_sent_and_how_to_leave,
    )


async def marks_follow_the_work_ready_is_not_done(pilot) -> None:
    """Stock turns + once a valid quantity is typed (! again when it is cleared); Apply is +
    after a VALID preview and ✓ only once Amazon ACCEPTED the real submit. From the
    Overview; it ends at Apply, 12 units accepted."""
    await press(pilot, "n")
    screen = pilot.app.screen
    assert "2!" in marks(screen)
    quantity = screen.query_one("#stock-quantity Input", Input)
    await type_into(pilot, quantity, "12")
    assert "2+" in marks(screen)
    await type_into(pilot, quantity, "")
    assert "2!" in marks(screen)
    await type_into(pilot, quantity, "12")
    await press(pilot, "enter")  # Apply: validated
    assert screen.body.state.preview.status == "VALID"
    assert "5+" in marks(screen) and "5✓" not in marks(screen)
    await press(pilot, "s", "escape")  # reviewed, not sent: still +
    assert "5+" in marks(screen)
    await press(pilot, "s", "ctrl+s")
    assert "5✓" in marks(screen)


# ---------------------------------------------------------------- variation parents


async def test_the_wizard_on_a_variation_parent_says_why_and_keeps_no_open_item(app, service):
    parent = next(r for r in service.records if r.state is State.VARIATION_PARENT)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        listed = pilot.app.screen
        pilot.app.action_open_wizard(parent.sku)
        await settle(pilot)
        assert pilot.app.screen is listed, "nothing to reactivate: back on the list"
        said = [n.message for n in pilot.app._notifications]
        assert any("never buyable by design" in str(m) for m in said), said
    store = CaseStore(service.profile_name, service.marketplace_id)
    assert store.get(parent.sku) is None


def test_screens_use_the_controls_that_keep_letters_and_read_without_colour():
    """A plain Select or Checkbox lets letters fire commands while it has focus (and a
    Checkbox looks the same ticked and unticked without colour): use Choice and TickBox."""
    ui = Path(__file__).resolve().parents[2] / "asin_tui" / "ui"
    offenders = [
        f"{path.relative_to(ui)}:{n}"
        for path in ui.rglob("*.py")
        if path.name != "controls.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\b(Select|Checkbox)\(", line)
    ]
    assert offenders == []


# ---------------------------------------------------------------- the send confirmation


class DialogHost(App):
    """An empty app styled like asin-tui (its stylesheet), for the send confirmation alone:
    a modal screen, laid out the same over the wizard or the bulk grid."""

    CSS_PATH = WizardApp.CSS_PATH


async def test_the_send_confirmation_fits_lists_every_change_and_only_ctrl_s_sends():
    """Each check pushes its own confirmation over one host app, at the size it names, and
    answers it (run_checks): what each asserts is its name."""
    async with DialogHost().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await run_checks(
            pilot,
            a_long_list_of_changes_scrolls_and_the_keys_stay_on_screen_at_80x24,
            a_batchs_confirmation_keeps_its_keys_and_buttons_inside_the_dialog,
            a_large_batchs_confirmation_names_its_count_and_changes_and_typing_cannot_send,
            a_batchs_listing_lines_show_hostile_skus_and_changes_as_text,
        )
        assert len(pilot.app.screen_stack) == 1, "every confirmation was answered"


async def a_long_list_of_changes_scrolls_and_the_keys_stay_on_screen_at_80x24(pilot) -> None:
    changes = [f"Set bullet_point line {n} to something long enough to wrap" for n in range(30)]
    confirmation = Confirmation("Send these changes to Amazon?", "SKU-1", "United States", changes)
    answers: list = []
    await pilot.resize_terminal(80, 24)
    pilot.app.push_screen(SendConfirmScreen(confirmation), answers.append)
    await settle(pilot)
    dialog = pilot.app.screen
    screen_region = dialog.region
    for selector in ("#send-no", "#send-yes", ".hint"):
        region = dialog.query_one(selector).region
        assert region.height > 0 and screen_region.contains_region(region), selector
    view = dialog.query_one("#send-changes")
    assert view.max_scroll_y > 0
    await press(pilot, "down", "pagedown")
    assert view.scroll_y > 0 and answers == []
    await press(pilot, "ctrl+s")
    assert answers == [True]


async def a_batchs_confirmation_keeps_its_keys_and_buttons_inside_the_dialog(pilot) -> None:
    """A bulk batch's confirmation at 80x24 — twelve SKUs named, the changes, a three-line
    warning — needs more lines than the dialog has: the list of changes gives them up (it
    scrolls), the keys line and both buttons stay inside the dialog, not cut off under it."""
    skus = [f"SKU-{n:04d}-LONG" for n in range(40)]
    confirmation = Confirmation(
        "Send these changes to Amazon? 40 listings",
        ", ".join(skus[:12]) + f" and {len(skus) - 12} more",
        "United States (US, ATVPDKIKX0DER)",
        [f"{sku}: Set quantity to 12 (was 0)" for sku in skus],
        warning="3 of these listings are also blocked by another cause (Invalid: "
        "country_of_origin; Missing: outer_material; Restricted product policy): this fix "
        "alone will not put them back on sale",
        sku_label="SKUs",
    )
    for size in ((80, 24), (120, 40)):
        answers: list = []
        await pilot.resize_terminal(*size)
        pilot.app.push_screen(SendConfirmScreen(confirmation), answers.append)
        await settle(pilot)
        dialog = pilot.app.screen
        inside = dialog.query_one("#send-dialog").content_region
        for selector in ("#send-sku", "#send-warning", ".hint", "#send-no", "#send-yes"):
            region = dialog.query_one(selector).region
            assert region.height > 0 and inside.contains_region(region), (size, selector, region)
        view = dialog.query_one("#send-changes")
        assert view.region.height >= 1 and view.max_scroll_y > 0, size
        await press(pilot, "pagedown")
        assert view.scroll_y > 0 and answers == [], size
        await press(pilot, "ctrl+s")
        assert answers == [True], size


def _batch(count: int) -> list:
    from asin_tui.bulk import RowResult
    from asin_tui.domain.bulk import RowOutcome

    return [
        RowResult(
            f"SKU-{n:05d}",
            changes=[f"Set quantity to 12 (was {3 if n % 50 == 0 else 0})"],
            preview="VALID",
            outcome=RowOutcome.VALID,
        )
        for n in range(count)
    ]


def _dialog_text(dialog) -> str:
    return "\n".join(str(s.render()) for s in dialog.query("Static, Label"))


async def a_large_batchs_confirmation_names_its_count_and_changes_and_typing_cannot_send(
    pilot,
) -> None:
    """Issue 13: 2,000 listings at 80x24 — the one confirmation says how many, which SKUs and
    what changes, each distinct change once with its count (not one line per listing, whose
    cost grew with the batch); every listing is still listed, drawn as it is scrolled into
    view. Enter, Space, Tab and letters never send; only ctrl+s does."""
    from asin_tui.ui.screens.bulk import batch_confirmation

    answers: list = []
    texts = {}
    await pilot.resize_terminal(80, 24)
    for count in (20, 2000):
        confirmation = batch_confirmation(_batch(count), 0, marketplace_id=US_ID)
        pilot.app.push_screen(SendConfirmScreen(confirmation), answers.append)
        await settle(pilot)
        dialog = pilot.app.screen
        texts[count] = _dialog_text(dialog)
        title = str(dialog.query_one(".dialog-title").render())
        assert f"{count} listings" in title
        assert "SKU-00000, SKU-00001" in texts[count]  # which SKUs: the first named
        grouped = f"Set quantity to 12 — {count} listings: SKU-00000, SKU-00001, SKU-00002"
        assert grouped in " ".join(texts[count].split())
        assert "(was 0 on" in texts[count]
        inside = dialog.query_one("#send-dialog").content_region
        for selector in (".hint", "#send-no", "#send-yes"):
            region = dialog.query_one(selector).region
            assert region.height > 0 and inside.contains_region(region), selector
        await pilot.press("y", "s", "space", "tab", "a", "1")
        await settle(pilot)
        assert pilot.app.screen is dialog and answers == []  # typing sent nothing
        await pilot.press("end")  # every listing is listed: the last one too
        await settle(pilot)
        shown = "\n".join(
            "".join(s.text for s in strip) for strip in dialog._compositor.render_strips()
        )
        assert f"SKU-{count - 1:05d}: Set quantity to 12 (was 0)" in shown
        await pilot.press("enter")  # on the default button: No
        await settle(pilot)
        assert answers == [False]
        answers.clear()
    # as many lines of text for 2,000 listings as for 20 (the counts aside)
    assert len(texts[2000].splitlines()) == len(texts[20].splitlines())
    pilot.app.push_screen(
        SendConfirmScreen(batch_confirmation(_batch(2000), 0, marketplace_id=US_ID)),
        answers.append,
    )
    await settle(pilot)
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert answers == [True]


async def a_batchs_listing_lines_show_hostile_skus_and_changes_as_text(pilot) -> None:
    """The listing lines are drawn segment by segment, not through a Static: an SKU or a value
    holding markup, a terminal escape or a bidi override is shown literally there too."""
    from asin_tui.bulk import RowResult
    from asin_tui.domain.bulk import RowOutcome
    from asin_tui.ui.screens.bulk import batch_confirmation
    from tests.ui.test_hostile_strings import assert_safe

    sku = "[b]SKU[/b]\x1b]52;c;eA==\x07\u202eX"
    change = "Set brand to [@click=app.quit]Acme[/] (was \x1b[31mOld)"
    valid = [
        *_batch(3),
        RowResult(sku, changes=[change], preview="VALID", outcome=RowOutcome.VALID),
    ]
    answers: list = []
    await pilot.resize_terminal(120, 40)
    pilot.app.push_screen(
        SendConfirmScreen(batch_confirmation(valid, 0, marketplace_id=US_ID)), answers.append
    )
    await settle(pilot)
    await pilot.press("end")
    await settle(pilot)
    assert_safe(
        pilot.app,
        "[b]SKU[/b]\\x1b]52;c;eA==\\x07\\u202eX: Set brand to [@click=app.quit]Acme[/]",
    )
    await press(pilot, "escape")
    assert answers == [False]


@pytest.mark.parametrize(
    ("blocked", "said"),
    [
        (1, "1 of these listings is also blocked by another cause"),
        (3, "3 of these listings are also blocked by another cause"),
    ],
)
def test_a_batchs_confirmation_counts_the_listings_another_cause_blocks(blocked, said):
    from asin_tui.ui.screens.bulk import batch_confirmation

    valid = _batch(5)
    others = {row.sku: ["Restricted product policy"] for row in valid[:blocked]}
    warning = batch_confirmation(valid, 0, marketplace_id=US_ID, blocked=others).warning
    assert warning.startswith(said)
    assert f"will not put {'it' if blocked == 1 else 'them'} back on sale" in warning
