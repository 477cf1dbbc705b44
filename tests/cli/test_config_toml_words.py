"""A config.toml that is not valid TOML: one line in words a seller can act on (file, line,
column, what is wrong) — never tomllib's Python tuples or parser terms — from every command
that reads the config: `config show`, `report` and the app's start (before Textual starts)."""

from __future__ import annotations

import pytest

from tests.cli.test_config_cli import run, shown_path, write_config

BROKEN = [
    pytest.param(
        '[profiles.main]\nmarketplace = "US"\n\n[profiles.main]\nseller_id = "A2EXAMPLE12345"\n',
        ", line 4: invalid TOML: [profiles.main] is declared twice: merge the two tables into "
        "one (column 15)",
        id="table-declared-twice",
    ),
    pytest.param(
        '[profiles.main]\nmarketplace = "US\nseller_id = "A2EXAMPLE12345"\n',
        ", line 2: invalid TOML: a string has no closing quote on its line (column 18)",
        id="string-left-open",
    ),
    pytest.param(
        '[profiles.main]\nmarketplace = "US"\nseller_id = """A2EXAMPLE12345\n',
        ": invalid TOML: a string has no closing quote (at the end of the file)",
        id="string-open-at-the-end",
    ),
    pytest.param(
        '[profiles.main]\nmarketplace = "US"\nseller_id = "A2EXAMPLE12345"\n'
        'token_endpoint = "C:\\tokens\\new"\nendpoint = "C:\\Users"\n',
        ", line 5: invalid TOML: a \\u or \\U escape has digits that are not hexadecimal (for "
        "a '\\' itself write '\\\\', or use single quotes '…') (column 17)",
        id="windows-path",
    ),
    pytest.param(
        "[profiles.main]\nmarketplace = {code = 'US', code = 'DE'}\n",
        ", line 2: invalid TOML: the key code is set twice inside { … }: keep one (column 40)",
        id="inline-key-twice",
    ),
    pytest.param(
        '[profiles.main\nmarketplace = "US"\n',
        ", line 1: invalid TOML: the [table] header has no closing ']' (column 15)",
        id="header-not-closed",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BROKEN)
@pytest.mark.parametrize(
    "argv", [["config", "show"], ["report"], []], ids=["config", "report", "tui"]
)
def test_invalid_toml_is_one_line_in_words_and_exit_2(capsys, argv, text, expected):
    write_config(text)
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err == f"asin-tui: {shown_path()}{expected}\n"
    assert "('" not in err and "Cannot " not in err and "Invalid " not in err
