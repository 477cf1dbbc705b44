"""Behaviour shared by the screens that run workers."""

from __future__ import annotations

from textual.screen import Screen
from textual.worker import Worker, WorkerState

from asin_tui.ui.messages import describe_error


class WorkerScreen(Screen):
    """A screen whose workers run with ``exit_on_error=False``: a failure is told in one
    line (the worker's description says what could not be done), never a traceback."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.notify(
                describe_error(event.worker.error),
                title=f"Could not {event.worker.description}",
                severity="error",
                timeout=10,
            )
