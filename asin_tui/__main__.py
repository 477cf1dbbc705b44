"""``python -m asin_tui`` and the ``asin-tui`` script (pyproject's ``[project.scripts]``)."""

import sys


def entry() -> int:
    """The command line, with Ctrl-C while Python is still loading asin-tui (its first ~0.1 s:
    the imports run before ``cli.main`` can catch anything) told in one line, exit 130, as
    later: it printed a Python traceback of whichever import it landed in."""
    try:
        from asin_tui.cli import main
    except KeyboardInterrupt:
        print("asin-tui: interrupted", file=sys.stderr)
        return 130
    return main()


if __name__ == "__main__":
    raise SystemExit(entry())
