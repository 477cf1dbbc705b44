"""Benchmark: `asin-tui watch` round after round against a drifting sandbox (not a test; run
by hand).

    python benchmarks/bench_watch.py [--listings 300] [--rounds 100] [--per-round 1]

An in-process sandbox account (time_scale 1000, so Amazon's rates do not dominate) drifts
``--per-round`` changes between rounds (sandbox/drift.py, a hand-wound clock); a Watcher syncs
what needs attention each round, stores the events and POSTs them to a webhook on loopback.
Reported: per round, the time from the drift change to the last webhook POST of its events
(sync + compare + store + send), the events seen, and the process's memory (tracemalloc's
current size and the peak RSS) after the first 10 rounds and at the end: memory must stay
flat over rounds.

At Amazon's real rates the detection latency with polling is the wait for the next round (up
to --interval) plus the needs-attention sync (benchmarks/bench_sync.py: 11.5 s for a
15,000-listing account at the rate floor) plus what is measured here beyond the sync.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from asin_tui.alerts import WebhookChannel
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--per-round", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
            os.environ[var] = str(Path(home) / var)
        asyncio.run(run(args))


class Hook:
    def __init__(self) -> None:
        self.posts = 0
        self.last = 0.0
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                hook.posts += 1
                hook.last = time.perf_counter()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *a) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


async def run(args: argparse.Namespace) -> None:
    from asin_tui.store.cache import cache_path
    from asin_tui.store.events import EventStore
    from asin_tui.watch import Watcher
    from tests.test_service import make_service  # the same wiring the tests use

    clock = [0.0]
    account = SandboxAccount(seed=7, listings=args.listings)
    account.start_drift(3600.0, lambda: clock[0])  # one change a sandbox second
    app = SandboxApp(account, time_scale=1000.0)
    hook = Hook()
    service = make_service(app)
    store = EventStore(cache_path(service.profile_name, service.marketplace_id))
    watcher = Watcher(service, store, channels=[WebhookChannel(hook.url)])
    tracemalloc.start()
    await watcher.round()  # the baseline
    latencies, events, memory = [], 0, {}
    for n in range(1, args.rounds + 1):
        clock[0] += args.per_round
        changed = time.perf_counter()
        posts = hook.posts
        result = await watcher.round()
        events += len(result.events)
        if hook.posts > posts:
            latencies.append(hook.last - changed)
        if n in (10, args.rounds // 2, args.rounds):
            memory[n] = (
                tracemalloc.get_traced_memory()[0] / 1e6,
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3,
            )
    await service.aclose()
    store.close()
    print(f"{args.listings} listings, {args.rounds} rounds, {account.drift.applied} changes")
    print(f"events: {events}, webhook POSTs: {hook.posts}")
    if latencies:
        q = statistics.quantiles(latencies, n=20) if len(latencies) > 1 else latencies
        print(
            f"change → webhook POST: median {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {q[-1] * 1000:.0f} ms (rounds with events: {len(latencies)})"
        )
    for n, (traced, rss) in memory.items():
        print(f"after round {n}: traced {traced:.1f} MB, peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
