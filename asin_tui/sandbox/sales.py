"""The sandbox's own sales: what the simulated seller sold, day by day and order by order, and
the two reports Amazon builds from a seller's sales (docs/STOCK_COVER.md):

- ``GET_FBA_INVENTORY_PLANNING_DATA`` (the FBA Inventory report): one row per FBA SKU with the
  units available, the units shipped in the last 7/30/60/90 days and Amazon's days of supply;
- ``GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL``: one row per order item ordered in
  the report's date range, merchant- and Amazon-fulfilled.

Each listing that has an offer has a demand of its own (units a day, drawn from the seed and
the SKU: most listings sell slowly, a few fast), and the units it sold each day are drawn from
(seed, SKU, day) alone, so the same account always has the same history and nothing is kept
per day. A listing off sale sold nothing in its last ``OFF_SALE_DAYS`` days. A drifting account
(sandbox/drift.py, kind ``sell``) also sells bursts now, which take the units out of its stock:
cover falls, as it does when a listing suddenly sells. None of it comes from the client's
code: the columns are Amazon's documented ones, the numbers the sandbox's own.

Amazon's untidy bits, as sellers meet them (docs/STOCK_COVER.md has the sources): the planning
report starts with a byte order mark and mixes header styles ("Total Reserved Quantity" beside
"units-shipped-t30"), leaves ``days-of-supply`` blank where it projects no demand and most
columns the sandbox does not model blank; the orders report is served in Cp1252
(``text/plain; charset=Cp1252``), a Pending order has no prices yet and a cancelled one keeps
its quantity with the status ``Cancelled``.

Pure: no network, no Textual.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from asin_tui.sandbox.catalog import Record
from asin_tui.sandbox.marketplaces import Marketplace

if TYPE_CHECKING:
    from asin_tui.sandbox.rules import Derived

FBA_PLANNING_REPORT = "GET_FBA_INVENTORY_PLANNING_DATA"
ORDERS_REPORT = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
#: What the orders report is served as (Amazon's flat files: selling-partner-api-models
#: issues #2748 and #4031 show this header).
ORDERS_CONTENT_TYPE = "text/plain; charset=Cp1252"
ORDERS_ENCODING = "cp1252"
#: Days of sales history the sandbox knows (the planning report looks back 90).
HISTORY_DAYS = 120
#: A listing off sale now sold nothing in its last days.
OFF_SALE_DAYS = 5
CANCELLED_SHARE = 0.04  # of merchant-fulfilled orders

#: The FBA Inventory report's fields as Seller Central documents them ("FBA Inventory report",
#: https://sellercentral.amazon.com/help/hub/reference/GKT9YKCHXMSDVJKB), in that order.
PLANNING_COLUMNS = (
    "snapshot-date",
    "sku",
    "fnsku",
    "asin",
    "product-name",
    "condition",
    "available",
    "pending-removal-quantity",
    "inventory-age-0-to-90-days",
    "inventory-age-91-to-180-days",
    "inventory-age-181-to-270-days",
    "inventory-age-271-to-365-days",
    "inventory-age-365-plus-days",
    "currency",
    "units-shipped-t7",
    "units-shipped-t30",
    "units-shipped-t60",
    "units-shipped-t90",
    "alert",
    "your-price",
    "sales_price",
    "lowest_price_new",
    "lowest_price_used",
    "recommended-action",
    "healthy-inventory-level",
    "fba-minimum-inventory-level",
    "fba-inventory-level-health-status",
    "recommended-sales-price",
    "recommended-sale-duration-days",
    "recommended-removal-quantity",
    "estimated-cost-savings-of-recommended-actions",
    "sell-through",
    "item-volume",
    "volume-unit-measurement",
    "storage-type",
    "storage-volume",
    "marketplace",
    "product-group",
    "sales-rank",
    "days-of-supply",
    "estimated-excess-quantity",
    "weeks-of-cover-t30",
    "weeks-of-cover-t90",
    "featuredoffer-price",
    "sales-shipped-last-7-days",
    "sales-shipped-last-30-days",
    "sales-shipped-last-60-days",
    "sales-shipped-last-90-days",
    "inbound-quantity",
    "inbound-working",
    "inbound-shipped",
    "inbound-received",
    "no-sale-last-6-months",
    "Total Reserved Quantity",
    "unfulfillable-quantity",
    "recommended-order-quantity",
    "recommended-order-date",
    "Inventory Supply at FBA",
    "Reserved FC Transfer",
    "Reserved FC Processing",
    "Reserved Customer Order",
    "Total Days of Supply (including units from open shipments)",
)

#: GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL's fields as the SP-API documents them
#: ("Order Tracking reports attributes",
#: https://developer-docs.amazon.com/sp-api/docs/order-tracking-reports-attributes).
ORDER_COLUMNS = (
    "amazon-order-id",
    "merchant-order-id",
    "purchase-date",
    "last-updated-date",
    "order-status",
    "fulfillment-channel",
    "sales-channel",
    "order-channel",
    "ship-service-level",
    "product-name",
    "sku",
    "asin",
    "item-status",
    "quantity",
    "currency",
    "item-price",
    "item-tax",
    "shipping-price",
    "shipping-tax",
    "gift-wrap-price",
    "gift-wrap-tax",
    "item-promotion-discount",
    "ship-promotion-discount",
    "ship-city",
    "ship-state",
    "ship-postal-code",
    "ship-country",
    "promotion-ids",
    "cpf",
    "is-business-order",
    "purchase-order-number",
    "price-designation",
)

_MASK = (1 << 64) - 1
_CITIES = (
    ("SEATTLE", "WA", "98101"),
    ("AUSTIN", "TX", "78701"),
    ("Brooklyn", "NY", "11201"),
    ("DENVER", "CO", "80202"),
    ("Portland", "OR", "97201"),
    ("CHICAGO", "IL", "60601"),
)


def _mix(x: int) -> int:
    """One splitmix64 step: a cheap, well-spread 64-bit number from ``x``."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _key(*parts: int) -> int:
    """The parts mixed into one 64-bit key."""
    x = 0
    for part in parts:
        x = _mix(x ^ (part & _MASK))
    return x


