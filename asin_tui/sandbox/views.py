"""Wire shapes of the sandbox answers other than listings items: FBA inventory summaries,
listing restrictions, catalog items, the GET_MERCHANT_LISTINGS_ALL_DATA report and the
GET_V2_SELLER_PERFORMANCE_REPORT (Account Health) document.

Each function turns a record (and its derived state) into the exact shape of Amazon's model:
fbaInventory.json, listingsRestrictions_2021-08-01.json, catalogItems_2022-04-01.json, the
flat file documented for the report type and accountHealthReport-2020-11-18.json.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from asin_tui.sandbox.catalog import (
    ALNUM,
    IMAGE_SIZE,
    Record,
    attributes_of,
    content_of,
    image_url,
    seeded_id,
    title_of,
)
from asin_tui.sandbox.marketplaces import Marketplace
from asin_tui.sandbox.rules import Derived, iso

APPROVAL_PATH = "/hz/approvalrequest/restrictions/approve"

# --------------------------------------------------------------------------- FBA inventory


def _inventory_condition(condition: str) -> str:
    """listings conditionType -> FBA inventory condition (new_new -> NewItem, used_good -> UsedGood)."""
    if condition == "new_new":
        return "NewItem"
    head, _, tail = condition.partition("_")
    words = [head] if tail == head else [head, *tail.split("_")]
    return "".join(w.capitalize() for w in words)


def inventory_summary(record: Record, state: Derived, details: bool) -> dict[str, Any]:
    """One InventorySummary (with inventoryDetails when `details`)."""
    stock = record.stock
    reserved = researching = unfulfillable = inbound = fulfillable = 0
    if stock is not None:
        fulfillable = stock.fulfillable
        inbound = stock.inbound_working + stock.inbound_shipped + stock.inbound_receiving
        reserved = (
            stock.reserved_pending_customer_order
            + stock.reserved_pending_transshipment
            + stock.reserved_fc_processing
        )
        researching = sum(stock.researching)
        unfulfillable = sum(stock.unfulfillable.values())
    summary: dict[str, Any] = {"asin": record.asin}
    if record.fn_sku:
        summary["fnSku"] = record.fn_sku
    summary.update(
        sellerSku=record.sku,
        condition=_inventory_condition(state.condition),
    )
    if details:
        summary["inventoryDetails"] = _details(
            record, fulfillable, reserved, researching, unfulfillable
        )
    summary.update(
        lastUpdatedTime=iso(record.last_updated),
        productName=state.item_name or "",
        totalQuantity=fulfillable + inbound + reserved + researching + unfulfillable,
        stores=[],
    )
    return summary


def _details(
    record: Record, fulfillable: int, reserved: int, researching: int, unfulfillable: int
) -> dict[str, Any]:
    stock = record.stock
    short, mid, long = stock.researching if stock else (0, 0, 0)
    breakdown = stock.unfulfillable if stock else {}
    return {
        "fulfillableQuantity": fulfillable,
        "inboundWorkingQuantity": stock.inbound_working if stock else 0,
        "inboundShippedQuantity": stock.inbound_shipped if stock else 0,
        "inboundReceivingQuantity": stock.inbound_receiving if stock else 0,
        "reservedQuantity": {
            "totalReservedQuantity": reserved,
            "pendingCustomerOrderQuantity": stock.reserved_pending_customer_order if stock else 0,
            "pendingTransshipmentQuantity": stock.reserved_pending_transshipment if stock else 0,
            "fcProcessingQuantity": stock.reserved_fc_processing if stock else 0,
        },
        "researchingQuantity": {
            "totalResearchingQuantity": researching,
            "researchingQuantityBreakdown": [
                {"name": "researchingQuantityInShortTerm", "quantity": short},
                {"name": "researchingQuantityInMidTerm", "quantity": mid},
                {"name": "researchingQuantityInLongTerm", "quantity": long},
            ],
        },
        "unfulfillableQuantity": {
            "totalUnfulfillableQuantity": unfulfillable,
            **{
                key: breakdown.get(key, 0)
                for key in (
                    "customerDamagedQuantity",
                    "warehouseDamagedQuantity",
                    "distributorDamagedQuantity",
                    "carrierDamagedQuantity",
                    "defectiveQuantity",
                    "expiredQuantity",
                )
            },
        },
    }


# --------------------------------------------------------------------------- restrictions


def restrictions(
    record: Record | None, asin: str, condition_type: str | None, mp: Marketplace
) -> list[dict[str, Any]]:
    """getListingsRestrictions `restrictions` for an ASIN (and condition, if given)."""
    mid = mp.marketplace_id
    if record is None or record.catalog_removed:
        reason = {
            "message": f"ASIN {asin} is not found in the {mp.country} marketplace.",
            "reasonCode": "ASIN_NOT_FOUND",
        }
        return [_restriction(mid, condition_type, reason)]
    gate = record.gate
    if gate is None:
        return []
    if gate.conditions is None:
        found = [_restriction(mid, condition_type, _reason(gate.reason_code, asin, mp, None))]
    else:
        conditions = gate.conditions if condition_type is None else (condition_type,)
        found = [
            _restriction(mid, c, _reason(gate.reason_code, asin, mp, c))
            for c in conditions
            if c in gate.conditions
        ]
    if record.quoted_text:  # Amazon's reason quoting the listing's own text
        for restriction in found:
            restriction["reasons"][0]["message"] += record.quoted_text
    return found


def _restriction(mid: str, condition: str | None, reason: dict[str, Any]) -> dict[str, Any]:
    restriction: dict[str, Any] = {"marketplaceId": mid}
    if condition:
        restriction["conditionType"] = condition
    restriction["reasons"] = [reason]
    return restriction


def _reason(code: str, asin: str, mp: Marketplace, condition: str | None) -> dict[str, Any]:
    if code == "NOT_ELIGIBLE":
        return {
            "message": "You are not eligible to sell this product. It is restricted to "
            "selected sellers.",
            "reasonCode": "NOT_ELIGIBLE",
            "links": [],
        }
    message = (
        "You cannot list the product in this condition."
        if condition
        else "You need approval to list in this brand."
    )
    return {
        "message": message,
        "reasonCode": "APPROVAL_REQUIRED",
        "links": [
            {
                "resource": f"{mp.seller_central}{APPROVAL_PATH}?asin={asin}",
                "verb": "GET",
                "title": "Request approval",
                "type": "text/html",
            }
        ],
    }


# --------------------------------------------------------------------------- catalog


def catalog_item(
    record: Record, by_sku: Mapping[str, Record], included: set[str], mp: Marketplace
) -> dict[str, Any]:
    """getCatalogItem (2022-04-01) Item for the record's ASIN with the requested sections.

    The catalog shows Amazon's view of the product (generated content, and the product type
    Amazon classifies it as, which a reclassification makes differ from the listing's), not
    the seller's latest patch."""
    mid = mp.marketplace_id
    c = content_of(record)
    catalog_type = record.catalog_product_type or record.product_type
    item: dict[str, Any] = {"asin": record.asin}
    if "attributes" in included:
        attributes = attributes_of(record, mp)
        for seller_only in ("purchasable_offer", "fulfillment_availability", "condition_type"):
            attributes.pop(seller_only, None)
        item["attributes"] = attributes
    if "identifiers" in included:
        item["identifiers"] = [
            {
                "marketplaceId": mid,
                "identifiers": [
                    {"identifierType": "UPC", "identifier": record.upc},
                    {"identifierType": "EAN", "identifier": "0" + record.upc},
                ],
            }
        ]
    if "images" in included:
        image = {
            "variant": "MAIN",
            "link": image_url(record),
            "height": IMAGE_SIZE,
            "width": IMAGE_SIZE,
        }
        item["images"] = [{"marketplaceId": mid, "images": [image]}]
    if "productTypes" in included:
        item["productTypes"] = [{"marketplaceId": mid, "productType": catalog_type}]
    if "relationships" in included:
        item["relationships"] = [
            {"marketplaceId": mid, "relationships": _asin_relations(record, by_sku)}
        ]
    if "summaries" in included:
        item["summaries"] = [
            {
                "marketplaceId": mid,
                "brand": c.brand,
                "color": c.color,
                "itemClassification": "VARIATION_PARENT" if record.is_parent else "BASE_PRODUCT",
                "itemName": title_of(c),
                "manufacturer": c.brand,
                "size": c.size,
                "websiteDisplayGroup": catalog_type.lower() + "_display_on_website",
            }
        ]
    return item


