"""Benchmark: the bulk wizard's screen while a batch validates and applies (not a test).

    python benchmarks/bench_bulk_tui.py [--sizes 100,500,2000] [--time-scale 10]
                                        [--listings 10000] [--size 120x40] [--heap]

The sandbox seller account is served on loopback by a separate process (bench_fix.py's
server) whose clock runs ``--time-scale`` times faster than Amazon's: the rate limits are
Amazon's published ones, scaled, so a batch sends ``time_scale`` times as many requests a
second as it could against Amazon — more work a second for the app than a real batch, the
harder case for responsiveness. The local cache is filled first (bench_fix.fill_cache).

For each batch size, a fresh process runs the real app headless (``run_test``), opens the
bulk wizard (BulkScreen) on that many merchant-fulfilled listings, and drives it as a seller
would: Enter, types 25, Enter, ``a`` (the same value for all: every row checked at once),
ten PageDowns, ``p`` (validate every row with VALIDATION_PREVIEW), ``s`` then ctrl+s (submit
the VALID rows, re-read each). It measures:

- keystroke → repaint: a cursor key (down/up, alternating) sent as the terminal driver
  sends it, every 100 ms while the batch runs and for a second after each phase (while
  its answers are drawn into the rows), until the grid has drawn the row the cursor moved
  to (p50 / p99 / max; goal < 50 ms), and the same while idle for reference;
- event-loop stalls: a task on the app's loop that asks to wake every 5 ms and notes how
  late it woke, during the batch (count over 50 ms, p99, max);
- ``a`` (same value for all rows) → repaint, and PageDown → repaint, at that many rows;
- the process's peak RSS (goal: flat in the batch size — compare the sizes), also with the
  send confirmation open (before ctrl+s), and under --heap the Python heap held then, its
  peak until ctrl+s and its peak while applying; and the
  batch's wall time beside the rate floor at that time scale. The stock cover is stored in
  the cache first, so no run's app reads the sales reports meanwhile (bench_cover.py
  measures that refresh).

Looking for causes: BENCH_KEYSPLIT=1 splits the slowest batch keys' time into key → the
grid's cursor action → the screen's next frame begins → the grid's line drawn, with that
frame's length, whether it laid the screen out and which widgets it drew (and any full GC
pass meanwhile), and counts the batch's frames by what they drew; BENCH_WHERE=1 samples
where the app's loop is while it stalls;
BENCH_GCTYPES=1 times three quiet full collections with the grid open, prints each full pass
during the batch (its thread, the objects tracked per generation, its length) and what the
collector tracks by type (the census itself slows the passes it prints: compare with a run
without it); BENCH_NO_START_FREEZE=1 leaves what the app's start made in the collector's
passes (as this benchmark did before 2026-12-04e; the program freezes it); BENCH_TRACEMALLOC=N what memory is held at the end; BENCH_PROFILE_SUBMIT=<s>
profiles the app's loop for that long after ctrl+s (BENCH_PROFILE_OUT=<file>: the stats
saved, for pstats' print_callers).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_stalls  # noqa: E402
from bench_fix import bench_service, fill_cache, peak_rss_mb, served  # noqa: E402
from bench_tui import rss_mb, type_key  # noqa: E402

GOAL_MS = 50.0
PROBE_EVERY = 0.1
AFTER = 1.0  # seconds keys are still probed after a phase ends (its answers drawn)
CLOSING = 0.5  # seconds after ctrl+s reported apart: the confirmation closes then


def stage(text: str) -> None:
    """Where a child run is (stderr: shown when a run fails)."""
    print(f"{time.strftime('%H:%M:%S')} {text}", file=sys.stderr, flush=True)


async def until(condition, what: str = "", timeout: float = 120.0) -> None:
    """Poll ``condition`` without Pilot's idle waits (they would be measured); a run that
    waits longer than ``timeout`` seconds stops, saying for what."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise RuntimeError(f"waited {timeout:g} s for {what or condition}")
        await asyncio.sleep(0.0005)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


#: Where the app's loop was while it stalled (BENCH_WHERE=1): innermost frames -> samples.
STALLED_AT: Counter[str] = Counter()
OTHERS_AT: Counter[str] = Counter()  # the other threads meanwhile


