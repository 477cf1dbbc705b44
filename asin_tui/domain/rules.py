"""The diagnosis rules: one function per cause of DOMAIN.md §3, run in table order.

Each rule reads a ``Context`` (the evidence plus facts derived once) and what the rules before
it found, and returns ``Found`` items: a ``Finding`` plus its ``Impact`` (how directly it stops
the sale), which orders findings within a severity and tells the last rules whether anything
explains a listing that cannot be bought or is hidden. Rules key on issue categories,
enforcements, exemptions, attribute names and quantities; the issue ``code`` only adds detail.

Pure: no Textual, no network.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from asin_tui.domain import codes
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
from asin_tui.domain.patches import (
    FULFILLMENT_AVAILABILITY,
    PURCHASABLE_OFFER,
    PriceBand,
    attribute_entries,
    price_band,
)

LISTING_SUPPRESSED = "LISTING_SUPPRESSED"
CATALOG_ITEM_REMOVED = "CATALOG_ITEM_REMOVED"
SEARCH_SUPPRESSED = "SEARCH_SUPPRESSED"
ATTRIBUTE_SUPPRESSED = "ATTRIBUTE_SUPPRESSED"

_BLOCKING_ACTIONS = (LISTING_SUPPRESSED, CATALOG_ITEM_REMOVED)
_IMAGE_ATTRIBUTES = ("main_product_image_locator", "main_offer_image_locator")
_PRICE_ATTRIBUTES = (PURCHASABLE_OFFER, "list_price")
_ATTRIBUTE_CATEGORIES = frozenset(
    {
        "MISSING_ATTRIBUTE",
        "INVALID_ATTRIBUTE",
        "MISSING_IMAGE",
        "INVALID_IMAGE",
        "MISSING_PRICE",
        "INVALID_PRICE",
    }
)


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


# --------------------------------------------------------------------------- wording


def wizard(step: WizardStep, action: str) -> str:
    """A fix naming the reactivation wizard step that does it."""
    return f"Reactivation wizard → {step.label}: {action}"


def _names(attributes: Sequence[str]) -> str:
    return ", ".join(attributes)


def _date(moment: datetime) -> str:
    return moment.date().isoformat()


def _days_left(moment: datetime, now: datetime) -> str:
    days = (moment.date() - now.date()).days
    if days <= 0:
        return "today"
    return "in 1 day" if days == 1 else f"in {days} days"


def _amazon_says(issue: Issue) -> str:
    code = f" (code {issue.code})" if issue.code else ""
    return f'Amazon says{code}: "{issue.message}"' if issue.message else ""


def _sentences(*parts: str) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


def _found(
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
        ),
        impact,
    )


def _has(found: Sequence[Found], *wanted: str) -> bool:
    return any(f.finding.code in wanted for f in found)


def _blocked(found: Sequence[Found]) -> bool:
    """Something found already explains why the offer cannot be bought."""
    return any(f.impact is Impact.BLOCKS_SALE for f in found)


# --------------------------------------------------------------------------- issues


@dataclass(frozen=True, slots=True)
class IssueKind:
    """What one kind of SP-API issue means for the seller."""

    code: str
    category: Category
    step: WizardStep
    title: str
    fix: str
    matches: Callable[[Issue], bool]


def _category(*wanted: str) -> Callable[[Issue], bool]:
    return lambda issue: any(c in wanted for c in issue.categories)


def _attribute_category_on(
    categories: tuple[str, ...], attributes: tuple[str, ...]
) -> Callable[[Issue], bool]:
    return lambda issue: (
        _category(*categories)(issue) and any(a in attributes for a in issue.attribute_names)
    )


def _action(action: str) -> Callable[[Issue], bool]:
    return lambda issue: issue.enforcement is not None and action in issue.enforcement.actions


def _is_policy(issue: Issue) -> bool:
    """Policy issues: an enforcement, and no attribute/image/price category to explain it."""
    return (
        issue.enforcement is not None
        and bool(issue.enforcement.actions)
        and not _ATTRIBUTE_CATEGORIES.intersection(issue.categories)
    )


_FIELDS = WizardStep.FIELDS
_POLICY = WizardStep.POLICY

#: First match wins. Enforcement effects that no edit can lift come first.
ISSUE_KINDS: tuple[IssueKind, ...] = (
    IssueKind(
        codes.CATALOG_ITEM_REMOVED,
        Category.CATALOG,
        _POLICY,
        "Catalog item removed",
        wizard(
            _POLICY,
            "not fixable by an edit. Contact Seller Support or the brand owner, list against "
            "the correct ASIN (fix the product ID/GTIN), or delete the SKU.",
        ),
        _action(CATALOG_ITEM_REMOVED),
    ),
    IssueKind(
        codes.MISSING_IMAGE,
        Category.LISTING_FIELDS,
        _FIELDS,
        "Main image missing",
        wizard(_FIELDS, "add a main image (main_product_image_locator) that meets Amazon's rules."),
        lambda i: (
            _category("MISSING_IMAGE")(i)
            or _attribute_category_on(("MISSING_ATTRIBUTE",), _IMAGE_ATTRIBUTES)(i)
        ),
    ),
    IssueKind(
        codes.INVALID_IMAGE,
        Category.LISTING_FIELDS,
        _FIELDS,
        "Main image not compliant",
        wizard(
            _FIELDS,
            "replace the main image with a compliant one (pure white background, no text, "
            "logo or watermark); changing catalog images needs brand or detail-page authority.",
        ),
        lambda i: (
            _category("INVALID_IMAGE")(i)
            or _attribute_category_on(("INVALID_ATTRIBUTE",), _IMAGE_ATTRIBUTES)(i)
        ),
    ),
    IssueKind(
        codes.MISSING_PRICE,
        Category.PRICING,
        _FIELDS,
        "No price",
        wizard(_FIELDS, "set your price (purchasable_offer)."),
        _category("MISSING_PRICE"),
    ),
    IssueKind(
        codes.PRICE_CONFLICT,
        Category.PRICING,
        _FIELDS,
        "Price conflict",
        wizard(
            _FIELDS,
            "set the price inside your allowed band, or move the minimum/maximum seller allowed "
            "price so it fits. If Amazon flagged a correct price, confirm it in Seller Central.",
        ),
        lambda i: (
            _category("INVALID_PRICE")(i)
            or _attribute_category_on(("INVALID_ATTRIBUTE",), _PRICE_ATTRIBUTES)(i)
        ),
    ),
    IssueKind(
        codes.MISSING_ATTRIBUTE,
        Category.LISTING_FIELDS,
        _FIELDS,
        "Missing required attribute",
        wizard(_FIELDS, "supply the missing value(s)."),
        _category("MISSING_ATTRIBUTE"),
    ),
    IssueKind(
        codes.INVALID_ATTRIBUTE,
        Category.LISTING_FIELDS,
        _FIELDS,
        "Invalid attribute value",
        wizard(
            _FIELDS,
            "replace the value with one the product type accepts (allowed values, length), "
            "or delete it if the attribute is optional.",
        ),
        _category("INVALID_ATTRIBUTE"),
    ),
    IssueKind(
        codes.POLICY_VIOLATION,
        Category.POLICY,
        _POLICY,
        "Policy violation",
        wizard(
            _POLICY,
            "not fixable by an edit alone. Read Amazon's message; submit documents or an "
            "appeal in Seller Central (Account Health), correct the content, or delete the SKU.",
        ),
        _is_policy,
    ),
    IssueKind(
        codes.INVALID_ATTRIBUTE,
        Category.LISTING_FIELDS,
        _FIELDS,
        "Attribute problem",
        wizard(_FIELDS, "correct the value(s) Amazon names."),
        lambda issue: bool(issue.attribute_names),
    ),
)

OTHER_KIND = IssueKind(
    codes.OTHER_ISSUE,
    Category.OTHER,
    WizardStep.OVERVIEW,
    "Amazon reports an issue",
    "Read Amazon's message; fix it in Seller Central or with Reactivation wizard → Listing fields.",
    lambda issue: True,
)

#: Message keywords → (title, what to do) for policy issues (their categories are empty).
POLICY_TOPICS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("document", "gpsr", "compliance"),
        "Compliance documents required",
        "upload the requested documents (safety attestation, compliance media) in Seller "
        "Central → Account Health, then request a review.",
    ),
    (
        ("restricted product",),
        "Restricted product policy",
        "review Amazon's restricted products policy; appeal with evidence in Seller Central → "
        "Account Health, or delete the SKU.",
    ),
    (
        ("detail page", "inaccurate"),
        "Detail page rules violation",
        "correct the offending content (title, bullets, description, images) and request "
        "reinstatement in Seller Central → Fix Your Products.",
    ),
    (
        ("dangerous goods", "hazmat", "hazardous"),
        "Dangerous goods review",
        "submit a Safety Data Sheet or exemption sheet in Seller Central (dangerous goods).",
    ),
    (
        ("intellectual property", "counterfeit", "authentic", "trademark", "copyright", "patent"),
        "Intellectual property complaint",
        "send invoices or a letter of authorisation, or get a retraction from the rights owner, "
        "through Seller Central → Account Health.",
    ),
    (
        ("safety", "recall"),
        "Product safety review",
        "send the safety documentation or an appeal through Seller Central → Account Health.",
    ),
)

_ACTION_EFFECT = {
    LISTING_SUPPRESSED: ("suppressed the listing: it cannot be bought", "suppress the listing"),
    CATALOG_ITEM_REMOVED: (
        "removed the catalog item from this store: no offer on it can be bought",
        "remove the catalog item",
    ),
    SEARCH_SUPPRESSED: (
        "hidden the listing from search (a direct link still works)",
        "hide the listing from search",
    ),
    ATTRIBUTE_SUPPRESSED: (
        "dropped the rejected attribute value(s)",
        "drop the rejected attribute value(s)",
    ),
}


def classify(issue: Issue) -> IssueKind:
    return next((k for k in ISSUE_KINDS if k.matches(issue)), OTHER_KIND)


def kind_for(code: str) -> IssueKind:
    """The (first) issue kind producing ``code``: wording shared with the non-issue rules."""
    return next(k for k in ISSUE_KINDS if k.code == code)


def issue_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    """Rows 4–10: one finding per issue that applies to this marketplace."""
    for issue in ctx.issues:
        kind = classify(issue)
        if kind is OTHER_KIND and not ctx.listing.has_summary:
            continue  # told in the incomplete-SKU finding
        yield _issue_finding(ctx, issue, kind)


def _issue_finding(ctx: Context, issue: Issue, kind: IssueKind) -> Found:
    impact, severity, effect = _enforcement_effect(ctx, issue)
    title, fix = _title_and_fix(kind, issue, ctx)
    code = kind.code
    if impact is Impact.AT_RISK:
        code, title = codes.EXEMPTION_EXPIRING, f"At risk: {title[0].lower()}{title[1:]}"
    return _found(
        impact,
        kind.category,
        severity,
        code,
        title,
        _sentences(effect, _kind_detail(ctx, kind, issue), _amazon_says(issue)),
        fix,
        attributes=issue.attribute_names or _kind_attributes(kind),
        step=kind.step,
        issue_code=issue.code or None,
    )


def _enforcement_effect(ctx: Context, issue: Issue) -> tuple[Impact, Severity, str]:
    """(impact, finding severity, the effect in words). Severity is Amazon's intent,
    enforcements are the effect: an action in force makes a blocking issue an ERROR."""
    severity = (
        Severity(issue.severity) if issue.severity in Severity.__members__ else Severity.ERROR
    )
    enforcement = issue.enforcement
    if enforcement is None or not enforcement.actions:
        if severity is Severity.ERROR and ctx.sells and not ctx.listing.buyable:
            return Impact.BLOCKS_SALE, severity, "Amazon blocks the listing until this is fixed."
        if severity is Severity.ERROR:
            return (
                Impact.NOTE,
                severity,
                "Amazon rejects edits to this listing until this is fixed; the offer itself "
                "is not suppressed.",
            )
        return Impact.NOTE, severity, ""
    actions = enforcement.actions
    done = " and ".join(_ACTION_EFFECT.get(a, (a.lower(), ""))[0] for a in actions)
    todo = " and ".join(_ACTION_EFFECT.get(a, ("", a.lower()))[1] for a in actions)
    expiry = enforcement.exemption_expiry
    if enforcement.in_force_at(ctx.now):
        ended = (
            f"The exemption ended on {_date(expiry)}. "
            if expiry and not enforcement.in_force
            else ""
        )
        if any(a in _BLOCKING_ACTIONS for a in actions):
            return Impact.BLOCKS_SALE, Severity.ERROR, f"{ended}Amazon has {done}."
        if SEARCH_SUPPRESSED in actions:
            return Impact.HIDES, Severity.ERROR, f"{ended}Amazon has {done}."
        return Impact.NOTE, severity, f"{ended}Amazon has {done}."
    if enforcement.exemption_status == "EXEMPT_UNTIL_EXPIRY_DATE":
        when = (
            f"on {_date(expiry)} ({_days_left(expiry, ctx.now)})"
            if expiry
            else "at a date it has not given"
        )
        return Impact.AT_RISK, Severity.WARNING, f"Amazon will {todo} {when} unless this is fixed."
    demoted = Severity.WARNING if severity is Severity.ERROR else severity
    return Impact.NOTE, demoted, f"Amazon has exempted this listing: it does not {todo} for now."


def _title_and_fix(kind: IssueKind, issue: Issue, ctx: Context) -> tuple[str, str]:
    if kind.code == codes.POLICY_VIOLATION:
        text = issue.message.lower()
        for keywords, title, action in POLICY_TOPICS:
            if any(k in text for k in keywords):
                return title, wizard(_POLICY, action)
    if kind.code == codes.PRICE_CONFLICT and ctx.band.conflict:
        return "Price outside your allowed band", kind.fix
    if issue.attribute_names and kind.category is Category.LISTING_FIELDS:
        names = _names(issue.attribute_names)
        return f"{kind.title}: {names}", kind.fix.replace("value(s)", f"value of {names}")
    return kind.title, kind.fix


def _kind_detail(ctx: Context, kind: IssueKind, issue: Issue) -> str:
    if kind.category is Category.PRICING:
        return _price_detail(ctx.band)
    if kind.code == codes.CATALOG_ITEM_REMOVED and ctx.listing.asin:
        return f"ASIN {ctx.listing.asin} in {ctx.market_name}."
    return ""


def _kind_attributes(kind: IssueKind) -> tuple[str, ...]:
    """The attribute a kind is about when the issue names none."""
    if kind.category is Category.PRICING:
        return (PURCHASABLE_OFFER,)
    if kind.code in (codes.MISSING_IMAGE, codes.INVALID_IMAGE):
        return (_IMAGE_ATTRIBUTES[0],)
    return ()


def _price_detail(band: PriceBand) -> str:
    if band.conflict:
        return f"Your {band.conflict} (allowed band {band.band_text})."
    if band.price is None:
        return "The listing has no price."
    currency = f" {band.currency}" if band.currency else ""
    if band.minimum is None and band.maximum is None:
        return f"Your price is {band.price}{currency}."
    return f"Your price is {band.price}{currency} (allowed band {band.band_text})."


# --------------------------------------------------------------------------- listing-level rules


def account_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    """Row 15: the account itself is at risk or deactivated; said before any per-SKU advice."""
    account = ctx.evidence.account
    if account is None or account.status not in ("AT_RISK", "DEACTIVATED"):
        return
    if account.marketplace_id not in ("", ctx.listing.marketplace_id):
        return
    counters = ", ".join(f"{name} {count}" for name, count in account.policy_counters.items())
    counters_text = f" Policy sections marked BAD: {counters}." if counters else ""
    if account.status == "DEACTIVATED":
        impact, severity, title = Impact.BLOCKS_SALE, Severity.ERROR, "Account deactivated"
        effect = f"Your selling account is deactivated in {ctx.market_name}: nothing sells."
    else:
        impact, severity, title = Impact.AT_RISK, Severity.WARNING, "Account at risk"
        effect = f"Your selling account is at risk of deactivation in {ctx.market_name}."
    yield _found(
        impact,
        Category.ACCOUNT,
        severity,
        codes.ACCOUNT_AT_RISK,
        title,
        effect + counters_text,
        wizard(
            _POLICY,
            "resolve the Account Health items in Seller Central first (appeal or plan of "
            "action); per-listing fixes cannot help while the account is blocked.",
        ),
        step=_POLICY,
    )


def incomplete_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    """Row 12: no summary for this marketplace — a failed submission or an unknown SKU."""
    if ctx.listing.has_summary:
        return
    said = [_amazon_says(i) for i in ctx.issues if classify(i) is OTHER_KIND]
    yield _found(
        Impact.BLOCKS_SALE,
        Category.CATALOG,
        Severity.ERROR,
        codes.INCOMPLETE_SKU,
        "Incomplete listing",
        _sentences(
            f"Amazon has no live listing for this SKU in {ctx.market_name} "
            "(no summary: the submission failed or the SKU was deleted).",
            *said,
        ),
        wizard(
            _FIELDS,
            "resubmit the listing with every required attribute; after deleting a SKU, wait "
            "24 hours before reusing it.",
        ),
        step=_FIELDS,
    )


def variation_parent_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    """Row 13: parents group children and are never buyable; not a problem."""
    if not ctx.is_parent:
        return
    listing = ctx.listing
    children = f" of {len(listing.child_skus)} child SKUs" if listing.child_skus else ""
    theme = f" (varies by {listing.variation_theme})" if listing.variation_theme else ""
    yield _found(
        Impact.NOTE,
        Category.OTHER,
        Severity.INFO,
        codes.VARIATION_PARENT,
        "Variation parent",
        f"This SKU is the variation parent{children}{theme}. Amazon never sells parents, "
        "so not being buyable is expected.",
        "Nothing to do here: diagnose the child SKUs instead.",
    )


def catalog_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    """Row 10 without an issue: getCatalogItem 404 or a restriction ASIN_NOT_FOUND."""
    if _has(found, codes.CATALOG_ITEM_REMOVED):
        return
    asin = ctx.listing.asin or "this ASIN"
    reasons = []
    if ctx.evidence.catalog is not None and not ctx.evidence.catalog.found:
        reasons.append(f"Amazon's catalog has no item {asin} in {ctx.market_name} (404).")
    for restriction in ctx.restrictions():
        reasons += [
            _sentences(
                f"The listing restrictions check says {asin} is not in this store:", r.message
            )
            for r in restriction.reasons
            if r.reason_code == "ASIN_NOT_FOUND"
        ]
    if reasons:
        kind = kind_for(codes.CATALOG_ITEM_REMOVED)
        yield _found(
            Impact.BLOCKS_SALE,
            kind.category,
            Severity.ERROR,
            kind.code,
            kind.title,
            _sentences(*reasons),
            kind.fix,
            step=kind.step,
        )


def restriction_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    """Row 11: gated brand/category/condition. A link = a path forward (approval)."""
    approval: list[str] = []
    links: list[str] = []
    refused: list[str] = []
    for restriction in ctx.restrictions():
        condition = (
            f" in condition {restriction.condition_type}" if restriction.condition_type else ""
        )
        for reason in restriction.reasons:
            if reason.reason_code == "ASIN_NOT_FOUND":
                continue
            text = _sentences(f"Restricted{condition}:", reason.message)
            if reason.reason_code == "APPROVAL_REQUIRED" or (
                reason.reason_code is None and reason.links
            ):
                approval.append(text)
                links += [link.url for link in reason.links]
            else:
                refused.append(text)
    impact = Impact.NOTE if ctx.listing.buyable else Impact.BLOCKS_SALE
    if refused:
        yield _found(
            impact,
            Category.RESTRICTION,
            Severity.ERROR,
            codes.NOT_ELIGIBLE,
            "Not eligible to sell",
            _sentences(*refused),
            wizard(
                _POLICY,
                "Amazon offers no path to sell this ASIN here: delete the SKU and remove or "
                "liquidate any FBA stock.",
            ),
            step=_POLICY,
        )
    if approval:
        where = f" at {links[0]}" if links else " in Seller Central"
        yield _found(
            impact,
            Category.RESTRICTION,
            Severity.ERROR,
            codes.APPROVAL_REQUIRED,
            "Approval required",
            _sentences(*approval, f"Approval link: {links[0]}" if links else ""),
            wizard(
                _POLICY,
                f"request approval{where} (needs a Seller Central login), or list in a "
                "condition you are allowed to sell.",
            ),
            attributes=("condition_type",) if "condition " in " ".join(approval) else (),
            step=_POLICY,
        )


def price_band_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    """Row 7 from the attributes: our_price outside the seller's own min/max band."""
    if not ctx.sells or not ctx.band.conflict or _has(found, codes.PRICE_CONFLICT):
        return
    kind = kind_for(codes.PRICE_CONFLICT)
    yield _found(
        Impact.NOTE if ctx.listing.buyable else Impact.BLOCKS_SALE,
        kind.category,
        Severity.ERROR,
        kind.code,
        "Price outside your allowed band",
        _price_detail(ctx.band),
        kind.fix,
        attributes=(PURCHASABLE_OFFER,),
        step=kind.step,
    )


