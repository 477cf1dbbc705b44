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
  sub-titles, the clipboard, ``notify(..., markup=False)``);
* :func:`clean` — a Content already assembled from data (``Content(f"  {issue.message}")``,
  ``Content.assemble``: both literal) made terminal-safe, its styles kept.

All three pass the value through :func:`asin_tui.domain.text.visible` (control characters, C1
and bidi overrides shown as ``\\x1b`` / ``\\u202e``). The app also routes every notification and
every clipboard copy through here (``AsinTuiApp.notify`` / ``copy_to_clipboard``).
"""

from __future__ import annotations

from textual.content import Content, Span

from asin_tui.domain.text import visible

__all__ = ["clean", "data", "plain", "template", "visible"]


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


def clean(content: Content, *, multiline: bool = True) -> Content:
    """``content`` with every unsafe character shown as an escape, its spans moved to match.

    For Content built literally from data (``Content(text)``, ``Content.assemble``,
    ``Content.styled`` never parse markup) that may hold control or bidi characters. (Content
    itself silently drops BEL, BS, VT, FF and CR: pass a value through :func:`plain` first
    where the seller should see those too.)
    """
    if visible(content.plain, multiline=multiline) == content.plain:
        return content  # nothing to show differently: the same object
    return _remap(content, multiline)


def _remap(content: Content, multiline: bool) -> Content:
    text = content.plain
    offsets = [0] * (len(text) + 1)
    pieces = []
    position = 0
    for index, char in enumerate(text):
        offsets[index] = position
        shown = visible(char, multiline=multiline)
        pieces.append(shown)
        position += len(shown)
    offsets[len(text)] = position
    end = len(text)  # Content drops BEL/BS/VT/FF/CR itself: a span may reach past the text
    spans = [
        Span(offsets[min(s.start, end)], offsets[min(s.end, end)], s.style) for s in content.spans
    ]
    return Content("".join(pieces), spans)
