"""domain.causes: what the cause view counts and what the bulk wizard asks for."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from asin_tui.domain import codes
from asin_tui.domain.causes import (
    APPROVAL_LINKS,
    CASE_DRAFT,
    REMOVAL_LIST,
    CauseKey,
    approval_groups,
    bulk_action,
    bulk_columns,
    count_causes,
    finding_causes,
    grid_cell,
    other_blockers,
    removal_rows,
    shared_causes,
)
from asin_tui.domain.models import Category, Finding, InventorySummary, LastQuantity, Severity
from tests.ui.fakes import make_evidence, make_records


def finding(code, title, brief="", attributes=(), severity=Severity.ERROR):
    return Finding(Category.OTHER, severity, code, title, "", "", tuple(attributes), brief=brief)


def test_one_cause_per_attribute_and_a_price_conflict_without_its_amount():
    missing = finding(
        codes.MISSING_ATTRIBUTE, "Missing", "Missing: brand, color", ["brand", "color"]
    )
    assert [k.label for k in finding_causes(missing)] == ["Missing: brand", "Missing: color"]
    assert [k.attribute for k in finding_causes(missing)] == ["brand", "color"]
    high = finding(codes.PRICE_CONFLICT, "Price above the maximum", "Price above max 72.24")
    low = finding(codes.PRICE_CONFLICT, "Price below the minimum", "Price below min 9.10")
    assert [k.label for k in finding_causes(high)] == ["Price above max"]
    assert [k.label for k in finding_causes(low)] == ["Price below min"]


def test_evidence_gaps_and_notes_are_never_causes():
    assert finding_causes(finding(codes.EVIDENCE_NOT_CHECKED, "Not checked")) == []
    assert finding_causes(finding(codes.EVIDENCE_STALE, "As of")) == []
    assert finding_causes(finding(codes.VARIATION_PARENT, "Parent", severity=Severity.INFO)) == []


def test_counts_most_listings_first_with_the_rows_they_block():
    records = make_records(40)
    counted = count_causes(records)
    assert [c.count for c in counted] == sorted((c.count for c in counted), reverse=True)
    for cause in counted:
        for index in cause.rows:
            assert any(k == cause.key for f in records[index].findings for k in finding_causes(f))
    total = sum(c.count for c in counted)
    assert total == sum(
        1
        for r in records
        if r.needs_attention or r.at_risk
        for f in r.findings
        if finding_causes(f)
    )


def test_what_fixes_a_cause():
    stock = finding_causes(finding(codes.OUT_OF_STOCK_MFN, "Out of stock"))[0]
    assert bulk_columns(stock) == ("quantity", "handling_time") and bulk_action(stock) is None
    brand = finding_causes(finding(codes.MISSING_ATTRIBUTE, "M", "", ["brand"]))[0]
    assert bulk_columns(brand) == ("brand",)
    price = finding_causes(finding(codes.PRICE_CONFLICT, "P", "Price above max 1.00"))[0]
    assert bulk_columns(price) == ("price",)
    actions = {
        codes.APPROVAL_REQUIRED: APPROVAL_LINKS,
        codes.POLICY_VIOLATION: CASE_DRAFT,
        codes.STRANDED_FBA: REMOVAL_LIST,
    }
    for code, action in actions.items():
        key = finding_causes(finding(code, code))[0]
        assert bulk_columns(key) == () and bulk_action(key) == action
    image = finding_causes(finding(codes.MISSING_IMAGE, "Main image missing"))[0]
    assert bulk_columns(image) == () and bulk_action(image) is None


def test_shared_causes_of_marked_listings():
    records = make_records(40)
    brand = [r for r in records if r.main_brief == "Missing: brand"]
    assert [k.label for k in shared_causes(brand)] == ["Missing: brand"]
    assert shared_causes([brand[0], records[-1]]) == []


def test_approval_groups_and_removal_rows():
    records = make_records(6)
    evidences = [make_evidence(r) for r in records]
    (group,) = approval_groups(evidences)
    assert group.product_type == "HOME" and len(group.skus) == 6
    assert group.links == ["https://sellercentral.amazon.com/hz/approvalrequest"]
    fba = [e for e in evidences if e.inventory is not None]
    empty = replace(fba[0], inventory=InventorySummary(fba[0].listing.sku))
    rows = removal_rows([*fba, empty], "Stranded FBA stock")
    assert [r[0] for r in rows] == [
        e.listing.sku for e in fba if e.inventory.fulfillable or e.inventory.unfulfillable_total
    ]
    assert all(r[-1] == "Stranded FBA stock" for r in rows)


def test_the_last_known_quantity_is_the_quantity_cells_suggestion_never_its_value():
    record = replace(make_records(1)[0], fulfillment_channel="MFN", quantity=0)
    last = LastQuantity(12, datetime(2026, 12, 3, 9, 30, tzinfo=UTC))
    cell = grid_cell(make_evidence(record), "quantity", last)
    assert (cell.now, cell.value, cell.hint, cell.hint_label) == ("0", "", "12", "last known")
    assert cell.hint_note == "seen 2026-12-03 09:30 UTC"
    assert grid_cell(make_evidence(record), "quantity").hint == ""  # none seen: none told
    stocked = replace(record, quantity=4)  # it has units now: nothing to suggest
    assert grid_cell(make_evidence(stocked), "quantity", last).hint == ""


def test_the_price_hint_is_the_nearest_allowed_price_and_says_where_it_comes_from():
    # the demo walk: the row line said "hint 83.71 (h takes it)", a number from nowhere; then
    # "hint 241.76, the middle of the allowed 161.17 – 322.34 USD" for a price of 124.00:
    # nearly double, where the band's edge is the smallest change that makes it sell
    from decimal import Decimal

    def cell_at(price: str):
        record = replace(make_records(1)[0], price=Decimal(price))  # band 60.00 – 90.00 USD
        return grid_cell(make_evidence(record), "price")

    below = cell_at("10.00")
    assert (below.now, below.hint, below.hint_label) == ("10.00", "60.00", "hint")
    assert below.hint_note == "the allowed minimum 60.00 USD"
    above = cell_at("120.00")
    assert (above.hint, above.hint_note) == ("90.00", "the allowed maximum 90.00 USD")
    # a price inside its band that Amazon flags all the same (a pricing error): no edge is
    # nearer than another, the band's middle is suggested, and said so
    inside = cell_at("62.00")
    assert (inside.hint, inside.hint_note) == (
        "75.00",
        "the middle of the allowed 60.00 – 90.00 USD",
    )


def test_a_cell_of_an_attribute_of_several_values_says_so():
    # the demo walk: a bullet_point cell took "Soft brushed microfiber; Machine washable" as
    # one bullet point, and nothing said a cell is one value
    from asin_tui.domain.models import AttributeSpec

    evidence = make_evidence(make_records(1)[0])
    requirements = evidence.requirements
    bullets = AttributeSpec("bullet_point", "Bullet Point", max_items=5)
    attributes = {**requirements.attributes, "bullet_point": bullets}
    evidence = replace(evidence, requirements=replace(requirements, attributes=attributes))
    assert grid_cell(evidence, "bullet_point").several
    assert not grid_cell(evidence, "brand").several


def test_other_blockers_are_the_errors_the_grids_values_do_not_fix():
    """What keeps a listing off sale once the bulk grid's patch is applied: its other ERROR
    findings (warnings and notes block nothing), each cause once, main first; causes the
    grid's own columns fill (a price conflict in the price grid) are not among them, nor
    stranded FBA stock (units stuck because the offer is not buyable: they sell again with
    it, Amazon's advice being to fix the listing's cause)."""
    stock = CauseKey(codes.OUT_OF_STOCK_MFN, "Out of stock")
    out = finding(codes.OUT_OF_STOCK_MFN, "Out of stock")
    policy = finding(codes.POLICY_VIOLATION, "Detail page rules violation")
    missing = finding(codes.MISSING_ATTRIBUTE, "Missing", "Missing: brand", ["brand"])
    image = finding(codes.POLICY_VIOLATION, "Main image", severity=Severity.WARNING)
    assert other_blockers([out], stock) == []
    assert other_blockers([out, image], stock) == []
    stranded = finding(codes.STRANDED_FBA, "Stranded FBA stock")
    assert other_blockers([out, stranded], stock) == []  # sold again once the offer is
    assert other_blockers([policy, out, missing, policy], stock) == [
        "Detail page rules violation",
        "Missing: brand",
    ]
    brand = CauseKey(codes.MISSING_ATTRIBUTE, "Missing: brand", "brand")
    both = finding(codes.MISSING_ATTRIBUTE, "Missing", "", ["brand", "color"])
    assert other_blockers([both], brand) == ["Missing: color"]
    incomplete = finding(codes.INCOMPLETE_SKU, "Incomplete listing")
    assert other_blockers([both, incomplete], brand) == ["Missing: color"]  # completed by them
    assert other_blockers([out, incomplete], stock) == ["Incomplete listing"]  # not by stock
    price = CauseKey(codes.PRICE_CONFLICT, "Price above max")
    no_price = finding(codes.MISSING_PRICE, "No price")
    assert other_blockers([no_price, out], price) == ["Out of stock"]  # the price column fills it
