"""A question asked inside a command's asyncio loop (fix's and notifications setup's typed
confirmation): Ctrl-C, and SIGTERM where the command turns it into an interruption, end the
question at once. Under asyncio a signal only wakes the loop, which the question blocks: the
question went on, and the answer typed after the signal was taken (then the send it started
was cancelled at its first await)."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from asin_tui.commands._signals import (
    interruptible,
    question_interruptible,
    sigterm_interrupts,
)


def answers_after(number: int) -> list[bytes]:
    """What a question read after ``number`` arrived at it (the answer already typed)."""
    read, write = os.pipe()
    os.write(write, b"y")
    answered: list[bytes] = []

    async def ask() -> None:
        with question_interruptible():
            signal.raise_signal(number)  # at the question
            answered.append(os.read(read, 1))
        await asyncio.sleep(0)

    try:
        with pytest.raises(KeyboardInterrupt), sigterm_interrupts():
            asyncio.run(interruptible(ask()))
    finally:
        os.close(read)
        os.close(write)
    return answered


@pytest.fixture
def foreground_sigint():
    """SIGINT as a command run in the foreground has it (Python's default handler). A test
    process started in the background (``pytest &``, a script, some CI runners) inherits
    SIGINT ignored, which question_interruptible rightly leaves alone; whether an earlier test
    in the same worker had set a handler decided whether this test passed."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_at_a_question_in_the_loop_ends_it_before_the_answer_is_taken(
    number, foreground_sigint
):
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        pytest.skip("SIGTERM is handled by whoever runs the tests")
    assert answers_after(number) == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # all put back
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
