"""Stable finding codes: the vocabulary shared by the diagnosis engine, the sandbox's
ground truth (what cause it generated for a SKU) and scripts reading `report`/`diagnose` JSON;
and ``ISSUE_CODES``, what Amazon documents each SP-API issue code to mean.

Where each mapping comes from (Amazon's developer docs, the official models, Seller Central's
error-code pages that Amazon's own messages link to) is tabled in docs/ISSUE_CODES.md; keep the
two in step.
"""

from __future__ import annotations

from dataclasses import dataclass

OUT_OF_STOCK_MFN = "OUT_OF_STOCK_MFN"  # merchant-fulfilled quantity 0
OUT_OF_STOCK_FBA = (
    "OUT_OF_STOCK_FBA"  # FBA fulfillable 0 (detail: inbound/unfulfillable/researching)
)
STRANDED_FBA = "STRANDED_FBA"  # FBA units fulfillable but the offer is not buyable
MISSING_ATTRIBUTE = "MISSING_ATTRIBUTE"  # required attribute not supplied
INVALID_ATTRIBUTE = "INVALID_ATTRIBUTE"  # attribute value rejected
MISSING_IMAGE = "MISSING_IMAGE"  # no main image
INVALID_IMAGE = "INVALID_IMAGE"  # main image non-compliant (usually search suppressed)
PRICE_CONFLICT = "PRICE_CONFLICT"  # price outside min/max seller allowed band, or flagged
MISSING_PRICE = "MISSING_PRICE"  # no offer / no price
POLICY_VIOLATION = "POLICY_VIOLATION"  # policy / compliance / safety enforcement
APPROVAL_REQUIRED = "APPROVAL_REQUIRED"  # restriction with a path forward (approval link)
NOT_ELIGIBLE = "NOT_ELIGIBLE"  # restriction without a path forward
CATALOG_ITEM_REMOVED = "CATALOG_ITEM_REMOVED"  # ASIN removed / not in this store
CATALOG_DATA_CONFLICT = "CATALOG_DATA_CONFLICT"  # your values disagree with the ASIN's (8541)
PRODUCT_ID_PROBLEM = "PRODUCT_ID_PROBLEM"  # no ASIN matched or created: GTIN / exemption (85xx)
NOT_IN_CATALOG = "NOT_IN_CATALOG"  # the offer cannot be added: product not in catalog (13013)
RECOMMENDED_ATTRIBUTE = "RECOMMENDED_ATTRIBUTE"  # a WARNING: a value Amazon recommends (INFO)
ACCOUNT_VACATION = "ACCOUNT_VACATION"  # many MFN listings unbuyable with no issue: holiday mode?
INCOMPLETE_SKU = "INCOMPLETE_SKU"  # no summaries: failed submission / SKU not in catalog
EXEMPTION_EXPIRING = "EXEMPTION_EXPIRING"  # EXEMPT_UNTIL_EXPIRY_DATE: enforced after a date
VARIATION_PARENT = "VARIATION_PARENT"  # never buyable by design (INFO)
PRODUCT_TYPE_MISMATCH = "PRODUCT_TYPE_MISMATCH"  # listing vs catalog product type differ
ACCOUNT_AT_RISK = "ACCOUNT_AT_RISK"  # account health AT_RISK / DEACTIVATED
LISTING_CLOSED = "LISTING_CLOSED"  # not buyable, no issue explains it (closed by seller)
OTHER_ISSUE = "OTHER_ISSUE"  # an SP-API issue that no rule above recognises
EVIDENCE_NOT_CHECKED = "EVIDENCE_NOT_CHECKED"  # an evidence call failed: that cause not checked
EVIDENCE_STALE = "EVIDENCE_STALE"  # an evidence call failed: its last good answer is used (INFO)

ALL: frozenset[str] = frozenset(
    v for k, v in dict(globals()).items() if k.isupper() and isinstance(v, str) and k != "ALL"
)


# --------------------------------------------------------------------------- Amazon's issue codes


@dataclass(frozen=True, slots=True)
class IssueCodeMeaning:
    """What Amazon documents one SP-API issue code (or code family) to mean."""

    finding: str  # the finding code above it maps to
    title: str  # the cause in a seller's words
    fix: str  # what to do ('' = the finding kind's own fix)
    source: str  # public URL documenting it (docs/ISSUE_CODES.md has the full table)


_SC_ERROR = "https://sellercentral.amazon.com/gp/errorcode/"
_MODEL = (
    "https://github.com/amzn/selling-partner-api-models/blob/main/models/"
    "listings-items-api-model/listingsItems_2021-08-01.json"
)
_ISSUES_DOC = "https://developer-docs.amazon.com/sp-api/docs/manage-listings-issues"

_CONFLICT_FIX = (
    "check first that the product identifier (UPC/EAN/GTIN) really is your product's. If it is "
    "the same product, correct the values Amazon names in its message so they describe it "
    "(they are the catalog's values for that ASIN: check them against your product, do not "
    "copy them blindly). If it is a different product, correct the product identifier instead."
)
_PRODUCT_ID_FIX = (
    "give a valid product identifier (UPC/EAN/GTIN registered for this brand), or apply for a "
    "GTIN exemption in Seller Central and declare it "
    "(supplier_declared_has_product_identifier_exemption), then submit the listing again."
)