def sample_stalls(loop_thread: int, stop: threading.Event) -> None:
    """Every 10 ms: when the probe has not ticked for BENCH_WHERE seconds (1: 0.1 s), note
    where the loop's thread is (its innermost frames)."""
    after = float(os.environ.get("BENCH_WHERE") or 1)
    after = 0.1 if after >= 1 else after
    while not stop.wait(0.01):
        if time.perf_counter() - bench_stalls._last_tick[0] < after:
            continue
        frames = sys._current_frames()
        frame = frames.get(loop_thread)
        if frame is not None:
            stack = traceback.extract_stack(frame)[-6:]
            where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in stack)
            STALLED_AT[where] += 1
        names = {t.ident: t.name for t in threading.enumerate()}
        for ident, other in frames.items():  # meanwhile in the other threads (the GIL's?)
            if ident in (loop_thread, threading.get_ident()):
                continue
            stack = traceback.extract_stack(other)[-4:]
            where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in stack)
            OTHERS_AT[f"{names.get(ident, ident)}: {where}"] += 1


#: BENCH_KEYSPLIT=1: per batch key, when the grid's action ran and when the screen's update
#: (Textual's frame timer: compositor, render_line) began after it (perf_counter times).
SPLIT: dict[str, float | None] = {"action": None, "update": None}
SPLITS: list[tuple] = []  # (key ms, to action, to update, to paint, its frame, GC ms meanwhile)
FRAMES: Counter[str] = Counter()  # every frame during the batch, by the widgets it drew
FRAME = [""]  # the key's frame: its length, whether laid out, the widgets it drew


def split_keys() -> None:
    """BENCH_KEYSPLIT: note when the cursor action runs and when the next frame begins."""
    from textual.screen import Screen

    from asin_tui.ui.widgets.bulk_grid import BulkGrid

    action, update = BulkGrid.action_cursor, Screen._on_timer_update

    def action_cursor(grid, rows, columns):
        if SPLIT["action"] is None:
            SPLIT["action"] = time.perf_counter()
        return action(grid, rows, columns)

    def on_timer_update(screen):
        laid = "layout: " if screen._layout_required or screen._scroll_required else ""
        FRAMES[laid + ",".join(sorted({type(w).__name__ for w in screen._dirty_widgets}))] += 1
        mine = SPLIT["action"] is not None and SPLIT["update"] is None
        if mine:
            SPLIT["update"] = time.perf_counter()
            layout = screen._layout_required or screen._scroll_required
            dirty = sorted({type(w).__name__ for w in screen._dirty_widgets})
        try:
            return update(screen)
        finally:
            if mine:  # what the key's frame held: a layout? which widgets? how long?
                took = (time.perf_counter() - SPLIT["update"]) * 1000
                FRAME[0] = f"{took:.1f} ms{' layout' if layout else ''} {','.join(dirty)}"

    BulkGrid.action_cursor = action_cursor
    Screen._on_timer_update = on_timer_update

    from asin_tui.ui.screens.bulk import BulkScreen

    for name in ("on_batch_done", "_redraw_stale", "_paint_progress"):
        timed(BulkScreen, name)


#: BENCH_KEYSPLIT: the UI loop's time in the bulk screen's handlers: name -> [ms, ...]
HANDLERS: dict[str, list[float]] = {}