def missing_price_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    """Row 7: no offer and no our_price (only when the response carried offers/attributes)."""
    listing = ctx.listing
    if not ctx.sells or ctx.band.price is not None or _has(found, codes.MISSING_PRICE):
        return
    if not (listing.has_data("offers") or listing.has_data("attributes")):
        return
    kind = kind_for(codes.MISSING_PRICE)
    yield _found(
        Impact.NOTE if listing.buyable else Impact.BLOCKS_SALE,
        kind.category,
        Severity.ERROR,
        kind.code,
        kind.title,
        f"The listing has no offer and no price in {ctx.market_name}, so it cannot be bought.",
        kind.fix,
        attributes=(PURCHASABLE_OFFER,),
        step=kind.step,
    )


def required_attributes_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    """Row 4 from the product type schema: required attributes absent, even with no issue."""
    requirements = ctx.evidence.requirements
    listing = ctx.listing
    if requirements is None or not ctx.sells or not listing.has_data("attributes"):
        return
    if listing.product_type not in (None, requirements.product_type):
        return
    reported = {a for f in found for a in f.finding.attributes}
    missing = [
        name
        for name in requirements.required
        if name not in reported and not _has_value(listing, name)
    ]
    if not missing:
        return
    titles = [requirements.attributes[n].title or n for n in missing]
    yield _found(
        Impact.NOTE,
        Category.LISTING_FIELDS,
        Severity.WARNING,
        codes.MISSING_ATTRIBUTE,
        f"Missing required attribute: {_names(missing)}",
        f"The {requirements.product_type} product type requires {_names(titles)}, which the "
        "listing does not supply. Amazon has not flagged it yet, but it can suppress the "
        "listing or reject your next edit.",
        wizard(_FIELDS, f"supply the value of {_names(missing)}."),
        attributes=missing,
        step=_FIELDS,
    )


