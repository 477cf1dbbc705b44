"""What the command line and its subcommands share without importing one another."""

from __future__ import annotations

#: The demo accounts (--scenario): asin_tui.sandbox.account.SCENARIOS, named here so the app
#: does not import the sandbox to parse its options (a test keeps the two equal).
DEMO_SCENARIOS = ("default", "vacation")


class UsageError(Exception):
    """Raised by commands for a user error: printed as one line, exit 2."""
