"""What SP-API said about one listing, typed: the listing, its inventory, restrictions,
product type requirements and catalog item, the evidence calls that failed, and the last
quantity seen. The diagnosis engine's input (``asin_tui.spapi.parse`` builds these from
the response bodies); its output (Finding, Diagnosis, ListingRecord) is in
:mod:`asin_tui.domain.models`, which names these too, loaded on first use: a report read
from the cache never builds these classes (~8 ms of its start).

Pure: no Textual, no network, no JSON parsing. The one deliberate mapping kept as
JSON-shaped data is ``Listing.attributes``: it is the seller's product-type attribute
document (``{name: [ {value, marketplace_id, ...} ]}``), which the wizard edits and sends
back in JSON Patches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from asin_tui.domain.models import AccountHealth


# --------------------------------------------------------------------------- listing


@dataclass(frozen=True, slots=True)
class Enforcement:
    actions: tuple[str, ...] = ()  # LISTING_SUPPRESSED, ATTRIBUTE_SUPPRESSED, ...
    exemption_status: str | None = None  # EXEMPT | EXEMPT_UNTIL_EXPIRY_DATE | NOT_EXEMPT
    exemption_expiry: datetime | None = None

    @property
    def in_force(self) -> bool:
        """The actions are applied now (not exempt)."""
        return bool(self.actions) and self.exemption_status not in (
            "EXEMPT",
            "EXEMPT_UNTIL_EXPIRY_DATE",
        )

    def in_force_at(self, now: datetime) -> bool:
        """The actions are applied at ``now``: like ``in_force``, but an
        EXEMPT_UNTIL_EXPIRY_DATE exemption whose expiry date has passed no longer protects."""
        if self.in_force:
            return True
        return (
            bool(self.actions)
            and self.exemption_status == "EXEMPT_UNTIL_EXPIRY_DATE"
            and self.exemption_expiry is not None
            and self.exemption_expiry <= now
        )


@dataclass(frozen=True, slots=True)
class Issue:
    code: str
    message: str
    severity: str  # ERROR | WARNING | INFO
    attribute_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # INVALID_ATTRIBUTE, MISSING_ATTRIBUTE, ...
    enforcement: Enforcement | None = None
    marketplace_ids: tuple[str, ...] = ()  # empty = applies to every marketplace

    def applies_to(self, marketplace_id: str) -> bool:
        """Issues naming no marketplace apply everywhere; with the marketplace unknown ("")
        every issue is taken as this listing's."""
        return (
            not (self.marketplace_ids and marketplace_id) or marketplace_id in self.marketplace_ids
        )


@dataclass(frozen=True, slots=True)
class Offer:
    marketplace_id: str
    offer_type: str  # B2C | B2B
    price: Decimal | None
    currency: str | None
    audience: str | None = None  # ALL | B2B


@dataclass(frozen=True, slots=True)
class FulfillmentAvailability:
    channel_code: str  # DEFAULT (merchant) | AMAZON_NA | AMAZON_EU | ...
    quantity: int | None

    @property
    def is_fba(self) -> bool:
        return self.channel_code != "DEFAULT"


#: Offer attributes of Amazon's product type schemas (the ones LISTING_OFFER_ONLY asks for):
#: a listing with nothing else is an offer on another owner's product.
OFFER_ATTRIBUTES = frozenset(
    {
        "condition_type",
        "condition_note",
        "purchasable_offer",
        "fulfillment_availability",
        "merchant_suggested_asin",
        "merchant_shipping_group",
        "merchant_release_date",
        "list_price",
        "max_order_quantity",
        "skip_offer",
        "gift_options",
        "product_tax_code",
        "main_offer_image_locator",
        "other_offer_image_locator_1",
        "other_offer_image_locator_2",
        "other_offer_image_locator_3",
        "other_offer_image_locator_4",
        "other_offer_image_locator_5",
        "externally_assigned_product_identifier",
    }
)
OFFER_ONLY_SUFFIX = "@LISTING_OFFER_ONLY"


def requirements_for_key(key: str) -> tuple[str, str]:
    """``(product_type, requirements)`` of a ``Listing.requirements_key``."""
    product_type, _, requirements = key.partition("@")
    return product_type, requirements or "LISTING"


