"""The workers' scheduler (tests/schedule.py): every test once, the long ones first, the tests
that wait handed out beside the tests that compute, a module kept on one worker."""

from __future__ import annotations

import json

from tests.schedule import Queues, read_durations

#: each in a module of its own: the order is the queues' alone
APART = {
    "tests/a.py::short": (0.05, 0.06),
    "tests/b.py::long_wait": (1.0, 10.0),
    "tests/c.py::compute": (2.0, 2.0),
    "tests/d.py::wait": (0.5, 5.0),
    "tests/e.py::long_compute": (4.0, 4.5),
    "tests/f.py::wait": (0.5, 5.0),
}


def hand_out(collection: list[str], durations: dict[str, tuple[float, float]]) -> list[str]:
    """The order one worker gets the tests in."""
    queues = Queues(collection, durations)
    last: dict[int, str] = {}
    order = []
    while len(queues):
        index, kind = queues.take(last)
        last[kind] = queues.module[index]
        order.append(collection[index])
    return order


def test_every_test_is_handed_out_once_the_longest_of_each_kind_first():
    collection = [*APART, "tests/g.py::new"]
    order = hand_out(collection, APART)
    assert sorted(order) == sorted(collection)
    # each kind starts with its longest: the one computing 4 s, the one that waits 10 s
    assert order[:2] == ["tests/e.py::long_compute", "tests/b.py::long_wait"]
    assert order.index("tests/c.py::compute") < order.index("tests/a.py::short")
    # a test the file does not know (new) counts as a short one that computes: the last
    assert order[-1] == "tests/g.py::new"


def test_the_two_kinds_are_handed_out_side_by_side_not_one_after_the_other():
    order = hand_out(list(APART), APART)
    kinds = ["w" if "wait" in name else "c" for name in order]
    # by the share handed out of each kind's wall (6.6 s computing, 20 s waiting): not all
    # of one kind, then all of the other
    assert kinds == ["c", "w", "w", "c", "w", "c"]


def test_a_worker_keeps_to_its_module_and_another_worker_takes_another_module():
    durations = {
        "tests/a.py::first": (3.0, 3.0),
        "tests/a.py::second": (0.1, 0.1),
        "tests/b.py::longer": (2.0, 2.0),
        "tests/c.py::shorter": (1.0, 1.0),
    }
    collection = list(durations)
    queues = Queues(collection, durations)
    index, kind = queues.take({})
    assert collection[index] == "tests/a.py::first"
    # the next for that worker is a.py's short one, before b.py's longer one
    index, _ = queues.take({kind: "tests/a.py"})
    assert collection[index] == "tests/a.py::second"
    # a worker new to the queue, with b.py taken by another worker, gets c.py's
    index, _ = queues.take({}, {"tests/b.py"})
    assert collection[index] == "tests/c.py::shorter"


def test_the_durations_file_is_read_and_a_missing_or_bad_one_is_no_durations(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"about": "x", "tests": {"tests/a.py::t": [0.1, 0.2]}}))
    assert read_durations(good) == {"tests/a.py::t": (0.1, 0.2)}
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert read_durations(bad) == {}
    assert read_durations(tmp_path / "missing.json") == {}
