"""Account-level causes (issue 10, docs/INACTIVE_CAUSES.md row 15): many merchant-fulfilled listings with
stock and a price, unbuyable with no issue, are ONE account cause (holiday mode), not many."""

from __future__ import annotations

from decimal import Decimal

from asin_tui.domain import codes
from asin_tui.domain.account import VACATION_MIN_LISTINGS, account_causes
from asin_tui.domain.diagnosis import diagnose
from asin_tui.domain.models import (
    Evidence,
    FulfillmentAvailability,
    Listing,
    ListingRecord,
    Offer,
)

US = "ATVPDKIKX0DER"


def held(sku: str, *, quantity: int = 8, channel: str = "DEFAULT", issues=()) -> ListingRecord:
    """A listing as Amazon shows it in holiday mode: DISCOVERABLE, not BUYABLE, no issue."""
    listing = Listing(
        sku=sku,
        marketplace_id=US,
        asin="B0" + sku[-8:].rjust(8, "0"),
        status=frozenset({"DISCOVERABLE"}),
        issues=tuple(issues),
        offers=(Offer(US, "B2C", Decimal("19.99"), "USD"),),
        fulfillment=(FulfillmentAvailability(channel, quantity),),
    )
    evidence = Evidence(listing)
    return ListingRecord.build(evidence, diagnose(evidence))


def test_many_unexplained_mfn_listings_are_one_account_cause():
    records = [held(f"HOLIDAY-{i:04d}") for i in range(500)]
    (cause,) = account_causes(records)
    assert cause.code == codes.ACCOUNT_VACATION and len(cause.skus) == 500
    assert cause.to_dict()["listings"] == 500 and "holiday" in cause.detail
    assert "Listing Status" in cause.fix


def test_a_few_or_explained_listings_are_not_an_account_cause():
    few = [held(f"FEW-{i}") for i in range(VACATION_MIN_LISTINGS - 1)]
    assert account_causes(few) == ()
    out_of_stock = [held(f"OOS-{i}", quantity=0) for i in range(50)]
    fba = [held(f"FBA-{i}", channel="AMAZON_NA") for i in range(50)]
    assert account_causes(out_of_stock + fba) == ()


def test_the_sandbox_vacation_scenario_is_one_account_cause():
    """The sandbox's vacation account (every MFN offer inactive, no issue): the listings it
    meant as vacation-only are the account cause's listings."""
    from datetime import UTC, datetime

    from asin_tui.sandbox.account import SandboxAccount
    from asin_tui.spapi.parse import LISTING_SECTIONS, parse_listing

    now = datetime(2026, 11, 27, 9, tzinfo=UTC)
    account = SandboxAccount(now=now, scenario="vacation", listings=120)
    sections = [s for s in LISTING_SECTIONS if s != "procurement"]
    records = []
    for sku in account.search():
        evidence = Evidence(parse_listing(account.item(sku, sections), US))
        records.append(ListingRecord.build(evidence, diagnose(evidence, now=now)))
    (cause,) = account_causes(records)
    meant = {r.sku for r in records if "ACCOUNT_VACATION" in account.intended_causes(r.sku)}
    assert set(cause.skus) <= meant and len(cause.skus) >= VACATION_MIN_LISTINGS
    in_stock_alone = {
        r.sku
        for r in records
        if r.sku in meant
        and r.fulfillment_channel == "MFN"
        and (r.quantity or 0) > 0
        and account.intended_causes(r.sku) == {"ACCOUNT_VACATION"}
    }
    assert in_stock_alone <= set(cause.skus)
