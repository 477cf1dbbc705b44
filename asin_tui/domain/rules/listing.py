"""Listing-level rules (docs/INACTIVE_CAUSES.md rows 7, 10–15): account health, incomplete SKUs,
variation parents, catalog and restrictions checks, price band, missing price, required
attributes from the product type schema, product type changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from asin_tui.domain import codes
from asin_tui.domain.models import Category, Listing, Severity, WizardStep
from asin_tui.domain.patches import PURCHASABLE_OFFER, attribute_entries
from asin_tui.domain.rules.base import (
    CATALOG_ITEM_REMOVED,
    FIELDS,
    POLICY,
    Context,
    Found,
    Impact,
    amazon_says,
    attributes_brief,
    condition_words,
    has_code,
    make,
    names,
    price_detail,
    sentences,
    short_names,
    wizard,
)
from asin_tui.domain.rules.issues import INCOMPLETE_KINDS, classify, kind_for

# --------------------------------------------------------------------------- listing-level rules


def account_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    """Row 15: the account itself is at risk or deactivated; said before any per-SKU advice
    (findings are ordered account first). Runs last: an account merely AT_RISK is named on
    the listings that have a problem of their own, not on every healthy one (the report and
    the TUI show the account banner once); a deactivated account blocks every listing."""
    account = ctx.evidence.account
    if account is None or account.status not in ("AT_RISK", "DEACTIVATED"):
        return
    if account.status == "AT_RISK" and not any(
        f.finding.severity is not Severity.INFO for f in found
    ):
        return
    if account.marketplace_id not in ("", ctx.listing.marketplace_id):
        return
    counters = account.counters_text()
    counters_text = f" Policy sections marked BAD: {counters}." if counters else ""
    if account.status == "DEACTIVATED":
        impact, severity, title = Impact.BLOCKS_SALE, Severity.ERROR, "Account deactivated"
        effect = f"Your selling account is deactivated in {ctx.market_name}: nothing sells."
    else:
        impact, severity, title = Impact.AT_RISK, Severity.WARNING, "Account at risk"
        effect = f"Your selling account is at risk of deactivation in {ctx.market_name}."
    yield make(
        impact,
        Category.ACCOUNT,
        severity,
        codes.ACCOUNT_AT_RISK,
        title,
        effect + counters_text,
        wizard(
            POLICY,
            "resolve the Account Health items in Seller Central first (appeal or plan of "
            "action); per-listing fixes cannot help while the account is blocked.",
        ),
        step=POLICY,
    )


def incomplete_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    """Row 12: no summary for this marketplace — a failed submission or an unknown SKU. The
    issues that only say so (13013, unknown codes) are told here, with Amazon's documented fix."""
    if ctx.listing.has_summary or ctx.listing.summary_unknown:
        return  # live, or its status not fetched (told in not_checked)
    if ctx.listing.submission_status is not None:
        yield _submission_finding(ctx)
        return
    told = [i for i in ctx.issues if classify(i).code in INCOMPLETE_KINDS]
    fix = (
        "resubmit the listing with every required attribute; after deleting a SKU, wait "
        "24 hours before reusing it."
    )
    for issue in told:
        meaning = codes.issue_code_meaning(issue.code)
        if meaning is not None and meaning.fix:
            fix = meaning.fix
            break
    where = f" in {ctx.market_name}" if ctx.market_name else ""
    yield make(
        Impact.BLOCKS_SALE,
        Category.CATALOG,
        Severity.ERROR,
        codes.INCOMPLETE_SKU,
        "Incomplete listing",
        sentences(
            f"Amazon has no live listing for this SKU{where} "
            "(no summary: the submission failed or the SKU was deleted).",
            *(amazon_says(i) for i in told),
        ),
        wizard(FIELDS, fix),
        step=FIELDS,
        issue_code=next((i.code for i in told if i.code), None),
    )