_UNIT = 2.0**-64


def _poisson(rate: float, u: float) -> int:
    """Units on one day: Poisson(rate) by inversion of the uniform draw ``u``."""
    if rate <= 0:
        return 0
    k, p = 0, math.exp(-rate)
    total = p
    while u > total and k < 200:
        k += 1
        p *= rate / k
        total += p
    return k


@dataclass(frozen=True, slots=True)
class Order:
    """One order item the seller sold."""

    order_id: str
    sku: str
    purchased: datetime
    quantity: int
    fba: bool
    cancelled: bool = False


@dataclass(slots=True)
class _Burst:
    when: datetime
    quantity: int
    number: int  # the burst's own number (its order ids)


class Sales:
    """The seller's sales: each listing's demand and the orders it had."""

    def __init__(self, seed: int, marketplace: Marketplace) -> None:
        self.seed = seed
        self.marketplace = marketplace
        self._bursts: dict[str, list[_Burst]] = {}
        self._burst_count = 0
        self._keys: dict[int, int] = {}  # text_seed -> the listing's key (its own stream)

    def _listing_key(self, record: Record) -> int:
        key = self._keys.get(record.text_seed)
        if key is None:
            key = self._keys[record.text_seed] = _key(self.seed, record.text_seed)
        return key

    # ------------------------------------------------------------------ demand
    def rate(self, record: Record) -> float:
        """The listing's demand: units a day (most sell slowly, a few fast)."""
        if record.is_parent or not record.has_offer or record.incomplete:
            return 0.0
        x = _mix(self._listing_key(record) ^ 1)
        u, v = (x >> 32) / 2.0**32, (x & 0xFFFFFFFF) / 2.0**32
        if u < 0.6:
            return round(0.005 + 0.1 * v, 3)
        if u < 0.9:
            return round(0.1 + 0.9 * v, 3)
        return round(1.0 + 4.0 * v, 3)

    def daily_units(self, record: Record, day: datetime, *, on_sale: bool, today: datetime) -> int:
        """Units the listing sold on ``day`` (midnight UTC) from its demand alone."""
        if not on_sale and (today - day).days < OFF_SALE_DAYS:
            return 0
        x = _mix(self._listing_key(record) ^ (day.toordinal() << 8))
        return _poisson(self.rate(record), x * _UNIT)

    def sell(self, record: Record, quantity: int, when: datetime) -> None:
        """A burst of ``quantity`` units sold at ``when`` (the drift's ``sell``). Bursts older
        than the history any report reads (HISTORY_DAYS) are forgotten: a drifting account
        that runs for weeks keeps a bounded list."""
        self._burst_count += 1
        horizon = when - timedelta(days=HISTORY_DAYS + 1)
        kept = [b for b in self._bursts.get(record.sku, ()) if b.when >= horizon]
        kept.append(_Burst(when, quantity, self._burst_count))
        self._bursts[record.sku] = kept

    def frozen(self) -> Sales:
        """A copy as of now, for a report built in another thread while sales go on."""
        copied = Sales.__new__(Sales)
        copied.seed, copied.marketplace = self.seed, self.marketplace
        copied._bursts = {sku: list(bursts) for sku, bursts in self._bursts.items()}
        copied._burst_count = self._burst_count
        copied._keys = self._keys  # a cache of pure values: sharing it is safe
        return copied

    # ------------------------------------------------------------------ orders
    def orders(
        self,
        record: Record,
        start: datetime,
        end: datetime,
        *,
        on_sale: bool,
        fba: bool,
    ) -> list[Order]:
        """The listing's order items purchased in [start, end), oldest first."""
        rate = self.rate(record)
        key = self._listing_key(record)
        today = end.replace(hour=0, minute=0, second=0, microsecond=0)
        first = max(start, today - timedelta(days=HISTORY_DAYS))
        day = first.replace(hour=0, minute=0, second=0, microsecond=0)
        found: list[Order] = []
        quiet_from = today - timedelta(days=OFF_SALE_DAYS - 1)
        while day < end and rate > 0:
            if not on_sale and day >= quiet_from:
                break
            ordinal = day.toordinal()
            units = _poisson(rate, _mix(key ^ (ordinal << 8)) * _UNIT)
            n = 0
            while units > 0:
                n += 1
                x = _mix(key ^ (ordinal << 8) ^ (n << 40))
                draw = (x & 0xFFFF) / 65536
                quantity = min(units, 1 if draw < 0.82 else 2 if draw < 0.96 else 3)
                units -= quantity
                moment = day + timedelta(seconds=(x >> 16) % 86400)
                if not (start <= moment < end):
                    continue
                cancelled = not fba and ((x >> 40) & 0xFFFF) / 65536 < CANCELLED_SHARE
                order_id = self._order_id(_mix(x))
                found.append(Order(order_id, record.sku, moment, quantity, fba, cancelled))
            day += timedelta(days=1)
        for burst in self._bursts.get(record.sku, ()):
            if start <= burst.when < end:
                left, n = burst.quantity, 0
                while left > 0:
                    quantity = min(left, 3)
                    left -= quantity
                    n += 1
                    order_id = self._order_id(_key(key, burst.number, n))
                    found.append(Order(order_id, record.sku, burst.when, quantity, fba))
        found.sort(key=lambda o: (o.purchased, o.order_id))
        return found

    def shipped_windows(
        self, record: Record, now: datetime, windows: Iterable[int], *, on_sale: bool
    ) -> dict[int, int]:
        """Units shipped to customers in each window of whole days before ``now``'s day (the
        planning report is a daily snapshot), and the bursts sold in that window."""
        windows = sorted(windows)
        rate = self.rate(record)
        key = self._listing_key(record)
        today = now.replace(hour=0, minute=0, second=0, microsecond=0).toordinal()
        daily = []
        for back in range(1, windows[-1] + 1):
            if rate <= 0 or (not on_sale and back < OFF_SALE_DAYS):
                daily.append(0)
            else:
                daily.append(_poisson(rate, _mix(key ^ ((today - back) << 8)) * _UNIT))
        bursts = self._bursts.get(record.sku, ())
        return {
            w: sum(daily[:w])
            + sum(b.quantity for b in bursts if now - timedelta(days=w) < b.when <= now)
            for w in windows
        }

    def shipped(self, record: Record, now: datetime, days: int, *, on_sale: bool) -> int:
        """Units shipped to customers in the ``days`` days before ``now`` (not cancelled)."""
        return self.shipped_windows(record, now, (days,), on_sale=on_sale)[days]

    @staticmethod
    def _order_id(x: int) -> str:
        return f"{100 + x % 900:03d}-{(x >> 10) % 10**7:07d}-{(x >> 34) % 10**7:07d}"


