"""The app on a terminal that is not UTF-8 (a Latin-1 or ASCII locale), and keys that are not
UTF-8: every line keeps its columns (what the encoding lacks is drawn as an ASCII look-alike of
the same width), nothing is written as ``\\uXXXX`` text, no C1 byte reaches the terminal, and a
byte typed that is not UTF-8 is read, never the end of the app."""

from __future__ import annotations

import codecs
import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from rich.cells import cell_len

from asin_tui.ui import terminal

ROOT = Path(__file__).resolve().parents[2]
C1 = re.compile(rb"[\x80-\x9f]")

#: What the screen draws: the app's own marks and arrows, Textual's boxes and scroll bars, and
#: text from Amazon (wide CJK, emoji, combining marks), as safe_text leaves it.
DRAWN = (
    "—→…·–←✖✓›⚠●▐▌•★◌○▲⏎↔↓↑“”✗✔◐◇▼⊘≥≠ℹ€⭘"
    + "".join(map(chr, range(0x2500, 0x25A0)))
    + "商品名 🙂 e\u0301 Ωmega ĕ ß é"
)


def app_characters() -> set[str]:
    """Every character outside ASCII in the app's UI and domain code (its words and marks)."""
    found: set[str] = set()
    for folder in ("asin_tui/ui", "asin_tui/domain"):
        for path in (ROOT / folder).rglob("*.py"):
            found |= {c for c in path.read_text(encoding="utf-8") if ord(c) > 127}
    return found


@pytest.mark.parametrize("encoding", ["latin-1", "ascii", "cp1252"])
def test_what_an_encoding_lacks_keeps_its_width_in_cells(encoding):
    with open(os.devnull, "w", encoding="utf-8") as utf8:
        terminal.install(utf8)  # registers the handler only
    for char in sorted(set(DRAWN) | app_characters()):
        written = char.encode(encoding, terminal.ERRORS)
        if encoding != "cp1252":  # (where 0x80-0x9F are letters: – is 0x96)
            assert not C1.search(written), (char, written)
        shown = written.decode(encoding)
        assert cell_len(shown) == cell_len(char), (char, shown)
        if shown != char:
            assert shown.isascii(), (char, shown)
    line = "┌─ Causes ─┐ ▲ 商品 …"
    assert line.encode("latin-1", terminal.ERRORS) == b"+- Causes -+ ^ ???? ."


def test_keys_that_are_not_utf8_are_read_not_raised():
    decode = terminal._decoder_factory("utf-8")().decode
    assert decode(b"/\xe9a") == "/\ufffda"  # Alt+i sent as the 8th bit; a Latin-1 é
    latin = terminal._decoder_factory("iso8859-1")().decode
    assert latin(b"/\xe9") == "/é"


def test_install_writes_look_alikes_only_where_the_terminal_is_not_utf8(tmp_path):
    with (
        open(tmp_path / "u", "w", encoding="utf-8") as utf8,
        open(tmp_path / "l", "w", encoding="latin-1") as latin,
    ):
        assert terminal.install(utf8) == "utf-8" and utf8.errors == "strict"
        assert terminal.install(latin) == "iso8859-1" and latin.errors == terminal.ERRORS
        latin.write("─é")
    assert (tmp_path / "l").read_bytes() == b"-\xe9"