def _has_value(listing: Listing, name: str) -> bool:
    return any(
        entry.get("marketplace_id", listing.marketplace_id) == listing.marketplace_id
        for entry in attribute_entries(listing, name)
    )


def product_type_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    """Row 14: the listing's product type is not the catalog's."""
    catalog = ctx.evidence.catalog
    ours = ctx.listing.product_type
    if catalog is None or not catalog.product_types or ours is None:
        return
    if ours in catalog.product_types:
        return
    theirs = _names(catalog.product_types)
    yield _found(
        Impact.NOTE,
        Category.CATALOG,
        Severity.WARNING,
        codes.PRODUCT_TYPE_MISMATCH,
        "Product type changed",
        f"Your listing uses product type {ours}; Amazon's catalog now classifies "
        f"{ctx.listing.asin or 'the ASIN'} as {theirs}. The new type may require attributes "
        "you have not supplied.",
        wizard(
            _FIELDS,
            f"supply the attributes {theirs} requires, or contest the classification with "
            "Seller Support.",
        ),
        step=_FIELDS,
    )


# --------------------------------------------------------------------------- stock


def mfn_stock_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    """Row 1: merchant-fulfilled quantity 0."""
    if not ctx.sells or ctx.listing.is_fba or ctx.listing.mfn_quantity != 0:
        return
    yield _found(
        Impact.BLOCKS_SALE,
        Category.STOCK,
        Severity.ERROR,
        codes.OUT_OF_STOCK_MFN,
        "Out of stock",
        "Your merchant-fulfilled quantity is 0, so the offer cannot be bought.",
        wizard(WizardStep.STOCK, "set the quantity (and check the handling time)."),
        attributes=(FULFILLMENT_AVAILABILITY,),
        step=WizardStep.STOCK,
    )