@dataclass(frozen=True, slots=True)
class Listing:
    """One seller SKU as getListingsItem / searchListingsItems describe it."""

    sku: str
    marketplace_id: str  # the marketplace this view is for ("" = the body named none)
    asin: str | None = None
    product_type: str | None = None
    condition_type: str | None = None
    item_name: str | None = None
    status: frozenset[str] = frozenset()  # subset of {BUYABLE, DISCOVERABLE}
    has_summary: bool = True  # False: summaries were empty for this marketplace
    # False: the summary carried no status (null or absent; Amazon's model requires it)
    status_known: bool = True
    fn_sku: str | None = None
    created_date: datetime | None = None
    last_updated_date: datetime | None = None
    main_image_url: str | None = None
    issues: tuple[Issue, ...] = ()
    offers: tuple[Offer, ...] = ()
    fulfillment: tuple[FulfillmentAvailability, ...] = ()
    attributes: Mapping[str, Any] = field(default_factory=dict)
    parent_skus: tuple[str, ...] = ()
    child_skus: tuple[str, ...] = ()
    variation_theme: str | None = None
    # includedData sections the response carried (None = unknown: assume all were asked for)
    included_data: frozenset[str] | None = None
    # a putListingsItem / patchListingsItem answer (ACCEPTED | INVALID | VALID), not a read
    submission_status: str | None = None
    # marketplaces the body also speaks of (summaries, issues), not diagnosed in this view
    other_marketplaces: tuple[str, ...] = ()

    def has_data(self, section: str) -> bool:
        """Whether the response carried ``section`` (e.g. "offers"), so that an empty
        value means "none" rather than "not requested"."""
        return self.included_data is None or section in self.included_data

    @property
    def summary_unknown(self) -> bool:
        """The body did not carry a summaries section at all (not asked for): its status is
        not known — unlike ``summaries: []``, which says Amazon has no listing."""
        return (
            not self.has_summary
            and self.submission_status is None
            and self.included_data is not None
            and "summaries" not in self.included_data
        )

    @property
    def status_unknown(self) -> bool:
        """Amazon's status for this listing is not known: no summaries section, or a summary
        whose status is null or absent (the model requires it) — "not checked", unlike
        ``status: []``, which says neither buyable nor discoverable."""
        return self.summary_unknown or (self.has_summary and not self.status_known)

    @property
    def is_offer_only(self) -> bool:
        """An offer on an ASIN whose product data others own (a reseller's): its attributes
        are offer attributes only (condition, price, stock, the ASIN it matches).
        Such listings are judged against Amazon's LISTING_OFFER_ONLY requirements, not the
        full product's (Product Type Definitions API ``requirements``)."""
        names = set(self.attributes)
        if not names:
            return False  # attributes not fetched (or none): not known
        # merchant_suggested_asin alone says nothing: Amazon's own full listings carry it too
        # (selling-partner-api-samples, listings-wizard get_listing_response)
        return names <= OFFER_ATTRIBUTES

    @property
    def requirements_key(self) -> str | None:
        """Which product type requirements judge this listing: its product type, with
        ``@LISTING_OFFER_ONLY`` for an offer-only listing (see ``requirements_for_key``)."""
        if not self.product_type:
            return None
        return (
            f"{self.product_type}{OFFER_ONLY_SUFFIX}" if self.is_offer_only else self.product_type
        )

    @property
    def buyable(self) -> bool:
        """Amazon's status says BUYABLE — or says nothing (``status_unknown``): what is not
        known is never a cause; only the enforcements in force take it away
        (``diagnosis.effective_status``)."""
        return "BUYABLE" in self.status or (self.has_summary and not self.status_known)

    @property
    def discoverable(self) -> bool:
        """As ``buyable``, for DISCOVERABLE."""
        return "DISCOVERABLE" in self.status or (self.has_summary and not self.status_known)

    @property
    def is_variation_parent(self) -> bool:
        if self.child_skus:
            return True
        entries = self.attributes.get("parentage_level")
        return isinstance(entries, list) and any(
            isinstance(entry, Mapping) and entry.get("value") == "parent" for entry in entries
        )

    @property
    def is_fba(self) -> bool:
        return any(f.is_fba for f in self.fulfillment)

    @property
    def fulfillment_channel(self) -> str | None:
        """'FBA', 'MFN' or None when the listing has no fulfillment availability."""
        if not self.fulfillment:
            return None
        return "FBA" if self.is_fba else "MFN"

    @property
    def mfn_quantity(self) -> int | None:
        for f in self.fulfillment:
            if not f.is_fba:
                return f.quantity
        return None

    def offer(self, offer_type: str = "B2C") -> Offer | None:
        for o in self.offers:
            if o.offer_type == offer_type and o.marketplace_id in (self.marketplace_id, ""):
                return o
        if not self.marketplace_id:  # marketplace unknown: the body's first offer of the type
            return next((o for o in self.offers if o.offer_type == offer_type), None)
        return None

    @property
    def price(self) -> Decimal | None:
        o = self.offer()
        return o.price if o else None

    def issues_here(self) -> tuple[Issue, ...]:
        """Issues that apply to this listing's marketplace."""
        return tuple(i for i in self.issues if i.applies_to(self.marketplace_id))


# --------------------------------------------------------------------------- inventory


