"""The diagnosis rules: one function per cause of docs/INACTIVE_CAUSES.md,
run in the order listed here.

Each rule reads a ``Context`` (the evidence plus facts derived once) and what the rules before
it found, and returns ``Found`` items: a ``Finding`` plus its ``Impact``, which orders findings
within a severity and tells the last rules whether anything already explains a listing that
cannot be bought or is hidden. Pure: no Textual, no network.
"""

from __future__ import annotations

from asin_tui.domain.rules.base import (
    BLOCKING_ACTIONS,
    CATALOG_ITEM_REMOVED,
    LISTING_SUPPRESSED,
    SEARCH_SUPPRESSED,
    Context,
    Found,
    Impact,
    Rule,
)
from asin_tui.domain.rules.gaps import evidence_gap_rule
from asin_tui.domain.rules.issues import ISSUE_KINDS, classify, issue_rule
from asin_tui.domain.rules.listing import (
    account_rule,
    catalog_rule,
    incomplete_rule,
    missing_price_rule,
    price_band_rule,
    product_type_rule,
    required_attributes_rule,
    restriction_rule,
    variation_parent_rule,
)
from asin_tui.domain.rules.stock import closed_rule, fba_stock_rule, hidden_rule, mfn_stock_rule

#: The rule table, in evaluation order (later rules may look at what earlier ones found).
RULES: tuple[Rule, ...] = (
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
    evidence_gap_rule,
    closed_rule,
    hidden_rule,
    account_rule,
)

__all__ = [
    "BLOCKING_ACTIONS",
    "CATALOG_ITEM_REMOVED",
    "ISSUE_KINDS",
    "LISTING_SUPPRESSED",
    "RULES",
    "SEARCH_SUPPRESSED",
    "Context",
    "Found",
    "Impact",
    "Rule",
    "classify",
]
