"""Stock rules (docs/INACTIVE_CAUSES.md rows 1–3) and the fallbacks that make sure a listing that
cannot be bought, or is hidden, always has a finding saying so (row 16).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from asin_tui.domain import codes
from asin_tui.domain.models import (
    Category,
    InventorySummary,
    Listing,
    Severity,
    WizardStep,
    camel_words,
)
from asin_tui.domain.patches import FULFILLMENT_AVAILABILITY
from asin_tui.domain.rules.base import (
    CATALOG_ITEM_REMOVED,
    LISTING_SUPPRESSED,
    Context,
    Found,
    Impact,
    make,
    sale_blocked,
    sentences,
    wizard,
)

# --------------------------------------------------------------------------- stock


def mfn_stock_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    """Row 1: merchant-fulfilled quantity 0."""
    if not ctx.sells or ctx.listing.is_fba or ctx.listing.mfn_quantity != 0:
        return
    yield make(
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
    cannot be sold because the offer is not buyable (stranded) — also when the SKU has no
    live listing any more (incomplete or deleted), since the units are still there."""
    listing = ctx.listing
    inventory = ctx.evidence.inventory
    if ctx.is_parent or not (listing.is_fba or inventory is not None):
        return
    fulfillable = inventory.fulfillable if inventory else _fba_quantity(listing)
    if fulfillable is None:
        return
    if fulfillable == 0:
        if listing.has_summary:
            yield _fba_out_of_stock(ctx)
    elif not listing.buyable or ctx.actions_in_force & {LISTING_SUPPRESSED, CATALOG_ITEM_REMOVED}:
        # (an action in force takes the offer off sale even while Amazon's status lags)
        yield _stranded(ctx, fulfillable, found)


def _fba_quantity(listing: Listing) -> int | None:
    return next((f.quantity for f in listing.fulfillment if f.is_fba), None)


def _fba_out_of_stock(ctx: Context) -> Found:
    inv = ctx.evidence.inventory
    facts = ["Amazon has 0 sellable units of this SKU in its warehouses."]
    actions = []
    if inv is None:
        facts.append("FBA inventory details were not fetched.")
    else:
        facts += _where_the_units_are(inv)
        if inv.inbound_total:
            actions.append("wait for the inbound shipment to be received")
        if inv.unfulfillable_total:
            actions.append("create a removal or disposal order for the unfulfillable units")
    if inv is None or not inv.inbound_total:
        actions.append("send an inbound shipment")
    actions.append("or switch the offer to merchant fulfillment meanwhile")
    return make(
        Impact.BLOCKS_SALE,
        Category.STOCK,
        Severity.ERROR,
        codes.OUT_OF_STOCK_FBA,
        "FBA out of stock",
        sentences(*facts),
        wizard(WizardStep.STOCK, "; ".join(actions) + "."),
        attributes=(FULFILLMENT_AVAILABILITY,),
        step=WizardStep.STOCK,
    )


def _where_the_units_are(inv: InventorySummary) -> list[str]:
    facts = []
    if inv.inbound_total:
        facts.append(
            f"{_units(inv.inbound_total)} inbound ({inv.inbound_working} working, "
            f"{inv.inbound_shipped} shipped, {inv.inbound_receiving} receiving)."
        )
    if inv.reserved_fc_processing:
        facts.append(
            f"{_units(inv.reserved_fc_processing)} being processed at the fulfillment center."
        )
    if inv.unfulfillable_total:
        kinds = ", ".join(
            f"{count} {camel_words(kind)}" for kind, count in inv.unfulfillable_breakdown.items()
        )
        facts.append(
            f"{_units(inv.unfulfillable_total)} unfulfillable" + (f" ({kinds})." if kinds else ".")
        )
    if inv.researching_total:
        facts.append(f"{_units(inv.researching_total)} being researched (lost or misplaced).")
    return facts


