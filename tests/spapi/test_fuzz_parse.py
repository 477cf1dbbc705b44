"""Fuzzing the sync's parser (asin_tui/spapi/parse.py): every body a sync reads (search pages
and Items, FBA inventory summaries, listing restrictions, catalog items, product type
definitions, the Account Health report), built from the official models' shapes and the test
fixtures, then mutated. Property: each parser raises nothing but MalformedResponse (the
sync names the listing and goes on), and what it returns is well-formed: every field of every
dataclass has the type its annotation says, numbers are finite, times carry their zone.

Bounded for CI (tests/conftest.py's profile: derandomized, no database)."""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import types
import typing
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asin_tui.sandbox.account import SandboxAccount
from asin_tui.spapi import parse
from asin_tui.spapi.parse import UnreadableBody
from tests.bodies import fixture, from_model, mutated
from tests.conftest import MODELS_DIR
from tests.conftest import examples as scaled

US = "ATVPDKIKX0DER"
MARKETPLACES = st.sampled_from([US, "A1PA6795UKMFR9", "A1VC38T7YXB528"])


def model_shaped(model: str, definition: str) -> list[st.SearchStrategy]:
    """Values shaped like ``definition`` of the official ``model`` (none without the models)."""
    path = MODELS_DIR / model
    if not path.is_file():
        return []
    return [from_model(json.loads(path.read_text(encoding="utf-8"))["definitions"], definition)]


def bodies(*fixtures: object, model: tuple[str, str] | None = None) -> st.SearchStrategy:
    bases = [st.just(value) for value in fixtures]
    if model:
        bases += model_shaped(*model)
    return mutated(st.one_of(*bases))


def check(value: object, hint: object = object, where: str = "result") -> None:
    """``value`` has the type ``hint`` says, down through dataclasses, tuples and mappings."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint in (typing.Any, object):
        pass
    elif origin in (typing.Union, types.UnionType):
        assert any(_fits(value, arm) for arm in args), f"{where}: {value!r} is not {hint}"
        arm = next(arm for arm in args if _fits(value, arm))
        check(value, arm, where)
        return
    elif origin in (tuple, list):
        assert isinstance(value, origin), f"{where}: {value!r} is not a {origin.__name__}"
        inner = args[0] if args else object
        for i, item in enumerate(value):
            check(item, inner, f"{where}[{i}]")
    elif origin is not None and issubclass(origin, Mapping):
        assert isinstance(value, Mapping), f"{where}: {value!r} is not a mapping"
        for key, item in value.items():
            check(key, args[0] if args else object, f"{where} key")
            check(item, args[1] if args else object, f"{where}[{key!r}]")
    elif isinstance(hint, type):
        assert _fits(value, hint), f"{where}: {value!r} is not {hint.__name__}"
    if isinstance(value, float):
        assert math.isfinite(value), f"{where}: {value!r}"
    if isinstance(value, Decimal):
        assert value.is_finite(), f"{where}: {value!r}"
    if isinstance(value, datetime):
        assert value.tzinfo is not None, f"{where}: a time without its zone"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        hints = typing.get_type_hints(type(value))
        for field in dataclasses.fields(value):
            check(getattr(value, field.name), hints[field.name], f"{where}.{field.name}")


def _fits(value: object, hint: object) -> bool:
    origin = typing.get_origin(hint) or hint
    if hint in (typing.Any, object):
        return True
    if hint is type(None):
        return value is None
    if origin is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if origin is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(origin, type) and issubclass(origin, enum.Enum):
        return isinstance(value, origin)
    if isinstance(origin, type):
        if issubclass(origin, Mapping):
            return isinstance(value, Mapping)
        return isinstance(value, origin)
    return True


def run(parser, strategy, examples: int = 150):
    """Every body ``strategy`` draws: ``parser`` returns something well-formed or raises
    MalformedResponse, and nothing else."""

    @settings(max_examples=scaled(examples))
    @given(body=strategy, marketplace=MARKETPLACES)
    def property(body, marketplace):
        try:
            result = parser(body, marketplace)
        except UnreadableBody as exc:
            assert str(exc)  # says what is wrong, for the sync's "could not be fetched" line
            return
        check(result)

    property()


def test_listings_items_and_search_pages():
    strategy = bodies(
        fixture("listing_healthy.json"),
        fixture("listing_fba_out_of_stock.json"),
        fixture("listing_variation_parent.json"),
        fixture("real/search_page_two_items.json"),
        model=("listingsItems_2021-08-01.json", "ItemSearchResults"),
    )
    run(parse.parse_listing_bodies, strategy, examples=200)
    items = bodies(
        fixture("listing_incomplete.json"), model=("listingsItems_2021-08-01.json", "Item")
    )
    run(parse.parse_listing, items, examples=200)


def test_fba_inventory_summaries():
    strategy = bodies(
        fixture("inventory_fba_out_of_stock.json"),
        model=("fbaInventory.json", "GetInventorySummariesResponse"),
    )
    run(lambda body, _mp: parse.parse_inventory_summaries(body), strategy)


def test_listing_restrictions():
    strategy = bodies(
        fixture("restrictions_sandbox_200.json"),
        fixture("real/restrictions_by_condition.json"),
        model=("listingsRestrictions_2021-08-01.json", "RestrictionList"),
    )
    run(parse.parse_restrictions, strategy)


def test_catalog_items():
    strategy = bodies(
        fixture("catalog_item_sandbox_200.json"),
        model=("catalogItems_2022-04-01.json", "Item"),
    )
    run(parse.parse_catalog_item, strategy)


def test_product_type_definitions():
    definition = fixture("product_type_kitchen_definition.json")
    schema = fixture("product_type_kitchen_schema.json")
    pair = st.tuples(mutated(st.just(definition)), mutated(st.just(schema), max_changes=6))
    run(lambda both, _mp: parse.parse_product_type(*both), pair, examples=100)


@pytest.mark.parametrize("status", ["NORMAL", "AT_RISK"])
def test_account_health_reports(status):
    document = SandboxAccount(listings=20, account_status=status).account_health_report()
    run(parse.parse_account_health, bodies(document), examples=100)
