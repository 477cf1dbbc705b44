"""The UI's pace: how many rows the list reads first, how often it looks for a pending Account
Health report, how long the wizard waits for typing to pause before saving.

Passed in where the app is built (``make_app(timing=…)`` → ``ListScreen``, ``WizardScreen``);
the defaults are what a seller gets. A test passes its own (a look every 50 ms) instead of
patching constants."""

from __future__ import annotations

from dataclasses import dataclass


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
    #: seconds after the app mounted when its start is over (the first screen up, its rows
    #: painted): the garbage collector, paused for the start (cli), runs again
    started_seconds: float = 1.0


UI_TIMING = UiTiming()
