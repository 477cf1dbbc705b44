"""UI test helpers: the app on a fake account, and a way to wait until it has settled."""

from __future__ import annotations

import pytest

from asin_tui.ui.app import make_app
from tests.ui.fakes import AS_OF_NOW, FakeService, progress_of


async def settle(pilot) -> None:
    """Let screens mount, workers finish and their messages land."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(pilot, condition, seconds: float = 5.0) -> None:
    """Let the app run until ``condition()`` holds (checked every 20 ms of its loop); fail
    after ``seconds`` rather than hang. For what no event announces (a timer's tick, a paint)."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not met in time")


@pytest.fixture
def service() -> FakeService:
    return FakeService()


@pytest.fixture
def app(service):
    return make_app(lambda: service, case_labels_loader=progress_of, timing=AS_OF_NOW)