def timed(cls, name: str) -> None:
    original = getattr(cls, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            HANDLERS.setdefault(name, []).append((time.perf_counter() - started) * 1000)

    wrapper.__name__ = original.__name__
    setattr(cls, name, wrapper)


class GridPaint:
    """Notes when the grid draws a line while ``ready()`` holds (BulkGrid.render_line)."""

    def __init__(self, grid) -> None:
        from asin_tui.ui.widgets.bulk_grid import BulkGrid

        self.grid, self.at, self.ready = grid, [], lambda: False
        original = BulkGrid.render_line

        def render_line(widget, y):
            if widget is self.grid and self.ready():
                self.at.append(time.perf_counter())
            return original(widget, y)

        BulkGrid.render_line = render_line

    async def time(self, app, act, ready) -> float:
        """Seconds from ``act()`` to the end of the first repaint of the grid after which
        ``ready()`` holds."""
        self.at.clear()
        self.ready = ready
        SPLIT.update(action=None, update=None)
        start = time.perf_counter()
        await act()
        await until(lambda: self.at, "the grid's repaint", 10.0)
        await asyncio.sleep(0)  # the rest of that repaint pass
        self.ready = lambda: False
        action, update = SPLIT["action"], SPLIT["update"]
        if action is not None and update is not None:
            gc_ms = sum(  # full passes that began within the key's time (same clock)
                ms for _, _, ms, at in FULL if start <= at <= max(self.at) and ms < 1000
            )
            SPLITS.append(
                (
                    (max(self.at) - start) * 1000,
                    (action - start) * 1000,
                    (update - action) * 1000,
                    (max(self.at) - update) * 1000,
                    FRAME[0],
                    gc_ms,
                )
            )
        return max(self.at) - start


async def cursor_key(app, paint, grid, down: bool) -> float:
    row = grid.cursor_coordinate.row
    if row == 0 or row == grid.row_count - 1:
        down = row == 0  # at an end: the way the cursor can go
    target = row + 1 if down else row - 1
    try:
        return await paint.time(
            app,
            lambda: type_key(app, "down" if down else "up"),
            lambda: grid.cursor_coordinate.row == target,
        )
    except RuntimeError as exc:
        raise RuntimeError(
            f"{exc}: cursor {grid.cursor_coordinate} (from row {row} to {target}), focus "
            f"{app.focused!r}, screen {app.screen!r}"
        ) from None


async def probe_keys(app, paint, grid, busy) -> list[float]:
    """A cursor key every PROBE_EVERY seconds while ``busy()`` and for AFTER seconds more
    (the answers drawn into every row); each one's key → repaint."""
    times, down = [], True
    after = None
    while after is None or time.perf_counter() < after:
        times.append(await cursor_key(app, paint, grid, down))
        down = not down
        await asyncio.sleep(PROBE_EVERY)
        if after is None and not busy():
            after = time.perf_counter() + AFTER
    return times


async def drive(rows: int, url: str, seller_id: str, args: argparse.Namespace) -> dict:
    from asin_tui.bulk import BulkFix, BulkRow
    from asin_tui.domain import codes
    from asin_tui.domain.causes import CauseKey
    from asin_tui.ui.app import make_app
    from asin_tui.ui.screens.bulk import BulkScreen
    from asin_tui.ui.screens.confirm import SendConfirmScreen
    from asin_tui.ui.widgets.bulk_grid import BulkGrid

    service = bench_service(seller_id, url, time_scale=args.time_scale)
    engine = BulkFix(service)
    skus = []
    for record in service.cached_records(all_listings=True):
        row = BulkRow(record.sku, {"quantity": "25"})
        if record.fulfillment_channel == "MFN" and engine.check(row).ready:
            skus.append(record.sku)
        if len(skus) == rows:
            break
    if len(skus) < rows:
        sys.exit(f"only {len(skus)} listings take a quantity; raise --listings")

    tracing = os.environ.get("BENCH_TRACEMALLOC", "")
    if tracing:
        import tracemalloc

        tracemalloc.start(int(tracing))
    width, height = (int(n) for n in args.size.split("x"))
    app = make_app(lambda: service, sync_on_start=False)
    result: dict = {"rows": rows}
    if os.environ.get("BENCH_KEYSPLIT"):
        split_keys()
    async with app.run_test(size=(width, height)) as pilot:
        await pilot.pause()
        if not os.environ.get("BENCH_NO_START_FREEZE"):
            # as the program runs: what its start made is kept out of the collector's
            # passes (cli.py, ui/app.py _collect_again; the list's rows once loaded)
            import gc

            gc.collect()
            gc.freeze()
        screen = BulkScreen(service, CauseKey(codes.OUT_OF_STOCK_MFN, "Out of stock"), skus)
        started = time.perf_counter()
        app.push_screen(screen)
        stage("grid opening")
        await until(lambda: screen.is_mounted and screen.grid.row_count == rows, "the grid's rows")
        result["grid_load_s"] = time.perf_counter() - started
        grid = screen.query_one("#bulk-grid", BulkGrid)
        paint = GridPaint(grid)
        await pilot.pause()
        result["rss_grid_mb"] = rss_mb("VmRSS")
        stage("grid open")
        if os.environ.get("BENCH_GCTYPES"):
            import gc

            for _ in range(3):
                t0 = time.perf_counter()
                n = gc.collect()
                stage(f"quiet full pass: {(time.perf_counter() - t0) * 1000:.1f} ms, {n} collected")
            gc_types("grid open")
        result["idle_keys"] = [await cursor_key(app, paint, grid, i % 2 == 0) for i in range(20)]
        grid.move_cursor(row=0, column=2)  # quantity
        await pilot.pause()
        for key in ("enter", "2", "5", "enter"):
            await type_key(app, key)
            await pilot.pause()

        def all_filled() -> bool:
            return all(r.values.get("quantity") == "25" for r in screen.rows)

        result["same_for_all_s"] = await paint.time(app, lambda: type_key(app, "a"), all_filled)
        stage("same for all")
        checked = time.perf_counter()
        await until(
            lambda: all(r.answer.startswith("ok") for r in screen.rows), "every row checked"
        )
        result["all_checked_s"] = time.perf_counter() - checked
        result["peak_checked_mb"] = rss_mb("VmHWM")
        pages = []
        for _ in range(10):
            if grid.cursor_coordinate.row >= grid.row_count - 1:
                break  # at the last row: a page down changes nothing
            top = grid.scroll_offset.y
            pages.append(
                await paint.time(
                    app,
                    lambda: type_key(app, "pagedown"),
                    lambda t=top: grid.scroll_offset.y != t or grid.cursor_coordinate.row > 0,
                )
            )
            await asyncio.sleep(0.05)
        result["pages"] = pages
        grid.move_cursor(row=0, column=2)
        await pilot.pause()

        stage("validating")

        def status() -> str:
            return str(screen.query_one("#bulk-status").render())

        lags: list[float] = []
        stop = asyncio.Event()
        watcher = asyncio.ensure_future(bench_stalls.probe(lags, stop))
        sampling = threading.Event()
        if os.environ.get("BENCH_WHERE"):
            threading.Thread(
                target=sample_stalls, args=(threading.get_ident(), sampling), daemon=True
            ).start()
        import gc

        bench_stalls.GC_PAUSES.clear()
        gc.callbacks.append(bench_stalls._gc_timer)  # full collections during the batch
        FULL.clear()
        gc.callbacks.append(_gc_census)  # which thread ran each, how long (the census: how big)
        if os.environ.get("BENCH_GC_THRESHOLD"):  # try other thresholds: "700,10,10"
            gc.set_threshold(*(int(n) for n in os.environ["BENCH_GC_THRESHOLD"].split(",")))
        if os.environ.get("BENCH_SWITCH"):  # try another GIL switch interval (s)
            sys.setswitchinterval(float(os.environ["BENCH_SWITCH"]))
        marks: list[tuple[str, float]] = []  # (what, monotonic time): when each stall was

        def busy(phase: str):
            def still() -> bool:
                if screen.busy:
                    return True
                if not marks or marks[-1][0] != f"{phase} done":
                    marks.append((f"{phase} done", time.monotonic()))
                return False

            return still

        batch = time.perf_counter()
        marks.append(("p (validate) pressed", time.monotonic()))
        await type_key(app, "p")
        await until(
            lambda: screen.busy or status().startswith(f"{rows} rows validated"), "the validation"
        )
        SPLITS.clear()  # the batch's keys only
        FRAMES.clear()
        HANDLERS.clear()
        keys = await probe_keys(app, paint, grid, busy("validation"))
        result["validate_s"] = time.perf_counter() - batch
        valid = sum(1 for r in screen.rows if r.result is not None and r.result.valid)
        if os.environ.get("BENCH_GCTYPES"):
            gc_types("after validating")
        result["peak_validated_mb"] = rss_mb("VmHWM")
        stage("submitting")
        confirming = time.perf_counter()
        marks.append(("s (the confirmation) pressed", time.monotonic()))
        await type_key(app, "s")
        await until(lambda: isinstance(app.screen, SendConfirmScreen), "the confirmation")
        await pilot.pause()  # drawn (the stall probe runs meanwhile: no key is timed here)
        result["confirm_open_s"] = time.perf_counter() - confirming
        result["peak_confirm_mb"] = rss_mb("VmHWM")  # the confirmation open, not yet sent
        if tracing:  # what the open confirmation holds (grid and batch alike)
            import tracemalloc

            held, peak = tracemalloc.get_traced_memory()
            result["heap_confirm_mb"], result["heap_peak_sent_mb"] = held / 2**20, peak / 2**20
            tracemalloc.reset_peak()  # from here: the peak while sending (and at the end)
        applying = time.perf_counter()
        marks.append(("ctrl+s (submit) pressed", time.monotonic()))
        profiling = os.environ.get("BENCH_PROFILE_SUBMIT")  # what the loop does meanwhile
        if profiling:
            import cProfile

            profile = cProfile.Profile()
            profile.enable()
        await type_key(app, "ctrl+s")
        if profiling:
            await asyncio.sleep(float(profiling))
            profile.disable()
            import io
            import pstats

            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(40)
            stage(out.getvalue())
            if os.environ.get("BENCH_PROFILE_OUT"):  # for pstats (print_callers…)
                profile.dump_stats(os.environ["BENCH_PROFILE_OUT"])
        await until(lambda: screen.busy or status().startswith("Done:"), "the submit")
        if os.environ.get("BENCH_MIDAPPLY") and tracing:  # what is held half way through
            await until(lambda: "Submitting" in status() and " of " in status(), "progress")

            def half() -> bool:
                words = status().split()
                try:
                    done, total = int(words[1]), int(words[3].rstrip(":"))
                except (IndexError, ValueError):
                    return not screen.busy
                return done * 2 >= total or not screen.busy

            await until(half, "half the submits", 600.0)
            import tracemalloc

            snapshot = tracemalloc.take_snapshot()
            stage(f"half way through applying: {status()}")
            for stat in snapshot.statistics("traceback")[:6]:
                stage(f"  {stat.size / 1e6:7.2f} MB {stat.count:8d}")
                for line in stat.traceback.format()[-12:]:
                    stage(f"      {line}")
        keys += await probe_keys(app, paint, grid, busy("submit"))
        result["apply_s"] = time.perf_counter() - applying
        result["peak_applied_mb"] = rss_mb("VmHWM")  # the batch done, the grid still open
        stop.set()
        sampling.set()
        await watcher
        gc.callbacks.remove(bench_stalls._gc_timer)
        gc.callbacks.remove(_gc_census)
        for thread, counts, ms, _ in FULL:
            stage(f"full pass in {thread}: {ms:.1f} ms" + (f", {counts} tracked" if counts else ""))
        result["gc"] = list(bench_stalls.GC_PAUSES)
        for where, samples in STALLED_AT.most_common(12):
            stage(f"stalled {samples * 10} ms at {where}")
        for where, samples in OTHERS_AT.most_common(12):
            stage(f"  meanwhile {samples * 10} ms {where}")
        result["batch_keys"] = keys
        result["splits"] = sorted(SPLITS, reverse=True)[:12]
        result["frames"] = FRAMES.most_common(12)
        result["handlers"] = {k: (len(v), max(v)) for k, v in HANDLERS.items()}
        result["marks"] = marks
        result["passes"] = [(when, ms) for _, _, ms, when in FULL]
        result["lags"] = lags
        # the probe's own list grows with the batch's length (a tuple of two floats a tick
        # and its slot): the benchmark's memory, not the app's
        result["probe_mb"] = len(lags) * (sys.getsizeof((0.0, 0.0)) + 2 * 24 + 8) / 2**20
        result["valid"] = valid
        result["status"] = str(screen.query_one("#bulk-status").render())
        if tracing:
            result["heap_held_mb"], result["heap_apply_peak_mb"] = where_memory(tracing)
            # the peak before ctrl+s (the confirmation open) or while sending, whichever higher
            result["heap_peak_mb"] = max(result["heap_peak_sent_mb"], result["heap_apply_peak_mb"])
    await service.aclose()
    result["peak_rss_mb"] = peak_rss_mb()
    return result


#: The full passes during the batch: [thread, objects tracked per generation (BENCH_GCTYPES
#: only), ms], printed as they end.
FULL: list = []


def _gc_census(phase: str, info: dict) -> None:
    import gc

    if info.get("generation") != 2:
        return
    if phase == "start":
        counts = [len(gc.get_objects(g)) for g in range(3)] if CENSUS else []
        FULL.append(
            [threading.current_thread().name, counts, time.perf_counter(), time.monotonic()]
        )
    elif FULL:
        FULL[-1][2] = (time.perf_counter() - FULL[-1][2]) * 1000


CENSUS = bool(os.environ.get("BENCH_GCTYPES"))


def gc_types(when: str) -> None:
    """BENCH_GCTYPES=1: the objects the collector tracks, per generation and by type (a
    full pass walks every one not frozen), and the garbage a full pass finds now (cycles:
    freeing them, and the weakref callbacks and finalizers they run, is most of a pass)."""
    import gc

    gc.set_debug(gc.DEBUG_SAVEALL)
    started = time.perf_counter()
    found = gc.collect()
    took = (time.perf_counter() - started) * 1000
    garbage = Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.garbage)
    gc.garbage.clear()
    gc.set_debug(0)
    stage(f"{when}: a full pass found {found} objects of cyclic garbage ({took:.1f} ms)")
    for name, count in garbage.most_common(25):
        stage(f"  garbage {count:8d} {name}")

    counts = [len(gc.get_objects(g)) for g in range(3)]
    stage(f"{when}: tracked per generation {counts}, frozen {gc.get_freeze_count()}")
    by_type = Counter(
        f"{type(o).__module__}.{type(o).__qualname__}" for g in range(3) for o in gc.get_objects(g)
    )
    for name, count in by_type.most_common(25):
        stage(f"  {count:8d} {name}")