def _submission_finding(ctx: Context) -> Found:
    """What a putListingsItem / patchListingsItem answer says as a whole; its issues follow
    as findings of their own."""
    status = ctx.listing.submission_status
    errors = sum(1 for i in ctx.issues if i.severity == "ERROR")
    if status == "INVALID":
        return make(
            Impact.BLOCKS_SALE,
            Category.LISTING_FIELDS,
            Severity.ERROR,
            codes.INCOMPLETE_SKU,
            "Submission rejected",
            "Amazon did not accept this submission (status INVALID): nothing was changed. "
            + (f"It names {errors} error(s), below." if errors else "It names no error."),
            wizard(
                FIELDS,
                "correct what the issues below name, validate (VALIDATION_PREVIEW) and submit "
                "again.",
            ),
            step=FIELDS,
        )
    processing = (
        "Amazon accepted this submission and processes it over the next minutes; issues "
        "found while processing appear when the listing is read again."
        if status == "ACCEPTED"
        else f"Amazon answered {status} (a validation preview: nothing was changed)."
    )
    return make(
        Impact.NOTE,
        Category.OTHER,
        Severity.INFO,
        codes.OTHER_ISSUE,
        f"Submission {status.lower() if status else 'answered'}",
        processing,
        "Read the listing again (getListingsItem, or sync) once Amazon has processed it.",
        step=WizardStep.VERIFY,
    )


