"""Patch builders produce the SP-API JSON Patch shapes; validation speaks the schema's rules."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from asin_tui.domain import patches
from asin_tui.domain.models import AttributeSpec, FulfillmentAvailability, Listing, Offer

US = "ATVPDKIKX0DER"
DE = "A1PA6795UKMFR9"


def listing(**attributes) -> Listing:
    return Listing(
        sku="SKU-1",
        marketplace_id=US,
        product_type="LUGGAGE",
        offers=(Offer(US, "B2C", Decimal("25.00"), "USD"),),
        fulfillment=(FulfillmentAvailability("DEFAULT", 0),),
        attributes=attributes,
    )


def offer_entry(price, minimum=None, maximum=None, **extra):
    entry = {"marketplace_id": US, "currency": "USD", "audience": "ALL", **extra}
    for key, amount in (
        ("our_price", price),
        ("minimum_seller_allowed_price", minimum),
        ("maximum_seller_allowed_price", maximum),
    ):
        if amount is not None:
            entry[key] = [{"schedule": [{"value_with_tax": amount}]}]
    return entry


# --------------------------------------------------------------------------- stock


def test_set_mfn_quantity_adds_attribute_with_handling_time():
    ops = patches.set_mfn_quantity(listing(), 12, handling_time=2)
    assert ops == [
        {
            "op": "add",
            "path": "/attributes/fulfillment_availability",
            "value": [
                {
                    "fulfillment_channel_code": "DEFAULT",
                    "quantity": 12,
                    "lead_time_to_ship_max_days": 2,
                }
            ],
        }
    ]
    json.dumps(ops)  # JSON-ready


def test_set_mfn_quantity_replaces_and_carries_handling_time_drops_restock_date():
    current = [
        {
            "fulfillment_channel_code": "DEFAULT",
            "quantity": 0,
            "lead_time_to_ship_max_days": 5,
            "restock_date": "2026-01-01",
        }
    ]
    (op,) = patches.set_mfn_quantity(listing(fulfillment_availability=current), 3)
    assert op["op"] == "replace"
    assert op["value"] == [
        {"fulfillment_channel_code": "DEFAULT", "quantity": 3, "lead_time_to_ship_max_days": 5}
    ]


def test_set_mfn_quantity_rejects_negative():
    with pytest.raises(ValueError):
        patches.set_mfn_quantity(listing(), -1)


def test_switch_to_fba_uses_region_channel_without_quantity():
    us = patches.switch_to_fba(listing())
    assert us[0]["value"] == [{"fulfillment_channel_code": "AMAZON_NA"}]
    de = Listing(sku="X", marketplace_id=DE)
    assert patches.switch_to_fba(de)[0]["value"] == [{"fulfillment_channel_code": "AMAZON_EU"}]


def test_handling_days_reads_mfn_entry():
    current = [{"fulfillment_channel_code": "DEFAULT", "lead_time_to_ship_max_days": 4}]
    assert patches.handling_days(listing(fulfillment_availability=current)) == 4
    assert patches.handling_days(listing()) is None


# --------------------------------------------------------------------------- price


def test_price_band_reads_purchasable_offer_and_reports_conflict():
    band = patches.price_band(listing(purchasable_offer=[offer_entry(12.5, 15, 40)]))
    assert (band.price, band.minimum, band.maximum, band.currency) == (
        Decimal("12.5"),
        Decimal("15"),
        Decimal("40"),
        "USD",
    )
    assert band.conflict == "price 12.50 USD is below the minimum 15.00 USD"
    above = patches.price_band(listing(purchasable_offer=[offer_entry(50, 15, 40)]))
    assert above.conflict == "price 50.00 USD is above the maximum 40.00 USD"
    assert patches.price_band(listing(purchasable_offer=[offer_entry(20, 15, 40)])).conflict is None
    assert above.band_text == "15.00 – 40.00 USD"


def test_money_text_uses_the_currencys_decimals():
    assert patches.money_text(Decimal("31.0"), "USD") == "31.00 USD"
    assert patches.money_text(1200, "JPY") == "1,200 JPY"
    assert patches.money_text(Decimal("7.5")) == "7.50"
    assert patches.money_text(None, "EUR") == "—"


def test_price_band_falls_back_to_offer_price():
    band = patches.price_band(listing())
    assert band.price == Decimal("25.00") and band.minimum is None and band.currency == "USD"


def test_set_price_carries_over_other_fields_and_entries():
    b2b = {"marketplace_id": US, "currency": "USD", "audience": "B2B", "our_price": []}
    other_market = offer_entry(30)
    other_market["marketplace_id"] = DE
    consumer = offer_entry(12, 15, 40, map_price=[{"schedule": [{"value_with_tax": 10}]}])
    item = listing(purchasable_offer=[b2b, other_market, consumer])
    (op,) = patches.set_price(item, minimum=Decimal("10"))
    assert op["op"] == "replace" and op["path"] == "/attributes/purchasable_offer"
    assert op["value"][0] == b2b and op["value"][1] == other_market
    new = op["value"][2]
    assert new["minimum_seller_allowed_price"] == [{"schedule": [{"value_with_tax": 10}]}]
    assert new["our_price"] == consumer["our_price"]
    assert new["maximum_seller_allowed_price"] == consumer["maximum_seller_allowed_price"]
    assert new["map_price"] == consumer["map_price"]
    assert item.attributes["purchasable_offer"][2]["minimum_seller_allowed_price"] == [
        {"schedule": [{"value_with_tax": 15}]}
    ], "the listing itself is not mutated"


def test_set_price_creates_offer_entry_when_missing():
    (op,) = patches.set_price(listing(), price=Decimal("19.99"))
    assert op["op"] == "add"
    assert op["value"] == [
        {
            "marketplace_id": US,
            "audience": "ALL",
            "currency": "USD",
            "our_price": [{"schedule": [{"value_with_tax": 19.99}]}],
        }
    ]


def test_set_price_needs_something_to_change():
    with pytest.raises(ValueError):
        patches.set_price(listing())


# --------------------------------------------------------------------------- attributes


def test_set_attribute_free_text_gets_marketplace_and_language():
    spec = AttributeSpec(name="brand")
    (op,) = patches.set_attribute(listing(), spec, ["Acme"])
    assert op == {
        "op": "add",
        "path": "/attributes/brand",
        "value": [{"marketplace_id": US, "language_tag": "en_US", "value": "Acme"}],
    }


def test_set_attribute_enum_and_numbers_have_no_language_tag():
    spec = AttributeSpec(name="country_of_origin", enum=("CN", "US"))
    assert patches.set_attribute(listing(), spec, ["US"])[0]["value"] == [
        {"marketplace_id": US, "value": "US"}
    ]
    count = AttributeSpec(name="num_batteries", value_type="number")
    assert patches.set_attribute(listing(), count, [Decimal("2.5")])[0]["value"] == [
        {"marketplace_id": US, "value": 2.5}
    ]


def test_set_attribute_adds_only_the_qualifiers_the_schema_declares():
    """A new main image carries marketplace_id only: Amazon answers INVALID to a
    language_tag the image's schema does not have."""
    image = AttributeSpec(
        name="main_product_image_locator",
        value_key="media_location",
        value_format="uri",
        qualifiers=("marketplace_id",),
    )
    (op,) = patches.set_attribute(listing(), image, ["https://img.example/a.jpg"])
    assert op["value"] == [{"marketplace_id": US, "media_location": "https://img.example/a.jpg"}]
    bullets = AttributeSpec(name="bullet_point", qualifiers=("marketplace_id", "language_tag"))
    assert patches.set_attribute(listing(), bullets, ["Oak"])[0]["value"] == [
        {"marketplace_id": US, "language_tag": "en_US", "value": "Oak"}
    ]
    bare = AttributeSpec(name="fulfillment_note", qualifiers=())
    assert patches.set_attribute(listing(), bare, ["x"])[0]["value"] == [{"value": "x"}]


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("https://img.example/a.jpg", True),
        ("http://img.example/a.jpg?x=1", True),
        ("img.example/a.jpg", False),
        ("https://", False),
        ("ftp://img.example/a.jpg", False),
        ("https://img.example/my image.jpg", False),
        ("https://[::1", False),
    ],
)
def test_a_uri_value_is_validated_as_you_type(text, ok):
    spec = AttributeSpec(name="main_product_image_locator", value_format="uri")
    result = patches.validate_value(spec, text)
    assert result.ok is ok
    assert (result.value, result.message) == (
        (text, "") if ok else (None, "enter a full web address (https://…)")
    )


