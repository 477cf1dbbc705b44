"""Benchmark: how long the event loop (the UI's) is held during a large sync (not a test).

    python benchmarks/bench_stalls.py [--listings 100000] [--problem-share 0.3] [--time-scale 1000]

The sandbox account is served by a separate process (benchmarks/bench_sync.py's server); the
sync runs as the app runs it, through ``AccountService`` into a throwaway cache, on this
process's event loop, beside a loop-lag probe: a task that asks to wake every 5 ms and notes
how late it woke. A late wake-up is a stall: the loop was busy (parsing, staging, diagnosing,
progress callbacks) and a key pressed then would have waited as long. A high time scale makes
the sync CPU-bound, the worst case for stalls.

Prints the stalls' count over 50 ms, p99, max, and the sync's wall time, beside the goal
(no stall > 50 ms). Key -> repaint is not measured here (no terminal): see bench_tui.py.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_sync import sandbox_server, stored_syncs  # noqa: E402

TICK = 0.005
GOAL_MS = 50.0


#: Where the loop thread was while it stalled (--where): "file:line function" -> samples.
STALLED_AT: Counter[str] = Counter()
_last_tick = [time.perf_counter()]


async def probe(lags: list[float], stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        asked = loop.time()
        await asyncio.sleep(TICK)
        lags.append((loop.time() - asked - TICK) * 1000)
        _last_tick[0] = time.perf_counter()


def sample_stalls(loop_thread: int, stop: threading.Event) -> None:
    """Every 20 ms: if the probe has not ticked for 100 ms, note where the loop thread is
    (its innermost asin_tui frames)."""
    while not stop.wait(0.02):
        if time.perf_counter() - _last_tick[0] < 0.1:
            continue
        frame = sys._current_frames().get(loop_thread)
        if frame is None:
            continue
        stack = traceback.extract_stack(frame)
        ours = [f for f in stack if "asin_tui" in f.filename or "asyncio" in f.filename][-3:]
        STALLED_AT[" <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in ours)] += 1


async def run(url: str, seller_id: str, args: argparse.Namespace) -> tuple[float, list[float]]:
    lags: list[float] = []
    stop = asyncio.Event()
    watcher = asyncio.ensure_future(probe(lags, stop))
    sampling = threading.Event()
    if args.where:
        threading.Thread(
            target=sample_stalls, args=(threading.get_ident(), sampling), daemon=True
        ).start()
    ((wall, _),) = await stored_syncs(url, seller_id, args)
    stop.set()
    sampling.set()
    await watcher
    return wall, lags


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--problem-share", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--time-scale", type=float, default=1000.0)
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--where", action="store_true", help="sample where the loop stalls")
    args = parser.parse_args()
    with sandbox_server(args) as (url, seller_id):
        wall, lags = asyncio.run(run(url, seller_id, args))
    lags.sort()
    over = sum(1 for lag in lags if lag > GOAL_MS)
    p99 = lags[int(len(lags) * 0.99)] if lags else float("nan")
    print(
        f"sync of {args.listings:,} listings ({args.problem_share:.0%} needing attention, time"
        f" scale {args.time_scale:g}): {wall:.1f} s, {len(lags):,} probe ticks"
    )
    print(f"{'measure':<28}{'baseline':>10}{'result':>12}")
    print(f"{'loop stall max':<28}{'—':>10}{lags[-1]:>10.1f} ms   (goal <= {GOAL_MS:g} ms)")
    print(f"{'loop stall p99':<28}{'—':>10}{p99:>10.1f} ms")
    print(f"{'stalls over 50 ms':<28}{'—':>10}{over:>12}")
    for where, n in STALLED_AT.most_common(12):
        print(f"{n:>6} x 20 ms stalled at {where}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
