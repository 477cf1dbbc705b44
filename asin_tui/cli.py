"""Command line entry point: `asin-tui [--demo|--profile NAME]` opens the TUI; subcommands script it.

Each subcommand lives in ``asin_tui.commands.<name>`` and exposes
``add_parser(subparsers) -> argparse.ArgumentParser`` and ``run(args) -> int``.
Exit codes: 0 ok / nothing needs attention, 1 needs attention, 2 usage, config or I/O error
(or a bug: one line, its traceback in a private file, see asin_tui/store/crash.py), 141 the
reader of the output went away (``| head``).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO, cast

from asin_tui import __version__
from asin_tui.commands.errors import DEMO_SCENARIOS, UsageError
from asin_tui.domain.redact import install_log_redaction, redact
from asin_tui.domain.text import visible

if TYPE_CHECKING:  # the demo's composition root loads only for --demo
    from asin_tui.demo import DemoSettings

SUBCOMMANDS = (
    "report",
    "diagnose",
    "fix",
    "progress",
    "watch",
    "sandbox",
    "config",
    "notifications",
)
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what the shell reports for a reader that left


def build_parser(commands: Iterable[str] = SUBCOMMANDS) -> argparse.ArgumentParser:
    """The whole command line. Only the subcommands in ``commands`` are imported for their
    options; the others are names only (what ``asin-tui`` without a subcommand, or ``report``,
    never needs: the sandbox server, http.server, email... ~50 ms)."""
    parser = argparse.ArgumentParser(
        prog="asin-tui",
        description=(
            "Find every Amazon listing of yours that is not live, learn exactly why, "
            "and get it back on sale. Without a subcommand, opens the terminal app."
        ),
    )
    parser.add_argument("--version", action="version", version=f"asin-tui {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use the built-in sandbox seller account (no credentials needed)",
    )
    parser.add_argument(
        "--reset", action="store_true", help="with --demo: start the demo account fresh"
    )
    parser.add_argument(
        "--scenario",
        choices=DEMO_SCENARIOS,
        default="default",
        metavar="NAME",
        help="with --demo: the demo seller's situation, one of %(choices)s (vacation: the "
        "account is in vacation mode, every seller-fulfilled offer inactive)",
    )
    parser.add_argument(
        "--profile", metavar="NAME", help="config profile to use (default: the first)"
    )
    parser.add_argument(
        "--marketplace", metavar="M", help="marketplace code or id (overrides the profile)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name in SUBCOMMANDS:
        if name in commands:
            importlib.import_module(f"asin_tui.commands.{name}").add_parser(sub)
        else:
            sub.add_parser(name)  # never chosen: its name is not among the arguments
    return parser


def _named_commands(argv: list[str] | None) -> Iterable[str]:
    """The subcommands whose options parsing ``argv`` may need: every one named in it (a
    superset: a profile called "report" names one too), all of them for a help request
    (which lists them)."""
    args = sys.argv[1:] if argv is None else argv
    if any(_asks_help(arg) for arg in args):
        return SUBCOMMANDS
    return [name for name in SUBCOMMANDS if name in args]


def _asks_help(arg: str) -> bool:
    """``-h``, ``--help`` or an abbreviation argparse accepts (``--he``)."""
    if arg.startswith("--"):
        return len(arg) > 2 and "--help".startswith(arg)
    return arg.startswith("-h")


class OutputError(Exception):
    """stdout cannot be written (a full disk, an I/O error). Deliberately not an OSError, so
    no command mistakes it for one of its own file errors: ``main`` tells it in one line."""


class _GuardedStdout:
    """sys.stdout, whose write and flush errors (other than a reader that left) become
    OutputError; everything else is the real stream's."""

    def __init__(self, stream: TextIO | BinaryIO | None) -> None:
        self._stream = stream  # None: started with stdout closed (`asin-tui … >&-`)

    def write(self, text: Any) -> int:  # str, or bytes on the binary layer
        if self._stream is None:
            raise OutputError("standard output is closed")
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(exc.strerror or str(exc)) from exc

    def flush(self) -> None:
        if self._stream is None:
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(exc.strerror or str(exc)) from exc

    @property
    def buffer(self) -> _GuardedStdout:
        """The binary layer (a report's UTF-8 written as it is), its errors told the same way
        (AttributeError when the stream has none)."""
        if self._stream is None:
            return self
        return _GuardedStdout(cast(TextIO, self._stream).buffer)

    def isatty(self) -> bool:
        return self._stream is not None and self._stream.isatty()

    def __getattr__(self, name: str) -> Any:
        if self._stream is None:
            raise OutputError("standard output is closed")
        return getattr(self._stream, name)


