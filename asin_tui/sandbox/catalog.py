"""The sandbox catalog generator: compact per-listing records and their attribute documents.

A `Record` holds what the seller submitted (as a compact *spec*: product type, channel,
quantity, prices, which attribute is missing or wrong...) and Amazon's hidden facts (FBA
stock, policy enforcements, restrictions, a removed catalog item, an exemption). The seller's
attribute document is built from the spec on demand (`attributes_of`), so 100,000 listings
stay small in memory; once a patch is accepted the record keeps its own document instead.

Everything is deterministic in (seed, listings, problem_share, marketplace).
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from asin_tui.sandbox import schemas
from asin_tui.sandbox.marketplaces import Marketplace
from asin_tui.sandbox.schemas import PRODUCT_TYPES

DEMO_PROBLEM_SHARE = 0.34  # the demo mix: about a third of listings need attention
VARIATION_FAMILY_SHARE = 0.03  # chance that a position starts a variation family
ALNUM = string.ascii_uppercase + string.digits

# Amazon's hidden facts ---------------------------------------------------------------------


@dataclass(slots=True)
class FbaStock:
    """FBA units for one SKU (getInventorySummaries inventoryDetails)."""

    fulfillable: int = 0
    inbound_working: int = 0
    inbound_shipped: int = 0
    inbound_receiving: int = 0
    reserved_pending_customer_order: int = 0
    reserved_pending_transshipment: int = 0
    reserved_fc_processing: int = 0
    researching: tuple[int, int, int] = (0, 0, 0)  # short / mid / long term
    unfulfillable: dict[str, int] = field(default_factory=dict)  # customerDamagedQuantity...


@dataclass(frozen=True, slots=True)
class Policy:
    """A policy enforcement on the listing (not fixable by a patch)."""

    code: str
    action: str  # LISTING_SUPPRESSED | CATALOG_ITEM_REMOVED
    exempt_days: int | None = None  # EXEMPT_UNTIL_EXPIRY_DATE in that many days
    exempt: bool = False  # EXEMPT: acknowledged, never applied (the listing stays live)


@dataclass(frozen=True, slots=True)
class Gate:
    """A listing restriction on the ASIN (getListingsRestrictions)."""

    reason_code: str  # APPROVAL_REQUIRED | NOT_ELIGIBLE
    conditions: tuple[str, ...] | None = None  # None: every condition


@dataclass(slots=True)
class Record:
    """One seller SKU: the spec of what was submitted plus Amazon's hidden facts."""

    index: int
    sku: str
    asin: str
    product_type: str
    text_seed: int  # the listing's own content (color, size)
    created: datetime
    last_updated: datetime
    upc: str
    fn_sku: str | None = None  # FBA listings only
    family_seed: int | None = None  # shared content (brand, product) of a variation family
    # --- spec of the seller's submission (ignored once `attributes` is set)
    fba: bool = False
    condition: str = "new_new"
    quantity: int = 0  # MFN quantity
    price_cents: int | None = None  # None: no our_price
    min_cents: int | None = None
    max_cents: int | None = None
    has_offer: bool = True  # False: no purchasable_offer at all
    closed: bool = False  # the seller closed the offer: no fulfillment_availability
    omitted: str | None = None  # a required attribute left out
    bad_value: tuple[str, Any] | None = None  # (attribute, rejected value)
    image_url: str | None = ""  # "" = generated from the seed; None = no main image
    # --- Amazon's hidden facts
    stock: FbaStock | None = None
    image_noncompliant: str | None = None  # the main image URL Amazon rejected
    policy: Policy | None = None
    gate: Gate | None = None
    catalog_removed: bool = False
    catalog_product_type: str | None = None  # Amazon reclassified the ASIN to this type
    incomplete: bool = False  # a failed submission: no summaries until completed
    parent_sku: str | None = None
    child_skus: tuple[str, ...] = ()
    variation_theme: str | None = None
    # --- the untidy account (sandbox/untidy.py)
    offer_only: bool = False  # an offer on another brand's ASIN (requirements LISTING_OFFER_ONLY)
    b2b: bool = False  # also a business (B2B) offer with quantity discounts
    recommended: str | None = None  # a recommended attribute left out: a WARNING, still live
    exempt_issue: bool = False  # also a policy issue Amazon acknowledged and never enforces
    status_lag: bool = False  # summaries.status not yet updated for an enforcement in force
    vacation: bool = False  # the seller's account is in vacation (holiday) mode
    varied: bool = False  # issues in Amazon's varied shapes (attributeName, no marketplaceIds…)
    # --- set by an accepted patch: the seller's document from then on
    attributes: dict[str, Any] | None = None
    #: listing text Amazon's issue and restriction messages quote (the hostile scenario)
    quoted_text: str | None = None

    @property
    def is_parent(self) -> bool:
        return bool(self.child_skus)