def test_set_attribute_reuses_current_selectors_and_value_key():
    spec = AttributeSpec(name="main_product_image_locator", value_key="media_location")
    current = [{"media_location": "http://old", "marketplace_id": US}]
    (op,) = patches.set_attribute(
        listing(main_product_image_locator=current), spec, ["https://img/new.jpg"]
    )
    assert op["op"] == "replace"
    assert op["value"] == [{"marketplace_id": US, "media_location": "https://img/new.jpg"}]


def test_set_attribute_honours_max_items():
    spec = AttributeSpec(name="bullet_point", max_items=1)
    with pytest.raises(ValueError):
        patches.set_attribute(listing(), spec, ["a", "b"])
    with pytest.raises(ValueError):
        patches.set_attribute(listing(), spec, [])


def test_delete_attribute_sends_selectors_only():
    current = [{"value": "bad", "marketplace_id": US, "language_tag": "en_US"}]
    assert patches.delete_attribute(listing(color=current), "color") == [
        {
            "op": "delete",
            "path": "/attributes/color",
            "value": [{"marketplace_id": US, "language_tag": "en_US"}],
        }
    ]


def test_paths_are_top_level_only():
    with pytest.raises(ValueError):
        patches.delete_attribute(listing(), "purchasable_offer/0/our_price")


