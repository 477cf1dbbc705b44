"""JSON Patches told in words, for the confirmation a seller gives before anything is sent.

Pure: no network, no Textual. ``describe_patches(listing, patches)`` reads each patch against
the listing as it is now and says what it changes, one sentence per change, with the value it
had: "Set quantity to 12 (was 0)", "Add brand = Acme", "Set price to 79.99 EUR (was 124.00
EUR)", "Remove color". Values are data from the seller or from Amazon: the UI shows them as
plain text, never as markup. ``grouped_changes`` tells a batch's changes once per distinct
change (how many listings, the first SKUs), not once per listing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from asin_tui.domain.evidence import AttributeSpec

#: Keys of an attribute entry that say where it applies, not what it is.
SELECTORS = frozenset({"marketplace_id", "language_tag", "audience"})
PRICE_WORDS = {
    OUR_PRICE: "price",
    MINIMUM_PRICE: "minimum allowed price",
    MAXIMUM_PRICE: "maximum allowed price",
}
NONE = "not set"


def counted(count: int, word: str) -> str:
    """'1 listing', '3 listings', '0 rows': ``word`` with an s for any count but one."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def listings(count: int) -> str:
    """'1 listing', '3 listings'."""
    return counted(count, "listing")


def rows_left_out(count: int) -> str:
    """The batch confirmation's warning (TUI and `fix --apply`) for the rows not sent."""
    verb = "is" if count == 1 else "are"
    return f"{counted(count, 'other row')} {verb} not valid and will not be sent."


def marketplace_text(marketplace_id: str) -> str:
    """'Germany (DE, A1PA6795UKMFR9)'; the bare id for a marketplace not in the table."""
    market = marketplace_by_id(marketplace_id)
    if market is None:
        return marketplace_id
    return f"{market.country} ({market.code}, {market.marketplace_id})"


#: attribute -> {value as sent: the schema's name for it}: what a seller picked in a
#: drop-down ("New"), not Amazon's code for it ("new_new")
ValueNames = Mapping[str, Mapping[str, str]]


def value_names(specs: Iterable[AttributeSpec]) -> dict[str, dict[str, str]]:
    """The names the schema gives its allowed values (``enum_names``), per attribute."""
    return {
        s.name: {str(v): str(n) for v, n in zip(s.enum, s.enum_names, strict=False) if n}
        for s in specs
        if s.enum and s.enum_names
    }


def describe_patches(
    listing: Listing, patches: Sequence[Patch], names: ValueNames | None = None
) -> list[str]:
    """One sentence per change the patches make to ``listing`` (as it is now); a value the
    schema names (``names``, from :func:`value_names`) is said by its name."""
    lines: list[str] = []
    for patch in patches:
        lines += describe_patch(listing, patch, names)
    return lines


def describe_patch(listing: Listing, patch: Patch, names: ValueNames | None = None) -> list[str]:
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
    return [_attribute(listing, name, op, entries, (names or {}).get(name, {}))]


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

#: A price patch whose prices are those the listing has (changes_nothing)
KEEP_PRICE = "Keep the price and its allowed band as they are"


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
    return lines or [KEEP_PRICE]


def _schedule(raw: Any) -> Decimal | None:
    for price in raw if isinstance(raw, list) else []:
        for slot in price.get("schedule", []) if isinstance(price, Mapping) else []:
            amount = slot.get("value_with_tax") if isinstance(slot, Mapping) else None
            if isinstance(amount, (int, float, str)) and not isinstance(amount, bool):
                return Decimal(str(amount))
    return None


# --------------------------------------------------------------------------- attributes


def _attribute(
    listing: Listing,
    name: str,
    op: str,
    entries: list[Mapping[str, Any]],
    names: Mapping[str, str],
) -> str:
    new = [_named(_entry_text(e), names) for e in entries]
    old = [
        _named(_entry_text(e), names)
        for e in attribute_entries(listing, name)
        if e.get("marketplace_id", listing.marketplace_id) == listing.marketplace_id
    ]
    shown = _values(new)
    if op == "add" and not old:
        return f"Add {name} = {shown}"
    if not old:
        return f"Set {name} to {shown} (was {NONE})"
    return f"Set {name} to {shown} (was {_values(old)})"


def _named(value: str, names: Mapping[str, str]) -> str:
    return names.get(value, value)


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


# --------------------------------------------------------------------------- a batch

#: The distinct changes a batch's confirmation lists one line each (the largest first);
#: the rest are counted on one line.
GROUPS_SHOWN = 6
#: SKUs named on each of those lines before "and N more".
SKUS_PER_GROUP = 3
#: SKUs named on a batch confirmation's SKU line before "and N more".
SKUS_NAMED = 12
_WAS = " (was "