# --------------------------------------------------------------------------- the reports


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return " ".join(text.split()) if any(ch in text for ch in "\t\r\n") else text


def _sales_channel(mp: Marketplace) -> str:
    """The store the order was placed in: "Amazon.com", "Amazon.co.uk"."""
    host = mp.seller_central.removeprefix("https://sellercentral.")
    return "Amazon." + host.removeprefix("amazon.")


def _snapshot(now: datetime) -> str:
    """The planning report's date, as documented: 2011-06-26T07:00:00+00:00."""
    return now.replace(minute=0, second=0, microsecond=0).isoformat()


def planning_report(
    sales: Sales,
    rows: Iterable[tuple[Record, Derived]],
    mp: Marketplace,
    now: datetime,
) -> str:
    """GET_FBA_INVENTORY_PLANNING_DATA: a byte order mark, the documented header, one row per
    FBA SKU (Amazon's days of supply: available units over its projected daily demand)."""
    lines = ["\ufeff" + "\t".join(PLANNING_COLUMNS)]
    for record, state in rows:
        if not state.fba or record.is_parent:
            continue
        stock = record.stock
        available = stock.fulfillable if stock is not None else 0
        shipped = sales.shipped_windows(record, now, (7, 30, 60, 90), on_sale=state.buyable)
        t7, t30, t60, t90 = (shipped[w] for w in (7, 30, 60, 90))
        demand = 0.5 * t7 / 7 + 0.3 * t30 / 30 + 0.2 * t90 / 90
        days_of_supply = str(int(available / demand)) if demand > 0 else ""
        inbound = (
            (stock.inbound_working, stock.inbound_shipped, stock.inbound_receiving)
            if stock is not None
            else (0, 0, 0)
        )
        reserved = (
            (
                stock.reserved_pending_transshipment,
                stock.reserved_fc_processing,
                stock.reserved_pending_customer_order,
            )
            if stock is not None
            else (0, 0, 0)
        )
        total_days = str(int((available + sum(inbound)) / demand)) if demand > 0 else ""
        price = state.price if state.price is not None else ""
        values: dict[str, object] = {
            "snapshot-date": _snapshot(now),
            "sku": record.sku,
            "fnsku": record.fn_sku or "",
            "asin": record.asin,
            "product-name": state.item_name or "",
            "condition": "New" if state.condition.startswith("new") else "Used",
            "available": available,
            "pending-removal-quantity": 0,
            "inventory-age-0-to-90-days": available,
            "currency": mp.currency,
            "units-shipped-t7": t7,
            "units-shipped-t30": t30,
            "units-shipped-t60": t60,
            "units-shipped-t90": t90,
            "your-price": price,
            "marketplace": mp.code,
            "days-of-supply": days_of_supply,
            "sales-shipped-last-7-days": t7,
            "sales-shipped-last-30-days": t30,
            "sales-shipped-last-60-days": t60,
            "sales-shipped-last-90-days": t90,
            "inbound-quantity": sum(inbound),
            "inbound-working": inbound[0],
            "inbound-shipped": inbound[1],
            "inbound-received": inbound[2],
            "Total Reserved Quantity": sum(reserved),
            "unfulfillable-quantity": sum(stock.unfulfillable.values()) if stock else 0,
            "Inventory Supply at FBA": available,
            "Reserved FC Transfer": reserved[0],
            "Reserved FC Processing": reserved[1],
            "Reserved Customer Order": reserved[2],
            "Total Days of Supply (including units from open shipments)": total_days,
        }
        lines.append("\t".join(_cell(values.get(c, "")) for c in PLANNING_COLUMNS))
    return "\r\n".join(lines) + "\r\n"