@dataclass(frozen=True, slots=True)
class InventorySummary:
    """FBA inventory for one SKU (getInventorySummaries with details=true)."""

    seller_sku: str
    asin: str | None = None
    fn_sku: str | None = None
    condition: str | None = None
    total_quantity: int = 0
    fulfillable: int = 0
    inbound_working: int = 0
    inbound_shipped: int = 0
    inbound_receiving: int = 0
    reserved_total: int = 0
    reserved_pending_customer_order: int = 0
    reserved_pending_transshipment: int = 0
    reserved_fc_processing: int = 0
    researching_total: int = 0
    unfulfillable_total: int = 0
    unfulfillable_breakdown: Mapping[str, int] = field(default_factory=dict)
    last_updated: datetime | None = None

    @property
    def inbound_total(self) -> int:
        return self.inbound_working + self.inbound_shipped + self.inbound_receiving


# --------------------------------------------------------------------------- restrictions


@dataclass(frozen=True, slots=True)
class RestrictionLink:
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class RestrictionReason:
    message: str
    reason_code: str | None = None  # APPROVAL_REQUIRED | ASIN_NOT_FOUND | NOT_ELIGIBLE | None
    links: tuple[RestrictionLink, ...] = ()


@dataclass(frozen=True, slots=True)
class Restriction:
    marketplace_id: str
    condition_type: str | None = None
    reasons: tuple[RestrictionReason, ...] = ()


# --------------------------------------------------------------------------- product types


@dataclass(frozen=True, slots=True)
class AttributeSpec:
    """What the product type schema says about one top-level attribute."""

    name: str
    title: str = ""
    description: str = ""
    required: bool = False
    value_type: str = "string"  # string | number | integer | boolean | object
    value_key: str = "value"  # the key inside each entry that holds the value
    enum: tuple[str, ...] = ()
    enum_names: tuple[str, ...] = ()
    min_length: int | None = None
    max_length: int | None = None
    min_utf8_byte_length: int | None = None  # Amazon's minUtf8ByteLength
    max_utf8_byte_length: int | None = None  # Amazon's maxUtf8ByteLength
    minimum: float | None = None
    maximum: float | None = None
    max_items: int | None = None
    editable: bool = True
    value_format: str | None = None  # the value's JSON Schema ``format`` ("uri": a web address)
    # The entry keys among marketplace_id / language_tag the schema declares (its ``selectors``
    # and the item's properties): what a new entry carries. None: no schema was read.
    qualifiers: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class ProductTypeRequirements:
    product_type: str
    marketplace_id: str
    display_name: str = ""
    checksum: str | None = None
    version: str | None = None
    requirements: str = "LISTING"
    attributes: Mapping[str, AttributeSpec] = field(default_factory=dict)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(n for n, a in self.attributes.items() if a.required)


# --------------------------------------------------------------------------- catalog


@dataclass(frozen=True, slots=True)
class CatalogItem:
    asin: str
    found: bool = True  # False: the catalog has no item for the ASIN in this marketplace
    item_classification: str | None = None  # BASE_PRODUCT | VARIATION_PARENT | ...
    product_types: tuple[str, ...] = ()
    brand: str | None = None
    item_name: str | None = None


# --------------------------------------------------------------------------- evidence


@dataclass(frozen=True, slots=True)
class EvidenceGap:
    """Evidence a sync asked Amazon for and did not get: the call gave up after its retries.

    ``as_of`` set: the section in Evidence is the last good answer, from that time (kept from
    an earlier sync). None: the section is simply not there, so it was not checked: no cause
    may be drawn from its absence."""

    section: str  # "inventory" | "restrictions" | "catalog" | "product type"
    call: str  # the SP-API operation that failed, e.g. getInventorySummaries
    error: str  # why, as the client said it
    as_of: datetime | None = None

    @property
    def words(self) -> str:
        return _GAP_WORDS.get(self.section, self.section)


_GAP_WORDS = {
    "inventory": "FBA inventory",
    "restrictions": "listing restrictions",
    "catalog": "catalog item",
    "product type": "product type definition",
}


@dataclass(frozen=True, slots=True)
class Evidence:
    """Everything SP-API said about one listing: the input of the diagnosis engine
    and what the detail screen shows as raw evidence."""

    listing: Listing
    inventory: InventorySummary | None = None
    restrictions: tuple[Restriction, ...] = ()
    requirements: ProductTypeRequirements | None = None
    catalog: CatalogItem | None = None
    account: AccountHealth | None = None
    gaps: tuple[EvidenceGap, ...] = ()  # evidence calls that failed (see EvidenceGap)
    #: Sections ("restrictions", "catalog") -> when the call that answered was made (a sync
    #: may use an earlier sync's answer that is fresh enough by policy: not a gap).
    fetched: Mapping[str, datetime] = field(default_factory=dict)

    def gap(self, section: str) -> EvidenceGap | None:
        return next((g for g in self.gaps if g.section == section), None)

    def not_had(self, section: str) -> bool:
        """The section was asked for and is not there (its call failed, nothing kept)."""
        gap = self.gap(section)
        return gap is not None and gap.as_of is None


@dataclass(frozen=True, slots=True)
class LastQuantity:
    """The last merchant-fulfilled quantity above 0 the cache saw for a listing, and when: a
    suggestion for a listing now out of stock (shown, never applied unasked)."""

    units: int
    seen_at: datetime
