"""Product type schemas of the sandbox account, in Amazon's meta-schema style, and a validator.

Each product type has a JSON Schema (draft 2019-09 plus Amazon's custom vocabulary: `enumNames`,
`maxUtf8ByteLength`, `maxUniqueItems`, `selectors`, `editable`, `hidden`) whose `properties` are
the top-level listing attributes: every attribute value is an array of objects. The schema is
what getDefinitionsProductType links to, and what `validate()` checks patches and listings
against, so the sandbox's answers and its published schema cannot drift apart.

Pure data and functions: no I/O.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from asin_tui.sandbox.marketplaces import Marketplace

META_SCHEMA_ID = (
    "https://schemas.amazon.com/selling-partners/definitions/product-types/meta-schema/v1"
)
SCHEMA_ID_BASE = "https://schemas.amazon.com/selling-partners/definitions/product-types/schema/v1/"

CONDITION_TYPES = (
    ("new_new", "New"),
    ("new_open_box", "New - Open Box"),
    ("new_oem", "New - OEM"),
    ("refurbished_refurbished", "Refurbished"),
    ("used_like_new", "Used - Like New"),
    ("used_very_good", "Used - Very Good"),
    ("used_good", "Used - Good"),
    ("used_acceptable", "Used - Acceptable"),
    ("collectible_like_new", "Collectible - Like New"),
    ("collectible_very_good", "Collectible - Very Good"),
    ("collectible_good", "Collectible - Good"),
    ("collectible_acceptable", "Collectible - Acceptable"),
    ("club_club", "Club"),
)
COUNTRIES = (
    ("CN", "China"),
    ("DE", "Germany"),
    ("ES", "Spain"),
    ("FR", "France"),
    ("GB", "United Kingdom"),
    ("ID", "Indonesia"),
    ("IN", "India"),
    ("IT", "Italy"),
    ("JP", "Japan"),
    ("KR", "South Korea"),
    ("MX", "Mexico"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("TH", "Thailand"),
    ("TR", "Turkey"),
    ("TW", "Taiwan"),
    ("US", "United States"),
    ("VN", "Vietnam"),
)
DG_HZ_REGULATIONS = (
    ("ghs", "GHS"),
    ("not_applicable", "Not Applicable"),
    ("other", "Other"),
    ("storage", "Storage"),
    ("transportation", "Transportation"),
    ("unknown", "Unknown"),
    ("waste", "Waste"),
)
IDENTIFIER_TYPES = (("ean", "EAN"), ("gtin", "GTIN"), ("isbn", "ISBN"), ("upc", "UPC"))
VARIATION_THEMES = (("COLOR", "Color"), ("SIZE", "Size"), ("SIZE/COLOR", "Size & Color"))
AUDIENCES = (("ALL", "Sell on Amazon"), ("B2B", "Amazon Business (B2B)"))


@dataclass(frozen=True, slots=True)
class Attr:
    """One top-level attribute: how it is described and what its `value` may hold."""

    name: str
    title: str
    description: str
    value_type: str = "string"  # string | integer | number | boolean
    enum: tuple[tuple[str, str], ...] = ()
    max_length: int | None = None
    minimum: float | None = None
    max_items: int = 1
    localized: bool = False  # entries carry language_tag


@dataclass(frozen=True, slots=True)
class ProductType:
    name: str
    display_name: str
    item_type_keywords: tuple[str, ...]
    required: tuple[Attr, ...]  # type-specific required attributes
    optional: tuple[Attr, ...] = ()


def _text(name: str, title: str, description: str, max_length: int, **kw: Any) -> Attr:
    return Attr(name, title, description, max_length=max_length, localized=True, **kw)


def _enum(name: str, title: str, description: str, values: tuple[tuple[str, str], ...]) -> Attr:
    return Attr(name, title, description, enum=values)


COLOR = _text("color", "Color", "The color of the item, as the customer sees it.", 50)
SIZE = _text("size", "Size", "The size of the item (e.g. 'Carry-On 21 Inch', 'Queen').", 50)
MATERIAL = _text("material", "Material", "The main material the item is made of.", 100)

PRODUCT_TYPES: dict[str, ProductType] = {
    t.name: t
    for t in (
        ProductType(
            "LUGGAGE",
            "Luggage",
            ("luggage", "carry-on-luggage", "suitcases", "garment-bags"),
            required=(COLOR, SIZE, MATERIAL),
        ),
        ProductType(
            "KITCHEN",
            "Kitchen",
            ("cookware-sets", "kitchen-utensils", "mixing-bowls", "cutting-boards"),
            required=(
                MATERIAL,
                COLOR,
                Attr(
                    "number_of_pieces",
                    "Number of Pieces",
                    "How many pieces the set contains.",
                    value_type="integer",
                    minimum=1,
                ),
            ),
        ),
        ProductType(
            "HOME_BED_AND_BATH",
            "Home Bed and Bath",
            ("bed-sheets", "bath-towels", "duvet-covers", "pillowcases"),
            required=(
                COLOR,
                SIZE,
                _text("fabric_type", "Fabric Type", "The fabrics and their share.", 200),
            ),
            optional=(
                Attr(
                    "thread_count",
                    "Thread Count",
                    "Threads per square inch.",
                    value_type="integer",
                    minimum=1,
                ),
            ),
        ),
        ProductType(
            "SHOES",
            "Shoes",
            ("athletic-shoes", "boots", "sandals", "loafers"),
            required=(
                COLOR,
                SIZE,
                _enum(
                    "target_gender",
                    "Target Gender",
                    "Who the shoe is made for.",
                    (("female", "Female"), ("male", "Male"), ("unisex", "Unisex")),
                ),
                _text("outer_material", "Outer Material", "Material of the upper.", 100),
            ),
        ),
        ProductType(
            "TOYS_AND_GAMES",
            "Toys and Games",
            ("board-games", "building-sets", "puzzles", "plush-toys"),
            required=(
                _text("age_range_description", "Age Range", "The age range, e.g. 'Kid'.", 50),
                Attr(
                    "is_assembly_required",
                    "Is Assembly Required",
                    "Whether the customer has to assemble the product.",
                    value_type="boolean",
                ),
            ),
            optional=(COLOR,),
        ),
        ProductType(
            "PET_SUPPLIES",
            "Pet Supplies",
            ("dog-beds", "cat-toys", "pet-bowls", "leashes"),
            required=(
                _enum(
                    "target_species",
                    "Target Species",
                    "The animal the product is made for.",
                    (
                        ("bird", "Bird"),
                        ("cat", "Cat"),
                        ("dog", "Dog"),
                        ("fish", "Fish"),
                        ("reptile", "Reptile"),
                        ("small_animal", "Small Animal"),
                    ),
                ),
                MATERIAL,
            ),
            optional=(COLOR,),
        ),
    )
}

COMMON_REQUIRED: tuple[Attr, ...] = (
    _text("item_name", "Item Name", "The title customers see on the detail page.", 200),
    _text("brand", "Brand Name", "The brand or manufacturer of the product.", 100),
    _text(
        "bullet_point",
        "Bullet Point",
        "Brief descriptive text, called out via a bullet point, about a key feature.",
        500,
        max_items=5,
    ),
    _text("product_description", "Product Description", "A full description.", 2000),
    _enum("country_of_origin", "Country of Origin", "Where the product was made.", COUNTRIES),
    Attr(
        "item_type_keyword",
        "Item Type Keyword",
        "The keyword that places the item in the browse tree.",
        max_length=100,
    ),
    _enum(
        "supplier_declared_dg_hz_regulation",
        "Dangerous Goods Regulations",
        "The dangerous goods regulations that apply to the item.",
        DG_HZ_REGULATIONS,
    ),
    _enum("condition_type", "Item Condition", "The condition of the item.", CONDITION_TYPES),
)
MAIN_IMAGE = "main_product_image_locator"
PRICE = "purchasable_offer"
FULFILLMENT = "fulfillment_availability"
PARENTAGE = "parentage_level"
OFFER_REQUIRED = (PRICE,)  # required unless the listing is a variation parent


SUGGESTED_ASIN = "merchant_suggested_asin"
#: getDefinitionsProductType's `requirements`: LISTING (product facts and offer),
#: LISTING_PRODUCT_ONLY (product facts only) and LISTING_OFFER_ONLY (an offer on an ASIN that
#: exists: the ASIN it goes on, the condition and the offer), per the Product Type Definitions
#: API reference.
REQUIREMENTS = ("LISTING", "LISTING_PRODUCT_ONLY", "LISTING_OFFER_ONLY")
OFFER_ONLY = "LISTING_OFFER_ONLY"
OFFER_ONLY_REQUIRED = ("condition_type", SUGGESTED_ASIN)


def required_names(pt: ProductType, requirements: str = "LISTING") -> tuple[str, ...]:
    """The top-level `required` list of the schema (offer attributes are conditional)."""
    if requirements == OFFER_ONLY:
        return OFFER_ONLY_REQUIRED
    return (*(a.name for a in COMMON_REQUIRED), *(a.name for a in pt.required), MAIN_IMAGE)


def is_variation_parent(attributes: Mapping[str, Any]) -> bool:
    entries = attributes.get(PARENTAGE)
    return isinstance(entries, list) and any(
        isinstance(e, dict) and e.get("value") == "parent" for e in entries
    )


def missing_required(
    pt: ProductType, attributes: Mapping[str, Any], requirements: str = "LISTING"
) -> list[str]:
    """Required attribute names (top-level and conditional) absent from `attributes`."""
    names = list(required_names(pt, requirements))
    if requirements != "LISTING_PRODUCT_ONLY" and not is_variation_parent(attributes):
        names.extend(OFFER_REQUIRED)
    return [n for n in names if not attributes.get(n)]


# --------------------------------------------------------------------------- schema building


def _value_schema(attr: Attr) -> dict[str, Any]:
    value: dict[str, Any] = {"title": attr.title, "type": attr.value_type}
    if attr.enum:
        value["enum"] = [v for v, _ in attr.enum]
        value["enumNames"] = [label for _, label in attr.enum]
    if attr.max_length is not None:
        value["maxLength"] = attr.max_length
        value["maxUtf8ByteLength"] = attr.max_length * 4
    if attr.minimum is not None:
        value["minimum"] = attr.minimum
    return value


def _entry_props(**props: dict[str, Any]) -> dict[str, Any]:
    return {"marketplace_id": _MARKETPLACE_ID, **props}


_MARKETPLACE_ID = {"title": "Marketplace Id", "type": "string", "editable": False, "hidden": True}
_LANGUAGE_TAG = {"title": "Language Tag", "type": "string", "editable": False, "hidden": True}


def _array(attr_title: str, description: str, item: dict[str, Any], **extra: Any) -> dict:
    return {
        "title": attr_title,
        "description": description,
        "type": "array",
        "minItems": 1,
        **extra,
        "items": {"type": "object", "additionalProperties": False, **item},
    }


def _attribute_property(attr: Attr) -> dict[str, Any]:
    props = _entry_props(value=_value_schema(attr))
    selectors = ["marketplace_id"]
    if attr.localized:
        props["language_tag"] = _LANGUAGE_TAG
        selectors.append("language_tag")
    extra: dict[str, Any] = {"selectors": selectors}
    if attr.max_items > 1:
        extra["maxUniqueItems"] = attr.max_items
        extra["maxItems"] = attr.max_items
    else:
        extra["maxItems"] = 1
    return _array(
        attr.title,
        attr.description,
        {"required": ["value"], "properties": props},
        **extra,
    )


def _money_schedule(title: str) -> dict[str, Any]:
    schedule_entry = {
        "type": "object",
        "required": ["value_with_tax"],
        "properties": {"value_with_tax": {"title": "Price", "type": "number", "minimum": 0}},
    }
    return {
        "title": title,
        "type": "array",
        "minItems": 1,
        "maxItems": 1,
        "items": {
            "type": "object",
            "required": ["schedule"],
            "properties": {
                "schedule": {"type": "array", "minItems": 1, "items": schedule_entry},
            },
        },
    }


def _quantity_discount_plan() -> dict[str, Any]:
    """Business (B2B) quantity discounts: from `lower_bound` units, a fixed price or a percent
    off (purchasable_offer.quantity_discount_plan in Amazon's product type schemas)."""
    level = {
        "type": "object",
        "required": ["lower_bound", "value"],
        "properties": {
            "lower_bound": {"title": "Quantity Lower Bound", "type": "integer", "minimum": 2},
            "value": {"title": "Discount Value", "type": "number", "minimum": 0},
        },
    }
    schedule = {
        "type": "object",
        "required": ["discount_type", "levels"],
        "properties": {
            "discount_type": {
                "title": "Discount Type",
                "type": "string",
                "enum": ["fixed", "percent"],
                "enumNames": ["Fixed Price", "Percent Off"],
            },
            "levels": {"type": "array", "minItems": 1, "maxItems": 5, "items": level},
        },
    }
    return {
        "title": "Quantity Discount Plan",
        "type": "array",
        "maxItems": 1,
        "items": {
            "type": "object",
            "required": ["schedule"],
            "properties": {
                "schedule": {"type": "array", "minItems": 1, "maxItems": 1, "items": schedule}
            },
        },
    }


def _special_properties() -> dict[str, dict[str, Any]]:
    return {
        MAIN_IMAGE: _array(
            "Main Image Location",
            "The URL of the main product image (white background, no text or logos).",
            {
                "required": ["media_location"],
                "properties": _entry_props(
                    media_location={
                        "title": "Media Location",
                        "type": "string",
                        "format": "uri",
                        "minLength": 1,
                        "maxLength": 2048,
                    }
                ),
            },
            maxItems=1,
            selectors=["marketplace_id"],
        ),
        FULFILLMENT: _array(
            "Fulfillment Availability",
            "Who fulfills the offer (DEFAULT = the seller) and, for DEFAULT, the quantity.",
            {
                "required": ["fulfillment_channel_code"],
                "properties": {
                    "fulfillment_channel_code": {
                        "title": "Fulfillment Channel Code",
                        "type": "string",
                        "enum": ["DEFAULT", "AMAZON_NA", "AMAZON_EU", "AMAZON_JP"],
                        "enumNames": ["Merchant", "Amazon (NA)", "Amazon (EU)", "Amazon (FE)"],
                    },
                    "quantity": {"title": "Quantity", "type": "integer", "minimum": 0},
                    "lead_time_to_ship_max_days": {
                        "title": "Handling Time",
                        "type": "integer",
                        "minimum": 0,
                        "maximum": 30,
                    },
                },
            },
            selectors=["fulfillment_channel_code"],
        ),
        PRICE: _array(
            "Purchasable Offer",
            "The price and the allowed price band of the offer in one marketplace.",
            {
                "required": ["marketplace_id", "currency"],
                "properties": _entry_props(
                    currency={
                        "title": "Currency",
                        "type": "string",
                        "minLength": 3,
                        "maxLength": 3,
                    },
                    audience=_value_schema(Attr("audience", "Audience", "", enum=AUDIENCES)),
                    our_price=_money_schedule("Your Price"),
                    minimum_seller_allowed_price=_money_schedule("Minimum Seller Allowed Price"),
                    maximum_seller_allowed_price=_money_schedule("Maximum Seller Allowed Price"),
                    quantity_discount_plan=_quantity_discount_plan(),
                ),
            },
            selectors=["marketplace_id", "audience"],
        ),
        SUGGESTED_ASIN: _array(
            "Merchant Suggested ASIN",
            "The existing Amazon product (ASIN) the offer is listed on.",
            {
                "required": ["value"],
                "properties": _entry_props(
                    value={
                        "title": "Merchant Suggested ASIN",
                        "type": "string",
                        "minLength": 10,
                        "maxLength": 10,
                    }
                ),
            },
            maxItems=1,
            selectors=["marketplace_id"],
        ),
        "externally_assigned_product_identifier": _array(
            "External Product ID",
            "The barcode (UPC, EAN, GTIN, ISBN) of the product.",
            {
                "required": ["type", "value"],
                "properties": _entry_props(
                    type=_value_schema(Attr("type", "Type", "", enum=IDENTIFIER_TYPES)),
                    value={"title": "Value", "type": "string", "minLength": 8, "maxLength": 14},
                ),
            },
            maxItems=1,
            selectors=["marketplace_id", "type"],
        ),
        PARENTAGE: _attribute_property(
            _enum(
                PARENTAGE,
                "Parentage Level",
                "Whether the SKU is a variation parent or child.",
                (("child", "Child"), ("parent", "Parent")),
            )
        ),
        "child_parent_sku_relationship": _array(
            "Parent SKU",
            "The variation parent of a child SKU.",
            {
                "required": ["child_relationship_type"],
                "properties": _entry_props(
                    child_relationship_type={
                        "title": "Relationship Type",
                        "type": "string",
                        "enum": ["variation"],
                        "enumNames": ["Variation"],
                    },
                    parent_sku={"title": "Parent SKU", "type": "string", "maxLength": 40},
                ),
            },
            maxItems=1,
            selectors=["marketplace_id"],
        ),
        "variation_theme": _array(
            "Variation Theme",
            "The attributes the children of a variation family differ by.",
            {
                "required": ["name"],
                "properties": {
                    "name": _value_schema(Attr("name", "Name", "", enum=VARIATION_THEMES))
                },
            },
            maxItems=1,
        ),
    }


_PROPERTY_GROUPS = {
    "offer": ("Offer", "Price, quantity and condition", (PRICE, FULFILLMENT, "condition_type")),
    "product_identity": (
        "Product Identity",
        "Information to uniquely identify your product",
        ("item_name", "brand", "externally_assigned_product_identifier", "item_type_keyword"),
    ),
    "images": ("Images", "Product images", (MAIN_IMAGE,)),
    "safety_and_compliance": (
        "Safety & Compliance",
        "Regulations and country of origin",
        ("supplier_declared_dg_hz_regulation", "country_of_origin"),
    ),
    "variations": (
        "Variations",
        "Variation family",
        (PARENTAGE, "child_parent_sku_relationship", "variation_theme"),
    ),
}


def _groups(pt: ProductType) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    details = (
        "bullet_point",
        "product_description",
        *(a.name for a in (*pt.required, *pt.optional)),
    )
    return {
        **_PROPERTY_GROUPS,
        "product_details": ("Product Details", "Describe the product", details),
    }


@cache
def schema(product_type_name: str, requirements: str = "LISTING") -> dict[str, Any] | None:
    """The product type's JSON Schema for these requirements (cached; callers must not mutate
    it). The properties are the same; what is `required` differs."""
    pt = PRODUCT_TYPES.get(product_type_name)
    if pt is None or requirements not in REQUIREMENTS:
        return None
    properties = {a.name: _attribute_property(a) for a in (*COMMON_REQUIRED, *pt.required)}
    properties.update({a.name: _attribute_property(a) for a in pt.optional})
    properties.update(_special_properties())
    properties["item_type_keyword"]["items"]["properties"]["value"]["enum"] = list(
        pt.item_type_keywords
    )
    return {
        "$schema": META_SCHEMA_ID,
        "$id": SCHEMA_ID_BASE + pt.name,
        "$comment": f"Amazon product type definition for {pt.name} (asin-tui sandbox)",
        "title": pt.display_name,
        "type": "object",
        "required": list(required_names(pt, requirements)),
        **(
            {}
            if requirements == "LISTING_PRODUCT_ONLY"
            else {"allOf": [_offer_required_unless_parent()]}
        ),
        "properties": properties,
    }


def _offer_required_unless_parent() -> dict[str, Any]:
    """Amazon's conditional style: offer attributes are required unless parentage is parent."""
    parent = {
        "required": [PARENTAGE],
        "properties": {
            PARENTAGE: {
                "contains": {"required": ["value"], "properties": {"value": {"const": "parent"}}}
            }
        },
    }
    return {"if": parent, "else": {"required": list(OFFER_REQUIRED)}}


@cache
def checksum(product_type_name: str, requirements: str = "LISTING") -> str:
    """Base64 MD5 of the canonical schema JSON (what ProductTypeDefinition.schema.checksum holds)."""
    document = schema(product_type_name, requirements)
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return base64.b64encode(hashlib.md5(canonical.encode()).digest()).decode()


def definition(
    product_type_name: str,
    marketplace: Marketplace,
    *,
    schema_url: str,
    meta_schema_url: str,
    requirements: str,
) -> dict[str, Any] | None:
    """The ProductTypeDefinition (definitionsProductTypes_2020-09-01.json) for one type."""
    pt = PRODUCT_TYPES.get(product_type_name)
    if pt is None:
        return None
    digest = checksum(pt.name, requirements)
    return {
        "metaSchema": {
            "link": {"resource": meta_schema_url, "verb": "GET"},
            "checksum": base64.b64encode(hashlib.md5(META_SCHEMA_ID.encode()).digest()).decode(),
        },
        "schema": {"link": {"resource": schema_url, "verb": "GET"}, "checksum": digest},
        "requirements": requirements,
        "requirementsEnforced": "ENFORCED",
        "propertyGroups": {
            key: {"title": title, "description": desc, "propertyNames": list(names)}
            for key, (title, desc, names) in _groups(pt).items()
        },
        "locale": marketplace.language_tag,
        "marketplaceIds": [marketplace.marketplace_id],
        "productType": pt.name,
        "displayName": pt.display_name,
        "productTypeVersion": {
            "version": "U" + checksum(pt.name).rstrip("=")[:11],
            "latest": True,
            "releaseCandidate": False,
        },
    }


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True, slots=True)
class Violation:
    """One way an attribute breaks the schema."""

    attribute: str
    kind: str  # missing | unknown | enum | length | type | minimum | maximum | items | entry
    detail: str


