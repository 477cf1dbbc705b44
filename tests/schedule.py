"""How the xdist workers get their tests: the long ones first, the cores kept busy.

On two cores the suite runs six workers because most tests wait: a Textual app under the
pilot sleeps at every pause (≥20 ms for the process to go idle, Textual's ``wait_for_idle``),
a test waits for a child process or a served sandbox. Measured at two workers, the UI tests
keep ~0.27 of a core busy for each second they run, most other tests 0.5-1. xdist's own
schedulers hand out the tests in collection order (tests/ui last): in the fast set's last
~12 s only UI tests were left, six of them kept ~1.5 cores busy, and ~6-10 core-seconds went
idle (benchmarks/bench_suite.py's timeline, 5 December 2026).

``MeasuredScheduling`` (``--dist load``, the project's addopts) hands out the tests a few at
a time from two queues, each longest first (so no long test starts last and runs alone at
the end): the tests that mostly wait (CPU under 0.4 of their wall) and the tests that
mostly compute. It takes from the queue of which the smaller share (of its wall) has been
handed out, so the two kinds run side by side to the end instead of one after the other;
and a worker gets the next test of the module it last ran from that queue when the queue
holds one, else the longest of a module no other worker is on (if any), so a module's
fixtures and caches are set up in few workers. (Picking by the tests running at the moment
did worse: a worker's next test is chosen a test ahead, the computing tests are short and
the waiting ones long, so waiting tests piled up on all six workers.)

What a test takes comes from ``tests/durations.json``, measured (CPU and wall of each test
at two workers, where a test seldom waits for a core; the whole suite, so the slow tests too)
and written by ``python benchmarks/bench_suite.py --durations tests/durations.json -- -n 2``
under the exclusive CPU lock. A test missing there (new, renamed) counts as a short one that
computes; bench_suite's report lists the long ones missing, the sign to measure again. The
order only changes when a test runs, never whether it runs or what it asserts.
"""

from __future__ import annotations

import collections
import json
from pathlib import Path
from typing import Any

import pytest
from xdist.scheduler import LoadScheduling

DURATIONS = Path(__file__).with_name("durations.json")

#: a test whose CPU is less than this share of its wall mostly waits
WAITS_BELOW = 0.4
#: what a test not in the durations file is taken to take: CPU and wall seconds
UNKNOWN = (0.02, 0.02)
#: tests each worker holds: the one running, the next (xdist's worker starts a test only
#: once it knows the one after it) and one more, so it never waits for the controller
HELD = 3


def read_durations(path: Path = DURATIONS) -> dict[str, tuple[float, float]]:
    """The measured CPU and wall seconds by test id ({} when the file is missing or bad)."""
    try:
        tests = json.loads(path.read_text(encoding="utf-8"))["tests"]
        return {name: (float(cpu), float(wall)) for name, (cpu, wall) in tests.items()}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


