"""Each patch told in words against the listing as it is: what the confirmation shows."""

from __future__ import annotations

from decimal import Decimal

from asin_tui.domain import patches
from asin_tui.domain.change_words import (
    changes_nothing,
    describe_patches,
    grouped_changes,
    marketplace_text,
    split_was,
    value_names,
)
from asin_tui.domain.models import AttributeSpec
from tests.domain.test_patches import DE, US, listing, offer_entry

MFN = [{"fulfillment_channel_code": "DEFAULT", "quantity": 0, "lead_time_to_ship_max_days": 3}]


def test_quantity_and_handling_time_say_the_new_and_the_old_value():
    item = listing(fulfillment_availability=MFN)
    ops = patches.set_mfn_quantity(item, 12, handling_time=2)
    assert describe_patches(item, ops) == [
        "Set quantity to 12 (was 0)",
        "Set handling time to 2 days (was 3 days)",
    ]
    same_days = patches.set_mfn_quantity(item, 5, handling_time=3)
    assert describe_patches(item, same_days) == ["Set quantity to 5 (was 0)"]


def test_a_quantity_on_a_listing_without_one_was_not_set():
    item = listing()
    assert describe_patches(item, patches.set_mfn_quantity(item, 4)) == [
        "Set quantity to 4 (was not set)"
    ]


def test_switching_channels_is_said():
    fba = listing(fulfillment_availability=[{"fulfillment_channel_code": "AMAZON_NA"}])
    words = describe_patches(fba, patches.set_mfn_quantity(fba, 3))
    assert words[0].startswith("Switch to merchant fulfilment (was fulfilled by Amazon)")
    assert words[1] == "Set quantity to 3 (was not set)"
    mfn = listing(fulfillment_availability=MFN)
    assert describe_patches(mfn, patches.switch_to_fba(mfn)) == [
        "Hand fulfilment to Amazon (FBA, AMAZON_NA) (was merchant fulfilled)"
    ]


def test_prices_are_money_with_the_currency():
    item = listing(purchasable_offer=[offer_entry(124.0, 20, 100)])
    ops = patches.set_price(item, price=Decimal("79.99"), maximum=Decimal("150"))
    assert describe_patches(item, ops) == [
        "Set price to 79.99 USD (was 124.00 USD)",
        "Set maximum allowed price to 150.00 USD (was 100.00 USD)",
    ]
    bare = listing(purchasable_offer=[offer_entry(30)])
    ops = patches.set_price(bare, minimum=Decimal("10"))
    assert describe_patches(bare, ops) == ["Set minimum allowed price to 10.00 USD (was not set)"]


def test_attributes_are_added_replaced_or_removed_by_name():
    brand = AttributeSpec("brand", value_type="string")
    item = listing()
    assert describe_patches(item, patches.set_attribute(item, brand, ["Acme"])) == [
        "Add brand = Acme"
    ]
    named = listing(brand=[{"value": "Acme Inc", "marketplace_id": US}])
    assert describe_patches(named, patches.set_attribute(named, brand, ["Acme"])) == [
        "Set brand to Acme (was Acme Inc)"
    ]
    bullets = AttributeSpec("bullet_point", value_type="string")
    assert describe_patches(item, patches.set_attribute(item, bullets, ["Soft", "Warm"])) == [
        "Add bullet_point = 2 values: Soft; Warm"
    ]
    assert describe_patches(named, patches.delete_attribute(named, "brand")) == ["Remove brand"]


def test_a_value_the_schema_names_is_said_by_its_name_not_amazons_code():
    """The demo's approval case: the seller picked "New" for Item Condition and the send
    confirmation said "Set condition_type to new_new (was used_acceptable)"."""
    condition = AttributeSpec(
        "condition_type",
        title="Item Condition",
        enum=("new_new", "used_acceptable", "club_club"),
        enum_names=("New", "Used - Acceptable", ""),
    )
    item = listing(condition_type=[{"value": "used_acceptable", "marketplace_id": US}])
    sent = patches.set_attribute(item, condition, ["new_new"])
    names = value_names([condition, AttributeSpec("brand")])
    assert names == {"condition_type": {"new_new": "New", "used_acceptable": "Used - Acceptable"}}
    assert describe_patches(item, sent, names) == [
        "Set condition_type to New (was Used - Acceptable)"
    ]
    assert describe_patches(item, sent) == ["Set condition_type to new_new (was used_acceptable)"]
    unnamed = patches.set_attribute(item, condition, ["club_club"])  # no name: the value
    assert describe_patches(item, unnamed, names) == [
        "Set condition_type to club_club (was Used - Acceptable)"
    ]


