"""Behaviour shared by the app's screens."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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


class WorkerScreen(DismissOnce, Screen):
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
