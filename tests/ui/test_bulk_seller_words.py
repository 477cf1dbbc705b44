"""What the bulk grid says to a seller walking it on the demo (session 8's walk): the title
counts listings in words."""

from __future__ import annotations

import pytest

from asin_tui.ui.screens.bulk import BulkScreen
from tests.ui.conftest import settle
from tests.ui.test_bulk_screen import (
    SIZE,
    choose,
    open_causes,
    started,
)
from tests.ui.test_wizard_demo import demo_app
from tests.ui.test_wizard_safety import request_log  # noqa: F401 (autouse: the log)


@pytest.mark.slow  # a demo app walk
async def test_a_cause_of_one_listing_is_titled_1_listing():
    async with demo_app().run_test(size=SIZE) as pilot:
        await started(pilot)
        causes = await open_causes(pilot)
        one = next(
            c.label for c in causes.causes if c.label.startswith("Missing: ") and c.count == 1
        )
        await choose(pilot, causes, one, key="b")
        await settle(pilot)
        bulk = pilot.app.screen
        assert isinstance(bulk, BulkScreen) and len(bulk.rows) == 1
        title = str(bulk.query_one("#bulk-title").render())
        assert f"{one} — 1 listing · values: " in title
