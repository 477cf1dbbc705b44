"""patchListingsItem bodies: parsing (400 on anything malformed) and applying JSON Patches.

Only top-level attributes can be patched (`/attributes/<name>`), and every value is an array
of objects, as in Amazon's ListingsItemPatchRequest. `merge` and `delete` match entries by
the attribute's `selectors` (e.g. marketplace_id and language_tag), like Amazon does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from asin_tui.sandbox.catalog import deep_copy

OPERATIONS = ("add", "replace", "merge", "delete")
_PATH = re.compile(r"^/attributes/([a-z][a-z0-9_]*)$")
DEFAULT_SELECTORS = ("marketplace_id", "language_tag")


@dataclass(frozen=True, slots=True)
class Operation:
    op: str
    attribute: str
    value: list[dict[str, Any]] | None


def parse_patch_body(body: Any, known_types: Mapping[str, Any]) -> tuple[str, list[Operation]]:
    """(productType, operations) of a ListingsItemPatchRequest; ValueError says what is wrong."""
    if not isinstance(body, dict):
        raise ValueError("The request body must be a JSON object with 'productType' and 'patches'.")
    product_type = body.get("productType")
    if not isinstance(product_type, str) or not product_type:
        raise ValueError("'productType' is required.")
    if product_type not in known_types:
        raise ValueError(f"'{product_type}' is not a valid product type.")
    patches = body.get("patches")
    if not isinstance(patches, list) or not patches:
        raise ValueError("'patches' must be a non-empty array of patch operations.")
    return product_type, [_operation(p, i) for i, p in enumerate(patches)]


def _operation(patch: Any, index: int) -> Operation:
    where = f"patches[{index}]"
    if not isinstance(patch, dict):
        raise ValueError(f"{where} must be an object with 'op', 'path' and 'value'.")
    op = patch.get("op")
    if op not in OPERATIONS:
        raise ValueError(f"{where}.op must be one of {', '.join(OPERATIONS)}, not {op!r}.")
    path = patch.get("path")
    match = _PATH.match(path) if isinstance(path, str) else None
    if match is None:
        raise ValueError(
            f"{where}.path {path!r} is not supported: only top-level attributes "
            "('/attributes/<name>') can be patched."
        )
    value = patch.get("value")
    if value is None and op == "delete":
        return Operation(op, match.group(1), None)
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ValueError(f"{where}.value must be an array of objects.")
    if not value and op != "delete":
        raise ValueError(f"{where}.value must not be empty for '{op}'.")
    return Operation(op, match.group(1), deep_copy(value))


def apply_patches(
    attributes: dict[str, Any], operations: list[Operation], schema: Mapping[str, Any]
) -> tuple[dict[str, Any], set[str]]:
    """The attribute document after the operations (in order), and the names they touched.

    `attributes` is modified in place and returned."""
    properties = schema.get("properties", {})
    touched: set[str] = set()
    for operation in operations:
        name = operation.attribute
        touched.add(name)
        selectors = tuple(properties.get(name, {}).get("selectors", DEFAULT_SELECTORS))
        current = attributes.get(name)
        current = current if isinstance(current, list) else []
        if operation.op in ("add", "replace"):
            result = operation.value or []
        elif operation.op == "merge":
            result = _merge(current, operation.value or [], selectors)
        else:
            result = _delete(current, operation.value, selectors)
        if result:
            attributes[name] = result
        else:
            attributes.pop(name, None)
    return attributes, touched


def _selected(entry: Any, key: dict[str, Any], selectors: tuple[str, ...]) -> bool:
    """Whether `entry` is the one `key` names (equal on every selector `key` gives)."""
    return isinstance(entry, dict) and all(entry.get(s) == key[s] for s in selectors if s in key)


def _merge(current: list, new: list[dict[str, Any]], selectors: tuple[str, ...]) -> list:
    result = list(current)
    for entry in new:
        for i, existing in enumerate(result):
            if _selected(existing, entry, selectors):
                result[i] = {**existing, **entry}
                break
        else:
            result.append(entry)
    return result


def _delete(current: list, keys: list[dict[str, Any]] | None, selectors: tuple[str, ...]) -> list:
    if not keys:
        return []
    return [e for e in current if not any(_selected(e, k, selectors) for k in keys)]