# Real-looking content ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductKind:
    """One kind of product: the materials it is made of and the colors it comes in."""

    materials: tuple[str, ...]
    colors: tuple[str, ...]


#: Per product type: brands, the kinds of product (each with its materials and colors), sizes.
CONTENT: dict[str, dict[str, Any]] = {
    "LUGGAGE": {
        "brands": ("Samsonite", "TravelPro", "Rockland", "Coolife", "Delsey", "Nomatic"),
        "products": {
            "Hardside Spinner Suitcase": ProductKind(
                ("Polycarbonate", "ABS", "Aluminum"),
                ("Black", "Navy", "Silver", "Teal", "Red", "Charcoal"),
            ),
            "Carry-On Luggage": ProductKind(
                ("Polycarbonate", "ABS", "Ballistic Nylon"),
                ("Black", "Navy", "Gray", "Charcoal", "Red"),
            ),
            "Garment Bag": ProductKind(("Ballistic Nylon", "Polyester"), ("Black", "Navy", "Gray")),
            "Duffel Bag": ProductKind(
                ("Ballistic Nylon", "Polyester", "Canvas"), ("Black", "Navy", "Olive", "Gray")
            ),
        },
        "sizes": ("Carry-On 21 Inch", "Medium 25 Inch", "Large 29 Inch", "3-Piece Set"),
    },
    "KITCHEN": {
        "brands": ("OXO", "Cuisinart", "T-fal", "Lodge", "KitchenAid", "Farberware"),
        "products": {
            "Nonstick Cookware Set": ProductKind(
                ("Aluminum", "Stainless Steel"), ("Black", "Gray", "Red", "Sage Green")
            ),
            "Cast Iron Skillet": ProductKind(("Cast Iron",), ("Black", "Red", "Teal")),
            "Mixing Bowl Set": ProductKind(
                ("Stainless Steel", "Melamine"), ("Silver", "White", "Sage Green", "Teal")
            ),
            "Utensil Set": ProductKind(
                ("Silicone", "Nylon", "Stainless Steel"), ("Black", "Gray", "Red", "Sage Green")
            ),
            "Cutting Board": ProductKind(
                ("Bamboo", "Wood", "Plastic"), ("Natural", "Brown", "White")
            ),
        },
        "sizes": ("Small", "Medium", "Large"),
    },
    "HOME_BED_AND_BATH": {
        "brands": ("Utopia Bedding", "Amazon Basics", "Mellanni", "Brooklinen", "Linenspa"),
        "products": {
            "Bed Sheet Set": ProductKind(
                ("100% Cotton", "Microfiber", "Bamboo Viscose", "Linen", "Flannel"),
                ("White", "Gray", "Navy", "Beige", "Sage Green"),
            ),
            "Bath Towel Set": ProductKind(
                ("100% Cotton", "Bamboo Viscose", "Microfiber"),
                ("White", "Gray", "Navy", "Beige", "Teal"),
            ),
            "Duvet Cover": ProductKind(
                ("100% Cotton", "Microfiber", "Linen"),
                ("White", "Gray", "Beige", "Sage Green", "Navy"),
            ),
            "Pillowcase Pair": ProductKind(
                ("100% Cotton", "Microfiber", "Linen", "Flannel"),
                ("White", "Gray", "Beige", "Navy"),
            ),
        },
        "sizes": ("Twin", "Full", "Queen", "King", "California King"),
    },
    "SHOES": {
        "brands": ("Skechers", "New Balance", "Clarks", "Crocs", "Brooks", "Merrell"),
        "products": {
            "Running Shoe": ProductKind(
                ("Mesh", "Synthetic"), ("Black", "White", "Gray", "Navy", "Red")
            ),
            "Hiking Boot": ProductKind(
                ("Leather", "Suede", "Synthetic"), ("Brown", "Black", "Gray", "Olive")
            ),
            "Slip-On Loafer": ProductKind(
                ("Leather", "Suede", "Canvas"), ("Black", "Brown", "Navy", "Beige")
            ),
            "Sport Sandal": ProductKind(
                ("Synthetic", "EVA Foam"), ("Black", "Gray", "Navy", "Olive")
            ),
        },
        "sizes": ("7", "7.5", "8", "8.5", "9", "9.5", "10", "11", "12"),
    },
    "TOYS_AND_GAMES": {
        "brands": ("LEGO", "Hasbro", "Melissa & Doug", "Ravensburger", "Mattel", "Fisher-Price"),
        "products": {
            "Building Set": ProductKind(("Plastic",), ("Multicolor",)),
            "Board Game": ProductKind(("Cardboard",), ("Multicolor",)),
            "Jigsaw Puzzle 1000 Pieces": ProductKind(("Cardboard",), ("Multicolor",)),
            "Plush Toy": ProductKind(("Polyester",), ("Brown", "Gray", "White", "Beige")),
            "Wooden Train Set": ProductKind(("Wood",), ("Multicolor", "Natural")),
        },
        "sizes": ("Kid", "Toddler", "Adult", "Teen"),
    },
    "PET_SUPPLIES": {
        "brands": ("KONG", "Frisco", "Petmate", "Furhaven", "Chuckit!", "PetSafe"),
        "products": {
            "Orthopedic Dog Bed": ProductKind(
                ("Memory Foam",), ("Gray", "Beige", "Brown", "Charcoal")
            ),
            "Interactive Cat Toy": ProductKind(
                ("Plastic", "Plush"), ("Multicolor", "Gray", "Teal")
            ),
            "Slow Feeder Bowl": ProductKind(
                ("Stainless Steel", "Plastic", "Silicone"), ("Silver", "Teal", "Gray", "White")
            ),
            "Dog Leash": ProductKind(("Nylon", "Leather"), ("Black", "Red", "Navy", "Brown")),
            "Dog Chew Toy": ProductKind(("Rubber",), ("Red", "Blue", "Black")),
        },
        "sizes": ("Small", "Medium", "Large", "X-Large"),
    },
}
_COUNTRIES = ("CN", "CN", "US", "VN", "IN", "DE", "TW", "MX")
_ADJECTIVES = ("Premium", "Lightweight", "Durable", "Classic", "Deluxe", "Compact", "Eco")
_BULLETS = (
    "DURABLE BUILD: {material} construction made to last through daily use.",
    "THOUGHTFUL DESIGN: sized {size} to fit where you need it.",
    "EASY CARE: wipe clean or machine wash; keeps its {color} finish.",
    "WHAT YOU GET: one {noun} from {brand}, backed by a 1-year warranty.",
    "GIFT READY: arrives in frustration-free packaging.",
)
#: The color part of SKUs in the ``KITCH-0042-BLK`` style.
COLOR_CODES = {
    "Black": "BLK",
    "Navy": "NVY",
    "Gray": "GRY",
    "White": "WHT",
    "Red": "RED",
    "Teal": "TEL",
    "Charcoal": "CHR",
    "Sage Green": "SGE",
    "Beige": "BGE",
    "Silver": "SLV",
    "Olive": "OLV",
    "Brown": "BRN",
    "Natural": "NAT",
    "Multicolor": "MLT",
    "Blue": "BLU",
}
_SKU_PREFIX = {
    "LUGGAGE": "LUGG",
    "KITCHEN": "KITCH",
    "HOME_BED_AND_BATH": "BEDB",
    "SHOES": "SHOE",
    "TOYS_AND_GAMES": "TOY",
    "PET_SUPPLIES": "PET",
}
_PRICE_RANGE = {  # (low, high) in the marketplace's main unit, before the currency scale
    "LUGGAGE": (59, 349),
    "KITCHEN": (12, 199),
    "HOME_BED_AND_BATH": (18, 129),
    "SHOES": (35, 160),
    "TOYS_AND_GAMES": (9, 119),
    "PET_SUPPLIES": (8, 89),
}
_CURRENCY_SCALE = {"JPY": 150, "INR": 80, "MXN": 17, "TRY": 30, "EGP": 45, "SEK": 10, "PLN": 4}
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY"})
IMAGE_HOST = "https://m.media-amazon.com/images/I/"
IMAGE_SIZE = 1500  # pixels; the URLs ask for the 1500 px rendition (_SL1500_)


