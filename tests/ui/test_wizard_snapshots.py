"""Snapshots of the wizard steps at 100×30 (fixed in-test account: deterministic)."""

from __future__ import annotations

import pytest

from tests.ui.test_wizard import FakeAccount, WizardApp, settle


async def _type_quantity(pilot) -> None:
    await settle(pilot)
    pilot.app.screen.query_one("#stock-quantity Input").value = "12"
    await pilot.pause()
    pilot.app.set_focus(None)


def _walk(*keys: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            if key == "type":
                await _type_quantity(pilot)
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
        ("apply_submitted", ("n", "type", "n", "s")),
        ("verify", ("n", "type", "n", "s", "n")),
        ("wrap_up", ("n", "type", "n", "s", "n", "n")),
    ],
)
def test_wizard_step_snapshot(snap_compare, name, keys):
    app = WizardApp(FakeAccount(), None)
    assert snap_compare(app, terminal_size=(100, 30), run_before=_walk(*keys))
