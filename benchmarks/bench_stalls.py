"""Benchmark: the UI's event loop during a large sync — stalls and key → repaint (not a test).

    python benchmarks/bench_stalls.py [--listings 100000] [--problem-share 0.3]
                                      [--time-scale 1000] [--modes before,thread,process]
    python benchmarks/bench_stalls.py --tui [--listings 100000] [--keys-idle 20]
    python benchmarks/bench_stalls.py --tui --demo
    python benchmarks/bench_stalls.py --tui --health [--in-process]  # a late Account Health report
    python benchmarks/bench_stalls.py --tui --server URL SELLER_ID  # a sandbox already served

The sandbox account is served by a separate process (benchmarks/bench_sync.py's server). A
high time scale makes the sync CPU-bound, the worst case for stalls. Goal (issue 12): no
event-loop stall over 50 ms, key → repaint p99 under 100 ms, during a 100,000-listing sync.

**Loop probe** (default): the sync runs as the app runs it, through ``AccountService`` into a
throwaway cache, beside a loop-lag probe on this process's event loop (the UI's): a task that
asks to wake every 5 ms and notes how late it woke. A late wake-up is a stall: a key pressed
then would have waited as long. Modes, each a sync of its own in the same run:

- ``idle``: the probe alone, no sync (what the loaded machine itself costs: the baseline);
- ``before``: the sync on the probe's loop, as before the background loop (the old design);
- ``thread``: the sync on the service's own loop in a thread (the demo's, report's, watch's);
- ``child``: the sync as the app runs a configured profile's: in a child process
  (``AccountService(child_client=…)``, asin_tui/child.py), progress crossing back over a pipe;
- ``process``: the sync in another process, the probe alone in this one — a child process
  design's best case (nothing crosses back, not even progress): shares the CPU, not the GIL.

Each mode also prints how long the sync took to tell its first progress (for ``child``: the
child's interpreter, its imports and its client start inside that time).

**Key → repaint** (``--tui``): the real app in a pseudo-terminal (120x40, byte-code compiled),
its start-up sync of the served account into an empty cache, in a child process as the app syncs
a configured profile (``--in-process``: on the service's loop in a thread, as before) (``--demo``: ``asin-tui --demo``'s
own start-up sync of the in-process demo account at its real rates, on a fresh demo). While
the sync runs, ``a`` (needs attention ↔ every listing) is typed every 150-300 ms and timed
until the scope it names is drawn; after the sync, ``--keys-idle`` more give the baseline (the
same key, no sync). The app's own loop carries the 5 ms probe too, over the sync's span.
``--health``: the served account's Account Health report (AT_RISK) is held back past the sync;
once the keys after the sync are typed, it is let through, the app's next look (every 1 s
here, 20 s in the app) stores it and, the gate changed (none → AT_RISK), every cached listing
is diagnosed again with it — in a child process, or with ``--in-process`` on the service's
thread as before; the keys and the loop are timed from the release until the report is stored.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import json
import os
import pty
import random
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_startup import ANSI, child_env, compile_all, xdg_dirs  # noqa: E402
from bench_sync import FINISH_REPORTS, HOLD_REPORTS, finish_reports, sandbox_server  # noqa: E402

TICK = 0.005
GOAL_STALL_MS = 50.0
GOAL_KEY_P99_MS = 100.0
#: The `a` key's two scopes, as the counts bar names them.
SCOPES = ("All listings", "Needs attention")

#: Where the loop thread was while it stalled (--where): "file:line function" -> samples.
STALLED_AT: Counter[str] = Counter()
_last_tick = [time.perf_counter()]


# --------------------------------------------------------------------------- the probe


async def probe(lags: list[tuple[float, float]], stop: asyncio.Event) -> None:
    """(monotonic time, ms late) of every 5 ms wake-up asked for, until ``stop``."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        asked = loop.time()
        await asyncio.sleep(TICK)
        lags.append((time.monotonic(), (loop.time() - asked - TICK) * 1000))
        _last_tick[0] = time.perf_counter()


