"""Hypothesis strategies for SP-API response bodies, for the fuzz tests of the parser and the
diagnosis: bodies built from the shapes of Amazon's official models (swagger 2.0 definitions:
objects, arrays, enums, date-times, $refs), then mutated the way a broken or hostile answer
could be: a value of another JSON type, NaN, huge numbers, control characters, a key dropped,
a list where an object belongs, nesting deeper than anything Amazon sends."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

FIXTURES = Path(__file__).resolve().parent / "fixtures"

#: Strings a seller, a competitor or a broken proxy could put anywhere.
NASTY_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x1b[2J\x1b]52;c;ZXZpbA==\x07",
        "[/]",
        "[@click=app.quit]x",
        "\u202eevil",
        "\ud800",
        '=HYPERLINK("x")',
        "9" * 40,
        "NaN",
        "-1",
        "1e999",
        "2025-13-45T99:99:99Z",
        "2025-05-01T09:00:00",
        "2025-05-01T09:00:00+00:00",
        "ATVPDKIKX0DER",
        "DEFAULT",
        "AMAZON_NA",
        "BUYABLE",
        "DISCOVERABLE",
        "ERROR",
        "USD",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([10**309, -(10**400)]),  # JSON integers past any float: math raises
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    NASTY_TEXT,
)


def _deep(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


HOSTILE = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=8), SCALARS, max_size=3),
    st.sampled_from([[], {}, [{}], [[]], {"": None}]),
    st.integers(min_value=50, max_value=400).map(_deep),
)


def from_model(definitions: dict[str, Any], name: str, max_depth: int = 7) -> st.SearchStrategy:
    """Values of the definition ``name`` as the model describes them (required keys always,
    optional ones sometimes; free-form objects hold a few scalars or small objects)."""
    return _schema(definitions, definitions[name], max_depth)


def _schema(definitions: dict[str, Any], schema: dict[str, Any], depth: int) -> st.SearchStrategy:
    if "$ref" in schema:
        target = definitions[schema["$ref"].rsplit("/", 1)[-1]]
        return st.deferred(lambda: _schema(definitions, target, depth - 1))
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type", "object" if "properties" in schema else None)
    if depth <= 0:
        return SCALARS
    if kind == "object":
        properties = schema.get("properties", {})
        if not properties:  # free form, e.g. attributes: name -> list of objects
            entry = st.dictionaries(st.sampled_from(["value", "marketplace_id", "currency",
                                                     "language_tag", "unit", "audience"]),
                                    SCALARS, max_size=4)  # fmt: skip
            return st.dictionaries(
                st.sampled_from(["item_name", "brand", "purchasable_offer", "color",
                                 "fulfillment_availability", "list_price", "condition_type"]),
                st.lists(entry, max_size=2),
                max_size=4,
            )  # fmt: skip
        required = set(schema.get("required", ()))
        return st.fixed_dictionaries(
            {key: _schema(definitions, sub, depth - 1) for key, sub in properties.items()
             if key in required},
            optional={key: _schema(definitions, sub, depth - 1)
                      for key, sub in properties.items() if key not in required},
        )  # fmt: skip
    if kind == "array":
        return st.lists(_schema(definitions, schema.get("items", {}), depth - 1), max_size=3)
    if kind == "string":
        if schema.get("format") == "date-time":
            return st.datetimes(timezones=st.just(__import__("datetime").UTC)).map(
                lambda d: d.isoformat().replace("+00:00", "Z")
            )
        return st.one_of(st.text(max_size=15), NASTY_TEXT)
    if kind == "integer":
        return st.integers(min_value=-5, max_value=10**6)
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6)
    if kind == "boolean":
        return st.booleans()
    return SCALARS


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy, max_changes: int = 4) -> Any:
    """A value of ``base`` with up to ``max_changes`` nodes replaced by hostile values (or,
    in an object, dropped)."""
    value = copy.deepcopy(draw(base))
    if draw(st.integers(min_value=0, max_value=19)) == 0:
        return copy.deepcopy(draw(HOSTILE))  # now and then the whole body is something else
    for _ in range(draw(st.integers(min_value=0, max_value=max_changes))):
        places = list(_places(value))
        if not places:
            break
        parent, key = places[draw(st.integers(min_value=0, max_value=len(places) - 1))]
        if isinstance(parent, dict) and draw(st.integers(min_value=0, max_value=3)) == 0:
            del parent[key]
        else:
            parent[key] = copy.deepcopy(draw(HOSTILE))  # never a shared sample
    return value


def _places(value: Any):
    """(container, key) of every node below the root; walked without recursion."""
    pending = [value] if isinstance(value, dict | list) else []
    while pending:
        node = pending.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in list(items):
            yield node, key
            if isinstance(child, dict | list) and len(pending) < 200:
                pending.append(child)
