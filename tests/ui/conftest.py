"""UI test helpers: the app on a fake account, and a way to wait until it has settled."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import pytest
from textual.css.model import RuleSet
from textual.css.stylesheet import CSSLocation, Stylesheet
from textual.notifications import Notification
from textual.pilot import Pilot, WaitForScreenTimeout
from textual.screen import Screen
from textual.widgets._toast import Toast
from textual.worker import WorkerCancelled

from asin_tui.ui.app import make_app
from tests.ui.fakes import AS_OF_NOW, FakeService, progress_of


async def settle(pilot) -> None:
    """Let screens mount, workers finish and their messages land.

    Textual's ``pause()`` ends when the process *looks* idle (little CPU for a moment), which
    a process starved on a loaded machine also does, and ``press()`` can return before the
    key reached its widget: one pause, the workers running then, one more pause could end
    before a key's worker had even started (a snapshot taken of the rows before `R` loaded
    its own). So it goes on until nothing is left to do: no worker unfinished, no message
    or callback queued on the app or its screen. An app that never rests (a worker held by
    its test waits here as before) is let go after 200 rounds, as it was after one."""
    app = pilot.app
    for _ in range(200):
        await pilot.pause()
        await workers_done(app)
        await pilot.pause()
        await asyncio.sleep(0)  # what a thread handed to the loop has reached its queue
        if _ended(app) or _at_rest(app):
            return


def _at_rest(app) -> bool:
    """No worker unfinished, nothing queued for the app, its screen or the screen's widgets."""
    return not any(not worker.is_finished for worker in app.workers) and _queues_empty(app)


def _ended(app) -> bool:
    """The app has stopped (quit, or failed: its queues are never emptied then)."""
    return not app.is_running or app._exception_event.is_set()


def _queues_empty(app) -> bool:
    """Nothing queued for the app, its screen or the screen's widgets (messages, callbacks)."""
    screen = app.screen
    nodes = [app, *screen.walk_children(with_self=True)]
    return not screen._callbacks and all(
        node.message_queue_size == 0 and node._pending_message is None and not node._next_callbacks
        for node in nodes
    )


async def workers_done(app) -> None:
    """Wait until each of the app's workers running now has ended.

    A worker cancelled meanwhile has ended too: a newer one of its exclusive group cancels it
    (the wizard saves its progress in one: a save started while another waits cancels that
    one), and so does its screen closing; it does nothing more. Textual's
    ``workers.wait_for_complete()`` raises ``WorkerCancelled`` out of the wait for it, and
    stops waiting for the others. A worker that failed still raises (``WorkerFailed``)."""
    for worker in list(app.workers):
        with contextlib.suppress(WorkerCancelled):
            await worker.wait()


