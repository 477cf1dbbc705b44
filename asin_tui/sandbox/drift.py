"""The sandbox drifts: the seller's account changes by itself, as a real one does, so that
`asin-tui watch` has something real to see (`sandbox serve --drift EVENTS_PER_HOUR`).

Changes come at a steady rate on the sandbox clock (sandbox seconds: real seconds times the
time scale), the k-th one ``k + 1`` periods after the drift started. Which change it is, and
to which listing, is drawn from ``(seed, k)`` alone, over the account as the earlier changes
left it: the same seed and clock give the same account. A change:

- ``out_of_stock``: a merchant-fulfilled listing with stock sells out (quantity 0);
- ``restock``: a sold-out merchant-fulfilled listing gets stock again;
- ``suppress``: Amazon suppresses a live listing for a listing-policy issue (99300);
- ``lift``: Amazon lifts a suppression;
- ``exemption``: a live listing gets a policy issue Amazon exempts until a date 3–20 days on
  (EXEMPT_UNTIL_EXPIRY_DATE), so it is at risk;
- ``health``: the late shipment rate crosses Amazon's 4 % target (or comes back under it);
- ``sell``: a listing on sale (merchant- or Amazon-fulfilled) sells a burst of half or more of
  its stock: the units leave its stock and show in the sales reports (sandbox/sales.py), so
  its days of cover fall.

Every answer still comes from the account's rules and views, so it stays valid against the
official models. Pure: no network, no Textual.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from asin_tui.sandbox.catalog import Policy, Record

if TYPE_CHECKING:
    from asin_tui.sandbox.account import SandboxAccount

#: A listing's merchant-fulfilled quantity (``mfn_quantity``, read once per look).
Quantity = Callable[[Record], "int | None"]
KINDS = ("out_of_stock", "restock", "suppress", "lift", "exemption", "health", "sell")
#: How far over Amazon's 4 % late shipment target a strained month goes.
LATE_STRAIN = 0.05
#: The most changes applied at one look (a clock far ahead does not stall an answer).
MAX_AT_ONCE = 10_000
POLICY_CODE = "99300"  # a listing policy issue the sandbox's rules describe


@dataclass(frozen=True, slots=True)
class Schedule:
    """When an account drifts: ``per_hour`` changes an hour read on ``clock`` (sandbox seconds
    since ``origin``, e.g. the demo's UTC day from midnight). ``start``: the moment the drift
    started on the account's clock, when sandbox seconds are real ones (the demo's): each
    change then happens at the moment it was due (its listing's lastUpdatedDate, its sale),
    the same in every process that makes it."""

    per_hour: float
    clock: Callable[[], float]
    origin: str = ""
    start: datetime | None = None

    def drift(self, seed: int) -> Drift:
        """The drift of the account generated from ``seed``, no change made yet."""
        return Drift(self.per_hour, self.clock, seed, self.origin, self.start)


class Drift:
    """``per_hour`` changes an hour of sandbox time, read on ``clock`` (sandbox seconds since
    the drift started). ``origin`` names when it started (the demo's: the UTC day, its drift
    counting from midnight): a patch the seller makes is journaled with the drift's origin
    and count, so another process replays it between the same changes (account.py)."""

    def __init__(
        self,
        per_hour: float,
        clock: Callable[[], float],
        seed: int,
        origin: str = "",
        start: datetime | None = None,
    ) -> None:
        if not per_hour > 0:
            raise ValueError(f"the drift must be more than 0 changes an hour, not {per_hour!r}")
        self.period = 3600.0 / per_hour
        self.clock = clock
        self.seed = seed
        self.origin = origin
        self.start = start  # Schedule.start
        self.applied = 0  # changes made so far
        self.log: list[tuple[int, str, str]] = []  # the last changes: (k, kind, sku or "")

    def advance(self, account: SandboxAccount) -> None:
        """Make every change that is due by now."""
        self.advance_to(account, int(max(0.0, self.clock()) // self.period))

    def advance_to(self, account: SandboxAccount, count: int) -> None:
        """Make the changes up to the ``count``-th (at most MAX_AT_ONCE at a time; never
        back: a change made stays made)."""
        due = min(count, self.applied + MAX_AT_ONCE)
        # the listings' MFN quantities, read once: meanwhile only these changes touch the
        # account, one listing each (building every document for every change was most of
        # the cost of a day's drift)
        known: dict[str, int | None] = {}

        def quantity(record: Record) -> int | None:
            if record.sku not in known:
                known[record.sku] = mfn_quantity(account, record)
            return known[record.sku]

        while self.applied < due:
            k = self.applied
            if self.start is None:
                self._change(account, k, quantity)
            else:
                with account.happening_at(self.start + timedelta(seconds=(k + 1) * self.period)):
                    self._change(account, k, quantity)
            if self.log and self.log[-1][0] == k:
                known.pop(self.log[-1][2], None)  # the listing it changed
            self.applied += 1

    def _change(self, account: SandboxAccount, k: int, quantity: Quantity) -> None:
        rng = random.Random(f"drift/{self.seed}/{k}")
        start = rng.randrange(len(KINDS))
        for kind in KINDS[start:] + KINDS[:start]:  # the drawn kind, else the next that can
            if kind == "health":
                account.late_shipment_strain = 0.0 if account.late_shipment_strain else LATE_STRAIN
                self._note(k, kind, "")
                return
            candidates = [r for r in account.records() if _fits(account, r, kind, quantity)]
            if candidates:
                record = rng.choice(candidates)
                _apply(account, record, kind, rng, quantity)
                self._note(k, kind, record.sku)
                return

    def _note(self, k: int, kind: str, sku: str) -> None:
        self.log.append((k, kind, sku))
        del self.log[:-100]  # a drift that runs for weeks keeps only the last changes


def _plain(record: Record) -> bool:
    """A listing a drift may touch: a whole, merchant-fulfilled, non-parent one."""
    return not (
        record.fba
        or record.is_parent
        or record.incomplete
        or record.catalog_removed
        or record.closed
        or record.vacation
        or not record.has_offer
    )


def _fits(account: SandboxAccount, record: Record, kind: str, quantity: Quantity) -> bool:
    if kind == "sell":
        return _stock(record, quantity) > 0 and account.sales.rate(record) > 0
    if not _plain(record):
        return False
    if kind == "lift":
        policy = record.policy
        return policy is not None and not policy.exempt and policy.exempt_days is None
    if record.policy is not None:
        return False
    units = quantity(record)
    if kind == "out_of_stock":
        return units is not None and units > 0
    if kind == "restock":
        return units == 0
    return units is not None and units > 0  # suppress, exemption: a live listing


def _stock(record: Record, quantity: Quantity) -> int:
    """Units a live, whole listing could sell now (0: none, or not such a listing)."""
    if record.is_parent or record.incomplete or record.catalog_removed or record.policy:
        return 0
    if record.fba:
        return record.stock.fulfillable if record.stock is not None else 0
    if not _plain(record):
        return 0
    return quantity(record) or 0


def mfn_quantity(account: SandboxAccount, record: Record) -> int | None:
    """The merchant-fulfilled quantity the listing's document carries (None: none)."""
    for entry in account.document(record).get("fulfillment_availability") or ():
        if isinstance(entry, dict) and entry.get("fulfillment_channel_code") == "DEFAULT":
            quantity = entry.get("quantity")
            return quantity if isinstance(quantity, int) else None
    return None


def _apply(
    account: SandboxAccount, record: Record, kind: str, rng: random.Random, quantity: Quantity
) -> None:
    if kind in ("out_of_stock", "restock"):
        units = 0 if kind == "out_of_stock" else rng.randint(5, 40)
        document: dict[str, Any] = account.document(record)
        document["fulfillment_availability"] = [
            {**entry, "quantity": units}
            if entry.get("fulfillment_channel_code") == "DEFAULT"
            else entry
            for entry in document["fulfillment_availability"]
        ]
        account.replace_document(record, document)
    elif kind == "suppress":
        account.set_policy(record, Policy(POLICY_CODE, "LISTING_SUPPRESSED"))
    elif kind == "lift":
        account.set_policy(record, None)
    elif kind == "sell":
        stock = _stock(record, quantity)
        account.sell(record, max(1, min(stock, math.ceil(stock * rng.uniform(0.5, 0.9)))))
    elif kind == "exemption":
        days = rng.randint(3, 20)
        account.set_policy(record, Policy(POLICY_CODE, "LISTING_SUPPRESSED", exempt_days=days))
