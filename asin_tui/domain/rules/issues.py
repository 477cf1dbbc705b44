"""Rows 4–10 of docs/INACTIVE_CAUSES.md as SP-API issues show them: a table of issue kinds keyed on
categories, enforcement actions and attribute names (the issue ``code`` only adds detail), and
the exemption logic that turns an enforcement into in force / at risk / exempt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from asin_tui.domain import codes
from asin_tui.domain.models import Category, Issue, Severity, WizardStep
from asin_tui.domain.patches import PURCHASABLE_OFFER
from asin_tui.domain.rules.base import (
    ATTRIBUTE_SUPPRESSED,
    BLOCKING_ACTIONS,
    CATALOG_ITEM_REMOVED,
    FIELDS,
    IMAGE_ATTRIBUTES,
    LISTING_SUPPRESSED,
    POLICY,
    SEARCH_SUPPRESSED,
    Context,
    Found,
    Impact,
    amazon_says,
    attributes_brief,
    make,
    names,
    price_detail,
    sentences,
    short_names,
    wizard,
)

# --------------------------------------------------------------------------- issues


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


def _documented_as(*findings: str) -> Callable[[Issue], bool]:
    """Amazon documents the issue's code as one of ``findings`` (codes.ISSUE_CODES)."""

    def matches(issue: Issue) -> bool:
        meaning = codes.issue_code_meaning(issue.code)
        return meaning is not None and meaning.finding in findings

    return matches


def _recommended(issue: Issue) -> bool:
    """A WARNING about a missing value that Amazon enforces nothing for: a recommendation."""
    return (
        issue.severity == "WARNING"
        and (issue.enforcement is None or not issue.enforcement.actions)
        and (
            _category("MISSING_ATTRIBUTE")(issue)
            or (not issue.categories and _documented_as(codes.MISSING_ATTRIBUTE)(issue))
        )
    )


#: Attributes of Amazon's dangerous goods (hazmat) information in product type schemas.
DANGEROUS_GOODS_ATTRIBUTES = frozenset(
    {
        "hazmat",
        "supplier_declared_dg_hz_regulation",
        "safety_data_sheet_url",
        "ghs",
        "ghs_chemical_h_code",
        "un_number",
        "flash_point",
    }
)


_DANGEROUS_GOODS_HINT = (
    "This is dangerous goods (hazmat) information: give the regulation that applies (or "
    "'not applicable') and, where asked, a safety data sheet; a hazmat review may follow in "
    "Seller Central."
)


#: Product identifier attributes: a product without a GTIN lists with a GTIN exemption.
_PRODUCT_ID_ATTRIBUTES = frozenset(
    {
        "externally_assigned_product_identifier",
        "supplier_declared_has_product_identifier_exemption",
        "merchant_suggested_asin",
    }
)
_PRODUCT_ID_HINT = (
    "This is the product identifier: give the product's UPC/EAN/GTIN, or, for a product "
    "without one, a GTIN exemption approved in Seller Central "
    "(supplier_declared_has_product_identifier_exemption)."
)


def _dangerous_goods(issue: Issue) -> bool:
    return any(a in DANGEROUS_GOODS_ATTRIBUTES for a in issue.attribute_names)


_GENERIC_POLICY_ACTION = (
    "read Amazon's message; submit documents or an appeal in Seller Central (Account Health), "
    "correct the content, or delete the SKU."
)

