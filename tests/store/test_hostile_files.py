"""Files asin-tui reads that a person (or an attacker) made: the config, the wizard progress
and the demo account's state nested deeper than Python can parse, of the wrong types, or not
files at all (a FIFO would block a read forever). Each is one clear message, nothing lost."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from asin_tui.sandbox.account import SandboxAccount
from asin_tui.sandbox.transport import demo_account_path, demo_app
from asin_tui.store import paths
from asin_tui.store.atomic import NotRegularFile, json_nesting, read_regular_file
from asin_tui.store.cases import CaseStore
from asin_tui.store.config import ConfigError, load_config
from tests.conftest import ROOT

US = "ATVPDKIKX0DER"
DEEP_TOML = "a = " + "[" * 5000 + "]" * 5000 + "\n"
DEEP_INLINE_TOML = "a = " + "{b = " * 3000 + "1" + "}" * 3000 + "\n"
DEEP_JSON = "[" * 5000 + "]" * 5000


def fifo(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path, 0o600)
    return path


def run_cli(*argv: str, timeout: float = 30) -> subprocess.CompletedProcess:
    """The real command in a fresh interpreter (a hang fails the test by its timeout)."""
    return subprocess.run(
        [sys.executable, "-m", "asin_tui", *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=os.environ.copy(),
    )


# ----------------------------------------------------------------------------- reading


def test_read_regular_file_refuses_what_is_not_a_file_without_blocking(tmp_path):
    (tmp_path / "plain").write_bytes(b"ok")
    (tmp_path / "link").symlink_to(tmp_path / "plain")
    assert read_regular_file(tmp_path / "plain") == b"ok"
    assert read_regular_file(tmp_path / "link") == b"ok"
    with pytest.raises(NotRegularFile, match="named pipe"):
        read_regular_file(fifo(tmp_path / "pipe"))
    with pytest.raises(NotRegularFile, match="character device"):
        read_regular_file("/dev/zero")
    with pytest.raises(NotRegularFile, match="folder"):
        read_regular_file(tmp_path)
    with pytest.raises(FileNotFoundError):
        read_regular_file(tmp_path / "none")


def test_json_nesting_is_counted_without_recursion():
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert json_nesting(deep, 64) == 65  # stops looking past the limit
    assert json_nesting({"a": [1, {"b": []}]}, 64) == 4
    assert json_nesting("text", 64) == 0


# ----------------------------------------------------------------------------- config


def write_config(text: str):
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize("text", [DEEP_TOML, DEEP_INLINE_TOML], ids=["arrays", "tables"])
def test_a_deeply_nested_config_is_one_line_naming_the_file(text):
    write_config(text)
    with pytest.raises(ConfigError) as raised:
        load_config()
    assert str(raised.value).endswith(
        "config.toml: invalid TOML: arrays or tables nested too deeply"
    )
    result = run_cli("config", "show")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "config.toml: invalid TOML: arrays or tables nested too deeply" in result.stderr


def test_a_fifo_as_config_is_refused_at_once():
    fifo(paths.config_file())
    with pytest.raises(ConfigError, match="cannot read: not a regular file: a named pipe"):
        load_config()
    for argv in (("config", "show"), ("report", "--cached"), ("progress",)):
        result = run_cli(*argv)
        assert result.returncode == 2, argv
        assert result.stderr.endswith("cannot read: not a regular file: a named pipe (FIFO)\n")
        assert result.stderr.count("\n") == 1


def test_a_huge_config_is_one_line_and_never_read_whole(capsys):
    # a log or a disk image named as the config was read whole into memory, then parsed (200 MB:
    # 8.5 s, 415 MB RSS); a config holds a few hundred bytes a profile
    path = write_config("# a comment line of forty characters...\n" * 30_000)  # 1.2 MB of TOML
    with pytest.raises(ConfigError) as raised:
        load_config()
    assert str(raised.value).endswith("config.toml: cannot read: larger than 1 MB")
    from asin_tui.cli import main

    assert main(["config", "add-profile", "x", "--seller-id", "A1", "--marketplace", "US"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.endswith("config.toml: cannot read: larger than 1 MB\n")
    assert path.stat().st_size == 1_200_000  # left as it was


# ----------------------------------------------------------------------------- progress


def progress_store(**options) -> CaseStore:
    return CaseStore("main", US, **options)


def patches_nested(depth: int) -> str:
    value = json.dumps([{"value": json.loads("[" * depth + "]" * depth)}])
    return (
        "schema_version = 1\n[skus.A]\ncurrent_step = 'apply'\noutcome = 'open'\n"
        "started_at = 2025-05-01T09:00:00Z\nupdated_at = 2025-05-01T09:00:00Z\n"
        "[[skus.A.patches]]\nsubmitted_at = 2025-05-01T09:00:00Z\nmode = 'REAL'\n"
        f"status = 'ACCEPTED'\nissues = '[]'\npatches = '{value}'\n"
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (DEEP_TOML, "not valid TOML: arrays or tables nested too deeply"),
        (DEEP_INLINE_TOML, "not valid TOML: arrays or tables nested too deeply"),
        (patches_nested(900), 'skus."A".patches[0].patches: JSON nested too deeply'),
    ],
    ids=["arrays", "tables", "patch-json"],
)
def test_a_deeply_nested_progress_file_is_set_aside_with_a_message(content, reason):
    store = progress_store()
    store.legacy_path.parent.mkdir(parents=True)
    store.legacy_path.write_text(content)
    assert store.load() == {}
    (warning,) = store.take_warnings()
    assert reason in str(warning)
    assert warning.moved_to.read_text() == content  # kept as it was
    store.update("B", lambda p: None)
    assert list(progress_store().load()) == ["B"]


def test_an_oversized_progress_file_is_set_aside_unread_in_one_line():
    # it was read whole and parsed, however large (the config file is capped at 1 MB)
    from asin_tui.store.cases import MAX_LEGACY_BYTES

    store = progress_store()
    store.legacy_path.parent.mkdir(parents=True)
    with store.legacy_path.open("wb") as handle:  # sparse: no disk used
        handle.truncate(MAX_LEGACY_BYTES + 1)
    assert store.load() == {}
    (warning,) = store.take_warnings()
    assert "could not be used (larger than 64 MB); it was kept as" in str(warning)
    assert "\n" not in str(warning)
    assert warning.moved_to.stat().st_size == MAX_LEGACY_BYTES + 1  # kept as it was
    store.update("B", lambda p: None)
    assert list(progress_store().load()) == ["B"]


def test_a_fifo_as_progress_file_is_set_aside_and_progress_saved_anew():
    store = progress_store()
    fifo(store.path)
    store.update("B", lambda p: None)  # would block forever reading the pipe
    (warning,) = store.take_warnings()
    assert "could not be used (not a regular file: a named pipe (FIFO))" in str(warning)
    assert stat.S_ISFIFO(warning.moved_to.lstat().st_mode)
    assert list(progress_store().load()) == ["B"]


def test_progress_command_reports_a_fifo_and_leaves_it():
    path = fifo(progress_store().path.with_name("demo-ATVPDKIKX0DER.toml"))
    result = run_cli("progress", "--demo")
    assert result.returncode == 0
    assert "could not be used (not a regular file: a named pipe (FIFO)); it was left" in (
        result.stderr
    )
    assert stat.S_ISFIFO(path.lstat().st_mode)


# ----------------------------------------------------------------------------- demo state


def journal_with(change) -> str:
    return json.dumps(
        {"format": "asin-tui-sandbox-journal", "version": 1, "params": {}, "changes": [change]}
    )


GOOD_CHANGE = {"id": "x", "sku": "SKU", "at": "2025-05-01T09:00:00+00:00", "body": {}}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (DEEP_JSON, "is not usable JSON (nested too deeply)"),
        (
            journal_with({**GOOD_CHANGE, "sku": [1, 2]}),
            "malformed change (#1: sku is not a string)",
        ),
        (journal_with({**GOOD_CHANGE, "at": 5}), "(#1: at is not a date-time string)"),
        (journal_with({**GOOD_CHANGE, "body": [1]}), "(#1: body is not an object)"),
        (journal_with({**GOOD_CHANGE, "id": {}}), "(#1: id is not a string)"),
        (journal_with("change"), "(#1: not an object)"),
        (journal_with({"id": "x", "sku": "S", "body": {}}), "(#1: at is missing)"),
        (
            journal_with({**GOOD_CHANGE, "body": {"patches": json.loads(DEEP_JSON[4200:-4200])}}),
            "(#1: body is nested too deeply)",
        ),
    ],
    ids=[
        "deep",
        "sku-list",
        "at-number",
        "body-list",
        "id-object",
        "not-object",
        "no-at",
        "deep-body",
    ],
)
def test_an_unusable_demo_state_is_set_aside_and_the_demo_opens(tmp_path, content, problem):
    path = tmp_path / "demo.json"
    path.write_text(content)
    account = SandboxAccount.load_or_create(path)
    (notice,) = account.notices
    assert problem in notice and "moved it to demo.json.corrupt-" in notice
    (aside,) = tmp_path.glob("demo.json.corrupt-*")
    assert aside.read_text() == content  # nothing lost
    assert account.search() == SandboxAccount().search()


@pytest.mark.slow  # a real `report --demo` process syncing the demo
def test_a_fifo_as_demo_state_is_set_aside_and_the_demo_report_runs():
    path = fifo(demo_account_path())
    app = demo_app()
    (notice,) = app.account.notices
    assert "cannot be read (not a regular file: a named pipe (FIFO))" in notice
    assert not path.exists()
    fifo(path)
    result = run_cli("report", "--demo", "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    assert "cannot be read (not a regular file: a named pipe (FIFO))" in result.stderr
    assert json.loads(result.stdout)["listings"]


def test_a_fifo_as_the_listing_cache_is_refused_in_one_line():
    fifo(paths.cache_dir() / "demo-ATVPDKIKX0DER.sqlite3")
    result = run_cli("report", "--demo", "--format", "json")
    assert result.returncode == 2
    assert result.stderr.endswith("is not a regular file; move it away\n")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("target_exists", [True, False], ids=["to-a-file", "to-nothing"])
def test_a_symlink_as_progress_file_is_never_written_through(tmp_path, target_exists):
    """progress/<profile>.sqlite replaced by a symbolic link (to a file elsewhere, or to
    nothing): SQLite followed it, writing the seller's progress outside the private folder
    (a link to nothing: a new file there, mode 0644 by the umask). The link is set aside as
    a FIFO is, with its one line; the progress goes to a new private file in the folder, and
    what the link pointed at is left as it was (its records read back, read only)."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / paths.case_file("main", US).name
    if target_exists:
        outside = progress_store(dir=elsewhere)
        outside.update("A", lambda p: None)
        outside.close()
    before = target.read_bytes() if target_exists else None
    store = progress_store()
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.symlink_to(target)
    store.update("B", lambda p: None)
    (warning,) = store.take_warnings()
    assert "could not be used (not a regular file: a symbolic link)" in str(warning)
    assert warning.moved_to.is_symlink()
    assert not store.path.is_symlink() and stat.S_IMODE(store.path.stat().st_mode) == 0o600
    # what the linked file held is read back (read only), so no progress is lost
    assert list(progress_store().load()) == (["A", "B"] if target_exists else ["B"])
    if target_exists:
        assert target.read_bytes() == before
    else:
        assert not target.exists()


@pytest.mark.parametrize("target_exists", [True, False], ids=["to-a-file", "to-nothing"])
def test_a_symlink_as_the_listing_cache_is_refused_never_written_through(tmp_path, target_exists):
    from asin_tui.store.cache import CacheError, connect_cache

    target = tmp_path / "elsewhere.sqlite3"
    if target_exists:
        target.write_bytes(b"")
    path = paths.cache_dir() / "demo-ATVPDKIKX0DER.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    with pytest.raises(CacheError, match="is not a regular file; move it away"):
        connect_cache(path)
    assert target.exists() is target_exists and (not target_exists or target.read_bytes() == b"")
    assert path.is_symlink()  # left where it is: the seller's own link
