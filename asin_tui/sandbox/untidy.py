"""The untidy account: the variety a real seller's answers have, on by default.

Real SP-API answers are messier than a generator's first draft (docs/SANDBOX.md, Amazon's own
sandbox examples in the Listings Items model, sellers' bodies in public threads). This pass
gives the generated account that variety without changing what any listing's problem *is*, so
the client is exercised on it every day (``--demo``, ``sandbox serve``); ``tidy=True`` turns it
off. It draws from its own seeded stream, after the problem mix: the same seed gives the same
account, and the listings the problem mix made keep their causes.

- shapes (every listing, ``rules.vary_shapes``): ``attributeName`` instead of
  ``attributeNames``, issues without ``marketplaceIds``, image issues under two categories;
- messages in the marketplace's language (``messages.py``), whatever the shape;
- status lag: a share of the listings under an enforcement still read BUYABLE/DISCOVERABLE;
- a WARNING only on a live listing (a recommended attribute left out);
- a permanently EXEMPT enforcement (acknowledged, never applied: Amazon's own sandbox example
  has one) next to an FBA listing's real problem (no stock);
- offer-only listings: a reseller's offer on another brand's ASIN, submitted under
  ``requirements=LISTING_OFFER_ONLY`` (only the offer, the condition and the ASIN);
- business (B2B) offers with quantity discounts next to the consumer offer.

The vacation scenario (``scenario="vacation"``) is not part of it: it is a state of the whole
account, chosen on purpose (``sandbox serve --scenario vacation``).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from asin_tui.sandbox import schemas
from asin_tui.sandbox.catalog import Params, Record

#: Shares of all listings given each kind of variety (at least one each from 40 listings).
OFFER_ONLY_SHARE = 0.05
B2B_SHARE = 0.06
RECOMMENDED_SHARE = 0.05
EXEMPT_SHARE = 0.02
#: Share of the listings under an enforcement whose status still reads as before it.
STATUS_LAG_SHARE = 0.4
_MIN_LISTINGS = 40


def make_untidy(records: Sequence[Record], problems: Sequence[Record], params: Params) -> None:
    """Give the account its untidy variety (in place)."""
    for record in records:
        record.varied = True
    rng = random.Random(f"asin-tui-sandbox:untidy:{params.seed}")
    _lag_statuses(problems, rng)
    if len(records) < _MIN_LISTINGS:
        return
    # (never every one: listings whose only problem is the stock stay in the mix)
    out_of_stock = [r for r in problems if _out_of_stock_only(r)]
    count = min(max(1, round(EXEMPT_SHARE * len(records))), len(out_of_stock) // 2)
    for record in out_of_stock[:count]:
        record.exempt_issue = True
    taken = {r.index for r in problems}
    healthy = [
        r
        for r in records
        if r.index not in taken and not r.is_parent and r.parent_sku is None and not r.quoted_text
    ]
    rng.shuffle(healthy)
    total = len(records)
    for share, fits, make in (
        (OFFER_ONLY_SHARE, _any, _offer_only),
        (B2B_SHARE, _any, _business),
        (RECOMMENDED_SHARE, _has_optional, _recommended),
    ):
        chosen = [r for r in healthy if fits(r)][: max(1, round(share * total))]
        for record in chosen:
            make(record, rng)
        used = {r.index for r in chosen}  # by index: comparing records field by field is slow
        healthy = [r for r in healthy if r.index not in used]


def _lag_statuses(problems: Sequence[Record], rng: random.Random) -> None:
    enforced = [
        r
        for r in problems
        if (r.policy and r.policy.exempt_days is None and not r.policy.exempt)
        or r.image_noncompliant
        or r.min_cents is not None
    ]
    for record in enforced:
        if rng.random() < STATUS_LAG_SHARE:
            record.status_lag = True


def _any(record: Record) -> bool:
    return True


def _has_optional(record: Record) -> bool:
    return bool(schemas.PRODUCT_TYPES[record.product_type].optional)


def _offer_only(record: Record, rng: random.Random) -> None:
    record.offer_only = True


def _business(record: Record, rng: random.Random) -> None:
    record.b2b = True


def _recommended(record: Record, rng: random.Random) -> None:
    optional = [a.name for a in schemas.PRODUCT_TYPES[record.product_type].optional]
    record.recommended = rng.choice(optional)


def _out_of_stock_only(record: Record) -> bool:
    """FBA, out of stock, and nothing Amazon enforces: not live, whatever an exempt issue
    says."""
    return (
        record.fba
        and record.stock is not None
        and record.stock.fulfillable == 0
        and record.policy is None
        and not record.image_noncompliant
    )
