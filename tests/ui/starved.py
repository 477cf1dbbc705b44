"""A pytest plugin that makes every UI test run as if its process were starved.

Textual's ``wait_for_idle`` (behind ``pilot.pause()`` and between the keys of one
``pilot.press``) ends once the process used under 1 ms of CPU in a 20 ms sleep: a process
that a loaded machine does not schedule looks idle at once. Here it always ends after that
first sleep, so a test that reads what a pause was meant to wait for fails on demand rather
than once in many loaded CI runs:

    /work/venv/bin/python -m pytest -p tests.ui.starved tests/ui

Not loaded by default (a diagnostic, like ``expired``)."""

from __future__ import annotations

import asyncio

import textual._wait
import textual.app
import textual.pilot


async def _starved(min_sleep: float = 0, max_sleep: float = 1) -> None:
    await asyncio.sleep(textual._wait.SLEEP_GRANULARITY)


textual._wait.wait_for_idle = _starved
textual.pilot.wait_for_idle = _starved
textual.app.wait_for_idle = _starved  # type: ignore[attr-defined]
