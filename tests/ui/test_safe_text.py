"""asin_tui/ui/safe_text.py: external strings become literal, safe Content."""

from __future__ import annotations

from asin_tui.ui.safe_text import data, plain, template

HOSTILE = "[@click=app.quit]q[/] [link='file:///etc/passwd']x[/link] \x1b]0;t\x07 \u202e [b]"


def test_data_is_literal_and_safe() -> None:
    content = data(HOSTILE)
    assert content.plain == (
        "[@click=app.quit]q[/] [link='file:///etc/passwd']x[/link] \\x1b]0;t\\x07 \\u202e [b]"
    )
    assert content.spans == []
    assert data("x", "bold").spans[0].style == "bold"


def test_template_substitutes_values_literally() -> None:
    content = template("[b]$title[/b] · $sku", title=HOSTILE, sku="Phone Case [Military Grade]")
    assert "[@click=app.quit]q[/]" in content.plain
    assert content.plain.endswith("· Phone Case [Military Grade]")
    assert all(
        "click" not in str(span.style) and "link" not in str(span.style) for span in content.spans
    )


def test_plain() -> None:
    assert plain("a\x1bb\nc") == "a\\x1bb⏎c"
    assert plain("a\nb", multiline=True) == "a\nb"
