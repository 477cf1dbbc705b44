"""A coroutine in a child process (asin_tui.child): result, messages, errors, cancellation and
a child that dies cross back to the caller as one answer, never a traceback or a hang."""

from __future__ import annotations

import asyncio
import os
import signal
import threading

import pytest

from asin_tui.child import ChildFailed, ChildLost, run_in_child
from asin_tui.spapi.errors import SpApiError
from tests import child_work


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


async def test_the_result_and_the_latest_messages_come_back_from_another_process():
    seen: list[tuple[int, int]] = []
    result, pid = await run_in_child(
        child_work.count_to, 5000, on_message=lambda v: seen.append((v, threading.get_ident()))
    )
    assert result == 5000 and pid != os.getpid()
    values = [v for v, _ in seen]
    assert values[-1] == 5000  # the latest one is never lost
    assert len(values) < 500 and values == sorted(values)  # coalesced, in order
    assert {t for _, t in seen} == {threading.get_ident()}  # delivered on the caller's loop
    assert gone(pid)


async def test_an_error_crosses_back_as_it_was_raised():
    with pytest.raises(SpApiError) as raised:
        await run_in_child(child_work.refuse)
    error = raised.value
    assert (error.operation, error.status, error.attempts) == ("getAccessToken", 400, 3)
    assert "invalid_grant" in str(error)


async def test_an_error_that_cannot_cross_comes_back_as_its_first_line():
    with pytest.raises(ChildFailed, match=r"^the disk is on fire$"):
        await run_in_child(child_work.fail_unpicklably)


async def test_a_killed_child_is_one_line_and_no_hang(tmp_path):
    pids: list[int] = []

    def started(value: int) -> None:
        os.kill(value, signal.SIGKILL)

    with pytest.raises(ChildLost, match=r"^its process was stopped by SIGKILL$"):
        await run_in_child(
            child_work.wait_forever, str(tmp_path / "m"), started=started, on_message=pids.append
        )


async def test_cancelling_the_caller_winds_the_child_down_then_ends_it(tmp_path):
    marker = tmp_path / "marker"
    pids: list[int] = []
    arrived = asyncio.Event()

    def message(pid: int) -> None:
        pids.append(pid)
        arrived.set()

    waiting = asyncio.ensure_future(
        run_in_child(child_work.wait_forever, str(marker), on_message=message)
    )
    await asyncio.wait_for(arrived.wait(), 30)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert marker.read_text() == "wound down"  # its finally ran before the child ended
    assert gone(pids[0])


async def test_a_child_that_does_not_wind_down_in_time_is_killed(tmp_path):
    pids: list[int] = []
    arrived = asyncio.Event()

    def message(pid: int) -> None:
        pids.append(pid)
        os.kill(pid, signal.SIGSTOP)  # it cannot answer the cancel
        arrived.set()

    waiting = asyncio.ensure_future(
        run_in_child(
            child_work.wait_forever, str(tmp_path / "m"), on_message=message, stop_timeout=0.5
        )
    )
    await asyncio.wait_for(arrived.wait(), 30)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert gone(pids[0]) and not (tmp_path / "m").exists()


@pytest.mark.parametrize(
    "stray",
    [
        pytest.param(b"\x00\x00\x00\x03abc", id="a frame that is not a pickle"),
        pytest.param(b"\x00\x00\x00\x05" + b"\x80\x05K\x05.", id="a pickle that is not an answer"),
        pytest.param(b"hello world\n", id="text: a frame of 1.7 GB"),
    ],
)
async def test_a_child_writing_something_else_to_its_stdout_is_one_line(
    tmp_path, monkeypatch, stray
):
    # a sitecustomize (or a .pth) that prints before main() points fd 1 elsewhere
    (tmp_path / "sitecustomize.py").write_text(f"import os; os.write(1, {stray!r})\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    with pytest.raises(ChildLost) as lost:
        await asyncio.wait_for(run_in_child(child_work.nothing), 60)
    assert str(lost.value) == "its process answered with something that is not an answer"


async def test_the_child_has_the_environment_it_is_given():
    seen = await run_in_child(child_work.environment, env={"ASIN_TUI_MARK": "kept"})
    assert seen.get("ASIN_TUI_MARK") == "kept" and "LWA_CLIENT_SECRET" not in seen