def split_was(sentence: str) -> tuple[str, str | None]:
    """'Set quantity to 12 (was 0)' -> ('Set quantity to 12', '0'); a sentence without the
    value it had -> (sentence, None). (A value that itself holds ' (was ' is split at the
    last one: the grouping is off for it, the sentence shown whole in the listing's line.)"""
    head, found, tail = sentence.rpartition(_WAS)
    if not found or not tail.endswith(")"):
        return sentence, None
    return head, tail[:-1]


def changes_nothing(sentence: str) -> bool:
    """Whether a change sentence sets a value to the one it had ("Set quantity to 9 (was
    9)", a price patch that keeps every price: KEEP_PRICE): sending it changes nothing on
    the listing."""
    if sentence == KEEP_PRICE:
        return True
    head, was = split_was(sentence)
    return was is not None and head.endswith(f" to {was}")


#: What a row whose every change sets the value the listing has is told (bulk grid, `fix`)
SAME_VALUES = "the listing holds these values already"


def not_sent_for_no_change(count: int) -> str:
    """How a summary counts the VALID rows left out because they change nothing (`fix`'s
    summary, the bulk grid's validation): ' (2 of them change nothing: not sent)'."""
    return f" ({count} of them change{'s' if count == 1 else ''} nothing: not sent)"


def all_unchanged(changes: Sequence[str]) -> bool:
    """A row's changes, each setting a value to the one the listing holds (changes_nothing):
    sending it would change nothing, so the bulk grid and `fix` do not send it."""
    return bool(changes) and all(changes_nothing(c) for c in changes)


def named_skus(skus: Sequence[str], named: int = SKUS_NAMED) -> str:
    """A batch's SKU line: the first ``named`` SKUs, then "and N more"."""
    more = f" and {len(skus) - named} more" if len(skus) > named else ""
    return ", ".join(skus[:named]) + more


def grouped_changes(
    listings: Iterable[tuple[str, Sequence[str]]],
    *,
    groups: int = GROUPS_SHOWN,
    named: int = SKUS_PER_GROUP,
) -> list[str]:
    """A batch's changes told once each, not once per listing: for each distinct change (the
    value it had aside) how many listings it is made to, the first SKUs and the values they
    had — "Set quantity to 12 — 480 listings: SKU-1, SKU-2, SKU-3 and 477 more (was 0)" —
    the largest first, at most ``groups`` lines, then one for the rest ("… and 37 other
    changes, to 52 listings"). ``listings``: (SKU, its changes in words) each. As many
    lines for 20,000 listings as for 20: the confirmation's cost does not grow with the batch.
    """
    found: dict[str, _Group] = {}
    for sku, changes in listings:
        for change in dict.fromkeys(changes):  # a change said twice for one listing: once
            what, was = split_was(change)
            group = found.get(what)
            if group is None:
                group = found[what] = _Group()
            group.count += 1
            if len(group.skus) < named:
                group.skus.append(sku)
            group.was[was] += 1
    ordered = sorted(found.items(), key=lambda item: -item[1].count)  # stable: first seen first
    lines = [group.line(what) for what, group in ordered[:groups]]
    rest = ordered[groups:]
    if rest:
        listed = sum(group.count for _, group in rest)
        lines.append(
            f"… and {len(rest)} other change{'s' if len(rest) != 1 else ''}, "
            f"to {listed} listing{'s' if listed != 1 else ''} (each listing's change below)"
        )
    return lines


class _Group:
    __slots__ = ("count", "skus", "was")

    def __init__(self) -> None:
        self.count = 0
        self.skus: list[str] = []
        self.was: Counter[str | None] = Counter()

    def line(self, what: str) -> str:
        count = self.count
        skus = ", ".join(self.skus)
        if count > len(self.skus):
            skus += f" and {count - len(self.skus)} more"
        return f"{what} — {count} listing{'s' if count != 1 else ''}: {skus}{self._was()}"

    def _was(self) -> str:
        """' (was 0)'; ' (was 0 on 478, 5 on 2)'; ' (was 0 on 470, 9 other values on 10)';
        nothing when no sentence said what the value was."""
        if set(self.was) == {None}:
            return ""
        if len(self.was) == 1:
            (value,) = self.was
            return f" (was {value})"
        common = self.was.most_common(2 if len(self.was) == 2 else 1)
        parts = [f"{NONE if value is None else value} on {n}" for value, n in common]
        others = len(self.was) - len(common)
        if others:
            on = sum(self.was.values()) - sum(n for _, n in common)
            parts.append(f"{others} other values on {on}")
        return " (was " + ", ".join(parts) + ")"