def _asin_relations(record: Record, by_sku: Mapping[str, Record]) -> list[dict[str, Any]]:
    if record.is_parent:
        relation: dict[str, Any] = {"childAsins": [by_sku[s].asin for s in record.child_skus]}
    elif record.parent_sku:
        relation = {"parentAsins": [by_sku[record.parent_sku].asin]}
    else:
        return []
    theme = record.variation_theme or "COLOR"
    relation["type"] = "VARIATION"
    relation["variationTheme"] = {
        "attributes": [a.lower() for a in theme.split("/")],
        "theme": theme,
    }
    return [relation]


# --------------------------------------------------------------------------- ALL_DATA report

ALL_DATA_COLUMNS = (
    "item-name",
    "item-description",
    "listing-id",
    "seller-sku",
    "price",
    "quantity",
    "open-date",
    "image-url",
    "item-is-marketplace",
    "product-id-type",
    "zshop-shipping-fee",
    "item-note",
    "item-condition",
    "zshop-category1",
    "zshop-browse-path",
    "zshop-storefront-feature",
    "asin1",
    "asin2",
    "asin3",
    "will-ship-internationally",
    "expedited-shipping",
    "zshop-boldface",
    "product-id",
    "bid-for-featured-placement",
    "add-delete",
    "pending-quantity",
    "fulfillment-channel",
    "merchant-shipping-group",
    "status",
)
_ITEM_CONDITION = {  # the flat-file condition codes
    "used_like_new": "1",
    "used_very_good": "2",
    "used_good": "3",
    "used_acceptable": "4",
    "collectible_like_new": "5",
    "collectible_very_good": "6",
    "collectible_good": "7",
    "collectible_acceptable": "8",
    "refurbished_refurbished": "10",
    "new_new": "11",
    "new_open_box": "11",
    "new_oem": "11",
    "club_club": "11",
}


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return " ".join(text.split()) if any(ch in text for ch in "\t\r\n") else text