def test_current_value_text_prefills_from_marketplace_entry():
    spec = AttributeSpec(name="size")
    item = listing(
        size=[{"value": "L", "marketplace_id": DE}, {"value": "M", "marketplace_id": US}]
    )
    assert patches.current_value_text(item, spec) == "M"
    assert patches.current_value_text(listing(), spec) == ""


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("spec", "text", "expected"),
    [
        (AttributeSpec(name="c", enum=("new_new", "used_good")), "used_good", (True, "used_good")),
        (
            AttributeSpec(name="c", enum=("new_new",), enum_names=("New",)),
            "new",
            (True, "new_new"),
        ),
        (AttributeSpec(name="q", value_type="integer"), " 7 ", (True, 7)),
        (AttributeSpec(name="w", value_type="number"), "2.50", (True, Decimal("2.50"))),
        (AttributeSpec(name="b", value_type="boolean"), "Yes", (True, True)),
        (AttributeSpec(name="t", max_length=5), "héllo", (True, "héllo")),
        (AttributeSpec(name="o"), "", (True, None)),
    ],
)
def test_validate_value_accepts(spec, text, expected):
    ok, message, value = patches.validate_value(spec, text)
    assert (ok, value) == expected and message == ""


@pytest.mark.parametrize(
    ("spec", "text", "message"),
    [
        (
            AttributeSpec(name="c", enum=("new_new", "used_good")),
            "mint",
            "choose one of: new_new, used_good",
        ),
        (AttributeSpec(name="q", value_type="integer"), "1.5", "enter a whole number"),
        (AttributeSpec(name="q", value_type="integer", minimum=1), "0", "must be at least 1"),
        (AttributeSpec(name="w", value_type="number", maximum=9.5), "10", "must be at most 9.5"),
        (AttributeSpec(name="w", value_type="number"), "abc", "enter a number"),
        (AttributeSpec(name="w", value_type="number"), "nan", "enter a number"),
        (AttributeSpec(name="t", min_length=3), "ab", "at least 3 characters (now 2)"),
        (AttributeSpec(name="t", max_length=4), "abcde", "at most 4 characters (now 5)"),
        (
            AttributeSpec(name="t", max_utf8_byte_length=5),
            "héllo",
            "at most 5 bytes (UTF-8) (now 6)",
        ),
        (
            AttributeSpec(name="t", min_utf8_byte_length=4),
            "abc",
            "at least 4 bytes (UTF-8) (now 3)",
        ),
        (AttributeSpec(name="b", value_type="boolean"), "maybe", "enter yes or no"),
        (AttributeSpec(name="brand", title="Brand", required=True), "  ", "Brand is required"),
        (AttributeSpec(name="x", editable=False), "v", "x cannot be edited through the API"),
        (
            AttributeSpec(name="dims", value_type="object"),
            "v",
            "dims is structured: edit it in Seller Central",
        ),
    ],
)
def test_validate_value_rejects_with_message(spec, text, message):
    assert patches.validate_value(spec, text) == (False, message, None)