#: JSON Schema keyword -> the Violation kind it makes (the sandbox's issue mapping reads kinds)
_KINDS = {
    "type": "type",
    "enum": "enum",
    "const": "enum",
    "maxLength": "length",
    "minLength": "length",
    "maxUtf8ByteLength": "length",
    "minimum": "minimum",
    "maximum": "maximum",
    "minItems": "items",
    "maxItems": "items",
    "required": "entry",
    "additionalProperties": "entry",
}
#: which of several errors of one value is reported: the shallowest, then in this order
_PRIORITY = {keyword: rank for rank, keyword in enumerate(_KINDS)}


@cache
def _validator_class() -> Any:
    """Draft 2019-09 (what Amazon's product type schemas declare) with Amazon's
    ``maxUtf8ByteLength`` keyword checked; its other custom keywords (``enumNames``,
    ``selectors``, ``editable``, ``hidden``, ``maxUniqueItems``) are annotations. An integer
    is an int (not 1.0, not a bool), as Amazon's validation answers treat it. jsonschema is
    imported here, when the sandbox first validates, not when the app starts."""
    from jsonschema import Draft201909Validator, ValidationError, validators

    def max_utf8_bytes(validator: Any, limit: int, instance: Any, schema: Any) -> Any:
        if isinstance(instance, str) and len(instance.encode()) > limit:
            yield ValidationError(f"exceeds {limit} bytes")

    checker = Draft201909Validator.TYPE_CHECKER.redefine(
        "integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool)
    )
    return validators.extend(
        Draft201909Validator,
        validators={"maxUtf8ByteLength": max_utf8_bytes},
        type_checker=checker,
    )


