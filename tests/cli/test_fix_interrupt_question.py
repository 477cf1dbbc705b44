"""`fix --apply` at a terminal, Ctrl-C or SIGTERM at its confirmation question: it ends at
once, "interrupted; nothing was sent", 130. With its stdout to a file, the question is on the
terminal and the file holds the data only. The question runs inside the command's asyncio
loop, where a signal only wakes the loop, which the question blocks: the signal was
swallowed, the question went on waiting, and the answer typed after it started the send."""

from __future__ import annotations

import json
import os
import signal

import pytest

from asin_tui.domain import codes
from tests.cli.test_fix import demo_skus, journal_skus  # noqa: F401 (a fixture)
from tests.cli.test_fix_type_ahead import QUESTION, fix_on_terminal, read_until


@pytest.mark.slow  # a real `fix --demo --apply` process on a pseudo-terminal
@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_at_the_question_ends_fix_at_once_and_sends_nothing(tmp_path, demo_skus, number):  # noqa: F811
    sku = demo_skus[codes.OUT_OF_STOCK_MFN][0]
    path = tmp_path / "fix.csv"
    path.write_text(f"sku,quantity\n{sku},8\n", encoding="utf-8")
    with fix_on_terminal(path) as (main, process):
        shown = read_until(main, QUESTION, process, 60)
        assert QUESTION in shown
        process.send_signal(number)
        shown += read_until(main, b"nothing was sent", process, 10)
        process.wait(timeout=10)  # it ends by itself: no answer typed
    assert "asin-tui: interrupted; nothing was sent" in shown.decode(errors="replace")
    assert process.returncode == 130
    assert journal_skus() == []


@pytest.mark.slow  # a real `fix --demo --apply` process on a pseudo-terminal
def test_with_stdout_to_a_file_the_question_is_on_the_terminal_and_the_file_is_data(
    tmp_path,
    demo_skus,  # noqa: F811
):
    """`fix --apply --format json > out.json` at a terminal: input() wrote its question on
    stdout, so the terminal showed none and the file began "Type yes to send them: [{…"."""
    sku = demo_skus[codes.OUT_OF_STOCK_MFN][0]
    path = tmp_path / "fix.csv"
    path.write_text(f"sku,quantity\n{sku},8\n", encoding="utf-8")
    data = tmp_path / "out.json"
    with (
        data.open("w") as out,
        fix_on_terminal(path, "--format", "json", stdout=out) as (
            main,
            process,
        ),
    ):
        shown = read_until(main, QUESTION, process, 60)
        assert QUESTION in shown
        os.write(main, b"\x04")  # ctrl+d: no answer
        process.wait(timeout=60)
    assert process.returncode == 1
    assert json.loads(data.read_text())[0]["sku"] == sku
    assert journal_skus() == []