#: First match wins: enforcement effects that no edit can lift, then what Amazon documents the
#: code to mean where the code names a cause that categories cannot (catalog matching, ASIN
#: creation, brand approval), then categories, attribute names and the remaining codes. Never
#: the message text: Amazon localises it (issueLocale / the marketplace's language).
ISSUE_KINDS: tuple[IssueKind, ...] = (
    IssueKind(
        codes.CATALOG_ITEM_REMOVED,
        Category.CATALOG,
        POLICY,
        "Catalog item removed",
        wizard(
            POLICY,
            "not fixable by an edit. Contact Seller Support or the brand owner, list against "
            "the correct ASIN (fix the product ID/GTIN), or delete the SKU.",
        ),
        # a policy issue that removes the item is a policy violation (its cause), not this
        lambda i: (
            _action(CATALOG_ITEM_REMOVED)(i) and not _documented_as(codes.POLICY_VIOLATION)(i)
        ),
    ),
    IssueKind(
        codes.NOT_IN_CATALOG,
        Category.CATALOG,
        FIELDS,
        "Offer cannot be added: product not in the catalog",
        wizard(FIELDS, "check the product identifier and submit the full listing again."),
        _documented_as(codes.NOT_IN_CATALOG),
    ),
    IssueKind(
        codes.CATALOG_DATA_CONFLICT,
        Category.CATALOG,
        FIELDS,
        "Your product data conflicts with the ASIN's",
        wizard(FIELDS, "check the product identifier, then correct the conflicting values."),
        _documented_as(codes.CATALOG_DATA_CONFLICT),
    ),
    IssueKind(
        codes.PRODUCT_ID_PROBLEM,
        Category.CATALOG,
        FIELDS,
        "Product identifier problem",
        wizard(FIELDS, "give a valid product identifier or a GTIN exemption."),
        _documented_as(codes.PRODUCT_ID_PROBLEM),
    ),
    IssueKind(
        codes.APPROVAL_REQUIRED,
        Category.RESTRICTION,
        POLICY,
        "Approval required",
        wizard(POLICY, "request approval in Seller Central (needs a Seller Central login)."),
        lambda i: (
            _documented_as(codes.APPROVAL_REQUIRED)(i) or _category("QUALIFICATION_REQUIRED")(i)
        ),
    ),
    IssueKind(
        codes.CATALOG_DATA_CONFLICT,
        Category.CATALOG,
        FIELDS,
        "Possible duplicate of another ASIN",
        wizard(
            FIELDS,
            "check whether another ASIN already describes your product; if so, list against "
            "it, otherwise make the product data tell the two apart.",
        ),
        _category("DUPLICATE"),
    ),
    IssueKind(
        codes.MISSING_IMAGE,
        Category.LISTING_FIELDS,
        FIELDS,
        "Main image missing",
        wizard(FIELDS, "add a main image (main_product_image_locator) that meets Amazon's rules."),
        lambda i: (
            _category("MISSING_IMAGE")(i)
            or _attribute_category_on(("MISSING_ATTRIBUTE",), IMAGE_ATTRIBUTES)(i)
            or (not i.categories and _documented_as(codes.MISSING_IMAGE)(i))
        ),
    ),
    IssueKind(
        codes.INVALID_IMAGE,
        Category.LISTING_FIELDS,
        FIELDS,
        "Main image not compliant",
        wizard(
            FIELDS,
            "replace the main image with a compliant one (pure white background, no text, "
            "logo or watermark); changing catalog images needs brand or detail-page authority.",
        ),
        lambda i: (
            _category("INVALID_IMAGE")(i)
            or _attribute_category_on(("INVALID_ATTRIBUTE",), IMAGE_ATTRIBUTES)(i)
            or (not i.categories and _documented_as(codes.INVALID_IMAGE)(i))
        ),
    ),
    IssueKind(
        codes.MISSING_PRICE,
        Category.PRICING,
        FIELDS,
        "No price",
        wizard(FIELDS, "set your price (purchasable_offer)."),
        _category("MISSING_PRICE"),
    ),
    IssueKind(
        codes.PRICE_CONFLICT,
        Category.PRICING,
        FIELDS,
        "Price conflict",
        wizard(
            FIELDS,
            "set the price inside your allowed band, or move the minimum/maximum seller allowed "
            "price so it fits. If Amazon flagged a correct price, confirm it in Seller Central.",
        ),
        lambda i: (
            _category("INVALID_PRICE")(i)
            or _attribute_category_on(("INVALID_ATTRIBUTE",), _PRICE_ATTRIBUTES)(i)
            or (not i.categories and _documented_as(codes.PRICE_CONFLICT)(i))
        ),
    ),
    IssueKind(
        codes.RECOMMENDED_ATTRIBUTE,
        Category.LISTING_FIELDS,
        FIELDS,
        "Recommended attribute missing",
        wizard(FIELDS, "add the value(s) (optional: Amazon recommends it, nothing is blocked)."),
        _recommended,
    ),
    IssueKind(
        codes.MISSING_ATTRIBUTE,
        Category.LISTING_FIELDS,
        FIELDS,
        "Missing required attribute",
        wizard(FIELDS, "supply the missing value(s)."),
        lambda i: (
            _category("MISSING_ATTRIBUTE")(i)
            or (not i.categories and _documented_as(codes.MISSING_ATTRIBUTE)(i))
        ),
    ),
    IssueKind(
        codes.INVALID_ATTRIBUTE,
        Category.LISTING_FIELDS,
        FIELDS,
        "Invalid attribute value",
        wizard(
            FIELDS,
            "replace the value with one the product type accepts (allowed values, length), "
            "or delete it if the attribute is optional.",
        ),
        lambda i: (
            _category("INVALID_ATTRIBUTE")(i)
            or (not i.categories and _documented_as(codes.INVALID_ATTRIBUTE)(i))
        ),
    ),
    IssueKind(
        codes.POLICY_VIOLATION,
        Category.POLICY,
        POLICY,
        "Policy violation",
        wizard(POLICY, f"not fixable by an edit alone: {_GENERIC_POLICY_ACTION}"),
        lambda i: _is_policy(i) or _documented_as(codes.POLICY_VIOLATION)(i),
    ),
    IssueKind(
        codes.INVALID_ATTRIBUTE,
        Category.LISTING_FIELDS,
        FIELDS,
        "Attribute problem",
        wizard(FIELDS, "correct the value(s) Amazon names."),
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


#: Issue kinds that only say the SKU has no live listing: on a body without a summary they are
#: told in the incomplete-SKU finding, not again on their own.
INCOMPLETE_KINDS = frozenset({codes.OTHER_ISSUE, codes.NOT_IN_CATALOG})


def classify(issue: Issue) -> IssueKind:
    return next((k for k in ISSUE_KINDS if k.matches(issue)), OTHER_KIND)


def kind_for(code: str) -> IssueKind:
    """The (first) issue kind producing ``code``: wording shared with the non-issue rules."""
    return next(k for k in ISSUE_KINDS if k.code == code)


def issue_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    """Rows 4–10: one finding per issue that applies to this marketplace."""
    for issue in ctx.issues:
        kind = classify(issue)
        listing = ctx.listing
        told_elsewhere = not (
            listing.has_summary or listing.submission_status or listing.summary_unknown
        )
        if kind.code in INCOMPLETE_KINDS and told_elsewhere:
            continue  # told in the incomplete-SKU finding
        yield _issue_finding(ctx, issue, kind)


def _issue_finding(ctx: Context, issue: Issue, kind: IssueKind) -> Found:
    impact, severity, effect = _enforcement_effect(ctx, issue)
    if kind.code == codes.RECOMMENDED_ATTRIBUTE:
        severity = Severity.INFO  # a recommendation: nothing is at risk
    title, fix = _title_and_fix(kind, issue, ctx)
    brief = _brief(kind, issue, ctx)
    code = kind.code
    if impact is Impact.AT_RISK:
        code, title = codes.EXEMPTION_EXPIRING, f"At risk: {title[0].lower()}{title[1:]}"
        brief = f"At risk: {brief}" if brief else ""
    return make(
        impact,
        kind.category,
        severity,
        code,
        title,
        sentences(effect, _kind_detail(ctx, kind, issue), amazon_says(issue)),
        fix,
        attributes=issue.attribute_names or _kind_attributes(kind),
        step=kind.step,
        issue_code=issue.code or None,
        brief=brief,
    )


def _enforcement_effect(ctx: Context, issue: Issue) -> tuple[Impact, Severity, str]:
    """(impact, finding severity, the effect in words). Severity is Amazon's intent,
    enforcements are the effect: an action in force makes a blocking issue an ERROR."""
    severity = (
        Severity(issue.severity) if issue.severity in Severity.__members__ else Severity.ERROR
    )
    enforcement = issue.enforcement
    if enforcement is None or not enforcement.actions:
        if ctx.listing.submission_status is not None:
            said = "Amazon does not accept the submission until this is fixed."
            return Impact.NOTE, severity, said if severity is Severity.ERROR else ""
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
        if any(a in BLOCKING_ACTIONS for a in actions):
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


def _date(moment: datetime) -> str:
    return moment.date().isoformat()


def _days_left(moment: datetime, now: datetime) -> str:
    days = (moment.date() - now.date()).days
    if days <= 0:
        return "today"
    return "in 1 day" if days == 1 else f"in {days} days"


def _title_and_fix(kind: IssueKind, issue: Issue, ctx: Context) -> tuple[str, str]:
    """The kind's words, made specific by what Amazon documents the code to mean and by the
    attributes the issue names (always named when Amazon names them)."""
    title, fix = kind.title, kind.fix
    meaning = codes.issue_code_meaning(issue.code)
    if meaning is not None and meaning.finding == kind.code:
        title = meaning.title
        fix = wizard(kind.step, meaning.fix) if meaning.fix else fix
    if kind.code == codes.PRICE_CONFLICT and ctx.band.conflict:
        return "Price outside your allowed band", fix
    if issue.attribute_names and kind.code in _NAMED_IN_TITLE:
        listed = names(issue.attribute_names)
        title = f"{title}: {short_names(issue.attribute_names)}"
        fix = fix.replace("value(s)", f"value of {listed}")
    if _dangerous_goods(issue):
        fix = sentences(fix, _DANGEROUS_GOODS_HINT)
    if kind.code != codes.PRODUCT_ID_PROBLEM and _PRODUCT_ID_ATTRIBUTES & set(
        issue.attribute_names
    ):
        fix = sentences(fix, _PRODUCT_ID_HINT)
    return title, fix


_NAMED_IN_TITLE = frozenset(
    {codes.MISSING_ATTRIBUTE, codes.INVALID_ATTRIBUTE, codes.RECOMMENDED_ATTRIBUTE}
)


def _brief(kind: IssueKind, issue: Issue, ctx: Context) -> str:
    """The essential thing first, from the same data as the title ('' when the title is)."""
    if kind.code == codes.PRICE_CONFLICT:
        return ctx.band.conflict_brief
    if kind.code == codes.MISSING_ATTRIBUTE:
        return attributes_brief("Missing", issue.attribute_names)
    if kind.code == codes.INVALID_ATTRIBUTE:
        return attributes_brief("Invalid", issue.attribute_names)
    if kind.code == codes.RECOMMENDED_ATTRIBUTE:
        return attributes_brief("Recommended", issue.attribute_names)
    if kind.code == codes.CATALOG_DATA_CONFLICT and issue.attribute_names:
        return attributes_brief("Conflicts with ASIN", issue.attribute_names)
    return _BRIEFS.get(kind.code, "")


#: Short causes for the list's 80 columns, where the title is long.
_BRIEFS = {
    codes.NOT_IN_CATALOG: "Product not in catalog",
    codes.PRODUCT_ID_PROBLEM: "Product ID / GTIN problem",
    codes.CATALOG_DATA_CONFLICT: "Data conflicts with ASIN",
}


def _kind_detail(ctx: Context, kind: IssueKind, issue: Issue) -> str:
    if kind.category is Category.PRICING:
        return price_detail(ctx.band)
    if kind.code == codes.CATALOG_ITEM_REMOVED and ctx.listing.asin:
        return f"ASIN {ctx.listing.asin} in {ctx.market_name}."
    return ""


def _kind_attributes(kind: IssueKind) -> tuple[str, ...]:
    """The attribute a kind is about when the issue names none."""
    if kind.category is Category.PRICING:
        return (PURCHASABLE_OFFER,)
    if kind.code in (codes.MISSING_IMAGE, codes.INVALID_IMAGE):
        return (IMAGE_ATTRIBUTES[0],)
    return ()