def _listing_id(record: Record) -> str:
    return f"{record.created:%m%d}" + seeded_id(record.text_seed >> 7, 7, ALNUM)


def _description(attributes: dict[str, Any]) -> str:
    entries = attributes.get("product_description") or [{}]
    value = entries[0].get("value") if isinstance(entries[0], dict) else None
    return str(value or "")[:500]


def _all_data_row(record: Record, state: Derived, mp: Marketplace) -> list[Any]:
    status = "Incomplete" if not state.complete else "Active" if state.buyable else "Inactive"
    return [
        state.item_name or "",
        _description(attributes_of(record, mp)),
        _listing_id(record),
        record.sku,
        state.price if state.price is not None else "",
        "" if state.fba or state.mfn_quantity is None else state.mfn_quantity,
        record.created.strftime("%Y-%m-%d %H:%M:%S UTC"),
        state.main_image or "",
        "y",
        "1",  # product-id is the ASIN
        "",
        "",
        _ITEM_CONDITION.get(state.condition, "11"),
        "",
        "",
        "",
        record.asin,
        "",
        "",
        "",
        "",
        "",
        record.asin,
        "",
        "",
        "0",
        mp.fba_channel_code if state.fba else "DEFAULT",
        "" if state.fba else "Migrated Template",
        status,
    ]