def orders_report(
    sales: Sales,
    rows: Iterable[tuple[Record, Derived]],
    mp: Marketplace,
    start: datetime,
    end: datetime,
) -> str:
    """GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL for [start, end): one row per order
    item, oldest first (encode it as ORDERS_ENCODING)."""
    lines = ["\t".join(ORDER_COLUMNS)]
    found: list[tuple[Order, Record, Derived]] = []
    for record, state in rows:
        if record.is_parent:
            continue
        for order in sales.orders(record, start, end, on_sale=state.buyable, fba=state.fba):
            found.append((order, record, state))
    found.sort(key=lambda f: (f[0].purchased, f[0].order_id))
    channel = _sales_channel(mp)
    names: dict[int, str] = {}  # record index -> its product name, tab- and newline-free
    for order, record, state in found:
        x = _mix(int.from_bytes(order.order_id.encode()[-8:], "big"))
        city, region, postal = _CITIES[x % len(_CITIES)]
        if order.cancelled:
            status, item_status = "Cancelled", "Cancelled"
        elif end - order.purchased < timedelta(hours=4):
            status, item_status = "Pending", "Unshipped"
        else:
            status, item_status = "Shipped", "Shipped"
        priced = status == "Shipped" and state.price is not None
        price = f"{state.price * order.quantity:.2f}" if priced and state.price else ""
        updated = min(order.purchased + timedelta(hours=1 + x % 40), end)
        name = names.get(record.index)
        if name is None:
            name = names[record.index] = _cell(state.item_name or "")
        address = ("", "", "", "") if order.cancelled else (city, region, postal, mp.code)
        cells = (
            order.order_id,
            "",  # merchant-order-id
            order.purchased.isoformat(timespec="seconds"),
            updated.isoformat(timespec="seconds"),
            status,
            "Amazon" if order.fba else "Merchant",
            channel,
            "",  # order-channel
            "Expedited" if x % 7 == 0 else "Standard",
            name,
            record.sku,
            record.asin,
            item_status,
            str(order.quantity),
            mp.currency if priced else "",
            price,
            "0.00" if priced else "",  # item-tax
            "0.00" if priced else "",  # shipping-price
            "", "", "", "", "",  # shipping-tax … ship-promotion-discount
            *address,
            "", "",  # promotion-ids, cpf
            "false",  # is-business-order
            "", "",  # purchase-order-number, price-designation
        )  # fmt: skip
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"
