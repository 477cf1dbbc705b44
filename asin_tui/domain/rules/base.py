"""What every diagnosis rule shares: the ``Context`` it reads, the ``Found`` items it returns
(a ``Finding`` plus its ``Impact``: how directly it stops the sale), and the wording helpers
that keep findings in one voice. Pure: no Textual, no network.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from asin_tui.domain.marketplaces import marketplace_by_id
from asin_tui.domain.models import (
    Category,
    Evidence,
    Finding,
    Issue,
    Listing,
    Restriction,
    Severity,
    WizardStep,
)
from asin_tui.domain.patches import PriceBand, price_band

LISTING_SUPPRESSED = "LISTING_SUPPRESSED"
CATALOG_ITEM_REMOVED = "CATALOG_ITEM_REMOVED"
SEARCH_SUPPRESSED = "SEARCH_SUPPRESSED"
ATTRIBUTE_SUPPRESSED = "ATTRIBUTE_SUPPRESSED"

#: Enforcement actions that take the offer off sale while in force. The one list the rules,
#: the diagnosis's state and the sync's fetch policy (domain/fetch_policy.py) go by.
BLOCKING_ACTIONS = frozenset({LISTING_SUPPRESSED, CATALOG_ITEM_REMOVED})
IMAGE_ATTRIBUTES = ("main_product_image_locator", "main_offer_image_locator")
#: The wizard steps findings most often point at.
FIELDS = WizardStep.FIELDS
POLICY = WizardStep.POLICY


class Impact(IntEnum):
    """How directly a finding stops the sale (lower = more direct)."""

    BLOCKS_SALE = 1  # the offer cannot be bought because of this
    HIDES = 2  # buyable, but hidden from search
    AT_RISK = 3  # will block once an exemption expires
    NOTE = 4  # real, but not what stops the sale now


@dataclass(frozen=True, slots=True)
class Found:
    finding: Finding
    impact: Impact


class Context:
    """The evidence for one listing plus facts every rule needs, derived once."""

    def __init__(self, evidence: Evidence, now: datetime) -> None:
        self.evidence = evidence
        self.listing: Listing = evidence.listing
        self.now = now
        self.issues: tuple[Issue, ...] = self.listing.issues_here()
        #: enforcement actions Amazon applies to this listing now (exemptions considered)
        self.actions_in_force: frozenset[str] = actions_in_force(self.issues, now)
        self.band: PriceBand = price_band(self.listing)
        catalog = evidence.catalog
        self.is_parent = self.listing.is_variation_parent or (
            catalog is not None and catalog.item_classification == "VARIATION_PARENT"
        )
        self.sells = self.listing.has_summary and not self.is_parent  # an offer to diagnose
        market = marketplace_by_id(self.listing.marketplace_id)
        self.market_name = market.country if market else self.listing.marketplace_id

    def restrictions(self) -> list[Restriction]:
        """Restrictions for this marketplace and the listing's condition."""
        listing = self.listing
        return [
            r
            for r in self.evidence.restrictions
            if r.marketplace_id == listing.marketplace_id
            and (r.condition_type is None or listing.condition_type in (None, r.condition_type))
        ]


Rule = Callable[[Context, Sequence[Found]], Iterable[Found]]


def actions_in_force(issues: Iterable[Issue], now: datetime) -> frozenset[str]:
    """The enforcement actions Amazon applies at ``now``: NOT_EXEMPT, or an
    EXEMPT_UNTIL_EXPIRY_DATE exemption past its date (never EXEMPT)."""
    return frozenset(
        action
        for issue in issues
        if issue.enforcement is not None and issue.enforcement.in_force_at(now)
        for action in issue.enforcement.actions
    )


# --------------------------------------------------------------------------- wording


def wizard(step: WizardStep, action: str) -> str:
    """A fix naming the reactivation wizard step that does it."""
    return f"Reactivation wizard → {step.label}: {action}"


def names(attributes: Sequence[str]) -> str:
    return ", ".join(attributes)


def short_names(attributes: Sequence[str], shown: int = 2) -> str:
    """For titles: the first names, then how many more."""
    more = len(attributes) - shown
    return names(attributes[:shown]) + (f" +{more} more" if more > 0 else "")


def attributes_brief(what: str, attributes: Sequence[str]) -> str:
    """A finding's brief about attributes: 'Missing: brand', 'Invalid: color, size +1 more'."""
    return f"{what}: {short_names(attributes)}" if attributes else ""


def amazon_says(issue: Issue) -> str:
    code = f" (code {issue.code})" if issue.code else ""
    return f'Amazon says{code}: "{issue.message}"' if issue.message else ""


#: Condition types whose words are not just their parts capitalised.
_CONDITION_WORDS = {"new_new": "New", "new_oem": "New – OEM", "club_club": "Club"}


def condition_words(condition_type: str) -> str:
    """SP-API's condition type in Seller Central's words: 'used_very_good' → 'Used – Very
    Good', 'refurbished_refurbished' → 'Refurbished'."""
    if condition_type in _CONDITION_WORDS:
        return _CONDITION_WORDS[condition_type]
    group, _, grade = condition_type.partition("_")
    if not grade or grade == group:
        return group.capitalize()
    return f"{group.capitalize()} – {grade.replace('_', ' ').title()}"


def sentences(*parts: str) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


def make(
    impact: Impact,
    category: Category,
    severity: Severity,
    code: str,
    title: str,
    detail: str,
    fix: str,
    *,
    attributes: Sequence[str] = (),
    step: WizardStep | None = None,
    issue_code: str | None = None,
    brief: str = "",
) -> Found:
    return Found(
        Finding(
            category=category,
            severity=severity,
            code=code,
            title=title,
            detail=detail,
            fix=fix,
            attributes=tuple(attributes),
            step=step,
            issue_code=issue_code,
            brief=brief,
        ),
        impact,
    )


def has_code(found: Sequence[Found], *wanted: str) -> bool:
    return any(f.finding.code in wanted for f in found)


def sale_blocked(found: Sequence[Found]) -> bool:
    """Something found already explains why the offer cannot be bought."""
    return any(f.impact is Impact.BLOCKS_SALE for f in found)


def price_detail(band: PriceBand) -> str:
    if band.conflict:
        return f"Your {band.conflict} (allowed band {band.band_text})."
    if band.price is None:
        return "The listing has no price."
    if band.minimum is None and band.maximum is None:
        return f"Your price is {band.money(band.price)}."
    return f"Your price is {band.money(band.price)} (allowed band {band.band_text})."