@dataclass(frozen=True, slots=True)
class Content:
    """The descriptive content of one listing, regenerated from its text seed."""

    brand: str
    noun: str
    color: str
    size: str
    material: str
    adjective: str
    keyword: str
    country: str


def _pick(options: tuple[str, ...], seed: int, byte: int) -> str:
    return options[(seed >> (8 * byte) & 0xFF) % len(options)]


def content_of(record: Record) -> Content:
    """The listing's content, read from the bytes of its seeds (cheap: no RNG per listing).

    Children of a variation family share the product (brand, noun, material...) through the
    family seed and differ by their own color and size. Materials and colors are the ones
    that kind of product comes in (no cardboard plush toy)."""
    own = record.text_seed
    family = own if record.family_seed is None else record.family_seed
    pool = CONTENT[record.product_type]
    noun = _pick(tuple(pool["products"]), family, 3)
    product: ProductKind = pool["products"][noun]
    return Content(
        brand=_pick(pool["brands"], family, 2),
        noun=noun,
        color=_pick(product.colors, own, 0),
        size=_pick(pool["sizes"], own, 1),
        material=_pick(product.materials, family, 4),
        adjective=_pick(_ADJECTIVES, family, 5),
        keyword=_pick(PRODUCT_TYPES[record.product_type].item_type_keywords, family, 6),
        country=_pick(_COUNTRIES, family, 7),
    )