def where_memory(depth: str) -> tuple[float, float]:
    """BENCH_TRACEMALLOC=N: what is allocated and still held at the end of the batch (the
    screen still open), by the line that allocated it and by file (``N`` frames kept; the
    innermost is shown): run two sizes and compare to see what grows with the rows."""
    import gc
    import tracemalloc

    gc.collect()
    peak = tracemalloc.get_traced_memory()[1]  # before the snapshot (it is traced too)
    snapshot = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__)]
    )
    total = sum(s.size for s in snapshot.statistics("filename"))
    stage(f"traced: {total / 1e6:.1f} MB held, {peak / 1e6:.1f} MB at the peak")
    for stat in snapshot.statistics("filename")[:15]:
        stage(f"  {stat.size / 1e6:7.2f} MB {stat.count:8d} {stat.traceback[0].filename}")
    for stat in snapshot.statistics("lineno")[:25]:
        frame = stat.traceback[0]
        stage(f"  {stat.size / 1e6:7.2f} MB {stat.count:8d} {frame.filename}:{frame.lineno}")
    return total / 2**20, peak / 2**20


async def fill_cover(args: argparse.Namespace, seller_id: str) -> None:
    """The stock cover of the same account stored in the cache (in-process, 1000× faster),
    so the app each run starts does not read the sales reports during the batch: its memory
    is the batch's (bench_cover.py measures the refresh's own)."""
    from asin_tui.sandbox.account import SandboxAccount

    account = SandboxAccount(
        listings=args.listings, problem_share=args.problem_share, seed=args.seed
    )
    service = bench_service(seller_id, account=account)
    try:
        for _ in range(50):
            if not (await service.refresh_stock_cover(force=True)).pending:
                return
            await asyncio.sleep(0.05)
        stage("the stock cover reports stayed pending: the first run may read them")
    finally:
        await service.aclose()


