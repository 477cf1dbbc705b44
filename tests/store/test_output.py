"""store.atomic.write_output: where `report --output` and the TUI export write. A regular file
or a new name is replaced atomically; a symlink is followed (the link stays a link); a device
or FIFO is written directly (the node stays); a folder is refused."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from asin_tui.store.atomic import write_output
from tests.conftest import file_link_and_fifo


def test_a_new_name_and_a_regular_file_are_written_atomically(tmp_path):
    target = tmp_path / "out.json"
    assert write_output(target, "one\n", 0o644) == target
    write_output(target, "two\n", 0o644)
    assert target.read_text() == "two\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(tmp_path.iterdir()) == [target]  # no temporary file left


def test_a_symlink_is_followed_and_stays_a_link(tmp_path):
    real = tmp_path / "real" / "report.json"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert write_output(link, "new\n", 0o644) == real
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new\n"


def test_a_fifo_is_written_directly_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(Path(fifo).read_bytes()))
    reader.start()
    write_output(fifo, "through the pipe\n")
    reader.join(timeout=10)
    assert received == [b"through the pipe\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.skipif(not Path("/dev/full").is_char_device(), reason="no /dev/full here")
def test_dev_full_is_written_directly_and_its_error_raised():
    with pytest.raises(OSError) as raised:
        write_output(Path("/dev/full"), "x" * 100_000)
    assert raised.value.errno == 28  # ENOSPC
    assert Path("/dev/full").is_char_device()


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(IsADirectoryError):
        write_output(tmp_path, "x")


def test_without_overwrite_nothing_existing_is_replaced(tmp_path):
    existing, link, fifo = file_link_and_fifo(tmp_path, "mine\n")
    for path in (existing, link, fifo):
        with pytest.raises(FileExistsError):
            write_output(path, "theirs\n", overwrite=False)
    assert existing.read_text() == "mine\n" and link.is_symlink()
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    fresh = tmp_path / "new.csv"
    write_output(fresh, "new\n", overwrite=False)
    assert fresh.read_text() == "new\n"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        # an 8-bit terminal: 'ě' as UTF-8 is C4 9B, and 0x9B is CSI there; é is its own byte
        ("ISO-8859-1", b"caf\xe9 \\u011b \\u2603 \\x9b[2J\n"),
        ("UTF-8", "café ě ☃ \\x9b[2J\n".encode()),
    ],
)
def test_a_terminal_gets_its_locales_encoding_and_no_raw_control(monkeypatch, encoding, expected):
    import locale
    import tty

    monkeypatch.setattr(locale, "getpreferredencoding", lambda do_setlocale=True: encoding)
    master, slave = os.openpty()
    try:
        tty.setraw(slave)  # the bytes as written (no CR added before LF)
        write_output(Path(os.ttyname(slave)), ["café ě ☃ ", "\x9b[2J\n".encode()])
        assert os.read(master, 1000) == expected
    finally:
        os.close(master)
        os.close(slave)


def test_a_file_and_a_pipe_keep_utf8_whatever_the_locale(tmp_path, monkeypatch):
    import locale

    monkeypatch.setattr(locale, "getpreferredencoding", lambda do_setlocale=True: "ISO-8859-1")
    target = tmp_path / "out.csv"
    write_output(target, "ě\n")
    assert target.read_bytes() == "ě\n".encode()


def test_asin_tuis_own_files_are_never_written_over(tmp_path):
    """`report --output config.toml` typed in the config folder, an export named after the
    progress or cache file (or a link to one): the report replaced it — the credentials, the
    progress or the history gone. Such a file is refused (report and the export say the
    error's words in their one line) and left as it was; a new name there is still written."""
    from asin_tui.store import paths

    config = paths.config_file()
    progress = paths.case_file("main", "ATVPDKIKX0DER")
    cache = paths.cache_dir() / "main-ATVPDKIKX0DER.sqlite3"
    link = tmp_path / "innocent.csv"
    link.symlink_to(config)
    for own in (config, progress, cache):
        own.parent.mkdir(parents=True, exist_ok=True)
        own.write_text("mine\n")
    for target in (config, progress, cache, link):
        with pytest.raises(PermissionError, match="one of asin-tui's own files"):
            write_output(target, "report\n", overwrite=True)
    assert all(own.read_text() == "mine\n" for own in (config, progress, cache))
    write_output(paths.config_dir() / "new-report.csv", "report\n")  # a new name is fine
