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

Goal: wall time ≤ 1.1 × floor, memory flat in the number of rows (run ``--rows 100`` too).

The local cache is filled first from the same account generated in-process (the same seed
gives the same listings) at a high time scale: the sync is not what is measured here.

    python benchmarks/bench_fix.py [--rows 500] [--listings 2500] [--in-process]

``--in-process``: no server; the same account simulated in this process through the demo's
in-process transport (what ``asin-tui --demo`` talks to), at Amazon's real rates.
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


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def fill_cache(args: argparse.Namespace, seller_id: str) -> None:
    """The needs-attention sync of the same account, in-process and 1000x faster."""
    from asin_tui.demo import sandbox_settings as sandbox_profile
    from asin_tui.sandbox.transport import SandboxTransport
    from asin_tui.service import AccountService
    from asin_tui.spapi.client import open_client_for_transport

    account = SandboxAccount(
        listings=args.listings, problem_share=args.problem_share, seed=args.seed
    )
    assert account.seller_id == seller_id
    app = SandboxApp(account, time_scale=1000.0)
    profile = sandbox_profile(MARKETPLACES["US"], seller_id, "http://sandbox.bench", name="bench")
    service = AccountService(
        profile_name="bench",
        marketplace_id=profile.marketplace.marketplace_id,
        seller_id=seller_id,
        client_factory=lambda: open_client_for_transport(
            profile, SandboxTransport(app), time_scale=1000.0
        ),
    )
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
            return open_client(profile)

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
    started = time.perf_counter()
    validated = await engine.validate(rows)
    middle = time.perf_counter()
    applied = await engine.apply(validated)
    wall = time.perf_counter() - started
    api = service._client()
    calls, throttled = dict(api.calls), dict(api.throttled)
    await service.aclose()

    counts: dict[str, int] = {}
    for r in applied:
        counts[r.outcome.value] = counts.get(r.outcome.value, 0) + 1
    valid = sum(1 for r in validated if r.valid)
    # the calls the batch needs (a preview a row checked, a submit a valid row): a retried
    # 429 spends quota too, but it is not work the floor should count
    needed = sum(r.preview is not None for r in validated) + sum(
        r.submitted and not r.resumed for r in applied
    )
    floor = PUBLISHED_PLANS[PATCH].floor_seconds(needed)
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
    print(f"rate floor {floor:8.1f} s  ({needed} {PATCH} calls needed, at 5/s, burst 5)")
    print(f"ratio      {wall / floor if floor else float('inf'):8.2f} x  (goal <= 1.10)")
    print(f"peak RSS of the batch process: {peak_rss_mb():.0f} MB")


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
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--time-scale", type=float, default=1.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args)
        return 0

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