def child(args: argparse.Namespace) -> None:
    import faulthandler

    # a run that hangs says where (every thread's stack on stderr) instead of hanging on
    faulthandler.dump_traceback_later(float(os.environ.get("BENCH_DUMP_AFTER", 850)), exit=True)
    url, seller_id = args.child_of.split(" ")
    result = asyncio.run(drive(args.rows, url, seller_id, args))
    print("RESULT " + json.dumps(result), flush=True)


def report(result: dict, time_scale: float) -> None:
    ms = 1000.0
    keys = [k * ms for k in result["batch_keys"]]
    idle = [k * ms for k in result["idle_keys"]]
    lags = [ms for _, ms in result["lags"]]  # bench_stalls.probe: (when, ms late)
    rows = result["rows"]
    floor = max(0.0, (2 * rows - 5) / 5) / time_scale
    print(f"\n--- {rows} rows ({result['valid']} valid) ---")
    print(f"grid open (cache read, {rows} rows drawn) : {result['grid_load_s'] * ms:7.0f} ms")
    print(f"`a` same for all → repaint          : {result['same_for_all_s'] * ms:7.0f} ms")
    print(f"   … every row checked (thread)      : {result['all_checked_s'] * ms:7.0f} ms")
    pages = [p * ms for p in result["pages"]]
    print(
        f"page down → repaint                  : median {statistics.median(pages):.1f} ms, "
        f"max {max(pages):.1f} ms"
    )
    print(
        f"idle key → repaint                   : median {statistics.median(idle):.1f} ms, "
        f"max {max(idle):.1f} ms"
    )
    print(
        f"key → repaint during the batch       : p50 {percentile(keys, 0.5):.1f} ms, "
        f"p99 {percentile(keys, 0.99):.1f} ms, max {max(keys):.1f} ms over {len(keys)} keys "
        f"(goal < {GOAL_MS:.0f} ms)"
    )
    over = sum(1 for lag in lags if lag > GOAL_MS)
    print(
        f"loop stalls during the batch         : {over} over {GOAL_MS:.0f} ms, p99 "
        f"{percentile(lags, 0.99):.1f} ms, max {max(lags):.1f} ms ({len(lags)} ticks)"
    )
    marks = result.get("marks", [])
    for when, late in sorted(result["lags"], key=lambda lag: -lag[1])[:5]:
        if late <= GOAL_MS:
            break
        since = [(label, at) for label, at in marks if at <= when]
        label, at = since[-1] if since else ("the batch", when)
        passes = [ms for start, ms in result.get("passes", []) if start <= when <= start + 1]
        during = f"; a full GC pass of {max(passes):.0f} ms just before" if passes else ""
        print(f"   a stall of {late:.0f} ms, {when - at:.2f} s after {label}{during}")
    asked = [at for label, at in marks if label.startswith("s (")]
    sent = [at for label, at in marks if label.startswith("ctrl+s")]
    if asked and sent:  # the confirmation opening: composed, laid out, drawn over the grid
        opening = [late for when, late in result["lags"] if asked[0] <= when <= sent[0]]
        print(
            f"loop max from s to ctrl+s              : "
            f"{max(opening, default=0):.1f} ms (the confirmation opening)"
        )
    if sent:  # the confirmation closing, the bulk screen laid out and drawn again
        closing = [late for when, late in result["lags"] if 0 <= when - sent[0] <= CLOSING]
        print(
            f"loop max within {CLOSING:g} s after ctrl+s       : "
            f"{max(closing, default=0):.1f} ms (the confirmation closing)"
        )
    full = result.get("gc", [])
    print(
        f"full GC passes during the batch       : {len(full)}, longest "
        f"{max(full, default=0):.1f} ms (they hold the GIL: every thread waits)"
    )
    wall = result["validate_s"] + result["apply_s"]
    print(
        f"batch: validate {result['validate_s']:.1f} s + apply {result['apply_s']:.1f} s = "
        f"{wall:.1f} s; rate floor at ×{time_scale:g}: {floor:.1f} s"
    )
    print(f"status line: {result['status']}")
    print(f"s → the confirmation drawn             : {result['confirm_open_s'] * ms:7.0f} ms")
    print(
        f"RSS with the grid open {result['rss_grid_mb']:.0f} MB; peak after `a` and its "
        f"checks {result['peak_checked_mb']:.0f} MB; peak after validating "
        f"{result['peak_validated_mb']:.0f} MB; with the confirmation open "
        f"{result['peak_confirm_mb']:.0f} MB; peak {result['peak_rss_mb']:.0f} MB"
    )
    if result.get("splits"):  # BENCH_KEYSPLIT: where the slowest keys' time went
        print("slowest batch keys (ms): key → action → frame begins → grid drawn")
        for total, to_action, to_update, to_paint, frame, gc_ms in result["splits"]:
            print(
                f"   {total:6.1f} = {to_action:6.1f} + {to_update:6.1f} + {to_paint:6.1f}"
                f"   frame {frame}" + (f"; full GC {gc_ms:.0f} ms meanwhile" if gc_ms else "")
            )
    if result.get("frames"):
        wall = result["validate_s"] + result["apply_s"]
        total = sum(n for _, n in result["frames"])
        print(f"frames during the batch: {total} ({total / wall:.1f} a second), by what they drew:")
        for what, n in result["frames"]:
            print(f"   {n:6d} {what or '(nothing dirty: a layout or callbacks)'}")
    for name, (calls, longest) in sorted(result.get("handlers", {}).items()):
        print(f"UI loop in BulkScreen.{name}: {calls} calls, longest {longest:.1f} ms")
    goal = max(keys) < GOAL_MS
    print(f"goal key → repaint < {GOAL_MS:.0f} ms throughout: {'MET' if goal else 'NOT MET'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,500,2000")
    parser.add_argument("--listings", type=int, default=10000)
    parser.add_argument("--problem-share", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--time-scale", type=float, default=10.0)
    parser.add_argument("--size", default="120x40")
    parser.add_argument(
        "--heap", action="store_true", help="each size run again under tracemalloc: heap vs rows"
    )
    parser.add_argument("--rows", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--child-of", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_of:
        child(args)
        return 0

    os.environ["PYTHONPATH"] = str(ROOT)  # the server and the children import asin_tui
    print(f"clock ×{args.time_scale:g}; load {os.getloadavg()[0]:.2f}")
    with served(args) as (url, seller_id):
        if url is None:
            print("the sandbox server did not start", file=sys.stderr)
            return 1
        asyncio.run(fill_cache(args, seller_id))
        asyncio.run(fill_cover(args, seller_id))
        stage("cache filled")
        found: dict[int, dict] = {}
        for rows in (int(n) for n in args.sizes.split(",")):
            for heap in (False, True) if args.heap else (False,):
                env = dict(os.environ)
                if heap:  # tracemalloc inflates RSS: its own run
                    env["BENCH_TRACEMALLOC"] = env.get("BENCH_TRACEMALLOC") or "1"
                out = subprocess.run(
                    [
                        sys.executable,
                        os.environ.get("BENCH_CHILD", __file__),
                        f"--rows={rows}",
                        f"--child-of={url} {seller_id}",
                        f"--time-scale={args.time_scale}",
                        f"--size={args.size}",
                    ],
                    stdout=subprocess.PIPE,
                    text=True,
                    check=False,
                    timeout=900,
                    env=env,
                )
                line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
                if line is None:
                    print(f"{rows} rows: the run failed\n{out.stdout[-2000:]}")
                    continue
                result = json.loads(line[len("RESULT ") :])
                if heap:
                    found.setdefault(rows, {}).update(
                        heap_held_mb=result["heap_held_mb"],
                        heap_peak_mb=result["heap_peak_mb"],
                        heap_confirm_mb=result["heap_confirm_mb"],
                        heap_peak_sent_mb=result["heap_peak_sent_mb"],
                        heap_apply_peak_mb=result["heap_apply_peak_mb"],
                    )
                else:
                    found.setdefault(rows, {}).update(result)
                    report(result, args.time_scale)
    memory_table(found)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


def memory_table(found: dict[int, dict]) -> None:
    """Memory against rows, and the slope per extra row from the smallest size to the
    largest (RSS: the process's; heap: what tracemalloc finds held at the end and its peak,
    from the --heap runs)."""
    sizes = sorted(rows for rows, r in found.items() if "rss_grid_mb" in r)
    if not sizes:
        return
    keys = [
        ("rss_grid_mb", "RSS grid open"),
        ("peak_validated_mb", "peak validated"),
        ("peak_confirm_mb", "peak confirming"),
        ("peak_applied_mb", "peak applied"),
        ("peak_rss_mb", "peak RSS"),
        ("heap_confirm_mb", "heap confirming"),
        ("heap_held_mb", "heap held"),
        ("heap_peak_sent_mb", "heap peak to ^s"),
        ("heap_apply_peak_mb", "heap peak apply"),
        ("heap_peak_mb", "heap peak"),
        ("probe_mb", "bench's probe"),
    ]
    keys = [(k, label) for k, label in keys if all(k in found[n] for n in sizes)]
    print("\nmemory against rows (MB):")
    print(f"{'rows':>6}" + "".join(f"{label:>16}" for _, label in keys))
    for rows in sizes:
        print(f"{rows:>6}" + "".join(f"{found[rows][k]:>16.1f}" for k, _ in keys))
    low, high = sizes[0], sizes[-1]
    if high > low:
        slopes = [
            f"{label} {(found[high][k] - found[low][k]) * 1024 / (high - low):.2f} KB"
            for k, label in keys
        ]
        print(f"per extra row ({low} -> {high}): " + ", ".join(slopes))


if __name__ == "__main__":
    raise SystemExit(main())
