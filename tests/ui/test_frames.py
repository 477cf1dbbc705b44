"""The bulk wizard's frames: drawn at once when asked for after a quiet period, never more
often than Textual's frame rate, and not for a screen that is gone (ui/frames.py)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from asin_tui.ui.frames import FrameClock, PromptFrames
from asin_tui.ui.screens.bulk import BulkScreen


class Screen(SimpleNamespace):
    """What the clock calls: Textual's screen update, counted."""

    def __init__(self) -> None:
        super().__init__(_closing=False, _closed=False, app=SimpleNamespace(_exit=False))
        self.frames = 0

    def _on_timer_update(self) -> None:
        self.frames += 1


async def test_a_frame_asked_for_after_a_quiet_period_is_drawn_at_once() -> None:
    screen = Screen()
    clock = FrameClock(screen, period=60.0)  # type: ignore[arg-type]
    clock.resume()
    clock.resume()  # asked twice before it is drawn: one frame
    await asyncio.sleep(0)  # the loop's next turn: no wait for a frame timer's tick
    assert screen.frames == 1 and not clock.due


async def test_frames_asked_for_sooner_wait_for_the_rest_of_the_period() -> None:
    screen = Screen()
    clock = FrameClock(screen, period=0.05)  # type: ignore[arg-type]
    clock.resume()
    await asyncio.sleep(0)
    clock.resume()  # right after the first: waits
    await asyncio.sleep(0)
    assert screen.frames == 1 and clock.due
    while clock.due:
        await asyncio.sleep(0.01)
    assert screen.frames == 2


async def test_a_paused_clock_or_a_closed_screen_draws_nothing() -> None:
    screen = Screen()
    clock = FrameClock(screen, period=60.0)  # type: ignore[arg-type]
    clock.resume()
    clock.pause()  # a layout drew it meanwhile (Screen._refresh_layout pauses the timer)
    await asyncio.sleep(0)
    assert screen.frames == 0 and not clock.due
    screen._closing = True
    clock.resume()
    await asyncio.sleep(0)
    assert screen.frames == 0


def test_the_bulk_screen_takes_its_frames_from_the_clock() -> None:
    assert issubclass(BulkScreen, PromptFrames)


async def test_a_changed_value_widens_its_column_when_only_its_columns_are_measured() -> None:
    from textual.app import App, ComposeResult

    from asin_tui.ui.widgets.bulk_grid import ANSWER, KEY, BulkGrid, GridColumn

    cells = {(row, key): "" for row in range(3) for key in ("sku", "qty", "answer")}
    cells.update({(0, "sku"): "A-1", (1, "sku"): "B-2", (2, "sku"): "C-3"})

    class Grid(App[None]):
        def compose(self) -> ComposeResult:
            yield BulkGrid()

    app = Grid()
    async with app.run_test(size=(80, 8)) as pilot:
        grid = app.query_one(BulkGrid)
        columns = [GridColumn("sku", "SKU", KEY), GridColumn("qty", "qty")]
        grid.set_rows(
            [*columns, GridColumn("answer", "Answer", ANSWER)],
            3,
            lambda row, key: (cells[row, key], ""),
        )
        await pilot.pause()
        cells[1, "qty"] = "123456789012"  # wider than the column was
        cells[1, "answer"] = "VALID: Set quantity to 123456789012 (was 0)"
        grid.rows_changed([1], ["qty", "answer"])
        await pilot.pause()
        assert "123456789012" in grid.render_line(2).text
        assert "VALID: Set quantity to 123456789012 (was 0)" in grid.render_line(2).text

        cells[2, "answer"] = "invalid: too many"
        grid.rows_changed([2], ["answer"])  # only the answer measured: still drawn whole
        await pilot.pause()
        assert "invalid: too many" in grid.render_line(3).text
