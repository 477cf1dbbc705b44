"""The sandbox's ground truth: the names of the causes it gives a listing on purpose.

``SandboxAccount.intended_causes`` answers these for each SKU, so the tests can check that the
diagnosis engine reaches the cause the sandbox built. They are the names the engine's findings
use (asin_tui.domain.codes), written here again rather than imported: the sandbox states what it
built, the engine states what it concluded, and a test compares the two
(tests/sandbox/test_truth.py checks every name here is one the engine knows).
"""

from __future__ import annotations

OUT_OF_STOCK_MFN = "OUT_OF_STOCK_MFN"  # merchant-fulfilled quantity 0
OUT_OF_STOCK_FBA = "OUT_OF_STOCK_FBA"  # no fulfillable FBA unit
STRANDED_FBA = "STRANDED_FBA"  # fulfillable FBA units, but the offer cannot sell
MISSING_ATTRIBUTE = "MISSING_ATTRIBUTE"
INVALID_ATTRIBUTE = "INVALID_ATTRIBUTE"
MISSING_IMAGE = "MISSING_IMAGE"
INVALID_IMAGE = "INVALID_IMAGE"
PRICE_CONFLICT = "PRICE_CONFLICT"  # price outside the seller's own min/max band
MISSING_PRICE = "MISSING_PRICE"
POLICY_VIOLATION = "POLICY_VIOLATION"
APPROVAL_REQUIRED = "APPROVAL_REQUIRED"
NOT_ELIGIBLE = "NOT_ELIGIBLE"
CATALOG_ITEM_REMOVED = "CATALOG_ITEM_REMOVED"
INCOMPLETE_SKU = "INCOMPLETE_SKU"
EXEMPTION_EXPIRING = "EXEMPTION_EXPIRING"
VARIATION_PARENT = "VARIATION_PARENT"
PRODUCT_TYPE_MISMATCH = "PRODUCT_TYPE_MISMATCH"
LISTING_CLOSED = "LISTING_CLOSED"  # the seller closed the offer: no issue says so
RECOMMENDED_ATTRIBUTE = "RECOMMENDED_ATTRIBUTE"  # a WARNING only: the listing stays live
ACCOUNT_VACATION = "ACCOUNT_VACATION"  # the account is in vacation mode: MFN offers inactive

ALL = frozenset(
    value for name, value in dict(globals()).items() if name.isupper() and name != "ALL"
)