def title_of(c: Content) -> str:
    return f"{c.brand} {c.adjective} {c.noun}, {c.color}, {c.size}"


def money(cents: int, currency: str) -> Decimal:
    return in_currency(Decimal(cents) / 100, currency)


def in_currency(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded to the currency's minor unit (19.9 -> 19.90 USD, 1999.5 -> 2000 JPY)."""
    places = Decimal(1) if currency in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")
    return amount.quantize(places, rounding=ROUND_HALF_UP)


# Attribute documents -----------------------------------------------------------------------


def attributes_of(record: Record, mp: Marketplace) -> dict[str, Any]:
    """The seller's attribute document: the patched one, or one built from the spec.

    Always a fresh object: callers may modify it."""
    if record.attributes is not None:
        return deep_copy(record.attributes)
    return _build_attributes(record, mp)


def deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [deep_copy(v) for v in value]
    return value


#: What a reseller's offer-only listing holds (its offer, not the product's facts).
OFFER_ONLY_ATTRIBUTES = frozenset(
    {"condition_type", schemas.PRICE, schemas.FULFILLMENT, schemas.SUGGESTED_ASIN}
)


def _build_attributes(record: Record, mp: Marketplace) -> dict[str, Any]:
    c = content_of(record)
    mid, lang = mp.marketplace_id, mp.language_tag

    def text(value: Any) -> list[dict[str, Any]]:
        return [{"value": value, "language_tag": lang, "marketplace_id": mid}]

    def plain(value: Any) -> list[dict[str, Any]]:
        return [{"value": value, "marketplace_id": mid}]

    attrs: dict[str, Any] = {
        "item_name": text(title_of(c)),
        "brand": text(c.brand),
        "bullet_point": [
            {"value": b.format(**_fields(c)), "language_tag": lang, "marketplace_id": mid}
            for b in _BULLETS[: 3 + record.text_seed % 3]
        ],
        "product_description": text(
            f"The {c.brand} {c.noun} in {c.color.lower()} combines {c.material.lower()} "
            f"with a {c.adjective.lower()} design. Size: {c.size}."
        ),
        "country_of_origin": plain(c.country),
        "item_type_keyword": plain(c.keyword),
        "supplier_declared_dg_hz_regulation": plain("not_applicable"),
        "condition_type": plain(record.condition),
        "externally_assigned_product_identifier": [
            {"type": "upc", "value": record.upc, "marketplace_id": mid}
        ],
        **_type_specific(record, c, text, plain),
    }
    if record.image_url is not None:
        attrs[schemas.MAIN_IMAGE] = [
            {"media_location": record.image_url or image_url(record), "marketplace_id": mid}
        ]
    attrs.update(_variation_attributes(record, mid))
    if not record.is_parent:
        attrs.update(_offer_attributes(record, mp))
    if record.recommended:
        attrs.pop(record.recommended, None)
    if record.offer_only:
        # A reseller's offer on the brand's ASIN: the offer, the condition and the ASIN it
        # goes on; the product facts are the catalog's, not the seller's.
        attrs = {k: v for k, v in attrs.items() if k in OFFER_ONLY_ATTRIBUTES}
        attrs[schemas.SUGGESTED_ASIN] = plain(record.asin)
    if record.omitted:
        attrs.pop(record.omitted, None)
    if record.bad_value:
        name, value = record.bad_value
        entry = dict(attrs.get(name, plain(None))[0])
        entry["value"] = value
        attrs[name] = [entry]
    return attrs


def _fields(c: Content) -> dict[str, str]:
    return {
        "brand": c.brand,
        "noun": c.noun.lower(),
        "color": c.color.lower(),
        "size": c.size,
        "material": c.material,
    }


def _type_specific(record: Record, c: Content, text: Any, plain: Any) -> dict[str, Any]:
    by_name = {
        "color": text(c.color),
        "size": text(c.size),
        "material": text(c.material),
        "fabric_type": text(c.material),
        "outer_material": text(c.material),
        "number_of_pieces": plain(2 + record.text_seed % 11),
        "thread_count": plain(200 + 100 * (record.text_seed % 7)),
        "target_gender": plain(("female", "male", "unisex")[record.text_seed % 3]),
        "age_range_description": text(c.size),
        "is_assembly_required": plain(record.text_seed % 2 == 0),
        "target_species": plain(("dog", "cat", "dog", "small_animal")[record.text_seed % 4]),
    }
    pt = PRODUCT_TYPES[record.product_type]
    return {a.name: by_name[a.name] for a in (*pt.required, *pt.optional)}


def _variation_attributes(record: Record, mid: str) -> dict[str, Any]:
    if record.is_parent:
        return {
            schemas.PARENTAGE: [{"value": "parent", "marketplace_id": mid}],
            "variation_theme": [{"name": record.variation_theme}],
        }
    if record.parent_sku:
        return {
            schemas.PARENTAGE: [{"value": "child", "marketplace_id": mid}],
            "child_parent_sku_relationship": [
                {
                    "child_relationship_type": "variation",
                    "parent_sku": record.parent_sku,
                    "marketplace_id": mid,
                }
            ],
            "variation_theme": [{"name": record.variation_theme}],
        }
    return {}


def _offer_attributes(record: Record, mp: Marketplace) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    if not record.closed:  # a closed offer has no channel nor quantity until relisted
        attrs[schemas.FULFILLMENT] = _fulfillment_availability(record, mp)
    if record.has_offer:
        offer: dict[str, Any] = {
            "marketplace_id": mp.marketplace_id,
            "currency": mp.currency,
            "audience": "ALL",
        }
        for key, cents in (
            ("our_price", record.price_cents),
            ("minimum_seller_allowed_price", record.min_cents),
            ("maximum_seller_allowed_price", record.max_cents),
        ):
            if cents is not None:
                amount = float(money(cents, mp.currency))
                offer[key] = [{"schedule": [{"value_with_tax": amount}]}]
        attrs[schemas.PRICE] = [offer]
        if record.b2b and record.price_cents is not None:
            attrs[schemas.PRICE].append(_business_offer(record.price_cents, mp))
    return attrs


def _business_offer(price_cents: int, mp: Marketplace) -> dict[str, Any]:
    """An Amazon Business offer: a business price a little under the consumer one, and
    quantity discounts (percent off from 5 and 20 units)."""
    business = money(price_cents * 95 // 100, mp.currency)
    return {
        "marketplace_id": mp.marketplace_id,
        "currency": mp.currency,
        "audience": "B2B",
        "our_price": [{"schedule": [{"value_with_tax": float(business)}]}],
        "quantity_discount_plan": [
            {
                "schedule": [
                    {
                        "discount_type": "percent",
                        "levels": [{"lower_bound": 5, "value": 3}, {"lower_bound": 20, "value": 7}],
                    }
                ]
            }
        ],
    }


def _fulfillment_availability(record: Record, mp: Marketplace) -> list[dict[str, Any]]:
    if record.fba:
        return [{"fulfillment_channel_code": mp.fba_channel_code}]
    return [
        {
            "fulfillment_channel_code": "DEFAULT",
            "quantity": record.quantity,
            "lead_time_to_ship_max_days": 2,
        }
    ]


def image_url(record: Record) -> str:
    return f"{IMAGE_HOST}{seeded_id(record.text_seed * 0x9E3779B1, 11)}._SL1500_.jpg"


def seeded_id(number: int, width: int, alphabet: str | None = None) -> str:
    """`width` digits of `number` in `alphabet` (base 62 by default): a cheap, deterministic,
    real-looking identifier."""
    alphabet = alphabet or _BASE62
    digits = []
    for _ in range(width):
        number, digit = divmod(number, len(alphabet))
        digits.append(alphabet[digit])
    return "".join(digits)


_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def generated_with_defects(record: Record) -> set[str] | None:
    """The attributes the generator deliberately left out or got wrong in this record's
    document; None once a patch replaced the document.

    A generated document is valid by construction everywhere else (tests check it), so
    validating just these names gives the same violations as validating all of it, faster."""
    if record.attributes is not None:
        return None
    names = {n for n in (record.omitted, record.bad_value and record.bad_value[0]) if n}
    if record.image_url is None:
        names.add(schemas.MAIN_IMAGE)
    if not record.has_offer and not record.is_parent:
        names.add(schemas.PRICE)
    return names


# Generation ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Params:
    seed: int
    listings: int
    problem_share: float | None
    marketplace: str
    hostile: bool = False  # the hostile-strings scenario (sandbox/hostile.py)
    tidy: bool = False  # True: none of the untidy variety (sandbox/untidy.py)
    scenario: str = "default"  # "vacation": the account is in vacation mode

    def as_dict(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "seed": self.seed,
            "listings": self.listings,
            "problem_share": self.problem_share,
            "marketplace": self.marketplace,
        }
        if self.hostile:
            params["hostile"] = True
        if self.tidy:
            params["tidy"] = True
        if self.scenario != "default":
            params["scenario"] = self.scenario
        return params


class _Ids:
    """Unique, real-looking identifiers drawn from one RNG."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._asins: set[str] = set()
        self._skus: set[str] = set()

    def _unique(self, seen: set[str], make: Any) -> str:
        while True:
            value = make()
            if value not in seen:
                seen.add(value)
                return value

    def _code(self, width: int, alphabet: str = ALNUM) -> str:
        return seeded_id(self._rng.getrandbits(64), width, alphabet)

    def asin(self) -> str:
        return self._unique(self._asins, lambda: "B0" + self._code(8))

    def sku(self, product_type: str, color: str) -> str:
        return self._unique(self._skus, lambda: self._sku_style(product_type, color))

    def _sku_style(self, product_type: str, color: str) -> str:
        style = self._rng.random()
        if style < 0.35:  # GM-ZDPI-9B4E
            letters = self._code(6, string.ascii_uppercase)
            return f"{letters[:2]}-{letters[2:]}-{self._code(4)}"
        if style < 0.7:  # KITCH-0042-BLK
            number = self._rng.getrandbits(32) % 10000
            return f"{_SKU_PREFIX[product_type]}-{number:04d}-{COLOR_CODES[color]}"
        code = self._code(10)  # 2X-7HQM-LP3R
        return f"{code[:2]}-{code[2:6]}-{code[6:]}"

    def parent_sku(self, product_type: str) -> str:
        return self._unique(
            self._skus,
            lambda: f"{_SKU_PREFIX[product_type]}-{self._rng.randrange(10000):04d}-PARENT",
        )

    def upc(self) -> str:
        body = f"{self._rng.getrandbits(40) % 10**11:011d}"
        odd, even = sum(map(int, body[0::2])), sum(map(int, body[1::2]))
        return body + str((10 - (odd * 3 + even) % 10) % 10)

    def fn_sku(self) -> str:
        return "X00" + self._code(7)


def healthy_catalog(
    params: Params, mp: Marketplace, now: datetime, rng: random.Random
) -> list[Record]:
    """Every record of the account in index order, all healthy: variation families (a parent
    and its children) among single listings, MFN and FBA. `scenarios` then adds the problems."""
    ids = _Ids(rng)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    records: list[Record] = []
    types = tuple(PRODUCT_TYPES)
    while len(records) < params.listings:
        room = params.listings - len(records)
        product_type = rng.choice(types)
        if room >= 3 and rng.random() < VARIATION_FAMILY_SHARE:
            records.extend(_family(rng, ids, mp, today, len(records), product_type, room))
        else:
            records.append(_healthy(rng, ids, mp, today, len(records), product_type))
    return records


def _healthy(
    rng: random.Random,
    ids: _Ids,
    mp: Marketplace,
    today: datetime,
    index: int,
    product_type: str,
    *,
    sku: str | None = None,
    family_seed: int | None = None,
) -> Record:
    text_seed = rng.getrandbits(64)
    created = today - timedelta(days=rng.randrange(3, 1100), seconds=rng.randrange(86400))
    updated = created + (today - created) * rng.random()
    record = Record(
        index=index,
        sku="",
        asin=ids.asin(),
        product_type=product_type,
        text_seed=text_seed,
        created=created,
        last_updated=updated,
        upc=ids.upc(),
        condition="new_new" if rng.random() < 0.92 else rng.choice(_USED_CONDITIONS),
        family_seed=family_seed,
    )
    record.sku = sku or ids.sku(product_type, content_of(record).color)
    _set_price(record, rng, mp)
    if rng.random() < 0.4:
        make_fba(record, rng, ids.fn_sku())
    else:
        record.quantity = rng.randrange(1, 250)
    return record


_USED_CONDITIONS = ("used_like_new", "used_very_good", "used_good", "refurbished_refurbished")


def _set_price(record: Record, rng: random.Random, mp: Marketplace) -> None:
    low, high = _PRICE_RANGE[record.product_type]
    scale = _CURRENCY_SCALE.get(mp.currency, 1)
    price = rng.randrange(low * 100, high * 100) // 100 * 100 + rng.choice((99, 95, 49, 0))
    record.price_cents = price * scale
    if rng.random() < 0.6:  # many sellers set a price band for their repricer
        record.min_cents = int(price * rng.uniform(0.5, 0.9)) * scale
        record.max_cents = int(price * rng.uniform(1.2, 2.5)) * scale


def make_fba(record: Record, rng: random.Random, fn_sku: str | None = None) -> None:
    """Turn a record into a healthy FBA listing with stock in the fulfillment centers."""
    record.fba = True
    record.fn_sku = record.fn_sku or fn_sku or "X00" + seeded_id(rng.getrandbits(64), 7, ALNUM)
    record.quantity = 0
    record.stock = FbaStock(
        fulfillable=rng.randrange(5, 400),
        inbound_shipped=rng.choice((0, 0, 0, 24, 48)),
        reserved_pending_customer_order=rng.randrange(0, 6),
        reserved_fc_processing=rng.randrange(0, 4),
        unfulfillable={"customerDamagedQuantity": 1} if rng.random() < 0.1 else {},
    )


def _family(
    rng: random.Random,
    ids: _Ids,
    mp: Marketplace,
    today: datetime,
    start: int,
    product_type: str,
    room: int,
) -> list[Record]:
    """A variation parent and its 2-4 children (SIZE/COLOR variations of one product)."""
    parent = _healthy(rng, ids, mp, today, start, product_type, sku=ids.parent_sku(product_type))
    theme = rng.choice(("COLOR", "SIZE", "SIZE/COLOR"))
    parent.variation_theme = theme
    parent.fba, parent.fn_sku, parent.stock, parent.quantity = False, None, None, 0
    parent.price_cents = parent.min_cents = parent.max_cents = None
    parent.has_offer = False
    children = [
        _healthy(rng, ids, mp, today, start + 1 + i, product_type, family_seed=parent.text_seed)
        for i in range(min(room - 1, rng.randrange(2, 5)))
    ]
    for child in children:
        child.parent_sku, child.variation_theme = parent.sku, theme
        child.created = max(child.created, parent.created)
        child.last_updated = max(child.last_updated, child.created)
    parent.child_skus = tuple(c.sku for c in children)
    return [parent, *children]
