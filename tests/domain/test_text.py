"""The one sanitiser for external strings (asin_tui/domain/text.py)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from asin_tui.domain.text import (
    LINE_BREAK_MARK,
    for_terminal,
    is_unsafe_char,
    json_for_terminal,
    unsafe_chars,
    value_controls,
    visible,
)

OSC52 = "\x1b]52;c;ZXZpbA==\x07"


def test_printable_text_is_unchanged() -> None:
    for text in ("Phone Case [Military Grade] Black", "Tee – 100 % ✓ 日本語 😀", "[/]", ""):
        assert visible(text) == text


def test_escape_sequences_are_shown_not_emitted() -> None:
    assert visible("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert visible(OSC52) == "\\x1b]52;c;ZXZpbA==\\x07"
    assert visible("\x1b]0;pwned") == "\\x1b]0;pwned"  # cut mid-sequence
    assert visible("\x9b31m") == "\\x9b31m"  # C1 CSI
    assert visible("\x7f\x00") == "\\x7f\\x00"


def test_bidi_and_invisible_format_characters_are_shown() -> None:
    assert visible("abc\u202edcba") == "abc\\u202edcba"
    for char in "\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\ufeff":
        assert visible(char) == f"\\u{ord(char):04x}"
    assert visible("\U000e0041") == "\\U000e0041"  # tag character (hidden ASCII)
    assert visible("\u2028\u2029") == "\\u2028\\u2029"
    assert visible("\ud800") == "\\ud800"  # lone surrogate would crash the UTF-8 encoder


def test_joiners_that_scripts_and_emoji_need_are_kept() -> None:
    family = "👨\u200d👩\u200d👧"
    assert visible(family) == family
    assert visible("می\u200cخواهم") == "می\u200cخواهم"


def test_single_line_shows_breaks_and_flattens_tabs() -> None:
    assert visible("one\r\ntwo\nthree\rfour\tfive") == (
        f"one{LINE_BREAK_MARK}two{LINE_BREAK_MARK}three{LINE_BREAK_MARK}four five"
    )


def test_multiline_keeps_breaks_and_tabs_but_not_a_lone_carriage_return() -> None:
    assert visible("one\r\ntwo\n\tthree\rfour", multiline=True) == "one\ntwo\n\tthree\\rfour"


def test_non_strings() -> None:
    assert visible(None) == ""
    assert visible(12) == "12"


@given(st.text())
def test_nothing_unsafe_survives(text: str) -> None:
    for multiline in (False, True):
        shown = visible(text, multiline=multiline)
        assert unsafe_chars(shown) == []
        assert all(c == "\n" or c == "\t" or not is_unsafe_char(c) for c in shown)
        shown.encode("utf-8")  # never raises
    assert "\n" not in visible(text) and "\t" not in visible(text)


@given(
    st.recursive(st.text() | st.integers(), lambda c: st.lists(c) | st.dictionaries(st.text(), c))
)
def test_json_for_terminal_is_the_same_data_and_safe(value: object) -> None:
    document = json.dumps(value, ensure_ascii=False, indent=2)
    safe = json_for_terminal(document)
    assert json.loads(safe) == value
    assert [c for c in safe if c not in "\n" and is_unsafe_char(c)] == []


def test_json_for_terminal_escapes_c1_and_bidi() -> None:
    document = json.dumps({"title": "a\x9b\u202e\U000e0041b"}, ensure_ascii=False)
    assert json_for_terminal(document) == '{"title": "a\\u009b\\u202e\\udb40\\udc41b"}'


def test_for_terminal_keeps_rows() -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["sku", "title"])
    writer.writerow(["A\x1b[2J", "x\u202ey\nz"])
    shown = for_terminal(buffer.getvalue())
    assert unsafe_chars(shown) == []
    rows = list(csv.reader(io.StringIO(shown)))
    assert rows == [["sku", "title"], ["A\\x1b[2J", "x\\u202ey\nz"]]


def test_the_module_is_pure() -> None:
    code = (
        "import sys, asin_tui.domain.text; "
        "bad = [m for m in ('textual', 'rich', 'httpx') if m in sys.modules]; "
        "sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_quoted_shows_each_escape_with_one_backslash():
    """`fix` said "no listing 'A\\\\x00B'" (repr of the escaped text doubles its backslashes)."""
    from asin_tui.domain.text import quoted

    assert quoted("A\x00B") == "'A\\x00B'"
    assert quoted("\u202eSKU") == "'\\u202eSKU'" and quoted("it's") == "'it's'"


def test_value_controls_are_the_ones_no_typed_value_has():
    assert value_controls("Acme GmbH & Co. — Tasse ü 杯 ☕") == []
    assert value_controls("line one\nline two\twith a tab\r\n") == []  # a text area's
    assert value_controls("مرحبا\u200f Ltd") == []  # a right-to-left mark: Arabic text needs it
    assert value_controls("a\x1b]52;c;x\x07\u202e\x9b\x7f\x00") == [
        "\x1b",
        "\x07",
        "\u202e",
        "\x9b",
        "\x7f",
        "\x00",
    ]
