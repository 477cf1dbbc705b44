"""SP-API response bodies → typed domain objects. Pure: no network, no httpx.

Lenient about optional fields (missing → default), strict about shape: a field of the
wrong JSON type, an unparseable date or price, or an SP-API error body raises
``UnreadableBody`` with one line naming what is wrong and where.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeGuard

from asin_tui.domain.models import (
    AccountHealth,
    AttributeSpec,
    CatalogItem,
    Enforcement,
    FulfillmentAvailability,
    InventorySummary,
    Issue,
    Listing,
    Offer,
    ProductTypeRequirements,
    Restriction,
    RestrictionLink,
    RestrictionReason,
)

#: includedData sections of a listings Item (listingsItems_2021-08-01).
LISTING_SECTIONS = (
    "summaries",
    "attributes",
    "issues",
    "offers",
    "fulfillmentAvailability",
    "procurement",
    "relationships",
    "productTypes",
)

#: Keys inside an attribute entry that qualify the value rather than hold it.
_QUALIFIER_KEYS = frozenset({"marketplace_id", "language_tag", "audience", "unit"})

_UNFULFILLABLE_KINDS = (
    "customerDamagedQuantity",
    "warehouseDamagedQuantity",
    "distributorDamagedQuantity",
    "carrierDamagedQuantity",
    "defectiveQuantity",
    "expiredQuantity",
)


class UnreadableBody(ValueError):
    """An SP-API body that is not the shape its operation promises."""


# --------------------------------------------------------------------------- errors


def error_body(body: Any) -> str | None:
    """``"CODE: message"`` when ``body`` is an SP-API error body, else None.

    Recognises ``{"errors": [{code, message, details?}, ...]}`` and the bare-list form
    ``[{code, message}, ...]`` some operations (getListingsRestrictions 400) answer with.
    """
    if isinstance(body, Mapping):
        errors = body.get("errors")
        if not isinstance(errors, list) or not errors:
            return None
    elif isinstance(body, list) and body:
        errors = body
    else:
        return None
    first = errors[0]
    if not isinstance(first, Mapping) or "code" not in first:
        return None
    code = str(first.get("code"))
    message = str(first.get("message") or first.get("details") or "").strip()
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{code}: {message}{more}" if message else f"{code}{more}"


def _reject_error_body(body: Any, what: str) -> None:
    error = error_body(body)
    if error is not None:
        raise UnreadableBody(f"{what}: SP-API returned an error: {error}")


# --------------------------------------------------------------------------- field readers


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise UnreadableBody(f"{where}: expected an object, got {_kind(value)}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    """A JSON array; None/absent is an empty list."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise UnreadableBody(f"{where}: expected a list, got {_kind(value)}")
    return value


def _objects(value: Any, where: str) -> list[Mapping[str, Any]]:
    return [_mapping(v, f"{where}[{i}]") for i, v in enumerate(_list(value, where))]


