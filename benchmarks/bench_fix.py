"""Benchmark: validate and apply 500 listings (asin-tui fix's batch engine) at Amazon's real rates.

The sandbox seller account is served on loopback by a separate process at ``time_scale`` 1,
so it enforces Amazon's published usage plans in real time. The batch engine
(asin_tui/bulk.py, what ``asin-tui fix --apply`` runs) validates every row with
patchListingsItem VALIDATION_PREVIEW, then submits every valid row and re-reads each
listing (getListingsItem, metered separately and overlapping the submits). It prints:

- the wall time of validate + apply (+ the verifying re-reads);
- the calls per operation (429s included);
- the floor the published rates allow: patchListingsItem is 5 a second, burst 5, so the
  2 × rows calls take at least ``(2 × rows − 5) / 5`` seconds (199 s for 500 rows);
- the peak RSS of the process running the batch.

Goal: wall time ≤ 1.1 × floor, memory flat in the number of rows.

``--sizes 100,500,2000``: one batch per size, each in a fresh process (the cache is filled
once, by this one), then a table of memory against rows: the peak RSS of the batch's process,
and (a second run of each size under tracemalloc: tracing inflates RSS, so the two are not
mixed) the Python heap the batch's results hold at the end (what a caller such as
``asin-tui fix`` keeps: one result per row) and the heap's peak; with the slope per extra row
between the smallest and the largest size. Memory is measured, not timing: at
``--time-scale`` 10 the batch mostly waits on the (scaled) rate limits.

The local cache is filled first from the same account generated in-process (the same seed
gives the same listings) at a high time scale: the sync is not what is measured here.

    python benchmarks/bench_fix.py [--rows 500] [--listings 2500] [--in-process]
                                   [--sizes 100,500,2000] [--time-scale 10]

``--in-process``: no server; the same account simulated in this process through the demo's
in-process transport (what ``asin-tui --demo`` talks to), at Amazon's real rates.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from asin_tui.domain.marketplaces import MARKETPLACES
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import SandboxApp
from asin_tui.sandbox.server import serve_in_thread
from asin_tui.spapi.ratelimit import PUBLISHED_PLANS

PATCH = "patchListingsItem"


def serve(args: argparse.Namespace) -> None:
    """Server process: generate, warm up, serve on loopback until stdin closes."""
    account = SandboxAccount(
        listings=args.listings, problem_share=args.problem_share, seed=args.seed
    )
    account.search(without_status=["BUYABLE"])  # derive every listing's state once
    server, url = serve_in_thread(SandboxApp(account, time_scale=args.time_scale))
    print(f"READY {url} {account.seller_id}", flush=True)
    sys.stdin.read()
    server.stop()


@contextlib.contextmanager
def served(args: argparse.Namespace) -> Iterator[tuple[str | None, str]]:
    """The sandbox account of ``args`` served by a process of its own (``--serve``), with a
    throwaway cache and progress folder (XDG dirs) for this process: (url, seller id), or
    (None, "") when the server did not start."""
    command = [
        sys.executable,
        __file__,
        "--serve",
        f"--listings={args.listings}",
        f"--problem-share={args.problem_share}",
        f"--seed={args.seed}",
        f"--time-scale={getattr(args, 'time_scale', 1.0)}",
    ]
    with tempfile.TemporaryDirectory() as home:
        for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
            os.environ[var] = str(Path(home) / var.lower())  # a throwaway cache and progress
        print(f"starting the sandbox: {args.listings} listings, problem share {args.problem_share}")
        with subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        ) as server:
            try:
                ready = server.stdout.readline().split()
                if not ready or ready[0] != "READY":
                    yield None, ""
                else:
                    yield ready[1], ready[2]
            finally:
                server.stdin.close()
                server.wait(timeout=30)


def phase_memory(traced: bool) -> tuple[float, float, float]:
    """(RSS MB, traced heap MB, the heap's peak since the last call MB; nan untraced)."""
    rss = float("nan")
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) / 1024
    if not traced:
        return rss, float("nan"), float("nan")
    import tracemalloc

    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    return rss, current / 2**20, peak / 2**20


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_service(
    seller_id: str,
    url: str | None = None,
    *,
    time_scale: float = 1.0,
    account: SandboxAccount | None = None,
):
    """The benchmarks' AccountService for profile "bench": its client talks to the sandbox
    served at ``url`` (paced at ``time_scale``), or with ``account`` to that account simulated
    in this process at 1000x (the demo's transport: a cache filled fast before a run)."""
    from asin_tui.demo import sandbox_settings as sandbox_profile
    from asin_tui.service import AccountService
    from asin_tui.spapi.client import open_client, open_client_for_transport

    profile = sandbox_profile(
        MARKETPLACES["US"], seller_id, url or "http://sandbox.bench", name="bench"
    )
    if account is not None:
        from asin_tui.sandbox.transport import SandboxTransport

        app = SandboxApp(account, time_scale=1000.0)

        def factory():
            return open_client_for_transport(profile, SandboxTransport(app), time_scale=1000.0)
    else:

        def factory():
            return open_client(profile, time_scale=time_scale)

    return AccountService(
        profile_name="bench",
        marketplace_id=profile.marketplace.marketplace_id,
        seller_id=seller_id,
        client_factory=factory,
    )


