"""The UI tests' wait for an app's workers (conftest.settle): a worker that a newer one of its
exclusive group cancelled has ended, and the wait goes on past it; a failure still fails."""

from __future__ import annotations

import asyncio

import pytest
from textual.app import App
from textual.worker import WorkerFailed, WorkerState

from tests.ui.conftest import settle, workers_done


async def test_a_save_cancelled_by_a_newer_one_ends_the_wait_and_the_newer_one_lands():
    """The wizard's saves: a save started while another waits cancels that one. Textual's
    ``workers.wait_for_complete()`` raised WorkerCancelled out of the tests' settle() here."""
    app = App()
    async with app.run_test() as pilot:
        gate = asyncio.Event()

        async def save(n: int) -> int:
            await gate.wait()
            return n

        older = app.run_worker(save(1), group="save", exclusive=True)
        waiting = asyncio.create_task(workers_done(app))
        await asyncio.sleep(0)  # the wait has begun, on the older save
        newer = app.run_worker(save(2), group="save", exclusive=True)
        gate.set()
        await asyncio.wait_for(waiting, 5)
        assert older.state is WorkerState.CANCELLED
        await settle(pilot)
        assert newer.state is WorkerState.SUCCESS and newer.result == 2


async def test_a_worker_that_failed_still_fails_the_wait():
    app = App()
    async with app.run_test():

        async def broken() -> None:
            raise ValueError("the save could not be written")

        app.run_worker(broken(), exit_on_error=False)
        with pytest.raises(WorkerFailed, match="could not be written"):
            await workers_done(app)
