"""How old a stored moment is, on a clock that may have been set back since it was stored.

Every "older than" decision (a cached sync fresh enough for ``report --cached``, a kept
restrictions or catalog answer young enough to use again, the stock cover or Account Health
due again, a pending report still worth looking for) compares a moment stored earlier with
this machine's clock now. A moment stored while the clock was ahead (it was set back since:
an NTP correction, a resumed virtual machine, a dead clock battery, a cache copied from
another machine) lies in the future: ``now - moment`` is negative, and each such decision
would wait for as long as the clock had been ahead — a month ahead, a month of stale
evidence shown as fresh. Its real age is unknown, so it is taken as older than anything.
"""

from __future__ import annotations

from datetime import datetime, timedelta

#: How far ahead of the clock a stored moment may be and still be taken as "just now" (two
#: processes' clocks, a small NTP step); further ahead, the clock was set back since.
CLOCK_SLACK = timedelta(minutes=5)

#: The age of a moment from a clock that was set back since (older than anything).
UNKNOWN_AGE = timedelta.max


def age(moment: datetime, now: datetime) -> timedelta:
    """How long ago ``moment`` was at ``now``: zero for a moment up to CLOCK_SLACK ahead,
    UNKNOWN_AGE (older than any limit) for one further ahead."""
    if moment - now > CLOCK_SLACK:
        return UNKNOWN_AGE
    return max(now - moment, timedelta(0))
