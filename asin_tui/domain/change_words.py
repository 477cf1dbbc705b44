"""JSON Patches told in words, for the confirmation a seller gives before anything is sent.

Pure: no network, no Textual. ``describe_patches(listing, patches)`` reads each patch against
the listing as it is now and says what it changes, one sentence per change, with the value it
had: "Set quantity to 12 (was 0)", "Add brand = Acme", "Set price to 79.99 EUR (was 124.00
EUR)", "Remove color". Values are data from the seller or from Amazon: the UI shows them as
plain text, never as markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from asin_tui.domain.marketplaces import marketplace_by_id
from asin_tui.domain.models import Listing
from asin_tui.domain.patches import (
    FULFILLMENT_AVAILABILITY,
    HANDLING_TIME_KEY,
    MAXIMUM_PRICE,
    MFN_CHANNEL,
    MINIMUM_PRICE,
    OUR_PRICE,
    PURCHASABLE_OFFER,
    Patch,
    attribute_entries,
    money_text,
    price_band,
)

#: Keys of an attribute entry that say where it applies, not what it is.
SELECTORS = frozenset({"marketplace_id", "language_tag", "audience"})
PRICE_WORDS = {
    OUR_PRICE: "price",
    MINIMUM_PRICE: "minimum allowed price",
    MAXIMUM_PRICE: "maximum allowed price",
}
NONE = "not set"


def marketplace_text(marketplace_id: str) -> str:
    """'Germany (DE, A1PA6795UKMFR9)'; the bare id for a marketplace not in the table."""
    market = marketplace_by_id(marketplace_id)
    if market is None:
        return marketplace_id
    return f"{market.country} ({market.code}, {market.marketplace_id})"


def describe_patches(listing: Listing, patches: Sequence[Patch]) -> list[str]:
    """One sentence per change the patches make to ``listing`` (as it is now)."""
    lines: list[str] = []
    for patch in patches:
        lines += describe_patch(listing, patch)
    return lines


def describe_patch(listing: Listing, patch: Patch) -> list[str]:
    path = str(patch.get("path", ""))
    name = path.removeprefix("/attributes/")
    op = patch.get("op", "")
    value = patch.get("value")
    if op == "delete":
        return [f"Remove {name}"]
    entries = [e for e in value if isinstance(e, Mapping)] if isinstance(value, list) else []
    if name == FULFILLMENT_AVAILABILITY:
        return _fulfillment(listing, entries)
    if name == PURCHASABLE_OFFER:
        return _offer(listing, entries)
    return [_attribute(listing, name, op, entries)]


# --------------------------------------------------------------------------- stock


def _fulfillment(listing: Listing, entries: list[Mapping[str, Any]]) -> list[str]:
    before = attribute_entries(listing, FULFILLMENT_AVAILABILITY)
    old = {str(e.get("fulfillment_channel_code")): e for e in before}
    lines = []
    for entry in entries:
        channel = str(entry.get("fulfillment_channel_code", MFN_CHANNEL))
        if channel != MFN_CHANNEL:
            sentence = f"Hand fulfilment to Amazon (FBA, {channel})"
            lines.append(sentence + (" (was merchant fulfilled)" if MFN_CHANNEL in old else ""))
            continue
        previous = old.get(MFN_CHANNEL)
        if previous is None and old:
            lines.append(
                "Switch to merchant fulfilment (was fulfilled by Amazon): Amazon's stock "
                "no longer counts for this offer"
            )
        if "quantity" in entry:
            had = None if previous is None else previous.get("quantity")
            was = None if had is None else _text(had)
            lines.append(_was(f"Set quantity to {_text(entry['quantity'])}", was))
        if HANDLING_TIME_KEY in entry and (
            previous is None or previous.get(HANDLING_TIME_KEY) != entry[HANDLING_TIME_KEY]
        ):
            days = _days(entry[HANDLING_TIME_KEY])
            was = None if previous is None else _days(previous.get(HANDLING_TIME_KEY))
            lines.append(_was(f"Set handling time to {days}", was))
    if not entries:
        lines.append(f"Set {FULFILLMENT_AVAILABILITY} to nothing")
    return lines


def _days(value: Any) -> str:
    if value is None:
        return NONE
    return f"{value} day" if value == 1 else f"{value} days"


# --------------------------------------------------------------------------- price


def _offer(listing: Listing, entries: list[Mapping[str, Any]]) -> list[str]:
    band = price_band(listing)
    mine = next(
        (
            e
            for e in entries
            if e.get("marketplace_id", listing.marketplace_id) == listing.marketplace_id
            and e.get("audience", "ALL") == "ALL"
        ),
        None,
    )
    if mine is None:
        return [f"Rewrite {PURCHASABLE_OFFER} (no consumer offer for this marketplace in it)"]
    currency = mine.get("currency") or band.currency
    current = {OUR_PRICE: band.price, MINIMUM_PRICE: band.minimum, MAXIMUM_PRICE: band.maximum}
    lines = []
    for key, words in PRICE_WORDS.items():
        new = _schedule(mine.get(key))
        if new is None or new == current[key]:
            continue
        was = NONE if current[key] is None else money_text(current[key], band.currency)
        lines.append(f"Set {words} to {money_text(new, currency)} (was {was})")
    return lines or ["Keep the price and its allowed band as they are"]


def _schedule(raw: Any) -> Decimal | None:
    for price in raw if isinstance(raw, list) else []:
        for slot in price.get("schedule", []) if isinstance(price, Mapping) else []:
            amount = slot.get("value_with_tax") if isinstance(slot, Mapping) else None
            if isinstance(amount, (int, float, str)) and not isinstance(amount, bool):
                return Decimal(str(amount))
    return None


# --------------------------------------------------------------------------- attributes


def _attribute(listing: Listing, name: str, op: str, entries: list[Mapping[str, Any]]) -> str:
    new = [_entry_text(e) for e in entries]
    old = [
        _entry_text(e)
        for e in attribute_entries(listing, name)
        if e.get("marketplace_id", listing.marketplace_id) == listing.marketplace_id
    ]
    shown = _values(new)
    if op == "add" and not old:
        return f"Add {name} = {shown}"
    if not old:
        return f"Set {name} to {shown} (was {NONE})"
    return f"Set {name} to {shown} (was {_values(old)})"


def _entry_text(entry: Mapping[str, Any]) -> str:
    """An entry's value: its ``value``, else its other non-selector fields ('12 cm')."""
    if "value" in entry:
        return _text(entry["value"])
    parts = [f"{k} {_text(v)}" for k, v in entry.items() if k not in SELECTORS]
    return ", ".join(parts) or "(empty)"


def _values(values: list[str]) -> str:
    if len(values) == 1:
        return values[0]
    return f"{len(values)} values: " + "; ".join(values)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _was(sentence: str, was: str | None) -> str:
    return f"{sentence} (was {NONE if was is None else was})"