def fba_stock_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    """Rows 2–3: FBA fulfillable 0 (with where the units are), or units in stock that
    cannot be sold because the offer is not buyable (stranded)."""
    listing = ctx.listing
    if not ctx.sells or not listing.is_fba:
        return
    inventory = ctx.evidence.inventory
    fulfillable = inventory.fulfillable if inventory else _fba_quantity(listing)
    if fulfillable is None:
        return
    if fulfillable == 0:
        yield _fba_out_of_stock(ctx)
    elif not listing.buyable:
        yield _stranded(ctx, fulfillable, _blocked(found))


def _fba_quantity(listing: Listing) -> int | None:
    return next((f.quantity for f in listing.fulfillment if f.is_fba), None)


def _fba_out_of_stock(ctx: Context) -> Found:
    inv = ctx.evidence.inventory
    parts = ["Amazon has 0 sellable units of this SKU in its warehouses."]
    actions = []
    if inv is not None:
        if inv.inbound_total:
            parts.append(
                f"{inv.inbound_total} units are inbound ({inv.inbound_working} working, "
                f"{inv.inbound_shipped} shipped, {inv.inbound_receiving} receiving)."
            )
            actions.append("wait for the inbound shipment to be received")
        if inv.reserved_fc_processing:
            parts.append(
                f"{inv.reserved_fc_processing} units are being processed at the fulfillment center."
            )
        if inv.unfulfillable_total:
            kinds = ", ".join(
                f"{count} {_words(kind)}" for kind, count in inv.unfulfillable_breakdown.items()
            )
            parts.append(
                f"{inv.unfulfillable_total} units are unfulfillable"
                + (f" ({kinds})." if kinds else ".")
            )
            actions.append("create a removal or disposal order for the unfulfillable units")
        if inv.researching_total:
            parts.append(f"{inv.researching_total} units are being researched (lost or misplaced).")
    else:
        parts.append("FBA inventory details were not fetched.")
    if not inv or not inv.inbound_total:
        actions.append("send an inbound shipment")
    actions.append("or switch the offer to merchant fulfillment meanwhile")
    return _found(
        Impact.BLOCKS_SALE,
        Category.STOCK,
        Severity.ERROR,
        codes.OUT_OF_STOCK_FBA,
        "FBA out of stock",
        _sentences(*parts),
        wizard(WizardStep.STOCK, "; ".join(actions) + "."),
        attributes=(FULFILLMENT_AVAILABILITY,),
        step=WizardStep.STOCK,
    )


