"""A screen's frames drawn as soon as the frame rate allows, not on Textual's frame grid.

Textual draws what changed on a screen (its compositor, each dirty widget's lines) from the
screen's update timer: resumed when the screen goes idle with something dirty, ticking at
most ``1 / MAX_FPS`` apart (16.7 ms). That timer (textual.timer.Timer with ``skip``) sleeps
after each tick to a point on its own grid between ONE AND TWO periods ahead — 17 to 33 ms —
and only then looks whether it was resumed. A key pressed within that time after any other
frame (a progress bar repainted, the line under the grid updated for the previous key)
waits for it before anything is drawn: in the bulk wizard during a batch, the slowest keys
spent 25–32 ms there alone (bench_bulk_tui BENCH_KEYSPLIT=1, 2026-12-04f).

:class:`FrameClock` keeps the same cap — frames at least one period apart — but a frame asked
for after a quiet period is drawn at once, and one asked for sooner waits only for the rest
of the period since the last. :class:`PromptFrames` puts it in a screen's place of the
timer (``Screen._update_timer``: resumed in ``_on_idle``, paused by ``_on_timer_update``
and ``_refresh_layout``; nothing else in Textual 8 uses it).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from textual import constants
from textual.screen import Screen

if TYPE_CHECKING:  # what the mixin is mixed into
    _Screen = Screen[Any]
else:
    _Screen = object

#: Textual's own cap (screen.UPDATE_PERIOD): TEXTUAL_FPS, 60 by default.
PERIOD = 1 / constants.MAX_FPS


class FrameClock:
    """The screen's frame (``_on_timer_update``) when resumed: at once if the last frame
    was at least ``period`` ago, else when it will be; one frame however often resumed."""

    def __init__(self, screen: Screen[Any], period: float = PERIOD) -> None:
        self._screen = screen
        self._period = period
        self._last = float("-inf")  # loop time of the last frame
        self._handle: asyncio.Handle | None = None

    @property
    def due(self) -> bool:
        """Whether a frame is asked for and not drawn yet."""
        return self._handle is not None

    def resume(self) -> None:
        if self._handle is not None:
            return  # asked for already: that frame draws whatever is dirty by then
        loop = asyncio.get_running_loop()
        wait = self._last + self._period - loop.time()
        if wait > 0:
            self._handle = loop.call_later(wait, self._frame)
        else:
            self._handle = loop.call_soon(self._frame)

    def pause(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def stop(self) -> None:
        self.pause()

    def _frame(self) -> None:
        self._handle = None
        screen = self._screen
        if screen._closing or screen._closed or screen.app._exit:
            return  # as Textual's timer: a screen gone (or the app ending) draws nothing
        self._last = asyncio.get_running_loop().time()
        try:
            screen._on_timer_update()
        except Exception as error:  # as Timer._tick: the app's own error handling
            screen.app._handle_exception(error)


class PromptFrames(_Screen):
    """Mixin for a screen (listed before its Screen class): its frames from a
    :class:`FrameClock` instead of Textual's update timer (see the module's doc)."""

    _frame_clock: FrameClock | None = None

    @property  # Textual's is a Timer: of it, only pause() and resume() are used
    def _update_timer(self) -> FrameClock:  # type: ignore[override]
        if self._frame_clock is None:
            self._frame_clock = FrameClock(self)
        return self._frame_clock

    async def _message_loop_exit(self) -> None:
        if self._frame_clock is not None:
            self._frame_clock.stop()
        await super()._message_loop_exit()