def _where(name: str, path: Any) -> str:
    return name + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)


def _violation(name: str, error: Any) -> Violation:
    """A jsonschema error as the sandbox reports it: its kind and one line naming where."""
    keyword, limit = error.validator, error.validator_value
    where = _where(name, error.absolute_path)
    instance = error.instance
    detail = {
        "type": lambda: f"{where} must be of type {limit}",
        "enum": lambda: f"{where} value {instance!r} is not one of the allowed values",
        "const": lambda: f"{where} must be {limit!r}",
        "maxLength": lambda: f"{where} exceeds {limit} characters",
        "minLength": lambda: f"{where} is shorter than {limit} characters",
        "maxUtf8ByteLength": lambda: f"{where} exceeds {limit} bytes",
        "minimum": lambda: f"{where} must be at least {limit}",
        "maximum": lambda: f"{where} must be at most {limit}",
        "minItems": lambda: f"{where} needs at least {limit} value(s)",
        "maxItems": lambda: f"{where} allows at most {limit} value(s)",
        "required": lambda: (
            f"{where} is missing "
            + next((f"'{key}'" for key in limit if key not in instance), "a field")
        ),
        "additionalProperties": lambda: (
            f"{where} has an unknown field "
            + next(
                (f"'{key}'" for key in instance if key not in error.schema.get("properties", {})),
                "",
            )
        ),
    }.get(keyword, lambda: f"{where}: {error.message}")()
    return Violation(name, _KINDS.get(keyword, "entry"), detail)