def main(
    argv: list[str] | None = None,
    *,
    demo: DemoSettings | None = None,
    time_scale: float = 1.0,
) -> int:
    """Run the command line ``argv``; ``demo``: how the demo's simulated Amazon runs for
    ``--demo`` (DemoSettings; a test passes its own, a user gets the defaults);
    ``time_scale``: how much faster than Amazon's the clock of the Amazon a profile calls
    runs (a test's sandbox served with ``sandbox serve --time-scale``; a user gets Amazon's,
    1): the client's pacing and backoff keep to it."""
    _redact_logs()  # a library's log line never carries an LWA token
    if sys.stderr is None:  # started with stderr closed (`2>&-`): its lines are dropped,
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115  never printed into stdout's data
    if sys.stdin is None:  # started with stdin closed (`<&-`): as an empty one, not a terminal
        sys.stdin = open(os.devnull)  # noqa: SIM115
    if sys.stdout is not None:
        # a locale that is not UTF-8 (LANG=en_US.ISO-8859-1): a character it cannot encode
        # ("→" in a fix, a CJK title) is written as \u2192, as on stderr, never a crash
        with contextlib.suppress(AttributeError, ValueError):
            sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    stdout = sys.stdout
    sys.stdout = _GuardedStdout(stdout)
    try:
        code = _run(argv, demo, time_scale)
        sys.stdout.flush()  # a closed pipe or a full disk shows here, not as a warning at exit
        return code
    except BrokenPipeError:  # `asin-tui ... | head`: the reader left, nothing more to say
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except OutputError as exc:  # `asin-tui ... > /dev/full`
        _silence_stdout()
        print(f"asin-tui: cannot write the output: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C before a command runs (loading it, parsing)
        print("asin-tui: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line here, its traceback (no secret) in a file
        from asin_tui.store.crash import record_crash

        print(record_crash(exc), file=sys.stderr)
        return 2
    finally:
        sys.stdout = stdout


def _run(argv: list[str] | None, demo: DemoSettings | None = None, time_scale: float = 1.0) -> int:
    parser = _command_line(argv)
    args = _parse(parser, argv)
    args.demo_settings = demo  # read by the commands that open the demo (commands/_account)
    args.client_time_scale = time_scale  # read by those that open a profile's client (same)
    try:
        if args.reset and not getattr(args, "demo", False):
            raise UsageError("--reset only applies to --demo")
        if args.scenario != "default" and not getattr(args, "demo", False):
            raise UsageError("--scenario only applies to --demo")
        if args.command is None:
            # Starting the app makes only objects it keeps (modules, classes, its first
            # screen): no garbage collection until it is up (ui/app.py collects again).
            gc.disable()
            try:
                from asin_tui.commands import tui

                return tui.run(args)
            finally:
                gc.enable()  # whatever happened (a usage error before the app started)
        module = importlib.import_module(f"asin_tui.commands.{args.command}")
        return module.run(args)
    except UsageError as exc:
        # may quote Amazon's text, and with it an LWA token it echoed
        print(f"asin-tui: {visible(redact(str(exc)))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("asin-tui: interrupted", file=sys.stderr)
        return 130


def _redact_logs() -> None:
    """The log redaction (domain.redact.install_log_redaction), installed before anything can
    log: now if ``logging`` is imported already, else the moment it is (right after its module
    runs, before the importer's next line). A command whose libraries never log
    (``report --cached``) never imports it: ~4 ms of its start."""
    if "logging" in sys.modules:
        install_log_redaction()
    elif not any(isinstance(finder, _AfterImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _AfterImport("logging", install_log_redaction))


class _AfterImport:
    """A meta path finder: ``then()`` runs right after the module ``name`` is first imported
    (it finds nothing itself: the other finders find the module, whose loader it wraps)."""

    def __init__(self, name: str, then: Callable[[], None]) -> None:
        self.name, self.then = name, then

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != self.name:
            return None
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(self)
        for finder in sys.meta_path:
            spec = getattr(finder, "find_spec", lambda *_: None)(fullname, path, target)
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _ThenLoader(spec.loader, self.then)
                return spec
        return None


class _ThenLoader:
    """A module's loader that runs ``then()`` after the module's code (everything else is the
    real loader's)."""

    def __init__(self, loader: Any, then: Callable[[], None]) -> None:
        self._loader, self._then = loader, then

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._loader.exec_module(module)
        self._then()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


def _command_line(argv: list[str] | None) -> argparse.ArgumentParser:
    """build_parser for ``argv``, which imports the commands it names: modules and classes
    that live as long as the process. Run as the program (``argv`` None: sys.argv), no
    garbage collection while they are made (`report`: ~35 passes, ~8 ms of its ~55 ms of
    imports) and they are kept out of later passes (gc.freeze), as the app does for its own
    start; a caller's process (a test's) is left as it is."""
    if argv is not None or not gc.isenabled():
        return build_parser(_named_commands(argv))
    gc.disable()
    try:
        return build_parser(_named_commands(argv))
    finally:
        gc.freeze()
        gc.enable()


def _parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse; arguments nobody knows are reported by the (sub)command they were given to,
    with its usage line (``asin-tui report: error: ...``), not the top-level one."""
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        _chosen_parser(parser, args).error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def _chosen_parser(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> argparse.ArgumentParser:
    """The innermost subcommand parser the parsed ``args`` went through."""
    while True:
        actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        chosen = getattr(args, actions[0].dest, None) if actions else None
        if chosen is None:
            return parser
        parser = actions[0].choices[chosen]


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush cannot fail again."""
    try:
        fileno = sys.stdout.fileno()
    except (OutputError, OSError, ValueError):  # closed from the start: nothing to flush
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fileno)
    finally:
        os.close(devnull)
