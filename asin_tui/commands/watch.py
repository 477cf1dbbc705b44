"""`asin-tui watch`: a headless monitor for a tmux pane, cron or a systemd user service.

Each round syncs what needs attention, compares it with the cache and prints each new event as
one JSON line on stdout (asin_tui/watch.py does the work), then sends it through the profile's
alert channels. ``--once``: one round, exit 0 when nothing new, 1 when events were emitted, 2
on an error, 130 when a signal stopped it first. One instance per profile (a lock next to the
cache); SIGTERM or SIGINT stop it between steps, with nothing half-written, in one line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from asin_tui.commands._account import (
    add_scenario_option,
    client_time_scale,
    demo_settings,
    marketplace_option,
)
from asin_tui.commands.errors import UsageError, file_error
from asin_tui.domain.redact import redact
from asin_tui.domain.text import visible
from asin_tui.service import SpApiError
from asin_tui.store.cache import CacheError, cache_path
from asin_tui.store.config import (
    ConfigError,
    Notifications,
    Profile,
    exposure_warning,
    load_config,
)

if TYPE_CHECKING:
    from asin_tui.service import AccountService
    from asin_tui.watch import RoundResult, Watcher

DEFAULT_INTERVAL = 15.0  # minutes between rounds
EXIT_EVENTS = 1
EXIT_ERROR = 2


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "watch",
        help="watch the account and alert when a listing goes off sale or is about to",
        description=(
            "Sync the account every --interval minutes and print one JSON line on stdout per "
            "event: BECAME_INACTIVE, NEW_ISSUE, RECOVERED, AT_RISK, ACCOUNT_HEALTH, "
            "WAIT_OVERDUE. Events are kept in the cache and sent through the profile's "
            "[profiles.NAME.alerts] channels (webhook, e-mail, command)."
        ),
        epilog=(
            "Exit status with --once: 0 nothing new, 1 events emitted, 2 an error (config, "
            "credentials, network, another watch of the same profile running). Without "
            "--once it runs until SIGTERM or SIGINT (exit 0)."
        ),
    )
    who = parser.add_mutually_exclusive_group()
    who.add_argument(
        "--demo", action="store_true", default=argparse.SUPPRESS, help="the sandbox account"
    )
    who.add_argument(
        "--profile",
        metavar="NAME",
        action="append",
        dest="profiles",
        help="config profile to watch (repeat for several; default: the default profile)",
    )
    parser.add_argument(
        "--marketplace", metavar="M", default=argparse.SUPPRESS, help="marketplace code or id"
    )
    add_scenario_option(parser)
    parser.add_argument(
        "--interval",
        type=_minutes,
        default=DEFAULT_INTERVAL,
        metavar="MINUTES",
        help=f"minutes between rounds (default: {DEFAULT_INTERVAL:g})",
    )
    parser.add_argument("--once", action="store_true", help="one round, then exit (for cron)")
    parser.add_argument(
        "--all",
        action="store_true",
        help="sync every listing each round, not only those needing attention (slower; sees "
        "low merchant-fulfilled stock on live listings)",
    )
    return parser


def _minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected minutes, got {text!r}") from None
    if not 0 < value <= 24 * 60:
        raise argparse.ArgumentTypeError("expected between 0 and 1440 minutes")
    return value


def run(args: argparse.Namespace) -> int:
    from asin_tui.commands._signals import sigterm_interrupts

    try:
        with sigterm_interrupts():  # before its rounds (_watch has the loop's own handlers)
            return _run(args)
    except KeyboardInterrupt:  # SIGTERM or Ctrl-C while it starts: nothing was watched yet
        _say("stopped before its first round")
        return 130 if args.once else 0


def _run(args: argparse.Namespace) -> int:
    try:
        targets = _targets(args)
    except ConfigError as exc:
        print(visible(f"asin-tui: {exc}"), file=sys.stderr)
        return EXIT_ERROR
    try:
        with contextlib.ExitStack() as locks:
            for name, marketplace_id, _ in targets:
                locks.enter_context(_instance_lock(name, marketplace_id))
            return asyncio.run(_watch(args, targets))
    except _AlreadyRunning as exc:
        print(visible(f"asin-tui: {exc}"), file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # `watch | head`: the reader left (cli.main ends it, exit 141)
        raise
    except OSError as exc:  # the cache or data folder cannot be made or used
        print(visible(f"asin-tui: {file_error(exc)}"), file=sys.stderr)
        return EXIT_ERROR


Target = tuple[str, str, "Profile | None"]


def _targets(args: argparse.Namespace) -> list[Target]:
    """(profile name, marketplace id, profile) of each account to watch (None: the demo)."""
    if getattr(args, "demo", False):
        if args.profiles:
            raise UsageError("use either --demo or --profile, not both")
        wanted = marketplace_option(args)
        if wanted is not None and wanted.code != "US":
            raise UsageError("the demo account sells in the US marketplace only")
        from asin_tui.service import demo_profile

        return [(demo_profile(getattr(args, "scenario", "default")), "ATVPDKIKX0DER", None)]
    if getattr(args, "scenario", "default") != "default":
        raise UsageError("--scenario only applies to --demo")
    config = load_config()
    if warning := exposure_warning(config.path):
        print(f"asin-tui: warning: {warning}", file=sys.stderr)
    names = args.profiles or [getattr(args, "profile", None)]  # `asin-tui --profile X watch`
    wanted = marketplace_option(args)
    targets: list[Target] = []
    for name in dict.fromkeys(names):
        profile = config.profile(name)
        if wanted is not None:
            import dataclasses

            profile = dataclasses.replace(profile, marketplace=wanted)
        targets.append((profile.name, profile.marketplace.marketplace_id, profile))
    return targets


class _AlreadyRunning(Exception):
    pass


@contextlib.contextmanager
def _instance_lock(profile: str, marketplace_id: str) -> Iterator[None]:
    """One watch per profile and marketplace: a lock file next to the cache
    (``<cache>.watch.lock``, the store's portable lock), released when the process ends
    however it ends."""
    from asin_tui.store.atomic import ensure_private_dir
    from asin_tui.store.filelock import exclusive_lock

    path = cache_path(profile, marketplace_id)
    ensure_private_dir(path.parent)
    watching = Path(f"{path}.watch")
    try:
        with exclusive_lock(watching, timeout=0):
            yield
    except TimeoutError:
        raise _AlreadyRunning(
            f"another `asin-tui watch` is already watching {profile} ({watching}.lock)"
        ) from None


async def _watch(args: argparse.Namespace, targets: list[Target]) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    stopped_by: list[tuple[signal.Signals, bool]] = []  # the signal; mid-round or not

    def stopping(sig: signal.Signals) -> None:
        stopped_by.append((sig, mid_round))
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping, sig)
    mid_round = False
    watchers: list[Watcher] = []
    listening: list[asyncio.Task] = []
    lost: list[BaseException] = []  # a listener's output that could not be written
    try:
        for _, _, profile in targets:
            watchers.append(_open_watcher(args, profile))
        if not args.once:  # --once: the round reads everything anyway
            listening = _listen(watchers, [p for _, _, p in targets], stop, lost)
        while True:
            mid_round = True
            emitted, failed = await _one_round(watchers, stop)
            mid_round = False
            if args.once or stop.is_set():
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=args.interval * 60)
            if stop.is_set():
                break
    except (ConfigError, UsageError, CacheError) as exc:  # CacheError: an unusable cache
        print(visible(f"asin-tui: {exc}"), file=sys.stderr)
        return EXIT_ERROR
    finally:
        for task in listening:
            task.cancel()
        for task in listening:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for watcher in watchers:
            await watcher.service.aclose()
            watcher.store.close()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
    if lost:  # stdout is gone (`watch | head` ended): as a round's output would end it
        raise lost[0]
    if stopped_by:  # one line, as `fix` and `report` say theirs
        sig, cut = stopped_by[0]
        abandoned = "; the round under way was abandoned (the cache and events as they were)"
        _say(f"stopped by {sig.name}{abandoned if cut else ''}")
        return 130 if args.once else 0  # --once: no answer to give
    if stop.is_set() and not args.once:
        return 0
    if failed:
        return EXIT_ERROR
    return EXIT_EVENTS if emitted else 0


def _open_watcher(args: argparse.Namespace, profile: Profile | None) -> Watcher:
    from asin_tui.alerts import channels_for
    from asin_tui.domain.events import Thresholds
    from asin_tui.service import AccountService
    from asin_tui.store.events import EventStore
    from asin_tui.watch import Watcher

    service: AccountService
    if profile is None:
        from asin_tui.demo import open_demo_service

        scenario = getattr(args, "scenario", "default")
        # the demo drifts (something to see), the same way the app's demo does
        service = open_demo_service(scenario=scenario, settings=demo_settings(args))
    else:
        service = AccountService.for_profile(profile, time_scale=client_time_scale(args))
    alerts = profile.alerts if profile is not None else None
    thresholds = alerts.thresholds if alerts is not None else Thresholds()
    store = EventStore(cache_path(service.profile_name, service.marketplace_id))
    return Watcher(
        service,
        store,
        channels=channels_for(alerts),
        thresholds=thresholds,
        include_all=args.all,
    )


def _listen(
    watchers: list[Watcher],
    profiles: list[Profile | None],
    stop: asyncio.Event,
    lost: list[BaseException],
) -> list[asyncio.Task]:
    """The fast path: one listener task per SQS queue the profiles name (profiles sharing a
    queue share its listener). Without the AWS SDK, or with a queue that cannot be set up,
    one line says so and the rounds go on alone. A listener whose output cannot be written
    (stdout gone) puts the cause in ``lost`` and stops the watch (``stop``)."""
    by_queue: dict[Notifications, list[Watcher]] = {}
    for watcher, profile in zip(watchers, profiles, strict=True):
        if profile is not None and profile.notifications is not None:
            by_queue.setdefault(profile.notifications, []).append(watcher)
    if not by_queue:
        return []
    from asin_tui.notifications import (
        Listener,
        NotificationsUnavailable,
        OutputLost,
        QueueError,
        SqsQueue,
    )

    def ended(task: asyncio.Task) -> None:
        if not task.cancelled() and isinstance(failure := task.exception(), OutputLost):
            lost.append(failure.__cause__ or failure)
            stop.set()

    tasks = []
    for settings, served in by_queue.items():
        names = ", ".join(w.profile for w in served)
        try:
            queue = SqsQueue(settings)
        except NotificationsUnavailable as exc:
            _say(f"{names}: {exc}; watching with rounds only")
            return []
        except QueueError as exc:
            _say(f"{names}: notifications cannot be read ({exc}); watching with rounds only")
            continue
        listener = Listener(queue, served, say=_say, on_result=_told)
        task = asyncio.ensure_future(listener.run(stop))
        task.add_done_callback(ended)
        tasks.append(task)
        _say(f"{names}: reading SP-API notifications from the SQS queue as they come")
    return tasks


def _told(watcher: Watcher, result: RoundResult) -> None:
    _print_events(result)
    for problem in result.problems:
        _say(problem)


async def _one_round(watchers: list[Watcher], stop: asyncio.Event) -> tuple[int, bool]:
    """Run one round of every watcher; a signal cancels the sync under way (the cache and
    the event store stay as they were). Returns (events emitted, a round failed)."""
    emitted, failed = 0, False
    for watcher in watchers:
        if stop.is_set():
            break
        task = asyncio.ensure_future(watcher.round())
        stopper = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if task not in done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            break
        try:
            result = task.result()
        except (SpApiError, CacheError, OSError) as exc:
            _say(f"{watcher.profile}: round failed: {exc}")
            failed = True
            continue
        emitted += _print_events(result)
        for problem in result.problems:
            _say(problem)
        if result.baseline:
            _say(f"{watcher.profile}: first look at the account; changes from now on are events")
    return emitted, failed


def _print_events(result: RoundResult) -> int:
    from asin_tui.watch import event_json

    for event in result.events:
        sys.stdout.write(event_json(event.payload) + "\n")
    sys.stdout.flush()
    return len(result.events)


def _say(line: str) -> None:
    print(f"asin-tui watch: {visible(redact(line))}", file=sys.stderr, flush=True)
