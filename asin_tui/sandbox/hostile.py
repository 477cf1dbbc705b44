"""The hostile-strings scenario: listing text written by an attacker (``sandbox serve --hostile``).

Listing text on Amazon is written by sellers, by competitors editing a shared catalog page and
by whoever typed an issue message; Amazon's own messages quote it. With ``hostile=True`` a few
of the listings that need attention carry such text in every place SP-API returns free text:

* the seller SKU (getListingsItem / searchListingsItems ``sku``, inventory ``sellerSku``);
* the seller's attribute document — ``item_name`` (the title), ``brand``, ``bullet_point``,
  ``product_description`` — as if the seller had submitted it (the values stay within the
  product type schema's limits, so the document still validates);
* every issue message Amazon returns for the listing and every restriction reason message on
  its ASIN, which quote the listing's text (Amazon's messages do quote titles and values).

The strings are terminal escape sequences (clear screen, OSC 52 clipboard write, OSC 0 window
title, a sequence cut mid-way, the one-byte C1 CSI), bidi overrides and Textual markup
(``[/]``, ``[@click=…]``, ``[link=…]``, ``[Military Grade]``), Slack markup (``<!here|x>``), plus
very long text. Everything still has the wire shape of Amazon's official models: only the characters are hostile.
"""

from __future__ import annotations

from collections.abc import Sequence

from asin_tui.sandbox.catalog import Record, attributes_of
from asin_tui.sandbox.marketplaces import Marketplace

ESC = "\x1b"
CLEAR_SCREEN = f"{ESC}[2J{ESC}[H"
CLIPBOARD = f"{ESC}]52;c;aGFja2VkIGNsaXBib2FyZA==\x07"  # base64 of "hacked clipboard"
WINDOW_TITLE = f"{ESC}]0;PWNED-TITLE\x07"
CUT_SEQUENCE = f"{ESC}]0;never closed"  # an OSC without its terminator
C1_CSI = "\x9b2J"
RTL_OVERRIDE = "\u202e"

#: (SKU, title) pairs; titles within item_name's 200 characters, SKUs within Amazon's 40.
LISTINGS: tuple[tuple[str, str], ...] = (
    ("HOSTILE-ESC" + CLEAR_SCREEN, "Phone Case [Military Grade] Black" + CLEAR_SCREEN),
    ("HOSTILE-OSC52" + CLIPBOARD[:20], "Charger [@click=app.quit]click me[/]" + CLIPBOARD),
    ("HOSTILE-[/]<!here|x>", "Cable [link='file:///etc/passwd']x[/link] [bold]" + WINDOW_TITLE),
    ("HOSTILE-C1" + C1_CSI, "Lamp " + RTL_OVERRIDE + "txet desrever" + C1_CSI + " [/]"),
    (
        "HOSTILE-LONG-" + "X" * 27,
        ("Very long title " * 12)[:184] + CUT_SEQUENCE[:16],
    ),
)
BRAND = f"Acme [b]Brand[/b] {RTL_OVERRIDE}dnarB{ESC}[31m"
BULLET = f"[@click=app.quit]quit[/] {ESC}]0;bullet title\x07 " + "long bullet " * 30
DESCRIPTION = f"Line one{CLEAR_SCREEN}\nLine two [Military Grade] {CLIPBOARD}"
#: What Amazon's messages quote from the listing (appended to its issue / restriction texts).
QUOTED = f' Listing text: "[Military Grade] [/] {CLIPBOARD}{WINDOW_TITLE}{C1_CSI}{RTL_OVERRIDE}"'

#: Every hostile string, for tests that look for them on screen and in output.
STRINGS: tuple[str, ...] = (
    *(text for pair in LISTINGS for text in pair),
    BRAND,
    BULLET,
    DESCRIPTION,
    QUOTED,
)


def make_hostile(records: Sequence[Record], mp: Marketplace) -> list[Record]:
    """Give the first len(LISTINGS) of ``records`` (problem listings, not in a variation
    family) hostile SKUs, attribute text and quoted messages; returns the records changed."""
    changed = []
    for record, (sku, title) in zip(records, LISTINGS, strict=False):
        attributes = attributes_of(record, mp)  # the generated document, defects included
        _set_text(attributes, "item_name", title)
        _set_text(attributes, "brand", BRAND)
        _set_text(attributes, "product_description", DESCRIPTION)
        if attributes.get("bullet_point"):
            attributes["bullet_point"][0]["value"] = BULLET[:500]
        record.sku = sku
        record.attributes = attributes
        record.quoted_text = QUOTED
        changed.append(record)
    return changed


def _set_text(attributes: dict, name: str, value: str) -> None:
    entries = attributes.get(name)
    if entries:
        entries[0]["value"] = value