def _opt_str(obj: Mapping[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise UnreadableBody(f"{where}.{key}: expected a string, got {_kind(value)}")
    return value


def _req_str(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = _opt_str(obj, key, where)
    if not value:
        raise UnreadableBody(f"{where}: missing '{key}'")
    return value


def _strings(obj: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = _list(obj.get(key), f"{where}.{key}")
    for value in values:
        if not isinstance(value, str):
            raise UnreadableBody(f"{where}.{key}: expected strings, got {_kind(value)}")
    return tuple(values)


def _opt_int(obj: Mapping[str, Any], key: str, where: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if not finite_number(value) or value != int(value):
        raise UnreadableBody(f"{where}.{key}: expected a whole number, got {value!r}")
    return int(value)


def _int(obj: Mapping[str, Any], key: str, where: str) -> int:
    value = _opt_int(obj, key, where)
    return 0 if value is None else value


def _opt_number(obj: Mapping[str, Any], key: str, where: str) -> float | None:
    value = obj.get(key)
    if value is None:
        return None
    if not finite_number(value):
        raise UnreadableBody(f"{where}.{key}: expected a number, got {value!r}")
    return value


def finite_number(value: Any) -> TypeGuard[int | float]:
    """A JSON number that is one (Python's json reads NaN, Infinity and 1e400 as floats, and
    a 400-digit integer as an int no float holds: math raised OverflowError on it)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def parse_datetime(value: Any, where: str) -> datetime | None:
    """ISO 8601 (``2025-05-28T00:36:48.914Z``) → aware datetime (UTC when no offset)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise UnreadableBody(f"{where}: expected an ISO 8601 date, got {_kind(value)}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UnreadableBody(f"{where}: not an ISO 8601 date: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _decimal(value: Any, where: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise UnreadableBody(f"{where}: expected a decimal amount, got {_kind(value)}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise UnreadableBody(f"{where}: not a decimal amount: {value!r}") from None
    if not amount.is_finite():
        raise UnreadableBody(f"{where}: not a decimal amount: {value!r}")
    return amount


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )


# --------------------------------------------------------------------------- listings


#: The includedData sections asin-tui's own calls ask for (a section absent from such an
#: answer is empty, not "not requested").
DIAGNOSIS_SECTIONS = (
    "summaries",
    "attributes",
    "issues",
    "offers",
    "fulfillmentAvailability",
    "relationships",
    "productTypes",
)


def parse_listing(item: Any, marketplace_id: str | None, *, asked: Sequence[str] = ()) -> Listing:
    """A listings ``Item`` (getListingsItem / one searchListingsItems item) for one marketplace.

    ``marketplace_id=None`` picks the first summary's marketplace, else the first issue's.
    ``has_summary`` is False when the Item has no summary for that marketplace (a failed
    submission: amzn #4834). ``included_data`` records which sections the body carried (plus
    ``asked``: the sections the call asked for, when known), so the diagnosis can tell "no
    offer" from "offers not requested".
    """
    _reject_error_body(item, "listing")
    item = _mapping(item, "listing")
    sku = _req_str(item, "sku", "listing")
    where = f"listing {sku}"
    summaries = _objects(item.get("summaries"), f"{where}.summaries")
    issues = tuple(
        _parse_issue(raw, f"{where}.issues[{i}]")
        for i, raw in enumerate(_objects(item.get("issues"), f"{where}.issues"))
    )
    marketplace_id = marketplace_id or _default_marketplace(summaries, issues, where)
    summary = next((s for s in summaries if s.get("marketplaceId") == marketplace_id), None)
    if summary is None and len(summaries) == 1 and not summaries[0].get("marketplaceId"):
        summary = summaries[0]  # a lone summary naming no marketplace is this listing's
    parents, children, theme = _relationships(item.get("relationships"), marketplace_id, where)
    attributes = item.get("attributes")
    return Listing(
        sku=sku,
        marketplace_id=marketplace_id,
        **(_summary_fields(summary, where) if summary else {"has_summary": False}),
        product_type=_product_type(item, summary, marketplace_id, where),
        issues=issues,
        offers=tuple(_parse_offers(item.get("offers"), where)),
        fulfillment=tuple(_parse_fulfillment(item.get("fulfillmentAvailability"), where)),
        attributes=dict(_mapping(attributes, f"{where}.attributes")) if attributes else {},
        parent_skus=parents,
        child_skus=children,
        variation_theme=theme,
        # a section given as null (the model allows none) carries no evidence: as absent
        included_data=frozenset(k for k in LISTING_SECTIONS if item.get(k) is not None).union(
            asked
        ),
        other_marketplaces=_other_marketplaces(summaries, issues, marketplace_id),
    )


def _other_marketplaces(
    summaries: Sequence[Mapping[str, Any]], issues: Sequence[Issue], marketplace_id: str
) -> tuple[str, ...]:
    named = [s.get("marketplaceId") for s in summaries]
    named += [m for issue in issues for m in issue.marketplace_ids]
    return tuple(
        dict.fromkeys(m for m in named if isinstance(m, str) and m and m != marketplace_id)
    )


#: python-amazon-sp-api's ApiResponse, printed or dumped: the SP-API body is under one of these.
_WRAPPER_KEYS = ("payload", "body")


def unwrap_body(body: Any) -> Any:
    """The SP-API body inside what sellers paste: python-amazon-sp-api's ``ApiResponse``
    (``{"payload": ..., "errors": null, "headers": ...}``) or an HTTP dump
    (``{"body": ..., "status_code": 200}``); any other body unchanged."""
    for _ in range(3):  # wrappers nest at most a couple deep
        if not isinstance(body, Mapping) or "sku" in body or "items" in body:
            return body
        inner = next(
            (body[k] for k in _WRAPPER_KEYS if isinstance(body.get(k), Mapping | list)), None
        )
        if inner is None or body.get("errors"):
            return body
        body = inner
    return body


#: ListingsItemSubmissionResponse.status values (listingsItems_2021-08-01).
SUBMISSION_STATUSES = frozenset({"ACCEPTED", "INVALID", "VALID"})


def is_submission(body: Any) -> bool:
    """A putListingsItem / patchListingsItem / deleteListingsItem answer, not a listing."""
    return (
        isinstance(body, Mapping)
        and isinstance(body.get("status"), str)
        and body["status"].upper() in SUBMISSION_STATUSES
        and "summaries" not in body
    )


def is_listing_collection(body: Any) -> bool:
    """A searchListingsItems page or a list of Items (however wrapped): its results are a
    list, even when it holds one item."""
    body = unwrap_body(body)
    return isinstance(body, list) or (
        isinstance(body, Mapping) and "items" in body and "sku" not in body
    )


def parse_listing_bodies(body: Any, marketplace_id: str | None) -> list[Listing]:
    """Every listing a pasted body holds: a getListingsItem Item, a searchListingsItems page
    (``{numberOfResults, items}``: one per item), a submission answer, a bare list of Items,
    any of them inside python-amazon-sp-api's ApiResponse. UnreadableBody when it holds
    no listing at all (an error body, another operation's answer)."""
    _reject_error_body(body, "listing")
    body = unwrap_body(body)
    _reject_error_body(body, "listing")
    if isinstance(body, Mapping) and "items" in body and "sku" not in body:
        items = _list(body.get("items"), "searchListingsItems.items")
        if not items:
            raise UnreadableBody("searchListingsItems page: it holds no items")
        return [parse_any_listing(item, marketplace_id) for item in items]
    if isinstance(body, list):
        if not body:
            raise UnreadableBody("listing: an empty list holds no listing")
        return [parse_any_listing(item, marketplace_id) for item in body]
    return [parse_any_listing(body, marketplace_id)]


def parse_any_listing(item: Any, marketplace_id: str | None) -> Listing:
    """One Item, or a submission answer read as what its issues say about that SKU. An Item
    pasted without its ``sku`` (but with summaries or issues) is still diagnosed."""
    if is_submission(item):
        return parse_submission(item, marketplace_id)
    if (
        isinstance(item, Mapping)
        and not item.get("sku")
        and ("summaries" in item or "issues" in item)
    ):
        item = {**item, "sku": NO_SKU}
    return parse_listing(item, marketplace_id)


#: The SKU shown for an Item pasted without one.
NO_SKU = "(no SKU in the body)"


def parse_submission(body: Any, marketplace_id: str | None) -> Listing:
    """A ListingsItemSubmissionResponse (``{sku, status, submissionId, issues, identifiers}``)
    as a Listing without a summary (it carries no live state) holding its issues."""
    body = _mapping(body, "submission")
    sku = _req_str(body, "sku", "submission")
    where = f"submission {sku}"
    issues = tuple(
        _parse_issue(raw, f"{where}.issues[{i}]")
        for i, raw in enumerate(_objects(body.get("issues"), f"{where}.issues"))
    )
    identifiers = _objects(body.get("identifiers"), f"{where}.identifiers")
    if not marketplace_id:
        marketplace_id = next(
            (i["marketplaceId"] for i in identifiers if isinstance(i.get("marketplaceId"), str)),
            None,
        ) or _default_marketplace((), issues, where)
    asin = next(
        (
            _opt_str(i, "asin", f"{where}.identifiers")
            for i in identifiers
            if i.get("marketplaceId") in (None, marketplace_id)
        ),
        None,
    )
    return Listing(
        sku=sku,
        marketplace_id=marketplace_id,
        asin=asin,
        has_summary=False,
        issues=issues,
        included_data=frozenset({"issues"}),
        submission_status=str(body["status"]).upper(),
    )


def _default_marketplace(
    summaries: Sequence[Mapping[str, Any]], issues: Sequence[Issue], where: str
) -> str:
    for summary in summaries:
        if summary.get("marketplaceId"):
            return _req_str(summary, "marketplaceId", f"{where}.summaries")
    for issue in issues:
        if issue.marketplace_ids:
            return issue.marketplace_ids[0]
    return ""  # the body names no marketplace: diagnose what it supports


def _summary_fields(summary: Mapping[str, Any], where: str) -> dict[str, Any]:
    where = f"{where}.summaries[{summary.get('marketplaceId')}]"
    image = summary.get("mainImage")
    return {
        "asin": _opt_str(summary, "asin", where),
        "condition_type": _opt_str(summary, "conditionType", where),
        "item_name": _opt_str(summary, "itemName", where),
        "status": frozenset(s.strip().upper() for s in _strings(summary, "status", where)),
        # null or absent (the model requires it): not known, unlike [] (neither)
        "status_known": summary.get("status") is not None,
        "fn_sku": _opt_str(summary, "fnSku", where),
        "created_date": parse_datetime(summary.get("createdDate"), f"{where}.createdDate"),
        "last_updated_date": parse_datetime(
            summary.get("lastUpdatedDate"), f"{where}.lastUpdatedDate"
        ),
        "main_image_url": _opt_str(_mapping(image, f"{where}.mainImage"), "link", where)
        if image
        else None,
    }


def _product_type(
    item: Mapping[str, Any],
    summary: Mapping[str, Any] | None,
    marketplace_id: str,
    where: str,
) -> str | None:
    if summary and summary.get("productType"):
        return _opt_str(summary, "productType", where)
    for entry in _objects(item.get("productTypes"), f"{where}.productTypes"):
        if entry.get("marketplaceId") in (None, marketplace_id):
            return _opt_str(entry, "productType", f"{where}.productTypes")
    return None


def _parse_issue(raw: Mapping[str, Any], where: str) -> Issue:
    return Issue(
        code=str(raw.get("code") or ""),
        message=_opt_str(raw, "message", where) or "",
        severity=(_opt_str(raw, "severity", where) or "ERROR").upper(),
        attribute_names=_attribute_names(raw, where),
        categories=_strings(raw, "categories", where),
        enforcement=_parse_enforcement(raw.get("enforcements"), f"{where}.enforcements"),
        marketplace_ids=_strings(raw, "marketplaceIds", where),
    )


def _attribute_names(raw: Mapping[str, Any], where: str) -> tuple[str, ...]:
    """``attributeNames`` (a list; a lone string is taken as one name) and the singular
    ``attributeName`` that submission answers and older versions carry."""
    names: list[str] = []
    for key in ("attributeNames", "attributeName"):
        value = raw.get(key)
        if isinstance(value, str):
            names.append(value)
        else:
            names += _strings(raw, key, where)
    return tuple(dict.fromkeys(n.strip() for n in names if n.strip()))


def _parse_enforcement(raw: Any, where: str) -> Enforcement | None:
    if raw is None:
        return None
    raw = _mapping(raw, where)
    actions = tuple(
        (a if isinstance(a, str) else _req_str(_mapping(a, at), "action", at)).strip().upper()
        for i, a in enumerate(_list(raw.get("actions"), f"{where}.actions"))
        if (at := f"{where}.actions[{i}]")
    )  # {"action": "X"} per the model; a bare "X" read the same
    exemption = _mapping(raw.get("exemption") or {}, f"{where}.exemption")
    return Enforcement(
        actions=actions,
        exemption_status=(_opt_str(exemption, "status", f"{where}.exemption") or "").upper()
        or None,
        exemption_expiry=parse_datetime(
            exemption.get("expiryDate"), f"{where}.exemption.expiryDate"
        ),
    )


def _parse_offers(raw: Any, where: str) -> list[Offer]:
    offers = []
    for i, offer in enumerate(_objects(raw, f"{where}.offers")):
        at = f"{where}.offers[{i}]"
        price = _money(offer.get("price"), f"{at}.price")
        audience = offer.get("audience")
        offers.append(
            Offer(
                marketplace_id=_opt_str(offer, "marketplaceId", at) or "",
                offer_type=(_opt_str(offer, "offerType", at) or "B2C").upper(),
                price=_decimal(price.get("amount"), f"{at}.price.amount"),
                currency=_opt_str(price, "currencyCode", f"{at}.price")
                or _opt_str(price, "currency", f"{at}.price"),
                audience=_opt_str(_mapping(audience, f"{at}.audience"), "value", at)
                if audience
                else None,
            )
        )
    return offers


def _money(raw: Any, where: str) -> Mapping[str, Any]:
    """A Money object (``{currencyCode, amount}``); a list of them is read as its first, and
    an absent or null price as none."""
    if isinstance(raw, list):
        raw = next(iter(raw), None)
    return _mapping(raw or {}, where)


def _parse_fulfillment(raw: Any, where: str) -> list[FulfillmentAvailability]:
    at = f"{where}.fulfillmentAvailability"
    return [
        FulfillmentAvailability(
            channel_code=_req_str(entry, "fulfillmentChannelCode", f"{at}[{i}]"),
            quantity=_opt_int(entry, "quantity", f"{at}[{i}]"),
        )
        for i, entry in enumerate(_objects(raw, at))
    ]


def _relationships(
    raw: Any, marketplace_id: str, where: str
) -> tuple[tuple[str, ...], tuple[str, ...], str | None]:
    """(parent SKUs, child SKUs, variation theme) of the VARIATION relationships here."""
    parents: list[str] = []
    children: list[str] = []
    theme: str | None = None
    at = f"{where}.relationships"
    for group in _objects(raw, at):
        if group.get("marketplaceId") not in (None, marketplace_id):
            continue
        for rel in _objects(group.get("relationships"), f"{at}.relationships"):
            if rel.get("type", "VARIATION") != "VARIATION":
                continue
            parents += _strings(rel, "parentSkus", at)
            children += _strings(rel, "childSkus", at)
            variation = rel.get("variationTheme")
            if variation:
                theme = _opt_str(_mapping(variation, f"{at}.variationTheme"), "theme", at)
    return tuple(dict.fromkeys(parents)), tuple(dict.fromkeys(children)), theme


# --------------------------------------------------------------------------- FBA inventory


def parse_inventory_summaries(body: Any) -> list[InventorySummary]:
    """getInventorySummaries: the full response (``{payload: {inventorySummaries}}``), the
    python-amazon-sp-api ``ApiResponse.payload`` dict, or the bare list of summaries."""
    _reject_error_body(body, "inventory")
    if isinstance(body, Mapping):
        payload = _mapping(body.get("payload", body), "inventory.payload")
        if "inventorySummaries" not in payload:
            raise UnreadableBody("inventory: no 'inventorySummaries' in the response")
        body = payload["inventorySummaries"]
    return [
        _parse_inventory_summary(raw, f"inventory[{i}]")
        for i, raw in enumerate(_objects(body, "inventory.inventorySummaries"))
    ]


def _parse_inventory_summary(raw: Mapping[str, Any], where: str) -> InventorySummary:
    sku = _req_str(raw, "sellerSku", where)
    where = f"inventory {sku}"
    details = _mapping(raw.get("inventoryDetails") or {}, f"{where}.inventoryDetails")
    reserved = _mapping(details.get("reservedQuantity") or {}, f"{where}.reservedQuantity")
    researching = _mapping(details.get("researchingQuantity") or {}, f"{where}.researchingQuantity")
    unfulfillable = _mapping(
        details.get("unfulfillableQuantity") or {}, f"{where}.unfulfillableQuantity"
    )
    breakdown = {
        kind.removesuffix("Quantity"): count
        for kind in _UNFULFILLABLE_KINDS
        if (count := _int(unfulfillable, kind, where))
    }
    return InventorySummary(
        seller_sku=sku,
        asin=_opt_str(raw, "asin", where),
        fn_sku=_opt_str(raw, "fnSku", where),
        condition=_opt_str(raw, "condition", where),
        total_quantity=_int(raw, "totalQuantity", where),
        fulfillable=_int(details, "fulfillableQuantity", where),
        inbound_working=_int(details, "inboundWorkingQuantity", where),
        inbound_shipped=_int(details, "inboundShippedQuantity", where),
        inbound_receiving=_int(details, "inboundReceivingQuantity", where),
        reserved_total=_int(reserved, "totalReservedQuantity", where),
        reserved_pending_customer_order=_int(reserved, "pendingCustomerOrderQuantity", where),
        reserved_pending_transshipment=_int(reserved, "pendingTransshipmentQuantity", where),
        reserved_fc_processing=_int(reserved, "fcProcessingQuantity", where),
        researching_total=_int(researching, "totalResearchingQuantity", where),
        unfulfillable_total=_int(unfulfillable, "totalUnfulfillableQuantity", where)
        or sum(breakdown.values()),
        unfulfillable_breakdown=breakdown,
        last_updated=parse_datetime(raw.get("lastUpdatedTime"), f"{where}.lastUpdatedTime"),
    )


# --------------------------------------------------------------------------- restrictions


def parse_restrictions(body: Any, marketplace_id: str | None = None) -> list[Restriction]:
    """getListingsRestrictions (``{restrictions: [...]}`` or the bare list). With
    ``marketplace_id``, only the restrictions for that marketplace. ``reasonCode`` is
    optional (the sandbox example has none); ``[]``, ``[{}]`` and entries without reasons
    all mean "no restriction"; an entry naming no marketplace is the one asked about."""
    _reject_error_body(body, "restrictions")
    if isinstance(body, Mapping):
        if "restrictions" not in body:
            raise UnreadableBody("restrictions: no 'restrictions' in the response")
        body = body["restrictions"]
    restrictions = []
    for i, raw in enumerate(_objects(body, "restrictions")):
        where = f"restrictions[{i}]"
        if not raw.get("reasons"):
            continue  # {} or a restriction without reasons: Amazon's documented "none"
        restriction = Restriction(
            marketplace_id=_opt_str(raw, "marketplaceId", where) or marketplace_id or "",
            condition_type=_opt_str(raw, "conditionType", where),
            reasons=tuple(
                _parse_reason(reason, f"{where}.reasons[{j}]")
                for j, reason in enumerate(_objects(raw.get("reasons"), f"{where}.reasons"))
            ),
        )
        if marketplace_id is None or restriction.marketplace_id == marketplace_id:
            restrictions.append(restriction)
    return restrictions


def _parse_reason(raw: Mapping[str, Any], where: str) -> RestrictionReason:
    return RestrictionReason(
        message=_opt_str(raw, "message", where) or "",
        reason_code=_opt_str(raw, "reasonCode", where),
        links=tuple(
            RestrictionLink(
                title=_opt_str(link, "title", where) or "",
                url=_req_str(link, "resource", f"{where}.links"),
            )
            for link in _objects(raw.get("links"), f"{where}.links")
        ),
    )


# --------------------------------------------------------------------------- product types


def parse_product_type(definition: Any, schema: Any) -> ProductTypeRequirements:
    """getDefinitionsProductType + the JSON Schema downloaded from its ``schema.link``.

    Each top-level schema property becomes an AttributeSpec read from
    ``items.properties.<value key>`` (type, format, enum/enumNames, lengths, UTF-8 byte
    lengths, minimum/maximum) plus Amazon's ``title``, ``description``, ``editable``,
    ``maxUniqueItems`` and ``selectors`` (with the item's properties: whether an entry carries
    marketplace_id and language_tag). Only the unconditional top-level ``required`` list marks required.
    """
    _reject_error_body(definition, "product type definition")
    definition = _mapping(definition, "product type definition")
    schema = _mapping(schema, "product type schema")
    product_type = _req_str(definition, "productType", "product type definition")
    properties = _mapping(schema.get("properties") or {}, "product type schema.properties")
    required = set(_strings(schema, "required", "product type schema"))
    version = _mapping(definition.get("productTypeVersion") or {}, "productTypeVersion")
    marketplaces = _strings(definition, "marketplaceIds", "product type definition")
    return ProductTypeRequirements(
        product_type=product_type,
        marketplace_id=marketplaces[0] if marketplaces else "",
        display_name=_opt_str(definition, "displayName", "product type definition") or "",
        checksum=_opt_str(_mapping(definition.get("schema") or {}, "schema"), "checksum", ""),
        version=_opt_str(version, "version", "productTypeVersion"),
        requirements=_opt_str(definition, "requirements", "") or "LISTING",
        attributes={
            name: _attribute_spec(name, _mapping(prop, f"schema.{name}"), name in required)
            for name, prop in properties.items()
        },
    )


def _attribute_spec(name: str, prop: Mapping[str, Any], required: bool) -> AttributeSpec:
    where = f"product type schema.properties.{name}"
    items = _mapping(prop.get("items") or {}, f"{where}.items")
    inner = _mapping(items.get("properties") or {}, f"{where}.items.properties")
    value_key = _value_key(inner, _strings(items, "required", f"{where}.items"))
    value = _mapping(inner.get(value_key) or {}, f"{where}.items.properties.{value_key}")
    value_type = _scalar_type(value.get("type", "string"))
    return AttributeSpec(
        name=name,
        title=_opt_str(prop, "title", where) or "",
        description=_opt_str(prop, "description", where) or "",
        required=required,
        value_type=value_type,
        value_key=value_key,
        enum=tuple(str(v) for v in _list(value.get("enum"), f"{where}.enum")),
        enum_names=tuple(str(v) for v in _list(value.get("enumNames"), f"{where}.enumNames")),
        min_length=_opt_int(value, "minLength", where),
        max_length=_opt_int(value, "maxLength", where),
        min_utf8_byte_length=_opt_int(value, "minUtf8ByteLength", where),
        max_utf8_byte_length=_opt_int(value, "maxUtf8ByteLength", where),
        minimum=_opt_number(value, "minimum", where),
        maximum=_opt_number(value, "maximum", where),
        max_items=_opt_int(prop, "maxUniqueItems", where) or _opt_int(prop, "maxItems", where),
        editable=prop.get("editable", True) is not False,
        value_format=_opt_str(value, "format", where),
        qualifiers=_qualifiers(inner, _strings(prop, "selectors", where)),
    )


#: Entry keys whose value the wizard knows for a new entry (the listing's marketplace, its
#: language); other selectors (audience, unit, fulfillment channel) depend on the value.
_FILLED_QUALIFIERS = ("marketplace_id", "language_tag")


def _qualifiers(inner: Mapping[str, Any], selectors: Sequence[str]) -> tuple[str, ...]:
    """Which of marketplace_id / language_tag an entry of this attribute carries: those the
    schema names as ``selectors`` or declares among the item's properties."""
    return tuple(key for key in _FILLED_QUALIFIERS if key in selectors or key in inner)


_SCALAR_TYPES = frozenset({"string", "number", "integer", "boolean"})


def _scalar_type(declared: Any) -> str:
    """A value's JSON Schema ``type`` as one scalar type, else "object" (structured): a list
    of types (``["string", "null"]``, valid JSON Schema) gives its first scalar one."""
    candidates = declared if isinstance(declared, list) else [declared]
    return next((t for t in candidates if isinstance(t, str) and t in _SCALAR_TYPES), "object")


def _value_key(inner: Mapping[str, Any], required: Sequence[str]) -> str:
    """The key of an attribute entry holding its value: ``value`` when present, else the
    first required (then first declared) key that is not a qualifier like marketplace_id."""
    if "value" in inner or not inner:
        return "value"
    for key in (*required, *inner):
        if key in inner and key not in _QUALIFIER_KEYS:
            return key
    return next(iter(inner))


# --------------------------------------------------------------------------- catalog


def parse_catalog_item(body: Any, marketplace_id: str | None = None) -> CatalogItem:
    """A Catalog Items 2022-04-01 Item (one of searchCatalogItems' items, or getCatalogItem's
    answer). Picks the summary / product types for ``marketplace_id`` (default: the first).
    An ASIN the catalog does not have has no body: callers build
    ``CatalogItem(asin, found=False)`` themselves."""
    _reject_error_body(body, "catalog item")
    body = _mapping(body, "catalog item")
    asin = _req_str(body, "asin", "catalog item")
    where = f"catalog item {asin}"
    summaries = _objects(body.get("summaries"), f"{where}.summaries")
    summary = next((s for s in summaries if marketplace_id in (None, s.get("marketplaceId"))), {})
    product_types = tuple(
        _req_str(entry, "productType", f"{where}.productTypes")
        for entry in _objects(body.get("productTypes"), f"{where}.productTypes")
        if marketplace_id in (None, entry.get("marketplaceId"))
    )
    return CatalogItem(
        asin=asin,
        item_classification=_opt_str(summary, "itemClassification", where),
        product_types=tuple(dict.fromkeys(product_types)),
        brand=_opt_str(summary, "brand", where),
        item_name=_opt_str(summary, "itemName", where),
    )


# --------------------------------------------------------------------------- account health

#: Account statuses outside the schema's enum that mean the same as one in it.
_ACCOUNT_STATUS_ALIASES = {"SUSPENDED": "DEACTIVATED"}


def parse_account_health(doc: Any, marketplace_id: str) -> AccountHealth | None:
    """The GET_V2_SELLER_PERFORMANCE_REPORT document (accountHealthReport-2020-11-18) for one
    marketplace; None when the report says nothing about that marketplace's status.

    Lenient, because Amazon's own example breaks its schema (docs/INACTIVE_CAUSES.md, the account gate): a status outside
    the enum is kept (``SUSPENDED`` reads as DEACTIVATED), and every metric carrying
    ``defectsCount`` counts as a policy section whatever its name (``documentRequest`` or
    ``documentRequests``). ``policy_counters`` holds the sections whose status is BAD, with
    their defect counts, in the document's order. A document that is not an object, or an
    SP-API error body, raises UnreadableBody."""
    _reject_error_body(doc, "account health report")
    doc = _mapping(doc, "account health report")
    status = _account_status(doc.get("accountStatuses"), marketplace_id)
    if status is None:
        return None
    metrics = _marketplace_metrics(doc.get("performanceMetrics"), marketplace_id)
    return AccountHealth(
        marketplace_id=marketplace_id,
        status=status,
        policy_counters=_bad_policy_sections(metrics),
        rates=_order_rates(metrics),
        rating=_rating_status(metrics.get("accountHealthRating")),
    )


#: performanceMetrics key -> AccountHealth.rates name
_RATE_METRICS = {
    "lateShipmentRate": "late_shipment_rate",
    "preFulfillmentCancellationRate": "pre_fulfillment_cancellation_rate",
    "validTrackingRate": "valid_tracking_rate",
}


def _rate_of(metric: Any) -> float | None:
    rate = metric.get("rate") if isinstance(metric, Mapping) else None
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
        return None
    return float(rate)


def _order_rates(metrics: Mapping[str, Any]) -> dict[str, float]:
    """The order metrics' rates (orderDefectRate: the worse of its mfn and afn entries);
    a metric that is absent or has no readable rate is left out."""
    rates = {
        name: rate
        for key, name in _RATE_METRICS.items()
        if (rate := _rate_of(metrics.get(key))) is not None
    }
    odr = metrics.get("orderDefectRate")
    channels = [_rate_of(odr.get(c)) for c in ("mfn", "afn")] if isinstance(odr, Mapping) else []
    if found := [r for r in channels if r is not None]:
        rates["order_defect_rate"] = max(found)
    return rates


def _rating_status(rating: Any) -> str | None:
    """accountHealthRating's status: the schema requires ``ahrStatus`` and declares
    ``accountHealthRatingStatus``; either is read."""
    if not isinstance(rating, Mapping):
        return None
    for key in ("ahrStatus", "accountHealthRatingStatus"):
        value = rating.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip().upper()
    return None


def _account_status(statuses: Any, marketplace_id: str) -> str | None:
    for entry in statuses if isinstance(statuses, list) else ():
        if isinstance(entry, Mapping) and entry.get("marketplaceId") == marketplace_id:
            status = entry.get("status")
            if isinstance(status, str) and status.strip():
                status = status.strip().upper()
                return _ACCOUNT_STATUS_ALIASES.get(status, status)
    return None


def _marketplace_metrics(metrics: Any, marketplace_id: str) -> Mapping[str, Any]:
    """The marketplace's performanceMetrics entry (a lone entry naming no marketplace is
    taken as this one's); empty when there is none."""
    entries = [m for m in metrics if isinstance(m, Mapping)] if isinstance(metrics, list) else []
    for entry in entries:
        if entry.get("marketplaceId") == marketplace_id:
            return entry
    if len(entries) == 1 and "marketplaceId" not in entries[0]:
        return entries[0]
    return {}


def _whole(value: Any) -> TypeGuard[int | float]:
    if isinstance(value, float):
        return value.is_integer()  # False for inf and nan, which json.loads also accepts
    return isinstance(value, int) and not isinstance(value, bool)


def _bad_policy_sections(metrics: Mapping[str, Any]) -> dict[str, int]:
    counters: dict[str, int] = {}
    for name, section in metrics.items():
        if not (isinstance(section, Mapping) and "defectsCount" in section):
            continue
        count = section.get("defectsCount")
        if section.get("status") == "BAD" and _whole(count):
            counters[name] = int(count)
    return counters