async def fill_cache(args: argparse.Namespace, seller_id: str) -> None:
    """The needs-attention sync of the same account, in-process and 1000x faster."""
    account = SandboxAccount(
        listings=args.listings, problem_share=args.problem_share, seed=args.seed
    )
    assert account.seller_id == seller_id
    service = bench_service(seller_id, account=account)
    await service.sync(include_all=False)
    await service.aclose()


async def run_batch(args: argparse.Namespace, url: str | None, seller_id: str) -> None:
    """The batch against the account served at ``url``, or (``url`` None: ``--in-process``)
    against the same account simulated in this process as ``asin-tui --demo`` runs it (the
    demo's in-process transport, at Amazon's real rates)."""
    from asin_tui.bulk import BulkFix, BulkRow, RowOutcome
    from asin_tui.demo import open_sandbox_app_client
    from asin_tui.demo import sandbox_settings as sandbox_profile
    from asin_tui.service import AccountService
    from asin_tui.spapi.client import open_client

    if url is None:
        account = SandboxAccount(
            listings=args.listings, problem_share=args.problem_share, seed=args.seed
        )
        app = SandboxApp(account, time_scale=1.0)

        def factory():
            return open_sandbox_app_client(app)
    else:
        profile = sandbox_profile(MARKETPLACES["US"], seller_id, url, name="bench")

        def factory():
            return open_client(profile, time_scale=args.time_scale)

    service = AccountService(
        profile_name="bench",
        marketplace_id=MARKETPLACES["US"].marketplace_id,
        seller_id=seller_id,
        client_factory=factory,
    )
    # merchant-fulfilled listings a quantity can be set on (what the wizard's Stock step
    # offers): rows that pass the local check, so each costs a preview and a submit
    engine = BulkFix(service)
    rows = []
    for record in service.cached_records(all_listings=True):
        row = BulkRow(record.sku, {"quantity": "25"}, line=len(rows) + 2)
        if record.fulfillment_channel == "MFN" and engine.check(row).ready:
            rows.append(row)
        if len(rows) == args.rows:
            break
    if len(rows) < args.rows:
        sys.exit(f"only {len(rows)} listings take a quantity; raise --listings")
    if args.trace:
        import tracemalloc

        gc.collect()
        tracemalloc.start()
    if os.environ.get("BENCH_GARBAGE"):  # the cyclic garbage the batch leaves, by type
        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)
    started = time.perf_counter()
    validated = await engine.validate(rows)
    middle = time.perf_counter()
    phases = {"validate": phase_memory(args.trace)}
    applied = await engine.apply(validated)
    wall = time.perf_counter() - started
    phases["apply"] = phase_memory(args.trace)
    api = service._client()
    calls, throttled = dict(api.calls), dict(api.throttled)
    if args.trace and os.environ.get("BENCH_TOP"):  # what is held (compare two sizes)
        import tracemalloc

        gc.collect()
        snapshot = tracemalloc.take_snapshot()
        for stat in snapshot.statistics("lineno")[: int(os.environ["BENCH_TOP"])]:
            frame = stat.traceback[0]
            where = f"{frame.filename.split('site-packages/')[-1]}:{frame.lineno}"
            print(f"  {stat.size / 1024:9.1f} KB {stat.count:7d} {where}")
    if os.environ.get("BENCH_GARBAGE"):
        from collections import Counter

        gc.collect()
        garbage = Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.garbage)
        print(f"cyclic garbage: {len(gc.garbage)} objects")
        for name, count in garbage.most_common(int(os.environ["BENCH_GARBAGE"])):
            print(f"  {count:8d} {name}")
        gc.garbage.clear()
        gc.set_debug(0)
    await service.aclose()
    held = peak = float("nan")
    if args.trace:  # what the results (kept, as a caller keeps them) hold, and the peak
        import tracemalloc

        gc.collect()
        held, peak = (n / 2**20 for n in tracemalloc.get_traced_memory())
        tracemalloc.stop()

    counts: dict[str, int] = {}
    for r in applied:
        counts[r.outcome.value] = counts.get(r.outcome.value, 0) + 1
    valid = sum(1 for r in validated if r.valid)
    # the calls the batch needs (a preview a row checked, a submit a valid row): a retried
    # 429 spends quota too, but it is not work the floor should count
    needed = sum(r.preview is not None for r in validated) + sum(
        r.submitted and not r.resumed for r in applied
    )
    floor = PUBLISHED_PLANS[PATCH].floor_seconds(needed) / args.time_scale
    print(f"\n{args.rows} rows: {valid} valid; outcomes {counts}")
    lost = [r.sku for r in applied if r.outcome is RowOutcome.FAILED]
    if lost:
        print(f"failed rows: {len(lost)} (first {lost[0]})")
    print(f"{'operation':<22}{'calls':>7}{'429s':>6}")
    for op, n in sorted(calls.items()):
        print(f"{op:<22}{n:>7}{throttled.get(op, 0):>6}")
    print(f"\nvalidate   {middle - started:8.1f} s")
    print(f"apply      {wall - (middle - started):8.1f} s (submit + verify)")
    print(f"wall time  {wall:8.1f} s")
    scale = f", clock x{args.time_scale:g}" if args.time_scale != 1 else ""
    print(f"rate floor {floor:8.1f} s  ({needed} {PATCH} calls needed, at 5/s, burst 5{scale})")
    print(f"ratio      {wall / floor if floor else float('inf'):8.2f} x  (goal <= 1.10)")
    print(f"peak RSS of the batch process: {peak_rss_mb():.0f} MB")
    for phase, (rss, current, top) in phases.items():
        traced = (
            f", heap {current:.2f} MB, its peak in the phase {top:.2f} MB" if args.trace else ""
        )
        print(f"after {phase:<8}: RSS {rss:.1f} MB{traced}")
    if args.trace:
        print(f"traced heap: {held:.2f} MB held by the results at the end, peak {peak:.2f} MB")
    result = {"rows": args.rows, "peak_rss_mb": peak_rss_mb(), "held_mb": held}
    result |= {"traced_peak_mb": peak, "wall_s": wall, "floor_s": floor}
    print("RESULT " + json.dumps(result), flush=True)
    del validated, applied


