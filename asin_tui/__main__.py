"""``python -m asin_tui`` and the ``asin-tui`` script (pyproject's ``[project.scripts]``)."""

import sys

#: The commands SIGTERM interrupts as Ctrl-C does from their start (commands/_signals.py):
#: they work on the account for a while and tell an interruption in one line, exit 130.
INTERRUPTIBLE = frozenset({"report", "fix", "watch"})
#: The options before the command that take a value (cli.build_parser)
_VALUED = ("--scenario", "--profile", "--marketplace")


def entry() -> int:
    """The command line, with Ctrl-C while Python is still loading asin-tui (its first ~0.1 s:
    the imports run before ``cli.main`` can catch anything) told in one line, exit 130, as
    later: it printed a Python traceback of whichever import it landed in. For ``report``,
    ``fix`` and ``watch`` a SIGTERM then is told the same way (it ended them silently,
    status -15, until their own handler was set ~0.2 s in); ``watch`` says it as it does once
    started, and exits 0 unless ``--once`` (a service manager's stop is not a failure)."""
    command = command_named(sys.argv[1:])
    try:
        if command in INTERRUPTIBLE:
            from asin_tui.commands._signals import sigterm_interrupts_from_now

            sigterm_interrupts_from_now()
        from asin_tui.cli import main
    except KeyboardInterrupt:
        if command == "watch":  # as watch says it once started (README's exit table)
            print("asin-tui watch: stopped before its first round", file=sys.stderr)
            return 130 if "--once" in sys.argv[1:] else 0
        print("asin-tui: interrupted", file=sys.stderr)
        return 130
    return main()


def command_named(args: list[str]) -> str | None:
    """The command word of ``args`` (the first one not an option or an option's value), as
    argparse will read it; None: none (the app)."""
    value_next = False
    for arg in args:
        if value_next:
            value_next = False
        elif arg.startswith("--"):  # an option, maybe abbreviated (--prof NAME)
            value_next = "=" not in arg and len(arg) > 2 and any(o.startswith(arg) for o in _VALUED)
        elif not arg.startswith("-"):
            return arg
    return None


if __name__ == "__main__":
    raise SystemExit(entry())
