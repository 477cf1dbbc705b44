"""The UI's pace and clock: how many rows the list reads first, how often it looks for a
pending Account Health report and whether the stock cover is due, how long the wizard waits
for typing to pause before saving, what day it is for the dates the list shows.

Passed in where the app is built (``make_app(timing=…)`` → ``ListScreen``, ``WizardScreen``);
the defaults are what a seller gets. A test passes its own (a look every 50 ms) instead of
patching constants."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class UiTiming:
    #: rows read first, to paint at once; every row follows from the same worker
    first_rows: int = 200
    #: while Amazon prepares the Account Health report a sync asked for, the list looks
    #: again every so many seconds, at most ``health_looks`` times
    health_look_seconds: float = 20.0
    health_looks: int = 15
    #: seconds of quiet typing in the wizard before what was typed is saved
    save_delay: float = 0.5
    #: how often the list sees whether the stock cover (the At risk view's days of cover) is
    #: due: older than its freshness (twice a day) or a report pending; then it reads the
    #: sales reports in the background. It also looks on opening and after each sync.
    #: 0: only then.
    cover_check_seconds: float = 600.0
    #: seconds after the app mounted when its start is over (the first screen up, its rows
    #: painted): the garbage collector, paused for the start (cli), runs again
    started_seconds: float = 1.0
    #: the longest the list waits for the frame that draws its first rows before it opens
    #: the account's client and starts the start-up sync anyway (its table covered)
    paint_wait: float = 0.5
    #: what time it is (UTC): the list's Since column shows a date of this year without
    #: its year (``Nov 03``), one of another year with it (``Nov 2025``)
    clock: Callable[[], datetime] = utc_now


UI_TIMING = UiTiming()
