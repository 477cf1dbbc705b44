"""Atomic, private writes: a crash between writing and renaming never damages saved progress."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from asin_tui.store.atomic import atomic_write_text, ensure_private_dir
from asin_tui.store.cases import CaseStore


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_writes_replaces_and_is_private(tmp_path):
    target = tmp_path / "state.toml"
    atomic_write_text(target, "one = 1\n")
    atomic_write_text(target, "two = 2 ✓\n")
    assert target.read_text(encoding="utf-8") == "two = 2 ✓\n"
    assert mode_of(target) == 0o600
    assert leftovers(tmp_path) == []


def test_mode_is_set_at_creation(tmp_path):
    old_umask = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "shared.txt", "x", mode=0o644)
    finally:
        os.umask(old_umask)
    assert mode_of(tmp_path / "shared.txt") == 0o644


def test_a_failed_rename_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "state.toml"
    target.write_text("old\n")

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(target, "new\n")
    assert target.read_text() == "old\n"
    assert leftovers(tmp_path) == []


def test_no_overwrite_keeps_an_existing_file(tmp_path):
    target = tmp_path / "config.toml"
    atomic_write_text(target, "first\n", overwrite=False)
    with pytest.raises(FileExistsError):
        atomic_write_text(target, "second\n", overwrite=False)
    assert target.read_text() == "first\n"
    assert mode_of(target) == 0o600
    assert leftovers(tmp_path) == []


def test_private_dirs_are_0700_and_existing_ones_untouched(tmp_path):
    tmp_path.chmod(0o755)
    made = ensure_private_dir(tmp_path / "a" / "b")
    assert made.is_dir()
    assert mode_of(tmp_path / "a") == mode_of(made) == 0o700
    assert mode_of(tmp_path) == 0o755
    assert ensure_private_dir(made) == made


KILL_BEFORE_THE_COMMIT = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from asin_tui.store import cases

    put = cases._put

    def put_then_die(conn, table, case):  # the row is written: die before the commit
        put(conn, table, case)
        os.kill(os.getpid(), signal.SIGKILL)

    cases._put = put_then_die
    cases.CaseStore("main", "ATVPDKIKX0DER", Path(sys.argv[1])).update(
        "NEW-SKU", lambda progress: None
    )
    """
)


def test_progress_survives_a_kill_in_the_middle_of_a_save(tmp_path):
    """A crash, a kill or a lost SSH session while a save is under way: the saves before it
    are kept whole, the one cut short is not half there, and the next save goes through."""
    store = CaseStore("main", "ATVPDKIKX0DER", tmp_path)
    store.update("OLD-SKU", lambda progress: None)
    before = store.load()

    killed = subprocess.run(
        [sys.executable, "-c", KILL_BEFORE_THE_COMMIT, str(tmp_path)],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    fresh = CaseStore("main", "ATVPDKIKX0DER", tmp_path)
    assert fresh.load() == before
    assert fresh.take_warnings() == []
    fresh.update("NEXT-SKU", lambda progress: None)
    assert list(CaseStore("main", "ATVPDKIKX0DER", tmp_path).load()) == ["NEXT-SKU", "OLD-SKU"]
    assert leftovers(tmp_path) == []