def variation_parent_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    """Row 13: parents group children and are never buyable; not a problem."""
    if not ctx.is_parent:
        return
    listing = ctx.listing
    children = f" of {len(listing.child_skus)} child SKUs" if listing.child_skus else ""
    theme = f" (varies by {listing.variation_theme})" if listing.variation_theme else ""
    yield make(
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
    """Row 10 without an issue: the catalog has no item for the ASIN, or a restriction
    says ASIN_NOT_FOUND."""
    if has_code(found, codes.CATALOG_ITEM_REMOVED) or CATALOG_ITEM_REMOVED in ctx.actions_in_force:
        return  # already explained by an issue
    asin = ctx.listing.asin or "this ASIN"
    reasons = []
    if ctx.evidence.catalog is not None and not ctx.evidence.catalog.found:
        reasons.append(f"Amazon's catalog has no item {asin} in {ctx.market_name} (404).")
    for restriction in ctx.restrictions():
        reasons += [
            sentences(
                f"The listing restrictions check says {asin} is not in this store:", r.message
            )
            for r in restriction.reasons
            if r.reason_code == "ASIN_NOT_FOUND"
        ]
    if reasons:
        kind = kind_for(codes.CATALOG_ITEM_REMOVED)
        yield make(
            Impact.BLOCKS_SALE,
            kind.category,
            Severity.ERROR,
            kind.code,
            kind.title,
            sentences(*reasons),
            kind.fix,
            step=kind.step,
        )


def restriction_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    """Row 11: gated brand/category/condition. A link = a path forward (approval)."""
    approval: list[str] = []
    links: list[str] = []
    refused: list[str] = []
    condition_gated = False  # another condition may be allowed
    for restriction in ctx.restrictions():
        condition = (
            f" in condition {condition_words(restriction.condition_type)}"
            if restriction.condition_type
            else ""
        )
        for reason in restriction.reasons:
            if reason.reason_code == "ASIN_NOT_FOUND":
                continue
            text = sentences(f"Restricted{condition}:", reason.message)
            if reason.reason_code == "APPROVAL_REQUIRED" or (
                reason.reason_code is None and reason.links
            ):
                approval.append(text)
                links += [link.url for link in reason.links]
                # a gate on a used/refurbished/collectible condition: the same product may
                # be allowed in another one (decided from the condition, not the message,
                # which Amazon localises; a gate asked for New is the brand's or category's)
                condition_gated |= _condition_gate(restriction.condition_type)
            else:
                refused.append(text)
    impact = Impact.NOTE if ctx.listing.buyable else Impact.BLOCKS_SALE
    if refused:
        yield make(
            impact,
            Category.RESTRICTION,
            Severity.ERROR,
            codes.NOT_ELIGIBLE,
            "Not eligible to sell",
            sentences(*refused),
            wizard(
                POLICY,
                "Amazon offers no path to sell this ASIN here: delete the SKU and remove or "
                "liquidate any FBA stock.",
            ),
            step=POLICY,
        )
    if approval:
        where = f" at {links[0]}" if links else " in Seller Central"
        yield make(
            impact,
            Category.RESTRICTION,
            Severity.ERROR,
            codes.APPROVAL_REQUIRED,
            "Approval required",
            sentences(*approval, f"Approval link: {links[0]}" if links else ""),
            wizard(
                POLICY,
                f"request approval{where} (needs a Seller Central login)"
                + (", or list in a condition you are allowed to sell." if condition_gated else "."),
            ),
            attributes=("condition_type",) if condition_gated else (),
            step=POLICY,
        )


def _condition_gate(condition_type: str | None) -> bool:
    return bool(condition_type) and not str(condition_type).startswith("new_")


def price_band_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    """Row 7 from the attributes: our_price outside the seller's own min/max band."""
    if not ctx.sells or not ctx.band.conflict or has_code(found, codes.PRICE_CONFLICT):
        return
    kind = kind_for(codes.PRICE_CONFLICT)
    yield make(
        Impact.NOTE if ctx.listing.buyable else Impact.BLOCKS_SALE,
        kind.category,
        Severity.ERROR,
        kind.code,
        "Price outside your allowed band",
        price_detail(ctx.band),
        kind.fix,
        attributes=(PURCHASABLE_OFFER,),
        step=kind.step,
        brief=ctx.band.conflict_brief,
    )


def missing_price_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    """Row 7: no offer and no our_price. It stops the sale only when the response carried
    the offers and the listing is not buyable; otherwise (a buyable listing, or the price
    seen only in the attributes) it is a WARNING that the price is not set where it should be."""
    listing = ctx.listing
    if not ctx.sells or ctx.band.price is not None or has_code(found, codes.MISSING_PRICE):
        return
    offers_seen = listing.has_data("offers")
    if not offers_seen:
        return  # not fetched: "not checked", never "no price"
    kind = kind_for(codes.MISSING_PRICE)
    if offers_seen and not listing.buyable:
        severity, impact = Severity.ERROR, Impact.BLOCKS_SALE
        detail = (
            f"The listing has no offer and no price in {ctx.market_name}, so it cannot be bought."
        )
    else:
        severity, impact = Severity.WARNING, Impact.NOTE
        seen = "no offer and " if offers_seen else ""
        detail = (
            f"The listing has {seen}no price (our_price) in {ctx.market_name}; Amazon may "
            "stop the offer once it notices."
        )
    yield make(
        impact,
        kind.category,
        severity,
        kind.code,
        kind.title,
        detail,
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
    if listing.is_offer_only and requirements.requirements != "LISTING_OFFER_ONLY":
        return  # a reseller's offer is not judged by the full product's requirements
    reported = {a for f in found for a in f.finding.attributes}
    missing = [
        name
        for name in requirements.required
        if name not in reported and not _has_value(listing, name)
    ]
    if not missing:
        return
    titles = [requirements.attributes[n].title or n for n in missing]
    yield make(
        Impact.NOTE,
        Category.LISTING_FIELDS,
        Severity.WARNING,
        codes.MISSING_ATTRIBUTE,
        f"Missing required attribute: {short_names(missing)}",
        f"The {requirements.product_type} product type requires {names(titles)}, which the "
        "listing does not supply. Amazon has not flagged it yet, but it can suppress the "
        "listing or reject your next edit.",
        wizard(FIELDS, f"supply the value of {names(missing)}."),
        attributes=missing,
        step=FIELDS,
        brief=attributes_brief("Missing", missing),
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
    theirs = names(catalog.product_types)
    yield make(
        Impact.NOTE,
        Category.CATALOG,
        Severity.WARNING,
        codes.PRODUCT_TYPE_MISMATCH,
        "Product type changed",
        f"Your listing uses product type {ours}; Amazon's catalog now classifies "
        f"{ctx.listing.asin or 'the ASIN'} as {theirs}. The new type may require attributes "
        "you have not supplied.",
        wizard(
            FIELDS,
            f"supply the attributes {theirs} requires, or contest the classification with "
            "Seller Support.",
        ),
        step=FIELDS,
    )
