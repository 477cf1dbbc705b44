"""A step's fix is 'ready' once it is typed and valid: what the stepper marks + (not ✓)."""

from __future__ import annotations

from decimal import Decimal

from asin_tui.domain import codes
from asin_tui.domain.models import Category, Evidence, State
from asin_tui.domain.models import WizardStep as S
from asin_tui.domain.wizard import Draft, StockAction, build_plan, draft_ready
from tests.domain.test_wizard import NOW, diagnosis, fields_case, finding, mfn_listing


def test_stock_is_ready_with_a_quantity_that_can_fix_it():
    listing = mfn_listing()
    oos = finding(codes.OUT_OF_STOCK_MFN, Category.STOCK, S.STOCK, title="Out of stock")
    plan = build_plan(Evidence(listing), diagnosis(listing, State.INACTIVE, oos), now=NOW)
    action = StockAction.SET_MFN_QUANTITY
    assert not draft_ready(plan, Draft(), S.STOCK)
    assert not draft_ready(plan, Draft(action, mfn_quantity=0), S.STOCK), "0 cannot fix it"
    assert draft_ready(plan, Draft(action, mfn_quantity=12), S.STOCK)
    assert not draft_ready(plan, Draft(action, mfn_quantity=12), S.APPLY)


def test_fields_are_ready_when_every_problem_field_and_the_price_are_fixed():
    evidence, diag = fields_case()
    plan = build_plan(evidence, diag, now=NOW)
    must = {f.name for f in plan.fields if f.problem in ("missing", "invalid", "image")}
    assert must and plan.price_needs_action
    typed = {name: "x" for name in must}
    inside = plan.price.minimum + 1  # allowed 15.00 – no maximum
    assert not draft_ready(plan, Draft(attributes=typed), S.FIELDS), "the price still conflicts"
    fixed = Draft(attributes=typed, price=Decimal(inside))
    assert draft_ready(plan, fixed, S.FIELDS)
    one_missing = dict(list(typed.items())[1:])
    assert not draft_ready(plan, Draft(attributes=one_missing, price=Decimal(inside)), S.FIELDS)