async def wait_until(pilot, condition, seconds: float = 5.0) -> None:
    """Let the app run until ``condition()`` holds (checked every 20 ms of its loop); fail
    after ``seconds`` rather than hang. For what no event announces (a timer's tick, a paint)."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not met in time")


async def run_checks(pilot, *checks) -> None:
    """Check several behaviours of one screen in one running app, in turn (each an async
    function of the pilot, or a partial of one taking the pilot last).

    Starting and laying out an app costs ~0.1 s of CPU, as much as most checks after it: a
    screen whose behaviours begin from the same state is started once and each check runs on
    it. Each check is a function named for the behaviour it asserts; it undoes what the
    checks after it would notice (a filter typed, a dialog opened), and the test says the
    order where one state cannot be undone (a sort). A failure names the check that broke,
    with its own message; the checks after it do not run."""
    for check in checks:
        try:
            await check(pilot)
        except AssertionError as failure:
            name = getattr(check, "__name__", None) or check.func.__name__  # or a partial's
            raise AssertionError(f"{name}: {failure}") from failure


@pytest.fixture
def snap_walk(snapshot):
    """Snapshots of several states of one app run, each compared with its SVG file.

    ``snap_compare`` (pytest-textual-snapshot) starts an app for each snapshot: a walk
    through a screen's states (the wizard's steps) started it again for every state, each
    time walking the states before. Here the app runs once, as ``snap_compare`` runs it
    (headless ``App.run``, not ``run_test``: toasts and tooltips as a user sees them), and
    at each named state the screenshot is taken as ``snap_compare`` takes it (after its
    pauses and waits for animations), then compared with ``__snapshots__/<test>[<name>].svg``
    (syrupy; ``--snapshot-update`` writes them). Every state is compared before the test
    fails; the failure names the states that differ (no HTML report: syrupy prints the diff).

    Call ``await snap_walk(app, size, [(name, step), ...])`` where ``step(pilot)`` brings the
    app to the state called ``name`` from the one before."""
    from pytest_textual_snapshot import SVGImageExtension

    svg_snapshot = snapshot.use_extension(SVGImageExtension)

    async def walk(app, size: tuple[int, int], steps) -> None:
        title = app.title
        shots: list[tuple[str, str]] = []

        async def auto_pilot(pilot) -> None:
            for name, step in steps:
                await step(pilot)
                # what textual._doc.take_svg_screenshot does before its screenshot
                await pilot.pause()
                await pilot.wait_for_scheduled_animations()
                await pilot.pause()
                await pilot.pause()
                await pilot.wait_for_scheduled_animations()
                shots.append((name, app.export_screenshot(title=title, simplify=True)))
            app.exit()

        await app.run_async(headless=True, size=size, auto_pilot=auto_pilot)
        assert [name for name, _ in shots] == [name for name, _ in steps], "the walk ended early"
        # syrupy records each comparison (== on its assertion) as it runs: compare them all
        matches = {name: svg_snapshot(name=name) == svg for name, svg in shots}
        differ = [name for name, same in matches.items() if not same]
        assert differ == [], f"snapshots that differ: {differ}"

    return walk


def at_both_sizes(run_before):
    """The state ``run_before`` reaches at 80x24, then the same app resized to 120x40 (as a
    terminal window is): one app run for both snapshots, named as the files of the test
    parametrised by size (``test_welcome[80x24].svg``)."""

    async def resize(pilot) -> None:
        await pilot.resize_terminal(120, 40)
        await settle(pilot)

    return [("80x24", run_before), ("120x40", resize)]


def each_at_both_sizes(*states):
    """Several states of one app run, each at both sizes (``at_both_sizes``): snapshots
    named ``<state>-80x24`` and ``<state>-120x40``. Each state is ``(name, run_before,
    undo_keys)``: ``run_before`` brings the app there from where the state before was left
    (the first: from its start), ``undo_keys`` leave it again (Escape out of a screen, a
    cursor moved back); then the terminal is 80x24 again and the next state begins.

    One app start for every state: a state's snapshot is compared with the same SVG as when
    it had an app of its own, so whatever an undo or the resizes left behind shows."""
    steps: list[tuple[str, object]] = []
    undo: tuple[str, ...] | None = None  # the state before's, once there is one
    for name, run_before, undo_keys in states:

        async def step(pilot, run_before=run_before, undo=undo) -> None:
            if undo is not None:
                if undo:
                    await pilot.press(*undo)
                    await settle(pilot)
                await pilot.resize_terminal(80, 24)
                await settle(pilot)
            await run_before(pilot)

        steps += [(f"{name}-{size}", size_step) for size, size_step in at_both_sizes(step)]
        undo = undo_keys
    return steps


@pytest.fixture(autouse=True)
def keys_handled(monkeypatch) -> None:
    """``pilot.press`` returns once each key, and what it queued, has been handled.

    Textual's press sends each key, then waits for the process to look idle and for the
    messages queued on the screen at that moment: a process starved on a loaded machine looks
    idle at once, and a key forwarded to its widget after that count was taken is left
    unhandled (a filter's escape still focusing the table when press returned). Here each key
    is sent alone and followed until nothing is queued on the app or its screen any more (a
    worker it started goes on: waiting for those is ``settle``'s)."""
    press = Pilot.press

    async def press_each(self: Pilot, *keys: str) -> None:
        for key in keys:
            await press(self, key)
            for _ in range(500):
                if _ended(self.app) or _queues_empty(self.app):
                    break
                await self.pause(0.01)

    monkeypatch.setattr(Pilot, "press", press_each)


@pytest.fixture(autouse=True)
def notifications_kept(monkeypatch) -> None:
    """A notification stays told (in ``app._notifications`` and on screen) while the test runs.

    Textual forgets a notification once its timeout has passed (3-15 s here, 5 s by default;
    reading ``app._notifications`` drops the expired ones) and its toast removes itself then:
    on a loaded machine a test's few steps between the notify and its assertion can take
    longer than that (test_demo_list read an empty list under a load of 35). What a test
    checks is what the user was told, not for how long."""
    monkeypatch.setattr(Notification, "has_expired", property(lambda self: False))
    monkeypatch.setattr(Toast, "_expire", lambda self: None)


def _waiting(node) -> bool:
    """The node's message loop waits on an empty queue: nothing queued, nothing in hand.

    Textual's message queue (``textual._queue.Queue``) is a deque and an ``asyncio.Event``
    that the loop awaits while the deque is empty; the event's waiters are that loop's."""
    queue = node._message_queue
    return (
        not queue.values
        and node._pending_message is None
        and any(not waiter.done() for waiter in queue.ready_event._waiters)
    )


async def _wait_for_busy_nodes(self: Pilot, timeout: float = 30.0) -> bool:
    """``Pilot._wait_for_screen`` (Textual 8) for the nodes that have something to process.

    The same wait, in the same words: a callback posted to each node, counted back as each
    node reaches it, so each has processed what was queued on it before; a timeout or the
    app's failure ends it. A node already waiting on an empty queue (``_waiting``) has
    nothing queued before the call: it is not posted to."""
    try:
        screen = self.app.screen
    except Exception:
        return False
    nodes = [self.app, *screen.walk_children(with_self=True)]
    count = 0
    count_zero_event = asyncio.Event()

    def decrement_counter() -> None:
        nonlocal count
        count -= 1
        if count == 0:
            count_zero_event.set()

    for node in nodes:
        if not _waiting(node) and node.call_later(decrement_counter):
            count += 1
    if count:
        wait_for = [
            asyncio.create_task(count_zero_event.wait()),
            asyncio.create_task(self.app._exception_event.wait()),
        ]
        _, pending = await asyncio.wait(
            wait_for, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()
        if len(wait_for) == len(pending):
            raise WaitForScreenTimeout(
                "Timed out while waiting for widgets to process pending messages."
            )
        if count > 0:
            return False
    return True


@pytest.fixture(autouse=True, scope="session")
def screen_waits_for_busy_nodes() -> Iterator[None]:
    """The pilot's wait for the screen posts only to the nodes with something to process.

    At every ``pause``, ``press``, click and wait for animations Textual's pilot waits until
    the app, the screen and each of its widgets has processed what was queued on it: it posts
    a callback to every node (25-80 here) and counts them back. A node waiting on an empty
    queue is woken for it all the same: it runs the callback (``inspect.signature`` of a new
    closure), then an Idle event (its ``_check_refresh``) — ~40 µs of CPU a node, ~1 ms a
    pause of an app at rest, ~60,000 posts in tests/ui. Such a node has already processed
    everything queued before the wait, which is all the wait promises; a node with a message
    queued or in hand is waited for as before. The Idle a posted callback brought an idle
    node asks for nothing Textual does not ask for itself: a refresh, a style update or a
    callback after refresh posts a Prompt to its node (``check_idle``), which is then not
    waiting and so waited for."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Pilot, "_wait_for_screen", _wait_for_busy_nodes)
        yield


def _paint(app) -> None:
    """Paint what changed on the app's screen since its last frame, as Textual's repaint
    timer does (``Screen._compositor_refresh``), if anything did."""
    try:
        screen = app.screen
    except Exception:  # no screen (yet, or any more)
        return
    if screen._compositor._dirty_regions and screen.is_current and not app._batch_count:
        app._painting_now = True
        try:
            _compositor_refresh(screen)
        finally:
            app._painting_now = False


_compositor_refresh = Screen._compositor_refresh


def _refresh_when_looked_at(self: Screen) -> None:
    """Screen._compositor_refresh of a headless app: the frame of the screen on top is
    left to the pilot's next step (what changed stays marked in the compositor)."""
    app = self.app
    if app.is_headless and self is app.screen and not getattr(app, "_painting_now", False):
        self._dirty_widgets.clear()  # their regions are marked dirty in the compositor
        return
    _compositor_refresh(self)


@pytest.fixture(autouse=True, scope="session")
def painted_when_the_test_looks() -> Iterator[None]:
    """A headless app's screen is painted at each step of the pilot, not 60 times a second.

    Textual repaints a screen on a timer (up to 60 frames a second) whenever a widget changed:
    in a test app, several frames a key (the key, the worker it starts, its answer...) that
    the headless driver drops unseen; they were a fifth to a quarter of tests/ui's CPU. Here
    the frame is painted once, whole, at each pilot step: after each key pressed and at each
    pause (settle, wait_until), which is where a test looks. What is painted is the same (what
    changed since the last frame, as the timer would), each state a test reads has been
    painted as a user's terminal would get it (a widget that fails to render still fails the
    test there), and frames still reach the app's _display (after_frame: the start-up sync
    waits for the first rows' frame; test_startup_first_frame). Snapshots render on their
    own (export_screenshot)."""
    pause = Pilot.pause

    async def pause_then_paint(self: Pilot, delay: float | None = None) -> None:
        await pause(self, delay)
        _paint(self.app)

    press = Pilot.press

    async def press_then_paint(self: Pilot, *keys: str) -> None:
        for key in keys:
            await press(self, key)
            _paint(self.app)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Screen, "_compositor_refresh", _refresh_when_looked_at)
        patch.setattr(Pilot, "pause", pause_then_paint)
        patch.setattr(Pilot, "press", press_then_paint)
        yield


@pytest.fixture(autouse=True, scope="session")
def css_parsed_once() -> Iterator[None]:
    """Parse each CSS source once per test process, not once per app.

    Textual keeps parsed CSS per stylesheet (an LRU of 64), and a screen whose CSS is new to
    the app re-parses every source into a fresh stylesheet: each of the hundreds of apps
    these tests start parsed the same ~20 sources again, several times (5-10 % of their CPU).
    The rules are the same for the same text, origin, scope and CSS variables, which are the
    key here; Textual already hands the same ``RuleSet`` objects to every re-parse within an
    app, so sharing them between apps changes nothing they show (the snapshot tests compare
    every cell). A parse that fails raises as before: nothing is kept for it."""
    parse_rules = Stylesheet._parse_rules
    parsed: dict[tuple[object, ...], list[RuleSet]] = {}

    def parse_once(
        self: Stylesheet,
        css: str,
        read_from: CSSLocation,
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> list[RuleSet]:
        variables = tuple(sorted(self._variables.items()))
        key = (css, read_from, is_default_rules, tie_breaker, scope, variables)
        rules = parsed.get(key)
        if rules is None:
            rules = parsed[key] = parse_rules(
                self, css, read_from, is_default_rules, tie_breaker, scope
            )
        return rules

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Stylesheet, "_parse_rules", parse_once)
        yield


@pytest.fixture
def service() -> FakeService:
    return FakeService()


@pytest.fixture
def app(service):
    return make_app(lambda: service, case_labels_loader=progress_of, timing=AS_OF_NOW)
