"""Benchmark: `report --cached` streamed from a 100,000-listing cache, beside sqlite3 (not a
test; run by hand, byte-code compiled as an install has it).

    python benchmarks/bench_report.py [--listings 100000] [--attention-share 0.29]

Fills a throwaway profile's cache (benchmarks/bench_cache.py's synthetic listings), then
prints for each row baseline, result and ratio:
- ``report --cached --all --format json`` vs ``sqlite3 -json`` of the same rows (time, and the
  report's peak memory: goal <= 2x the time and <= 150 MB);
- ``report --cached --format csv`` (the listings needing attention: ~29,000) vs ``sqlite3 -csv``
  (goal <= 2x).
Each command runs 3 times, the best time counts; output goes to /dev/null (not a terminal).
"""

from __future__ import annotations

import argparse
import compileall
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_cache import MP, synthetic  # noqa: E402

RUNS = 3


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(best wall seconds, peak RSS MB) of ``argv`` over RUNS runs, stdout to /dev/null."""
    best, peak = float("inf"), 0.0
    for _ in range(RUNS):
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%e %M", *argv],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        seconds, kbytes = done.stderr.strip().splitlines()[-1].split()
        best, peak = min(best, float(seconds)), max(peak, int(kbytes) / 1024)
    return best, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--attention-share", type=float, default=0.29)
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "asin_tui", quiet=1)

    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "XDG_CONFIG_HOME": f"{tmp}/cfg",
            "XDG_CACHE_HOME": f"{tmp}/cache",
            "XDG_DATA_HOME": f"{tmp}/data",
            "PYTHONPATH": str(ROOT),
            "LWA_APP_ID": "amzn1.application-oa2-client.bench",
            "LWA_CLIENT_SECRET": "bench-secret",
            "SP_API_REFRESH_TOKEN": "Atzr|bench",
        }
        os.environ.update({k: env[k] for k in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME")})
        from asin_tui.store import paths
        from asin_tui.store.cache import ListingCache, SyncInfo, cache_path

        config = paths.config_file()
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text('[profiles.bench]\nmarketplace = "US"\nseller_id = "A2BENCH"\n')
        config.chmod(0o600)
        path = cache_path("bench", MP)
        path.parent.mkdir(parents=True, exist_ok=True)
        entries = synthetic(args.listings, args.attention_share)
        now = datetime.now(UTC)
        cache = ListingCache(path)
        info = SyncInfo(now - timedelta(minutes=5), now, True, True, {}, len(entries))
        cache.write_sync(entries, product_types={}, info=info)
        attention = cache.count() and len(cache.load_records(needs_attention_only=True))
        cache.close()
        del entries

        report = [sys.executable, "-m", "asin_tui", "report", "--profile", "bench", "--cached"]
        order = "ORDER BY state_rank, sku"
        rows = [
            (
                f"report --cached --all --format json, {args.listings:,} listings",
                ["sqlite3", "-json", str(path), f"SELECT * FROM listings {order}"],
                [*report, "--all", "--format", "json", "--max-age", "1000"],
            ),
            (
                f"report --cached --format csv, {attention:,} listings",
                ["sqlite3", "-csv", str(path), f"SELECT * FROM listings "
                 f"WHERE needs_attention = 1 {order}"],
                [*report, "--format", "csv", "--max-age", "1000"],
            ),
        ]  # fmt: skip
        print(f"{'measure':<52} {'baseline':>16} {'asin-tui':>18} {'ratio':>7}")
        for label, baseline_argv, argv in rows:
            base, _ = timed(baseline_argv, env)
            took, peak = timed(argv, env)
            print(
                f"{label:<52} {base:>7.2f} s sqlite3 {took:>7.2f} s {peak:>5.0f} MB"
                f" {took / base:>6.2f}x"
            )


if __name__ == "__main__":
    main()
