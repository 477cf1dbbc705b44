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


def _keys(*keys: str):
    """A step of a walk: these keys (or typing), each followed by a settle."""

    async def step(pilot) -> None:
        await _walk(*keys)(pilot)

    return step


async def test_wizard_step_snapshot(snap_walk):
    """Each step of the out-of-stock walk at 100x30, in one run of the wizard. The names are
    those of the files the parametrised test of each state (one app each) wrote."""
    await snap_walk(
        WizardApp(FakeAccount(), None),
        (100, 30),
        [
            ("overview-keys0", _keys()),
            ("stock-keys1", _keys("n", "type")),
            ("apply_preview-keys2", _keys("n")),
            ("apply_submitted-keys3", _keys("s", "ctrl+s")),
            ("verify-keys4", _keys("n")),
            ("wrap_up-keys5", _keys("n")),
        ],
    )


async def test_wizard_policy_and_fields_snapshot(snap_walk):
    """A suppressed listing: policy checklist, a schema enum (Select), the price band; one run
    of the wizard through the three states."""
    await snap_walk(
        WizardApp(SuppressedAccount(), None),
        (100, 30),
        [
            ("policy-keys0", _keys("n")),
            ("fields-keys1", _keys("enter")),
            ("fields_invalid_price-keys2", _keys("bad_price")),
        ],
    )


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