def test_enum_message_truncates_long_lists():
    spec = AttributeSpec(name="c", enum=tuple(f"v{i}" for i in range(10)))
    assert patches.validate_value(spec, "zz").message == "choose one of: v0, v1, v2, v3, v4, v5, …"


def test_stock_and_price_specs():
    assert patches.validate_value(patches.QUANTITY_SPEC, "-1").ok is False
    assert patches.validate_value(patches.QUANTITY_SPEC, "").message == "MFN quantity is required"
    assert patches.validate_value(patches.HANDLING_TIME_SPEC, "31").message == "must be at most 30"
    assert patches.validate_value(patches.PRICE_SPEC, "0").message == "must be at least 0.01"
    assert patches.validate_value(patches.PRICE_SPEC, "19.99").value == Decimal("19.99")


@pytest.mark.parametrize(
    ("text", "comma", "amount"),
    [
        ("79.99", False, "79.99"),
        ("79,99", True, "79.99"),  # DE, FR, IT, ES…: the marketplace's decimal comma
        ("1.299,00", True, "1299.00"),
        ("1.299", True, "1299"),  # a German seller's thousands
        ("79.99", True, "79.99"),  # a point where it cannot be grouping: a decimal point
        ("1,299.00", False, "1299.00"),
        ("1,299", False, "1299"),
        ("79,99", False, "79.99"),
        ("1 299,50", True, "1299.50"),
        ("-3", False, "-3"),
        ("12.", False, "12"),
    ],
)
def test_amounts_are_read_as_the_marketplace_writes_them(text, comma, amount):
    assert patches.parse_amount(text, decimal_comma=comma) == Decimal(amount)


@pytest.mark.parametrize(
    ("text", "comma"),
    [
        ("1,299.00", True),
        ("1.299,00", False),
        ("1,2,3", False),
        ("abc", False),
        ("nan", False),
        ("1e5", False),
        ("", False),
        (",", True),
        ("1.2.3", False),
    ],
)
def test_what_is_not_an_amount_is_refused(text, comma):
    assert patches.parse_amount(text, decimal_comma=comma) is None


def test_a_price_with_a_decimal_comma_validates_where_the_marketplace_uses_one():
    spec = patches.PRICE_SPEC
    assert patches.validate_value(spec, "79,99", decimal_comma=True) == (True, "", Decimal("79.99"))
    assert (
        patches.validate_value(spec, "0,00", decimal_comma=True).message == "must be at least 0.01"
    )


def test_amounts_show_the_currency_decimals_and_an_unset_band_says_so():
    assert patches.amount_text(Decimal("124.0"), "EUR") == "124.00"
    assert patches.amount_text(Decimal("1200"), "USD", grouping=False) == "1200.00"
    assert patches.amount_text(1200, "JPY") == "1,200"
    band = patches.PriceBand(Decimal("124.0"), None, None, "USD")
    assert (band.band_text, band.allowed_text) == ("not set", "no allowed band set")
    one_sided = patches.PriceBand(Decimal("5"), None, Decimal("72.68"), "USD")
    assert one_sided.allowed_text == "allowed no minimum – 72.68 USD"