def sample_stalls(loop_thread: int, stop: threading.Event) -> None:
    """Every 20 ms: if the probe has not ticked for 100 ms, note where the loop thread is."""
    while not stop.wait(0.02):
        if time.perf_counter() - _last_tick[0] < 0.1:
            continue
        frame = sys._current_frames().get(loop_thread)
        if frame is None:
            continue
        stack = traceback.extract_stack(frame)[-4:]
        STALLED_AT[" <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in stack)] += 1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


# --------------------------------------------------------------------------- loop-probe modes


def bench_service(
    url: str, seller_id: str, args: argparse.Namespace, cache_dir: str, *, child: bool = False
):
    import functools

    from asin_tui.demo import sandbox_settings
    from asin_tui.domain.marketplaces import MARKETPLACES
    from asin_tui.service import AccountService
    from asin_tui.spapi.client import open_client
    from asin_tui.store.cache import ListingCache

    profile = sandbox_settings(MARKETPLACES["US"], seller_id, url, name="bench")
    factory = functools.partial(open_client, profile, time_scale=args.time_scale)
    return AccountService(
        profile_name="bench",
        marketplace_id=profile.marketplace.marketplace_id,
        seller_id=seller_id,
        client_factory=factory,
        child_client=factory if child else None,
        cache=ListingCache(Path(cache_dir) / "bench.sqlite3"),
    )


#: How long each of the collector's full (generation 2) passes held the GIL, ms.
GC_PAUSES: list[float] = []
_gc_started = [0.0]


def _gc_timer(phase: str, info: dict) -> None:
    if info.get("generation") != 2:
        return
    if phase == "start":
        _gc_started[0] = time.perf_counter()
    else:
        GC_PAUSES.append((time.perf_counter() - _gc_started[0]) * 1000)


async def probe_mode(mode: str, url: str, seller_id: str, args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        service = None  # made before the probe starts: the app opens its account before too
        if mode not in ("idle", "process"):
            service = bench_service(url, seller_id, args, tmp, child=mode == "child")
            if mode == "before":  # the old design: the sync on this (the UI's) loop
                service._background.on_loop = lambda: True  # type: ignore[method-assign]
        try:
            return await _probed(mode, service, url, seller_id, args)
        finally:
            if service is not None:
                await service.aclose()


async def _probed(mode: str, service, url: str, seller_id: str, args: argparse.Namespace) -> dict:
    lags: list[tuple[float, float]] = []
    GC_PAUSES.clear()
    stop = asyncio.Event()
    watcher = asyncio.ensure_future(probe(lags, stop))
    sampling = threading.Event()
    if args.where:
        threading.Thread(
            target=sample_stalls, args=(threading.get_ident(), sampling), daemon=True
        ).start()
    started = time.perf_counter()
    begun = time.monotonic()
    listings = 0
    first: list[float] = []  # seconds to the first progress
    if mode == "idle":
        await asyncio.sleep(args.idle_seconds)
    elif mode == "process":
        child = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--sync-child", url, seller_id,
            f"--time-scale={args.time_scale}", *(["--all"] if args.all else []),
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, _ = await child.communicate()
        listings = int(out.split()[-1])
    else:

        def progressed(_p) -> None:
            if not first:
                first.append(time.perf_counter() - started)

        summary = await service.sync(include_all=args.all, progress=progressed)
        listings = summary.listings
    wall = time.perf_counter() - started
    stop.set()
    sampling.set()
    await watcher
    values = [lag for _, lag in lags]
    return {
        "mode": mode,
        "wall": wall,
        "listings": listings,
        "ticks": len(values),
        "max": max(values, default=float("nan")),
        "p99": percentile(values, 0.99),
        "over": sum(1 for lag in values if lag > GOAL_STALL_MS),
        "stalls": sorted(
            ((lag, at - begun) for at, lag in lags if lag > GOAL_STALL_MS), reverse=True
        )[:5],
        "gc": list(GC_PAUSES),
        "first": first[0] if first else float("nan"),
    }


def sync_child(url: str, seller_id: str, args: argparse.Namespace) -> None:
    """--sync-child: one stored sync in this process (the process mode's other side)."""

    async def main() -> int:
        with tempfile.TemporaryDirectory() as tmp:
            service = bench_service(url, seller_id, args, tmp)
            summary = await service.sync(include_all=args.all)
            await service.aclose()
            return summary.listings

    print(asyncio.run(main()), flush=True)


def print_probe(results: list[dict], args: argparse.Namespace) -> None:
    print(
        f"\nloop probe: sync of {args.listings:,} listings ({args.problem_share:.0%} needing"
        f" attention, time scale {args.time_scale:g}); load average"
        f" {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(f"{'mode':<10}{'sync s':>8}{'1st msg s':>10}{'listings':>10}{'ticks':>8}{'max ms':>9}"
          f"{'p99 ms':>9}{'> 50 ms':>9}")  # fmt: skip
    for r in results:
        print(f"{r['mode']:<10}{r['wall']:>8.1f}{r['first']:>10.2f}{r['listings']:>10,}"
              f"{r['ticks']:>8,}{r['max']:>9.1f}{r['p99']:>9.1f}{r['over']:>9}"
              f"   gen-2 collections here: {len(r['gc'])}, longest"
              f" {max(r['gc'], default=0):.0f} ms")  # fmt: skip
    for r in results:
        if r["stalls"]:
            print(f"{r['mode']}: stalls over {GOAL_STALL_MS:g} ms: "
                  + ", ".join(f"{ms:.0f} ms at {at:.1f} s" for ms, at in r["stalls"]))  # fmt: skip
    print(f"goal: no stall > {GOAL_STALL_MS:g} ms (max); baseline: idle (no sync) and before")
    for where, n in STALLED_AT.most_common(12):
        print(f"{n:>6} x 20 ms stalled at {where}")


# --------------------------------------------------------------------------- the app in a pty

APP_CHILD = """
import asyncio, json, time

_last_tick = [time.perf_counter()]

async def probe(lags, stop):  # bench_stalls.probe, inline: the app's process imports no bench
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        asked = loop.time()
        await asyncio.sleep({tick!r})
        lags.append((time.monotonic(), (loop.time() - asked - {tick!r}) * 1000))
        _last_tick[0] = time.perf_counter()

WHERE = []  # --where: (monotonic time, ms since the probe's last tick, loop thread, others)

def sample_where(loop_thread, stop):
    # every 5 ms: once the probe has not ticked for 30 ms, where each thread is (a sample is
    # taken when this thread gets the GIL: a C call holding it shows at its calling line)
    import sys, threading, traceback
    me = threading.get_ident()
    def stack(frame, depth):
        return " <- ".join(f"{{f.filename.rsplit('/', 1)[-1]}}:{{f.lineno}} {{f.name}}"
                           for f in reversed(traceback.extract_stack(frame)[-depth:]))
    while not stop.wait(0.005):
        late = time.perf_counter() - _last_tick[0]
        if late < 0.03:
            continue
        frames = sys._current_frames()
        names = {{t.ident: t.name for t in threading.enumerate()}}
        others = [f"{{names.get(i, i)}}: {{stack(f, 3)}}" for i, f in frames.items()
                  if i not in (loop_thread, me) and f.f_code.co_filename.rsplit("/", 1)[-1]
                  not in ("threading.py", "queue.py", "selectors.py", "thread.py")]
        loop = stack(frames[loop_thread], 8) if loop_thread in frames else "?"
        WHERE.append((time.monotonic(), late * 1000, loop, others))

GC = []  # (monotonic time, ms) of each of the collector's full passes in the app
_gc_start = [0.0]

def gc_timer(phase, info):
    if info.get("generation") == 2:
        if phase == "start":
            _gc_start[0] = time.perf_counter()
        else:
            GC.append((time.monotonic(), (time.perf_counter() - _gc_start[0]) * 1000))

async def main():
    import gc
    gc.callbacks.append(gc_timer)
    if {switch!r}:
        import sys
        sys.setswitchinterval({switch!r})
    lags, stop = [], asyncio.Event()
    task = asyncio.ensure_future(probe(lags, stop))
    sampling = None
    if {where!r}:
        import threading
        sampling = threading.Event()
        threading.Thread(target=sample_where, args=(threading.get_ident(), sampling),
                         daemon=True, name="bench-where").start()
    try:
        await build_app().run_async()
    finally:
        stop.set()
        await task
        if sampling is not None:
            sampling.set()
            with open({lags_file!r} + ".where", "w") as out:
                json.dump(WHERE, out)
        with open({lags_file!r}, "w") as out:
            json.dump(lags, out)
        with open({lags_file!r} + ".gc", "w") as out:
            json.dump(GC, out)

def build_app():
    from asin_tui.ui.app import make_app
    from asin_tui.ui.timing import UI_TIMING
    import dataclasses
    timing = dataclasses.replace(UI_TIMING, health_look_seconds={health_look!r}, health_looks=10**6) if {health_look!r} else UI_TIMING
    if {demo!r}:
        from asin_tui.commands.tui import open_demo
        return make_app(lambda: open_demo(reset=True))
    import functools
    from asin_tui.demo import sandbox_settings
    from asin_tui.domain.marketplaces import MARKETPLACES
    from asin_tui.service import AccountService
    from asin_tui.spapi.client import open_client
    if {health_look!r}:  # what each look at the Account Health report found, for the bench
        looked = AccountService.refresh_account_health
        async def logged(self):
            with open({lags_file!r} + ".health", "a") as log:
                try:
                    result = await looked(self)
                except BaseException as exc:
                    log.write(f"{{time.monotonic()}} raised {{exc!r}}\\n")
                    raise
                log.write(f"{{time.monotonic()}} {{result}}\\n")
                return result
        AccountService.refresh_account_health = logged
    profile = sandbox_settings(MARKETPLACES["US"], {seller!r}, {url!r}, name="bench")
    factory = functools.partial(open_client, profile, time_scale={scale!r})
    return make_app(lambda: AccountService(
        profile_name="bench", marketplace_id=profile.marketplace.marketplace_id,
        seller_id={seller!r}, client_factory=factory,
        child_client=None if {in_process!r} else factory), timing=timing)
asyncio.run(main())
"""


class Screen:
    """The pty's output, read as it comes (the app would block if it were not)."""

    def __init__(self, master: int) -> None:
        self.master = master

    def read(self, timeout: float) -> bytes:
        """What arrives within ``timeout`` s (raw); b'' when nothing did."""
        if not select.select([self.master], [], [], max(0.0, timeout))[0]:
            return b""
        try:
            return os.read(self.master, 1 << 16)
        except OSError:
            return b""

    def wait_for(self, marks: tuple[str, ...], timeout: float) -> tuple[str | None, str]:
        """Read until one of ``marks`` is drawn: (the mark, the text read) or (None, text).
        Escapes are stripped from all that was read, not chunk by chunk (a chunk may end
        inside an escape sequence, or inside the mark)."""
        deadline = time.monotonic() + timeout
        raw, text = b"", ""
        while time.monotonic() < deadline:
            chunk = self.read(deadline - time.monotonic())
            if not chunk:
                continue
            raw = (raw + chunk)[-(1 << 17) :]
            text = ANSI.sub(b"", raw).decode("utf-8", "replace")
            for mark in marks:
                if mark in text:
                    return mark, text
        return None, text


#: With --health: how often the app looks at the pending Account Health report (20 s in the
#: app: shortened, so the bench does not wait for it).
HEALTH_LOOK_SECONDS = 1.0
HEALTH_GIVE_UP_SECONDS = 240.0


def tell_server(args: argparse.Namespace, line: str) -> None:
    """A line to the sandbox server's stdin (bench_sync.serve): the bench's own server, or,
    with ``--control``, the FIFO a server started apart reads as its stdin."""
    if args.control:
        with open(args.control, "a") as control:
            control.write(line + "\n")
    elif line == FINISH_REPORTS:
        finish_reports()


def health_stored(cache_home: Path) -> bool:
    """Whether the app's cache holds an Account Health report (the look stored it, after
    diagnosing every cached listing again with it)."""
    import sqlite3

    for path in cache_home.glob("asin-tui/*.sqlite3"):
        try:
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
                if db.execute("SELECT count(*) FROM account_health").fetchone()[0]:
                    return True
        except sqlite3.Error:
            continue
    return False


class SyncsFinished:
    """Syncs committed to the app's cache: the end of a sync, read from the file (the status
    line says it only once the list has reloaded, which keys typed every 200 ms put off)."""

    def __init__(self, cache_home: Path) -> None:
        self.cache_home = cache_home
        self.seen: set[str] = set()

    def more(self) -> bool:
        """Whether a sync finished since the last call that said so."""
        import sqlite3

        found = False
        for path in self.cache_home.glob("asin-tui/*.sqlite3"):
            try:
                with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
                    rows = db.execute("SELECT finished_at FROM sync").fetchall()
            except sqlite3.Error:
                continue
            for (at,) in rows:
                if at not in self.seen:
                    self.seen.add(at)
                    found = True
        return found


def tui_run(args: argparse.Namespace, url: str | None, seller_id: str | None) -> dict:
    """The app in a pty syncing; `a` typed during the sync and after it, each timed."""
    base = Path(tempfile.mkdtemp(prefix="bench-stalls-"))
    lags_file = base / "lags.json"
    code = APP_CHILD.format(
        tick=TICK, switch=args.switch_interval, lags_file=str(lags_file), demo=args.demo,
        seller=seller_id, url=url, scale=args.time_scale, in_process=args.in_process,
        health_look=HEALTH_LOOK_SECONDS if args.health else None, where=args.where,
    )  # fmt: skip
    if args.health:
        tell_server(args, HOLD_REPORTS)  # the app's start-up sync leaves it pending
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=slave, stdout=slave, stderr=slave,
        env=child_env(xdg := xdg_dirs(base)), start_new_session=True,
    )  # fmt: skip
    os.close(slave)
    screen = Screen(master)
    during: list[float] = []
    idle: list[float] = []
    slow: list[tuple[float, float]] = []  # (ms, seconds into the sync) of keys during it
    windows: list[list[float]] = []  # [start, end] of each sync on screen
    finished = SyncsFinished(Path(xdg["XDG_CACHE_HOME"]))
    health: list[float] = []  # --health: [report released, report stored]
    health_keys: list[float] = []
    typed_at: list[float] = []  # when each `a` was typed
    rng = random.Random(7)
    failed = None
    try:
        mark, text = screen.wait_for(("Needs attention",), 120)
        if mark is None:
            raise RuntimeError(f"the app never painted:\n{text[-800:]}")
        scope = 1  # Needs attention
        synced = False
        windows.append([time.monotonic()])
        while True:
            # while the report is diagnosed in: a key a second (each `a` reloads every row
            # of the scope: at 150-300 ms they would keep the machine busy themselves)
            pace = (0.8, 1.2) if len(health) == 1 else (0.15, 0.3)
            pause_until = time.monotonic() + rng.uniform(*pace)
            raw = b""
            while time.monotonic() < pause_until:  # keep reading meanwhile
                raw = (raw + screen.read(pause_until - time.monotonic()))[-(1 << 17) :]
            seen = ANSI.sub(b"", raw).decode("utf-8", "replace")
            if not synced and finished.more():
                synced = True
                windows[-1].append(time.monotonic())
            if "Sync failed" in seen:
                failed = seen.strip()[-300:]
                break
            if synced and len(windows) < args.syncs:  # the next sync (r), of the same scope
                if scope == 0:
                    os.write(master, b"a")
                    screen.wait_for((SCOPES[1],), 30)
                    scope = 1
                os.write(master, b"r")
                synced = False
                windows.append([time.monotonic()])
                continue
            if synced and args.health and not health and len(idle) >= args.keys_idle:
                # after the keys that follow the sync (the list's reload is theirs, not this):
                tell_server(args, FINISH_REPORTS)  # the app's next look: none -> AT_RISK
                health.append(time.monotonic())
                print("the Account Health report let through", flush=True)
            if len(health) == 1 and health_stored(Path(xdg["XDG_CACHE_HOME"])):
                health.append(time.monotonic())
                print(f"... stored after {health[1] - health[0]:.1f} s", flush=True)
            if len(health) == 1 and time.monotonic() - health[0] > HEALTH_GIVE_UP_SECONDS:
                looks = Path(str(lags_file) + ".health")
                told = looks.read_text()[-1500:] if looks.exists() else "no look at all"
                raise RuntimeError(f"the Account Health report was never stored:\n{told}")
            if synced and len(idle) >= args.keys_idle and (not args.health or len(health) == 2):
                break
            scope = 1 - scope
            typed = time.monotonic()
            typed_at.append(typed)
            os.write(master, b"a")
            mark, text = screen.wait_for((SCOPES[scope],), 30)
            if mark is None:
                raise RuntimeError(f"{SCOPES[scope]!r} never drawn after `a`:\n{text[-800:]}")
            took = (time.monotonic() - typed) * 1000
            if not synced and finished.more():
                synced = True
                windows[-1].append(time.monotonic())
                continue  # the sync ended while this key waited: neither during nor idle
            (health_keys if len(health) == 1 else idle if synced else during).append(took)
            if not synced:
                slow.append((took, typed - windows[-1][0]))
        os.write(master, b"q")
        deadline = time.monotonic() + 30
        while proc.poll() is None and time.monotonic() < deadline:
            screen.read(0.1)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(5)
        os.close(master)
    lags = json.loads(lags_file.read_text()) if lags_file.exists() else []
    gc_file = Path(str(lags_file) + ".gc")
    passes = json.loads(gc_file.read_text()) if gc_file.exists() else []
    spans = [(w[0], w[1] if len(w) > 1 else time.monotonic()) for w in windows]
    sync_lags = [lag for at, lag in lags if any(a <= at <= b for a, b in spans)]
    health_span = (
        (health[0], health[1] if len(health) > 1 else time.monotonic()) if health else None
    )
    health_lags = (
        [lag for at, lag in lags if health_span[0] <= at <= health_span[1]] if health_span else []
    )
    after_sync = (spans[-1][1], health_span[0] if health_span else time.monotonic())

    def gc_in(span: tuple[float, float] | None) -> list[float]:
        return [ms for at, ms in passes if span and span[0] <= at <= span[1]]

    where_file = Path(str(lags_file) + ".where")
    samples = json.loads(where_file.read_text()) if where_file.exists() else []
    stalls = []  # --where: each tick over the goal, with what was seen during it
    for at, lag in lags:
        if lag <= GOAL_STALL_MS:
            continue
        began = at - (lag / 1000 + TICK)
        phase = (
            "health" if health_span and health_span[0] <= at <= health_span[1]
            else "sync" if any(a <= at <= b for a, b in spans) else "other"
        )  # fmt: skip
        stalls.append({
            "ms": lag, "phase": phase,
            "key_before_ms": min(((began - t) * 1000 for t in typed_at if t <= at), default=None),
            "gc": [ms for t, ms in passes if began - 0.01 <= t <= at + 0.01],
            "where": [(round(late), loop, others) for t, late, loop, others in samples
                      if began <= t <= at + 0.01],
        })  # fmt: skip

    return {
        "gc_sync": [ms for at, ms in passes if any(a <= at <= b for a, b in spans)],
        "gc_after": gc_in(after_sync),
        "gc_health": gc_in(health_span),
        "health_seconds": health_span[1] - health_span[0] if health_span else None,
        "health_keys": health_keys,
        "health_lags": health_lags,
        "failed": failed,
        "syncs": len(spans),
        "sync_seconds": sum(b - a for a, b in spans),
        "during": during,
        "idle": idle,
        "lags": sync_lags,
        "slow": sorted(slow, reverse=True)[:5],
        "stalls": stalls,
    }


def print_tui(result: dict, args: argparse.Namespace) -> None:
    what = (
        "asin-tui --demo's start-up sync (in-process demo account, its real rates)"
        if args.demo
        else f"start-up sync of {args.listings:,} listings / {args.problem_share:.0%}, time"
        f" scale {args.time_scale:g}, empty cache,"
        f" {'in-process (thread)' if args.in_process else 'in a child process'}"
    )
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nkey → repaint in a 120x40 pty: {what}; load average {load}")
    if result["failed"]:
        print(f"THE SYNC FAILED: {result['failed']}")
    print(f"{result['syncs']} sync(s) on screen for {result['sync_seconds']:.1f} s in all")
    print(f"{'measure':<34}{'baseline (idle)':>16}{'during sync':>13}{'goal':>12}")

    def row(name: str, base: float, now: float, goal: str) -> None:
        print(f"{name:<34}{base:>13.1f} ms{now:>10.1f} ms{goal:>12}")

    during, idle = result["during"], result["idle"]
    row(f"a → repaint p50 (n={len(idle)}/{len(during)})", percentile(idle, 0.5),
        percentile(during, 0.5), "")  # fmt: skip
    row("a → repaint p99", percentile(idle, 0.99), percentile(during, 0.99),
        f"< {GOAL_KEY_P99_MS:g} ms")  # fmt: skip
    row("a → repaint max", max(idle, default=float("nan")), max(during, default=float("nan")),
        "")  # fmt: skip
    slowest = ", ".join(f"{ms:.0f} ms at {at:.1f} s" for ms, at in result["slow"])
    print(f"slowest keys during the sync: {slowest}")
    if result["health_seconds"] is not None:
        keys, lags = result["health_keys"], result["health_lags"]
        print(f"Account Health report released to stored (every cached listing diagnosed again"
              f" with it, {'in-process (thread)' if args.in_process else 'in a child process'}):"
              f" {result['health_seconds']:.1f} s; a → repaint meanwhile (n={len(keys)}): p50"
              f" {percentile(keys, 0.5):.1f} ms, p99 {percentile(keys, 0.99):.1f} ms, max"
              f" {max(keys, default=float('nan')):.1f} ms; app loop stall: max"
              f" {max(lags, default=float('nan')):.1f} ms, p99 {percentile(lags, 0.99):.1f} ms,"
              f" {sum(1 for x in lags if x > GOAL_STALL_MS)} over {GOAL_STALL_MS:g} ms of"
              f" {len(lags):,} ticks")  # fmt: skip
    for name, key in (("the sync", "gc_sync"), ("the keys after it", "gc_after"),
                      ("the Account Health look", "gc_health")):  # fmt: skip
        passes = result[key]
        if passes:
            print(f"the app's full gc passes during {name}: {len(passes)}, longest"
                  f" {max(passes):.0f} ms, {sum(passes):.0f} ms in all")  # fmt: skip
    for stall in result["stalls"] if args.where else ():
        key = stall["key_before_ms"]
        print(f"stall {stall['ms']:.1f} ms ({stall['phase']}); `a` typed"
              f" {'-' if key is None else f'{key:.0f} ms'} before it; full gc passes in it:"
              f" {stall['gc'] or 'none'}")  # fmt: skip
        for late, loop, others in stall["where"]:
            print(f"    at {late} ms: {loop}")
            for other in others:
                print(f"        {other}")
    lags = result["lags"]
    print(f"app loop stall during the sync: max {max(lags, default=float('nan')):.1f} ms, p99"
          f" {percentile(lags, 0.99):.1f} ms, {sum(1 for x in lags if x > GOAL_STALL_MS)} over"
          f" {GOAL_STALL_MS:g} ms of {len(lags):,} ticks (goal: none over {GOAL_STALL_MS:g} ms)")  # fmt: skip


# --------------------------------------------------------------------------- main


@contextlib.contextmanager
def served(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    if args.server:
        if args.health and not args.control:
            raise SystemExit("--health with --server needs --control (the server's stdin FIFO)")
        yield args.server[0], args.server[1]
    else:
        health = {"account_status": "AT_RISK", "hold_reports": True} if args.health else {}
        with sandbox_server(args, **health) as server:
            yield server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--problem-share", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--time-scale", type=float, default=1000.0)
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--modes", default="idle,thread,child,process")
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    parser.add_argument("--where", action="store_true", help="sample where the loop stalls")
    parser.add_argument("--tui", action="store_true", help="key → repaint, the app in a pty")
    parser.add_argument("--demo", action="store_true", help="with --tui: asin-tui --demo")
    parser.add_argument("--keys-idle", type=int, default=20)
    parser.add_argument(
        "--in-process", action="store_true", help="with --tui: the sync in a thread (before)"
    )
    parser.add_argument(
        "--control",
        help="with --server --health: a FIFO the server (bench_sync.py --serve --account-status"
        " AT_RISK --hold-reports) reads as its stdin",
    )
    parser.add_argument(
        "--health",
        action="store_true",
        help="with --tui: after the sync, an Account Health report held back until then"
        " arrives AT_RISK (none -> AT_RISK: every cached listing diagnosed again); keys and"
        " the loop timed while that runs",
    )
    parser.add_argument(
        "--syncs", type=int, default=1, help="with --tui: syncs in a row (r after each one)"
    )
    parser.add_argument(
        "--switch-interval",
        type=float,
        default=None,
        help="with --tui: the app's GIL switch interval (default: asin-tui's, commands/tui.py's"
        " GIL_SWITCH_SECONDS; 0: Python's own 5 ms)",
    )
    parser.add_argument(
        "--server",
        nargs=2,
        metavar=("URL", "SELLER_ID"),
        help="a sandbox already served (bench_sync.py --serve prints READY URL SELLER_ID):"
        " its set-up, minutes at 100,000 listings, kept out of the timed run",
    )
    parser.add_argument("--sync-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.tui and args.switch_interval is None:  # as `asin-tui` runs the app
        from asin_tui.commands.tui import GIL_SWITCH_SECONDS

        args.switch_interval = GIL_SWITCH_SECONDS
    if args.sync_child:
        sync_child(*args.sync_child, args)
        return 0
    if args.tui:
        compile_all()
        if args.demo:
            print_tui(tui_run(args, None, None), args)
            return 0
        with served(args) as (url, seller_id):
            result = tui_run(args, url, seller_id)
        print_tui(result, args)
        return 0
    import gc

    gc.callbacks.append(_gc_timer)
    results = []
    with served(args) as (url, seller_id):
        for mode in args.modes.split(","):
            print(f"mode {mode}…", flush=True)
            results.append(asyncio.run(probe_mode(mode, url, seller_id, args)))
    print_probe(results, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
