"""What a sync fetches for a listing: the evidence that can explain why it is not live
(pure: decided from the listing and its inventory alone).

What an enforcement does and whether it is in force is the rules' (``domain/rules/base.py``:
``BLOCKING_ACTIONS``, ``actions_in_force``): the sync skips a call exactly when the diagnosis
would not need its answer, never on a reading of its own.
"""

from __future__ import annotations

from datetime import datetime

from asin_tui.domain.models import InventorySummary, Listing
from asin_tui.domain.rules.base import BLOCKING_ACTIONS, CATALOG_ITEM_REMOVED, actions_in_force

# --------------------------------------------------------------------------- what to fetch


def needs_attention(listing: Listing) -> bool:
    """Not buyable, hidden from search, or carrying an ERROR/WARNING issue here."""
    return (
        not listing.has_summary
        or not listing.buyable
        or not listing.discoverable
        or any(i.severity in ("ERROR", "WARNING") for i in listing.issues_here())
    )


def wants_evidence(listing: Listing) -> bool:
    """Variation parents are never buyable by design: they gain nothing from inventory,
    restrictions or catalog calls. (Incomplete SKUs still may have stock in Amazon's
    warehouses; having no ASIN, they get nothing else.)"""
    return not listing.is_variation_parent and needs_attention(listing)


def wants_inventory(listing: Listing) -> bool:
    """FBA listings, and SKUs with no live listing (no summary): their fulfillment data may
    be gone while units still sit in Amazon's warehouses (stranded). A SKU rides along in a
    batch of 50, so asking costs next to nothing."""
    return listing.is_fba or not listing.has_summary


def catalog_removed(listing: Listing, now: datetime) -> bool:
    """Amazon removed the catalog item (in force at ``now``): there is nothing to look up."""
    return CATALOG_ITEM_REMOVED in actions_in_force(listing.issues_here(), now)


def flags_missing_attributes(listing: Listing) -> bool:
    """Amazon flags missing attributes here: the catalog may have reclassified the item
    (its product type now requires them: docs/INACTIVE_CAUSES.md row 14)."""
    return any("MISSING_ATTRIBUTE" in issue.categories for issue in listing.issues_here())


def unexplained(listing: Listing, inventory: InventorySummary | None, now: datetime) -> bool:
    """Not buyable although nothing the listing carries says why (no blocking enforcement in
    force at ``now``, stock on hand, a price): what a restriction (gate) or a catalog problem
    explains."""
    if listing.buyable:
        return False
    if actions_in_force(listing.issues_here(), now) & BLOCKING_ACTIONS:
        return False
    if not listing.fulfillment:
        return False  # closed: no channel at all
    if listing.is_fba:
        if inventory is not None and inventory.fulfillable == 0:
            return False
    elif listing.mfn_quantity == 0:
        return False
    return not (listing.has_data("offers") and listing.price is None)
