"""The wizard's Fields step heads each thing once (session 8's walk): the price section was
headed "Price (allowed …)" and its first field "Price" again, one under the other."""

from __future__ import annotations

from tests.ui.conftest import settle
from tests.ui.test_wizard import SuppressedAccount, WizardApp
from tests.ui.test_wizard_demo import press


async def test_the_price_fields_heading_and_labels_each_say_price_once():
    async with WizardApp(SuppressedAccount(), None).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "n", "enter")  # Policy, then Fields
        screen = pilot.app.screen
        assert screen.query("#price-our_price"), "the Fields step asks for a price"
        headings = [str(label.render()) for label in screen.query(".section-title, .field-label")]
        names = [h.split(" (")[0].removesuffix(" *") for h in headings]
        assert names.count("Price") == 1, headings
        assert len(names) == len(set(names)), headings
        assert any(h.startswith("Price (allowed ") for h in headings), headings
