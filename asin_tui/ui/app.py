"""The asin-tui application. Built through :func:`make_app`, which injects the account
service, so the real app, the demo, tests and benchmarks all run the same code."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from rich.console import RenderableType
from textual import events
from textual.app import App
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from asin_tui.domain.text import pasted
from asin_tui.ui import strips, terminal
from asin_tui.ui.commands import ActionCommands
from asin_tui.ui.messages import ListingChanged, OpenWizard, describe_error
from asin_tui.ui.opening import Screenful
from asin_tui.ui.safe_text import plain
from asin_tui.ui.screens.list_screen import ListScreen
from asin_tui.ui.service import CaseLabelLoader, ListingService, ServiceFactory, no_case_labels
from asin_tui.ui.timing import UI_TIMING, UiTiming

if TYPE_CHECKING:
    from rich.console import RenderableType

    from asin_tui.domain.models import Finding

#: The first screenful already read for a service (ui.opening.Opening), or None.
FirstScreenful = Callable[[ListingService], Screenful | None]


class AsinTuiApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "asin-tui"
    COMMANDS = App.COMMANDS | {ActionCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", tooltip="Leave asin-tui", id="app.quit"),
        Binding(
            "question_mark",
            "help",
            "Help",
            key_display="?",
            tooltip="The keys of this screen",
            id="app.help",
        ),
    ]

    def __init__(
        self,
        service_factory: ServiceFactory | None,
        *,
        demo_factory: ServiceFactory | None = None,
        case_labels_loader: CaseLabelLoader = no_case_labels,
        sync_on_start: bool = True,
        keymap: Mapping[str, str] | None = None,
        timing: UiTiming = UI_TIMING,
        first_screenful: FirstScreenful | None = None,
        exit_on_sigterm: bool = False,
    ) -> None:
        super().__init__()
        #: SIGTERM (``kill PID``, a service manager stopping it) ends the app as ``q`` does
        self.exit_on_sigterm = exit_on_sigterm
        strips.install()  # lines drawn whole are no garbage for the collector (ui/strips.py)
        self.timing = timing  # the screens' pace (ui/timing.py)
        self.exiting = False  # exit() was called: input is dropped
        self.crash_line: str | None = None  # a bug ended the app: what to print after
        self.user_keymap = dict(keymap or {})
        self.service_factory = service_factory
        self.demo_factory = demo_factory
        self.case_labels_loader = case_labels_loader
        self.sync_on_start = sync_on_start
        self.service: ListingService | None = None
        #: the first rows of an account opened before the app started (ui.opening)
        self.first_screenful = first_screenful
        #: (screen, callback): called once a frame of that screen is written (after_frame)
        self._after_frame: list[tuple[Screen, Callable[[], object]]] = []

    def after_frame(self, screen: Screen, callback: Callable[[], object]) -> None:
        """Call ``callback`` once a frame drawing ``screen`` whole has been written to the
        terminal (handed to Textual's writer thread), not merely rendered. Textual renders
        the frames of a batch of updates (the app's whole mount is one) and drops them,
        and nothing is left to redraw after: the first rows rendered while the app starts
        reached the terminal only with whatever refreshed next, and ``call_after_refresh``
        ran before. Here a dropped frame of ``screen`` asks for it again at once."""
        self._after_frame.append((screen, callback))
        screen.refresh()

    def _display(self, screen: Screen, renderable: RenderableType | None) -> None:
        super()._display(screen, renderable)
        if not self._after_frame or renderable is None:
            return
        waiting = [callback for shown, callback in self._after_frame if shown is screen]
        if not waiting:
            return
        if self._batch_count:  # dropped: drawn whole again once the batch is over
            screen.refresh()
            return
        self._after_frame = [(s, c) for s, c in self._after_frame if s is not screen]
        for callback in waiting:
            self.call_later(callback)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification of the app (screens' and widgets' ``notify`` land here): the
        message and title are text, never markup — they quote SKUs, Amazon's error messages,
        paths — and shown with control and bidi characters as escapes. ``markup`` is ignored."""
        super().notify(
            plain(message, multiline=True),
            title=plain(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def copy_to_clipboard(self, text: str) -> None:
        """Copy ``text`` (OSC 52) with control and bidi characters as escapes: a pasted SKU or
        link from Amazon can then never run anything in the terminal it is pasted into."""
        super().copy_to_clipboard(plain(text, multiline=True))

    async def on_mount(self) -> None:
        if self.exit_on_sigterm:
            # Python's default for SIGTERM ends the process at once: the terminal was left in
            # the app's alternate screen, raw mode and mouse reporting, the shell unusable
            # until `reset`, and a sync's child was killed rather than told to stop
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, self._terminated)
        self.set_keymap(self.user_keymap)
        self.set_timer(self.timing.started_seconds, _collect_again, name="collect again")
        if self.service_factory is None:
            self.push_screen(_welcome())
        else:
            await self.open_account(self.service_factory)

    async def open_account(self, factory: ServiceFactory) -> None:
        await self._close_account()  # one account at a time
        try:
            service = factory()
        except Exception as exc:  # a broken cache dir, demo state...: say it, stay up
            self.notify(describe_error(exc), title="Cannot open the account", severity="error")
            if not _on_welcome(self.screen):  # never a blank screen
                self.push_screen(_welcome())
            return
        self.service = service
        # the list tells the service's notices (e.g. the demo's fixes won't be kept, and
        # why) once it has painted and opened the client, which may find more
        first = self.first_screenful(service) if self.first_screenful else None
        self.push_screen(
            ListScreen(
                service,
                self.case_labels_loader,
                sync_on_start=self.sync_on_start,
                timing=self.timing,
                first_screenful=first,
            )
        )

    async def _close_account(self) -> None:
        """Leave the open account, if any: its screens go, then its service closes."""
        if self.service is None:
            return
        service, self.service = self.service, None
        while len(self.screen_stack) > 1 and not _on_welcome(self.screen):
            await self.pop_screen()
        await service.aclose()

    async def action_open_demo(self) -> None:
        if self.demo_factory is not None:
            await self.open_account(self.demo_factory)

    def action_help(self) -> None:
        from asin_tui.ui.screens.help import HelpScreen, binding_rows

        if isinstance(self.screen, HelpScreen):
            return
        screen = self.screen
        rows = binding_rows(self, screen.active_bindings.values(), fields=len(screen.focus_chain))
        about = self.screen.sub_title or self.screen.title or "asin-tui"
        self.push_screen(HelpScreen(rows, about, getattr(self.screen, "HELP_NOTES", "")))

    def on_open_wizard(self, message: OpenWizard) -> None:
        """A screen asks for the wizard (the list's and the detail's `w`)."""
        message.stop()
        self.action_open_wizard(message.sku, message.risk)

    def action_open_wizard(self, sku: str, risk: Finding | None = None) -> None:
        """Open the reactivation wizard for ``sku`` (from the list's and the detail's `w`)."""
        if self.service is None:
            return
        from asin_tui.store.cases import CaseStore
        from asin_tui.ui.screens.wizard import WizardScreen

        try:
            store = CaseStore(self.service.profile_name, self.service.marketplace_id)
        except ValueError as exc:  # a profile name the case file cannot be named after
            self.notify(describe_error(exc), title="Progress will not be saved", severity="warning")
            store = None
        self.push_screen(
            WizardScreen(self.service, sku, store, save_delay=self.timing.save_delay, risk=risk),
            lambda _: self._listing_changed(sku),
        )

    def _listing_changed(self, sku: str) -> None:
        """After the wizard: every screen is told, those showing ``sku`` read it again."""
        for screen in self.screen_stack:
            screen.post_message(ListingChanged(sku))

    def exit(self, *args: Any, **kwargs: Any) -> None:
        """Quit. From here on the input still queued behind the quit key (`q` then `e` or `w`
        typed quickly arrive together) is dropped: nothing new opens on an app that closes."""
        self.exiting = True
        super().exit(*args, **kwargs)

    def _fatal_error(self) -> None:
        """A bug ended the app. Textual would print its traceback with every frame's local
        values (a frame of the SP-API library holds the credentials) and raw exception text;
        instead ``crash_line`` is the one line the command line prints once the terminal is
        back (commands/tui.py), and the traceback (masked, no local values) goes to a
        private file (asin_tui/store/crash.py)."""
        from asin_tui.store.crash import record_crash

        error = sys.exc_info()[1] or self._exception
        self.bell()
        self.crash_line = record_crash(error) if error is not None else "asin-tui: internal error"
        self._close_messages_no_wait()

    def _terminated(self) -> None:
        """SIGTERM: leave as ``q`` does (the terminal restored, a sync's child stopped), with
        the shell's status for it (128 + 15)."""
        self.exit(return_code=128 + signal.SIGTERM)

    def get_key_display(self, binding: Binding) -> str:
        """Textual's display of a key, in words where the terminal cannot draw its symbol (a
        Latin-1 terminal: ``down``, not ``↓`` drawn as ``v``, the cause view's key)."""
        return terminal.key_display(super().get_key_display(binding))

    def panic(self, *renderables: RenderableType) -> None:
        """Textual's end for an error outside the app's code (its input thread raising, say):
        it would print a Rich traceback after the screen and exit with status 0. As
        :meth:`_fatal_error`: ``crash_line``, exit status 2, the details in the crash file."""
        from asin_tui.store.crash import record_crash

        self.bell()
        self.crash_line = record_crash(TextualPanic(_panic_text(renderables)))
        self._close_messages_no_wait()

    async def on_event(self, event: events.Event) -> None:
        if self.exiting and isinstance(event, events.InputEvent):
            return
        if isinstance(event, events.Paste) and not event.is_forwarded:
            # a paste reaches whichever input has focus, which draws it raw: never a
            # character the terminal would act on (domain.text.pasted)
            clean = pasted(event.text)
            if clean != event.text:
                event = events.Paste(clean)
        await super().on_event(event)

    async def on_unmount(self) -> None:
        if self.service is not None:
            await self.service.aclose()


class TextualPanic(RuntimeError):
    """What Textual ended the app for, outside the app's code (``AsinTuiApp.panic``)."""


def _panic_text(renderables: tuple[RenderableType, ...]) -> str:
    """The error a panic's renderables show: for a Rich traceback, its exception's type and
    text, then its frames (file, line, function: never a local value); else their text."""
    from rich.traceback import Traceback

    lines: list[str] = []
    for renderable in renderables:
        if isinstance(renderable, Traceback) and renderable.trace.stacks:
            stack = renderable.trace.stacks[-1]
            lines.insert(0, f"{stack.exc_type}: {stack.exc_value}")
            for stacked in renderable.trace.stacks:
                lines += [f"  {f.filename}:{f.lineno} in {f.name}" for f in stacked.frames]
        elif isinstance(renderable, str):
            lines.append(renderable)
    return "\n".join(lines) or "Textual ended the app"


def _collect_again() -> None:
    """The objects made while starting (modules, classes, widgets) live as long as the app:
    kept out of the collector's passes (gc.freeze), which run again from now on."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _welcome() -> Screen:
    """The welcome screen (imported when shown: most starts open an account)."""
    from asin_tui.ui.screens.welcome import WelcomeScreen

    return WelcomeScreen()


def _on_welcome(screen: Screen) -> bool:
    module = sys.modules.get("asin_tui.ui.screens.welcome")
    return module is not None and isinstance(screen, module.WelcomeScreen)


def make_app(
    service_factory: ServiceFactory | None,
    *,
    demo_factory: ServiceFactory | None = None,
    case_labels_loader: CaseLabelLoader = no_case_labels,
    sync_on_start: bool = True,
    keymap: Mapping[str, str] | None = None,
    timing: UiTiming = UI_TIMING,
    first_screenful: FirstScreenful | None = None,
    exit_on_sigterm: bool = False,
) -> AsinTuiApp:
    """The app for one account (``service_factory``), or the welcome screen when it is None.
    ``keymap`` (binding id -> keys, the config's ``[keymap]``) remaps the app's keys;
    ``timing`` sets the screens' pace (ui/timing.py; tests pass a quicker one);
    ``first_screenful``: the rows of an account opened before the app (ui.opening);
    ``exit_on_sigterm``: SIGTERM ends the app as ``q`` does (the tui command: a real terminal)."""
    return AsinTuiApp(
        service_factory,
        demo_factory=demo_factory,
        case_labels_loader=case_labels_loader,
        sync_on_start=sync_on_start,
        keymap=keymap,
        timing=timing,
        first_screenful=first_screenful,
        exit_on_sigterm=exit_on_sigterm,
    )