class Queues:
    """The tests not yet handed out, as two queues (waits, computes), each longest first."""

    def __init__(self, collection: list[str], durations: dict[str, tuple[float, float]]):
        self.wall: list[float] = []
        self.demand: list[float] = []  # the share of a core the test keeps busy (CPU / wall)
        self.module = [name.split("::")[0] for name in collection]
        waits, computes = [], []
        for index, name in enumerate(collection):
            cpu, wall = durations.get(name, UNKNOWN)
            wall = max(wall, cpu, 1e-3)
            self.wall.append(wall)
            self.demand.append(min(1.0, cpu / wall))
            (waits if cpu / wall < WAITS_BELOW else computes).append(index)
        # longest first; ties in collection order, so every run hands out the same way
        self.waits = sorted(waits, key=lambda index: (-self.wall[index], index))
        self.computes = sorted(computes, key=lambda index: (-self.wall[index], index))
        # the wall of each queue, and how much of it has been handed out
        self.total = [
            sum(self.wall[index] for index in queue) or 1.0 for queue in (waits, computes)
        ]
        self.given = [0.0, 0.0]
        self.left: collections.Counter[tuple[int, str]] = collections.Counter()
        for index in waits:
            self.left[0, self.module[index]] += 1
        for index in computes:
            self.left[1, self.module[index]] += 1

    def __len__(self) -> int:
        return len(self.waits) + len(self.computes)

    def take(self, modules: dict[int, str], others: set[str] = frozenset()) -> tuple[int, int]:
        """The next test for a worker, and its queue (0 waits, 1 computes): from the queue of
        which less has been handed out (as a share of its wall), so that the tests that wait
        and the tests that compute run side by side to the end; of the module of the
        worker's last test from that queue (``modules``) when the queue holds one, else the
        queue's longest."""
        waits_share = self.given[0] / self.total[0]
        computes_share = self.given[1] / self.total[1]
        kind = 1 if self.computes and (computes_share <= waits_share or not self.waits) else 0
        queue = self.computes if kind else self.waits
        module = modules.get(kind)
        if module is not None and self.left[kind, module]:
            position = next(at for at, index in enumerate(queue) if self.module[index] == module)
        else:  # the longest of a module no other worker is on, if any
            position = next(
                (at for at, index in enumerate(queue) if self.module[index] not in others), 0
            )
        index = queue.pop(position)
        self.left[kind, self.module[index]] -= 1
        self.given[kind] += self.wall[index]
        return index, kind

    def add(self, index: int) -> None:
        """A test handed back (its worker died): first in its queue."""
        kind = 0 if self.demand[index] < WAITS_BELOW else 1
        (self.computes if kind else self.waits).insert(0, index)
        self.left[kind, self.module[index]] += 1
        self.given[kind] -= self.wall[index]


class MeasuredScheduling(LoadScheduling):
    """xdist's load scheduling, the tests handed out one at a time by ``Queues``."""

    def __init__(self, config: pytest.Config, log: Any = None) -> None:
        super().__init__(config, log)
        self.durations = read_durations()
        self.queues: Queues | None = None
        self.last_module: dict[Any, dict[int, str]] = collections.defaultdict(dict)

    def schedule(self) -> None:
        assert self.collection_is_completed
        if self.collection is not None:  # a node added later: fill every node
            for node in self.nodes:
                self.check_schedule(node)
            return
        if not self._check_nodes_have_same_collection():
            self.log("**Different tests collected, aborting run**")
            return
        self.collection = next(iter(self.node2collection.values()))
        self.queues = Queues(self.collection, self.durations)
        self.pending[:] = range(len(self.collection))
        for _ in range(HELD):  # one at a time round the nodes: the longest go to different ones
            for node in self.nodes:
                if self.pending:
                    self._send_one(node)
        if not self.pending:
            for node in self.nodes:
                node.shutdown()

    def check_schedule(self, node: Any, duration: float = 0) -> None:
        if node.shutting_down:
            return
        if not self.pending:
            node.shutdown()
            return
        while self.pending and len(self.node2pending[node]) < HELD:
            self._send_one(node)

    def _send_one(self, node: Any) -> None:
        assert self.queues is not None
        if len(self.queues) != len(self.pending):  # .pending changed under us: rebuild
            self._resync()
        others = {
            module
            for other, modules in self.last_module.items()
            if other is not node
            for module in modules.values()
        }
        index, kind = self.queues.take(self.last_module[node], others)
        self.pending.remove(index)
        self.last_module[node][kind] = self.queues.module[index]
        self.node2pending[node].append(index)
        node.send_runtest_some([index])

    def _resync(self) -> None:
        assert self.queues is not None
        left = set(self.pending)
        for kind, queue in enumerate((self.queues.waits, self.queues.computes)):
            for index in queue:
                if index not in left:
                    self.queues.left[kind, self.queues.module[index]] -= 1
            queue[:] = [index for index in queue if index in left]
        known = set(self.queues.waits) | set(self.queues.computes)
        for index in self.pending:
            if index not in known:
                self.queues.add(index)
