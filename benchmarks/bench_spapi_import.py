"""Benchmark: CPU of what imports the SP-API client, in fresh processes (not a test; by hand).

    python benchmarks/bench_spapi_import.py [--runs 5] [--root DIR ...] [--no-demo] [--no-collect]

Each ``--root`` is a checkout of asin-tui (e.g. main and a branch, as detached worktrees);
the figures of the roots are taken interleaved (root A, root B, root A, ...), each a fresh
process, byte-code compiled as an installed package has it (PYTHONDONTWRITEBYTECODE unset,
asin_tui and the venv compiled first). CPU = user + sys of the process and the processes it
waited for (``RUSAGE_CHILDREN``), the figure that adds up on a two-core machine:

- import: ``import asin_tui.spapi.client`` (what every sync child, ``report``, ``watch`` and the
  app's start-up sync pay to open a client), beside a bare ``python -c pass``;
- demo: ``asin-tui --demo`` in a pseudo-terminal (120x40) on the demo's cache of an earlier
  run, from its start until its start-up sync has finished ("listings fetched" drawn after
  "Starting sync"), then `q`: the user's start with its sync, whole;
- collect: ``pytest --collect-only -m "not slow"`` in the root (no xdist, no random order):
  what each test worker pays before its first test, beside nothing.

Prints the median and every run per root, and the load average before and after.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import resource
import select
import statistics
import struct
import subprocess
import sys
import sysconfig
import tempfile
import termios
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_startup import ANSI, end_app, quit_app  # noqa: E402


def env_for(root: Path, xdg: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(xdg or {}, TERM="xterm-256color", COLORTERM="truecolor", PYTHONPATH=str(root))
    for secret in ("LWA_APP_ID", "LWA_CLIENT_SECRET", "SP_API_REFRESH_TOKEN"):
        env.pop(secret, None)
    return env


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_of(run: Callable[[], None]) -> float:
    before = children_cpu()
    run()
    return children_cpu() - before


def compile_all(root: Path) -> None:
    for path in (root / "asin_tui", root / "tests", Path(sysconfig.get_paths()["purelib"])):
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", "-j", "0", str(path)],
            env=env_for(root),
            stdout=subprocess.DEVNULL,
            check=False,
        )


def run_code(root: Path, code: str) -> None:
    subprocess.run([sys.executable, "-c", code], env=env_for(root), cwd=root, check=True)


def demo_home(root: Path, base: Path) -> dict[str, str]:
    """A home whose demo account was synced once (a seller's second `asin-tui --demo`)."""
    xdg = {
        "XDG_CONFIG_HOME": str(base / "config"),
        "XDG_CACHE_HOME": str(base / "cache"),
        "XDG_DATA_HOME": str(base / "data"),
    }
    for path in xdg.values():
        Path(path).mkdir(parents=True, exist_ok=True, mode=0o700)
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
    subprocess.run([sys.executable, "-c", code], env=env_for(root, xdg), cwd=root, check=True)
    return xdg


def demo_start_with_sync(root: Path, xdg: dict[str, str], timeout: float = 60) -> None:
    """`asin-tui --demo` until its start-up sync has finished, then `q` (and its exit)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "asin_tui", "--demo"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env_for(root, xdg),
        cwd=root,
        start_new_session=True,
    )
    os.close(slave)
    start, seen, done = time.perf_counter(), b"", False
    try:
        while not done and time.perf_counter() - start < timeout:
            if not select.select([master], [], [], 0.5)[0]:
                continue
            seen += os.read(master, 65536)
            text = ANSI.sub(b"", seen).decode("utf-8", "replace")
            started = text.find("Starting sync")
            done = started >= 0 and "listings fetched" in text[started:]
        quit_app(proc, master, wait=10)
    finally:
        end_app(proc, master, wait=10)
    if not done:
        raise RuntimeError(f"{root}: the demo's start-up sync never finished")


def collect(root: Path) -> None:
    subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "not slow"),
            *("-o", "addopts=", "-p", "no:randomly", "-p", "no:cacheprovider"),
        ],
        env=env_for(root),
        cwd=root,
        stdout=subprocess.DEVNULL,
        check=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--root", type=Path, action="append", help="a checkout (repeatable)")
    parser.add_argument("--no-demo", action="store_true")
    parser.add_argument("--no-collect", action="store_true")
    args = parser.parse_args()
    roots = [r.resolve() for r in (args.root or [ROOT])]
    print(f"load before: {os.getloadavg()}", flush=True)
    for root in roots:
        compile_all(root)
    with tempfile.TemporaryDirectory(prefix="bench-spapi-") as tmp:
        homes = {root: demo_home(root, Path(tmp) / str(i)) for i, root in enumerate(roots)}
        cases: dict[str, Callable[[Path], None]] = {
            "python -c pass": lambda root: run_code(root, "pass"),
            "import asin_tui.spapi.client": lambda root: run_code(
                root, "import asin_tui.spapi.client"
            ),
        }
        if not args.no_demo:
            cases["asin-tui --demo, start + sync"] = lambda root: demo_start_with_sync(
                root, homes[root]
            )
        if not args.no_collect:
            cases['pytest --collect-only -m "not slow"'] = collect
        figures: dict[tuple[str, Path], list[float]] = {}
        for case, run in cases.items():
            for root in roots:
                run(root)  # warm: caches, byte-code, pytest's rewritten test modules
            for _ in range(args.runs):
                for root in roots:
                    cpu = cpu_of(lambda root=root, run=run: run(root))  # type: ignore[misc]
                    figures.setdefault((case, root), []).append(cpu)
    for case in cases:
        print(f"\n{case} (CPU-s, user+sys)")
        for root in roots:
            runs = figures[(case, root)]
            shown = " ".join(f"{x:.3f}" for x in runs)
            print(f"  {root}: median {statistics.median(runs):.3f}  [{shown}]")
    print(f"\nload after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
