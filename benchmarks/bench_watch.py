"""Benchmark: `asin-tui watch` — memory over many rounds, and detection latency from a change in
the sandbox to the webhook POST (not a test; run by hand).

    python benchmarks/bench_watch.py rounds [--listings 250] [--rounds 1000]
    python benchmarks/bench_watch.py notify [--listings 250] [--changes 20]
    python benchmarks/bench_watch.py poll [--listings 15000] [--changes 6]

``rounds``: an in-process sandbox account (time_scale 1000, so Amazon's rates do not dominate)
drifts ``--per-round`` changes between rounds (a hand-wound clock); a Watcher syncs what needs
attention round after round with no pause (the shortest interval), stores the events and POSTs
them to a webhook on loopback; the defaults (seed 7, 250 listings, the demo's mix) are the
demo's own account. Prints the change → POST time of rounds with events and the
process's memory — tracemalloc's current size and the *current* RSS (/proc/self/statm) — after
rounds 10, half-way and the last: memory must stay flat.

``notify`` and ``poll`` measure the real commands end to end: ``asin-tui sandbox serve`` at
time_scale 1 (Amazon's published rates, --patch-delay 0) and ``asin-tui watch --profile``
(another process each), with a webhook on loopback. Each change is a patchListingsItem sent
over SP-API that takes a live merchant-fulfilled listing's quantity to 0 (then back): the time
runs from the patch's answer to the webhook POST of the listing's BECAME_INACTIVE (RECOVERED).

- ``notify``: the sandbox sends its notifications to a local SQS (moto's server mode, in this
  process) as an EventBridge rule would (--notify-sqs); watch has [notifications] and a
  60-minute interval, so only the fast path can tell a change within the run. Goal: < 10 s.
- ``poll``: no notifications; watch's rounds back to back (--interval 0.01), so a change waits
  for the round under way to end and the next one to find it: between one and two
  needs-attention syncs at the rate floor. Long (minutes): take the SHARED cpu lock.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import logging
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from asin_tui.alerts import WebhookChannel  # noqa: E402
from asin_tui.sandbox.account import SandboxAccount  # noqa: E402
from asin_tui.sandbox.app import SandboxApp  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("rounds", "notify", "poll"), nargs="?", default="rounds")
    parser.add_argument("--listings", type=int)
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--per-round", type=int, default=1)
    parser.add_argument("--changes", type=int, help="notify/poll: changes to time")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--problem-share", type=float, default=0.05)
    parser.add_argument(
        "--marks", default="10,100,1000", help="rounds: after which rounds to measure memory"
    )
    parser.add_argument(
        "--frames",
        type=int,
        default=8,
        help="rounds: tracemalloc frames kept per allocation (0: no tracemalloc, RSS alone)",
    )
    parser.add_argument("--top", type=int, default=8, help="rounds: growth lines shown per mark")
    parser.add_argument(
        "--served",
        action="store_true",
        help="rounds: the sandbox in another process (this one's memory is watch's alone)",
    )
    parser.add_argument(
        "--drift", type=float, default=6.0, help="rounds --served: changes an hour of sandbox time"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
            os.environ[var] = str(Path(home) / var)
        if args.mode == "rounds":
            asyncio.run(rounds(args))
        else:
            served(args, Path(home))
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


class Hook:
    """A webhook on loopback: the time and body of every POST."""

    def __init__(self) -> None:
        self.posts: list[tuple[float, dict]] = []
        self.arrived = threading.Condition()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                now = time.perf_counter()
                self.send_response(204)
                self.end_headers()
                with hook.arrived:
                    hook.posts.append((now, json.loads(body)))
                    hook.arrived.notify_all()

            def log_message(self, *a) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, sku: str, event: str, since: float, timeout: float) -> float | None:
        """When the POST of ``event`` for ``sku`` arrived (after ``since``); None: not in time."""
        deadline = time.perf_counter() + timeout
        with self.arrived:
            while True:
                for at, body in self.posts:
                    if at >= since and body.get("sku") == sku and body.get("event") == event:
                        return at
                left = deadline - time.perf_counter()
                if left <= 0:
                    return None
                self.arrived.wait(left)


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


# ------------------------------------------------------------------ rounds: memory


async def rounds(args: argparse.Namespace) -> None:
    from asin_tui.store.cache import cache_path
    from asin_tui.store.events import EventStore
    from asin_tui.watch import Watcher

    server = None
    if args.served:  # watch's process holds only watch: the sandbox is another process
        service, server, what = served_service(args)
    else:
        from tests.test_service import make_service  # the same wiring the tests use

        clock = [0.0]
        # the defaults (seed 7, 250 listings, the demo mix) are the demo's own account
        account = SandboxAccount(seed=args.seed, listings=args.listings or 250)
        account.start_drift(3600.0, lambda: clock[0])  # one change a hand-wound second
        app = SandboxApp(account, time_scale=1000.0)
        service = make_service(app)
        what = f"{account.listings} listings (seed {args.seed}), sandbox in this process"
    hook = Hook()
    store = EventStore(cache_path(service.profile_name, service.marketplace_id))
    watcher = Watcher(service, store, channels=[WebhookChannel(hook.url)])
    if args.frames > 0:  # 0: RSS alone, without tracemalloc's own memory and slowness
        tracemalloc.start(args.frames)
    started = time.perf_counter()
    await watcher.round()  # the baseline
    latencies, events, memory = [], 0, {}
    marks = sorted({int(m) for m in args.marks.split(",")} | {args.rounds})
    marks = [m for m in marks if m <= args.rounds]
    last: tuple[int, tracemalloc.Snapshot] | None = None
    posted = 0
    for n in range(1, args.rounds + 1):
        if server is None:
            clock[0] += args.per_round
        changed = time.perf_counter()
        result = await watcher.round()
        events += len(result.events)
        if hook.posts:
            latencies.append(hook.posts[-1][0] - changed)
            posted += len(hook.posts)
            hook.posts.clear()  # the receiver's own list is not the watcher's memory
        if n in marks:
            gc.collect()
            memory[n] = (tracemalloc.get_traced_memory()[0] / 1e6, rss_mb())
            print(f"after round {n}: traced {memory[n][0]:.2f} MB, RSS {memory[n][1]:.0f} MB")
            if args.frames > 0:
                snapshot = tracemalloc.take_snapshot().filter_traces(_NOT_TRACEMALLOC)
                if last is not None:
                    growth(snapshot, *last, n, args.top)
                last = (n, snapshot)
    await service.aclose()
    store.close()
    if server is not None:
        server.terminate()
        server.wait(timeout=30)
    took = time.perf_counter() - started
    print(f"{what}, {args.rounds} rounds back to back in {took:.0f} s")
    print(f"events: {events}, POSTs: {posted}")
    if latencies:
        q = statistics.quantiles(latencies, n=20) if len(latencies) > 1 else latencies
        print(
            f"change → webhook POST: median {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {q[-1] * 1000:.0f} ms (rounds with events: {len(latencies)})"
        )
    for n, (traced, rss) in sorted(memory.items()):
        print(f"after round {n}: traced {traced:.2f} MB, RSS {rss:.0f} MB")
    spans = sorted(memory.items())
    for (a, (ta, ra)), (b, (tb, rb)) in itertools.pairwise(spans):
        print(
            f"rounds {a} -> {b}: traced {(tb - ta) * 1e6 / (b - a):+.0f} B a round, "
            f"RSS {(rb - ra) * 1e6 / (b - a):+.0f} B a round"
        )
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3:.0f} MB")


_NOT_TRACEMALLOC = (
    tracemalloc.Filter(False, tracemalloc.__file__),
    tracemalloc.Filter(False, "<frozen importlib._bootstrap>"),
    tracemalloc.Filter(False, "<frozen importlib._bootstrap_external>"),
)


def growth(
    snapshot: tracemalloc.Snapshot, since: int, before: tracemalloc.Snapshot, n: int, top: int
) -> None:
    """What grew between two marks, by the allocation's call stack (innermost asin_tui frame
    first, so a stdlib json/sqlite allocation names the project code that made it)."""
    diffs = [d for d in snapshot.compare_to(before, "traceback") if d.size_diff > 0]
    total = sum(d.size_diff for d in snapshot.compare_to(before, "filename"))
    print(f"  grew rounds {since} -> {n}: {total / 1e3:+.1f} KB net; largest growth:")
    for diff in diffs[:top]:
        frames = [f for f in diff.traceback if "asin_tui" in f.filename] or list(diff.traceback)
        where = "; ".join(
            f"{Path(f.filename).name}:{f.lineno}" for f in frames[-3:][::-1]
        )  # innermost project frames
        print(f"    {diff.size_diff / 1e3:+8.1f} KB {diff.count_diff:+6d} blocks  {where}")


def served_service(args: argparse.Namespace):
    """``sandbox serve`` at time_scale 1000 in another process (drifting ``--drift`` changes
    an hour of its time: about one a round), and a service whose client runs at that scale."""
    from asin_tui.demo import sandbox_settings
    from asin_tui.domain.marketplaces import resolve_marketplace
    from asin_tui.sandbox.app import TOKEN_PATH
    from asin_tui.service import AccountService
    from asin_tui.spapi.client import open_client

    listings = args.listings or 250
    serve = [
        sys.executable, "-m", "asin_tui", "sandbox", "serve", "--port", "0",
        "--listings", str(listings), "--seed", str(args.seed), "--time-scale", "1000",
        "--patch-delay", "0", "--drift", str(args.drift),
    ]  # fmt: skip
    server = subprocess.Popen(serve, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    url = server.stdout.readline().rsplit("serving at ", 1)[1].strip()
    threading.Thread(target=server.stdout.read, daemon=True).start()  # drain
    account = SandboxAccount(seed=args.seed, listings=listings)  # its seller id
    market = resolve_marketplace(account.marketplace.marketplace_id)
    settings = sandbox_settings(market, account.seller_id, url, name="bench")
    assert settings.token_endpoint == f"{url}{TOKEN_PATH}"
    service = AccountService(
        profile_name="bench",
        marketplace_id=market.marketplace_id,
        seller_id=account.seller_id,
        client_factory=lambda: open_client(settings, time_scale=1000.0),
    )
    what = f"{listings} listings (seed {args.seed}), sandbox served by another process"
    return service, server, what


# ------------------------------------------------------------------ served: latency


def served(args: argparse.Namespace, home: Path) -> None:
    import httpx

    from asin_tui.sandbox.app import (
        SANDBOX_CLIENT_ID,
        SANDBOX_CLIENT_SECRET,
        SANDBOX_REFRESH_TOKEN,
        TOKEN_PATH,
    )
    from asin_tui.sandbox.drift import _plain, mfn_quantity

    notify = args.mode == "notify"
    listings = args.listings or (250 if notify else 15_000)
    changes = args.changes or (20 if notify else 6)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "LWA_APP_ID": SANDBOX_CLIENT_ID,
        "LWA_CLIENT_SECRET": SANDBOX_CLIENT_SECRET,
        "SP_API_REFRESH_TOKEN": SANDBOX_REFRESH_TOKEN,
        "AWS_ACCESS_KEY_ID": "AKIDBENCH",
        "AWS_SECRET_ACCESS_KEY": "bench-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    os.environ.update({k: env[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")})
    hook = Hook()
    queue_url = None
    moto = None
    if notify:
        import boto3
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's access log
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        moto.start()
        endpoint = "http://{}:{}".format(*moto.get_host_and_port())
        sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=endpoint)
        queue_url = sqs.create_queue(QueueName="asin-tui-bench")["QueueUrl"]
    serve = [
        sys.executable, "-m", "asin_tui", "sandbox", "serve", "--port", "0",
        "--listings", str(listings), "--seed", str(args.seed),
        "--problem-share", str(args.problem_share), "--time-scale", "1", "--patch-delay", "0",
    ]  # fmt: skip
    if queue_url:
        serve += ["--notify-sqs", queue_url]
    print(f"{args.mode}: {listings} listings served at Amazon's rates; {changes} changes")
    server = subprocess.Popen(serve, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    watch = None
    try:
        banner = server.stdout.readline()
        url = banner.rsplit("serving at ", 1)[1].strip()
        threading.Thread(target=server.stdout.read, daemon=True).start()  # drain
        account = SandboxAccount(
            seed=args.seed, listings=listings, problem_share=args.problem_share
        )  # the same account, to pick listings
        config = home / "XDG_CONFIG_HOME" / "asin-tui" / "config.toml"
        config.parent.mkdir(parents=True, mode=0o700)
        text = (
            f'[profiles.bench]\nmarketplace = "US"\nseller_id = "{account.seller_id}"\n'
            f'endpoint = "{url}"\ntoken_endpoint = "{url}{TOKEN_PATH}"\n'
            f'[profiles.bench.alerts]\nwebhook_url = "{hook.url}"\n'
        )
        if queue_url:
            text += (
                f'[profiles.bench.notifications]\nqueue_url = "{queue_url}"\nregion = "us-east-1"\n'
            )
        config.write_text(text)
        config.chmod(0o600)
        interval = "60" if notify else "0.01"
        watch = subprocess.Popen(
            [sys.executable, "-m", "asin_tui", "watch", "--profile", "bench", "--interval", interval],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
        )  # fmt: skip
        started = time.perf_counter()
        for line in watch.stderr:
            print(f"  watch: {line.rstrip()}")
            if "first look" in line:
                break
        print(f"  baseline round: {time.perf_counter() - started:.1f} s")
        threading.Thread(
            target=lambda: [print(f"  watch: {x.rstrip()}") for x in watch.stderr], daemon=True
        ).start()
        token = httpx.post(
            f"{url}{TOKEN_PATH}",
            data={
                "grant_type": "refresh_token",
                "refresh_token": SANDBOX_REFRESH_TOKEN,
                "client_id": SANDBOX_CLIENT_ID,
                "client_secret": SANDBOX_CLIENT_SECRET,
            },
        ).json()["access_token"]
        candidates = [
            r
            for r in account.records()
            if _plain(r)
            and r.policy is None
            and not account.intended_causes(r.sku)
            and (mfn_quantity(account, r) or 0) > 0
        ]
        rng = random.Random(args.seed)
        picks = rng.sample(candidates, (changes + 1) // 2)
        latencies: list[float] = []
        missed = 0
        timeout = 30.0 if notify else 120.0
        for record in picks:
            for quantity, event in ((0, "BECAME_INACTIVE"), (12, "RECOVERED")):
                if len(latencies) + missed >= changes:
                    break
                if not notify:  # a change at any moment of a round
                    time.sleep(rng.uniform(0, 12))
                answer = httpx.patch(
                    f"{url}/listings/2021-08-01/items/{account.seller_id}/{record.sku}",
                    params={"marketplaceIds": account.marketplace.marketplace_id},
                    headers={"x-amz-access-token": token},
                    json={
                        "productType": record.product_type,
                        "patches": [
                            {
                                "op": "replace",
                                "path": "/attributes/fulfillment_availability",
                                "value": [
                                    {"fulfillment_channel_code": "DEFAULT", "quantity": quantity}
                                ],
                            }
                        ],
                    },
                    timeout=30,
                )
                changed = time.perf_counter()
                assert answer.json()["status"] == "ACCEPTED", answer.text
                arrived = hook.wait_for(record.sku, event, changed, timeout)
                if arrived is None:
                    missed += 1
                    print(f"  {record.sku} {event}: no POST within {timeout:.0f} s")
                else:
                    latencies.append(arrived - changed)
                    print(f"  {record.sku} {event}: {arrived - changed:.2f} s")
        if latencies:
            p95 = ""
            if len(latencies) >= 20:  # fewer: a 95th percentile would be made up
                p95 = f"p95 {statistics.quantiles(latencies, n=20)[-1]:.2f} s, "
            print(
                f"change → webhook POST ({len(latencies)} changes, {missed} not told in time): "
                f"median {statistics.median(latencies):.2f} s, {p95}"
                f"min {min(latencies):.2f} s, max {max(latencies):.2f} s"
            )
    finally:
        for process in (watch, server):
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        if moto is not None:
            moto.stop()


if __name__ == "__main__":
    main()
