"""The config's [keymap]: binding id -> keys, validated before the app starts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from asin_tui.store import paths
from asin_tui.store.config import ConfigError, load_config
from asin_tui.store.keymap import BINDING_IDS

ROOT = Path(__file__).resolve().parents[2]
PROFILE = '[profiles.main]\nmarketplace = "US"\nseller_id = "A2EXAMPLE12345"\n'


def load(text: str, *, before: str = ""):
    """Load a config of one profile followed by ``text`` (``before`` goes first)."""
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(before + PROFILE + text, encoding="utf-8")
    return load_config(environ={})


def test_no_keymap_is_an_empty_one():
    assert load("").keymap == {}


def test_quoted_and_dotted_ids_one_key_several_keys():
    config = load(
        "[keymap]\n"
        '"list.filter" = "f"\n'
        'list.sync = ["ctrl+r", "f5"]\n'
        '"app.quit" = "ctrl+q, Q"\n'
        "[keymap.wizard]\n"
        'next = "N"\n'
    )
    assert config.keymap == {
        "list.filter": "f",
        "list.sync": "ctrl+r,f5",
        "app.quit": "ctrl+q,Q",
        "wizard.next": "N",
    }


def test_unknown_binding_id_names_file_line_and_the_closest_id():
    with pytest.raises(ConfigError) as caught:
        load('[keymap]\n"list.fliter" = "f"\n')
    assert str(caught.value).endswith(
        'config.toml, line 5: keymap."list.fliter": unknown binding id '
        "(did you mean 'list.filter'?)"
    )


def test_unknown_group_lists_where_ids_start():
    with pytest.raises(ConfigError, match=r"ids start with app\., welcome\., list\.") as caught:
        load('[keymap.screen]\nquit = "x"\n')
    assert caught.value.line == 5


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ('"ctrl f"', "'ctrl f' is not a key"),
        ('""', "'' is not a key"),
        ('"Ctrl+R"', "'Ctrl+R' is not a key"),
        # characters no key sends, which the footer and the help would draw raw
        ('"\\u001b"', "'\\x1b' is not a key"),
        ('"ctrl+\\u009b"', "'ctrl+\\x9b' is not a key"),
        ('"\\u202e"', "'\\u202e' is not a key"),
        ('["f", "\\u200b"]', "'\\u200b' is not a key"),
        ("5", 'expected a key such as "ctrl+f"'),
        ("[]", 'expected a key such as "ctrl+f"'),
        ('["f", 3]', "expected an array of key strings"),
    ],
)
def test_a_value_that_is_not_a_key_is_an_error_on_its_line(value, says):
    with pytest.raises(ConfigError, match=re.escape(says)) as caught:
        load(f'[keymap]\n"list.sync" = "r"\n"list.filter" = {value}\n')
    assert caught.value.line == 6
    assert caught.value.key == 'keymap."list.filter"'


def test_keymap_must_be_a_table():
    with pytest.raises(ConfigError, match=r"expected a table \[keymap\]") as caught:
        load("", before='keymap = "f"\n')
    assert caught.value.line == 1


def test_example_documents_every_binding_id_and_its_example_works(tmp_path):
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    block = text[text.index("# [keymap]") :]
    for binding_id in BINDING_IDS:
        assert f" {binding_id}" in block, binding_id
    example = [
        line[2:]
        for line in block.splitlines()
        if line.startswith("# [keymap]") or line.startswith('# "')
    ]
    path = tmp_path / "config.toml"
    path.write_text(PROFILE + "\n".join(example) + "\n", encoding="utf-8")
    assert load_config(path, environ={}).keymap == {
        "list.filter": "f",
        "list.sync": "ctrl+r,f5",
        "app.quit": "ctrl+q",
    }


@pytest.mark.parametrize("key", ["y", "Y", "enter", "space", "tab", "shift+y", "ctrl+s,y"])
def test_the_send_confirmation_refuses_a_key_typing_can_produce(key):
    with pytest.raises(ConfigError, match="could be typed by mistake"):
        load(f'[keymap]\n"confirm.send" = "{key}"\n')


@pytest.mark.parametrize("key", ["ctrl+y", "alt+enter", "f10", "ctrl+shift+s"])
def test_the_send_confirmation_takes_a_deliberate_key(key):
    assert load(f'[keymap]\n"confirm.send" = "{key}"\n').keymap == {"confirm.send": key}


#: Ctrl keys a terminal sends as the same byte as a typing key: ctrl+j is a newline (LF: the
#: Enter of a terminal that sends LF, a paste without bracketed paste), ctrl+m is Enter's CR,
#: ctrl+i Tab, ctrl+h Backspace on many terminals, ctrl+[ Escape.
TYPING_AS_CTRL = ["ctrl+j", "ctrl+m", "ctrl+i", "ctrl+h", "ctrl+left_square_bracket", "ctrl+M"]


@pytest.mark.parametrize("key", TYPING_AS_CTRL)
def test_the_send_confirmation_refuses_a_ctrl_key_a_typing_key_sends(key):
    with pytest.raises(ConfigError, match="could be typed by mistake"):
        load(f'[keymap]\n"confirm.send" = "{key}"\n')


def test_a_newline_reaches_the_app_as_ctrl_j():
    """Why ctrl+j is refused: the line feed a terminal's Enter (or a paste) may send is read
    by Textual as ctrl+j."""
    from textual._xterm_parser import XTermParser

    assert [event.key for event in XTermParser().feed("\n")] == ["ctrl+j"]