def merchant_listings_all_data(rows: Iterable[tuple[Record, Derived]], mp: Marketplace) -> str:
    """GET_MERCHANT_LISTINGS_ALL_DATA: a header row and one tab-separated row per SKU."""
    lines = ["\t".join(ALL_DATA_COLUMNS)]
    lines.extend(
        "\t".join(_cell(v) for v in _all_data_row(record, state, mp)) for record, state in rows
    )
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- Account Health report

ACCOUNT_STATUSES = ("NORMAL", "AT_RISK", "DEACTIVATED")
#: The policy-violation sections of a performanceMetrics entry (all required by the schema).
POLICY_SECTIONS = (
    "listingPolicyViolations",
    "productAuthenticityCustomerComplaints",
    "productConditionCustomerComplaints",
    "productSafetyCustomerComplaints",
    "receivedIntellectualPropertyComplaints",
    "restrictedProductPolicyViolations",
    "suspectedIntellectualPropertyViolations",
    "foodAndProductSafetyIssues",
    "otherPolicyViolations",
    "documentRequests",
)
#: The section a listing's policy issue is counted in (the issue codes of sandbox/rules.py).
SECTION_OF_POLICY_CODE = {
    "18742": "restrictedProductPolicyViolations",  # Restricted Products
    "99300": "listingPolicyViolations",  # detail-page rules
    "100390": "documentRequests",  # compliance documentation required
}


def account_health_report(
    records: Iterable[Record],
    mp: Marketplace,
    status: str,
    today: datetime,
    seed: int,
    late_strain: float = 0.0,
) -> dict[str, Any]:
    """The Account Health document for the seller's one marketplace.

    Order metrics are drawn from the seed (healthy, within Amazon's targets); each policy
    section counts the listings that carry a policy issue of its kind, BAD when any do.
    ``late_strain`` adds that share of the orders to the late shipments (a drifting account's
    bad month: sandbox/drift.py)."""
    records = list(records)
    rng = random.Random(f"account-health/{seed}/{mp.code}")
    codes = [r.policy.code for r in records if r.policy]
    codes += ["99300" for r in records if r.exempt_issue]  # exempt, but a violation on record
    defects = Counter(SECTION_OF_POLICY_CODE[code] for code in codes)
    orders = max(30, len(records) * rng.randrange(3, 9))  # orders in the last 30 days
    metrics: dict[str, Any] = {
        "marketplaceId": mp.marketplace_id,
        **_order_metrics(rng, today, orders, late_strain),
        "warningStates": [{"warningType": "spammingSellerMessaging", "status": "NONE"}],
        "accountHealthRating": _health_rating("GREAT" if status == "NORMAL" else "WARNED", today),
    }
    for section in POLICY_SECTIONS:
        count = defects[section]
        metrics[section] = {
            "reportingDateRange": _date_range(today, 180),
            "defectsCount": count,
            "status": "BAD" if count else "GOOD",
            "targetValue": 0,
            "targetCondition": "EQUALS",
        }
    return {
        "accountStatuses": [{"marketplaceId": mp.marketplace_id, "status": status}],
        "performanceMetrics": [metrics],
    }


