"""The wizard plan: which steps apply, each check's status and evidence, patches, verify."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from asin_tui.domain import codes
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
    Listing,
    Offer,
    ProductTypeRequirements,
    Restriction,
    RestrictionLink,
    RestrictionReason,
    Severity,
    State,
    WizardStep,
)
from asin_tui.domain.wizard import (
    Check,
    Draft,
    StepStatus,
    StockAction,
    build_plan,
    draft_patches,
    draft_problems,
    enforcement_text,
    fix_step,
    verify,
)

US = "ATVPDKIKX0DER"
NOW = datetime(2026, 3, 1, tzinfo=UTC)
S = WizardStep


def finding(code, category, step=None, severity=Severity.ERROR, **kw) -> Finding:
    return Finding(
        category, severity, code, kw.pop("title", code), kw.pop("detail", ""), "", step=step, **kw
    )


def diagnosis(listing: Listing, state: State, *findings: Finding) -> Diagnosis:
    return Diagnosis(
        listing.sku,
        listing.asin,
        US,
        state,
        buyable=listing.buyable,
        discoverable=listing.discoverable,
        findings=findings,
    )


def mfn_listing(quantity=0, **kw) -> Listing:
    return Listing(
        sku="MUG-1",
        marketplace_id=US,
        asin="B000000001",
        product_type="MUG",
        status=frozenset({"DISCOVERABLE"}),
        offers=(Offer(US, "B2C", Decimal("20.00"), "USD"),),
        fulfillment=(FulfillmentAvailability("DEFAULT", quantity),),
        **kw,
    )


def fba_listing(buyable=False) -> Listing:
    status = {"DISCOVERABLE", "BUYABLE"} if buyable else {"DISCOVERABLE"}
    return Listing(
        sku="FBA-1",
        marketplace_id=US,
        status=frozenset(status),
        fulfillment=(FulfillmentAvailability("AMAZON_NA", None),),
    )


def check(plan, step, label):
    return next(c for c in plan.step(step).checks if c.label == label)


# --------------------------------------------------------------------------- stock


def test_out_of_stock_mfn_plan_and_navigation():
    listing = mfn_listing(
        attributes={
            "fulfillment_availability": [
                {
                    "fulfillment_channel_code": "DEFAULT",
                    "quantity": 0,
                    "lead_time_to_ship_max_days": 3,
                }
            ]
        }
    )
    oos = finding(codes.OUT_OF_STOCK_MFN, Category.STOCK, S.STOCK, title="Out of stock")
    plan = build_plan(Evidence(listing), diagnosis(listing, State.INACTIVE, oos), now=NOW)

    assert plan.applicable == (S.OVERVIEW, S.STOCK, S.APPLY, S.VERIFY, S.WRAP_UP)
    assert plan.step(S.POLICY).status is StepStatus.NOT_APPLICABLE
    assert check(plan, S.STOCK, "MFN quantity") == Check(
        "MFN quantity", StepStatus.NEEDS_ACTION, "0 units"
    )
    assert check(plan, S.STOCK, "Handling time").evidence == "3 days"
    assert plan.step(S.STOCK).status is StepStatus.NEEDS_ACTION
    assert plan.stock.actions == (StockAction.SET_MFN_QUANTITY,)
    assert plan.stock.handling_time == 3
    assert plan.next_step(S.OVERVIEW) is S.STOCK
    assert plan.next_step(S.STOCK) is S.APPLY
    assert plan.previous_step(S.APPLY) is S.STOCK
    assert plan.previous_step(S.OVERVIEW) is None
    assert plan.next_step(S.WRAP_UP) is None
    assert check(plan, S.OVERVIEW, "Listing state").evidence == (
        "Inactive — not buyable; still discoverable"  # a seller's words, not the codes
    )

    ops = draft_patches(plan, Draft(StockAction.SET_MFN_QUANTITY, mfn_quantity=8, handling_time=2))
    assert ops == [
        {
            "op": "replace",
            "path": "/attributes/fulfillment_availability",
            "value": [
                {
                    "fulfillment_channel_code": "DEFAULT",
                    "quantity": 8,
                    "lead_time_to_ship_max_days": 2,
                }
            ],
        }
    ]


def test_set_quantity_draft_needs_a_quantity():
    listing = mfn_listing()
    plan = build_plan(Evidence(listing), diagnosis(listing, State.INACTIVE), now=NOW)
    with pytest.raises(ValueError):
        draft_patches(plan, Draft(StockAction.SET_MFN_QUANTITY))
    assert not Draft().has_changes and Draft(price=Decimal(1)).has_changes


def test_fba_out_of_stock_checks_carry_the_numbers_and_guidance():
    inv = InventorySummary(
        seller_sku="FBA-1",
        fulfillable=0,
        inbound_working=2,
        inbound_shipped=3,
        inbound_receiving=1,
        reserved_total=4,
        reserved_fc_processing=4,
        unfulfillable_total=3,
        unfulfillable_breakdown={"customerDamagedQuantity": 2, "expiredQuantity": 1},
        researching_total=1,
    )
    listing = fba_listing()
    oos = finding(codes.OUT_OF_STOCK_FBA, Category.STOCK, S.STOCK)
    plan = build_plan(
        Evidence(listing, inventory=inv), diagnosis(listing, State.INACTIVE, oos), now=NOW
    )

    assert check(plan, S.STOCK, "FBA fulfillable").status is StepStatus.NEEDS_ACTION
    inbound = check(plan, S.STOCK, "Inbound")
    assert inbound.status is StepStatus.PASSED
    assert inbound.evidence == "6 units (working 2, shipped 3, receiving 1)"
    assert check(plan, S.STOCK, "Reserved").evidence.startswith("4 units")
    unfulfillable = check(plan, S.STOCK, "Unfulfillable")
    assert unfulfillable.status is StepStatus.NEEDS_ACTION
    assert unfulfillable.evidence == "3 units (customerDamagedQuantity 2, expiredQuantity 1)"
    assert check(plan, S.STOCK, "Researching").status is StepStatus.NEEDS_ACTION
    assert check(plan, S.STOCK, "Stranded").status is StepStatus.PASSED
    guidance = " ".join(plan.stock.guidance)
    assert "6 units inbound" in guidance
    assert "removal or disposal order for the 3 unfulfillable units" in guidance
    assert "1 unit is being researched" in guidance  # it read "1 units are"
    assert plan.stock.actions == (StockAction.SWITCH_TO_MFN,)
    ops = draft_patches(plan, Draft(StockAction.SWITCH_TO_MFN, mfn_quantity=5))
    assert ops[0]["op"] == "add"
    assert ops[0]["value"] == [{"fulfillment_channel_code": "DEFAULT", "quantity": 5}]


def test_fba_without_any_units_says_to_send_a_shipment():
    listing = fba_listing()
    inv = InventorySummary(seller_sku="FBA-1")
    oos = finding(codes.OUT_OF_STOCK_FBA, Category.STOCK, S.STOCK)
    plan = build_plan(
        Evidence(listing, inventory=inv), diagnosis(listing, State.INACTIVE, oos), now=NOW
    )
    assert check(plan, S.STOCK, "Inbound").status is StepStatus.NEEDS_ACTION
    assert "create an inbound shipment" in plan.stock.guidance[0]


def test_stranded_fba_offers_relist_for_fba():
    listing = fba_listing()
    inv = InventorySummary(seller_sku="FBA-1", fulfillable=4)
    stranded = finding(codes.STRANDED_FBA, Category.STOCK, S.STOCK)
    plan = build_plan(
        Evidence(listing, inventory=inv), diagnosis(listing, State.INACTIVE, stranded), now=NOW
    )
    assert check(plan, S.STOCK, "Stranded").status is StepStatus.NEEDS_ACTION
    assert check(plan, S.STOCK, "Stranded").evidence == "4 fulfillable units, offer not buyable"
    assert StockAction.SWITCH_TO_FBA in plan.stock.actions
    assert plan.stock.guidance[0].startswith("4 units are stranded")
    ops = draft_patches(plan, Draft(StockAction.SWITCH_TO_FBA))
    assert ops[0]["value"] == [{"fulfillment_channel_code": "AMAZON_NA"}]


def test_a_quantity_of_zero_cannot_fix_an_out_of_stock_listing():
    listing = mfn_listing()
    oos = finding(codes.OUT_OF_STOCK_MFN, Category.STOCK, S.STOCK)
    plan = build_plan(Evidence(listing), diagnosis(listing, State.INACTIVE, oos), now=NOW)
    zero = Draft(StockAction.SET_MFN_QUANTITY, mfn_quantity=0)
    assert draft_problems(plan, zero) == {
        "quantity": "At least 1 unit: the listing is out of stock, 0 units keeps it unbuyable."
    }
    with pytest.raises(ValueError, match="At least 1 unit"):
        draft_patches(plan, zero)
    assert draft_problems(plan, Draft(StockAction.SET_MFN_QUANTITY, mfn_quantity=1)) == {}
    in_stock = mfn_listing(quantity=5)
    closing = build_plan(Evidence(in_stock), diagnosis(in_stock, State.ACTIVE), now=NOW)
    assert draft_problems(closing, zero) == {}, "0 is allowed where stock is not the problem"


def test_switching_fba_to_mfn_needs_units_and_warns_about_inbound_ones():
    listing = fba_listing()
    inv = InventorySummary(seller_sku="FBA-1", inbound_shipped=6)
    oos = finding(codes.OUT_OF_STOCK_FBA, Category.STOCK, S.STOCK)
    plan = build_plan(
        Evidence(listing, inventory=inv), diagnosis(listing, State.INACTIVE, oos), now=NOW
    )
    problems = draft_problems(plan, Draft(StockAction.SWITCH_TO_MFN, mfn_quantity=0))
    assert problems["quantity"].startswith("At least 1 unit: merchant fulfilment with 0 units")
    assert draft_problems(plan, Draft(StockAction.SWITCH_TO_MFN))["quantity"] == (
        "Enter a quantity first."
    )
    assert plan.stock.inbound_warning(StockAction.SWITCH_TO_MFN).startswith(
        "6 units are on their way to Amazon"
    )
    assert plan.stock.inbound_warning(None) == ""


def test_fba_without_inventory_data_needs_a_look():
    listing = fba_listing()
    oos = finding(codes.OUT_OF_STOCK_FBA, Category.STOCK, S.STOCK)
    plan = build_plan(Evidence(listing), diagnosis(listing, State.INACTIVE, oos), now=NOW)
    assert check(plan, S.STOCK, "FBA inventory").status is StepStatus.NEEDS_ACTION
    assert "no FBA inventory" in plan.stock.guidance[0]


# --------------------------------------------------------------------------- policy


def policy_evidence():
    issue = Issue(
        "18742",
        "Restricted Products Policy Violation",
        "ERROR",
        enforcement=Enforcement(("CATALOG_ITEM_REMOVED",), "NOT_EXEMPT"),
    )
    docs = Issue(
        "100390",
        "Compliance documentation required",
        "ERROR",
        enforcement=Enforcement(
            ("LISTING_SUPPRESSED",), "EXEMPT_UNTIL_EXPIRY_DATE", datetime(2026, 3, 13, tzinfo=UTC)
        ),
    )
    listing = Listing(sku="POL-1", marketplace_id=US, asin="B0POL", issues=(issue, docs))
    link = RestrictionLink(
        "Request approval", "https://sellercentral.amazon.com/hz/approvalrequest?asin=B0POL"
    )
    restriction = Restriction(
        US, "new_new", (RestrictionReason("Approval required", "APPROVAL_REQUIRED", (link,)),)
    )
    account = AccountHealth(US, "AT_RISK", {"restrictedProductPolicyViolations": 2})
    evidence = Evidence(listing, restrictions=(restriction,), account=account)
    findings = (
        finding(
            codes.POLICY_VIOLATION,
            Category.POLICY,
            S.POLICY,
            issue_code="18742",
            title="Restricted product",
        ),
        finding(
            codes.POLICY_VIOLATION,
            Category.POLICY,
            S.POLICY,
            issue_code="100390",
            title="Documents",
        ),
        finding(codes.APPROVAL_REQUIRED, Category.RESTRICTION, S.POLICY, title="Approval required"),
    )
    return evidence, diagnosis(listing, State.CATALOG_REMOVED, *findings)


def test_policy_case_plan_has_checklists_and_the_content_it_names_to_edit():
    evidence, diag = policy_evidence()
    plan = build_plan(evidence, diag, now=NOW)
    # the restricted-content checklist says to remove content from the title and bullets:
    # Listing fields offers them (issue 9 item 4), and Apply sends the edit
    assert plan.applicable == (S.OVERVIEW, S.POLICY, S.FIELDS, S.APPLY, S.VERIFY, S.WRAP_UP)
    assert [(f.name, f.problem) for f in plan.fields] == [
        ("item_name", "content"),
        ("bullet_point", "content"),
        ("product_description", "content"),
        ("main_product_image_locator", "content"),
    ]
    assert plan.step(S.FIELDS).status is StepStatus.PENDING, "an edit the seller may make"
    restricted, documents, approval = plan.policy_cases
    assert "Listing fields" in restricted.items[1].text
    assert restricted.key == "18742"
    assert restricted.evidence == (
        "18742 (ERROR): Restricted Products Policy Violation — CATALOG_ITEM_REMOVED, in force"
    )
    assert "Account Health" in restricted.appeal_path
    assert [i.key for i in restricted.items][:2] == ["18742/1", "18742/2"]
    assert "Manage Your Compliance" in documents.appeal_path
    assert documents.evidence.endswith("LISTING_SUPPRESSED, exempt until 2026-03-13 (12 days left)")
    assert approval.links[0].url.endswith("asin=B0POL")
    # a brand/category approval (gated on New, the listing's own condition): the request is
    # the one way forward, so the checklist never suggests another condition
    assert not any("condition" in item.text for item in approval.items)

    labels = [c.label for c in plan.step(S.POLICY).checks]
    assert "Restriction (New)" not in labels, "the approval case shows it, link and all"
    other = Restriction(US, "used_good", (RestrictionReason("Not allowed", "NOT_ELIGIBLE"),))
    with_other = replace(evidence, restrictions=(*evidence.restrictions, other))
    restriction = check(
        build_plan(with_other, diag, now=NOW), S.POLICY, "Restriction (Used – Good)"
    )
    assert restriction.evidence == "NOT_ELIGIBLE — Not allowed"
    account = check(plan, S.POLICY, "Account health")
    assert account.status is StepStatus.NEEDS_ACTION
    assert account.evidence == "AT_RISK; restricted product policy violations: 2"


def test_healthy_account_check_passes():
    evidence, diag = policy_evidence()
    healthy = Evidence(evidence.listing, account=AccountHealth(US, "NORMAL"))
    plan = build_plan(healthy, diag, now=NOW)
    assert check(plan, S.POLICY, "Account health").status is StepStatus.PASSED


def test_duplicate_case_keys_stay_unique():
    evidence, _ = policy_evidence()
    twice = finding(codes.POLICY_VIOLATION, Category.POLICY, S.POLICY, issue_code="18742")
    plan = build_plan(
        evidence, diagnosis(evidence.listing, State.SUPPRESSED, twice, twice), now=NOW
    )
    assert [c.key for c in plan.policy_cases] == ["18742", "18742+"]


def test_enforcement_text_variants():
    assert enforcement_text(Enforcement(("SEARCH_SUPPRESSED",), "EXEMPT"), NOW) == (
        "SEARCH_SUPPRESSED, exempt (acknowledged, not applied)"
    )
    expired = Enforcement(
        ("LISTING_SUPPRESSED",), "EXEMPT_UNTIL_EXPIRY_DATE", datetime(2025, 5, 28, tzinfo=UTC)
    )
    assert (
        enforcement_text(expired, NOW)
        == "LISTING_SUPPRESSED, exemption expired on 2025-05-28: in force"
    )


# --------------------------------------------------------------------------- fields


def fields_case():
    size = AttributeSpec("size", title="Size", required=True, enum=("S", "M", "L"))
    brand = AttributeSpec("brand", title="Brand", required=True, max_length=50)
    color = AttributeSpec("color", title="Colour")
    reqs = ProductTypeRequirements(
        "MUG", US, attributes={"size": size, "brand": brand, "color": color}
    )
    offer = [
        {
            "marketplace_id": US,
            "currency": "USD",
            "audience": "ALL",
            "our_price": [{"schedule": [{"value_with_tax": 12}]}],
            "minimum_seller_allowed_price": [{"schedule": [{"value_with_tax": 15}]}],
        }
    ]
    listing = mfn_listing(
        quantity=5,
        attributes={
            "color": [{"value": "Purple-ish", "marketplace_id": US}],
            "purchasable_offer": offer,
        },
    )
    findings = (
        finding(
            codes.MISSING_ATTRIBUTE,
            Category.LISTING_FIELDS,
            S.FIELDS,
            attributes=("size",),
            detail="'size' is required",
        ),
        finding(
            codes.INVALID_ATTRIBUTE,
            Category.LISTING_FIELDS,
            S.FIELDS,
            attributes=("color",),
            detail="bad colour",
        ),
        finding(codes.INVALID_IMAGE, Category.LISTING_FIELDS, S.FIELDS, detail="text on image"),
        finding(codes.PRICE_CONFLICT, Category.PRICING, S.FIELDS),
    )
    return Evidence(listing, requirements=reqs), diagnosis(listing, State.SUPPRESSED, *findings)


def test_fields_plan_has_typed_prefilled_inputs_and_price_band():
    evidence, diag = fields_case()
    plan = build_plan(evidence, diag, now=NOW)
    assert plan.applicable == (S.OVERVIEW, S.FIELDS, S.APPLY, S.VERIFY, S.WRAP_UP)
    by_name = {f.name: f for f in plan.fields}
    assert list(by_name) == ["size", "color", "main_product_image_locator", "brand"]
    assert by_name["size"].spec.enum == ("S", "M", "L") and by_name["size"].problem == "missing"
    assert by_name["color"].current == "Purple-ish" and by_name["color"].problem == "invalid"
    assert by_name["main_product_image_locator"].spec.value_key == "media_location"
    assert by_name["brand"].message == "required by MUG"
    assert check(plan, S.FIELDS, "Colour").evidence == "invalid (now 'Purple-ish'): bad colour"
    assert check(plan, S.FIELDS, "Required attributes").evidence == "0 of 2 present (MUG)"
    price = check(plan, S.FIELDS, "Price")
    assert price.status is StepStatus.NEEDS_ACTION
    assert price.evidence == (
        "12.00 USD; allowed 15.00 – no maximum USD; price 12.00 USD is below the minimum 15.00 USD"
    )
    assert plan.price_needs_action

    draft = Draft(attributes={"size": "M"}, minimum=Decimal("10"))
    ops = draft_patches(plan, draft)
    assert [o["path"] for o in ops] == ["/attributes/size", "/attributes/purchasable_offer"]
    assert ops[0]["value"] == [{"marketplace_id": US, "value": "M"}]
    assert ops[1]["value"][0]["minimum_seller_allowed_price"] == [
        {"schedule": [{"value_with_tax": 10}]}
    ]


def test_a_new_price_must_lie_inside_the_band_as_typed_or_current():
    evidence, diag = fields_case()  # price 12, minimum 15, no maximum
    plan = build_plan(evidence, diag, now=NOW)
    assert draft_problems(plan, Draft(price=Decimal("13"))) == {
        "price": "The price 13.00 USD is below the minimum 15.00 USD: Amazon would not sell at it."
    }
    assert draft_problems(plan, Draft(price=Decimal("16"))) == {}
    assert draft_problems(plan, Draft(minimum=Decimal("10"))) == {}, "a lower minimum fits 12"
    upside_down = Draft(price=Decimal("16"), maximum=Decimal("14"))
    assert draft_problems(plan, upside_down)["price"] == (
        "The minimum 15.00 USD is above the maximum 14.00 USD."
    )
    with pytest.raises(ValueError):
        draft_patches(plan, upside_down)
    assert draft_problems(plan, Draft()) == {}, "an untouched price is not checked"


def test_price_without_conflict_passes():
    listing = mfn_listing(quantity=5)
    plan = build_plan(Evidence(listing), diagnosis(listing, State.INACTIVE), now=NOW)
    assert plan.price_needs_action is False


# --------------------------------------------------------------------------- overview / verify


def test_healthy_listing_goes_from_overview_to_wrap_up():
    listing = mfn_listing(quantity=5)
    listing = replace(listing, status=frozenset({"BUYABLE", "DISCOVERABLE"}))
    plan = build_plan(Evidence(listing), diagnosis(listing, State.ACTIVE), now=NOW)
    assert plan.applicable == (S.OVERVIEW, S.WRAP_UP)
    assert plan.step(S.OVERVIEW).status is StepStatus.PASSED
    assert plan.step(S.WRAP_UP).status is StepStatus.PENDING


def test_fix_step_falls_back_on_category():
    assert fix_step(finding(codes.PRICE_CONFLICT, Category.PRICING)) is S.FIELDS
    assert fix_step(finding(codes.OTHER_ISSUE, Category.OTHER)) is S.POLICY
    assert fix_step(finding(codes.OUT_OF_STOCK_MFN, Category.OTHER, S.STOCK)) is S.STOCK
    parent = finding(codes.VARIATION_PARENT, Category.CATALOG, severity=Severity.INFO)
    assert fix_step(parent) is None


def test_verify_resolved_and_still_failing():
    listing = mfn_listing()
    oos = finding(codes.OUT_OF_STOCK_MFN, Category.STOCK, S.STOCK)
    missing = finding(
        codes.MISSING_ATTRIBUTE, Category.LISTING_FIELDS, S.FIELDS, attributes=("size",)
    )
    before = diagnosis(listing, State.SUPPRESSED, oos, missing)
    healthy = Diagnosis("MUG-1", None, US, State.ACTIVE, True, True)
    done = verify(before, healthy)
    assert done.resolved and done.fixed == (oos, missing) and done.failing_step is None

    partly = verify(before, Diagnosis("MUG-1", None, US, State.SUPPRESSED, False, True, (missing,)))
    assert not partly.resolved
    assert partly.fixed == (oos,) and partly.remaining == (missing,) and partly.new == ()
    assert partly.failing_step is S.FIELDS

    other = finding(codes.OUT_OF_STOCK_MFN, Category.STOCK, S.STOCK)
    worse = verify(
        diagnosis(listing, State.SUPPRESSED, missing),
        Diagnosis("MUG-1", None, US, State.INACTIVE, False, True, (other, missing)),
    )
    assert worse.new == (other,) and worse.failing_step is S.STOCK


def test_verify_names_the_root_cause_step_and_every_step_still_needing_action():
    """Stranded FBA stock is a consequence of the suppression the diagnosis lists first: the
    failing step is Listing fields, and Stock still needs action too."""
    listing = fba_listing()
    missing = finding(
        codes.MISSING_ATTRIBUTE, Category.LISTING_FIELDS, S.FIELDS, attributes=("size",)
    )
    stranded = finding(codes.STRANDED_FBA, Category.STOCK, S.STOCK)
    policy = finding(codes.POLICY_VIOLATION, Category.POLICY, S.POLICY, issue_code="4000")
    before = diagnosis(listing, State.SUPPRESSED, missing, stranded, policy)
    after = verify(before, diagnosis(listing, State.SUPPRESSED, missing, stranded))
    assert after.failing_step is S.FIELDS
    assert after.steps_needing_action == {S.FIELDS, S.STOCK}
    assert (
        verify(before, Diagnosis("SKU", None, US, State.ACTIVE, True, True)).steps_needing_action
        == frozenset()
    )


# --------------------------------------------------------------------------- guidance fits the evidence


def test_units_held_by_a_suppression_are_not_told_to_wait_for_inbound_stock():
    """256 sellable units, 48 inbound, suppressed for a missing image: stock is not the
    problem, so no inbound tip and no stock action (issue 9 item 4)."""
    listing = fba_listing()
    inv = InventorySummary(seller_sku="FBA-1", fulfillable=256, inbound_shipped=48)
    image = finding(
        codes.MISSING_IMAGE, Category.LISTING_FIELDS, S.FIELDS, title="Missing main image"
    )
    stranded = finding(codes.STRANDED_FBA, Category.STOCK, S.STOCK)
    plan = build_plan(
        Evidence(listing, inventory=inv),
        diagnosis(listing, State.SUPPRESSED, image, stranded),
        now=NOW,
    )
    guidance = " ".join(plan.stock.guidance)
    assert "inbound" not in guidance and "comes back when Amazon receives" not in guidance
    assert "256 sellable units" in guidance and "'Missing main image' is fixed" in guidance
    assert plan.stock.actions == ()
    assert plan.fields[0].name == "main_product_image_locator"
    # and the Stock step does not ask for action on stock it says is fine (audit, issue 9)
    stranded_check = check(plan, S.STOCK, "Stranded")
    assert stranded_check.status is StepStatus.NOT_APPLICABLE
    assert "held by 'Missing main image'" in stranded_check.evidence
    assert plan.step(S.STOCK).status is not StepStatus.NEEDS_ACTION


def test_a_not_eligible_listing_is_offered_no_channel_switch_but_a_removal_order():
    listing = fba_listing()
    inv = InventorySummary(seller_sku="FBA-1", fulfillable=12, unfulfillable_total=2)
    refused = finding(codes.NOT_ELIGIBLE, Category.RESTRICTION, S.POLICY, title="Not eligible")
    stranded = finding(codes.STRANDED_FBA, Category.STOCK, S.STOCK)
    plan = build_plan(
        Evidence(listing, inventory=inv),
        diagnosis(listing, State.INACTIVE, refused, stranded),
        now=NOW,
    )
    assert plan.stock.actions == ()
    guidance = " ".join(plan.stock.guidance)
    assert "removal order for the 14 units" in guidance
    assert "Manage FBA Inventory" in guidance
    assert "switch" not in guidance.lower() and "relist" not in guidance.lower()


def test_inbound_stock_still_being_prepared_is_not_waiting_on_amazon():
    listing = fba_listing()
    inv = InventorySummary(seller_sku="FBA-1", inbound_working=5)
    oos = finding(codes.OUT_OF_STOCK_FBA, Category.STOCK, S.STOCK)
    plan = build_plan(
        Evidence(listing, inventory=inv), diagnosis(listing, State.INACTIVE, oos), now=NOW
    )
    assert plan.stock.guidance[0].startswith("5 units are in a shipment you are still preparing")


def test_bullet_points_are_several_values_typed_one_a_line():
    spec = AttributeSpec("bullet_point", title="Bullet points", max_length=10, max_items=3)
    listing = mfn_listing(
        attributes={
            "bullet_point": [
                {"value": "old one", "marketplace_id": US, "language_tag": "en_US"},
                {"value": "old two", "marketplace_id": US, "language_tag": "en_US"},
            ]
        }
    )
    requirements = ProductTypeRequirements("MUG", US, attributes={"bullet_point": spec})
    content = finding(codes.POLICY_VIOLATION, Category.POLICY, S.POLICY, title="Restricted claim")
    plan = build_plan(
        Evidence(listing, requirements=requirements),
        diagnosis(listing, State.SUPPRESSED, content),
        now=NOW,
    )
    bullets = next(f for f in plan.fields if f.name == "bullet_point")
    assert bullets.multi_value and bullets.current == "old one\nold two"
    assert bullets.validate("short\n\nalso ok") == (True, "", ["short", "also ok"])
    assert bullets.validate("fine\nthis one is too long")[1] == (
        "Bullet points line 2: at most 10 characters (now 20)"
    )
    assert not bullets.validate("a\nb\nc\nd").ok, "at most max_items lines"
    ops = draft_patches(plan, Draft(attributes={"bullet_point": ["new one", "new two"]}))
    assert ops == [
        {
            "op": "replace",
            "path": "/attributes/bullet_point",
            "value": [
                {"value": "new one", "marketplace_id": US, "language_tag": "en_US"},
                {"value": "new two", "marketplace_id": US, "language_tag": "en_US"},
            ],
        }
    ]


def test_a_condition_gated_approval_offers_the_condition_to_change():
    listing = mfn_listing(quantity=3, condition_type="used_good")
    spec = AttributeSpec("condition_type", title="Item condition", enum=("new_new", "used_good"))
    requirements = ProductTypeRequirements("MUG", US, attributes={"condition_type": spec})
    approval = finding(
        codes.APPROVAL_REQUIRED,
        Category.RESTRICTION,
        S.POLICY,
        attributes=("condition_type",),
    )
    plan = build_plan(
        Evidence(listing, requirements=requirements),
        diagnosis(listing, State.INACTIVE, approval),
        now=NOW,
    )
    (condition,) = plan.fields
    assert (condition.name, condition.problem, condition.spec.enum) == (
        "condition_type",
        "condition",
        ("new_new", "used_good"),
    )
    assert S.FIELDS in plan.applicable and S.APPLY in plan.applicable
    (case,) = plan.policy_cases
    assert case.items[-1].text.endswith("or change the condition to an allowed one")


def test_stranded_check_follows_the_effective_state_not_amazons_lagging_status():
    """Issue 10: Amazon's status still says BUYABLE, the suppression in force says not: the
    Stock step calls the offer not buyable, as the diagnosis does — and, the suppression being
    what holds the units, points at its fix rather than asking for a stock action (issue 9)."""
    from asin_tui.domain.diagnosis import diagnose
    from asin_tui.domain.models import Enforcement, Issue

    suppression = Issue(
        "18155",
        "x",
        "ERROR",
        ("purchasable_offer",),
        ("INVALID_PRICE",),
        Enforcement(("LISTING_SUPPRESSED",), "NOT_EXEMPT"),
    )
    listing = replace(
        fba_listing(), status=frozenset({"BUYABLE", "DISCOVERABLE"}), issues=(suppression,)
    )
    evidence = Evidence(listing, inventory=InventorySummary(seller_sku="FBA-1", fulfillable=4))
    plan = build_plan(evidence, diagnose(evidence, now=NOW), now=NOW)
    stranded = check(plan, S.STOCK, "Stranded")
    assert stranded.status is StepStatus.NOT_APPLICABLE
    assert stranded.evidence.startswith("4 fulfillable units, offer not buyable: held by ")
    assert stranded.evidence.endswith("fixed in Listing fields")


def test_the_state_reads_as_a_seller_says_it_for_every_state():
    """Overview, Verify and Wrap up said 'SUPPRESSED: buyable no, discoverable yes'."""
    from asin_tui.domain.models import Diagnosis, State
    from asin_tui.domain.wizard import state_text

    def said(state, buyable, discoverable):
        found = Diagnosis("S", None, "ATVPDKIKX0DER", state, buyable, discoverable, ())
        return state_text(found)

    assert said(State.SUPPRESSED, False, True) == "Suppressed — not buyable; still discoverable"
    assert said(State.SEARCH_SUPPRESSED, True, False) == (
        "Hidden from search — buyable; not discoverable"
    )
    assert said(State.ACTIVE, True, True) == "Active — buyable and discoverable"
    for state in State:  # every state has its words, none its code
        assert state.value not in said(state, False, False)