def _check(name: str, instance: Any, node: Mapping[str, Any]) -> Violation | None:
    """The first violation of ``instance`` against ``node``, or None: in the order a reader
    meets them (depth first, values and fields in the order given, a value's own problem
    before its parts'), then by keyword."""
    errors = list(_validator_class()(node).iter_errors(instance))
    if not errors:
        return None
    return _violation(name, min(errors, key=lambda e: _reading_order(instance, e)))


def _reading_order(instance: Any, error: Any) -> tuple[tuple[int, ...], int]:
    """Where ``error`` is met reading ``instance``: the position of each step of its path
    (an unknown field where that field stands), then its keyword's rank."""
    positions: list[int] = []
    value = instance
    for step in error.absolute_path:
        positions.append(step if isinstance(step, int) else list(value).index(step))
        value = value[step]
    if error.validator == "additionalProperties" and isinstance(value, dict):
        known = error.schema.get("properties", {})
        positions.append(next((i for i, key in enumerate(value) if key not in known), 0))
    return tuple(positions), _PRIORITY.get(error.validator, len(_PRIORITY))


def known_schema(product_type_name: str) -> dict[str, Any]:
    """The LISTING schema of a product type the sandbox has (KeyError for any other)."""
    found = schema(product_type_name)
    if found is None:
        raise KeyError(product_type_name)
    return found


def validate(
    product_type_name: str,
    attributes: Mapping[str, Any],
    *,
    only: set[str] | None = None,
    requirements: str = "LISTING",
) -> list[Violation]:
    """Check `attributes` against the product type schema.

    Returns one Violation per offending attribute: missing required attributes first (in
    schema order), then unknown or invalid ones (in `attributes` order). `only` restricts the
    check to those attribute names (a patch validates what it touched)."""
    pt = PRODUCT_TYPES[product_type_name]
    properties = known_schema(product_type_name)["properties"]
    violations = [
        Violation(n, "missing", f"'{n}' is required but not supplied.")
        for n in missing_required(pt, attributes, requirements)
        if only is None or n in only
    ]
    for name, value in attributes.items():
        if only is not None and name not in only:
            continue
        if name not in properties:
            violations.append(Violation(name, "unknown", f"'{name}' is not a valid attribute"))
            continue
        if value in (None, []):
            continue  # absent; the required check above covers it
        found = _check(name, value, properties[name])
        if found:
            violations.append(found)
    return violations
