"""Snapshots of the wizard steps at 100×30 (fixed in-test accounts: deterministic)."""

from __future__ import annotations

import pytest

from tests.ui.test_wizard import FakeAccount, SuppressedAccount, WizardApp, settle


async def _type_quantity(pilot) -> None:
    await settle(pilot)
    pilot.app.screen.query_one("#stock-quantity Input").value = "12"
    await pilot.pause()
    pilot.app.set_focus(None)


async def _type_bad_price(pilot) -> None:
    await settle(pilot)
    pilot.app.screen.query_one("#price-our_price Input").value = "0"
    await pilot.pause()
    pilot.app.set_focus(None)


TYPING = {"type": _type_quantity, "bad_price": _type_bad_price}


def _walk(*keys: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            if key in TYPING:
                await TYPING[key](pilot)
                continue
            await pilot.press(key)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("overview", ()),
        ("stock", ("n", "type")),
        ("apply_preview", ("n", "type", "n")),
        ("apply_submitted", ("n", "type", "n", "s", "ctrl+s")),
        ("verify", ("n", "type", "n", "s", "ctrl+s", "n")),
        ("wrap_up", ("n", "type", "n", "s", "ctrl+s", "n", "n")),
    ],
)
def test_wizard_step_snapshot(snap_compare, name, keys):
    app = WizardApp(FakeAccount(), None)
    assert snap_compare(app, terminal_size=(100, 30), run_before=_walk(*keys))


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("policy", ("n",)),
        ("fields", ("n", "enter")),
        ("fields_invalid_price", ("n", "enter", "bad_price")),
    ],
)
def test_wizard_policy_and_fields_snapshot(snap_compare, name, keys):
    """A suppressed listing: policy checklist, a schema enum (Select), the price band."""
    app = WizardApp(SuppressedAccount(), None)
    assert snap_compare(app, terminal_size=(100, 30), run_before=_walk(*keys))


@pytest.mark.parametrize(
    ("name", "account", "keys"),
    [
        ("fields_80x24", SuppressedAccount, ("n", "enter")),  # the colour choice is focused
        ("confirm_80x24", FakeAccount, ("n", "type", "n", "s")),  # the dialog before sending
    ],
)
def test_wizard_at_80x24_snapshot(snap_compare, name, account, keys):
    """At 80×24 every control reads as one (frame, cursor) and the confirmation fits."""
    app = WizardApp(account(), None)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_walk(*keys))
