"""The terminal the app runs in, when it is not the UTF-8 terminal Textual assumes.

Textual (8.x) reads the keyboard as UTF-8, strictly: one byte that is not UTF-8 — é typed on
a Latin-1 terminal, Alt+key on a terminal that sends it as the 8th bit, a paste of Latin-1
text — raised UnicodeDecodeError in its input thread, and the app ended with a traceback and
exit status 0. It writes the screen through ``sys.__stderr__`` in the locale's encoding, with
``backslashreplace``: on a Latin-1 (or ASCII) terminal every box line, arrow and mark became
``\\u2500`` text six cells wide, and the whole screen slid apart.

:func:`install` (the ``tui`` command calls it before the app runs) makes both follow the
terminal's encoding (Python's own choice for the stream: UTF-8 under a C locale):

* keys are decoded in it, a byte it cannot read becomes U+FFFD (never an exception);
* what the screen draws that the encoding lacks is written as an ASCII look-alike of the
  same width in cells (``ERRORS``, :func:`lookalike`): ``─`` ``-``, ``│`` ``|``, a corner
  ``+``, ``▲`` ``^``, ``…`` ``.``, any other ``?`` (a wide character ``??``, a zero-width
  one nothing), so every line keeps its columns. Characters the encoding has (é, ·) are
  written as they are; text from Amazon is made inert before it is drawn (ui/safe_text.py),
  so no C1 control reaches an 8-bit terminal.
"""

from __future__ import annotations

import codecs
import functools
import io
import sys
from typing import TextIO

from rich.cells import get_character_cell_size

#: The codec error handler that writes look-alikes (registered by :func:`install`).
ERRORS = "asin-tui-cells"

_LOOKALIKES = {
    **dict.fromkeys("─━┄┅┈┉╌╍═╴╶╸╺╼╾▔▁—–‒―−", "-"),
    **dict.fromkeys("│┃┆┇┊┋╎╏║╵╷╹╻╽╿▏▕▎▍▌▋▊▉▐", "|"),
    **dict.fromkeys("▲△▴▵↑⬆", "^"),
    **dict.fromkeys("▼▽▾▿↓⬇", "v"),
    **dict.fromkeys("◀◁◂◃←⬅‹", "<"),
    **dict.fromkeys("▶▷▸▹→➡›", ">"),
    **dict.fromkeys("‘’‚′", "'"),
    **dict.fromkeys("“”„″", '"'),
    **dict.fromkeys("✖✗✘×", "x"),
    **dict.fromkeys("✓✔", "v"),
    **dict.fromkeys("•●◆★", "*"),
    **dict.fromkeys("○◇⭘☆", "o"),
    "◌": ".",
    "◐": "~",
    "◑": "~",
    "⊘": "/",
    "…": ".",
    "↔": "-",
    "⏎": "<",
    "⚠": "!",
    "ℹ": "i",
    "≥": ">",
    "≤": "<",
    "≠": "#",
    "€": "E",
    "\u00a0": " ",
}


#: Keys Textual shows as a symbol, in words where the terminal lacks the symbol: a look-alike
#: would read as another key (``↓`` as ``v``, the cause view's key; ``⏎`` as ``<``).
_KEY_WORDS = {"↑": "up", "↓": "down", "←": "left", "→": "right", "⏎": "enter", "⌫": "backspace"}
#: the terminal's encoding, as :func:`install` found it
_encoding = "utf-8"


def key_display(display: str) -> str:
    """A key as the help, the footer and the palette show it (Textual's ``get_key_display``),
    with a symbol the terminal cannot draw told in words (``down``, ``^up``)."""
    if _encoding == "utf-8" or display.isascii():
        return display
    try:
        display.encode(_encoding)
    except UnicodeEncodeError:
        return "".join(_KEY_WORDS.get(char, char) for char in display)
    return display


def lookalike(char: str) -> str:
    """``char`` as ASCII of the same width in cells (what a terminal without it shows)."""
    width = get_character_cell_size(char)
    if width <= 0:
        return ""
    code = ord(char)
    if char in _LOOKALIKES:
        mapped = _LOOKALIKES[char]
    elif 0x2500 <= code <= 0x257F:  # box drawing: corners, tees and crosses
        mapped = "+"
    elif 0x2580 <= code <= 0x259F:  # blocks (scroll bars)
        mapped = "#"
    else:
        mapped = "?"
    return mapped * width


def _cells(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    return "".join(lookalike(char) for char in text), error.end


def _decoder_factory(encoding: str, _asked: str = "utf-8") -> functools.partial:
    """What Textual's driver calls ``getincrementaldecoder("utf-8")`` for: a decoder of the
    terminal's ``encoding`` that never raises (a byte it cannot read: U+FFFD)."""
    return functools.partial(codecs.getincrementaldecoder(encoding), errors="replace")


def install(stream: TextIO | None = None) -> str:
    """Read keys and write the screen in the encoding of ``stream`` (the terminal Textual
    draws on: ``sys.__stderr__``); returns that encoding's name."""
    stream = stream if stream is not None else sys.__stderr__
    global _encoding
    encoding = codecs.lookup(getattr(stream, "encoding", None) or "utf-8").name
    _encoding = encoding
    codecs.register_error(ERRORS, _cells)
    if encoding != "utf-8" and isinstance(stream, io.TextIOWrapper):
        stream.reconfigure(errors=ERRORS)
    from textual.drivers import linux_driver

    linux_driver.getincrementaldecoder = functools.partial(_decoder_factory, encoding)
    return encoding
