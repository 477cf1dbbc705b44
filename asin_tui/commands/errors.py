"""What the command line and its subcommands share without importing one another."""

from __future__ import annotations

#: The demo accounts (--scenario): asin_tui.sandbox.account.SCENARIOS, named here so the app
#: does not import the sandbox to parse its options (a test keeps the two equal).
DEMO_SCENARIOS = ("default", "vacation")


class UsageError(Exception):
    """Raised by commands for a user error: printed as one line, exit 2."""


def file_error(exc: BaseException) -> str:
    """An error as a command's one line says it: an OSError as its reason and path ("Not a
    directory: /x/cache"), not Python's "[Errno 20] Not a directory: '/x/cache'"."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return str(exc)
