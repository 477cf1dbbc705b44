"""JSON Patch builders for patchListingsItem, and as-you-type validation of attribute values.

Pure: no network, no Textual. Every builder returns a list of SP-API ``PatchOperation`` dicts
(``{"op", "path", "value"}``), JSON-ready. The Listings API only patches top-level attributes and
every value is an array of objects, so a builder that changes one field of an attribute (a price
inside ``purchasable_offer``, the quantity inside ``fulfillment_availability``) rewrites the whole
attribute and carries over everything it is not changing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from asin_tui.domain.marketplaces import marketplace_by_id
from asin_tui.domain.models import AttributeSpec, Listing

Patch = dict[str, Any]
#: A JSON value as ``json`` reads and writes it: what a JSON Patch's ``value`` holds (the UI
#: hands the service patches of these, never objects of its own).
JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]

FULFILLMENT_AVAILABILITY = "fulfillment_availability"
PURCHASABLE_OFFER = "purchasable_offer"
MFN_CHANNEL = "DEFAULT"
HANDLING_TIME_KEY = "lead_time_to_ship_max_days"
OUR_PRICE = "our_price"
MINIMUM_PRICE = "minimum_seller_allowed_price"
MAXIMUM_PRICE = "maximum_seller_allowed_price"
PRICE_KEYS = (OUR_PRICE, MINIMUM_PRICE, MAXIMUM_PRICE)

#: Typed-input specs for the wizard's stock and price fields (validated like schema attributes).
QUANTITY_SPEC = AttributeSpec(
    name="quantity", title="MFN quantity", required=True, value_type="integer", minimum=0
)
HANDLING_TIME_SPEC = AttributeSpec(
    name=HANDLING_TIME_KEY,
    title="Handling time (days)",
    value_type="integer",
    minimum=0,
    maximum=30,
)
PRICE_SPEC = AttributeSpec(name=OUR_PRICE, title="Price", value_type="number", minimum=0.01)


# --------------------------------------------------------------------------- reading


def attribute_entries(listing: Listing, name: str) -> list[dict[str, Any]]:
    """The listing's current entries of one attribute (always a list of dicts; one object
    instead of a list of them is read as its only entry; other shapes are skipped)."""
    return [dict(e) for e in _one_or_many(listing.attributes.get(name))]


def _objects(raw: Any) -> list[Mapping[str, Any]]:
    """The objects of a JSON list; nothing when ``raw`` is not a list."""
    return [e for e in raw if isinstance(e, Mapping)] if isinstance(raw, list) else []


def current_value_text(listing: Listing, spec: AttributeSpec) -> str:
    """The first current value of an attribute as text (prefill for an input), '' if none."""
    values = current_values_text(listing, spec)
    return values[0] if values else ""


def current_values_text(listing: Listing, spec: AttributeSpec) -> list[str]:
    """Every current value of an attribute in the listing's marketplace, as text (the
    bullet points, one each)."""
    found = []
    for entry in attribute_entries(listing, spec.name):
        if entry.get("marketplace_id", listing.marketplace_id) != listing.marketplace_id:
            continue
        value = entry.get(spec.value_key)
        if value is not None and not isinstance(value, (Mapping, list)):
            found.append(str(value).lower() if isinstance(value, bool) else str(value))
    return found


def handling_days(listing: Listing) -> int | None:
    """``lead_time_to_ship_max_days`` of the merchant-fulfilled channel, if set."""
    entry = _mfn_entry(listing)
    value = entry.get(HANDLING_TIME_KEY) if entry else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


#: ISO 4217 currencies without minor units (Amazon's JP marketplace sells in yen).
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "CLP", "ISK", "VND"})


def money_text(amount: Decimal | float | int | None, currency: str | None = None) -> str:
    """An amount as a seller reads it: '31.00 USD', '1,200 JPY', '31.00' ('—' when unknown)."""
    if amount is None:
        return "—"
    text = amount_text(amount, currency)
    return f"{text} {currency}" if currency else text


def amount_text(
    amount: Decimal | float | int, currency: str | None = None, *, grouping: bool = True
) -> str:
    """The number alone, with the currency's decimals: '31.00', '1,200' (yen); without
    ``grouping`` as an input is prefilled ('1200.00', never '1,200.00')."""
    places = 0 if (currency or "").upper() in ZERO_DECIMAL_CURRENCIES else 2
    return f"{Decimal(str(amount)):{',' if grouping else ''}.{places}f}"


_SPACES = str.maketrans("", "", " \u00a0\u202f")


def parse_amount(text: str, *, decimal_comma: bool = False) -> Decimal | None:
    """A typed amount: '79.99'; with ``decimal_comma`` (DE, FR… see Marketplace) '79,99' and
    '1.299,00'; otherwise '1,299.00'. Thousands may be grouped by the other separator (or
    spaces); a lone separator that cannot be grouping ('79,99' in the US, '79.99' in DE)
    is read as the decimal point. None when it is not a number."""
    text = text.strip().translate(_SPACES)
    point, group = (",", ".") if decimal_comma else (".", ",")
    sign = text[:1] if text[:1] in "+-" else ""
    body = text[len(sign) :]
    grouped = re.fullmatch(rf"\d{{1,3}}(?:{re.escape(group)}\d{{3}})+", body.split(point)[0])
    if point in body and group in body:
        whole, _, fraction = body.rpartition(point)
        if not (grouped and fraction.isdigit() and body.count(point) == 1):
            return None
        body = whole.replace(group, "") + "." + fraction
    elif group in body:
        if grouped:
            body = body.replace(group, "")
        elif body.count(group) == 1:
            body = body.replace(group, ".")  # 79,99 in the US, 79.99 in DE: a decimal point
        else:
            return None
    elif point in body:
        if body.count(point) != 1:
            return None
        body = body.replace(point, ".")
    if not re.fullmatch(r"\d*\.?\d*", body) or not any(c.isdigit() for c in body):
        return None
    return Decimal(sign + body)


@dataclass(frozen=True, slots=True)
class PriceBand:
    """The selling price and the seller's allowed band, read from ``purchasable_offer``."""

    price: Decimal | None
    minimum: Decimal | None
    maximum: Decimal | None
    currency: str | None

    def money(self, amount: Decimal | None) -> str:
        return money_text(amount, self.currency)

    @property
    def conflict(self) -> str | None:
        """Plain words for a price outside its band (None when it fits or is unknown)."""
        low, high = self.minimum, self.maximum
        if self.price is None:
            return None
        if low is not None and self.price < low:
            return f"price {self.money(self.price)} is below the minimum {self.money(low)}"
        if high is not None and self.price > high:
            return f"price {self.money(self.price)} is above the maximum {self.money(high)}"
        return None

    @property
    def conflict_brief(self) -> str:
        """The conflict for a narrow column: 'Price above max 72.24' ('' when none)."""
        low, high = self.minimum, self.maximum
        if self.price is None:
            return ""
        if low is not None and self.price < low:
            return f"Price below min {amount_text(low, self.currency)}"
        if high is not None and self.price > high:
            return f"Price above max {amount_text(high, self.currency)}"
        return ""

    @property
    def band_text(self) -> str:
        """'24.22 – 72.68 USD', 'no minimum – 72.68 USD', 'not set'."""
        low, high = self.minimum, self.maximum
        if low is None and high is None:
            return "not set"
        low_text = "no minimum" if low is None else amount_text(low, self.currency)
        high_text = "no maximum" if high is None else amount_text(high, self.currency)
        return f"{low_text} – {high_text} {self.currency or ''}".rstrip()

    @property
    def nearest(self) -> tuple[Decimal, str] | None:
        """The price to suggest and where it comes from: a price below the minimum, the
        allowed minimum ('the allowed minimum 161.17 USD': the smallest change that makes it
        sell); above the maximum, the maximum; no price, or one inside the band that Amazon
        flags all the same, the band's middle. None without the band this needs."""
        low, high = self.minimum, self.maximum
        if self.price is not None and low is not None and self.price < low:
            return low, f"the allowed minimum {self.money(low)}"
        if self.price is not None and high is not None and self.price > high:
            return high, f"the allowed maximum {self.money(high)}"
        if low is None or high is None or low > high:
            return None  # no middle: the band is open or upside down
        return (low + high) / 2, f"the middle of the allowed {self.band_text}"

    @property
    def allowed_text(self) -> str:
        """'allowed 24.22 – 72.68 USD', or 'no allowed band set'."""
        if self.minimum is None and self.maximum is None:
            return "no allowed band set"
        return f"allowed {self.band_text}"


