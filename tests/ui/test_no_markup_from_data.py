"""A guard for issue 8 item 2: no f-string goes where Textual parses markup.

``Static``, ``Label``, ``Button``, a checkbox/radio/option label, a palette hit, Rich
``Text.from_markup`` and ``Content.from_markup`` read a ``str`` as markup, so an f-string
holding a SKU, a title or Amazon's text there is parsed (``[/]`` crashes, ``[@click=…]``
becomes an action). Such text goes through ``asin_tui.ui.safe_text`` (``data``/``template``)
instead. (``notify`` is safe by construction: ``AsinTuiApp.notify`` never parses markup.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import asin_tui.ui

MARKUP_READERS = frozenset(
    {
        "Static",
        "Label",
        "Button",
        "Checkbox",
        "ChecklistBox",
        "RadioButton",
        "FormatButton",
        "Option",
        "Hit",
        "DiscoveryHit",
        "from_markup",
    }
)


def offences(source: str, where: str = "") -> list[str]:
    """Calls in ``source`` that hand an f-string to a reader of markup."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        arguments = [*node.args[:1], *(k.value for k in node.keywords if k.arg == "help")]
        if name in MARKUP_READERS and any(isinstance(a, ast.JoinedStr) for a in arguments):
            found.append(f"{where}:{node.lineno} {ast.unparse(node)}")
    return found


def test_no_f_string_is_parsed_as_markup() -> None:
    folder = Path(asin_tui.ui.__file__).parent
    found = [
        offence
        for path in sorted(folder.rglob("*.py"))
        for offence in offences(path.read_text(encoding="utf-8"), path.name)
    ]
    assert found == []


def test_the_guard_tells_markup_from_data() -> None:
    assert offences('Static(f"{record.title}")')
    assert offences('yield Label(f"Keys — {about}", classes="x")')
    assert offences('DiscoveryHit("x", run, help=f"{tip}")')
    assert not offences('Static(data(f"{record.title}"))')
    assert not offences('Label(template("Keys — $about", about=about))')
