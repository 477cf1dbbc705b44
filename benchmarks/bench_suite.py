"""Benchmark: where the test suite's CPU goes (not a test; run by hand, under the CPU lock).

    python benchmarks/bench_suite.py [--out DIR] [--top 30] [-- PYTEST ARGS...]
    python benchmarks/bench_suite.py --report DIR [--top 30]

Runs ``python -m pytest PYTEST ARGS`` (default: ``-m "not slow"``, the fast set, with the
project's addopts: six workers, worksteal) byte-code compiled as a developer's checkout is
(PYTHONDONTWRITEBYTECODE unset), with this file loaded in every test process as a pytest
plugin (``-p bench_suite``). Each process writes one JSON line per test to DIR: its CPU
(user + system of the process), the CPU of the child processes it reaped meanwhile (a
subprocess the test started) and its wall time, plus when the process started, finished
collecting and ended. Then prints:

- the run: wall, CPU of every process (``resource.RUSAGE_CHILDREN`` of this one), load;
- per worker: CPU when collection ended (start-up + imports + collection), its tests' own
  CPU, their children's, and when its first and last test ran (seconds from the start);
- the files and the tests that took the most CPU (own + children).

A test's CPU here is its process's: a thread the test leaves running counts for whoever runs
next. With six workers on two cores a test's wall time is mostly waiting for a core; its CPU
is what to compare. Figures vary by ~5 % between runs on a quiet machine, far more when
something outside the lock runs: state the load beside them.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
_OUT_ENV = "BENCH_SUITE_OUT"


# ------------------------------------------------------------------ the plugin (test processes)


class _Recorder:
    def __init__(self, folder: Path) -> None:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        folder.mkdir(parents=True, exist_ok=True)
        self.file = open(folder / f"{worker}.jsonl", "w")  # noqa: SIM115 - open for the session
        self.event("start")

    def event(self, name: str, **fields: Any) -> None:
        own, children = _cpu()
        line = {"event": name, "cpu": own, "child": children, "at": time.time(), **fields}
        self.file.write(json.dumps(line) + "\n")
        self.file.flush()


_recorder: _Recorder | None = None


def _cpu() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def pytest_configure(config: Any) -> None:
    global _recorder
    folder = os.environ.get(_OUT_ENV)
    if folder:
        _recorder = _Recorder(Path(folder))


def pytest_collection_finish(session: Any) -> None:
    if _recorder is not None:
        _recorder.event("collected")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: Any, nextitem: Any) -> Any:
    """Each test: set up, call and tear down."""
    if _recorder is None:
        yield
        return
    own, children = _cpu()
    started = time.time()
    yield
    own_after, children_after = _cpu()
    _recorder.file.write(
        json.dumps(
            {
                "id": item.nodeid,
                "cpu": own_after - own,
                "child": children_after - children,
                "wall": time.time() - started,
                "at": started,
            }
        )
        + "\n"
    )


def pytest_unconfigure(config: Any) -> None:
    if _recorder is not None:
        _recorder.event("end")
        _recorder.file.close()


# ------------------------------------------------------------------ the report


def report(folder: Path, top: int) -> None:
    tests: list[dict[str, Any]] = []
    processes: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(folder.glob("*.jsonl")):
        lines = [json.loads(line) for line in path.read_text().splitlines() if line]
        processes[path.stem] = lines
        for line in lines:
            if "id" in line:
                tests.append({**line, "worker": path.stem})
    if not processes:
        sys.exit(f"no records in {folder}")
    start = min(line["at"] for lines in processes.values() for line in lines)
    print("process   collected at  cpu then  tests  tests' cpu  children  first test  last ends")
    for name, lines in processes.items():
        events = {line["event"]: line for line in lines if "event" in line}
        own = [line for line in lines if "id" in line]
        collected = events.get("collected")
        print(
            f"{name:8}  {_since(collected, start):>12}  {_cpu_of(collected):>8}  {len(own):5}  "
            f"{sum(t['cpu'] for t in own):10.1f}  {sum(t['child'] for t in own):8.1f}  "
            f"{(min(t['at'] for t in own) - start) if own else 0:10.1f}  "
            f"{(max(t['at'] + t['wall'] for t in own) - start) if own else 0:9.1f}"
        )
    total_own = sum(t["cpu"] for t in tests)
    total_children = sum(t["child"] for t in tests)
    print(f"{len(tests)} tests: {total_own:.1f} s of CPU in the tests, {total_children:.1f} s in")
    print("the processes they started\n")
    by_file: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0, 0.0])
    for test in tests:
        entry = by_file[test["id"].split("::")[0]]
        entry[0] += test["cpu"]
        entry[1] += test["child"]
        entry[2] += 1
    print(f"the {top} files that took the most CPU: own + children (tests)")
    for name, (own_cpu, children_cpu, count) in sorted(
        by_file.items(), key=lambda item: -(item[1][0] + item[1][1])
    )[:top]:
        print(f"{own_cpu:7.2f} + {children_cpu:5.2f} ({int(count):3})  {name}")
    print(f"\nthe {top} tests that took the most CPU: own + children, wall")
    for test in sorted(tests, key=lambda t: -(t["cpu"] + t["child"]))[:top]:
        print(f"{test['cpu']:6.2f} + {test['child']:5.2f}  {test['wall']:5.1f} s  {test['id']}")


def _since(line: dict[str, Any] | None, start: float) -> str:
    return "-" if line is None else f"{line['at'] - start:.1f}"


def _cpu_of(line: dict[str, Any] | None) -> str:
    return "-" if line is None else f"{line['cpu']:.1f}"


# ------------------------------------------------------------------ the run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench_suite"))
    parser.add_argument("--report", type=Path, help="print the report of an earlier run's DIR")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("pytest_args", nargs="*", help='after "--" (default: -m "not slow")')
    args = parser.parse_args()
    if args.report:
        report(args.report, args.top)
        return
    out: Path = args.out
    for old in out.glob("*.jsonl"):
        old.unlink()
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env[_OUT_ENV] = str(out)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT / "benchmarks"), env.get("PYTHONPATH")])
    )
    argv = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "bench_suite",
        *(args.pytest_args or ["-m", "not slow"]),
    ]
    load = os.getloadavg()[0]
    started = time.monotonic()
    code = subprocess.call(argv, cwd=ROOT, env=env)
    wall = time.monotonic() - started
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"\npytest exit {code}: {wall:.1f} s wall, {used.ru_utime + used.ru_stime:.1f} s of CPU "
        f"({used.ru_utime:.1f} user + {used.ru_stime:.1f} system); load {load:.2f} before, "
        f"{os.getloadavg()[0]:.2f} after\n"
    )
    report(out, args.top)


if __name__ == "__main__":
    main()
