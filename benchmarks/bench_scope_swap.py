"""Benchmark: the UI thread's share of `a` between two kept scopes (not a test).

    python benchmarks/bench_scope_swap.py CACHE [--runs 15]

CACHE: an app cache holding a synced account (e.g. the one `bench_stalls.py --tui --health`
leaves in /tmp/bench-stalls-*/xdg_cache_home/asin-tui/). Both scopes are read as the list
reads them; "own": needs attention decoded on its own (the code before 34346ed), "shared": its
records taken from every listing's (listing_view.share_records, as the list does since). Each
run swaps every listing in, then times ``ListingView.set_records`` with the attention scope's
kept records, index and orders (what `a` does on the UI thread, in CPU time, collector frozen
as the app freezes it): whether sharing costs the UI thread anything in the late-report window.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_tui import cached_service  # noqa: E402

from asin_tui.ui.listing_view import ListingView, index_rows, share_records  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cache", type=Path)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    service = cached_service(args.cache)

    def read(all_listings: bool) -> list:
        return [r for b in service.cached_record_batches(all_listings=all_listings) for r in b]

    gc.disable()  # as the list reads (_NoFullPasses), then frozen as it keeps them
    every = read(True)
    every_index = index_rows(every)
    own = read(False)
    shared = share_records(read(False), every, every_index)
    scopes = {
        "own": (own, index_rows(own)),
        "shared": (shared, index_rows(shared, (every, every_index))),
    }
    same = sum(r is every[every_index.by_sku[r.sku]] for r in shared)
    print(f"every listing {len(every):,}, needs attention {len(own):,} ({same:,} shared)")
    gc.freeze()
    gc.enable()
    view = ListingView(every)
    for name, (records, index) in scopes.items():
        times = []
        for _ in range(args.runs):
            view.set_records(every, {}, in_report_order=True, index=every_index, orders={})
            started = time.process_time()
            view.set_records(records, {}, in_report_order=True, index=index, orders={})
            times.append((time.process_time() - started) * 1000)
        times.sort()
        print(f"{name}: `a` to needs attention, UI-thread CPU ms: median"
              f" {times[len(times) // 2]:.2f}, min {times[0]:.2f}, max {times[-1]:.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
