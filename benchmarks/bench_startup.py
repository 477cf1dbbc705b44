"""Benchmark: launch → first listing row, as a seller runs asin-tui (not a test; run by hand).

    python benchmarks/bench_startup.py [--runs 5] [--sizes 1000,10000,100000] [--size 120x40]
                                       [--caches DIR]

Every figure is a fresh process in a pseudo-terminal (what tmux gives it), byte-code compiled
as an installed package has it (PYTHONDONTWRITEBYTECODE is unset for the children and
asin_tui and the venv's site-packages are compiled first). The clock runs from just before
the process is started to the moment the first row's text arrives on the terminal:

- baseline: a bare Textual app (Header, a 250-row DataTable, Footer) measured the same way
  in the same run, interleaved with the others;
- ``asin-tui --demo`` on the demo's cache of an earlier run (a seller's second start), the
  start-up sync on (the simulated account is built and synced in the background);
- ``asin-tui --profile bench`` on a cache of 1k / 10k / 100k listings (written once from the
  sandbox seller account, every listing parsed and diagnosed as a sync does, kept in
  ``--caches``), the start-up sync on: the real SP-API client is imported and built and the
  sync starts (its endpoint is a closed loopback port, so it fails after its retries, in
  the background; the first row does not wait for it).

The first key: `a` typed as soon as the first row is drawn, until "All listings" is drawn
(asin-tui reads that scope's first rows from the cache; the bare app, its baseline, only
repaints its header with those words).

Also per cache size: the cache load (every row of the needs-attention view, and of every
listing, read through AccountService as the list's loader does), in a fresh process, beside
its baseline: the same rows read with plain sqlite3 (the same query, no decoding).
Prints medians with baseline, result and ratio, and the load average before and after.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import sysconfig
import tempfile
import termios
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_ROOT = ROOT  # --app-root: the asin_tui measured (e.g. an older commit, for a before/after)
MARKETPLACE_ID = "ATVPDKIKX0DER"
PROFILE = "bench"
CLOSED_PORT = 9  # discard: nothing listens on loopback, connections are refused at once
BARE_MARK = "bare-row-0000"
BARE = "bare Textual app"
#: The first key, typed as soon as the first row is drawn: `a`, every listing (its first rows
#: read from the cache), while the client is being built in a thread
ALL_KEY = (b"a", "All listings")
ANSI = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|.)")

BARE_APP = """
from textual.app import App
from textual.widgets import DataTable, Footer, Header

class Bare(App):
    BINDINGS = [("a", "all", "All")]

    def action_all(self):  # the first key's baseline: a key, a repaint that says so
        self.sub_title = "All listings"

    def compose(self):
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns("SKU", "ASIN", "State", "Title", "Cause")
        for i in range(250):
            table.add_row(f"bare-row-{i:04d}", "B000000000", "INACTIVE", "A product title",
                          "Out of stock")

Bare().run()
"""


# --------------------------------------------------------------------------- preparing
def compile_all() -> None:
    """Byte-code for asin_tui and the venv, as `pip install` leaves it."""
    for path in (APP_ROOT / "asin_tui", Path(sysconfig.get_paths()["purelib"])):
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", "-j", "0", str(path)],
            env=child_env({}),
            stdout=subprocess.DEVNULL,
            check=False,
        )


def quit_app(proc: subprocess.Popen[bytes], master: int, wait: float) -> None:
    """`q` to an app in a pty, then its output read (so it never blocks on a full pty)
    until it has exited or ``wait`` seconds have passed."""
    os.write(master, b"q")
    deadline = time.perf_counter() + wait
    while proc.poll() is None and time.perf_counter() < deadline:
        if select.select([master], [], [], 0.1)[0]:
            try:
                os.read(master, 65536)
            except OSError:
                break


def end_app(proc: subprocess.Popen[bytes], master: int, wait: float) -> None:
    """An app in a pty ended whatever happened: its process group sent SIGTERM if it still
    runs, the process reaped, the pty closed."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(wait)
    os.close(master)


