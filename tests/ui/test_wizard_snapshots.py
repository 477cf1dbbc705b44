"""Snapshots of the wizard steps at 100×30 and 80×24 (fixed in-test accounts: deterministic)."""

from __future__ import annotations

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


def _keys(*keys: str):
    """A step of a walk: these keys (or typing), each followed by a settle."""

    async def step(pilot) -> None:
        await settle(pilot)
        for key in keys:
            if key in TYPING:
                await TYPING[key](pilot)
                continue
            await pilot.press(key)
            await settle(pilot)

    return step


def _resized(width: int, height: int):
    """A step of a walk: the terminal resized (as a user drags its window)."""

    async def step(pilot) -> None:
        await pilot.resize_terminal(width, height)
        await settle(pilot)

    return step


def _then(*steps):
    """A step of a walk made of these steps in turn."""

    async def step(pilot) -> None:
        for each in steps:
            await each(pilot)

    return step


async def test_wizard_step_snapshot(snap_walk):
    """Each step of the out-of-stock walk at 100x30, in one run of the wizard; at Apply the
    send confirmation with the terminal shrunk to 80x24 (it fits), then back to 100x30 to
    send. The names are those of the files the parametrised tests of each state (one app
    each) wrote; the 80x24 one was ``test_wizard_at_80x24_snapshot[confirm_80x24-…]``,
    started at 80x24, whose file the resized app matches byte for byte."""
    await snap_walk(
        WizardApp(FakeAccount(), None),
        (100, 30),
        [
            ("overview-keys0", _keys()),
            ("stock-keys1", _keys("n", "type")),
            ("apply_preview-keys2", _keys("n")),
            ("confirm_80x24", _then(_keys("s"), _resized(80, 24))),  # the dialog before sending
            ("apply_submitted-keys3", _then(_resized(100, 30), _keys("ctrl+s"))),
            ("verify-keys4", _keys("n")),
            ("wrap_up-keys5", _keys("n")),
        ],
    )


async def test_wizard_policy_and_fields_snapshot(snap_walk):
    """A suppressed listing: policy checklist, a schema enum (Select), the price band; one run
    of the wizard through its states. At 80x24 every control reads as one (frame, cursor):
    the Fields step with its colour choice focused, the terminal shrunk to 80x24 (the file
    of ``test_wizard_at_80x24_snapshot[fields_80x24-…]``, which started at 80x24)."""
    await snap_walk(
        WizardApp(SuppressedAccount(), None),
        (100, 30),
        [
            ("policy-keys0", _keys("n")),
            ("fields-keys1", _keys("enter")),
            ("fields_80x24", _resized(80, 24)),  # the colour choice is focused
            ("fields_invalid_price-keys2", _then(_resized(100, 30), _keys("bad_price"))),
        ],
    )
