"""tomllib's error messages (Python 3.11) in words a seller editing config.toml can act on.

tomllib says ``Cannot declare ('profiles', 'main') twice (at line 3, column 15)``: a Python
tuple and parser terms. :func:`toml_problem` turns that into ``[profiles.main] is declared
twice: merge the two tables into one`` plus the line and column. A message it does not
know is kept (its tuples written as dotted keys), so a newer Python loses nothing.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

_POSITION = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|(end of document))\)$")
_TUPLE = re.compile(r"\((?:'[^'\\]*',? ?)+\)")  # ('profiles', 'main'), as tomllib prints a key

_QUOTE_HINT = 'text goes in quotes, like seller_id = "A2EXAMPLE12345"'

#: tomllib's fixed messages -> words
_FIXED: dict[str, str] = {
    "Invalid value": f"this value is not valid ({_QUOTE_HINT})",
    "Invalid statement": "this line is neither `key = value` nor a [table] header",
    "Expected newline or end of document after a statement": (
        f"unexpected text after the value: one `key = value` per line ({_QUOTE_HINT})"
    ),
    "Expected ']' at the end of a table declaration": "the [table] header has no closing ']'",
    "Expected ']]' at the end of an array declaration": "the [[table]] header has no closing ']]'",
    "Expected '=' after a key in a key/value pair": "'=' is missing after the key (key = value)",
    "Invalid initial character for a key part": (
        "a key cannot start with this character (keys use letters, digits, '-' and '_', "
        "or go in quotes)"
    ),
    "Cannot overwrite a value": "this key is set twice (or a key and a table share a name): keep one",
    "Unclosed array": "a list [ … ] has no closing ']'",
    "Unclosed inline table": "a { … } table has no closing '}' on its line",
    "Unterminated string": "a string has no closing quote",
    "Unescaped '\\' in a string": (
        "a '\\' inside \"…\" starts an escape: write '\\\\', or use single quotes '…'"
    ),
    "Invalid hex value": (
        "a \\u or \\U escape has digits that are not hexadecimal (for a '\\' itself write "
        "'\\\\', or use single quotes '…')"
    ),
    "Escaped character is not a Unicode scalar value": "a \\u or \\U escape is not a character",
    "Invalid date or datetime": "a date or time that does not exist (dates are YYYY-MM-DD)",
}


def dotted_key(keys: tuple[str, ...]) -> str:
    """``profiles."my shop".marketplace``: quote the parts that are not bare keys."""
    return ".".join(k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else f'"{k}"' for k in keys)


def _keys(text: str) -> str:
    """``('profiles', 'main')`` -> ``profiles.main``; anything else as it is."""
    try:
        keys = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    if isinstance(keys, str):
        keys = (keys,)
    if not isinstance(keys, tuple) or not all(isinstance(key, str) for key in keys):
        return text
    return dotted_key(keys)


def _character(text: str) -> str:
    """``'\\x00'`` -> ``U+0000``: the character the file holds, named not printed."""
    try:
        char = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return f"U+{ord(char):04X}" if isinstance(char, str) and len(char) == 1 else text


def _character_problem(text: str) -> str:
    """A newline inside a one-line string, or a control character where TOML allows none."""
    if text in ("'\\n'", "'\\r'"):
        return "a string has no closing quote on its line"
    return f"the character {_character(text)} is not allowed here"


def _expected(text: str) -> str:
    """``Expected "'"``: a closing quote (at the end of the file: a string left open)."""
    try:
        quote = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        quote = None
    if quote in ('"', "'", '"""', "'''"):
        return "a string has no closing quote"
    return f"expected {text}"


#: tomllib's messages with a part -> words (the part is a key tuple, a key or a character)
_PATTERNS: list[tuple[re.Pattern[str], Callable[[str], str]]] = [
    (
        re.compile(r"Cannot declare (.+) twice"),
        lambda key: f"[{_keys(key)}] is declared twice: merge the two tables into one",
    ),
    (
        re.compile(r"Cannot redefine namespace (.+)"),
        lambda key: f"{_keys(key)} is a [table] already: set its keys under that header",
    ),
    (
        re.compile(r"Cannot mutate immutable namespace (.+)"),
        lambda key: f"{_keys(key)} was written whole (as {{ … }} or [ … ]): add to it there",
    ),
    (
        re.compile(r"Duplicate inline table key (.+)"),
        lambda key: f"the key {_keys(key)} is set twice inside {{ … }}: keep one",
    ),
    (re.compile(r"(?:Illegal|Found invalid) character (.+)"), _character_problem),
    (re.compile(r"Expected (.+)"), _expected),
]


def toml_problem(message: str) -> tuple[str, int | None]:
    """tomllib's ``message`` -> (what is wrong in words, with the column or "at the end of
    the file"; the line number or None)."""
    found = _POSITION.search(message)
    text = message[: found.start()] if found else message
    words = _FIXED.get(text)
    if words is None:
        for pattern, say in _PATTERNS:
            match = pattern.fullmatch(text)
            if match:
                words = say(match.group(1))
                break
        else:
            words = _TUPLE.sub(lambda tuple_text: _keys(tuple_text.group()), text)
    if not found:
        return words, None
    line, column, end = found.groups()
    if end:
        return f"{words} (at the end of the file)", None
    return f"{words} (column {column})", int(line)