def sizes(args: argparse.Namespace) -> int:
    """One batch per size of ``--sizes``, each in a fresh process (twice: as it runs, then
    under tracemalloc), and memory against rows."""
    print(f"load average before: {os.getloadavg()}")
    found: dict[tuple[int, bool], dict] = {}
    with served(args) as (url, seller_id):
        if url is None:
            print("the sandbox server did not start", file=sys.stderr)
            return 1
        asyncio.run(fill_cache(args, seller_id))
        for rows in (int(n) for n in args.sizes.split(",")):
            for trace in (False, True):
                command = [
                    sys.executable,
                    __file__,
                    f"--rows={rows}",
                    f"--listings={args.listings}",
                    f"--problem-share={args.problem_share}",
                    f"--seed={args.seed}",
                    f"--time-scale={args.time_scale}",
                    f"--child-of={url} {seller_id}",
                    *(["--trace"] if trace else []),
                ]
                with tempfile.TemporaryDirectory() as config:  # progress of its own
                    env = dict(os.environ, XDG_CONFIG_HOME=config)
                    out = subprocess.run(
                        command, stdout=subprocess.PIPE, text=True, check=False, env=env
                    )
                print(out.stdout.split("RESULT ")[0].rstrip())
                line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), "")
                if not line:
                    print(f"{rows} rows: the run failed", file=sys.stderr)
                    return 1
                found[rows, trace] = json.loads(line[len("RESULT ") :])
    sizes_run = sorted({rows for rows, _ in found})
    print(f"\nmemory against rows (clock x{args.time_scale:g}):")
    print(f"{'rows':>6}{'peak RSS MB':>13}{'heap held MB':>14}{'heap peak MB':>14}{'wall s':>8}")
    for rows in sizes_run:
        plain, traced = found[rows, False], found[rows, True]
        print(
            f"{rows:>6}{plain['peak_rss_mb']:>13.1f}{traced['held_mb']:>14.2f}"
            f"{traced['traced_peak_mb']:>14.2f}{plain['wall_s']:>8.1f}"
        )
    low, high = sizes_run[0], sizes_run[-1]
    if high > low:
        extra = high - low

        def slope(key: str, trace: bool) -> float:
            return (found[high, trace][key] - found[low, trace][key]) * 1024 / extra

        print(
            f"per extra row ({low} -> {high}): peak RSS {slope('peak_rss_mb', False):.2f} KB, "
            f"heap held {slope('held_mb', True):.2f} KB, heap peak "
            f"{slope('traced_peak_mb', True):.2f} KB"
        )
    print(f"load average after: {os.getloadavg()}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--listings", type=int, default=2500)
    parser.add_argument("--problem-share", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="simulate Amazon in this process, as asin-tui --demo does (no server)",
    )
    parser.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="Amazon's clock this many times faster (server and client): rates scaled",
    )
    parser.add_argument(
        "--sizes", default="", help="batch sizes, each in a fresh process: memory vs rows"
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-of", default="", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args)
        return 0
    if args.child_of:  # one size, in a fresh process: the cache is filled
        url, seller_id = args.child_of.split(" ")
        asyncio.run(run_batch(args, url, seller_id))
        return 0
    if args.sizes:
        return sizes(args)

    print(f"load average before: {os.getloadavg()}")
    if args.in_process:
        with tempfile.TemporaryDirectory() as home:
            for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
                os.environ[var] = str(Path(home) / var.lower())
            seller_id = SandboxAccount(
                listings=args.listings, problem_share=args.problem_share, seed=args.seed
            ).seller_id
            asyncio.run(fill_cache(args, seller_id))
            asyncio.run(run_batch(args, None, seller_id))
    else:
        with served(args) as (url, seller_id):
            if url is None:
                print("the sandbox server did not start", file=sys.stderr)
                return 1
            asyncio.run(fill_cache(args, seller_id))
            asyncio.run(run_batch(args, url, seller_id))
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