def price_band(listing: Listing) -> PriceBand:
    """Price and band for the listing's marketplace (falls back to the offer's price)."""
    entry = _offer_entry(listing) or {}
    offer = listing.offer()
    price = _schedule_amount(entry.get(OUR_PRICE))
    if price is None and offer is not None:
        price = offer.price
    currency = _text(entry.get("currency")) or (offer.currency if offer else None)
    return PriceBand(
        price=price,
        minimum=_schedule_amount(entry.get(MINIMUM_PRICE)),
        maximum=_schedule_amount(entry.get(MAXIMUM_PRICE)),
        currency=currency,
    )


# --------------------------------------------------------------------------- stock


def set_mfn_quantity(
    listing: Listing, quantity: int, *, handling_time: int | None = None
) -> list[Patch]:
    """Merchant-fulfilled quantity (+ handling time). On an FBA listing this switches it to MFN.

    Fields of the current DEFAULT entry are carried over, except ``restock_date`` which a
    restock makes stale."""
    if quantity < 0:
        raise ValueError("quantity must be 0 or more")
    entry = {k: v for k, v in (_mfn_entry(listing) or {}).items() if k != "restock_date"}
    entry.update(fulfillment_channel_code=MFN_CHANNEL, quantity=quantity)
    if handling_time is not None:
        entry[HANDLING_TIME_KEY] = handling_time
    return [_write(listing, FULFILLMENT_AVAILABILITY, [entry])]


