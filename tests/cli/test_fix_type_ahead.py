"""`fix --apply` at a terminal: keys typed while the batch is validated (a "yes" typed
ahead) are thrown away before the question is asked, so they can never answer it."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from asin_tui.domain import codes
from tests.cli.test_fix import demo_skus, journal_skus  # noqa: F401 (a fixture)
from tests.conftest import ROOT

QUESTION = b"Type yes to send them"


def read_until(fd: int, wanted: bytes, process: subprocess.Popen, seconds: float) -> bytes:
    """What the terminal showed, read until ``wanted`` appears (or the process ends)."""
    seen = b""
    deadline = time.monotonic() + seconds
    while wanted not in seen:
        assert time.monotonic() < deadline, seen.decode(errors="replace")
        ready, _, _ = select.select([fd], [], [], 1.0)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the terminal closed: the process ended
            break
        if not chunk:
            break
        seen += chunk
    return seen


@contextlib.contextmanager
def fix_on_terminal(
    path: Path, *options: str, stdout: IO[str] | None = None
) -> Iterator[tuple[int, subprocess.Popen]]:
    """A real ``fix --demo PATH --apply OPTIONS`` on a pseudo-terminal (its stdout there too,
    or to ``stdout``): (the terminal's other end, the process); killed if the block fails,
    never left running."""
    main, terminal = pty.openpty()
    argv = [sys.executable, "-m", "asin_tui", "fix", "--demo", str(path), "--apply", *options]
    out = terminal if stdout is None else stdout
    with subprocess.Popen(argv, cwd=ROOT, stdin=terminal, stdout=out, stderr=terminal) as process:
        os.close(terminal)
        try:
            yield main, process
        except BaseException:
            process.kill()
            raise
        finally:
            os.close(main)


@pytest.mark.slow  # a real `fix --demo --apply` process on a pseudo-terminal
def test_yes_typed_during_validation_does_not_answer_the_confirmation(tmp_path, demo_skus):  # noqa: F811
    sku = demo_skus[codes.OUT_OF_STOCK_MFN][0]
    path = tmp_path / "fix.csv"
    path.write_text(f"sku,quantity\n{sku},8\n", encoding="utf-8")
    with fix_on_terminal(path) as (main, process):
        os.write(main, b"yes\n")  # typed ahead: before the question, while it validates
        shown = read_until(main, QUESTION, process, 60)
        assert QUESTION in shown
        os.write(main, b"\x04")  # ctrl+d: no answer
        shown += read_until(main, b"nothing was sent", process, 60)
        process.wait(timeout=60)
    assert "nothing was sent" in shown.decode(errors="replace")
    assert process.returncode != 0
    assert journal_skus() == []
