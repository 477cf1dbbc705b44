"""How the sandbox derives a listing's status and issues from its record, like Amazon does.

`derive()` reads the seller's attribute document (validated against the product type schema)
and Amazon's hidden facts (FBA stock, enforcements, restrictions, a removed catalog item) and
answers the `summaries[].status`, the `issues[]` and the ground-truth causes. A patch
changes the record; the next `derive()` reflects it.

`ISSUES` is the mapping table between the causes of `truth` (the sandbox's ground truth) and the
SP-API issues the sandbox emits for them (code, categories, enforcement actions): the one
place tests of the diagnosis engine can read what each cause looks like on the wire.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from asin_tui.sandbox import schemas, truth
from asin_tui.sandbox.catalog import (
    Record,
    attributes_of,
    content_of,
    generated_with_defects,
    image_url,
    in_currency,
    title_of,
)
from asin_tui.sandbox.marketplaces import Marketplace
from asin_tui.sandbox.messages import ENGLISH, localised

BUYABLE, DISCOVERABLE = "BUYABLE", "DISCOVERABLE"
LISTING_SUPPRESSED = "LISTING_SUPPRESSED"
ATTRIBUTE_SUPPRESSED = "ATTRIBUTE_SUPPRESSED"
SEARCH_SUPPRESSED = "SEARCH_SUPPRESSED"
CATALOG_ITEM_REMOVED = "CATALOG_ITEM_REMOVED"
NOT_BUYABLE_ACTIONS = frozenset({LISTING_SUPPRESSED, CATALOG_ITEM_REMOVED})
HIDDEN_ACTIONS = frozenset({LISTING_SUPPRESSED, CATALOG_ITEM_REMOVED, SEARCH_SUPPRESSED})


@dataclass(frozen=True, slots=True)
class IssueSpec:
    """What one kind of problem looks like as an SP-API Issue."""

    cause: str  # the cause it stands for (sandbox.truth)
    code: str  # SP-API issue code
    message: str  # str.format(name=..., detail=...)
    categories: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()  # enforcement actions (NOT_EXEMPT unless stated)
    severity: str = "ERROR"


ISSUES: dict[str, IssueSpec] = {
    "missing_attribute": IssueSpec(
        truth.MISSING_ATTRIBUTE,
        "90220",
        "'{name}' is required but not supplied.",
        ("MISSING_ATTRIBUTE",),
        (LISTING_SUPPRESSED,),
    ),
    "missing_image": IssueSpec(
        truth.MISSING_IMAGE,
        "18320",
        "The main image is missing. Add a main image ('{name}') to lift the suppression.",
        ("MISSING_IMAGE",),
        (LISTING_SUPPRESSED,),
    ),
    "missing_price": IssueSpec(
        truth.MISSING_PRICE,
        "90220",
        "'{name}' is required but not supplied.",
        ("MISSING_PRICE",),
    ),
    "invalid_value": IssueSpec(
        truth.INVALID_ATTRIBUTE,
        "4000001",
        "The provided value for '{name}' is invalid.",
        ("INVALID_ATTRIBUTE",),
        (ATTRIBUTE_SUPPRESSED,),
    ),
    "invalid_attribute": IssueSpec(
        truth.INVALID_ATTRIBUTE,
        "90000900",
        "The attributes are invalid. {detail}.",
        ("INVALID_ATTRIBUTE",),
        (ATTRIBUTE_SUPPRESSED,),
    ),
    "invalid_image": IssueSpec(
        truth.INVALID_IMAGE,
        "18027",
        "We believe the main image has text, logo, graphic, or watermark that is not permitted "
        "for this product type. Submit a compliant image to lift the suppression. Also refer "
        "to Product image requirements.",
        ("INVALID_IMAGE",),
        (SEARCH_SUPPRESSED,),
    ),
    "price_below_minimum": IssueSpec(
        truth.PRICE_CONFLICT,
        "18155",
        "The 'minimum price' is greater than the selling price (excluding shipping) for the "
        "listing. Review and update your price and/or minimum price.",
        ("INVALID_PRICE",),
        (LISTING_SUPPRESSED,),
    ),
    "price_above_maximum": IssueSpec(
        truth.PRICE_CONFLICT,
        "18155",
        "The selling price (excluding shipping) is greater than the 'maximum price' for the "
        "listing. Review and update your price and/or maximum price.",
        ("INVALID_PRICE",),
        (LISTING_SUPPRESSED,),
    ),
    "18742": IssueSpec(truth.POLICY_VIOLATION, "18742", "Restricted Products Policy Violation"),
    "99300": IssueSpec(
        truth.POLICY_VIOLATION,
        "99300",
        "Product Detail Page Rules Violation (Inaccurate information on product detail page).",
    ),
    "100390": IssueSpec(
        truth.POLICY_VIOLATION,
        "100390",
        "Compliance documentation required: the product safety documents for this product "
        "(for example GPSR) have not been provided. Upload them in Seller Central.",
    ),
    "catalog_removed": IssueSpec(
        truth.CATALOG_ITEM_REMOVED,
        "8541",
        "This ASIN has been removed from the Amazon catalog in this store and offers on it "
        "are not buyable. Contact Selling Partner Support or list against the correct ASIN.",
        (),
        (CATALOG_ITEM_REMOVED,),
    ),
    "incomplete": IssueSpec(
        truth.INCOMPLETE_SKU,
        "13013",
        "SKU not in catalog or deleted. If you deleted this SKU, wait 24 hours before you "
        "resubmit it; otherwise resubmit it with all required attributes.",
    ),
    "recommended_attribute": IssueSpec(
        truth.RECOMMENDED_ATTRIBUTE,  # a WARNING on a live listing, not a problem
        "99001",
        "'{name}' is recommended for this product type but not supplied. Complete product "
        "information helps customers find and buy your product.",
        ("MISSING_ATTRIBUTE",),
        severity="WARNING",
    ),
    "product_type_mismatch": IssueSpec(
        truth.PRODUCT_TYPE_MISMATCH,
        "4000003",
        "The product type of the request does not match the product type of the listing: {detail}.",
    ),
}


_CONDITIONS = frozenset(value for value, _ in schemas.CONDITION_TYPES)


@dataclass(frozen=True, slots=True)
class Derived:
    """A listing as Amazon currently sees it."""

    complete: bool  # False: an incomplete SKU (getListingsItem answers `summaries: []`)
    status: tuple[str, ...]  # subset of (BUYABLE, DISCOVERABLE), in that order
    issues: tuple[dict[str, Any], ...]
    causes: frozenset[str]
    condition: str
    fba: bool
    mfn_quantity: int | None
    price: Decimal | None  # the B2C our_price, or None (no offers[])
    business_price: Decimal | None  # the B2B our_price, when there is a business offer
    main_image: str | None
    item_name: str | None

    @property
    def buyable(self) -> bool:
        return BUYABLE in self.status

    def has_severity(self, severities: set[str]) -> bool:
        return any(i["severity"] in severities for i in self.issues)


def make_issue(
    spec: IssueSpec,
    marketplace_id: str,
    *,
    name: str | None = None,
    detail: str = "",
    actions: tuple[str, ...] | None = None,
    expiry: datetime | None = None,
    exempt: bool = False,
    language: str = ENGLISH,
) -> dict[str, Any]:
    """An Issue (listingsItems_2021-08-01.json) in the exact wire shape, its message in
    ``language`` (messages.py)."""
    message = localised(spec.message, language)
    issue: dict[str, Any] = {
        "code": spec.code,
        "message": message.format(name=name, detail=detail.rstrip(".")),
        "severity": spec.severity,
    }
    if name:
        issue["attributeNames"] = [name]
    issue["categories"] = list(spec.categories)
    actions = spec.actions if actions is None else actions
    if actions:
        exemption: dict[str, str] = {"status": "NOT_EXEMPT"}
        if expiry is not None:
            exemption = {"status": "EXEMPT_UNTIL_EXPIRY_DATE", "expiryDate": iso(expiry)}
        elif exempt:
            exemption = {"status": "EXEMPT"}
        issue["enforcements"] = {
            "actions": [{"action": a} for a in actions],
            "exemption": exemption,
        }
    issue["marketplaceIds"] = [marketplace_id]
    return issue


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def issues_for_violations(
    violations: list[schemas.Violation],
    product_type: str,
    marketplace_id: str,
    *,
    requirements: str = "LISTING",
    language: str = ENGLISH,
) -> list[tuple[str, dict[str, Any]]]:
    """(finding code, Issue) for each schema violation: what a patch and a listing report."""
    required = set(schemas.required_names(schemas.PRODUCT_TYPES[product_type], requirements))
    out = []
    for v in violations:
        if v.kind == "missing":
            key = {schemas.MAIN_IMAGE: "missing_image", schemas.PRICE: "missing_price"}.get(
                v.attribute, "missing_attribute"
            )
            spec = ISSUES[key]
            issue = make_issue(spec, marketplace_id, name=v.attribute, language=language)
            out.append((spec.cause, issue))
            continue
        spec = ISSUES["invalid_value" if v.kind == "enum" else "invalid_attribute"]
        actions = (LISTING_SUPPRESSED,) if v.attribute in required else (ATTRIBUTE_SUPPRESSED,)
        issue = make_issue(
            spec,
            marketplace_id,
            name=v.attribute,
            detail=v.detail,
            actions=actions,
            language=language,
        )
        out.append((spec.cause, issue))
    return out


# --------------------------------------------------------------------------- derivation


class _Findings:
    """Issues and finding codes collected while deriving one listing."""

    def __init__(self, marketplace_id: str, language: str) -> None:
        self.marketplace_id = marketplace_id
        self.language = language
        self.issues: list[dict[str, Any]] = []
        self.causes: set[str] = set()

    def add(self, key: str, **kw: Any) -> None:
        spec = ISSUES[key]
        self.issues.append(make_issue(spec, self.marketplace_id, language=self.language, **kw))
        if spec.cause:
            self.causes.add(spec.cause)

    def actions_in_force(self) -> set[str]:
        return {
            a["action"]
            for i in self.issues
            if i.get("enforcements", {}).get("exemption", {}).get("status") == "NOT_EXEMPT"
            for a in i["enforcements"]["actions"]
        }


def _first_value(attributes: dict[str, Any], name: str, key: str = "value") -> Any:
    entries = attributes.get(name)
    if isinstance(entries, list) and entries and isinstance(entries[0], dict):
        return entries[0].get(key)
    return None


def _schedule_price(offer: dict[str, Any], key: str) -> Decimal | None:
    try:
        value = offer[key][0]["schedule"][0]["value_with_tax"]
    except (KeyError, IndexError, TypeError):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return Decimal(str(value))


def _offer(
    attributes: dict[str, Any], marketplace_id: str, audience: str = "ALL"
) -> dict[str, Any] | None:
    for entry in attributes.get(schemas.PRICE) or ():
        if (
            isinstance(entry, dict)
            and entry.get("marketplace_id") in (marketplace_id, None)
            and entry.get("audience", "ALL") == audience
        ):
            return entry
    return None


def _business_price(attributes: dict[str, Any], mp: Marketplace) -> Decimal | None:
    offer = _offer(attributes, mp.marketplace_id, "B2B")
    price = _schedule_price(offer, "our_price") if offer else None
    return in_currency(price, mp.currency) if price is not None else None


def _price(
    attributes: dict[str, Any], mp: Marketplace, found: _Findings
) -> tuple[Decimal | None, bool]:
    """(our price, whether it may sell): outside the min/max band it may not (+ the issue)."""
    offer = _offer(attributes, mp.marketplace_id)
    if offer is None:
        return None, False  # the schema check reported the missing purchasable_offer
    price = _schedule_price(offer, "our_price")
    if price is None:
        found.add("missing_price", name="our_price")
        return None, False
    price = in_currency(price, mp.currency)
    minimum = _schedule_price(offer, "minimum_seller_allowed_price")
    maximum = _schedule_price(offer, "maximum_seller_allowed_price")
    if minimum is not None and price < minimum:
        found.add("price_below_minimum", name=schemas.PRICE)
        return price, False
    if maximum is not None and price > maximum:
        found.add("price_above_maximum", name=schemas.PRICE)
        return price, False
    return price, True


def _fulfillment(attributes: dict[str, Any]) -> tuple[bool, int | None] | None:
    """(is FBA, MFN quantity) from fulfillment_availability; None when there is none."""
    code = _first_value(attributes, schemas.FULFILLMENT, "fulfillment_channel_code")
    if code is None:
        return None
    if code != "DEFAULT":
        return True, None
    quantity = _first_value(attributes, schemas.FULFILLMENT, "quantity")
    return False, quantity if isinstance(quantity, int) and not isinstance(quantity, bool) else 0


def _policy(record: Record, found: _Findings, today: datetime) -> None:
    policy = record.policy
    if policy is None:
        return
    if policy.exempt:  # acknowledged, never applied: a policy issue on a listing that stays live
        found.add(policy.code, actions=(policy.action,), exempt=True)
        return
    if policy.exempt_days is not None:
        expiry = today + timedelta(days=policy.exempt_days, hours=23, minutes=59)
        found.add(policy.code, actions=(policy.action,), expiry=expiry)
        found.causes.discard(ISSUES[policy.code].cause)
        found.causes.add(truth.EXEMPTION_EXPIRING)
        return
    found.add(policy.code, actions=(policy.action,))


def requirements_of(record: Record) -> str:
    """The requirements set the listing was submitted under (what Amazon validates it with)."""
    return schemas.OFFER_ONLY if record.offer_only else "LISTING"


def derive(record: Record, mp: Marketplace, today: datetime, language: str = ENGLISH) -> Derived:
    """The listing's completeness, status, issues and ground-truth causes, from its record;
    issue messages in ``language``."""
    attributes = attributes_of(record, mp)
    found = _Findings(mp.marketplace_id, language)
    requirements = requirements_of(record)
    violations = schemas.validate(
        record.product_type,
        attributes,
        only=generated_with_defects(record),
        requirements=requirements,
    )
    for cause, issue in issues_for_violations(
        violations,
        record.product_type,
        mp.marketplace_id,
        requirements=requirements,
        language=language,
    ):
        found.issues.append(issue)
        found.causes.add(cause)
    if record.recommended and not attributes.get(record.recommended):
        found.add("recommended_attribute", name=record.recommended)
    parent = schemas.is_variation_parent(attributes)
    main_image = _first_value(attributes, schemas.MAIN_IMAGE, "media_location")
    item_name = _first_value(attributes, "item_name")
    if record.offer_only:  # the product facts shown are the catalog's
        main_image, item_name = main_image or image_url(record), title_of(content_of(record))
    if main_image and main_image == record.image_noncompliant:
        found.add("invalid_image", name=schemas.MAIN_IMAGE)
    _policy(record, found, today)
    if record.exempt_issue:  # Amazon's sandbox example: 99300, ATTRIBUTE_SUPPRESSED, EXEMPT
        found.add("99300", actions=(ATTRIBUTE_SUPPRESSED,), exempt=True)
    if record.catalog_removed and CATALOG_ITEM_REMOVED not in found.actions_in_force():
        found.add("catalog_removed")
    if record.catalog_product_type not in (None, record.product_type):
        found.causes.add(truth.PRODUCT_TYPE_MISMATCH)  # seen only in the catalog item
    condition = _first_value(attributes, "condition_type")
    if condition not in _CONDITIONS:  # a rejected value: Amazon keeps the submitted one
        condition = record.condition
    if record.gate and (record.gate.conditions is None or condition in record.gate.conditions):
        found.causes.add(
            truth.APPROVAL_REQUIRED
            if record.gate.reason_code == "APPROVAL_REQUIRED"
            else truth.NOT_ELIGIBLE
        )
    price, price_ok = (None, False) if parent else _price(attributes, mp, found)
    fulfillment = _fulfillment(attributes)
    fba, quantity = fulfillment or (False, None)
    in_stock = _in_stock(record, parent, fulfillment, found)
    actions = found.actions_in_force()
    complete = not (record.incomplete and any(v.kind == "missing" for v in violations))
    buyable = (
        complete
        and not parent
        and price_ok
        and in_stock
        and not (actions & NOT_BUYABLE_ACTIONS)
        and not (found.causes & {truth.APPROVAL_REQUIRED, truth.NOT_ELIGIBLE})
    )
    discoverable = complete and not (actions & HIDDEN_ACTIONS)
    if fba and not buyable and record.stock and record.stock.fulfillable > 0:
        found.causes.add(truth.STRANDED_FBA)
    if parent:
        found.causes.add(truth.VARIATION_PARENT)
    if not complete:
        found.issues.insert(0, make_issue(ISSUES["incomplete"], mp.marketplace_id))
        found.causes.add(truth.INCOMPLETE_SKU)
    if record.status_lag and complete and not parent:
        # Amazon has not recomputed the status since the enforcement: it still reads as
        # before it while the issue is in force (as in the getListingsItem example of
        # listingsItems_2021-08-01.json: status BUYABLE beside a LISTING_SUPPRESSED issue).
        # Only the status lags: the ground truth above is the listing's real state.
        buyable = (
            price is not None
            and in_stock
            and not (found.causes & {truth.APPROVAL_REQUIRED, truth.NOT_ELIGIBLE})
        )
        discoverable = True
    if record.vacation and not fba and not parent and complete:
        # Vacation (holiday) mode: every seller-fulfilled offer is inactive, with no issue.
        buyable = discoverable = False
        found.causes.add(truth.ACCOUNT_VACATION)
    status = tuple(s for s, on in ((BUYABLE, buyable), (DISCOVERABLE, discoverable)) if on)
    if record.quoted_text:  # Amazon's messages quoting the listing's own text
        for issue in found.issues:
            issue["message"] += record.quoted_text
    if record.varied:
        vary_shapes(found.issues, record)
    return Derived(
        complete=complete,
        status=status,
        issues=tuple(found.issues),
        causes=frozenset(found.causes),
        condition=condition,
        fba=fba,
        mfn_quantity=quantity,
        price=price,
        business_price=None if parent else _business_price(attributes, mp),
        main_image=main_image,
        item_name=item_name,
    )


def vary_shapes(issues: list[dict[str, Any]], record: Record) -> None:
    """Give the issues the shapes real answers have, deterministically per listing, keeping
    their meaning: a singular ``attributeName`` instead of ``attributeNames``; no
    ``marketplaceIds`` (always so on a SKU that never made it into the catalog); an image
    issue under two categories. (``categories`` stays: the model requires it, ``[]`` when
    Amazon gives none.)"""
    for n, issue in enumerate(issues):
        pick = (record.text_seed >> (3 * n)) % 6
        names = issue.get("attributeNames")
        if names and len(names) == 1 and pick in (0, 3):
            issue["attributeName"] = issue.pop("attributeNames")[0]
        if pick in (1, 3) or issue["code"] == ISSUES["incomplete"].code:
            issue.pop("marketplaceIds", None)
        if issue["categories"] in (["INVALID_IMAGE"], ["MISSING_IMAGE"]) and pick % 2 == 0:
            kind = "INVALID" if issue["categories"] == ["INVALID_IMAGE"] else "MISSING"
            issue["categories"] = [*issue["categories"], f"{kind}_ATTRIBUTE"]


def _in_stock(
    record: Record, parent: bool, fulfillment: tuple[bool, int | None] | None, found: _Findings
) -> bool:
    if parent:
        return False
    if fulfillment is None:
        found.causes.add(truth.LISTING_CLOSED)
        return False
    fba, quantity = fulfillment
    if fba:
        if record.stock is None or record.stock.fulfillable == 0:
            found.causes.add(truth.OUT_OF_STOCK_FBA)
            return False
        return True
    if not quantity:
        found.causes.add(truth.OUT_OF_STOCK_MFN)
        return False
    return True
