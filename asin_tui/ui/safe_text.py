"""External strings into the UI: never parsed as markup, never a raw control character.

Every string that comes from SP-API (titles, SKUs, ASINs, issue messages, attribute values,
Amazon's error texts, restriction reasons, product type names, notes…) is *data*. Put it on
screen through these helpers, never through an f-string handed to ``Static``/``Label``/
``notify``/``Select``/``Checkbox``/``Hit`` (they parse ``str`` as Textual markup:
``[@click=app.quit]`` becomes an action, ``[/]`` raises ``MarkupError``):

* :func:`data` — a literal :class:`~textual.content.Content` of one value (optionally styled);
* :func:`template` — our own markup with external values substituted literally
  (``template("[b]$title[/b] · $sku", title=record.title, sku=record.sku)``);
* :func:`plain` — a ``str`` safe for places that take text literally (screen titles and
  sub-titles, the clipboard, ``notify(..., markup=False)``).

All three pass the value through :func:`asin_tui.domain.text.visible` (control characters, C1
and bidi overrides shown as ``\\x1b`` / ``\\u202e``). The app also routes every notification and
every clipboard copy through here (``AsinTuiApp.notify`` / ``copy_to_clipboard``).
"""

from __future__ import annotations

from textual.content import Content

from asin_tui.domain.text import visible

__all__ = ["data", "plain", "template", "visible"]


def plain(value: object, *, multiline: bool = False) -> str:
    """``value`` as a terminal-safe ``str`` (use it only where the text is taken literally)."""
    return visible(value, multiline=multiline)


def data(value: object, style: str = "", *, multiline: bool = False) -> Content:
    """``value`` as literal Content: never markup, unsafe characters shown as escapes."""
    content = Content(visible(value, multiline=multiline))
    return content.stylize(style) if style else content


def template(markup: str, *, multiline: bool = False, **values: object) -> Content:
    """Content from OUR markup ``markup`` with ``$name`` variables substituted literally.

    ``markup`` must be a constant of this code base; each value is sanitised (as
    :func:`data`) and inserted as plain text, whatever brackets it holds.
    """
    safe = {name: visible(value, multiline=multiline) for name, value in values.items()}
    return Content.from_markup(markup, **safe)