def _words(camel: str) -> str:
    """'customerDamaged' → 'customer damaged'."""
    return "".join(f" {c.lower()}" if c.isupper() else c for c in camel).strip()


def _stranded(ctx: Context, fulfillable: int, explained: bool) -> Found:
    units = f"{fulfillable} units sit in Amazon's warehouses but the offer cannot be bought."
    if explained:
        detail = _sentences(units, "They become sellable once the problems above are fixed.")
        impact = Impact.NOTE
        fix = wizard(WizardStep.STOCK, "fix the listing problems above; no stock action needed.")
    else:
        detail = _sentences(units, "Amazon reports no listing problem: the offer looks closed.")
        impact = Impact.BLOCKS_SALE
        channel = next((f.channel_code for f in ctx.listing.fulfillment if f.is_fba), "AMAZON_NA")
        fix = wizard(
            WizardStep.STOCK,
            f"relist the offer (fulfillment channel {channel}), or create a removal order "
            "before Amazon's auto-removal date.",
        )
    return _found(
        impact,
        Category.STOCK,
        Severity.ERROR,
        codes.STRANDED_FBA,
        "Stranded FBA stock",
        detail,
        fix,
        attributes=(FULFILLMENT_AVAILABILITY,),
        step=WizardStep.STOCK,
    )


