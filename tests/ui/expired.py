"""A pytest plugin that expires every notification as soon as it is told.

As on a loaded machine where a test's steps between a ``notify`` and its assertion take
longer than the notification's timeout (Textual then drops it from ``app._notifications``).
The UI tests keep notifications (tests/ui/conftest.py ``notifications_kept``), so they pass
with it; a test that reads notifications some other way would fail on demand:

    /work/venv/bin/python -m pytest -p tests.ui.expired tests/ui

Not loaded by default (a diagnostic, like ``starved``)."""

from __future__ import annotations

from textual.notifications import Notification

Notification.time_left = property(lambda self: -1.0)  # type: ignore[method-assign,assignment]
