"""Typed domain objects. Everything past the SP-API layer speaks these, never raw dicts.

Here: states, severities, findings, diagnoses, the Account Health gate and the records the
list and `report` show. What SP-API said about a listing (Listing, its offers, inventory,
restrictions, product type requirements, catalog item, Evidence) is in
:mod:`asin_tui.domain.evidence`; this module names those too, loaded on first use.

Pure: no Textual, no network, no JSON parsing (that lives in ``asin_tui.spapi.parse``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # at run time from domain.evidence on first use: see __getattr__ below
    from asin_tui.domain.evidence import OFFER_ATTRIBUTES as OFFER_ATTRIBUTES
    from asin_tui.domain.evidence import OFFER_ONLY_SUFFIX as OFFER_ONLY_SUFFIX
    from asin_tui.domain.evidence import AttributeSpec as AttributeSpec
    from asin_tui.domain.evidence import CatalogItem as CatalogItem
    from asin_tui.domain.evidence import Enforcement as Enforcement
    from asin_tui.domain.evidence import Evidence as Evidence
    from asin_tui.domain.evidence import EvidenceGap as EvidenceGap
    from asin_tui.domain.evidence import FulfillmentAvailability as FulfillmentAvailability
    from asin_tui.domain.evidence import InventorySummary as InventorySummary
    from asin_tui.domain.evidence import Issue as Issue
    from asin_tui.domain.evidence import LastQuantity as LastQuantity
    from asin_tui.domain.evidence import Listing as Listing
    from asin_tui.domain.evidence import Offer as Offer
    from asin_tui.domain.evidence import ProductTypeRequirements as ProductTypeRequirements
    from asin_tui.domain.evidence import Restriction as Restriction
    from asin_tui.domain.evidence import RestrictionLink as RestrictionLink
    from asin_tui.domain.evidence import RestrictionReason as RestrictionReason
    from asin_tui.domain.evidence import requirements_for_key as requirements_for_key

#: What domain.evidence defines and this module names too (``from asin_tui.domain.models
#: import Listing`` works as before), imported the first time one is asked for: building
#: their ~15 frozen dataclasses is ~8 ms that a report read from the cache never needs.
_EVIDENCE = frozenset(
    {
        "OFFER_ATTRIBUTES",
        "OFFER_ONLY_SUFFIX",
        "AttributeSpec",
        "CatalogItem",
        "Enforcement",
        "Evidence",
        "EvidenceGap",
        "FulfillmentAvailability",
        "InventorySummary",
        "Issue",
        "LastQuantity",
        "Listing",
        "Offer",
        "ProductTypeRequirements",
        "Restriction",
        "RestrictionLink",
        "RestrictionReason",
        "requirements_for_key",
    }
)


def __getattr__(name: str) -> Any:
    """The names of :data:`_EVIDENCE`, from domain.evidence (PEP 562)."""
    if name in _EVIDENCE:
        from asin_tui.domain import evidence

        return getattr(evidence, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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

#: The longest seller SKU Amazon takes (Seller Central's listing rules; its gateway refuses
#: longer ones: amz-tools/amazon-sp-api#126). A longer one is no listing's: a fix CSV refuses
#: it, a sync asks for one (a hostile report's) alone, never in a batch of 20.
MAX_SKU = 40


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