class Pty:
    """A process on a pseudo-terminal of 100x30: what it wrote, what is typed to it."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.fd, child = pty.openpty()
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        self.process = subprocess.Popen(
            args, stdin=child, stdout=child, stderr=child, env=env, cwd=ROOT, close_fds=True
        )
        os.close(child)
        self.output = b""

    def read_until(self, wanted: bytes, seconds: float = 60.0, *, since: int = 0) -> bool:
        """Read until ``wanted`` has been written (after the first ``since`` bytes): True; or
        the process ended, or ``seconds`` passed: False."""
        deadline = time.monotonic() + seconds
        while wanted not in self.output[since:] and time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:  # the process ended: the terminal is gone
                    break
                if not chunk:
                    break
                self.output += chunk
        return wanted in self.output[since:]

    def type(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def close(self) -> int | None:
        """The exit status; None when it had not ended within 30 s (then it is killed)."""
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None
        finally:
            os.close(self.fd)


@pytest.mark.slow  # the real app in a real (pseudo-)terminal
def test_the_app_on_a_latin1_terminal_draws_in_columns_and_reads_a_latin1_key(synced_demo):
    env = {
        **os.environ,
        "TERM": "xterm",
        "PYTHONIOENCODING": "latin-1",  # the terminal's encoding, as a Latin-1 locale sets it
        "NO_COLOR": "1",
    }
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    app = Pty([sys.executable, "-m", "asin_tui", "--demo"], env)
    try:
        assert app.read_until(b"Needs attention"), app.output[-2000:]
        app.type(b"/")
        assert app.read_until(b"Clear filter")
        app.type(b"\xe9")  # é, as a Latin-1 terminal sends it
        assert app.read_until(b"No listing matches"), app.output[-3000:]
        mark = len(app.output)
        app.type(b"\r")  # the filter kept: the list's keys again
        assert app.read_until(b"Quit", since=mark)
        app.type(b"q")
        app.read_until(b"\x1b[?1049l")  # the screen handed back
    finally:
        code = app.close()
    out = app.output
    assert code == 0, out[-3000:]
    assert b"Traceback" not in out and b"internal error" not in out
    assert b"\\u" not in out  # no character written as its escape
    assert not C1.search(out)
    assert b"\xe9" in out  # the é typed, echoed in the filter as Latin-1
    codecs.decode(out, "latin-1")  # (every byte is Latin-1 text or a control sequence)


@pytest.mark.slow  # the real app in a real (pseudo-)terminal
def test_sigterm_ends_the_app_as_q_does_and_gives_the_terminal_back(synced_demo):
    # Python's default for SIGTERM (`kill PID`) ended the process at once: the terminal stayed
    # in the app's alternate screen with mouse reporting on and in raw mode
    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1"}
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    app = Pty([sys.executable, "-m", "asin_tui", "--demo"], env)
    try:
        assert app.read_until(b"Needs attention"), app.output[-2000:]
        mark = len(app.output)
        app.process.send_signal(signal.SIGTERM)
        app.read_until(b"\x1b[?1049l", since=mark)
    finally:
        code = app.close()
    assert code == 128 + signal.SIGTERM
    after = app.output[mark:]
    assert b"\x1b[?1049l" in after and b"\x1b[?1000l" in after  # screen and mouse given back
    assert b"Traceback" not in app.output and b"internal error" not in app.output


async def test_a_latin1_terminal_tells_arrow_keys_in_words_not_as_other_keys(tmp_path):
    # the help's "↓ Scroll down" was drawn "v Scroll down", and `v` is the cause view's key
    from asin_tui.ui.app import make_app
    from asin_tui.ui.screens.help import binding_rows
    from tests.ui.conftest import settle
    from tests.ui.fakes import FakeService, progress_of

    app = make_app(lambda: FakeService(), case_labels_loader=progress_of)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        try:
            with open(tmp_path / "l", "w", encoding="latin-1") as latin:
                terminal.install(latin)
            rows = binding_rows(app, app.screen.active_bindings.values())
        finally:
            with open(os.devnull, "w", encoding="utf-8") as utf8:
                terminal.install(utf8)
        shown = [keys.encode("latin-1", terminal.ERRORS).decode("latin-1") for _, keys, *_ in rows]
        assert len(shown) == len(rows)
        keys = [key for display in shown for key in display.split()]
        assert len(keys) == len(set(keys)), shown  # no key drawn like another one
        assert "down" in keys and "v" in keys
        with_utf8 = binding_rows(app, app.screen.active_bindings.values())
        assert any("↓" in keys for _, keys, *_ in with_utf8)  # a UTF-8 terminal: the arrows