def switch_to_fba(listing: Listing) -> list[Patch]:
    """Hand the offer to Amazon's fulfilment network of the marketplace's region (no quantity:
    FBA stock is counted by Amazon)."""
    market = marketplace_by_id(listing.marketplace_id)
    if market is None:
        raise ValueError(f"unknown marketplace {listing.marketplace_id}")
    value = [{"fulfillment_channel_code": market.fba_channel_code}]
    return [_write(listing, FULFILLMENT_AVAILABILITY, value)]


# --------------------------------------------------------------------------- price


def set_price(
    listing: Listing,
    *,
    price: Decimal | None = None,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
) -> list[Patch]:
    """Set the price and/or the allowed band of the marketplace's consumer offer.

    ``purchasable_offer`` is rewritten whole: the other entries (B2B, other marketplaces) and the
    fields not changed here (map_price, discounted_price, ...) are carried over."""
    asked = {OUR_PRICE: price, MINIMUM_PRICE: minimum, MAXIMUM_PRICE: maximum}
    changes = {k: v for k, v in asked.items() if v is not None}
    if not changes:
        raise ValueError("nothing to change: give a price, a minimum or a maximum")
    entries = attribute_entries(listing, PURCHASABLE_OFFER)
    index = _offer_index(listing, entries)
    if index is None:
        entries.append(_new_offer_entry(listing))
        index = len(entries) - 1
    entry = entries[index]
    for key, amount in changes.items():
        entry[key] = [{"schedule": [{"value_with_tax": _json_number(amount)}]}]
    return [_write(listing, PURCHASABLE_OFFER, entries)]


# --------------------------------------------------------------------------- attributes


def set_attribute(listing: Listing, spec: AttributeSpec, values: Sequence[Any]) -> list[Patch]:
    """Set/replace an attribute's value(s) for the listing's marketplace.

    Each new entry reuses the selectors of the current entry (marketplace_id, language_tag, unit...)
    when there is one; otherwise marketplace_id, plus language_tag for free text."""
    if not values:
        raise ValueError(f"{spec.name}: no value to set")
    if spec.max_items is not None and len(values) > spec.max_items:
        raise ValueError(f"{spec.name}: at most {spec.max_items} value(s)")
    template = _selector_template(listing, spec)
    value = [{**template, spec.value_key: _json_value(v)} for v in values]
    return [_write(listing, spec.name, value)]


def delete_attribute(listing: Listing, name: str) -> list[Patch]:
    """Remove an attribute's value(s) in the listing's marketplace (selectors only, no value)."""
    selectors = []
    for entry in attribute_entries(listing, name) or [{"marketplace_id": listing.marketplace_id}]:
        kept = {k: entry[k] for k in ("marketplace_id", "language_tag") if k in entry}
        if kept and kept not in selectors:
            selectors.append(kept)
    return [{"op": "delete", "path": _path(name), "value": selectors or [{}]}]


# --------------------------------------------------------------------------- validation


