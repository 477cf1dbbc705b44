"""Typed domain objects. Everything past the SP-API layer speaks these, never raw dicts.

Pure: no Textual, no network, no JSON parsing (that lives in ``asin_tui.spapi.parse``).
The one deliberate mapping kept as JSON-shaped data is ``Listing.attributes``: it is the
seller's product-type attribute document (``{name: [ {value, marketplace_id, ...} ]}``),
which the wizard edits and sends back in JSON Patches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol


class State(StrEnum):
    """Where a listing stands in one marketplace. Order of declaration = most severe first."""

    SUPPRESSED = "SUPPRESSED"  # a LISTING_SUPPRESSED enforcement in force
    CATALOG_REMOVED = "CATALOG_REMOVED"  # the ASIN is gone / CATALOG_ITEM_REMOVED
    INCOMPLETE = "INCOMPLETE"  # no summaries: SKU not in catalog / failed submission
    INACTIVE = "INACTIVE"  # not buyable, no suppression (stock, price, closed...)
    SEARCH_SUPPRESSED = "SEARCH_SUPPRESSED"  # buyable, hidden from search
    VARIATION_PARENT = "VARIATION_PARENT"  # never buyable by design; not a problem
    ACTIVE = "ACTIVE"  # buyable and discoverable

    @property
    def rank(self) -> int:
        """0 = most severe. Used for the shared report/TUI order."""
        return _STATE_RANK[self]

    @property
    def needs_attention(self) -> bool:
        return self not in (State.ACTIVE, State.VARIATION_PARENT)


_STATE_RANK = {s: i for i, s in enumerate(State)}


class Severity(StrEnum):
    ERROR = "ERROR"
    WARNING = "WARNING"
    INFO = "INFO"

    @property
    def rank(self) -> int:
        return {"ERROR": 0, "WARNING": 1, "INFO": 2}[self.value]


class Category(StrEnum):
    STOCK = "STOCK"
    PRICING = "PRICING"
    LISTING_FIELDS = "LISTING_FIELDS"
    POLICY = "POLICY"
    RESTRICTION = "RESTRICTION"
    CATALOG = "CATALOG"
    ACCOUNT = "ACCOUNT"
    OTHER = "OTHER"


class StepStatus(StrEnum):
    """Status of a wizard check or step: one enum for the plan (domain.wizard) and the saved
    case (store.cases), whose file stores these values."""

    PASSED = "passed"
    READY = "ready"  # the fix is entered (or validated by Amazon), not sent yet
    NEEDS_ACTION = "needs_action"
    NOT_APPLICABLE = "not_applicable"
    PENDING = "pending"


class WizardStep(StrEnum):
    """Reactivation wizard steps, in order. Findings name the step that fixes them."""

    OVERVIEW = "overview"
    STOCK = "stock"
    POLICY = "policy"
    FIELDS = "fields"
    APPLY = "apply"
    VERIFY = "verify"
    WRAP_UP = "wrap_up"

    @property
    def label(self) -> str:
        return {
            "overview": "Overview",
            "stock": "Stock",
            "policy": "Policy compliance",
            "fields": "Listing fields",
            "apply": "Apply",
            "verify": "Verify",
            "wrap_up": "Wrap up",
        }[self.value]

    @property
    def short_label(self) -> str:
        """For narrow places: the wizard's stepper, the list's Wizard column."""
        return {"policy": "Policy", "fields": "Fields"}.get(self.value, self.label)


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
        return "BUYABLE" in self.status

    @property
    def discoverable(self) -> bool:
        return "DISCOVERABLE" in self.status

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


# --------------------------------------------------------------------------- account


@dataclass(frozen=True, slots=True)
class AccountHealth:
    """Account-level gate (GET_V2_SELLER_PERFORMANCE_REPORT), per marketplace."""

    marketplace_id: str
    status: str  # NORMAL | AT_RISK | DEACTIVATED
    policy_counters: Mapping[str, int] = field(default_factory=dict)  # only BAD sections
    as_of: datetime | None = None  # when the report was fetched (None: not known)
    #: order metrics as fractions (order_defect_rate — the worse of MFN and FBA —,
    #: late_shipment_rate, pre_fulfillment_cancellation_rate, valid_tracking_rate); a metric
    #: the report does not carry is absent
    rates: Mapping[str, float] = field(default_factory=dict)
    rating: str | None = None  # the account health rating's status (GREAT, GOOD, AT_RISK...)

    @property
    def effect(self) -> tuple[str, str, tuple[tuple[str, int], ...]] | None:
        """What of it a diagnosis acts on (rules.listing.account_rule, diagnosis): None when
        it changes no listing's diagnosis (NORMAL, or any status but AT_RISK/DEACTIVATED),
        so a report that only confirms that needs no listing diagnosed again."""
        if self.status not in ("AT_RISK", "DEACTIVATED"):
            return None
        return (self.marketplace_id, self.status, tuple(self.policy_counters.items()))

    def counters_text(self) -> str:
        """The BAD policy sections in words: 'listing policy violations: 2, document
        requests: 6' ('' when there are none)."""
        return ", ".join(f"{camel_words(k)}: {n}" for k, n in self.policy_counters.items())


