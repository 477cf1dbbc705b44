"""Benchmark: sync a 15,000-listing account at Amazon's real rates, against the rate floor.

The sandbox seller account (15,000 listings, 5% needing attention) is served on loopback by a
separate process at ``time_scale`` 1, so it enforces Amazon's published usage plans in real
time, exactly as Amazon would. asin-tui syncs it through python-amazon-sp-api and this prints:

- the wall time of ``sync_account``;
- the calls per operation (429s included: each one spends quota);
- the floor the published rates allow for the same calls. Per operation that is
  ``max(0, calls - burst) / rate``: a full bucket pays for the first ``burst`` calls, every
  further call waits 1/rate. The operations are metered separately and the sync runs them
  side by side, so the floor of the needs-attention sync is the *largest* per-operation
  floor. With ``--all`` the report must be ready before any listing can be fetched, so its
  chain (createReport → getReport polls while Amazon prepares it → getReportDocument) is
  *added* to the largest floor of the operations that follow it.

Goal: wall time ≤ 1.1 × floor.

It also prints the peak RSS of the syncing process (the server is another process). With
``--store`` the sync runs as the app runs it, through ``AccountService`` into a throwaway
cache (diagnosed and stored as it goes), so the peak includes storing. A large account is
best measured at a high ``--time-scale`` (the rates then are not the point, memory is):

    python benchmarks/bench_sync.py [--listings 15000] [--problem-share 0.05] [--all]
    python benchmarks/bench_sync.py --listings 100000 --problem-share 0.3 --time-scale 1000 --store

``--second`` syncs twice through ``AccountService`` into one throwaway cache, as a seller's
second sync of the day, and prints both beside their floors: the second asks again only what
may have changed (kept restrictions and catalog answers), so its baseline is the *search*
floor (the searchListingsItems pages alone). Goal: second sync <= 1.1 x the search floor.

    python benchmarks/bench_sync.py --listings 100000 --problem-share 0.3 --second

The server warms the account up (derives every listing's state) before it reports ready, so
the sandbox's own start-up is not timed; only the sync is.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from asin_tui.demo import sandbox_settings
from asin_tui.domain.marketplaces import MARKETPLACES
from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.app import (
    REPORT_PROCESSING_SECONDS,
    REPORT_QUEUE_SECONDS,
    ReportTiming,
    SandboxApp,
)
from asin_tui.sandbox.server import serve_in_thread
from asin_tui.spapi.client import open_client
from asin_tui.spapi.ratelimit import PUBLISHED_PLANS
from asin_tui.spapi.sync import SyncResult, sync_account

REPORT_CHAIN = ("createReport", "getReport", "getReportDocument")


#: A line on the server's stdin: every report, also one asked for earlier, is done at its
#: next look (a server started with ``--hold-reports`` keeps them IN_QUEUE until then).
FINISH_REPORTS = "finish-reports"
#: ... and from then on every report asked for stays IN_QUEUE again (until FINISH_REPORTS).
HOLD_REPORTS = "hold-reports"


def serve(args: argparse.Namespace) -> None:
    """Server process: generate, warm up, serve on loopback until stdin closes."""
    account = SandboxAccount(
        listings=args.listings,
        problem_share=args.problem_share,
        seed=args.seed,
        account_status=args.account_status,
    )
    account.search(without_status=["BUYABLE"])  # derive every listing's state once
    timing = ReportTiming()
    if args.hold_reports:
        timing.queue, timing.processing = 10.0**12, 0.0
        # Amazon's five minutes for a document's URL are 0.3 s at 1000x: an app whose
        # process is busy (the bench times it so) downloads later than that, and the look
        # fails 403 on an expired URL; the bench gives the URL five minutes of real time
        from asin_tui.sandbox.http import handlers_reports

        handlers_reports.DOCUMENT_URL_LIFETIME *= args.time_scale
    server, url = serve_in_thread(
        SandboxApp(account, time_scale=args.time_scale, report_timing=timing)
    )
    print(f"READY {url} {account.seller_id}", flush=True)
    for line in sys.stdin:
        if line.strip() == FINISH_REPORTS:
            timing.queue, timing.processing = 0.0, 0.0
        elif line.strip() == HOLD_REPORTS:
            timing.queue, timing.processing = 10.0**12, 0.0
    server.stop()


def floor_seconds(calls: Counter[str], include_all: bool) -> tuple[float, dict[str, float]]:
    per_op = {
        op: PUBLISHED_PLANS[op].floor_seconds(n) for op, n in calls.items() if op in PUBLISHED_PLANS
    }
    parallel = max((s for op, s in per_op.items() if op not in REPORT_CHAIN), default=0.0)
    if not include_all:
        return parallel, per_op
    chain = sum(per_op.get(op, 0.0) for op in REPORT_CHAIN)
    return chain + REPORT_QUEUE_SECONDS + REPORT_PROCESSING_SECONDS + parallel, per_op


async def run_sync(
    url: str, seller_id: str, args: argparse.Namespace
) -> tuple[float, SyncResult, dict]:
    profile = sandbox_settings(MARKETPLACES["US"], seller_id, url, name="bench")
    async with open_client(profile, time_scale=args.time_scale) as api:
        started = time.perf_counter()
        result = await sync_account(api, include_all=args.all)
        wall = time.perf_counter() - started
        return wall, result, dict(api.throttled)


async def stored_syncs(url: str, seller_id: str, args: argparse.Namespace, times: int = 1):
    """``times`` syncs as the app runs them: AccountService, into one throwaway cache;
    [(wall seconds, SyncSummary)] each."""
    from asin_tui.service import AccountService
    from asin_tui.store.cache import ListingCache

    profile = sandbox_settings(MARKETPLACES["US"], seller_id, url, name="bench")
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        service = AccountService(
            profile_name="bench",
            marketplace_id=profile.marketplace.marketplace_id,
            seller_id=seller_id,
            client_factory=lambda: open_client(profile, time_scale=args.time_scale),
            cache=ListingCache(Path(tmp) / "bench.sqlite3"),
        )
        for _ in range(times):
            started = time.perf_counter()
            summary = await service.sync(include_all=args.all, progress=lambda _p: None)
            runs.append((time.perf_counter() - started, summary))
        await service.aclose()
    return runs


@contextlib.contextmanager
def sandbox_server(
    args: argparse.Namespace, *, account_status: str = "NORMAL", hold_reports: bool = False
) -> Iterator[tuple[str, str]]:
    """The sandbox account served by another process (this file with --serve): (its URL,
    its seller id) until the block ends. SystemExit(1) when it does not start.
    ``hold_reports``: reports stay IN_QUEUE until ``finish_reports()``."""
    command = [
        sys.executable, str(Path(__file__).resolve()), "--serve",
        f"--listings={args.listings}", f"--problem-share={args.problem_share}",
        f"--seed={args.seed}", f"--time-scale={args.time_scale}",
        f"--account-status={account_status}", *(["--hold-reports"] if hold_reports else []),
    ]  # fmt: skip
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": root}
    print(f"starting the sandbox: {args.listings} listings, problem share {args.problem_share}")
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    ) as server:
        try:
            ready = server.stdout.readline().split()
            if not ready or ready[0] != "READY":
                print("the sandbox server did not start", file=sys.stderr)
                raise SystemExit(1)
            _, url, seller_id = ready
            _SERVERS.append(server)
            yield url, seller_id
        finally:
            _SERVERS.remove(server)
            server.stdin.close()
            server.wait(timeout=60)


_SERVERS: list[subprocess.Popen] = []


def finish_reports() -> None:
    """Tell the server started last (``sandbox_server(hold_reports=True)``) to let every
    report be done at its next look."""
    _SERVERS[-1].stdin.write(FINISH_REPORTS + "\n")
    _SERVERS[-1].stdin.flush()


def print_second(runs, args: argparse.Namespace) -> None:
    print(f"\n{'sync':<8}{'listings':>9}{'wall s':>9}{'floor s':>9}{'search floor s':>16}"
          f"{'ratio to search floor':>23}  calls")  # fmt: skip
    for name, (wall, summary) in zip(("first", "second"), runs, strict=True):
        calls = Counter(summary.calls)
        floor, _ = floor_seconds(calls, args.all)
        search = PUBLISHED_PLANS["searchListingsItems"].floor_seconds(calls["searchListingsItems"])
        ratio = wall / search if search else float("inf")
        named = ", ".join(f"{op} {n}" for op, n in sorted(calls.items()))
        print(f"{name:<8}{summary.listings:>9,}{wall:>9.1f}{floor:>9.1f}{search:>16.1f}"
              f"{ratio:>22.2f}x  {named}")  # fmt: skip
    print("goal: second sync <= 1.10 x the search floor")
    print(f"peak RSS of the syncing process: {peak_rss_mb():.0f} MB")


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listings", type=int, default=15_000)
    parser.add_argument("--problem-share", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--all", action="store_true", help="sync every listing (report path)")
    parser.add_argument("--time-scale", type=float, default=1.0, help="sandbox clock speed-up")
    parser.add_argument(
        "--store", action="store_true", help="through AccountService into a throwaway cache"
    )
    parser.add_argument(
        "--second", action="store_true", help="two syncs into one cache: the second's cost"
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--account-status", default="NORMAL", help=argparse.SUPPRESS)
    parser.add_argument("--hold-reports", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args)
        return 0

    with sandbox_server(args) as (url, seller_id):
        if args.second:
            runs = asyncio.run(stored_syncs(url, seller_id, args, times=2))
        elif args.store:
            ((wall, summary),) = asyncio.run(stored_syncs(url, seller_id, args))
        else:
            wall, result, throttled = asyncio.run(run_sync(url, seller_id, args))
    if args.second:
        print_second(runs, args)
        return 0
    if args.store:
        print(
            f"\nstored sync ({'every listing' if args.all else 'needs attention'}, time scale"
            f" {args.time_scale:g}): {summary.listings:,} listings, complete={summary.complete},"
            f" {len(summary.failed)} failed, {wall:.1f} s"
        )
        print(f"peak RSS of the syncing process: {peak_rss_mb():.0f} MB")
        return 0

    floor, per_op = floor_seconds(result.calls, args.all)
    mode = "every listing (--all)" if args.all else "needs attention"
    print(f"\nsync of {mode}: {len(result.listings)} listings, complete={result.complete}")
    if result.failed:
        print(f"failed: {len(result.failed)} (first: {next(iter(result.failed.items()))})")
    print(f"{'operation':<28}{'calls':>7}{'429s':>6}{'rate/burst':>13}{'floor s':>9}")
    for op, n in sorted(result.calls.items()):
        plan = PUBLISHED_PLANS.get(op)
        plan_text = f"{plan.rate:g}/{plan.burst}" if plan else "-"
        floor_text = f"{per_op[op]:.1f}" if op in per_op else "-"
        print(f"{op:<28}{n:>7}{throttled.get(op, 0):>6}{plan_text:>13}{floor_text:>9}")
    print(f"\nwall time  {wall:8.1f} s")
    print(f"rate floor {floor:8.1f} s")
    ratio = wall / floor if floor else float("inf")
    print(f"ratio      {ratio:8.2f} x  (goal <= 1.10)")
    print(f"peak RSS of the syncing process: {peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
