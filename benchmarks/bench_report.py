"""Benchmark: `report --cached` read from a 100,000-listing cache, beside sqlite3 (not a
test; run by hand, byte-code compiled as an install has it).

    python benchmarks/bench_report.py [--listings 100000] [--attention-share 0.29]
                                      [--runs 7] [--profile-dir DIR]

Fills a throwaway profile's cache (benchmarks/bench_cache.py's synthetic listings; with
--profile-dir, kept there and reused by the next run), then prints for each row baseline,
result and ratio:
- ``report --cached --all --format json`` vs ``sqlite3 -json`` of the same rows (time, and the
  report's peak memory: goal <= 2x the time and <= 150 MB);
- ``report --cached --format csv`` (the listings needing attention: ~29,000) vs ``sqlite3 -csv``
  (goal <= 2x);
- ``report --cached --format table`` of the same rows (no baseline: for scale).
Each command runs --runs times, baseline and report alternately (a load that comes and goes
touches both), the median counts; output goes to /dev/null (not a terminal). The floor is
printed too: a bare ``python -c pass``, ``python -c "import sqlite3"`` and Python importing
the modules ``report --cached`` imports. Run it under the project's exclusive CPU lock.

``report`` without ``--cached`` syncs first (at Amazon's rates: minutes at this size,
benchmarks/bench_sync.py); what is timed here is what follows the sync, or what a script
running ``report --cached`` on a fresh cache waits for.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_cache import MP, synthetic  # noqa: E402


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one run of ``argv``, stdout to /dev/null (timed here:
    /usr/bin/time's %e has 10 ms steps, too coarse for a 0.07 s baseline)."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = 0  # reaped by wait4
    return seconds, usage.ru_maxrss / 1024


def medians(argvs: list[list[str]], env: dict[str, str], runs: int) -> list[tuple[float, float]]:
    """For each of ``argvs``: (median wall seconds, peak RSS MB), run alternately."""
    times: list[list[float]] = [[] for _ in argvs]
    peaks = [0.0 for _ in argvs]
    for _ in range(runs):
        for i, argv in enumerate(argvs):
            seconds, peak = run_once(argv, env)
            times[i].append(seconds)
            peaks[i] = max(peaks[i], peak)
    return [(statistics.median(t), p) for t, p in zip(times, peaks, strict=True)]


def fill(folder: str, listings: int, attention_share: float) -> Path:
    """The bench profile's cache in ``folder`` (filled unless it already is)."""
    os.environ.update(XDG_CONFIG_HOME=f"{folder}/cfg", XDG_CACHE_HOME=f"{folder}/cache")
    from asin_tui.store import paths
    from asin_tui.store.cache import ListingCache, SyncInfo, cache_path

    config = paths.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[profiles.bench]\nmarketplace = "US"\nseller_id = "A2BENCH"\n')
    config.chmod(0o600)
    path = cache_path("bench", MP)
    path.parent.mkdir(parents=True, exist_ok=True)
    cache = ListingCache(path)
    if cache.count() != listings:
        entries = synthetic(listings, attention_share)
        now = datetime.now(UTC)
        info = SyncInfo(now - timedelta(minutes=5), now, True, True, {}, len(entries))
        cache.write_sync(entries, product_types={}, info=info)
    cache.close()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--attention-share", type=float, default=0.29)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--profile-dir", help="keep the filled profile here (reused)")
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "asin_tui", quiet=1)

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.profile_dir or tmp
        path = fill(folder, args.listings, args.attention_share)
        env = {
            **os.environ,
            "XDG_CONFIG_HOME": f"{folder}/cfg",
            "XDG_CACHE_HOME": f"{folder}/cache",
            "XDG_DATA_HOME": f"{folder}/data",
            "PYTHONPATH": str(ROOT),
            "LWA_APP_ID": "amzn1.application-oa2-client.bench",
            "LWA_CLIENT_SECRET": "bench-secret",
            "SP_API_REFRESH_TOKEN": "Atzr|bench",
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # byte-code compiled, as installed
        import sqlite3

        with sqlite3.connect(path) as conn:
            (attention,) = conn.execute(
                "SELECT count(*) FROM listings WHERE needs_attention = 1"
            ).fetchone()

        report = [sys.executable, "-m", "asin_tui", "report", "--profile", "bench", "--cached"]
        report += ["--max-age", "100000"]
        order = "ORDER BY state_rank, sku"
        rows = [  # label, baseline, report, goal: (at most this times the baseline, MB)
            (
                f"report --cached --all --format json, {args.listings:,} listings",
                ["sqlite3", "-json", str(path), f"SELECT * FROM listings {order}"],
                [*report, "--all", "--format", "json"],
                (2.0, 150.0),
            ),
            (
                f"report --cached --format csv, {attention:,} listings",
                ["sqlite3", "-csv", str(path), f"SELECT * FROM listings "
                 f"WHERE needs_attention = 1 {order}"],
                [*report, "--format", "csv"],
                (2.0, None),
            ),
            (
                f"report --cached --format table, {attention:,} listings",
                ["sqlite3", "-box", str(path), f"SELECT state, sku, asin, title, main_cause,"
                 f" quantity, price, inactive_since FROM listings WHERE needs_attention = 1 {order}"],
                [*report, "--format", "table"],
                None,
            ),
        ]  # fmt: skip
        imports = "import asin_tui.cli, asin_tui.commands.report"
        floor = medians(
            [[sys.executable, "-c", "pass"], [sys.executable, "-c", "import sqlite3"],
             [sys.executable, "-c", imports]],
            env,
            args.runs,
        )  # fmt: skip
        report_imports = floor[2][0]
        print(f"load average {os.getloadavg()[0]:.2f}; median of {args.runs} runs")
        print(f"floor: python -c pass {floor[0][0]:.3f} s, import sqlite3 {floor[1][0]:.3f} s")
        print(f"{report_imports:.3f} s: python importing what report --cached imports (no work)")
        print(f"{'measure':<52} {'baseline':>16} {'asin-tui':>18} {'ratio':>7}  goal")
        for label, baseline_argv, argv, goal in rows:
            (base, _), (took, peak) = medians([baseline_argv, argv], env, args.runs)
            verdict = ""
            if goal is not None:
                ratio, megabytes = goal
                met = took <= ratio * base and (megabytes is None or peak <= megabytes)
                limit = f"<= {ratio:g}x" + (f", <= {megabytes:g} MB" if megabytes else "")
                verdict = f"  {limit}: {'met' if met else 'NOT met'}"
            print(
                f"{label:<52} {base:>7.3f} s sqlite3 {took:>7.3f} s {peak:>5.0f} MB"
                f" {took / base:>6.2f}x{verdict}"
            )
        print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
