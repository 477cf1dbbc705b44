"""Benchmark: where the test suite's CPU goes and when the cores idle (not a test; run by hand,
under the CPU lock).

    python benchmarks/bench_suite.py [--out DIR] [--top 30] [--durations FILE] [-- PYTEST ARGS...]
    python benchmarks/bench_suite.py --report DIR [--top 30] [--durations FILE]

Runs ``python -m pytest PYTEST ARGS`` (default: ``-m "not slow"``, the fast set, with the
project's addopts: six workers, tests/schedule.py's scheduler) byte-code compiled as a
developer's checkout is (PYTHONDONTWRITEBYTECODE unset), with this file loaded in every test
process as a pytest plugin (``-p bench_suite``). Each process writes one JSON line per test
to DIR: its CPU (user + system of the process), the CPU of the child processes it reaped
meanwhile (a subprocess the test started), its wall time and its main thread's wait for a
core, plus when the process started, finished collecting and ended. The script samples the
machine's busy and idle CPU (/proc/stat) meanwhile. Then prints:

- the run: wall, CPU of every process (``resource.RUSAGE_CHILDREN`` of this one), load, and
  the CPU the machine spent outside the run (something running outside the lock);
- per worker: CPU when collection ended (start-up + imports + collection), its tests' own
  CPU, their children's, and when its first and last test ran (seconds from the start);
- the files and the tests that took the most CPU (own + children);
- a timeline: when the workers had collected and the first test ran, the tail (fewer than
  two workers running a test) and its tests, the machine's idle core-seconds before, during
  and after the tests, one character per second, and one strip per worker.

``--durations FILE`` writes each test's CPU and wall for tests/schedule.py (measure
tests/durations.json with ``-- -n 2``, the whole suite, under the exclusive lock).

A test's CPU here is its process's: a thread the test leaves running counts for whoever runs
next. With six workers on two cores a test's wall time is mostly waiting for a core; its CPU
is what to compare. Figures vary by ~5 % between runs on a quiet machine, far more when
something outside the lock runs: state the load beside them.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import itertools
import json
import os
import resource
import subprocess
import sys
import threading
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


def _queued() -> float:
    """Seconds the main thread has waited for a core while runnable (Linux's schedstat; 0
    elsewhere): a test's wall less this is about what it takes on an idle machine."""
    try:
        return int(Path("/proc/self/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


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
    queued = _queued()
    started = time.time()
    yield
    own_after, children_after = _cpu()
    queued_after = _queued()
    _recorder.file.write(
        json.dumps(
            {
                "id": item.nodeid,
                "cpu": own_after - own,
                "child": children_after - children,
                "wall": time.time() - started,
                "queued": queued_after - queued,
                "at": started,
                "cpu_at": own,  # the process's CPU when the test began
            }
        )
        + "\n"
    )


def pytest_sessionfinish(session: Any) -> None:
    if _recorder is not None:
        _recorder.event("finished")


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
    print()
    timeline(folder, tests, processes)
    _missing_durations(tests)


def timeline(
    folder: Path, tests: list[dict[str, Any]], processes: dict[str, list[dict[str, Any]]]
) -> None:
    """When the workers were busy: the start (until tests run), the tail (fewer than two
    workers still running a test, so a core can idle), and one line per worker."""
    workers = sorted({test["worker"] for test in tests})
    if not workers:
        return
    run_file = folder / "run.json"
    run = json.loads(run_file.read_text()) if run_file.exists() else {}
    events = {
        name: {line["event"]: line["at"] for line in lines if "event" in line}
        for name, lines in processes.items()
    }
    first_event = min(line["at"] for lines in processes.values() for line in lines)
    zero = run.get("launched", first_event)
    first = min(t["at"] for t in tests)
    last = max(t["at"] + t["wall"] for t in tests)
    started = [e["start"] for name, e in events.items() if name in workers and "start" in e]
    collected = [
        e["collected"] for name, e in events.items() if name in workers and "collected" in e
    ]
    print("timeline, seconds from pytest's launch")
    if "main" in events and "start" in events["main"]:
        print(f"  controller configured  {events['main']['start'] - zero:6.1f}")
    if started:
        print(f"  workers configured     {min(started) - zero:6.1f} - {max(started) - zero:.1f}")
    if collected:
        print(
            f"  workers collected      {min(collected) - zero:6.1f} - {max(collected) - zero:.1f}"
        )
    print(f"  first test starts      {first - zero:6.1f}")
    # the busy-worker count as a step function: +1 when a test starts, -1 when it ends
    steps = sorted(
        [(t["at"], 1) for t in tests] + [(t["at"] + t["wall"], -1) for t in tests],
        key=lambda step: (step[0], step[1]),
    )
    seconds_at: collections.Counter[int] = collections.Counter()
    busy, previous, two_from, last_two = 0, first, None, first
    for at, change in steps:
        seconds_at[busy] += at - previous
        if busy >= 2:
            last_two = at
        busy += change
        previous = at
        if busy >= 2 and two_from is None:
            two_from = at
    print(f"  two workers busy from  {(two_from or first) - zero:6.1f}")
    print(f"  fewer than two busy    {last_two - zero:6.1f} (the tail: {last - last_two:.1f} s)")
    print(f"  last test ends         {last - zero:6.1f}")
    ended = [e["end"] for name, e in events.items() if name in workers and "end" in e]
    if ended:
        print(f"  workers unconfigured   {min(ended) - zero:6.1f} - {max(ended) - zero:.1f}")
    if "main" in events and "end" in events["main"]:
        print(f"  controller unconfigured{events['main']['end'] - zero:6.1f}")
    if "ended" in run:
        print(f"  pytest exits           {run['ended'] - zero:6.1f}")
    print("seconds with N workers running a test (first test start to last test end):")
    print("  " + "  ".join(f"{n}: {seconds_at[n]:.1f}" for n in range(len(workers) + 1)))
    tail = [t for t in tests if t["at"] + t["wall"] > last_two]
    print(f"tests running in the tail ({last - last_two:.1f} s): start, wall, worker")
    for test in sorted(tail, key=lambda t: t["at"]):
        print(
            f"  {test['at'] - zero:6.1f}  {test['wall']:5.1f} s  {test['worker']:5}  {test['id']}"
        )
    machine = run.get("machine") or []
    if len(machine) >= 2:
        _machine_report(machine, zero, first, last, run.get("ended", last))
    print("per worker: '#' a test ran the whole second, '+' part of it, '.' none")
    width = int(last - zero) + 1
    for worker in workers:
        own = sorted(
            (t["at"] - zero, t["at"] + t["wall"] - zero) for t in tests if t["worker"] == worker
        )
        cover = [0.0] * width
        for begin, end in own:
            for second in range(int(begin), min(int(end) + 1, width)):
                cover[second] += min(end, second + 1) - max(begin, second)
        strip = "".join("#" if c > 0.95 else "+" if c > 0.05 else "." for c in cover)
        idle = (own[-1][1] - own[0][0]) - sum(end - begin for begin, end in own)
        print(f"  {worker:5} {strip}  (between its tests {idle:.1f} s)")


def _since(line: dict[str, Any] | None, start: float) -> str:
    return "-" if line is None else f"{line['at'] - start:.1f}"


def _cpu_of(line: dict[str, Any] | None) -> str:
    return "-" if line is None else f"{line['cpu']:.1f}"


def _machine_report(
    samples: list[list[float]], zero: float, first: float, last: float, ended: float
) -> None:
    """Idle core-seconds of the machine before the first test, while tests ran, after the
    last; then one character per second: how many cores were busy."""
    phases = {
        "before the first test": (zero, first),
        "tests": (first, last),
        "after": (last, ended),
    }
    idle_in = dict.fromkeys(phases, 0.0)
    busy_in = dict.fromkeys(phases, 0.0)
    per_second: dict[int, list[float]] = collections.defaultdict(lambda: [0.0, 0.0])
    for (t0, busy0, idle0), (t1, busy1, idle1) in itertools.pairwise(samples):
        middle = (t0 + t1) / 2
        for name, (begin, end) in phases.items():
            if begin <= middle < end:
                idle_in[name] += idle1 - idle0
                busy_in[name] += busy1 - busy0
        entry = per_second[int(middle - zero)]
        entry[0] += busy1 - busy0
        entry[1] += idle1 - idle0
    print("the machine's cores (all processes):")
    for name, (begin, end) in phases.items():
        print(
            f"  {name:22} {end - begin:5.1f} s: {busy_in[name]:5.1f} CPU-s busy, "
            f"{idle_in[name]:5.1f} idle"
        )
    strip = ""
    for second in range(int(ended - zero) + 1):
        busy, idle = per_second.get(second, (0.0, 0.0))
        share = busy / (busy + idle) if busy + idle else 0.0
        strip += " .:|#"[min(4, int(share * 4 + 0.5))]
    print(f"  busy each second (' ' idle .. '#' all cores): [{strip}]")


def _records(folder: Path) -> list[dict[str, Any]]:
    return [
        line
        for path in sorted(folder.glob("*.jsonl"))
        for line in map(json.loads, path.read_text().splitlines())
        if "id" in line
    ]


#: tests shorter than this are left out of the durations file (the scheduler takes a test it
#: does not know for a short one that computes)
_DURATIONS_FROM = 0.05


def write_durations(folder: Path, path: Path) -> None:
    """Each test's CPU (its own and its children's) and wall, for tests/schedule.py."""
    tests = {
        line["id"]: [round(line["cpu"] + line["child"], 3), round(line["wall"], 3)]
        for line in _records(folder)
        if line["wall"] >= _DURATIONS_FROM
    }
    about = (
        "CPU and wall seconds of each test of 50 ms or more, measured by "
        "benchmarks/bench_suite.py --durations at two workers; read by tests/schedule.py"
    )
    lines = ",\n".join(
        f"{json.dumps(name, ensure_ascii=False)}: {json.dumps(value)}"
        for name, value in sorted(tests.items())
    )  # one test a line: a new measurement's diff shows which tests changed
    path.write_text(
        f'{{\n"about": {json.dumps(about)},\n"tests": {{\n{lines}\n}}\n}}\n', encoding="utf-8"
    )
    print(f"wrote {len(tests)} tests' durations to {path}")


def _missing_durations(tests: list[dict[str, Any]]) -> None:
    """Tests of a second or more that tests/durations.json does not hold (the scheduler takes
    them for short ones): when there are some, measure the durations again."""
    known_file = ROOT / "tests" / "durations.json"
    if not known_file.exists():
        return
    known = json.loads(known_file.read_text(encoding="utf-8")).get("tests", {})
    missing = [t for t in tests if t["wall"] >= 1.0 and t["id"] not in known]
    if missing:
        print(f"\n{len(missing)} tests of a second or more are not in {known_file.name}:")
        for test in sorted(missing, key=lambda t: -t["wall"]):
            print(f"  {test['wall']:5.1f} s  {test['id']}")


# ------------------------------------------------------------------ the run


def _machine_cpu() -> tuple[float, float]:
    """The machine's CPU seconds so far, busy and idle, over all cores (/proc/stat)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / tick, idle / tick


class _Sampler(threading.Thread):
    """Every quarter second, the machine's busy and idle CPU seconds (Linux only)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[tuple[float, float, float]] = []
        self.done = threading.Event()

    def run(self) -> None:
        while True:
            with contextlib.suppress(OSError):
                self.samples.append((time.time(), *_machine_cpu()))
            if self.done.wait(0.25):
                return

    def stop(self) -> list[tuple[float, float, float]]:
        self.done.set()
        self.join()
        with contextlib.suppress(OSError):
            self.samples.append((time.time(), *_machine_cpu()))
        return self.samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench_suite"))
    parser.add_argument("--report", type=Path, help="print the report of an earlier run's DIR")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument(
        "--durations",
        type=Path,
        help="write each test's CPU and wall (of tests of 50 ms or more) to this JSON file, "
        "as tests/schedule.py reads it (tests/durations.json: measure at -n 2)",
    )
    parser.add_argument("pytest_args", nargs="*", help='after "--" (default: -m "not slow")')
    args = parser.parse_args()
    if args.report:
        report(args.report, args.top)
        if args.durations:
            write_durations(args.report, args.durations)
        return
    out: Path = args.out
    for old in out.glob("*.jsonl"):
        old.unlink()
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env[_OUT_ENV] = str(out)
    sampler = _Sampler()
    sampler.start()
    launched = time.time()
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
    ended = time.time()
    samples = sampler.stop()
    (out / "run.json").write_text(
        json.dumps({"launched": launched, "ended": ended, "machine": samples})
    )
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    ours = used.ru_utime + used.ru_stime
    print(
        f"\npytest exit {code}: {wall:.1f} s wall, {ours:.1f} s of CPU "
        f"({used.ru_utime:.1f} user + {used.ru_stime:.1f} system); load {load:.2f} before, "
        f"{os.getloadavg()[0]:.2f} after"
    )
    if len(samples) >= 2:
        busy = samples[-1][1] - samples[0][1]
        idle = samples[-1][2] - samples[0][2]
        print(
            f"the machine meanwhile: {busy:.1f} s of CPU busy, {idle:.1f} s idle; busy outside "
            f"this run (other processes, the kernel) {busy - ours:.1f} s\n"
        )
    report(out, args.top)
    if args.durations:
        write_durations(out, args.durations)


if __name__ == "__main__":
    main()