#: SP-API issue code → what it means, from Amazon's own documentation (see docs/ISSUE_CODES.md).
#: Classification keys on enforcements, categories and attribute names first; a code here only
#: decides what the issue is about when those do not (never the message text).
ISSUE_CODES: dict[str, IssueCodeMeaning] = {
    "13013": IssueCodeMeaning(
        NOT_IN_CATALOG,
        "Offer cannot be added: product not in the catalog",
        "check that the SKU's product exists in this store's catalog (search its ASIN or "
        "product identifier); if you deleted the SKU, wait 24 hours before submitting it again; "
        "otherwise correct the product data and submit the full listing again. A product added "
        "from another store can take a few hours to appear here.",
        _SC_ERROR + "13013",
    ),
    "8541": IssueCodeMeaning(
        CATALOG_DATA_CONFLICT,
        "Your product data conflicts with the ASIN's",
        _CONFLICT_FIX,
        _SC_ERROR + "8541",
    ),
    "8542": IssueCodeMeaning(
        CATALOG_DATA_CONFLICT,
        "Product identifier matches several ASINs",
        _CONFLICT_FIX,
        _SC_ERROR + "8542",
    ),
    "8005": IssueCodeMeaning(
        CATALOG_DATA_CONFLICT,
        "Identity attribute change would move the SKU to another ASIN",
        "keep the identifying values of the existing listing, or delete the SKU, wait 24 hours "
        "and list it again with the new values.",
        _SC_ERROR + "8005",
    ),
    "8560": IssueCodeMeaning(
        PRODUCT_ID_PROBLEM,
        "Not enough product data to match or create an ASIN",
        _PRODUCT_ID_FIX,
        _SC_ERROR + "8560",
    ),
    "8566": IssueCodeMeaning(
        PRODUCT_ID_PROBLEM,
        "Not eligible for ASIN creation",
        _PRODUCT_ID_FIX,
        _SC_ERROR + "8566",
    ),
    "8572": IssueCodeMeaning(
        PRODUCT_ID_PROBLEM,
        "Product identifier (GTIN) does not match the brand",
        "Amazon checks the UPC/EAN against GS1's records of who licensed it: correct the "
        "product identifier if it is wrong; as the brand owner, send Seller Support your GS1 "
        "licence (and trademark); as a reseller, use the brand's own identifier or its "
        "letter of authorisation; for a product without a GTIN, apply for a GTIN exemption.",
        _SC_ERROR + "8572",
    ),
    "5461": IssueCodeMeaning(
        APPROVAL_REQUIRED,
        "Brand approval required",
        "the brand is protected: request approval to sell it (Seller Central → Add a Product → "
        "the brand's approval request), or list under the brand you are authorised to use.",
        _SC_ERROR + "5461",
    ),
    "5665": IssueCodeMeaning(
        APPROVAL_REQUIRED,
        "Brand name not approved",
        "submit the brand for approval (photos of the product and packaging showing the brand) "
        "or list with an approved brand name.",
        _SC_ERROR + "5665",
    ),
    "90220": IssueCodeMeaning(MISSING_ATTRIBUTE, "Missing required attribute", "", _MODEL),
    "18448": IssueCodeMeaning(
        MISSING_ATTRIBUTE,
        "Missing attribute",
        "",
        "https://github.com/amzn/selling-partner-api-samples/blob/main/labs/server/responses/"
        "listings-wizard/high_refund_get_listing_response.json",
    ),
    "99022": IssueCodeMeaning(
        INVALID_ATTRIBUTE, "Attribute has too few values", "", _SC_ERROR + "99022"
    ),
    "4000001": IssueCodeMeaning(INVALID_ATTRIBUTE, "Invalid attribute value", "", _MODEL),
    "90000900": IssueCodeMeaning(INVALID_ATTRIBUTE, "Invalid attribute value", "", _MODEL),
    "8015": IssueCodeMeaning(INVALID_ATTRIBUTE, "Invalid attribute value", "", _SC_ERROR + "8015"),
    "18027": IssueCodeMeaning(INVALID_IMAGE, "Main image not compliant", "", _MODEL),
    "18320": IssueCodeMeaning(
        MISSING_IMAGE,
        "Main image missing",
        "",
        "https://sellercentral.amazon.com/gp/help/external/GT8RSE9S9NK4LP6Z",
    ),
    "18155": IssueCodeMeaning(PRICE_CONFLICT, "Price conflict", "", _MODEL),
    "18742": IssueCodeMeaning(
        POLICY_VIOLATION,
        "Restricted product policy",
        "review Amazon's restricted products policy; appeal with evidence in Seller Central → "
        "Account Health, or delete the SKU.",
        _MODEL,
    ),
    "99300": IssueCodeMeaning(
        POLICY_VIOLATION,
        "Detail page rules violation",
        "correct the offending content (title, bullets, description, images) and request "
        "reinstatement in Seller Central → Fix Your Products.",
        _MODEL,
    ),
    "100390": IssueCodeMeaning(
        POLICY_VIOLATION,
        "Compliance documents required",
        "upload the requested documents (safety attestation, compliance media) in Seller "
        "Central → Account Health, then request a review.",
        _ISSUES_DOC,
    ),
}


#: The 85xx family: Amazon's product matching and ASIN creation errors (Seller Central error
#: code pages 8541–8572); a member not tabled above still concerns the product identifier.
PRODUCT_ID_FAMILY = IssueCodeMeaning(
    PRODUCT_ID_PROBLEM,
    "Product identifier or ASIN matching problem",
    _PRODUCT_ID_FIX,
    _SC_ERROR + "8560",
)


def issue_code_meaning(code: str) -> IssueCodeMeaning | None:
    """What Amazon documents ``code`` to mean (None: not a code we know)."""
    code = code.strip()
    meaning = ISSUE_CODES.get(code)
    if meaning is None and len(code) == 4 and code.startswith("85") and code.isdigit():
        return PRODUCT_ID_FAMILY
    return meaning
