"""Terminal-safe text: the ONE sanitiser for every string that comes from outside.

Listing data is written by sellers, by competitors editing shared catalog pages and by whoever
typed an issue message, so a title, SKU, issue message, attribute value or Amazon error text can
hold terminal control sequences (``ESC[2J`` clears the screen, ``ESC]52;c;…BEL`` writes the
clipboard, ``ESC]0;…BEL`` renames the window, a sequence cut mid-way swallows what follows), C1
controls (``\\x9b`` is a one-byte CSI on many terminals) or bidi overrides (U+202E makes text
read backwards, hiding what it says). None of these may reach a terminal.

:func:`visible` turns every such character into a *visible* escape, written the way Python
writes it — ``\\x1b``, ``\\x9b``, ``\\u202e``, ``\\U000e0041`` — so the seller sees that the data
holds it and nothing is emitted. The printable text is unchanged, so ``[Military Grade]`` stays
``[Military Grade]`` (markup is the UI's business: see ``asin_tui/ui/safe_text.py``).

What is shown as an escape:

* C0 controls (U+0000–U+001F, ESC included) and DEL (U+007F), C1 controls (U+0080–U+009F);
* format characters (Unicode category Cf: bidi embeddings/overrides U+202A–U+202E, isolates
  U+2066–U+2069, marks U+200E/U+200F/U+061C, zero-width space U+200B, word joiner U+2060,
  BOM U+FEFF, tag characters U+E0000–U+E007F, …) except the zero-width joiners U+200C/U+200D,
  which scripts and emoji need to render correctly and which cannot reorder or hide text;
* the line and paragraph separators U+2028/U+2029 and lone surrogates (which would also crash
  the UTF-8 encoder of stdout).

Line breaks and tabs: with ``multiline=True`` (issue messages, case drafts, evidence blocks)
``\\n`` and ``\\t`` are kept and ``\\r\\n`` becomes ``\\n``; a lone ``\\r`` (which would let a line
overwrite itself) is shown as ``\\r``. In single-line cells (the default: table cells, SKUs,
titles, notifications' titles) a tab becomes a space and every line break (``\\r\\n``, ``\\n``,
``\\r``) becomes ``⏎`` so a value can never fake an extra row and the seller still sees it had a
break.

`json_for_terminal` and `for_terminal` make whole JSON/CSV documents safe to
print on a terminal while keeping them valid (JSON: the characters become ``\\uXXXX`` escapes, the
same data). Files keep the data as it is.

Pure: no Textual, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "LINE_BREAK_MARK",
    "for_terminal",
    "is_unsafe_char",
    "json_for_terminal",
    "pasted",
    "quoted",
    "shortened",
    "unsafe_chars",
    "visible",
]

LINE_BREAK_MARK = "⏎"
_KEPT_FORMAT = frozenset("\u200c\u200d")  # ZWNJ / ZWJ: needed by scripts and emoji


@lru_cache(maxsize=4096)
def is_unsafe_char(char: str) -> bool:
    """Whether one character must never be written raw to a terminal (see the module doc)."""
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return True
    if code < 0xA0:
        return False
    if char in _KEPT_FORMAT:
        return False
    return unicodedata.category(char) in ("Cf", "Cs", "Zl", "Zp")


def _escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


# Everything that could be unsafe: C0, DEL, C1, and the non-ASCII ranges checked per character.
_CANDIDATES = re.compile("\r\n|[\x00-\x1f\x7f-\x9f]|[^\x00-\x7f]")


def visible(value: object, *, multiline: bool = False) -> str:
    """``value`` as text with every unsafe character shown as a visible escape (see module doc).

    Non-strings are turned into text with ``str()``; ``None`` becomes ``""``.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.isascii() and text.isprintable():
        return text  # the common case, fast

    def replace(match: re.Match[str]) -> str:
        char = match.group()
        if char == "\r\n" or char == "\n":
            return "\n" if multiline else LINE_BREAK_MARK
        if char == "\r":
            return "\\r" if multiline else LINE_BREAK_MARK
        if char == "\t":
            return "\t" if multiline else " "
        return _escape(char) if is_unsafe_char(char) else char

    return _CANDIDATES.sub(replace, text)


def pasted(text: str) -> str:
    """Text pasted into the app without the characters a terminal would act on: they are
    dropped (a copied web page or chat can carry ``ESC]52;…`` or U+202E, and Textual's inputs
    draw their value raw). Line breaks (``\\r\\n`` and ``\\r`` as ``\\n``) and tabs are kept
    for the text areas."""
    if text.isascii() and text.isprintable():
        return text

    def keep(match: re.Match[str]) -> str:
        char = match.group()
        if char in ("\r\n", "\r"):
            return "\n"
        return char if char in "\n\t" or not is_unsafe_char(char) else ""

    return _CANDIDATES.sub(keep, text)  # only C0, DEL, C1 and non-ASCII looked at