def camel_words(camel: str) -> str:
    """SP-API's camelCase names in words: 'listingPolicyViolations' → 'listing policy
    violations'."""
    return "".join(f" {c.lower()}" if c.isupper() else c for c in camel).strip()


# --------------------------------------------------------------------------- diagnosis


@dataclass(frozen=True, slots=True)
class Finding:
    category: Category
    severity: Severity
    code: str  # our stable finding code, e.g. "OUT_OF_STOCK_MFN"
    title: str
    detail: str
    fix: str
    attributes: tuple[str, ...] = ()
    step: WizardStep | None = None  # the wizard step that fixes it
    issue_code: str | None = None  # the SP-API issue code it came from, if any
    #: the essential thing first, for a narrow column ("Missing: brand", "Price above max
    #: 72.24"); built by the rule from the same data as the title ("": the title is short)
    brief: str = ""

    @property
    def short_title(self) -> str:
        return self.brief or self.title

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category.value,
            "severity": self.severity.value,
            "code": self.code,
            "title": self.title,
            "detail": self.detail,
            "attributes": list(self.attributes),
            "fix": self.fix,
        }


@dataclass(frozen=True, slots=True)
class Diagnosis:
    sku: str
    asin: str | None
    marketplace_id: str
    state: State
    buyable: bool  # effective: Amazon's status, less the enforcements in force
    discoverable: bool
    findings: tuple[Finding, ...] = ()
    # Amazon's own summaries[].status (None: no summary), which lags enforcements
    amazon_status: tuple[str, ...] | None = None
    # what the evidence did not let the diagnosis judge, in words (absent data is no finding)
    not_checked: tuple[str, ...] = ()
    submission_status: str | None = None  # set when diagnosing a submission answer

    @property
    def status_lags(self) -> bool:
        """Amazon's status says buyable/discoverable where an enforcement in force says not."""
        if self.amazon_status is None:
            return False
        return ("BUYABLE" in self.amazon_status) != self.buyable or (
            "DISCOVERABLE" in self.amazon_status
        ) != self.discoverable

    @property
    def main_finding(self) -> Finding | None:
        return self.findings[0] if self.findings else None

    @property
    def main_cause(self) -> str:
        f = self.main_finding
        return f.title if f else ""

    @property
    def has_error(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def needs_attention(self) -> bool:
        """The exit-code contract: OK only if buyable, discoverable and no ERROR finding.
        Variation parents never need attention."""
        if self.state is State.VARIATION_PARENT:
            return False
        if self.submission_status is not None:  # the live state is not in a submission answer
            return self.submission_status == "INVALID" or self.has_error
        return not (self.buyable and self.discoverable) or self.has_error

    @property
    def at_risk(self) -> bool:
        """A WARNING finding (an exemption about to expire, a required value missing...):
        live for now, worth a look before it stops selling. Variation parents never are."""
        return self.state is not State.VARIATION_PARENT and any(
            f.severity is Severity.WARNING for f in self.findings
        )

    @property
    def listed_by_default(self) -> bool:
        """Shown in the default (needs attention) views of `report` and the TUI."""
        return self.needs_attention or self.at_risk

    def to_dict(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "asin": self.asin,
            "marketplace_id": self.marketplace_id or None,
            "state": self.state.value,
            "buyable": self.buyable,
            "discoverable": self.discoverable,
            "amazon_status": list(self.amazon_status) if self.amazon_status is not None else None,
            **({"submission_status": self.submission_status} if self.submission_status else {}),
            "findings": [f.to_dict() for f in self.findings],
            "not_checked": list(self.not_checked),
        }


class Ranked(Protocol):
    """What the shared order reads: a Diagnosis, a ListingRecord."""

    @property
    def state(self) -> State: ...

    @property
    def sku(self) -> str: ...


def sort_key(d: Ranked) -> tuple[int, str]:
    """The one order shared by `report` and the TUI: most severe state first, then SKU."""
    return (d.state.rank, d.sku)


# --------------------------------------------------------------------------- records


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


@dataclass(frozen=True, slots=True)
class ListingRecord:
    """One row of the ASIN list and of `asin-tui report`: a listing and its diagnosis, flat.

    `quantity` is the MFN quantity for merchant-fulfilled listings and the FBA fulfillable
    quantity for FBA listings; `inbound` is FBA inbound (working + shipped + receiving)."""

    sku: str
    asin: str | None
    title: str
    marketplace_id: str
    state: State
    buyable: bool
    discoverable: bool
    findings: tuple[Finding, ...] = ()
    product_type: str | None = None
    condition_type: str | None = None
    fulfillment_channel: str | None = None  # MFN | FBA | None
    quantity: int | None = None
    inbound: int | None = None
    price: Decimal | None = None
    currency: str | None = None
    inactive_since: datetime | None = None  # first seen in the current non-ACTIVE state
    # Amazon's own summaries[].status (None: no summary); buyable/discoverable are effective
    amazon_status: tuple[str, ...] | None = None

    @property
    def status_lags(self) -> bool:
        return self.diagnosis.status_lags

    @property
    def main_cause(self) -> str:
        return self.findings[0].title if self.findings else ""

    @property
    def main_brief(self) -> str:
        """The main cause, essential thing first (the list's Main cause column)."""
        return self.findings[0].short_title if self.findings else ""

    @property
    def main_code(self) -> str:
        return self.findings[0].code if self.findings else ""

    @property
    def needs_attention(self) -> bool:
        return self.diagnosis.needs_attention

    @property
    def at_risk(self) -> bool:
        return self.diagnosis.at_risk

    @property
    def listed_by_default(self) -> bool:
        return self.diagnosis.listed_by_default

    @property
    def diagnosis(self) -> Diagnosis:
        return Diagnosis(
            sku=self.sku,
            asin=self.asin,
            marketplace_id=self.marketplace_id,
            state=self.state,
            buyable=self.buyable,
            discoverable=self.discoverable,
            findings=self.findings,
            amazon_status=self.amazon_status,
        )

    @classmethod
    def build(
        cls, evidence: Evidence, diagnosis: Diagnosis, inactive_since: datetime | None = None
    ) -> ListingRecord:
        listing = evidence.listing
        inv = evidence.inventory
        offer = listing.offer()
        if listing.is_fba:
            quantity = inv.fulfillable if inv else None
            inbound = inv.inbound_total if inv else None
        else:
            quantity, inbound = listing.mfn_quantity, None
        return cls(
            sku=listing.sku,
            asin=listing.asin,
            title=listing.item_name or "",
            marketplace_id=listing.marketplace_id,
            state=diagnosis.state,
            buyable=diagnosis.buyable,
            discoverable=diagnosis.discoverable,
            findings=diagnosis.findings,
            product_type=listing.product_type,
            condition_type=listing.condition_type,
            fulfillment_channel=listing.fulfillment_channel,
            quantity=quantity,
            inbound=inbound,
            price=offer.price if offer else None,
            currency=offer.currency if offer else None,
            inactive_since=inactive_since,
            amazon_status=diagnosis.amazon_status,
        )

    def to_report_dict(self) -> dict[str, Any]:
        """The `report --format json` listing object (a contract scripts rely on)."""
        return {
            "sku": self.sku,
            "asin": self.asin,
            "title": self.title,
            "state": self.state.value,
            "buyable": self.buyable,
            "discoverable": self.discoverable,
            "amazon_status": list(self.amazon_status) if self.amazon_status is not None else None,
            "fulfillment_channel": self.fulfillment_channel,
            "quantity": self.quantity,
            "price": str(self.price) if self.price is not None else None,
            "currency": self.currency,
            "inactive_since": self.inactive_since.isoformat() if self.inactive_since else None,
            "findings": [f.to_dict() for f in self.findings],
        }
