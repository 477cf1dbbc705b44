"""Fixing many listings at once: one row of values per SKU → the wizard's Draft → its patches.

Pure: no network, no files. A batch row names values by column — ``quantity``,
``handling_time``, ``price``, or an attribute name from the listing's product type schema —
as text, as a seller types them in a grid or a CSV (an empty cell: leave it). ``draft_row``
checks each value against the same specs the wizard's inputs use (``patches.QUANTITY_SPEC``,
``HANDLING_TIME_SPEC``, ``PRICE_SPEC``, the schema's ``AttributeSpec``) and turns the row into
the wizard's ``Draft``; ``draft_patches`` and ``draft_problems`` (domain.wizard) make the
patches and say what keeps them from fixing the listing, exactly as in the single wizard.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from asin_tui.domain import patches as P
from asin_tui.domain.change_words import describe_patches
from asin_tui.domain.marketplaces import marketplace_by_id
from asin_tui.domain.models import AttributeSpec, ProductTypeRequirements
from asin_tui.domain.wizard import (
    Draft,
    FieldInput,
    StockAction,
    WizardPlan,
    draft_patches,
    draft_problems,
)

QUANTITY, HANDLING_TIME, PRICE = "quantity", "handling_time", "price"
#: The columns every listing has (the MFN stock and the price); any other column is an
#: attribute of the product type schema.
OFFER_COLUMNS = (QUANTITY, HANDLING_TIME, PRICE)
SKU = "sku"
_OFFER_SPECS = {QUANTITY: P.QUANTITY_SPEC, HANDLING_TIME: P.HANDLING_TIME_SPEC, PRICE: P.PRICE_SPEC}


class RowOutcome(StrEnum):
    """How one row of a batch ended (what the summary counts)."""

    FIXED = "fixed"  # applied and the listing is back on sale
    WAITING = "waiting"  # applied; Amazon has not processed it yet (waiting on Amazon)
    NOT_FIXED = "not_fixed"  # applied and processed; the listing still needs attention
    VALID = "valid"  # validated only (no --apply): Amazon's preview said VALID
    INVALID = "invalid"  # refused locally or by Amazon's preview: not sent
    FAILED = "failed"  # no answer from Amazon (after retries): not known to be sent
    HELD = "held"  # an earlier run's submit may still be processing: not sent again yet


def known_column(column: str, schemas: Iterable[ProductTypeRequirements | None]) -> bool:
    """Whether a value column means anything: an offer column or an attribute of one of the
    product types ``schemas`` (the listings' in the batch)."""
    if column in OFFER_COLUMNS:
        return True
    return any(column in reqs.attributes for reqs in schemas if reqs is not None)


def column_spec(column: str, requirements: ProductTypeRequirements | None) -> AttributeSpec | None:
    """The spec a column's value is checked against for one listing (None: the listing's
    product type has no such attribute)."""
    if column in _OFFER_SPECS:
        return _OFFER_SPECS[column]
    if requirements is None:
        return None
    return requirements.attributes.get(column)


@dataclass(frozen=True, slots=True)
class RowDraft:
    """One row made ready: the patches to send and the changes in words, or why not.

    ``rejected``: column → why the schema rejects its value (a bad file: nothing is sent);
    ``problems``: why the values cannot fix this listing (the wizard's draft_problems: a
    quantity of 0 for an out-of-stock listing, a price outside its band…)."""

    sku: str
    patches: list[P.Patch] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return bool(self.patches) and not self.rejected and not self.problems


def draft_row(plan: WizardPlan, values: Mapping[str, str]) -> RowDraft:
    """The row's values (column → text; '' leaves a value as it is) as the wizard's Draft and
    its patches for the listing of ``plan``."""
    listing = plan.listing
    sku = plan.diagnosis.sku
    market = marketplace_by_id(listing.marketplace_id)
    comma = market is not None and market.decimal_comma
    typed: dict[str, object] = {}
    rejected: dict[str, str] = {}
    requirements = plan.evidence.requirements
    for column, text in values.items():
        if not text.strip():
            continue
        spec = column_spec(column, requirements)
        if spec is None:
            product_type = requirements.product_type if requirements else listing.product_type
            rejected[column] = f"not an attribute of product type {product_type or '(unknown)'}"
            continue
        if column in _OFFER_SPECS:
            ok, message, value = P.validate_value(spec, text, decimal_comma=comma)
        else:
            ok, message, value = FieldInput(spec, "", "missing", "").validate(text)
        if not ok:
            rejected[column] = message
        elif value is not None:
            typed[column] = value
    if rejected:
        return RowDraft(sku, rejected=rejected)
    if not typed:
        return RowDraft(sku, problems=["no value to change: every cell of the row is empty"])
    draft, problems = _draft(plan, typed)
    if problems:
        return RowDraft(sku, problems=problems)
    try:
        ops = draft_patches(plan, draft)
    except ValueError as exc:
        return RowDraft(sku, problems=[str(exc)])
    return RowDraft(sku, patches=ops, changes=describe_patches(listing, ops))


def _draft(plan: WizardPlan, typed: Mapping[str, object]) -> tuple[Draft, list[str]]:
    """The wizard's Draft for typed values; the problems that keep it from fixing the listing."""
    draft = Draft()
    problems: list[str] = []
    if QUANTITY in typed or HANDLING_TIME in typed:
        action = _mfn_action(plan)
        quantity = typed.get(QUANTITY, plan.stock.mfn_quantity)
        if action is None:
            problems.append(
                plan.stock.guidance[0]
                if plan.stock.guidance
                else "quantity/handling_time: no merchant quantity fits this offer (fulfilled "
                "by Amazon, which counts its stock)"
            )
        elif quantity is None:
            problems.append("handling_time: give a quantity too (the listing has none)")
        else:
            draft.stock_action = action
            draft.mfn_quantity = int(quantity)  # type: ignore[call-overload]  # typed: int by its column
            handling = typed.get(HANDLING_TIME)
            draft.handling_time = None if handling is None else int(handling)  # type: ignore[call-overload]  # typed: int by its column
    if PRICE in typed:
        draft.price = typed[PRICE]  # type: ignore[assignment]  # typed: Decimal by its column
    draft.attributes = {k: v for k, v in typed.items() if k not in OFFER_COLUMNS}
    problems += draft_problems(plan, draft).values()
    return draft, problems


def _mfn_action(plan: WizardPlan) -> StockAction | None:
    """What a merchant quantity does to this listing, as the wizard's Stock step offers it: set
    it (MFN, or no channel), switch an out-of-stock FBA offer to merchant fulfilment, or
    nothing (an FBA offer in stock, an offer no stock change brings back)."""
    return next(
        (
            a
            for a in (StockAction.SET_MFN_QUANTITY, StockAction.SWITCH_TO_MFN)
            if a in plan.stock.actions
        ),
        None,
    )
