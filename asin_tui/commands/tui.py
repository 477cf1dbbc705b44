"""`asin-tui [--demo [--reset] | --profile NAME] [--marketplace M]`: open the terminal app.

Configuration problems (a broken ``[keymap]`` too) are reported here, as one line and exit 2,
before Textual starts; with no config file at all the app opens on its welcome screen (which
offers the demo). The config's ``[keymap]`` applies to the demo as well, but a broken config
never blocks the demo: it is named on stderr and ignored.
"""

from __future__ import annotations

import argparse
import functools
import sys
from typing import TYPE_CHECKING

from asin_tui.commands._account import (
    client_time_scale,
    demo_settings,
    resolve_profile,
    wants_demo,
)
from asin_tui.commands.errors import UsageError
from asin_tui.domain.text import visible
from asin_tui.service import (
    DEMO_MARKETPLACE_ID,
    DEMO_SELLER_ID,
    AccountService,
    demo_profile,
    remove_cache,
)
from asin_tui.store.cache import cache_path
from asin_tui.store.config import (
    Config,
    ConfigError,
    ConfigNotFound,
    exposure_warning,
    load_config,
)
from asin_tui.ui.case_labels import saved_case_labels
from asin_tui.ui.opening import Opening
from asin_tui.ui.service import ServiceFactory

if TYPE_CHECKING:  # the demo's composition root loads only for --demo
    from asin_tui.demo import DemoSettings


#: How long a thread may keep the GIL once another thread asks for it (Python's default is
#: 5 ms). The list's loader decodes rows in a worker thread while the UI thread handles a key:
#: the UI thread gives the GIL up at every wait (the terminal, the event loop) and at 5 ms a
#: key typed while 10,000 rows load waited that long at each of those hand-offs.
GIL_SWITCH_SECONDS = 0.001


def run(args: argparse.Namespace) -> int:
    config = _config(args)
    account = _account(args, config)
    # The account opens, and its first rows are read, now — before Textual and the screens
    # load — so the list paints them with its first frame (ui/opening.py).
    opening = Opening(account, saved_case_labels) if account is not None else None
    from asin_tui.ui import terminal
    from asin_tui.ui.app import make_app

    terminal.install()  # keys and screen in the terminal's encoding, whatever it is

    app = make_app(
        opening.service if opening else None,
        demo_factory=functools.partial(open_demo, settings=demo_settings(args)),
        case_labels_loader=saved_case_labels,
        keymap=config.keymap if config else None,
        first_screenful=opening.first_screenful if opening else None,
        exit_on_sigterm=True,
    )
    switch = sys.getswitchinterval()
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    try:
        app.run()
    finally:
        sys.setswitchinterval(switch)
    if app.crash_line:  # a bug: one line, the terminal is the shell's again
        print(app.crash_line, file=sys.stderr)
        return 2
    return app.return_code or 0


def _config(args: argparse.Namespace) -> Config | None:
    """The config file, validated; None when there is none (and no profile was asked for)."""
    try:
        return load_config()
    except ConfigNotFound:
        if args.profile:
            raise UsageError(
                f"profile {args.profile!r}: no config file yet (asin-tui config init)"
            ) from None
        return None
    except ConfigError as exc:
        if wants_demo(args):  # the demo needs no config: don't let a broken one block it
            print(f"asin-tui: config ignored for the demo: {visible(exc)}", file=sys.stderr)
            return None
        raise UsageError(str(exc)) from None


def _account(args: argparse.Namespace, config: Config | None) -> ServiceFactory | None:
    """The account to open, or None for the welcome screen (no config file yet)."""
    if wants_demo(args):
        settings = demo_settings(args)
        return lambda: open_demo(reset=args.reset, scenario=args.scenario, settings=settings)
    if config is None:
        return None
    try:
        profile = resolve_profile(args, config)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if profile is None:  # only for --demo, opened above
        return None
    warning = exposure_warning(config.path)  # on stderr too, but the app covers the screen

    def open_profile() -> AccountService:
        service = AccountService.for_profile(
            profile, sync_in_child=True, time_scale=client_time_scale(args)
        )
        service.notices.extend(filter(None, [warning]))
        return service

    return open_profile


def open_demo(
    reset: bool = False, scenario: str = "default", *, settings: DemoSettings | None = None
) -> AccountService:
    """The built-in demo account as the app opens it: its cache at once, so the list paints
    from it; the simulated account (the demo's composition root, the sandbox) is built with
    the client, in a thread, once the list is on screen (``AccountService.connect``). The
    first build starts the account fresh when ``reset`` and passes its notices on; a later
    one (after the service closed) reopens it with the changes kept."""
    profile = demo_profile(scenario)
    if reset:
        remove_cache(cache_path(profile, DEMO_MARKETPLACE_ID))
    built: list[bool] = []

    def open_client():  # -> SpApi (the commands name no SP-API type)
        from asin_tui.demo import open_demo_app_client

        api, notices = open_demo_app_client(
            reset=reset and not built, scenario=scenario, settings=settings
        )
        if built:  # what opening it found was told by the first build
            notices.clear()
        notices[:0] = service.notices
        service.notices = notices  # the account's own list: a fix it could not keep is told
        built.append(True)
        return api

    service = AccountService(
        profile_name=profile,
        marketplace_id=DEMO_MARKETPLACE_ID,
        seller_id=DEMO_SELLER_ID,
        client_factory=open_client,
        cache=settings.cache(profile) if settings else None,
    )
    return service