def _units(count: int) -> str:
    """'1 unit is' / '5 units are'."""
    return "1 unit is" if count == 1 else f"{count} units are"


#: Causes no listing edit lifts: stock held for them may never become sellable here.
_NO_EDIT_FIXES = (codes.NOT_ELIGIBLE, codes.CATALOG_ITEM_REMOVED)
_APPEAL_ONLY = (codes.POLICY_VIOLATION,)


def _stranded(ctx: Context, fulfillable: int, found: Sequence[Found]) -> Found:
    plural = "unit sits" if fulfillable == 1 else "units sit"
    units = f"{fulfillable} {plural} in Amazon's warehouses but the offer cannot be bought."
    blocking = {f.finding.code for f in found if f.impact is Impact.BLOCKS_SALE}
    removal = (
        f"create a removal order for the {fulfillable} unit{'s' if fulfillable != 1 else ''} "
        "before Amazon's auto-removal date"
    )
    severity = Severity.ERROR
    impact = Impact.NOTE
    if blocking & set(_NO_EDIT_FIXES):
        detail = sentences(units, "No edit can fix the problem above, so they cannot be sold here.")
        severity = Severity.WARNING
        fix = wizard(WizardStep.STOCK, f"{removal} (or have Amazon liquidate them).")
    elif blocking & set(_APPEAL_ONLY):
        detail = sentences(
            units, "They stay unsellable unless Amazon lifts the policy enforcement above."
        )
        severity = Severity.WARNING
        fix = wizard(WizardStep.STOCK, f"unless your appeal is accepted in time, {removal}.")
    elif blocking:
        detail = sentences(units, "They become sellable once the problems above are fixed.")
        fix = wizard(WizardStep.STOCK, "fix the listing problems above; no stock action needed.")
    else:
        detail = sentences(units, "Amazon reports no listing problem: the offer looks closed.")
        impact = Impact.BLOCKS_SALE
        channel = next((f.channel_code for f in ctx.listing.fulfillment if f.is_fba), "AMAZON_NA")
        fix = wizard(
            WizardStep.STOCK,
            f"relist the offer (fulfillment channel {channel}), or {removal}.",
        )
    return make(
        impact,
        Category.STOCK,
        severity,
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
    the response did not carry); with stock and a price it is not closed, and Amazon just
    gives no reason."""
    listing = ctx.listing
    if not ctx.sells or listing.buyable or sale_blocked(found):
        return
    notes = ["Amazon reports no issue that stops the sale."]
    if not listing.has_data("fulfillmentAvailability") or not listing.has_data("issues"):
        yield _not_in_this_body(ctx)  # absent data: the stock was not checked, not "closed"
        return
    if listing.is_fba and ctx.evidence.inventory is None and _fba_quantity(listing) is None:
        yield _fba_stock_unknown(ctx)  # Amazon's units were not counted: not "closed"
        return
    if not listing.fulfillment:
        notes.append("The listing has no fulfillment channel or quantity.")
    elif listing.mfn_quantity is not None:
        notes.append(f"Merchant-fulfilled quantity is {listing.mfn_quantity}.")
    if ctx.band.price is not None:
        notes.append(f"Price is {ctx.band.money(ctx.band.price)}.")
    if listing.is_fba and ctx.evidence.inventory is None:
        notes.append("FBA inventory was not checked.")
    if (listing.mfn_quantity or 0) > 0 and ctx.band.price is not None:
        yield _no_reason_given(notes)
        return
    yield make(
        Impact.BLOCKS_SALE,
        Category.OTHER,
        Severity.ERROR,
        codes.LISTING_CLOSED,
        "Listing closed",
        sentences(*notes),
        wizard(
            WizardStep.STOCK,
            "set a quantity (or the FBA channel) to relist the offer; if you closed it on "
            "purpose, there is nothing to do.",
        ),
        attributes=(FULFILLMENT_AVAILABILITY,),
        step=WizardStep.STOCK,
    )


def _fba_stock_unknown(ctx: Context) -> Found:
    """An FBA offer that is not buyable, with Amazon's warehouse stock not counted (no FBA
    inventory in the evidence): the most likely cause is no sellable units, not checked."""
    channel = next((f.channel_code for f in ctx.listing.fulfillment if f.is_fba), "AMAZON")
    return make(
        Impact.BLOCKS_SALE,
        Category.STOCK,
        Severity.ERROR,
        codes.OTHER_ISSUE,
        "Not buyable; FBA stock not checked",
        sentences(
            f"Amazon fulfils this offer ({channel}) and marks it not buyable, with no issue "
            "that stops the sale.",
            "Its FBA inventory was not in the data, so whether Amazon holds sellable units "
            "was not checked (an empty FBA stock is the usual cause).",
        ),
        wizard(
            WizardStep.STOCK,
            "look at the SKU's FBA inventory (getInventorySummaries; `diagnose --inventory`, "
            "or sync); send an inbound shipment if it has no sellable units.",
        ),
        attributes=(FULFILLMENT_AVAILABILITY,),
        step=WizardStep.STOCK,
    )


def _not_in_this_body(ctx: Context) -> Found:
    """Not buyable, and the body lacks the sections (stock, issues) that could say why."""
    missing = [
        words
        for section, words in (
            ("fulfillmentAvailability", "fulfillment availability (stock)"),
            ("issues", "issues"),
            ("offers", "offers (price)"),
        )
        if not ctx.listing.has_data(section)
    ]
    return make(
        Impact.BLOCKS_SALE,
        Category.OTHER,
        Severity.ERROR,
        codes.OTHER_ISSUE,
        "Not buyable; the reason is not in this data",
        sentences(
            "Amazon's status says the offer cannot be bought.",
            f"The data does not include {', '.join(missing)}, so the cause was not checked.",
        ),
        "Read the listing again with includedData=summaries,attributes,issues,offers,"
        "fulfillmentAvailability (asin-tui's sync does) to learn why.",
        step=WizardStep.OVERVIEW,
    )


def _no_reason_given(checked: list[str]) -> Found:
    """In stock, priced, no issue: nothing in the listing explains it, so the cause is
    outside it (holiday mode, the account) or Amazon's alone."""
    return make(
        Impact.BLOCKS_SALE,
        Category.OTHER,
        Severity.ERROR,
        codes.LISTING_CLOSED,
        "Not buyable, no reason given by Amazon",
        sentences(
            "Amazon marks the offer not buyable although it has stock and a price.", *checked
        ),
        "Look in Seller Central: is holiday mode on (Settings → Account Info → Listing "
        "Status)? Is the account in good standing (Account Health)? What does Manage "
        "Inventory say for this SKU? If nothing explains it, open a case with Seller Support "
        "naming the SKU.",
        step=WizardStep.OVERVIEW,
    )


def hidden_rule(ctx: Context, found: Sequence[Found]) -> Iterable[Found]:
    """Buyable but not discoverable, and no issue says why."""
    listing = ctx.listing
    if not ctx.sells or not listing.buyable or listing.discoverable:
        return
    if any(f.impact in (Impact.BLOCKS_SALE, Impact.HIDES) for f in found):
        return  # a suppressed or removed listing is hidden too
    if not listing.has_data("issues"):
        yield make(
            Impact.HIDES,
            Category.OTHER,
            Severity.ERROR,
            codes.OTHER_ISSUE,
            "Hidden from search; the reason is not in this data",
            "Amazon marks the listing buyable but not discoverable. The data does not include "
            "its issues, so the cause was not checked.",
            "Read the listing again with includedData=summaries,attributes,issues,offers,"
            "fulfillmentAvailability (asin-tui's sync does) to learn why.",
            step=WizardStep.OVERVIEW,
        )
        return
    yield make(
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
