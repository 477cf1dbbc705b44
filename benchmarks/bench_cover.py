"""Benchmark: the memory a stock cover refresh takes (not a test).

    python benchmarks/bench_cover.py [--listings 10000] [--time-scale 1000]

The sandbox seller account is served on loopback by a separate process (bench_fix.py's
server: its report documents are built there, not in the process measured). This process
runs ``AccountService.refresh_stock_cover(force=True)`` as the app does in the background
(docs/STOCK_COVER.md: the FBA planning report, the orders report of the last 30 days, the
merchant listings report), once the reports are ready, and prints:

- the refresh's peak RSS above the process's RSS before it (VmHWM − VmRSS), and the
  Python heap's peak above what it held before (tracemalloc, a second refresh: tracing
  inflates RSS, so the two are not mixed);
- how long it took (the documents are downloaded from loopback: mostly parsing).

Before the orders report was read as it was downloaded, the refresh held its bytes, its
decoded text and one OrderLine per order item at once (the one-off 180–280 MB peak the bulk
benchmark met in the app's first batch).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_fix import bench_service, served  # noqa: E402


def status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak_rss() -> None:
    """VmHWM back to the RSS now (Linux: write 5 to clear_refs)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


async def refresh(url: str, seller_id: str, args: argparse.Namespace, *, trace: bool) -> dict:
    service = bench_service(seller_id, url, time_scale=args.time_scale)

    async def until_done():
        for _ in range(50):  # until Amazon (the sandbox) has the reports ready
            result = await service.refresh_stock_cover(force=True)
            if not result.pending:
                return result
            await asyncio.sleep(0.1)
        raise SystemExit("the reports stayed pending")

    try:
        await until_done()  # the client opened, the modules loaded: not measured
        gc.collect()
        before_rss = status_mb("VmRSS")
        reset_peak_rss()
        if trace:
            tracemalloc.start()
            held = tracemalloc.get_traced_memory()[0]
        started = time.perf_counter()
        result = await until_done()
        took = time.perf_counter() - started
        found = {"seconds": took, "covers": len(result.after), "problem": result.problem}
        if trace:
            found["heap_peak_mb"] = (tracemalloc.get_traced_memory()[1] - held) / 2**20
            tracemalloc.stop()
        else:
            found["rss_peak_mb"] = status_mb("VmHWM") - before_rss
        return found
    finally:
        await service.aclose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listings", type=int, default=10000)
    parser.add_argument("--problem-share", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--time-scale", type=float, default=1000.0)
    args = parser.parse_args()
    os.environ["PYTHONPATH"] = str(ROOT)
    print(f"load {os.getloadavg()[0]:.2f}; {args.listings} listings")
    with served(args) as (url, seller_id):
        if url is None:
            print("the sandbox server did not start", file=sys.stderr)
            return 1
        plain = asyncio.run(refresh(url, seller_id, args, trace=False))
        traced = asyncio.run(refresh(url, seller_id, args, trace=True))
    print(
        f"stock cover refresh: {plain['covers']} covers in {plain['seconds']:.2f} s"
        + (f" (problem: {plain['problem']})" if plain["problem"] else "")
    )
    print(f"peak RSS above the RSS before it : {plain['rss_peak_mb']:.1f} MB")
    print(f"Python heap's peak above before  : {traced['heap_peak_mb']:.1f} MB")
    print(f"load {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
