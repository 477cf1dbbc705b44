"""Stable finding codes: the vocabulary shared by the diagnosis engine, the sandbox's
ground truth (what cause it generated for a SKU) and scripts reading `report`/`diagnose` JSON."""

from __future__ import annotations

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
INCOMPLETE_SKU = "INCOMPLETE_SKU"  # no summaries: failed submission / SKU not in catalog
EXEMPTION_EXPIRING = "EXEMPTION_EXPIRING"  # EXEMPT_UNTIL_EXPIRY_DATE: enforced after a date
VARIATION_PARENT = "VARIATION_PARENT"  # never buyable by design (INFO)
PRODUCT_TYPE_MISMATCH = "PRODUCT_TYPE_MISMATCH"  # listing vs catalog product type differ
ACCOUNT_AT_RISK = "ACCOUNT_AT_RISK"  # account health AT_RISK / DEACTIVATED
LISTING_CLOSED = "LISTING_CLOSED"  # not buyable, no issue explains it (closed by seller)
OTHER_ISSUE = "OTHER_ISSUE"  # an SP-API issue that no rule above recognises

ALL = frozenset(
    v for k, v in dict(globals()).items() if k.isupper() and isinstance(v, str) and k != "ALL"
)
