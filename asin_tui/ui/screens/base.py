"""Behaviour shared by the app's screens."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events
from textual.await_complete import AwaitComplete
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from asin_tui.ui.messages import describe_error

if TYPE_CHECKING:  # what the mixin is mixed into
    _Screen = Screen[Any]
else:
    _Screen = object


class DismissOnce(_Screen):
    """Mixin for a screen (listed before its Screen class): dismiss only while on top.

    ``Screen.dismiss`` calls the result callback and pops whichever screen is on top. A key
    pressed twice in quick succession (Enter in a dialog's input, on a button) posts two
    messages; the second is handled after the first has closed this screen, and would run
    the callback again and close the screen below. (Not a Screen subclass itself: Textual
    takes a screen's default CSS along its first DOM base, which must stay ModalScreen.)"""

    def dismiss(self, result: Any = None) -> AwaitComplete:
        if self.app.screen is not self:
            return AwaitComplete()  # already dismissed (or covered): nothing to close
        return super().dismiss(result)


class SizeKept(_Screen):
    """Mixin for a screen (listed before its Screen class): a Resize to the size it and the
    screens showing through it already have is not laid out again.

    Textual sends a screen a Resize after its first layout (the screen is among the widgets
    that layout showed) and on it lays the screen out again, and each screen under it that
    shows through (a dialog's screen below; under a full screen, the one below it too): on
    every push, two to four layouts more of screens whose size has not changed, ~1,000 in
    the fast UI tests. At the size they were laid out at nothing moves (a widget that changes
    asks for its own layout), so the Resize is stopped before Textual's handler
    (``prevent_default``: the base classes' handlers are not called). A Resize to another
    size (the terminal resized), or with a screen below at another size, is Textual's as
    before. A subclass's own ``on_resize`` still runs: Textual calls each class's handler, the
    subclass's first."""

    def on_resize(self, event: events.Resize) -> None:
        if all(screen.outer_size == event.size for screen in self._showing()):
            event.stop()
            event.prevent_default()

    def _showing(self) -> list[Screen[Any]]:
        """This screen and those Textual lays out with it on a Resize: under the top screen,
        each down to the first opaque one (a dialog's screen below; under a full screen, the
        one below it)."""
        showing: list[Screen[Any]] = [self]
        for screen in reversed(self.app.screen_stack[:-1]):
            showing.append(screen)
            if screen.styles.background.a == 1:
                break
        return showing


class WorkerScreen(SizeKept, DismissOnce, Screen):
    """A screen whose workers run with ``exit_on_error=False``: a failure is told in one
    line (the worker's description says what could not be done), never a traceback."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.notify(
                describe_error(event.worker.error),
                title=f"Could not {event.worker.description}",
                severity="error",
                timeout=10,
            )