class Validation(NamedTuple):
    """Result of validating typed text: ``ok, message, value = validate_value(spec, text)``.

    ``value`` is the typed value to send (str, int, Decimal, bool) or None when empty."""

    ok: bool
    message: str
    value: Any


def validate_value(spec: AttributeSpec, text: str, *, decimal_comma: bool = False) -> Validation:
    """Check text against the schema of one attribute, as the user types (``decimal_comma``:
    numbers as the marketplace writes them, 79,99)."""
    text = text.strip()
    label = spec.title or spec.name
    if not spec.editable:
        return Validation(False, f"{label} cannot be edited through the API", None)
    if not text:
        if spec.required:
            return Validation(False, f"{label} is required", None)
        return Validation(True, "", None)
    if spec.enum:
        return _validate_enum(spec, text)
    if spec.value_type == "number":
        return _validate_number(spec, text, decimal_comma=decimal_comma)
    checker = _CHECKERS.get(spec.value_type)
    if checker is None:
        return Validation(False, f"{label} is structured: edit it in Seller Central", None)
    return checker(spec, text)


def validate_lines(spec: AttributeSpec, text: str) -> Validation:
    """Several values typed one a line (bullet points): each line checked like one value,
    blank lines skipped, at most ``max_items`` of them. The value is the list of values
    (None when there is none)."""
    lines = [line for line in text.splitlines() if line.strip()]
    label = spec.title or spec.name
    if not lines:
        return validate_value(spec, "")
    if spec.max_items is not None and len(lines) > spec.max_items:
        return Validation(False, f"at most {spec.max_items} lines (now {len(lines)})", None)
    values = []
    for n, line in enumerate(lines, 1):
        ok, message, value = validate_value(spec, line)
        if not ok:
            return Validation(False, f"{label} line {n}: {message}", None)
        values.append(value)
    return Validation(True, "", values)


def _validate_enum(spec: AttributeSpec, text: str) -> Validation:
    lowered = text.casefold()
    for i, value in enumerate(spec.enum):
        name = spec.enum_names[i] if i < len(spec.enum_names) else value
        if lowered in (value.casefold(), name.casefold()):
            return Validation(True, "", value)
    shown = ", ".join(spec.enum[:6]) + (", …" if len(spec.enum) > 6 else "")
    return Validation(False, f"choose one of: {shown}", None)


def _validate_string(spec: AttributeSpec, text: str) -> Validation:
    chars, size = len(text), len(text.encode("utf-8"))
    limits = (
        (spec.min_length, chars, "at least", "characters", lambda lim, n: n >= lim),
        (spec.max_length, chars, "at most", "characters", lambda lim, n: n <= lim),
        (spec.min_utf8_byte_length, size, "at least", "bytes (UTF-8)", lambda lim, n: n >= lim),
        (spec.max_utf8_byte_length, size, "at most", "bytes (UTF-8)", lambda lim, n: n <= lim),
    )
    for limit, measured, word, unit, fits in limits:
        if limit is not None and not fits(limit, measured):
            return Validation(False, f"{word} {limit} {unit} (now {measured})", None)
    if spec.value_format == "uri" and not _is_web_address(text):
        return Validation(False, "enter a full web address (https://…)", None)
    return Validation(True, "", text)


