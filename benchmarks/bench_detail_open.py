"""Benchmark: Enter on a listing → its detail painted, and Escape → the list again (not a test).

    python benchmarks/bench_detail_open.py [--runs 50] [--sizes 80x24,120x40]

Runs the demo account as ``asin-tui --demo`` does (a fresh demo in a temporary XDG home, its
start-up sync finished first), headless. Each run presses Enter on a listing of the list (the
cursor moves one row down between runs, so the listings vary) and times, in process CPU and
in wall time, until the detail's every section is filled from the cache (its worker's reads
done) and the screen has been drawn after that; then Escape until the list is drawn again.
The keys are sent as the terminal driver sends them, and the loop polls without Pilot's idle
waits (they sleep whole ticks and would be measured). Prints median and p95 per size.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def measure(size: tuple[int, int], runs: int) -> dict[str, list[float]]:
    from textual import events
    from textual.widgets import Static

    from asin_tui.demo import DemoSettings, open_demo_service
    from asin_tui.ui.app import make_app
    from asin_tui.ui.screens.detail import DetailScreen
    from asin_tui.ui.screens.list_screen import ListScreen

    settings = DemoSettings(drift=0.0, patch_delay=0.0)
    app = make_app(lambda: open_demo_service(reset=True, settings=settings))
    painted = [0]
    display = app._display

    def counted(screen, renderable) -> None:
        painted[0] += 1
        display(screen, renderable)

    app._display = counted  # type: ignore[method-assign]

    def send(key: str) -> None:
        event = events.Key(key, None)
        event.set_sender(app)
        app._driver.send_message(event)

    async def until(condition) -> None:
        while not condition():
            await asyncio.sleep(0.0005)

    def filled() -> bool:
        screen = app.screen
        if not isinstance(screen, DetailScreen) or any(w.is_running for w in screen.workers):
            return False
        shown = [str(s.render()) for s in screen.query(".section > Static").results(Static)]
        return bool(shown) and not any(t in ("…", "Loading the diagnosis…") for t in shown)

    figures: dict[str, list[float]] = {"open_cpu": [], "open_wall": [], "close_cpu": []}
    figures["close_wall"] = []
    async with app.run_test(size=size) as pilot:
        await until(lambda: isinstance(app.screen, ListScreen) and not app.screen.workers)
        for _ in range(200):  # the start-up sync and the rows it loads
            await pilot.pause()
            if not any(not w.is_finished for w in app.workers):
                break
        listing = app.screen
        for run in range(runs + 1):
            await pilot.pause()
            start, cpu = time.perf_counter(), time.process_time()
            send("enter")
            await until(filled)
            seen = painted[0]
            await until(lambda seen=seen: painted[0] > seen)
            opened = time.process_time() - cpu, time.perf_counter() - start
            await pilot.pause()
            start, cpu = time.perf_counter(), time.process_time()
            seen = painted[0]
            send("escape")
            await until(lambda seen=seen: app.screen is listing and painted[0] > seen)
            closed = time.process_time() - cpu, time.perf_counter() - start
            send("j")
            if run == 0:
                continue  # the first: imports and caches of the first detail
            figures["open_cpu"].append(opened[0] * 1000)
            figures["open_wall"].append(opened[1] * 1000)
            figures["close_cpu"].append(closed[0] * 1000)
            figures["close_wall"].append(closed[1] * 1000)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--sizes", default="80x24,120x40")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-detail-") as home:
        for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
            os.environ[name] = os.path.join(home, name.lower())
        for size_text in args.sizes.split(","):
            width, height = (int(n) for n in size_text.split("x"))
            figures = asyncio.run(measure((width, height), args.runs))
            print(
                f"{size_text}: "
                + "; ".join(
                    f"{name} median {statistics.median(v):.1f} ms, p95 {p95(v):.1f} ms"
                    for name, v in figures.items()
                )
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