def child_env(xdg: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(xdg, TERM="xterm-256color", PYTHONPATH=str(APP_ROOT), COLORTERM="truecolor")
    for secret in ("LWA_APP_ID", "LWA_CLIENT_SECRET", "SP_API_REFRESH_TOKEN"):
        env.pop(secret, None)
    return env


def xdg_dirs(base: Path) -> dict[str, str]:
    dirs = {name: base / name.lower() for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME")}
    dirs["XDG_DATA_HOME"] = base / "data"
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return {k: str(v) for k, v in dirs.items()}


def prepare_profile(base: Path, cache: Path) -> dict[str, str]:
    """A config with one profile whose cache is ``cache`` (hard-linked, not copied)."""
    xdg = xdg_dirs(base)
    config = Path(xdg["XDG_CONFIG_HOME"]) / "asin-tui"
    config.mkdir(mode=0o700, exist_ok=True)
    (config / "config.toml").write_text(
        textwrap.dedent(f"""\
            default_profile = "{PROFILE}"
            [profiles.{PROFILE}]
            marketplace = "US"
            seller_id = "A2BENCH0000001"
            endpoint = "http://127.0.0.1:{CLOSED_PORT}"
            token_endpoint = "http://127.0.0.1:{CLOSED_PORT}/auth/o2/token"
            lwa_app_id = "amzn1.application-oa2-client.bench"
            lwa_client_secret = "bench-secret"
            refresh_token = "Atzr|bench"
            """)
    )
    os.chmod(config / "config.toml", 0o600)
    target = Path(xdg["XDG_CACHE_HOME"]) / "asin-tui" / f"{PROFILE}-{MARKETPLACE_ID}.sqlite3"
    target.parent.mkdir(mode=0o700, exist_ok=True)
    if not target.exists():
        try:
            os.link(cache, target)
        except OSError:
            shutil.copyfile(cache, target)
    return xdg


def ensure_cache(caches: Path, listings: int) -> Path:
    path = caches / f"{listings}.sqlite3"
    if not path.exists():
        print(f"writing a {listings:,}-listing sandbox cache to {path} (once)…", flush=True)
        caches.mkdir(parents=True, exist_ok=True)
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from bench_tui import write_sandbox_cache

        write_sandbox_cache(path, listings)
    return path


def run_python(code: str, env: dict[str, str]) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def first_sku(xdg: dict[str, str], profile: str) -> str:
    """The SKU of the list's first row (the needs-attention view, report order)."""
    code = f"""
from asin_tui.store.cache import ListingCache, cache_path
cache = ListingCache(cache_path({profile!r}, {MARKETPLACE_ID!r}))
print(cache.load_records(needs_attention_only=True, limit=1)[0].sku)
"""
    return run_python(code, child_env(xdg))


def prepare_demo(base: Path) -> dict[str, str]:
    """The demo account synced once (what a seller's second `asin-tui --demo` starts from)."""
    xdg = xdg_dirs(base)
    code = """
import asyncio
from asin_tui.demo import open_demo_service

async def main():
    service = open_demo_service(reset=True)
    try:
        await service.sync(include_all=False)
    finally:
        await service.aclose()

asyncio.run(main())
"""
    run_python(code, child_env(xdg))
    return xdg


def sqlite_read_seconds(xdg: dict[str, str], all_listings: bool) -> float:
    """The cache load's baseline: a fresh process reads the same rows with plain sqlite3 —
    the list's query (every column it decodes, in its order), fetched, not decoded."""
    code = f"""
import sqlite3, time
from asin_tui.store import cache as c
path = c.cache_path({PROFILE!r}, {MARKETPLACE_ID!r})
where = "" if {all_listings!r} else "WHERE needs_attention = 1 "
start = time.perf_counter()
conn = sqlite3.connect(path)
rows = conn.execute(
    f"SELECT {{c._RECORD_COLUMNS}} FROM listings {{where}}ORDER BY state_rank, sku"
).fetchall()
print(time.perf_counter() - start)
"""
    return float(run_python(code, child_env(xdg)))


def cache_load_seconds(xdg: dict[str, str], all_listings: bool) -> float:
    """A fresh process: open the profile's cache through AccountService and read every row
    of the view (what the list's loader does after its first screenful)."""
    code = f"""
import time
from asin_tui.store.config import load_config
from asin_tui.service import AccountService
start = time.perf_counter()
service = AccountService.for_profile(load_config().profiles[{PROFILE!r}])
records = service.cached_records(all_listings={all_listings!r})
print(time.perf_counter() - start)
"""
    return float(run_python(code, child_env(xdg)))


# --------------------------------------------------------------------------- measuring
def first_row_seconds(
    argv: list[str],
    env: dict[str, str],
    mark: str,
    size: tuple[int, int],
    timeout: float = 60,
    key: tuple[bytes, str] | None = None,
) -> tuple[float, float | None]:
    """Start ``argv`` in a pty of ``size``; seconds until ``mark`` is drawn, and with ``key``
    (bytes to type, text it draws) the seconds from typing it right after the first row to
    that text drawn: the first key, while the client is still being built. Then `q`."""
    master, slave = pty.openpty()
    cols, rows = size
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
    )
    os.close(slave)
    seen, text, found = b"", "", None
    try:
        while found is None and time.perf_counter() - start < timeout:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            now = time.perf_counter()
            seen += chunk
            text = ANSI.sub(b"", seen).decode("utf-8", "replace")
            if mark in text:
                found = now - start
        key_seconds = None
        if found is not None and key is not None:
            os.write(master, key[0])
            typed, after = time.perf_counter(), b""
            while time.perf_counter() - typed < 10:
                if not select.select([master], [], [], 0.5)[0]:
                    continue
                after += os.read(master, 65536)
                if key[1] in ANSI.sub(b"", after).decode("utf-8", "replace"):
                    key_seconds = time.perf_counter() - typed
                    break
        quit_app(proc, master, wait=10)
    finally:
        end_app(proc, master, wait=5)
    if found is None:
        raise RuntimeError(
            f"{' '.join(argv)}: {mark!r} never drawn; last screen text:\n{text[-800:]}"
        )
    return found, key_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--size", default="120x40", help="terminal COLSxROWS")
    parser.add_argument(
        "--caches", type=Path, default=Path(tempfile.gettempdir()) / "asin-tui-bench-caches"
    )
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--app-root", type=Path, help="measure the asin_tui in this folder")
    args = parser.parse_args()
    global APP_ROOT
    APP_ROOT = (args.app_root or ROOT).resolve()
    size = tuple(int(n) for n in args.size.split("x"))
    sizes = [int(n) for n in args.sizes.split(",") if n]

    load_before = os.getloadavg()[0]
    compile_all()
    work = Path(tempfile.mkdtemp(prefix="asin-tui-bench-startup-"))
    try:
        bare = work / "bare.py"
        bare.write_text(BARE_APP)
        python = [sys.executable]
        app = [*python, "-m", "asin_tui"]
        cases: dict[str, tuple[list[str], dict[str, str], str]] = {
            BARE: (
                [*python, str(bare)],
                child_env(xdg_dirs(work / "bare")),
                BARE_MARK,
            )
        }
        demo = prepare_demo(work / "demo")
        cases["asin-tui --demo"] = ([*app, "--demo"], child_env(demo), first_sku(demo, "demo"))
        profiles = {}
        for listings in sizes:
            xdg = prepare_profile(work / f"p{listings}", ensure_cache(args.caches, listings))
            profiles[listings] = xdg
            name = f"asin-tui, {listings:,}-listing cache"
            cases[name] = ([*app, "--profile", PROFILE], child_env(xdg), first_sku(xdg, PROFILE))
        for argv, env, mark in cases.values():  # a first start compiles what is left, warms disk
            first_row_seconds(argv, env, mark, size)

        times: dict[str, list[float]] = {name: [] for name in cases}
        keys: dict[str, list[float]] = {name: [] for name in cases}
        for run in range(args.runs):
            for name, (argv, env, mark) in cases.items():  # interleaved: same conditions
                first, key_seconds = first_row_seconds(argv, env, mark, size, key=ALL_KEY)
                times[name].append(first)
                if key_seconds is not None:
                    keys[name].append(key_seconds)
            print(f"run {run + 1}/{args.runs} done", flush=True)

        loads: dict[int, dict[str, dict[str, float]]] = {}
        for listings, xdg in profiles.items():
            loads[listings] = {}
            for scope in ("attention", "all"):
                base_runs, app_runs = [], []
                for _ in range(args.runs):  # interleaved
                    base_runs.append(sqlite_read_seconds(xdg, scope == "all"))
                    app_runs.append(cache_load_seconds(xdg, scope == "all"))
                loads[listings][scope] = {
                    "baseline": statistics.median(base_runs),
                    "result": statistics.median(app_runs),
                }
    finally:
        shutil.rmtree(work, ignore_errors=True)

    base = statistics.median(times[BARE])
    print(
        f"\nlaunch → first row in a {size[0]}x{size[1]} pty, byte-code compiled, start-up sync on;"
    )
    print(
        f"medians of {args.runs} fresh processes (interleaved), load average "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after\n"
    )
    print(f"{'measure':<36} {'baseline':>9} {'result':>9} {'ratio':>6}   runs (ms)")
    for name, values in times.items():
        median = statistics.median(values)
        runs = " ".join(f"{v * 1000:.0f}" for v in values)
        print(
            f"{name:<36} {base * 1000:>7.0f}ms {median * 1000:>7.0f}ms {median / base:>5.2f}×   {runs}"
        )
    print("\nfirst key (`a`, typed as the first row is drawn) → 'All listings' drawn:")
    key_base = statistics.median(keys[BARE]) if keys[BARE] else float("nan")
    for name, values in keys.items():
        if values and name != BARE:
            median = statistics.median(values)
            runs = " ".join(f"{v * 1000:.0f}" for v in values)
            print(
                f"{name:<36} {key_base * 1000:>7.0f}ms {median * 1000:>7.0f}ms "
                f"{median / key_base:>5.2f}×   {runs}"
            )
    print(
        "\ncache load (open the cache, read every row of the view through AccountService, "
        "a fresh process)\nbaseline: the same rows fetched with plain sqlite3, not decoded:"
    )
    for listings, scopes in loads.items():
        for scope, words in (("attention", "needs attention"), ("all", "every listing")):
            base, result = scopes[scope]["baseline"], scopes[scope]["result"]
            print(
                f"{f'{listings:,} listings, {words}':<36} {base * 1000:>7.0f}ms "
                f"{result * 1000:>7.0f}ms {result / base:>5.2f}×"
            )
    if args.json:
        args.json.write_text(
            json.dumps({"first_row": times, "first_key": keys, "cache_load": loads}, indent=2)
        )


if __name__ == "__main__":
    main()