def _order_metrics(
    rng: random.Random, today: datetime, orders: int, late_strain: float = 0.0
) -> dict[str, Any]:
    shipments = orders - rng.randrange(0, max(1, orders // 50))
    units = orders + rng.randrange(0, orders // 3 + 1)
    return {
        "invoiceDefectRate": {
            **_measure(today, 7, orders // 4, 0, 0.05, "LESS_THAN"),
            "orderCount": orders // 4,
            "invoiceDefect": {"count": 0, "status": "GOOD"},
            "missingInvoice": {"count": 0, "status": "NONE"},
            "lateInvoice": {"count": 0, "status": "NONE"},
        },
        "lateShipmentRate": _rate(
            today, 30, "orderCount", orders, "lateShipmentCount",
            min(orders, rng.randrange(0, orders // 60 + 1) + math.ceil(orders * late_strain)),
            0.04, "LESS_THAN",
        ),
        "orderDefectRate": {
            channel: _order_defect_rate(rng, today, orders // 2, channel) for channel in ("mfn", "afn")
        },
        "onTimeDeliveryRate": _rate(
            today, 30, "shipmentCountWithValidTracking", shipments, "onTimeDeliveryCount",
            shipments - rng.randrange(0, shipments // 40 + 1), 0.9, "GREATER_THAN",
        ),
        "unitOnTimeDeliveryRate": _rate(
            today, 30, "totalUnitCount", units, "unitOnTimeDeliveryCount",
            units - rng.randrange(0, units // 40 + 1), 0.9, "GREATER_THAN",
        ),
        "validTrackingRate": _rate(
            today, 30, "shipmentCount", shipments, "validTrackingCount",
            shipments - rng.randrange(0, shipments // 50 + 1), 0.95, "GREATER_THAN",
        ),
        "preFulfillmentCancellationRate": _rate(
            today, 7, "orderCount", orders // 4, "cancellationCount",
            rng.randrange(0, orders // 200 + 1), 0.025, "LESS_THAN",
        ),
    }  # fmt: skip


def _rate(
    today: datetime,
    days: int,
    total_key: str,
    total: int,
    count_key: str,
    count: int,
    target: float,
    condition: str,
) -> dict[str, Any]:
    """A rate metric {reportingDateRange, <total>, <count>, status, rate, target...}."""
    return {
        **_measure(today, days, total, count, target, condition),
        total_key: total,
        count_key: count,
    }


def _measure(
    today: datetime, days: int, total: int, count: int, target: float, condition: str
) -> dict[str, Any]:
    """What every rate metric has: its period, rate, target and whether it meets it."""
    rate = round(count / total, 4) if total else 0.0
    meets = rate < target if condition == "LESS_THAN" else rate > target
    return {
        "reportingDateRange": _date_range(today, days),
        "status": "GOOD" if meets else "BAD",
        "rate": rate,
        "targetValue": target,
        "targetCondition": condition,
    }


def _order_defect_rate(
    rng: random.Random, today: datetime, orders: int, channel: str
) -> dict[str, Any]:
    claims, chargebacks, feedback = (rng.randrange(0, orders // 400 + 1) for _ in range(3))
    defects = claims + chargebacks + feedback
    return {
        **_measure(today, 60, orders, defects, 0.01, "LESS_THAN"),
        "orderCount": orders,
        "orderWithDefects": {"count": defects, "status": "GOOD"},
        "claims": {"count": claims, "status": "NONE"},
        "chargebacks": {"count": chargebacks, "status": "NONE"},
        "negativeFeedback": {"count": feedback, "status": "NONE"},
        "fulfillmentType": channel,
    }


def _health_rating(status: str, today: datetime) -> dict[str, Any]:
    """Both spellings: the schema requires ``ahrStatus`` but declares
    ``accountHealthRatingStatus`` (docs/INACTIVE_CAUSES.md, the account gate)."""
    return {
        "ahrStatus": status,
        "accountHealthRatingStatus": status,
        "reportingDateRange": _date_range(today, 180),
    }


def _date_range(today: datetime, days: int) -> dict[str, str]:
    """The ``days`` days before ``today``, in the report's minute-precision UTC format."""
    return {
        "reportingDateFrom": f"{today - timedelta(days=days):%Y-%m-%dT00:00Z}",
        "reportingDateTo": f"{today - timedelta(days=1):%Y-%m-%dT23:59Z}",
    }