def _is_web_address(text: str) -> bool:
    """An absolute http(s) URL with a host and no spaces (what Amazon can download)."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not any(c.isspace() for c in text)
    )


def _validate_integer(spec: AttributeSpec, text: str) -> Validation:
    try:
        value = int(text)
    except ValueError:
        return Validation(False, "enter a whole number", None)
    return _check_range(spec, value)


def _validate_number(spec: AttributeSpec, text: str, *, decimal_comma: bool = False) -> Validation:
    value = parse_amount(text, decimal_comma=decimal_comma)
    if value is None:
        return Validation(False, "enter a number", None)
    return _check_range(spec, value)


def _validate_boolean(spec: AttributeSpec, text: str) -> Validation:
    lowered = text.casefold()
    if lowered in ("true", "yes", "y"):
        return Validation(True, "", True)
    if lowered in ("false", "no", "n"):
        return Validation(True, "", False)
    return Validation(False, "enter yes or no", None)


def _check_range(spec: AttributeSpec, value: int | Decimal) -> Validation:
    if spec.minimum is not None and value < Decimal(str(spec.minimum)):
        return Validation(False, f"must be at least {_fmt(spec.minimum)}", None)
    if spec.maximum is not None and value > Decimal(str(spec.maximum)):
        return Validation(False, f"must be at most {_fmt(spec.maximum)}", None)
    return Validation(True, "", value)


_CHECKERS = {
    "string": _validate_string,
    "integer": _validate_integer,
    "boolean": _validate_boolean,
}


# --------------------------------------------------------------------------- helpers


def _path(name: str) -> str:
    if not name or "/" in name:
        raise ValueError(f"not a top-level attribute name: {name!r}")
    return f"/attributes/{name}"


def _write(listing: Listing, name: str, value: list[dict[str, Any]]) -> Patch:
    """``replace`` an attribute the listing has, ``add`` one it does not."""
    op = "replace" if name in listing.attributes else "add"
    return {"op": op, "path": _path(name), "value": value}


def _mfn_entry(listing: Listing) -> dict[str, Any] | None:
    for entry in attribute_entries(listing, FULFILLMENT_AVAILABILITY):
        if entry.get("fulfillment_channel_code") == MFN_CHANNEL:
            return entry
    return None


def _offer_index(listing: Listing, entries: list[dict[str, Any]]) -> int | None:
    """The consumer (audience ALL) offer entry of the listing's marketplace."""
    for i, entry in enumerate(entries):
        if entry.get("marketplace_id", listing.marketplace_id) != listing.marketplace_id:
            continue
        if entry.get("audience", "ALL") == "ALL":
            return i
    return None


def _offer_entry(listing: Listing) -> dict[str, Any] | None:
    entries = attribute_entries(listing, PURCHASABLE_OFFER)
    index = _offer_index(listing, entries)
    return entries[index] if index is not None else None


def _new_offer_entry(listing: Listing) -> dict[str, Any]:
    offer = listing.offer()
    market = marketplace_by_id(listing.marketplace_id)
    currency = (offer.currency if offer else None) or (market.currency if market else None)
    entry: dict[str, Any] = {"marketplace_id": listing.marketplace_id, "audience": "ALL"}
    if currency:
        entry["currency"] = currency
    return entry


def _text(raw: Any) -> str | None:
    """A non-empty string value, else None (a listing's attribute values are seller data of
    any JSON type: a number or a list where a currency code belongs is no currency)."""
    return (raw.strip() or None) if isinstance(raw, str) else None


def _schedule_amount(raw: Any) -> Decimal | None:
    """``[{"schedule": [{"value_with_tax": 19.99}]}]`` → Decimal('19.99'); None when there is
    no finite amount in that shape. A price or schedule given as one object instead of a list
    of them, and ``value`` for ``value_with_tax``, are read too (pasted bodies have both)."""
    for price in _one_or_many(raw):
        for slot in _one_or_many(price.get("schedule")):
            amount = slot.get("value_with_tax", slot.get("value"))
            if isinstance(amount, (int, float, str)) and not isinstance(amount, bool):
                try:
                    value = Decimal(str(amount))
                except InvalidOperation:
                    return None
                return value if value.is_finite() else None
    return None


def _one_or_many(raw: Any) -> list[Mapping[str, Any]]:
    return [raw] if isinstance(raw, Mapping) else _objects(raw)


def _selector_template(listing: Listing, spec: AttributeSpec) -> dict[str, Any]:
    """The keys a new entry carries besides its value: those of the current entry, else the
    qualifiers the schema declares (without a schema: marketplace_id, plus language_tag for
    free text, as most text attributes have)."""
    for entry in attribute_entries(listing, spec.name):
        if entry.get("marketplace_id", listing.marketplace_id) == listing.marketplace_id:
            return {k: v for k, v in entry.items() if k != spec.value_key}
    qualifiers = spec.qualifiers
    if qualifiers is None:
        free_text = spec.value_type == "string" and not spec.enum
        qualifiers = ("marketplace_id", "language_tag") if free_text else ("marketplace_id",)
    market = marketplace_by_id(listing.marketplace_id)
    known = {
        "marketplace_id": listing.marketplace_id,
        "language_tag": market.language_tag if market else None,
    }
    return {key: known[key] for key in qualifiers if known.get(key) is not None}


def _json_number(value: Decimal | int) -> int | float:
    if isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else float(value)


def _json_value(value: Any) -> Any:
    return _json_number(value) if isinstance(value, Decimal) else value


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)