def test_the_marketplace_is_named_with_its_code_and_id():
    assert marketplace_text(DE) == "Germany (DE, A1PA6795UKMFR9)"
    assert marketplace_text("UNKNOWN1") == "UNKNOWN1"


def test_a_batchs_changes_are_told_once_each_with_their_count_and_first_skus():
    """Issue 13: the one confirmation says how many listings, which SKUs and what changes —
    each distinct change once (the value each listing had aside), the largest first."""
    listings = [
        (f"SKU-{n}", [f"Set quantity to 12 (was {3 if n % 100 == 0 else 0})"]) for n in range(480)
    ]
    listings += [
        ("EXTRA-1", ["Set quantity to 12 (was 0)", "Set handling time to 2 days (was not set)"])
    ]
    assert grouped_changes(listings) == [
        "Set quantity to 12 — 481 listings: SKU-0, SKU-1, SKU-2 and 478 more (was 0 on 476, 3 on 5)",
        "Set handling time to 2 days — 1 listing: EXTRA-1 (was not set)",
    ]
    assert grouped_changes([("A", ["Add brand = Acme"]), ("B", ["Add brand = Acme"])]) == [
        "Add brand = Acme — 2 listings: A, B"
    ]


def test_many_distinct_changes_are_capped_and_the_rest_counted():
    many = [(f"S{n}", [f"Set quantity to {n % 40} (was {n % 7})"]) for n in range(2000)]
    lines = grouped_changes(many, groups=6)
    assert len(lines) == 7
    assert lines[0].startswith(
        "Set quantity to 0 — 50 listings: S0, S40, S80 and 47 more (was 0 on "
    )
    assert "other values on" in lines[0]
    assert lines[-1] == "… and 34 other changes, to 1700 listings (each listing's change below)"


def test_a_batchs_confirmation_is_as_long_for_20000_listings_as_for_20():
    def batch(count: int) -> list[tuple[str, list[str]]]:
        return [
            (
                f"SKU-{n}",
                ["Set quantity to 5 (was 0)", f"Set price to {n % 3}.00 USD (was 9.00 USD)"],
            )
            for n in range(count)
        ]

    small, large = grouped_changes(batch(20)), grouped_changes(batch(20_000))
    assert len(small) == len(large) == 4
    assert (
        large[0] == "Set quantity to 5 — 20000 listings: SKU-0, SKU-1, SKU-2 and 19997 more (was 0)"
    )
    assert sum(map(len, large)) < 2 * sum(map(len, small))


def test_the_value_a_change_replaced_is_split_off():
    assert split_was("Set quantity to 12 (was 0)") == ("Set quantity to 12", "0")
    assert split_was("Set brand to A (was B) (was C)") == ("Set brand to A (was B)", "C")
    assert split_was("Add brand = Acme") == ("Add brand = Acme", None)
    assert split_was("Hand fulfilment to Amazon (FBA, AMAZON_NA)") == (
        "Hand fulfilment to Amazon (FBA, AMAZON_NA)",
        None,
    )


def test_a_change_to_the_value_it_had_changes_nothing():
    assert changes_nothing("Set quantity to 9 (was 9)")
    assert not changes_nothing("Set quantity to 9 (was 0)")
    assert not changes_nothing("Set quantity to 19 (was 9)")  # not a suffix match
    assert not changes_nothing("Set brand to Acme")  # no value before: a change
    assert not changes_nothing("Remove color")
    # a price typed as the listing has it (the demo walk: 12,50 after 12.50 was sent)
    item = listing(purchasable_offer=[offer_entry(12.5, 10, 20)])
    (kept,) = describe_patches(item, patches.set_price(item, price=Decimal("12.50")))
    assert changes_nothing(kept)