#: Bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): they reorder what
#: a reader sees ("Trojan source"); text in right-to-left scripts needs only the marks.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def value_controls(text: str) -> list[str]:
    """The characters of ``text`` no listing value a seller types carries: C0 controls but
    tab and line breaks, DEL, C1, and bidi embeddings/overrides/isolates. A CSV cell with one
    is damaged or hostile (``ESC]52;…``, U+202E): never sent to Amazon as a value."""
    if text.isascii() and text.isprintable():
        return []
    return [
        c
        for c in text
        if c not in "\t\n\r" and (ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in _BIDI_CONTROLS)
    ]


def quoted(value: object) -> str:
    """``value`` in single quotes for a one-line message, terminal-safe: ``'A\\x00B'``
    (``repr(visible(value))`` doubled every backslash the escapes put in: ``'A\\\\x00B'``)."""
    return f"'{visible(value)}'"


#: The most characters of a value a one-line message quotes (quoted_short)
SHOWN_CHARS = 60


def quoted_short(value: object, limit: int = SHOWN_CHARS) -> str:
    """:func:`quoted` for a value that may be any length (a CSV cell): one longer than
    ``limit`` characters is cut, with a visible ellipsis and its length ("'99999…' (5,000
    characters)"): a 5,000-digit cell was echoed whole in its one error line."""
    text = str(value)
    if len(text) <= limit:
        return quoted(text)
    return f"'{shortened(text, limit)}' ({len(text):,} characters)"


def shortened(value: object, limit: int = SHOWN_CHARS) -> str:
    """:func:`visible` of ``value``'s first ``limit`` characters, with "…" when it had more:
    a name from Amazon (an attribute's) in a heading or a title, which may be any length."""
    text = "" if value is None else str(value)
    if len(text) <= limit:
        return visible(text)
    return visible(text[:limit]) + "…"


def unsafe_chars(text: str) -> list[str]:
    """The unsafe characters in ``text`` (tests and checks use it; ``\\n`` and ``\\t`` excluded)."""
    return [c for c in text if c not in "\n\t" and is_unsafe_char(c)]


#: The characters from U+00A0 up that are never unsafe (is_unsafe_char; tests check every code
#: point against it): a JSON document is scanned for the others only, in C (a 60 MB report
#: with accented titles in 0.1 s, not 1 s with a Python call per non-ASCII character).
_SAFE_FROM_A0 = (
    "\u00a0-\u00ac\u00ae-\u05ff\u0606-\u061b\u061d-\u06dc\u06de-\u070e\u0710-\u088f"
    "\u0892-\u08e1\u08e3-\u180d\u180f-\u200a\u200c-\u200d\u2010-\u2027\u202f-\u205f"
    "\u2065\u2070-\ud7ff\ue000-\ufefe\uff00-\ufff8\ufffc-\U000110bc\U000110be-\U000110cc"
    "\U000110ce-\U0001342f\U00013439-\U0001bc9f\U0001bca4-\U0001d172\U0001d17b-\U000e0000"
    "\U000e0002-\U000e001f\U000e0080-\U0010ffff"
)


@lru_cache(maxsize=1)
def _json_unsafe() -> re.Pattern[str]:
    """The characters json_for_terminal escapes (compiled when first used: ~5 ms, which
    every start of asin-tui would pay, though only a report to a terminal needs it)."""
    return re.compile(f"[^\x00-\x7e{_SAFE_FROM_A0}]")


def json_for_terminal(document: str) -> str:
    """A JSON document (from ``json.dumps``) safe to print: unsafe characters as ``\\uXXXX``.

    ``json.dumps`` escapes C0 controls itself but, with ``ensure_ascii=False``, writes DEL, C1,
    bidi and other format characters raw. They can only occur inside JSON strings, where the
    ``\\uXXXX`` form is the same data (astral characters as a surrogate pair, as JSON requires).
    """

    def replace(match: re.Match[str]) -> str:
        char = match.group()
        if not is_unsafe_char(char):
            return char
        code = ord(char)
        if code <= 0xFFFF:
            return f"\\u{code:04x}"
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"

    if document.isascii() and "\x7f" not in document:
        return document  # the common case (a whole report of ASCII), fast
    return _json_unsafe().sub(replace, document)


def json_unsafe(text: str) -> bool:
    """Whether :func:`json_for_terminal` would change anything in ``text``."""
    return "\x7f" in text or (not text.isascii() and _json_unsafe().search(text) is not None)


def for_terminal(document: str) -> str:
    """A whole text document (CSV, a table) safe to print: its lines kept, every unsafe
    character shown escaped.

    A CSV cell's own line break (inside quotes) is kept as CSV allows; a lone ``\\r`` is shown
    as ``\\r``. Written to a file, CSV keeps the data unchanged — this is for a terminal only.
    """
    return visible(document, multiline=True)
