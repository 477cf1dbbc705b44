"""A small in-memory account service for UI tests: fixed data, fixed clock, scripted syncs."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal

from asin_tui.domain.cover import StockCover
from asin_tui.domain.looks import (
    SinceLastLook,
    TimelineEntry,
    cover_row,
    is_at_risk,
    with_risk_cause,
)
from asin_tui.domain.models import (
    AccountHealth,
    AttributeSpec,
    Category,
    Diagnosis,
    Enforcement,
    Evidence,
    Finding,
    FulfillmentAvailability,
    InventorySummary,
    Issue,
    LastQuantity,
    Listing,
    ListingRecord,
    Offer,
    ProductTypeRequirements,
    Restriction,
    RestrictionLink,
    RestrictionReason,
    Severity,
    State,
    WizardStep,
    sort_key,
)
from asin_tui.service import CoverRefresh, HealthRefresh, NothingFetched
from asin_tui.store.cache import SyncInfo
from asin_tui.ui.service import CaseLabels
from asin_tui.ui.timing import UiTiming

US = "ATVPDKIKX0DER"
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
#: the app as of the fake account's NOW: its list shows this year's dates without the year,
#: whatever year the tests run in (``make_app(timing=AS_OF_NOW)``)
AS_OF_NOW = UiTiming(clock=lambda: NOW)


@dataclass(frozen=True)
class SyncProgress:
    phase: str
    done: int
    total: int | None
    message: str
    waiting: bool = False


def finding(code, title, category=Category.STOCK, severity=Severity.ERROR, step=WizardStep.STOCK):
    return Finding(
        category=category,
        severity=severity,
        code=code,
        title=title,
        detail=f"{title}: the details with numbers.",
        fix=f"Do the thing that fixes {title.lower()}.",
        step=step,
    )


_CAUSES = {
    State.SUPPRESSED: replace(
        finding(
            "MISSING_ATTRIBUTE",
            "Missing required attribute",
            Category.LISTING_FIELDS,
            step=WizardStep.FIELDS,
        ),
        attributes=("brand",),
        brief="Missing: brand",  # what the list shows
    ),
    State.CATALOG_REMOVED: finding(
        "CATALOG_ITEM_REMOVED", "Catalog item removed", Category.CATALOG
    ),
    State.INCOMPLETE: finding("INCOMPLETE_SKU", "SKU not in catalog", Category.CATALOG),
    State.INACTIVE: finding("OUT_OF_STOCK_MFN", "Out of stock"),
    State.SEARCH_SUPPRESSED: finding(
        "INVALID_IMAGE", "Main image not compliant", Category.LISTING_FIELDS
    ),
    State.VARIATION_PARENT: finding(
        "VARIATION_PARENT", "Variation parent", Category.OTHER, Severity.INFO, None
    ),
}
_TITLES = (
    "Bamboo Cutting Board Set, 3 Pieces",
    "Stainless Steel Water Bottle 750 ml",
    "Ceramic Coffee Mug with Lid",
    "LED Desk Lamp, Dimmable",
    "Yoga Mat Extra Thick 10 mm",
    "Wooden Wall Sign Welcome Home",
    "Cotton Throw Blanket Grey",
)


def make_records(count: int = 40) -> list[ListingRecord]:
    """Deterministic rows across every state, sorted like `report`."""
    states = list(State)
    records = []
    for i in range(count):
        state = states[i % len(states)]
        fba = i % 3 == 0
        cause = _CAUSES.get(state)
        records.append(
            ListingRecord(
                sku=f"SKU-{i:04d}",
                asin=f"B0TEST{i:04d}",
                title=_TITLES[(i + i // 7) % len(_TITLES)],
                marketplace_id=US,
                state=state,
                buyable=state in (State.ACTIVE, State.SEARCH_SUPPRESSED),
                discoverable=state is State.ACTIVE,
                findings=(cause,) if cause else (),
                product_type="HOME",
                condition_type="new_new",
                fulfillment_channel="FBA" if fba else "MFN",
                quantity=i % 5,
                inbound=(i % 4) * 3 if fba else None,
                price=Decimal("10.00") + i,
                currency="USD",
                inactive_since=None
                if state is State.ACTIVE
                else datetime(2026, 10, 1 + i % 28, tzinfo=UTC),
            )
        )
    return sorted(records, key=sort_key)


def at_risk(status: str = "AT_RISK", **counters: int) -> AccountHealth:
    counters = counters or {
        "listingPolicyViolations": 3,
        "productAuthenticityCustomerComplaints": 1,
    }
    return AccountHealth(US, status, counters, as_of=NOW)


ACCOUNT_FINDING = finding(
    "ACCOUNT_AT_RISK", "Account at risk", Category.ACCOUNT, Severity.WARNING, WizardStep.POLICY
)


class FakeService:
    """Implements what the UI uses of AccountService. A test holds a sync mid-way with
    `sync_gate`; `health_looks` scripts what each `refresh_account_health` finds, and a look
    that finds `health_report` diagnoses the rows again (the account finding goes first)."""

    profile_name = "test"
    marketplace_id = US
    seller_id = "A2TESTSELLER01"

    def __init__(
        self,
        records: list[ListingRecord] | None = None,
        *,
        fail_sync: str | None = None,
        never_synced: bool = False,
    ):
        self.records = make_records() if records is None else records
        self.fail_sync = fail_sync
        self.notices: list[str] = []
        self.cache_warning: str | None = None
        self.synced = 0
        self.sync_gate: asyncio.Event | None = None  # set by a test to hold a sync mid-way
        self.closed = False
        self.account: AccountHealth | None = None
        self.health_pending = False
        self.health_looks: list[HealthRefresh | Exception] = []
        self.health_report: AccountHealth | None = None
        self.looked = 0
        self.health_gate: asyncio.Event | None = None  # set by a test to hold a look
        self._last_sync = (
            None if never_synced else SyncInfo(NOW, NOW, False, True, {}, len(self.records))
        )
        self.next_sync: SyncInfo | None = None  # what the next sync leaves as last_sync
        #: when every listing was last fetched (None: only what needed attention so far)
        self.full_sync_at: datetime | None = NOW
        self.account_total: int | Exception = len(self.records)  # what count_listings says
        self.sync_scopes: list[bool] = []  # include_all of each sync asked for
        self.last_look: SinceLastLook | None = None  # what since_last_look answers
        self.looks_remembered: list[tuple[str, ...]] = []  # remember_look's at-risk SKUs
        self.timelines: dict[str, list[TimelineEntry]] = {}
        self.last_quantities: dict[str, LastQuantity] = {}
        self.exemption_ends: dict[str, datetime] = {}  # SKU -> when its exemption ends
        self.covers: dict[str, StockCover] = {}  # SKU -> stock cover (the sales reports)
        self.cover_at: datetime | None = None  # when the sales reports were read (None: never)
        self.cover_due = False  # the stored cover is old: the list reads the reports again
        #: listings Amazon has that the cache does not (refresh fetches them), and the fetches
        self.on_amazon: dict[str, ListingRecord] = {}
        self.fetched: list[str] = []
        self.cover_reads = 0
        self.cover_gate: asyncio.Event | None = None

    def cached_records(
        self, *, all_listings: bool, limit: int | None = None
    ) -> list[ListingRecord]:
        return self._scope(all_listings)[:limit]

    def cached_record_batches(self, *, all_listings: bool, size: int = 25):
        records = self.cached_records(all_listings=all_listings)
        for start in range(0, len(records), size):
            yield records[start : start + size]

    def cached_state_counts(self, *, all_listings: bool) -> dict[State, int]:
        return Counter(r.state for r in self._scope(all_listings))

    def _scope(self, all_listings: bool) -> list[ListingRecord]:
        return [r for r in self.records if all_listings or r.needs_attention]

    def last_sync(self):
        return self._last_sync

    def last_full_sync(self) -> datetime | None:
        return self.full_sync_at

    async def count_listings(self) -> int:
        if isinstance(self.account_total, Exception):
            raise self.account_total
        return self.account_total

    async def sync(self, *, include_all: bool, progress=None):
        self.sync_scopes.append(include_all)
        steps = (
            SyncProgress("search", 1, 3, "Searching listings: page 1 of ~3"),
            SyncProgress("search", 1, 3, "Throttled by Amazon, waiting 2 s", waiting=True),
            SyncProgress("search", 2, 3, "Searching listings: page 2 of ~3"),
        )
        for step in steps:
            if progress:
                progress(step)
            if step.waiting and self.sync_gate is not None:
                await self.sync_gate.wait()
        if self.fail_sync:  # nothing could be fetched: the service says why
            raise NothingFetched(self.fail_sync)
        self.synced += 1
        if self.next_sync is not None:
            self._last_sync = self.next_sync
        if include_all:
            self.full_sync_at = NOW
        return {"listings": len(self.records)}

    def account_health(self) -> AccountHealth | None:
        return self.account

    def account_health_pending(self):
        return "report-1" if self.health_pending else None

    async def refresh_account_health(self) -> HealthRefresh:
        self.looked += 1
        if self.health_gate is not None:
            await self.health_gate.wait()
        result = self.health_looks.pop(0) if self.health_looks else HealthRefresh(pending=True)
        if isinstance(result, Exception):
            raise result
        self.health_pending = result.pending
        if result.updated:
            self.account = self.health_report
            self.records = [
                replace(r, findings=(ACCOUNT_FINDING, *r.findings)) if r.findings else r
                for r in self.records
            ]
        return result

    def at_risk_records(self) -> list[ListingRecord]:
        covers = self.covers
        rows = [
            with_risk_cause(r, self.exemption_ends.get(r.sku), cover=covers.get(r.sku))
            for r in self.records
            if is_at_risk(r, cover=covers.get(r.sku))
        ]
        cached = {r.sku for r in self.records}
        mp = self.records[0].marketplace_id if self.records else "ATVPDKIKX0DER"
        rows += [
            cover_row(c, mp)
            for sku, c in sorted(covers.items())
            if sku not in cached and c.short(14)
        ]
        return rows

    def since_last_look(self, at_risk_now) -> SinceLastLook | None:
        return self.last_look

    def stock_cover_of(self, sku: str) -> StockCover | None:
        return self.covers.get(sku)

    def stock_cover_at(self):
        return self.cover_at

    def stock_cover_due(self) -> bool:
        return self.cover_due

    async def refresh_stock_cover(self, *, force: bool = False) -> CoverRefresh:
        """Reads the "reports" when due: ``cover_reads`` counts them; ``cover_gate`` (when
        set) holds the read until the test lets it end."""
        if not (force or self.cover_due):
            return CoverRefresh(before=self.covers, after=self.covers)
        self.cover_reads += 1
        if self.cover_gate is not None:
            await self.cover_gate.wait()
        self.cover_due = False
        self.cover_at = datetime.now(UTC)
        return CoverRefresh(updated=True, before=self.covers, after=self.covers)

    def remember_look(self, at_risk, now=None) -> None:
        self.looks_remembered.append(tuple(at_risk))

    def timeline(self, sku: str) -> list[TimelineEntry]:
        return self.timelines.get(sku, [])

    def last_quantity(self, sku: str) -> LastQuantity | None:
        return self.last_quantities.get(sku)

    async def in_background(self, work, /, *args, **kwargs):
        return await work(*args, **kwargs)

    def evidence(self, sku: str) -> Evidence:
        return make_evidence(self._cached(sku))

    def diagnosis(self, sku: str) -> Diagnosis:
        return self._cached(sku).diagnosis

    def _cached(self, sku: str) -> ListingRecord:
        from asin_tui.service import UnknownSku

        record = next((r for r in self.records if r.sku == sku), None)
        if record is None:
            raise UnknownSku(sku)
        return record

    async def refresh(self, sku: str) -> ListingRecord:
        """getListingsItem: a listing Amazon has (``on_amazon``) is cached from then on; one
        it does not know raises NotFound."""
        from asin_tui.spapi.errors import NotFound

        self.fetched.append(sku)
        record = self.on_amazon.pop(sku, None)
        if record is None:
            raise NotFound(f"SKU {sku} not found", operation="getListingsItem", status=404)
        self.records.append(record)
        return record

    async def connect(self) -> None:
        pass

    async def aclose(self) -> None:
        self.closed = True


def make_evidence(record: ListingRecord) -> Evidence:
    listing = Listing(
        sku=record.sku,
        marketplace_id=US,
        asin=record.asin,
        product_type="HOME",
        condition_type="new_new",
        item_name=record.title,
        status=frozenset(
            s
            for s, on in (("BUYABLE", record.buyable), ("DISCOVERABLE", record.discoverable))
            if on
        ),
        issues=(
            Issue(
                code="90220",
                message="'brand' is required but not supplied.",
                severity="ERROR",
                attribute_names=("brand",),
                categories=("MISSING_ATTRIBUTE",),
                enforcement=Enforcement(
                    ("LISTING_SUPPRESSED",),
                    "EXEMPT_UNTIL_EXPIRY_DATE",
                    datetime(2026, 12, 31, tzinfo=UTC),
                ),
            ),
        ),
        offers=(Offer(US, "B2C", record.price, "USD"),),
        fulfillment=(
            FulfillmentAvailability(
                "AMAZON_NA" if record.fulfillment_channel == "FBA" else "DEFAULT", record.quantity
            ),
        ),
        attributes={
            "item_name": [{"value": record.title, "marketplace_id": US}],
            "purchasable_offer": [
                {
                    "marketplace_id": US,
                    "currency": "USD",
                    "our_price": [{"schedule": [{"value_with_tax": float(record.price)}]}],
                    "minimum_seller_allowed_price": [{"schedule": [{"value_with_tax": 60}]}],
                    "maximum_seller_allowed_price": [{"schedule": [{"value_with_tax": 90}]}],
                }
            ],
        },
    )
    inventory = (
        InventorySummary(
            seller_sku=record.sku,
            fulfillable=record.quantity or 0,
            inbound_working=2,
            inbound_shipped=3,
            inbound_receiving=1,
            reserved_total=4,
            unfulfillable_total=5,
            unfulfillable_breakdown={"customerDamagedQuantity": 5},
            researching_total=1,
        )
        if record.fulfillment_channel == "FBA"
        else None
    )
    return Evidence(
        listing=listing,
        inventory=inventory,
        restrictions=(
            Restriction(
                US,
                "new_new",
                (
                    RestrictionReason(
                        "You need approval to list in this brand.",
                        "APPROVAL_REQUIRED",
                        (
                            RestrictionLink(
                                "Request approval",
                                "https://sellercentral.amazon.com/hz/approvalrequest",
                            ),
                        ),
                    ),
                ),
            ),
        ),
        requirements=ProductTypeRequirements(
            product_type="HOME",
            marketplace_id=US,
            display_name="Home",
            attributes={
                "item_name": AttributeSpec("item_name", "Item Name", required=True),
                "brand": AttributeSpec("brand", "Brand Name", required=True),
                "color": AttributeSpec("color", "Colour"),
            },
        ),
    )


def progress_of(service) -> CaseLabels:
    """The wizard progress the list shows: two SKUs left mid-way."""
    return CaseLabels(
        {"SKU-0000": WizardStep.FIELDS.short_label, "SKU-0003": WizardStep.STOCK.short_label}
    )