# --------------------------------------------------------------------------- fallbacks


def closed_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    """Row 16: not buyable and nothing above explains it — closed by the seller (or data
    the response did not carry)."""
    listing = ctx.listing
    if not ctx.sells or listing.buyable or _blocked(found):
        return
    notes = ["Amazon reports no issue that stops the sale."]
    if not listing.has_data("fulfillmentAvailability"):
        notes.append("The response did not include fulfillment availability.")
    elif not listing.fulfillment:
        notes.append("The listing has no fulfillment channel or quantity.")
    elif listing.mfn_quantity is not None:
        notes.append(f"Merchant-fulfilled quantity is {listing.mfn_quantity}.")
    if ctx.band.price is not None:
        notes.append(f"Price is {ctx.band.price} {ctx.band.currency or ''}".rstrip() + ".")
    if listing.is_fba and ctx.evidence.inventory is None:
        notes.append("FBA inventory was not checked.")
    yield _found(
        Impact.BLOCKS_SALE,
        Category.OTHER,
        Severity.ERROR,
        codes.LISTING_CLOSED,
        "Listing closed",
        _sentences(*notes),
        wizard(
            WizardStep.STOCK,
            "set a quantity (or the FBA channel) to relist the offer; if you closed it on "
            "purpose, there is nothing to do.",
        ),
        attributes=(FULFILLMENT_AVAILABILITY,),
        step=WizardStep.STOCK,
    )


def hidden_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    """Buyable but not discoverable, and no issue says why."""
    listing = ctx.listing
    if not ctx.sells or not listing.buyable or listing.discoverable:
        return
    if any(f.impact in (Impact.BLOCKS_SALE, Impact.HIDES) for f in found):
        return  # a suppressed or removed listing is hidden too
    yield _found(
        Impact.HIDES,
        Category.OTHER,
        Severity.ERROR,
        codes.OTHER_ISSUE,
        "Hidden from search",
        "Amazon marks the listing buyable but not discoverable and gives no reason in its issues.",
        "Search for the ASIN in Seller Central → Fix Your Products; check the main image and "
        "the product type. Reactivation wizard → Overview shows the raw evidence.",
        step=WizardStep.OVERVIEW,
    )


#: The rule table, in evaluation order (later rules may look at what earlier ones found).
RULES: tuple[Rule, ...] = (
    account_rule,
    incomplete_rule,
    variation_parent_rule,
    issue_rule,
    catalog_rule,
    restriction_rule,
    price_band_rule,
    missing_price_rule,
    required_attributes_rule,
    product_type_rule,
    mfn_stock_rule,
    fba_stock_rule,
    closed_rule,
    hidden_rule,
)
