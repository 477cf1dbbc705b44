"""The problem mix of the sandbox account: which listings get which causes.

A *defect* changes one record the way a real cause would (a quantity of 0, a required
attribute left out, a policy enforcement...). A *scenario* is a named set of defects with a
weight; several defects at once give listings with several causes. `rules.py` then derives
the listing's status and issues from the record, so nothing here states a status directly.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime

from asin_tui.sandbox import hostile, schemas, untidy
from asin_tui.sandbox.catalog import (
    DEMO_PROBLEM_SHARE,
    FbaStock,
    Gate,
    Params,
    Policy,
    Record,
    healthy_catalog,
    image_url,
    make_fba,
)
from asin_tui.sandbox.marketplaces import Marketplace

Defect = Callable[[Record, random.Random], None]


def _mfn_out_of_stock(r: Record, rng: random.Random) -> None:
    r.fba, r.stock, r.fn_sku, r.quantity = False, None, None, 0


def _fba(r: Record, rng: random.Random) -> FbaStock:
    if not r.fba:
        make_fba(r, rng)
    assert r.stock is not None
    return r.stock


def _fba_in_stock(r: Record, rng: random.Random) -> None:
    stock = _fba(r, rng)
    stock.fulfillable = max(stock.fulfillable, rng.randrange(3, 120))


def _fba_inbound(r: Record, rng: random.Random) -> None:
    stock = _fba(r, rng)
    stock.fulfillable = 0
    stock.inbound_working = rng.choice((0, 12, 60))
    stock.inbound_shipped = rng.choice((0, 24, 48, 100))
    stock.inbound_receiving = rng.choice((6, 10, 0)) if stock.inbound_shipped else 18


def _fba_unfulfillable(r: Record, rng: random.Random) -> None:
    stock = _fba(r, rng)
    stock.fulfillable = 0
    stock.unfulfillable = {
        "customerDamagedQuantity": rng.randrange(1, 8),
        "warehouseDamagedQuantity": rng.randrange(0, 4),
        "defectiveQuantity": rng.randrange(0, 3),
        "expiredQuantity": rng.choice((0, 0, 5)),
    }


def _fba_researching(r: Record, rng: random.Random) -> None:
    stock = _fba(r, rng)
    stock.fulfillable = 0
    stock.researching = (rng.randrange(1, 6), rng.randrange(0, 3), rng.choice((0, 1)))


def _missing_attribute(r: Record, rng: random.Random) -> None:
    pt = schemas.PRODUCT_TYPES[r.product_type]
    candidates = [
        n
        for n in schemas.required_names(pt)
        if n not in ("condition_type", "item_name", schemas.MAIN_IMAGE)
    ]
    r.omitted = rng.choice(candidates)


def _invalid_attribute(r: Record, rng: random.Random) -> None:
    r.bad_value = rng.choice(_bad_values(r.product_type))


def _bad_values(product_type: str) -> list[tuple[str, object]]:
    """Values a seller really gets rejected: enums mistyped, a title too long, zero pieces."""
    common: list[tuple[str, object]] = [
        ("country_of_origin", "USA"),
        ("supplier_declared_dg_hz_regulation", "none"),
        ("condition_type", "brand_new"),
        ("item_type_keyword", "misc"),
        ("item_name", "Best Quality Value Pack " * 10),
        ("externally_assigned_product_identifier", "12345"),  # optional: attribute suppressed
    ]
    by_type: dict[str, tuple[str, object]] = {
        "KITCHEN": ("number_of_pieces", 0),
        "HOME_BED_AND_BATH": ("thread_count", -300),  # optional
        "SHOES": ("target_gender", "mens"),
        "TOYS_AND_GAMES": ("is_assembly_required", "yes"),
        "PET_SUPPLIES": ("target_species", "dogs"),
    }
    return [*common, *([by_type[product_type]] if product_type in by_type else [])]


def _missing_image(r: Record, rng: random.Random) -> None:
    r.image_url = None


def _invalid_image(r: Record, rng: random.Random) -> None:
    r.image_url = image_url(r)
    r.image_noncompliant = r.image_url


def _ensure_price(r: Record) -> int:
    if r.price_cents is None:
        r.price_cents = 2999
    return r.price_cents


def _price_below_minimum(r: Record, rng: random.Random) -> None:
    price = _ensure_price(r)
    r.min_cents = int(price * rng.uniform(1.05, 1.6))
    r.max_cents = r.min_cents * 2


def _price_above_maximum(r: Record, rng: random.Random) -> None:
    price = _ensure_price(r)
    r.max_cents = int(price * rng.uniform(0.5, 0.95))
    r.min_cents = r.max_cents // 3


def _missing_price(r: Record, rng: random.Random) -> None:
    if rng.random() < 0.5:
        r.has_offer = False
    else:
        r.price_cents = None


def _policy(r: Record, rng: random.Random) -> None:
    code = rng.choice(("18742", "99300", "100390"))
    removes = code == "18742" and rng.random() < 0.3
    r.policy = Policy(code, "CATALOG_ITEM_REMOVED" if removes else "LISTING_SUPPRESSED")
    r.catalog_removed = r.catalog_removed or removes


def _exemption(r: Record, rng: random.Random) -> None:
    r.policy = Policy("100390", "LISTING_SUPPRESSED", exempt_days=rng.randrange(3, 45))


def _approval_required(r: Record, rng: random.Random) -> None:
    r.gate = Gate("APPROVAL_REQUIRED")


def _not_eligible(r: Record, rng: random.Random) -> None:
    r.gate = Gate("NOT_ELIGIBLE")


def _condition_gated(r: Record, rng: random.Random) -> None:
    r.condition = rng.choice(("used_like_new", "used_very_good", "used_good", "used_acceptable"))
    r.gate = Gate("APPROVAL_REQUIRED", (r.condition,))


def _catalog_removed(r: Record, rng: random.Random) -> None:
    r.catalog_removed = True


def _reclassified(r: Record, rng: random.Random) -> None:
    """Amazon moved the ASIN to another product type; its requirements surface as a
    missing attribute on the listing (docs/INACTIVE_CAUSES.md row 14)."""
    r.catalog_product_type = rng.choice([t for t in schemas.PRODUCT_TYPES if t != r.product_type])


def _closed(r: Record, rng: random.Random) -> None:
    """The seller closed the offer: no fulfillment availability, no issue (row 16)."""
    r.fba, r.stock, r.fn_sku, r.closed = False, None, None, True


def _incomplete(r: Record, rng: random.Random) -> None:
    r.incomplete = True
    if r.omitted is None:
        _missing_attribute(r, rng)


# (name, weight, defects). Weights are the demo mix among listings that need attention.
SCENARIOS: tuple[tuple[str, int, tuple[Defect, ...]], ...] = (
    ("mfn_out_of_stock", 14, (_mfn_out_of_stock,)),
    ("fba_out_of_stock_inbound", 5, (_fba_inbound,)),
    ("fba_out_of_stock_unfulfillable", 3, (_fba_unfulfillable,)),
    ("fba_out_of_stock_researching", 2, (_fba_researching,)),
    ("stranded_policy", 2, (_fba_in_stock, _policy)),
    ("stranded_missing_attribute", 2, (_fba_in_stock, _missing_attribute)),
    ("stranded_price", 1, (_fba_in_stock, _price_below_minimum)),
    ("missing_attribute", 9, (_missing_attribute,)),
    ("invalid_attribute", 6, (_invalid_attribute,)),
    ("missing_image", 4, (_missing_image,)),
    ("invalid_image", 5, (_invalid_image,)),
    ("price_below_minimum", 4, (_price_below_minimum,)),
    ("price_above_maximum", 3, (_price_above_maximum,)),
    ("missing_price", 4, (_missing_price,)),
    ("policy", 6, (_policy,)),
    ("exemption_expiring", 5, (_exemption,)),
    ("approval_required", 4, (_approval_required,)),
    ("not_eligible", 2, (_not_eligible,)),
    ("condition_gated", 2, (_condition_gated,)),
    ("catalog_removed", 3, (_catalog_removed,)),
    ("incomplete_sku", 3, (_incomplete,)),
    ("product_type_changed", 2, (_reclassified, _missing_attribute)),
    ("closed_by_seller", 2, (_closed,)),
    ("missing_attribute_and_out_of_stock", 3, (_missing_attribute, _mfn_out_of_stock)),
    ("invalid_image_and_price", 2, (_invalid_image, _price_below_minimum)),
    ("policy_and_out_of_stock", 1, (_policy, _mfn_out_of_stock)),
)


def generate(params: Params, mp: Marketplace, now: datetime) -> list[Record]:
    """The account's records: a healthy catalog, then problems on a share of the listings.

    Variation parents never get a problem (they are never buyable by design). When there are
    at least as many problem listings as scenarios, every scenario appears once before the
    rest are drawn by weight, so the 250-listing demo shows every cause."""
    rng = random.Random(f"asin-tui-sandbox:{params.seed}")
    records = healthy_catalog(params, mp, now, rng)
    candidates = [r for r in records if not r.is_parent]
    share = DEMO_PROBLEM_SHARE if params.problem_share is None else params.problem_share
    count = min(len(candidates), round(max(0.0, share) * len(candidates)))
    chosen = rng.sample(candidates, count)
    weights = [w for _, w, _ in SCENARIOS]
    for n, record in enumerate(chosen):
        if count >= len(SCENARIOS) and n < len(SCENARIOS):
            _, _, defects = SCENARIOS[n]
        else:
            _, _, defects = rng.choices(SCENARIOS, weights)[0]
        for defect in defects:
            defect(record, rng)
    if params.hostile:
        alone = [r for r in chosen if r.parent_sku is None and not r.child_skus]
        hostile.make_hostile(alone, mp)
    if not params.tidy:
        untidy.make_untidy(records, chosen, params)
    if params.scenario == "vacation":
        for record in records:
            record.vacation = True
    return records
